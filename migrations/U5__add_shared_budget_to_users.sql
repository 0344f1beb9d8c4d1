-- Undo of V5. users.shared_budget_id is a foreign key, which SQLite cannot drop in place:
-- rebuild users with foreign keys off (other tables keep referring to "users" by name).
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;

CREATE TABLE users_old_layout (
    id            INTEGER PRIMARY KEY,
    email         VARCHAR(255) NOT NULL UNIQUE,
    name          VARCHAR(120) NOT NULL,
    password_hash VARCHAR(255),
    telegram_id   INTEGER UNIQUE,
    currency      VARCHAR(3) NOT NULL DEFAULT 'RUB',
    created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO users_old_layout (id, email, name, password_hash, telegram_id, currency, created_at)
    SELECT id, email, name, password_hash, telegram_id, currency, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_old_layout RENAME TO users;

COMMIT;
PRAGMA foreign_keys=ON;
