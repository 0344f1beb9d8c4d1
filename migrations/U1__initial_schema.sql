-- Undo of V1: removes every CrystalBudget table (and the data in them).
DROP TABLE income;
DROP TABLE expenses;
DROP TABLE categories;
DROP TABLE users;
