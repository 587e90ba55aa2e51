-- 図書館のスキーマ（日本語の識別子、かなの読み、日付の文字列、NULL になりうる列）。
CREATE TABLE 著者 (
    著者ID INTEGER PRIMARY KEY,
    氏名 TEXT NOT NULL,
    よみ TEXT NOT NULL,
    生年 INTEGER
);
CREATE TABLE 本 (
    本ID INTEGER PRIMARY KEY,
    書名 TEXT NOT NULL,
    著者ID INTEGER NOT NULL REFERENCES 著者(著者ID),
    出版年 INTEGER NOT NULL,
    ページ数 INTEGER CHECK (ページ数 > 0),
    ジャンル TEXT NOT NULL
);
CREATE TABLE 会員 (
    会員ID INTEGER PRIMARY KEY,
    氏名 TEXT NOT NULL,
    区分 TEXT NOT NULL CHECK (区分 IN ('一般', '学生')),
    登録日 TEXT NOT NULL
);
CREATE TABLE 貸出 (
    貸出ID INTEGER PRIMARY KEY,
    本ID INTEGER NOT NULL REFERENCES 本(本ID),
    会員ID INTEGER NOT NULL REFERENCES 会員(会員ID),
    貸出日 TEXT NOT NULL,
    返却日 TEXT
);
INSERT INTO 著者 VALUES
    (1, '夏目 漱石', 'なつめ そうせき', 1867),
    (2, '芥川 龍之介', 'あくたがわ りゅうのすけ', 1892),
    (3, '宮沢 賢治', 'みやざわ けんじ', 1896),
    (4, '太宰 治', 'だざい おさむ', 1909),
    (5, '川端 康成', 'かわばた やすなり', 1899);
INSERT INTO 本 VALUES
    (1, 'こころ', 1, 1914, 320, '小説'),
    (2, '羅生門', 2, 1915, 120, '短編'),
    (3, '銀河鉄道の夜', 3, 1934, 210, '童話'),
    (4, '人間失格', 4, 1948, 180, '小説'),
    (5, '雪国', 5, 1937, 240, '小説'),
    (6, '坊っちゃん', 1, 1906, 230, '小説'),
    (7, '蜘蛛の糸', 2, 1918, 40, '短編');
INSERT INTO 会員 VALUES
    (1, '山田 花子', '一般', '2023-04-01'),
    (2, '中村 翔', '学生', '2023-09-15'),
    (3, '小林 さくら', '一般', '2024-01-20'),
    (4, '加藤 大輔', '学生', '2024-06-05');
INSERT INTO 貸出 VALUES
    (1, 1, 1, '2024-01-10', '2024-01-20'),
    (2, 4, 2, '2024-02-03', '2024-02-17'),
    (3, 5, 1, '2024-02-28', '2024-03-09'),
    (4, 2, 3, '2024-03-15', NULL),
    (5, 3, 2, '2024-04-01', '2024-04-10'),
    (6, 6, 4, '2024-06-20', NULL),
    (7, 1, 3, '2024-07-07', '2024-07-21');
