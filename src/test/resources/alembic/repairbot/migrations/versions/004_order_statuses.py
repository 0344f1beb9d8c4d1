"""order statuses: a table of titles, IN_PROGRESS renamed to IN_WORK

Revision ID: 004
Revises: 003
Create Date: 2025-10-21 18:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '004'
down_revision = '003'
branch_labels = None
depends_on = None


def upgrade():
    statuses = op.create_table(
        'order_statuses',
        sa.Column('code', sa.String(20), primary_key=True),
        sa.Column('title', sa.String(100), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
    )
    op.bulk_insert(statuses, [
        {'code': 'NEW', 'title': 'Новая заявка', 'sort_order': 1},
        {'code': 'IN_WORK', 'title': "В работе (мастер's)", 'sort_order': 2},
        {'code': 'DONE', 'title': 'Выполнена; ждёт отзыва -- ok?', 'sort_order': 3},
    ])
    op.execute(sa.text("UPDATE orders SET status = :new WHERE status = :old").bindparams(new='IN_WORK', old='IN_PROGRESS'))


def downgrade():
    op.execute(sa.text("UPDATE orders SET status = :old WHERE status = :new").bindparams(new='IN_WORK', old='IN_PROGRESS'))
    op.drop_table('order_statuses')
