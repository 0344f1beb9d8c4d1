"""total_amount is money: NUMERIC(10, 2), never NULL

Revision ID: 003
Revises: 002
Create Date: 2025-10-20 23:20:00
"""
from alembic import op
import sqlalchemy as sa

revision = '003'
down_revision = '002'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("UPDATE orders SET total_amount = :zero WHERE total_amount IS NULL").bindparams(zero=0))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.alter_column('total_amount', existing_type=sa.Float(), type_=sa.Numeric(precision=10, scale=2),
                              nullable=False, server_default='0')


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.alter_column('total_amount', existing_type=sa.Numeric(precision=10, scale=2), type_=sa.Float(),
                              nullable=True, server_default=None)
