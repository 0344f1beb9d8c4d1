"""add phone_number to users

Revision ID: 002
Revises: 001
Create Date: 2025-10-15 09:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '002'
down_revision = '001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('phone_number', sa.String(length=20), nullable=True))
    op.create_index('idx_users_phone_number', 'users', ['phone_number'], unique=True)


def downgrade():
    op.drop_index('idx_users_phone_number', table_name='users')
    op.drop_column('users', 'phone_number')
