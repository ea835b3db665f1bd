-- Files kept with a record (an item's drawings; later orders and their
-- lines). The bytes live under <data>/attachments by content hash; the
-- name the user gave is only shown, never a path. Removing one hides it:
-- the row stays as history.
CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY,
    owner      TEXT    NOT NULL CHECK (owner IN ('item')),
    owner_id   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    sha256     TEXT    NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    size       INTEGER NOT NULL CHECK (size > 0),
    media_type TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    removed_at TEXT
);
CREATE INDEX attachments_owner ON attachments (owner, owner_id) WHERE removed_at IS NULL;
