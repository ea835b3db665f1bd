-- Vision stations, the inspection record of every judged part, and per-day
-- counters per station. Timestamps are UTC RFC 3339 text; inspections.at is
-- always written with milliseconds and a Z (2025-03-01T08:15:02.123Z): fixed
-- width, so text order is time order and range filters compare as text.

CREATE TABLE stations (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    -- The station's settings: opaque to the store, but always a JSON object.
    config_json TEXT    NOT NULL CHECK (json_valid(config_json) AND json_type(config_json) = 'object'),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE inspections (
    id               INTEGER PRIMARY KEY,
    station_id       INTEGER NOT NULL REFERENCES stations (id),
    at               TEXT    NOT NULL,    -- capture time
    model_version    TEXT    NOT NULL,
    -- NULL when the model gave no finite score: such a part is always rejected (fail-closed).
    score            REAL,
    threshold        REAL    NOT NULL,
    verdict          TEXT    NOT NULL CHECK (verdict IN ('ok', 'ng')),
    defect_type      TEXT,
    image_path       TEXT,                -- relative to the app-data images folder
    heatmap_path     TEXT,                -- relative to the app-data images folder
    work_order_op_id INTEGER,             -- no foreign key until work orders have a table
    lot              TEXT,
    -- A person's review: a rejected part that was good, or a passed part that was bad.
    relabel          TEXT    CHECK (relabel IN ('false_alarm', 'escape')),
    relabelled_by    INTEGER REFERENCES users (id),
    relabelled_at    TEXT,
    CHECK (score IS NOT NULL OR verdict = 'ng'),
    CHECK (relabel IS NULL
           OR (relabel = 'false_alarm' AND verdict = 'ng')
           OR (relabel = 'escape' AND verdict = 'ok')),
    CHECK ((relabel IS NULL) = (relabelled_at IS NULL))
);

-- The history screen lists newest first, by (at, id), under any one filter;
-- each index ends in `at` and, implicitly, the rowid `id`.
CREATE INDEX inspections_station_at ON inspections (station_id, at);
CREATE INDEX inspections_at ON inspections (at);
CREATE INDEX inspections_verdict_at ON inspections (verdict, at);
CREATE INDEX inspections_defect_at ON inspections (defect_type, at) WHERE defect_type IS NOT NULL;
-- The NG gallery of one station, and the history filtered by station and verdict.
CREATE INDEX inspections_station_verdict_at ON inspections (station_id, verdict, at);
-- The inspections of one work-order operation.
CREATE INDEX inspections_op_at ON inspections (work_order_op_id, at) WHERE work_order_op_id IS NOT NULL;

-- What the station measured is evidence: only the review columns may change.
CREATE TRIGGER inspections_measurement_is_final
BEFORE UPDATE OF station_id, at, model_version, score, threshold, verdict ON inspections
BEGIN
    SELECT RAISE(ABORT, 'an inspection''s measurement cannot be changed');
END;

CREATE TABLE station_counters (
    station_id INTEGER NOT NULL REFERENCES stations (id),
    day        TEXT    NOT NULL,          -- YYYY-MM-DD, the recording machine's local day
    total      INTEGER NOT NULL DEFAULT 0,
    ok         INTEGER NOT NULL DEFAULT 0,
    ng         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (station_id, day),
    CHECK (ok >= 0 AND ng >= 0 AND total = ok + ng)
) WITHOUT ROWID;
