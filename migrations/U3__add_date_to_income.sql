-- Undo of V3.
DROP INDEX ix_income_user_date;
ALTER TABLE income DROP COLUMN date;
