-- Alarms a station raised that someone must acknowledge (stop the line after
-- N NG in a row). The acknowledgment is part of the record and audit-logged.

CREATE TABLE station_alarms (
    id              INTEGER PRIMARY KEY,
    station_id      INTEGER NOT NULL REFERENCES stations (id),
    raised_at       TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('stop_line')),
    message         TEXT    NOT NULL,
    acknowledged_by INTEGER REFERENCES users (id),
    acknowledged_at TEXT,
    CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL))
);

CREATE INDEX station_alarms_open ON station_alarms (station_id, raised_at) WHERE acknowledged_at IS NULL;
