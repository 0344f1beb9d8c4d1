"""Add shared budget support

Revision ID: 515954c99c28
Revises: add_date_to_income
Create Date: 2025-10-02 20:31:09.552004
"""
from alembic import op
import sqlalchemy as sa

revision = '515954c99c28'
down_revision = 'add_date_to_income'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shared_budgets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('invite_code', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('invite_code')
    )
    op.create_table('shared_budget_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shared_budget_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=10), server_default='member', nullable=False),
        sa.Column('joined_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'member')"),
        sa.ForeignKeyConstraint(['shared_budget_id'], ['shared_budgets.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('shared_budget_id', 'user_id')
    )
    with op.batch_alter_table('shared_budget_members', schema=None) as batch_op:
        batch_op.create_index('ix_shared_budget_members_user_id', ['user_id'], unique=False)

    op.execute("""
        CREATE TRIGGER shared_budget_owner_is_member
        AFTER INSERT ON shared_budgets
        BEGIN
            INSERT INTO shared_budget_members (shared_budget_id, user_id, role)
            VALUES (NEW.id, NEW.owner_id, CASE WHEN NEW.owner_id IS NOT NULL THEN 'owner' ELSE 'member' END);
        END
    """)


def downgrade():
    op.execute("DROP TRIGGER shared_budget_owner_is_member")
    with op.batch_alter_table('shared_budget_members', schema=None) as batch_op:
        batch_op.drop_index('ix_shared_budget_members_user_id')
    op.drop_table('shared_budget_members')
    op.drop_table('shared_budgets')
