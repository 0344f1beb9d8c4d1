-- Undo of V2. SQLite cannot drop a column that is part of a foreign key, so income is rebuilt
-- the way SQLite documents for such changes: foreign keys off, new table, copy, swap.
PRAGMA foreign_keys=OFF;
BEGIN;

CREATE TABLE income_old_layout (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    amount     NUMERIC NOT NULL CHECK (amount >= 0),
    month      VARCHAR(7) NOT NULL, -- YYYY-MM
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO income_old_layout (id, user_id, amount, month, created_at)
    SELECT id, user_id, amount, month, created_at FROM income;
DROP TABLE income;
ALTER TABLE income_old_layout RENAME TO income;
CREATE INDEX ix_income_user_month ON income (user_id, month);

DROP INDEX ix_income_sources_user_id;
DROP TABLE income_sources;

COMMIT;
PRAGMA foreign_keys=ON;
