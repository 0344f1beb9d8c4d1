-- Example set: shared (family) budgets with members; the owner becomes a member automatically.
-- alembic-revision: crystaldb_example_4
CREATE TABLE shared_budgets (
    id          INTEGER PRIMARY KEY,
    name        VARCHAR(100) NOT NULL,
    owner_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    invite_code VARCHAR(16) NOT NULL UNIQUE,
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE shared_budget_members (
    id               INTEGER PRIMARY KEY,
    shared_budget_id INTEGER NOT NULL REFERENCES shared_budgets(id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role             VARCHAR(10) NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
    joined_at        DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (shared_budget_id, user_id)
);

CREATE INDEX ix_shared_budget_members_user_id ON shared_budget_members (user_id);

CREATE TRIGGER shared_budget_owner_is_member
AFTER INSERT ON shared_budgets
BEGIN
    INSERT INTO shared_budget_members (shared_budget_id, user_id, role)
    VALUES (NEW.id, NEW.owner_id, CASE WHEN NEW.owner_id IS NOT NULL THEN 'owner' ELSE 'member' END);
END;
