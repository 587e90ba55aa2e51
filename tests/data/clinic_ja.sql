-- クリニックのスキーマ: カタカナの読み、'T' 区切りの日時、CHECK で決まる状態、複合主キー。
CREATE TABLE 患者 (
    患者ID INTEGER PRIMARY KEY,
    氏名 TEXT NOT NULL,
    フリガナ TEXT NOT NULL,
    生年月日 TEXT NOT NULL,
    電話 TEXT
);
CREATE TABLE 医師 (
    医師ID INTEGER PRIMARY KEY,
    氏名 TEXT NOT NULL UNIQUE,
    診療科 TEXT NOT NULL
);
CREATE TABLE 予約 (
    予約ID INTEGER PRIMARY KEY,
    患者ID INTEGER NOT NULL REFERENCES 患者(患者ID),
    医師ID INTEGER NOT NULL REFERENCES 医師(医師ID),
    日時 TEXT NOT NULL,
    状態 TEXT NOT NULL CHECK (状態 IN ('予約', '完了', '取消')),
    料金 INTEGER CHECK (料金 >= 0)
);
CREATE TABLE 処方 (
    予約ID INTEGER NOT NULL REFERENCES 予約(予約ID),
    薬 TEXT NOT NULL,
    日数 INTEGER NOT NULL CHECK (日数 > 0),
    PRIMARY KEY (予約ID, 薬)
);
INSERT INTO 患者 VALUES
    (1, '青木　陽子', 'アオキ ヨウコ', '1985-04-12', '090-1111-2222'),
    (2, '木村　健太', 'キムラ ケンタ', '1992-11-30', '080-3333-4444'),
    (3, '斎藤　美穂', 'サイトウ ミホ', '1978-01-05', '090-5555-6666'),
    (4, '田村　翼', 'タムラ ツバサ', '2001-07-21', NULL),
    (5, '小池　愛', 'コイケ アイ', '1969-09-09', '070-7777-8888');
INSERT INTO 医師 VALUES (1, '森　一郎', '内科'), (2, '林　花', '皮膚科'), (3, '岡田　誠', '内科');
INSERT INTO 予約 VALUES
    (1, 1, 1, '2024-04-03T09:30', '完了', 3000),
    (2, 2, 2, '2024-04-18T14:15', '完了', 4500),
    (3, 3, 1, '2024-05-02T09:45', '完了', 2500),
    (4, 1, 3, '2024-05-20T16:00', '取消', NULL),
    (5, 4, 2, '2024-05-28T15:30', '完了', 5200),
    (6, 5, 3, '2024-06-07T09:15', '予約', NULL),
    (7, 2, 1, '2024-06-21T17:45', '予約', NULL);
INSERT INTO 処方 VALUES
    (1, '解熱剤', 3), (2, '軟膏', 14), (3, '解熱剤', 5), (3, '胃薬', 7), (5, '軟膏', 10);
