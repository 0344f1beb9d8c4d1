-- Example set: income gets a real date; existing rows get the first day of their month.
-- alembic-revision: crystaldb_example_3
ALTER TABLE income ADD COLUMN date DATE;
UPDATE income SET date = month || '-01' WHERE date IS NULL;
CREATE INDEX ix_income_user_date ON income (user_id, date);
