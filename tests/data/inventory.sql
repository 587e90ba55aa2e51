-- Inventory schema: a self-referencing table, a 0/1 flag, REAL prices, a composite key, datetimes with seconds.
CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES categories(id)
);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category_id INTEGER REFERENCES categories(id),
    price REAL NOT NULL CHECK (price >= 0),
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    weight_kg REAL
);
CREATE TABLE stock (
    item_id INTEGER NOT NULL REFERENCES items(id),
    warehouse TEXT NOT NULL,
    qty INTEGER NOT NULL CHECK (qty >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (item_id, warehouse)
);
CREATE TABLE sales (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    sold_at TEXT NOT NULL,
    qty INTEGER NOT NULL CHECK (qty > 0),
    discount REAL
);
INSERT INTO categories VALUES (1, 'Tools', NULL), (2, 'Garden', NULL), (3, 'Hand Tools', 1), (4, 'Power Tools', 1);
INSERT INTO items VALUES
    (1, 'T-100', 'Hammer', 3, 12.5, 1, 0.8),
    (2, 'T-205', 'Drill', 4, 89.0, 1, 1.9),
    (3, 'G-010', 'Rake', 2, 15.0, 1, 1.2),
    (4, 'G-022', 'Hose', 2, 22.75, 0, 2.5),
    (5, 'T-310', 'Saw', 3, 18.0, 1, 0.9),
    (6, 'G-031', 'Shovel', 2, 30.0, 1, 2.2);
INSERT INTO stock VALUES
    (1, 'East', 40, '2024-05-01 08:00:00'), (1, 'West', 15, '2024-05-03 17:30:00'),
    (2, 'East', 5, '2024-04-28 12:00:00'), (3, 'West', 22, '2024-05-02 09:15:00'),
    (4, 'East', 8, '2024-05-04 10:45:00'), (5, 'West', 12, '2024-05-05 16:20:00'),
    (6, 'East', 30, '2024-05-06 11:00:00');
INSERT INTO sales VALUES
    (1, 1, '2024-05-10 10:15:00', 2, NULL), (2, 2, '2024-05-11 14:40:00', 1, 0.1),
    (3, 1, '2024-05-12 09:05:00', 1, NULL), (4, 3, '2024-05-15 18:30:00', 3, 0.05),
    (5, 5, '2024-05-20 11:50:00', 2, NULL), (6, 6, '2024-05-25 13:10:00', 1, 0.2);
