"""Отзывы клиентов

Revision ID: 005
Revises: 004
Create Date: 2025-10-25 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '005'
down_revision = '004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reviews',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('order_id', sa.Integer(), sa.ForeignKey('orders.id', ondelete='CASCADE'), nullable=False),
        sa.Column('rating', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.CheckConstraint('rating BETWEEN 1 AND 5', name='ck_reviews_rating'),
    )
    op.create_index('idx_reviews_order_id', 'reviews', ['order_id'])


def downgrade():
    pass  # reviews are kept: restore a backup to go back
