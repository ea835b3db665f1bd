-- Sales orders and their lines keep files too (도면등록: drawings per order
-- or line). SQLite cannot change a CHECK in place: the table is rebuilt
-- with the same rows.

CREATE TABLE attachments_new (
    id         INTEGER PRIMARY KEY,
    owner      TEXT    NOT NULL CHECK (owner IN ('item', 'sales_order', 'sales_order_line')),
    owner_id   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    sha256     TEXT    NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    size       INTEGER NOT NULL CHECK (size > 0),
    media_type TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    removed_at TEXT
);
INSERT INTO attachments_new (id, owner, owner_id, name, sha256, size, media_type, user_id, created_at, removed_at)
    SELECT id, owner, owner_id, name, sha256, size, media_type, user_id, created_at, removed_at FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_new RENAME TO attachments;
CREATE INDEX attachments_owner ON attachments (owner, owner_id) WHERE removed_at IS NULL;
