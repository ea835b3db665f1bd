-- Production (생산관리): work orders along an item's routing, their
-- operations as the floor runs them, quantity reports with defect codes,
-- downtime, lots and their genealogy. Instants are UTC text written with
-- milliseconds and a Z (fixed width: text order is time order); plan and
-- order dates are local calendar days (YYYY-MM-DD).

CREATE TABLE work_orders (
    id                INTEGER PRIMARY KEY,
    no                TEXT    NOT NULL UNIQUE,                 -- 작업지시번호 WO-261130-001
    item_id           INTEGER NOT NULL REFERENCES items (id),
    routing_id        INTEGER NOT NULL REFERENCES routings (id),
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    order_date        TEXT    NOT NULL,
    due_date          TEXT    NOT NULL CHECK (due_date >= order_date),
    customer_id       INTEGER REFERENCES partners (id),
    -- planned (계획) → in_work (작업중) → completed (작업완료); planned → cancelled (취소).
    status            TEXT    NOT NULL CHECK (status IN ('planned', 'in_work', 'completed', 'cancelled')),
    released_at       TEXT,
    completed_at      TEXT,
    -- Set when the office completed the order before every operation finished.
    completion_reason TEXT,
    remarks           TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX work_orders_status_due ON work_orders (status, due_date);
CREATE INDEX work_orders_order_date ON work_orders (order_date);

-- One per routing step, copied when the order is made so that a later change
-- of the routing does not rewrite work already planned or done.
CREATE TABLE operations (
    id             INTEGER PRIMARY KEY,
    work_order_id  INTEGER NOT NULL REFERENCES work_orders (id),
    seq            INTEGER NOT NULL CHECK (seq >= 1),
    process_id     INTEGER NOT NULL REFERENCES processes (id),
    work_center    TEXT,
    equipment_id   INTEGER REFERENCES equipment (id),
    station_id     INTEGER REFERENCES stations (id),
    cycle_seconds  REAL    NOT NULL CHECK (cycle_seconds > 0),
    plan_date      TEXT    NOT NULL,
    planned_qty    INTEGER NOT NULL CHECK (planned_qty > 0),
    -- waiting (대기) → running (진행) ⇄ paused (중지) → finished (완료).
    status         TEXT    NOT NULL DEFAULT 'waiting'
                           CHECK (status IN ('waiting', 'running', 'paused', 'finished')),
    operator_id    INTEGER REFERENCES users (id),   -- who started it
    started_at     TEXT,
    finished_at    TEXT,
    -- Confirmed quantities: the sum of the operation's reports.
    good_qty       INTEGER NOT NULL DEFAULT 0 CHECK (good_qty >= 0),
    ng_qty         INTEGER NOT NULL DEFAULT 0 CHECK (ng_qty >= 0),
    scrap_qty      INTEGER NOT NULL DEFAULT 0 CHECK (scrap_qty >= 0),
    -- What the inspection station counted while it ran, for the operator to confirm.
    station_ok     INTEGER NOT NULL DEFAULT 0,
    station_ng     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (work_order_id, seq),
    CHECK ((status = 'waiting') = (started_at IS NULL)),
    CHECK ((status = 'finished') = (finished_at IS NOT NULL))
);
CREATE INDEX operations_work_center ON operations (work_center, status, plan_date);
CREATE INDEX operations_plan_date ON operations (plan_date);
CREATE INDEX operations_equipment_started ON operations (equipment_id, started_at);
CREATE INDEX operations_running_station ON operations (station_id) WHERE status = 'running';

-- Good, NG and scrap quantities as operators (or a station, confirmed) report them.
CREATE TABLE operation_reports (
    id           INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations (id),
    at           TEXT    NOT NULL,
    operator_id  INTEGER NOT NULL REFERENCES users (id),
    good         INTEGER NOT NULL CHECK (good >= 0),
    ng           INTEGER NOT NULL CHECK (ng >= 0),
    -- Scrapped parts are NG parts that cannot be reworked.
    scrap        INTEGER NOT NULL CHECK (scrap >= 0 AND scrap <= ng)
);
CREATE INDEX operation_reports_operation ON operation_reports (operation_id, at);
CREATE INDEX operation_reports_at ON operation_reports (at);

CREATE TABLE report_defects (
    report_id      INTEGER NOT NULL REFERENCES operation_reports (id),
    defect_code_id INTEGER NOT NULL REFERENCES defect_codes (id),
    qty            INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (report_id, defect_code_id)
) WITHOUT ROWID;

-- Stops: a pause from the terminal (with its reason), or an unexplained stop
-- a station opened when it saw no part (reason NULL until a supervisor
-- classifies it).
CREATE TABLE downtimes (
    id            INTEGER PRIMARY KEY,
    operation_id  INTEGER NOT NULL REFERENCES operations (id),
    reason_id     INTEGER REFERENCES downtime_reasons (id),
    source        TEXT    NOT NULL CHECK (source IN ('operator', 'station')),
    started_at    TEXT    NOT NULL,
    ended_at      TEXT    CHECK (ended_at IS NULL OR ended_at >= started_at),
    note          TEXT,
    recorded_by   INTEGER REFERENCES users (id),
    classified_by INTEGER REFERENCES users (id),
    classified_at TEXT,
    CHECK (source = 'station' OR reason_id IS NOT NULL)
);
CREATE INDEX downtimes_operation ON downtimes (operation_id, started_at);
CREATE INDEX downtimes_started ON downtimes (started_at);
CREATE INDEX downtimes_unexplained ON downtimes (started_at) WHERE reason_id IS NULL;

-- Each finished operation's good output is one lot.
CREATE TABLE lots (
    id           INTEGER PRIMARY KEY,
    lot_no       TEXT    NOT NULL UNIQUE,
    operation_id INTEGER NOT NULL UNIQUE REFERENCES operations (id),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    qty          INTEGER NOT NULL CHECK (qty >= 0),
    created_at   TEXT    NOT NULL
);

-- What went into a lot: the lot of the operation before it, or a material
-- lot number the operator scanned (a supplier's lot).
CREATE TABLE lot_inputs (
    lot_id       INTEGER NOT NULL REFERENCES lots (id),
    input_lot_id INTEGER REFERENCES lots (id),
    material_lot TEXT,
    CHECK ((input_lot_id IS NULL) <> (material_lot IS NULL))
);
CREATE INDEX lot_inputs_lot ON lot_inputs (lot_id);
CREATE INDEX lot_inputs_input ON lot_inputs (input_lot_id) WHERE input_lot_id IS NOT NULL;
CREATE INDEX lot_inputs_material ON lot_inputs (material_lot) WHERE material_lot IS NOT NULL;

-- Shifts (근무조) by local clock time; a shift may run past midnight.
CREATE TABLE shifts (
    id       INTEGER PRIMARY KEY,
    code     TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name     TEXT    NOT NULL,
    starts   TEXT    NOT NULL CHECK (starts GLOB '[0-2][0-9]:[0-5][0-9]'),
    ends     TEXT    NOT NULL CHECK (ends GLOB '[0-2][0-9]:[0-5][0-9]')
);
INSERT INTO shifts (code, name, starts, ends) VALUES
    ('A', '주간', '06:00', '14:00'),
    ('B', '오후', '14:00', '22:00'),
    ('C', '야간', '22:00', '06:00');

-- The list of work orders: item, customer and progress in one row.
CREATE VIEW work_orders_list AS
    SELECT w.*, i.part_no, i.name AS item_name,
           (SELECT p.name FROM partners p WHERE p.id = w.customer_id) AS customer_name,
           (SELECT COUNT(*) FROM operations o WHERE o.work_order_id = w.id) AS operation_count,
           (SELECT COUNT(*) FROM operations o WHERE o.work_order_id = w.id AND o.status = 'finished') AS finished_count
    FROM work_orders w JOIN items i ON i.id = w.item_id;

-- An operation with the names the terminal and the results screen show.
CREATE VIEW operations_list AS
    SELECT o.*, w.no AS work_order_no, w.status AS work_order_status, w.due_date,
           i.part_no, i.name AS item_name,
           p.name AS process_name,
           (SELECT e.name FROM equipment e WHERE e.id = o.equipment_id) AS equipment_name,
           (SELECT u.display_name FROM users u WHERE u.id = o.operator_id) AS operator_name,
           (SELECT l.lot_no FROM lots l WHERE l.operation_id = o.id) AS lot_no
    FROM operations o
    JOIN work_orders w ON w.id = o.work_order_id
    JOIN items i ON i.id = w.item_id
    JOIN processes p ON p.id = o.process_id;
