"""Add IncomeSource model

Revision ID: d06c52a8b6a7
Revises: 1b77062a812f
Create Date: 2025-09-21 11:40:02.117730
"""
from alembic import op
import sqlalchemy as sa

revision = 'd06c52a8b6a7'
down_revision = '1b77062a812f'
branch_labels = None
depends_on = None

# batch mode rebuilds income; SQLite does not report CHECK constraints, so they are given again
INCOME_CHECKS = (sa.CheckConstraint('amount >= 0'),)


def upgrade():
    op.create_table('income_sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('is_default', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'name')
    )
    with op.batch_alter_table('income_sources', schema=None) as batch_op:
        batch_op.create_index('ix_income_sources_user_id', ['user_id'], unique=False)

    with op.batch_alter_table('income', schema=None, table_args=INCOME_CHECKS) as batch_op:
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_income_source_id', 'income_sources', ['source_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('income', schema=None, table_args=INCOME_CHECKS) as batch_op:
        batch_op.drop_constraint('fk_income_source_id', type_='foreignkey')
        batch_op.drop_column('source_id')

    with op.batch_alter_table('income_sources', schema=None) as batch_op:
        batch_op.drop_index('ix_income_sources_user_id')

    op.drop_table('income_sources')
