-- Serial numbers (일련번호) for items tracked part by part: when the last
-- operation of such an item's work order finishes, each good part of its lot
-- gets a serial, numbered after the lot (WO-261130-001-03-0001).

ALTER TABLE items ADD COLUMN serialized INTEGER NOT NULL DEFAULT 0 CHECK (serialized IN (0, 1));

CREATE TABLE serials (
    serial_no TEXT    PRIMARY KEY,
    lot_id    INTEGER NOT NULL REFERENCES lots (id),
    seq       INTEGER NOT NULL CHECK (seq >= 1)
) WITHOUT ROWID;
CREATE INDEX serials_lot ON serials (lot_id, seq);
