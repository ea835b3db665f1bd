-- Master data (기준정보): partners, items and their routings, processes,
-- equipment and its maintenance, common codes, defect codes, downtime
-- reasons and the lead-time planning table. Records are switched off
-- (active = 0), never deleted: history refers to them. Dates are
-- YYYY-MM-DD text; money is integer won. Each list screen reads a view
-- named <table>_list that adds what it shows of the records it refers to.

CREATE TABLE partners (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('customer', 'supplier', 'both')),
    name       TEXT    NOT NULL,
    -- 사업자등록번호: ten digits, stored without dashes, check digit verified by the app.
    biz_no     TEXT    CHECK (biz_no IS NULL OR (length(biz_no) = 10 AND biz_no NOT GLOB '*[^0-9]*')),
    ceo        TEXT,
    phone      TEXT,
    fax        TEXT,
    address    TEXT,
    remarks    TEXT,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX partners_biz_no ON partners (biz_no) WHERE biz_no IS NOT NULL;
CREATE INDEX partners_name ON partners (name COLLATE NOCASE);
CREATE VIEW partners_list AS SELECT * FROM partners;

CREATE TABLE processes (
    id         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    -- Display order in routings and the lead-time table.
    seq        INTEGER NOT NULL DEFAULT 0,
    -- An inspection step (검사): a vision station may judge it.
    inspection INTEGER NOT NULL DEFAULT 0 CHECK (inspection IN (0, 1)),
    remarks    TEXT,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE VIEW processes_list AS SELECT * FROM processes;
INSERT INTO processes (code, name, seq, inspection, created_at, updated_at) VALUES
    ('P10', '제관', 10, 0, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('P20', '용접', 20, 0, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('P30', '가공', 30, 0, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('P40', '조립', 40, 0, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('P50', '검사', 50, 1, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ'));

CREATE TABLE equipment (
    id               INTEGER PRIMARY KEY,
    code             TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name             TEXT    NOT NULL,
    maker            TEXT,
    supplier_id      INTEGER REFERENCES partners (id),
    delivered_on     TEXT,
    installed_on     TEXT,
    manager          TEXT,
    price            INTEGER CHECK (price IS NULL OR price >= 0),
    calibration      INTEGER NOT NULL DEFAULT 0 CHECK (calibration IN (0, 1)),
    calibration_due  TEXT,
    remarks          TEXT,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX equipment_name ON equipment (name COLLATE NOCASE);
-- Names of referenced records come from scalar subqueries, not joins: a
-- count or a page of ids then reads the one table alone.
CREATE VIEW equipment_list AS
    SELECT e.*, (SELECT p.name FROM partners p WHERE p.id = e.supplier_id) AS supplier_name FROM equipment e;

-- What was done to a machine and when; history, so rows are only added.
CREATE TABLE equipment_maintenance (
    id           INTEGER PRIMARY KEY,
    equipment_id INTEGER NOT NULL REFERENCES equipment (id),
    done_on      TEXT    NOT NULL,
    text         TEXT    NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT    NOT NULL
);
CREATE INDEX equipment_maintenance_equipment ON equipment_maintenance (equipment_id, done_on);

CREATE TABLE items (
    id                 INTEGER PRIMARY KEY,
    part_no            TEXT    NOT NULL UNIQUE COLLATE NOCASE,  -- 품번
    name               TEXT    NOT NULL,                        -- 품명
    spec               TEXT,                                    -- 규격
    unit               TEXT    NOT NULL,                        -- EA, SET, KG…
    default_routing_id INTEGER REFERENCES routings (id),
    remarks            TEXT,
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);
CREATE INDEX items_name ON items (name COLLATE NOCASE);

-- An item's ordered operations. An item may have several (an alternative
-- on another machine); its default routing is the one work orders follow.
CREATE TABLE routings (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES items (id),
    name       TEXT    NOT NULL,
    remarks    TEXT,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    UNIQUE (item_id, name COLLATE NOCASE)
);

CREATE TABLE routing_steps (
    routing_id    INTEGER NOT NULL REFERENCES routings (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    process_id    INTEGER NOT NULL REFERENCES processes (id),
    work_center   TEXT,
    equipment_id  INTEGER REFERENCES equipment (id),
    -- Standard cycle time per piece, in seconds (OEE's ideal cycle time).
    cycle_seconds REAL    NOT NULL CHECK (cycle_seconds > 0),
    -- The vision station that inspects this step, if any.
    station_id    INTEGER REFERENCES stations (id),
    PRIMARY KEY (routing_id, seq)
) WITHOUT ROWID;

CREATE VIEW items_list AS
    SELECT i.*, (SELECT r.name FROM routings r WHERE r.id = i.default_routing_id) AS default_routing_name
    FROM items i;

CREATE VIEW routings_list AS
    SELECT r.*, i.part_no, i.name AS item_name,
           COALESCE(i.default_routing_id = r.id, 0) AS is_default,
           (SELECT COUNT(*) FROM routing_steps s WHERE s.routing_id = r.id) AS step_count,
           (SELECT group_concat(p.name, ' → ' ORDER BY s.seq)
              FROM routing_steps s JOIN processes p ON p.id = s.process_id
             WHERE s.routing_id = r.id) AS summary
    FROM routings r JOIN items i ON i.id = r.item_id;

-- 공통코드: groups of codes with three free attributes and a display order.
CREATE TABLE code_groups (
    id         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name       TEXT    NOT NULL,
    remarks    TEXT,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE VIEW code_groups_list AS
    SELECT g.*, (SELECT COUNT(*) FROM codes c WHERE c.group_id = g.id) AS code_count FROM code_groups g;

CREATE TABLE codes (
    id         INTEGER PRIMARY KEY,
    group_id   INTEGER NOT NULL REFERENCES code_groups (id),
    code       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    attr1      TEXT,
    attr2      TEXT,
    attr3      TEXT,
    seq        INTEGER NOT NULL DEFAULT 0,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    UNIQUE (group_id, code COLLATE NOCASE)
);
CREATE VIEW codes_list AS
    SELECT c.*, g.code AS group_code, g.name AS group_name FROM codes c JOIN code_groups g ON g.id = c.group_id;

CREATE TABLE defect_codes (
    id         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name       TEXT    NOT NULL,
    category   TEXT    NOT NULL,   -- 외관, 치수, 기능…
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE VIEW defect_codes_list AS SELECT * FROM defect_codes;

-- Downtime reasons, by the OEE loss they count against.
CREATE TABLE downtime_reasons (
    id         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name       TEXT    NOT NULL,
    category   TEXT    NOT NULL CHECK (category IN ('planned', 'availability', 'performance', 'quality')),
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE VIEW downtime_reasons_list AS SELECT * FROM downtime_reasons;

-- The lead-time planning table: for an order whose lead (due − order date)
-- is at most max_days, each process starts day_offset days after the order.
CREATE TABLE lead_times (
    max_days INTEGER PRIMARY KEY CHECK (max_days >= 0)
);
CREATE TABLE lead_time_offsets (
    max_days   INTEGER NOT NULL REFERENCES lead_times (max_days) ON DELETE CASCADE,
    process_id INTEGER NOT NULL REFERENCES processes (id),
    day_offset INTEGER NOT NULL CHECK (day_offset >= 0),
    PRIMARY KEY (max_days, process_id)
) WITHOUT ROWID;
