-- HR lesson schema for the grader's labeled set (English identifiers).
CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    city TEXT
);
CREATE TABLE employees (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    dept_id INTEGER NOT NULL REFERENCES departments(id),
    salary INTEGER NOT NULL CHECK (salary > 0),
    manager_id INTEGER REFERENCES employees(id),
    hired_on TEXT NOT NULL
);
INSERT INTO departments VALUES (1, 'Sales', 'Tokyo'), (2, 'Dev', 'Osaka'), (3, 'HR', 'Nagoya');
INSERT INTO employees VALUES
    (1, 'Alice', 1, 900, 1, '2015-04-01'),
    (2, 'Bob',   1, 550, 1, '2021-06-15'),
    (3, 'Carol', 2, 700, 1, '2019-01-10'),
    (4, 'Dan',   2, 650, 3, '2022-03-01'),
    (5, 'Eve',   3, 480, 1, '2023-07-20'),
    (6, 'Frank', 1, 720, 1, '2018-11-11'),
    (7, 'Grace', 3, 530, 5, '2021-02-28'),
    (8, 'Heidi', 1, 650, 2, '2020-09-09');
