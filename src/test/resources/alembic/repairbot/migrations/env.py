"""The bot's Alembic environment: the database is DATABASE_PATH (DATABASE_PATH=bot.db alembic upgrade head).

crystal-db import-alembic never runs this file; the tests run it through real `alembic upgrade`.
"""
import os

from alembic import context
from sqlalchemy import create_engine

engine = create_engine("sqlite:///" + os.environ["DATABASE_PATH"])
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
