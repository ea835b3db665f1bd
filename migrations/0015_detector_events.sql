-- Flow and safety detectors (출입관리, 화재감지): what they saw, with a
-- snapshot, for the log screens; fire and smoke also raise a station alarm
-- that someone must acknowledge, through the same table and the same
-- acknowledgment as the stop-the-line alarm. `day` is the recording
-- machine's local day (as station_counters), so a log's date range ends
-- on the last day it names.

-- SQLite cannot widen a CHECK: the alarms table is rebuilt with its rows.
CREATE TABLE station_alarms_new (
    id              INTEGER PRIMARY KEY,
    station_id      INTEGER NOT NULL REFERENCES stations (id),
    raised_at       TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('stop_line', 'fire', 'smoke')),
    message         TEXT    NOT NULL,
    acknowledged_by INTEGER REFERENCES users (id),
    acknowledged_at TEXT,
    CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL))
);
INSERT INTO station_alarms_new SELECT id, station_id, raised_at, kind, message, acknowledged_by, acknowledged_at
FROM station_alarms;
DROP TABLE station_alarms;
ALTER TABLE station_alarms_new RENAME TO station_alarms;
CREATE INDEX station_alarms_open ON station_alarms (station_id, raised_at) WHERE acknowledged_at IS NULL;

-- One object crossing a station's counting line, with the day's running
-- totals at that station after it.
CREATE TABLE crossings (
    id            INTEGER PRIMARY KEY,
    station_id    INTEGER NOT NULL REFERENCES stations (id),
    at            TEXT    NOT NULL,
    day           TEXT    NOT NULL,
    place         TEXT    NOT NULL,
    direction     TEXT    NOT NULL CHECK (direction IN ('up', 'down')),
    total_up      INTEGER NOT NULL CHECK (total_up >= 0),
    total_down    INTEGER NOT NULL CHECK (total_down >= 0),
    snapshot_path TEXT
);
CREATE INDEX crossings_day ON crossings (day, at);
CREATE INDEX crossings_station_day ON crossings (station_id, day, at);

-- Flame or smoke in a station's view, from its start to its end.
CREATE TABLE fire_events (
    id            INTEGER PRIMARY KEY,
    station_id    INTEGER NOT NULL REFERENCES stations (id),
    alarm_id      INTEGER NOT NULL UNIQUE REFERENCES station_alarms (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('fire', 'smoke')),
    place         TEXT    NOT NULL,
    day           TEXT    NOT NULL,
    started_at    TEXT    NOT NULL,
    ended_at      TEXT    CHECK (ended_at IS NULL OR ended_at >= started_at),
    snapshot_path TEXT
);
CREATE INDEX fire_events_day ON fire_events (day, started_at);
CREATE INDEX fire_events_open ON fire_events (station_id, kind) WHERE ended_at IS NULL;
