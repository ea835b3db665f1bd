-- The company's own details that its forms print (the purchase-order form's
-- orderer block): one row, and the seal (직인) as a PNG image.

CREATE TABLE company (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    name       TEXT    NOT NULL,
    biz_no     TEXT,
    ceo        TEXT,
    address    TEXT,
    phone      TEXT,
    fax        TEXT,
    seal_png   BLOB,
    updated_at TEXT    NOT NULL
);
