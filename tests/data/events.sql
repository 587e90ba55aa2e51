-- Events schema: datetime text, REAL prices, nullable columns, two tables with city columns (for UNION).
CREATE TABLE venues (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    city TEXT NOT NULL,
    capacity INTEGER CHECK (capacity > 0)
);
CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    city TEXT,
    joined_at TEXT NOT NULL
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    venue_id INTEGER NOT NULL REFERENCES venues(id),
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    price REAL,
    code TEXT NOT NULL
);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    seats INTEGER NOT NULL CHECK (seats > 0),
    paid REAL
);
CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT,
    city TEXT NOT NULL
);
INSERT INTO venues VALUES (1, 'Blue Hall', 'Tokyo', 300), (2, 'Green Room', 'Osaka', 80),
                          (3, 'Red Arena', 'Nagoya', 1200), (4, 'Harbor Stage', 'Kobe', 150);
INSERT INTO members VALUES
    (1, 'Ann Lee', 'ann@example.com', 'Tokyo', '2023-01-15 09:30:00'),
    (2, 'Bo Chen', NULL, 'Osaka', '2023-03-02 14:05:00'),
    (3, 'Cy Ito', 'cy@example.com', 'Kyoto', '2023-06-30 18:45:00'),
    (4, 'Di Kim', 'di@example.com', NULL, '2024-02-10 08:15:00'),
    (5, 'Ed Sato', 'ed@example.com', 'Nagoya', '2024-05-21 12:10:00'),
    (6, 'Flo Abe', NULL, 'Sendai', '2024-09-03 20:30:00');
-- events are stored in start order
INSERT INTO events VALUES
    (1, 1, 'Jazz Night', '2024-03-05 19:00:00', '2024-03-05 21:30:00', 40.0, 'JZ-01'),
    (2, 3, 'Rock Fest', '2024-04-12 17:00:00', '2024-04-12 23:00:00', 85.5, 'RK-07'),
    (3, 2, 'Poetry Slam', '2024-04-20 18:30:00', '2024-04-20 20:00:00', NULL, 'PS-02'),
    (4, 1, 'Piano Solo', '2024-06-08 14:00:00', '2024-06-08 15:30:00', 55.0, 'PN-03'),
    (5, 4, 'Folk Evening', '2024-07-19 19:30:00', '2024-07-19 22:00:00', 30.0, 'FK-11'),
    (6, 3, 'Indie Day', '2024-09-14 11:00:00', '2024-09-14 18:00:00', 60.0, 'IN-05');
INSERT INTO tickets VALUES
    (1, 1, 1, 2, 70.0), (2, 1, 2, 1, 45.0), (3, 2, 1, 4, 342.0), (4, 2, 3, 2, 160.0), (5, 3, 4, 1, NULL),
    (6, 4, 5, 2, 100.0), (7, 5, 2, 3, 95.0), (8, 6, 3, 1, 65.0), (9, 6, 6, 2, 110.0);
INSERT INTO staff VALUES (1, 'Aya', 'Mori', 'Sapporo'), (2, 'Ken', 'Ono', 'Fukuoka'), (3, 'Rie', 'Sato', 'Sendai');
