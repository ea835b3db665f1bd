-- Reports (대시보드, 품질, 경영정보) read; they never write. To answer in
-- milliseconds on millions of inspections, every judged part is also counted
-- into a daily roll-up by a trigger, so no writer can forget it: per local
-- day (the recording machine's, as station_counters and plan vs actual use),
-- station, item and process (0 when the part ran under no work order) and
-- defect type ('' for good parts and NG parts with no type).

CREATE TABLE inspection_days (
    day         TEXT    NOT NULL,
    station_id  INTEGER NOT NULL,
    item_id     INTEGER NOT NULL,
    process_id  INTEGER NOT NULL,
    defect_type TEXT    NOT NULL,
    parts       INTEGER NOT NULL CHECK (parts > 0),
    ng          INTEGER NOT NULL CHECK (ng >= 0 AND ng <= parts),
    PRIMARY KEY (day, station_id, item_id, process_id, defect_type)
) WITHOUT ROWID;

INSERT INTO inspection_days (day, station_id, item_id, process_id, defect_type, parts, ng)
    SELECT date(s.at, 'localtime'), s.station_id, COALESCE(w.item_id, 0), COALESCE(o.process_id, 0),
           CASE WHEN s.verdict = 'ng' THEN COALESCE(s.defect_type, '') ELSE '' END,
           COUNT(*), SUM(s.verdict = 'ng')
    FROM inspections s
    LEFT JOIN operations o ON o.id = s.work_order_op_id
    LEFT JOIN work_orders w ON w.id = o.work_order_id
    GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER inspections_roll_up AFTER INSERT ON inspections
BEGIN
    INSERT INTO inspection_days (day, station_id, item_id, process_id, defect_type, parts, ng)
    VALUES (
        date(NEW.at, 'localtime'),
        NEW.station_id,
        COALESCE((SELECT w.item_id FROM operations o JOIN work_orders w ON w.id = o.work_order_id
                  WHERE o.id = NEW.work_order_op_id), 0),
        COALESCE((SELECT o.process_id FROM operations o WHERE o.id = NEW.work_order_op_id), 0),
        CASE WHEN NEW.verdict = 'ng' THEN COALESCE(NEW.defect_type, '') ELSE '' END,
        1,
        NEW.verdict = 'ng'
    )
    ON CONFLICT (day, station_id, item_id, process_id, defect_type)
    DO UPDATE SET parts = parts + 1, ng = ng + excluded.ng;
END;

-- Monthly shipments (제품출고현황) and completions by month.
CREATE INDEX sales_orders_ship_date ON sales_orders (ship_date) WHERE ship_date IS NOT NULL;
CREATE INDEX sales_orders_work_done ON sales_orders (work_done_at) WHERE work_done_at IS NOT NULL;
-- The daily report and OEE: operations and stops open during a period
-- (started before its end, not ended before its start). Read from the end:
-- the NULL (still open) entries and those ended after the period's start,
-- with the start in the index so rows that began after the period are
-- passed over without reading the table. A period years back still reads
-- only this index.
CREATE INDEX operations_finished ON operations (finished_at, started_at);
CREATE INDEX downtimes_ended ON downtimes (ended_at, started_at);
-- Line status: what each station is running or has paused now.
CREATE INDEX operations_open_station ON operations (station_id, started_at) WHERE status IN ('running', 'paused');
