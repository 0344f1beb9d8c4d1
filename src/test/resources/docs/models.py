"""The docs' example of a dev database made by the app's models: CrystalBudget's models of release 5
(src/test/resources/alembic/crystalbudget/models.py) with the column users.avatar_url the app gained,
created with `metadata.create_all` as the app does. Usage: python3 models.py DB_FILE
"""
import os
import sys

import sqlalchemy as sa

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'alembic', 'crystalbudget'))
from models import metadata_at  # noqa: E402

metadata = metadata_at(5)
metadata.tables['users'].append_column(sa.Column('avatar_url', sa.Text))
metadata.create_all(sa.create_engine('sqlite:///' + os.path.abspath(sys.argv[1])))
