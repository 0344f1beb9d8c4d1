-- Example set: named income sources (salary, freelance, ...); income rows may point at one.
-- alembic-revision: crystaldb_example_2
CREATE TABLE income_sources (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name       VARCHAR(100) NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, name)
);

CREATE INDEX ix_income_sources_user_id ON income_sources (user_id);

ALTER TABLE income ADD COLUMN source_id INTEGER REFERENCES income_sources(id) ON DELETE SET NULL;
