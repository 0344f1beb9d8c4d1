"""initial schema

Revision ID: 001
Revises:
Create Date: 2025-10-13 12:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('telegram_id', sa.Integer(), unique=True, nullable=False),
        sa.Column('username', sa.String(), nullable=True),
        sa.Column('role', sa.String(), server_default='UNKNOWN', nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.func.now()),
    )
    op.create_table(
        'masters',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('telegram_id', sa.Integer(), unique=True, nullable=False),
        sa.Column('phone', sa.String(), nullable=False),
        sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(['telegram_id'], ['users.telegram_id']),
    )
    op.create_table(
        'orders',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('description', sa.String(), nullable=False),
        sa.Column('status', sa.String(), server_default='NEW', nullable=False),
        sa.Column('assigned_master_id', sa.Integer(), sa.ForeignKey('masters.id'), nullable=True),
        sa.Column('total_amount', sa.Float(), nullable=True),
        sa.Column('created_at', sa.DateTime(), server_default=sa.func.now()),
    )
    op.create_index('idx_users_role', 'users', ['role'])
    op.create_index('idx_orders_status', 'orders', ['status'])
    op.create_index('idx_orders_assigned_master_id', 'orders', ['assigned_master_id'])


def downgrade():
    op.drop_index('idx_orders_assigned_master_id', table_name='orders')
    op.drop_index('idx_orders_status', table_name='orders')
    op.drop_index('idx_users_role', table_name='users')
    op.drop_table('orders')
    op.drop_table('masters')
    op.drop_table('users')
