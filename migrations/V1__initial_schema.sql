-- Example set: initial schema (users, categories, expenses, income).
-- (Modelled on the CrystalBudget app; its revision ids are its own, not the app's: stamp --detect never maps a real
-- CrystalBudget database onto it by revision.)
-- alembic-revision: crystaldb_example_1
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         VARCHAR(255) NOT NULL UNIQUE,
    name          VARCHAR(120) NOT NULL,
    password_hash VARCHAR(255),
    telegram_id   INTEGER UNIQUE,
    currency      VARCHAR(3) NOT NULL DEFAULT 'RUB',
    created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE categories (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name       VARCHAR(100) NOT NULL,
    limit_type VARCHAR(10) NOT NULL DEFAULT 'fixed' CHECK (limit_type IN ('fixed', 'percent')),
    value      NUMERIC NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, name)
);

CREATE TABLE expenses (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    amount      NUMERIC NOT NULL CHECK (amount >= 0),
    description VARCHAR(255),
    date        DATE NOT NULL,
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE income (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    amount     NUMERIC NOT NULL CHECK (amount >= 0),
    month      VARCHAR(7) NOT NULL, -- YYYY-MM
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX ix_categories_user_id ON categories (user_id);
CREATE INDEX ix_expenses_user_date ON expenses (user_id, date);
CREATE INDEX ix_expenses_category_id ON expenses (category_id);
CREATE INDEX ix_income_user_month ON income (user_id, month);
