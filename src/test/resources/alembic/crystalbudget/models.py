"""CrystalBudget's SQLAlchemy models as each release had them, for `metadata.create_all`.

The app created its tables with `db.create_all()` before it had migrations; `python3 models.py URL N`
does the same for the models of release N (1..5), so tests get the database such an app made.
"""
import sys

import sqlalchemy as sa


def metadata_at(release):
    metadata = sa.MetaData()
    users = [
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('email', sa.String(255), nullable=False, unique=True),
        sa.Column('name', sa.String(120), nullable=False),
        sa.Column('password_hash', sa.String(255)),
        sa.Column('telegram_id', sa.Integer, unique=True),
        sa.Column('currency', sa.String(3), nullable=False, server_default='RUB'),
        sa.Column('created_at', sa.DateTime, nullable=False, server_default=sa.func.now()),
    ]
    if release >= 5:
        users.append(sa.Column('shared_budget_id', sa.Integer,
                               sa.ForeignKey('shared_budgets.id', ondelete='SET NULL', use_alter=True), index=True))
    sa.Table('users', metadata, *users)
    sa.Table('categories', metadata,
             sa.Column('id', sa.Integer, primary_key=True),
             sa.Column('user_id', sa.Integer, sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False, index=True),
             sa.Column('name', sa.String(100), nullable=False),
             sa.Column('limit_type', sa.String(10), nullable=False, server_default='fixed'),
             sa.Column('value', sa.Numeric, nullable=False, server_default='0'),
             sa.Column('created_at', sa.DateTime, nullable=False, server_default=sa.func.now()),
             sa.UniqueConstraint('user_id', 'name'),
             sa.CheckConstraint("limit_type IN ('fixed', 'percent')"))
    sa.Table('expenses', metadata,
             sa.Column('id', sa.Integer, primary_key=True),
             sa.Column('user_id', sa.Integer, sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
             sa.Column('category_id', sa.Integer, sa.ForeignKey('categories.id', ondelete='CASCADE'), nullable=False, index=True),
             sa.Column('amount', sa.Numeric, nullable=False),
             sa.Column('description', sa.String(255)),
             sa.Column('date', sa.Date, nullable=False),
             sa.Column('created_at', sa.DateTime, nullable=False, server_default=sa.func.now()),
             sa.CheckConstraint('amount >= 0'),
             sa.Index('ix_expenses_user_date', 'user_id', 'date'))
    income = [
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('user_id', sa.Integer, sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
    ]
    if release >= 2:
        income.append(sa.Column('source_id', sa.Integer, sa.ForeignKey('income_sources.id', ondelete='SET NULL')))
    income += [
        sa.Column('amount', sa.Numeric, nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
    ]
    if release >= 3:
        income.append(sa.Column('date', sa.Date))
    income += [
        sa.Column('created_at', sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint('amount >= 0'),
        sa.Index('ix_income_user_month', 'user_id', 'month'),
    ]
    if release >= 3:
        income.append(sa.Index('ix_income_user_date', 'user_id', 'date'))
    sa.Table('income', metadata, *income)
    if release >= 2:
        sa.Table('income_sources', metadata,
                 sa.Column('id', sa.Integer, primary_key=True),
                 sa.Column('user_id', sa.Integer, sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False, index=True),
                 sa.Column('name', sa.String(100), nullable=False),
                 sa.Column('is_default', sa.Boolean, nullable=False, server_default=sa.false()),
                 sa.Column('created_at', sa.DateTime, nullable=False, server_default=sa.func.now()),
                 sa.UniqueConstraint('user_id', 'name'))
    if release >= 4:
        shared_budgets = sa.Table('shared_budgets', metadata,
                 sa.Column('id', sa.Integer, primary_key=True),
                 sa.Column('name', sa.String(100), nullable=False),
                 sa.Column('owner_id', sa.Integer, sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
                 sa.Column('invite_code', sa.String(16), nullable=False, unique=True),
                 sa.Column('created_at', sa.DateTime, nullable=False, server_default=sa.func.now()))
        sa.Table('shared_budget_members', metadata,
                 sa.Column('id', sa.Integer, primary_key=True),
                 sa.Column('shared_budget_id', sa.Integer, sa.ForeignKey('shared_budgets.id', ondelete='CASCADE'), nullable=False),
                 sa.Column('user_id', sa.Integer, sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False, index=True),
                 sa.Column('role', sa.String(10), nullable=False, server_default='member'),
                 sa.Column('joined_at', sa.DateTime, nullable=False, server_default=sa.func.now()),
                 sa.UniqueConstraint('shared_budget_id', 'user_id'),
                 sa.CheckConstraint("role IN ('owner', 'member')"))
        # the owner becomes a member automatically (the app registers this DDL with its models)
        sa.event.listen(shared_budgets, 'after_create', sa.DDL(
            "CREATE TRIGGER shared_budget_owner_is_member AFTER INSERT ON shared_budgets BEGIN "
            "INSERT INTO shared_budget_members (shared_budget_id, user_id, role) "
            "VALUES (NEW.id, NEW.owner_id, CASE WHEN NEW.owner_id IS NOT NULL THEN 'owner' ELSE 'member' END); END"))
    return metadata


if __name__ == '__main__':
    engine = sa.create_engine(sys.argv[1])
    metadata_at(int(sys.argv[2])).create_all(engine)
