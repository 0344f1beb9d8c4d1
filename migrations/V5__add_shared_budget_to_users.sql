-- Example set: the shared budget a user currently works in (NULL: their own budget).
-- alembic-revision: crystaldb_example_5
ALTER TABLE users ADD COLUMN shared_budget_id INTEGER REFERENCES shared_budgets(id) ON DELETE SET NULL;
CREATE INDEX ix_users_shared_budget_id ON users (shared_budget_id);
