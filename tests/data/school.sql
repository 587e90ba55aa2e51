-- School schema: composite primary key, CHECK constraints, a nullable score.
CREATE TABLE students (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    class TEXT NOT NULL CHECK (class IN ('A', 'B', 'C'))
);
CREATE TABLE scores (
    student_id INTEGER NOT NULL REFERENCES students(id),
    subject TEXT NOT NULL,
    score INTEGER CHECK (score BETWEEN 0 AND 100),
    PRIMARY KEY (student_id, subject)
);
INSERT INTO students VALUES (1, 'Aiko', 'A'), (2, 'Ben', 'A'), (3, 'Chika', 'B'), (4, 'Daiki', 'B'),
                            (5, 'Emma', 'C'), (6, 'Fumi', 'C');
INSERT INTO scores VALUES
    (1, 'math', 88), (1, 'english', 72),
    (2, 'math', 54), (2, 'english', 91),
    (3, 'math', 67), (3, 'english', 65),
    (4, 'math', 95), (4, 'english', 58),
    (5, 'math', 42), (5, 'english', 80),
    (6, 'math', 73);
