"""Add shared_budget_id to users

Revision ID: add_shared_budget_to_users
Revises: 515954c99c28
Create Date: 2025-10-04 10:05:37.000000
"""
from alembic import op
import sqlalchemy as sa

revision = 'add_shared_budget_to_users'
down_revision = '515954c99c28'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_budget_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_users_shared_budget_id', 'shared_budgets', ['shared_budget_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_users_shared_budget_id', ['shared_budget_id'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_shared_budget_id')
        batch_op.drop_constraint('fk_users_shared_budget_id', type_='foreignkey')
        batch_op.drop_column('shared_budget_id')
