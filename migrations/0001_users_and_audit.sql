-- Users and the append-only audit trail. Timestamps are UTC RFC 3339 text.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'manager', 'operator', 'viewer')),
    password_hash TEXT    NOT NULL,          -- argon2id PHC string, never returned
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    user_id     INTEGER REFERENCES users (id),
    username    TEXT,                        -- as typed, so failed logins of unknown names are kept
    machine     TEXT    NOT NULL,
    action      TEXT    NOT NULL CHECK (action IN ('login', 'logout', 'login_failed', 'create', 'update', 'delete')),
    entity      TEXT    NOT NULL,
    entity_id   TEXT,
    before_json TEXT,
    after_json  TEXT
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- The trail is evidence: SQLite itself refuses to change or remove it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
