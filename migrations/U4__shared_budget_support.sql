-- Undo of V4.
DROP TRIGGER shared_budget_owner_is_member;
DROP INDEX ix_shared_budget_members_user_id;
DROP TABLE shared_budget_members;
DROP TABLE shared_budgets;
