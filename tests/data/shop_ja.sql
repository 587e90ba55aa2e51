-- 日本語の識別子とデータを使うショップのスキーマ（採点のラベル付きテスト用）。
CREATE TABLE 顧客 (
    顧客ID INTEGER PRIMARY KEY,
    氏名 TEXT NOT NULL,
    都道府県 TEXT NOT NULL,
    会員ランク TEXT CHECK (会員ランク IN ('一般', 'ゴールド'))
);
CREATE TABLE 商品 (
    商品ID INTEGER PRIMARY KEY,
    商品名 TEXT NOT NULL UNIQUE,
    価格 INTEGER NOT NULL CHECK (価格 >= 0),
    カテゴリ TEXT NOT NULL
);
CREATE TABLE 注文 (
    注文ID INTEGER PRIMARY KEY,
    顧客ID INTEGER NOT NULL REFERENCES 顧客(顧客ID),
    商品ID INTEGER NOT NULL REFERENCES 商品(商品ID),
    数量 INTEGER NOT NULL CHECK (数量 > 0),
    注文日 TEXT NOT NULL
);
INSERT INTO 顧客 VALUES
    (1, '田中 太郎', '東京都', 'ゴールド'),
    (2, '佐藤 花子', '大阪府', '一般'),
    (3, '鈴木 一郎', '東京都', '一般'),
    (4, '高橋 美咲', '北海道', 'ゴールド'),
    (5, '伊藤 健', '福岡県', '一般');
INSERT INTO 商品 VALUES
    (1, 'ノート', 200, '文具'),
    (2, 'ボールペン', 100, '文具'),
    (3, '小説', 800, '本'),
    (4, '図鑑', 2400, '本'),
    (5, 'マグカップ', 900, '雑貨'),
    (6, 'トートバッグ', 1000, '雑貨');
-- orders are stored in date order (so a missing ORDER BY looks right on this data)
INSERT INTO 注文 VALUES
    (1, 1, 1, 3, '2024-01-05'),
    (2, 2, 3, 1, '2024-01-20'),
    (3, 1, 4, 1, '2024-01-28'),
    (4, 3, 2, 5, '2024-02-03'),
    (5, 4, 5, 2, '2024-02-14'),
    (6, 5, 6, 1, '2024-02-29'),
    (7, 2, 1, 2, '2024-03-02'),
    (8, 1, 3, 1, '2024-03-15'),
    (9, 3, 5, 1, '2024-03-30'),
    (10, 4, 2, 4, '2024-04-10');
