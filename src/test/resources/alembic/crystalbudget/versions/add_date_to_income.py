"""Add date to income

Revision ID: add_date_to_income
Revises: d06c52a8b6a7
Create Date: 2025-09-28 09:12:45.000000
"""
from alembic import op
import sqlalchemy as sa

revision = 'add_date_to_income'
down_revision = 'd06c52a8b6a7'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('income', sa.Column('date', sa.Date(), nullable=True))
    # existing income gets the first day of its month
    op.execute("UPDATE income SET date = month || '-01' WHERE date IS NULL")
    op.create_index('ix_income_user_date', 'income', ['user_id', 'date'], unique=False)


def downgrade():
    op.drop_index('ix_income_user_date', table_name='income')
    op.drop_column('income', 'date')
