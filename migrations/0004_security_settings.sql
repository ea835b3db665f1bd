-- Install-wide security settings an administrator sets (one row, id 1).
CREATE TABLE security_settings (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    -- A signed-in session with no command for this long ends (0: never).
    idle_timeout_min   INTEGER NOT NULL CHECK (idle_timeout_min BETWEEN 0 AND 1440),
    updated_at         TEXT    NOT NULL
);

INSERT INTO security_settings (id, idle_timeout_min, updated_at) VALUES (1, 30, '1970-01-01T00:00:00Z');
