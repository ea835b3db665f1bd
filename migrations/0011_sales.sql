-- Sales (매출관리) and purchasing (매입관리): sales orders with their lines,
-- outsourcing purchase orders linked to them, goods receipt and shipment.
-- Money is integer won; a line's amount is computed here from its price and
-- quantity, so the store, the lists and the forms show the same number.

CREATE TABLE sales_orders (
    id          INTEGER PRIMARY KEY,
    no          TEXT    NOT NULL UNIQUE,                 -- 수주번호 SO-261130-001
    name        TEXT    NOT NULL,                        -- 수주명
    customer_id INTEGER NOT NULL REFERENCES partners (id),
    order_date  TEXT    NOT NULL,
    due_date    TEXT    NOT NULL CHECK (due_date >= order_date),
    export      INTEGER NOT NULL DEFAULT 0 CHECK (export IN (0, 1)),   -- 수출 (else 국내)
    ga_cost     INTEGER NOT NULL DEFAULT 0 CHECK (ga_cost >= 0),       -- 일반관리비
    final_price INTEGER CHECK (final_price IS NULL OR final_price >= 0), -- 결정가
    -- S01 quotation (견적) → S02 received (수주) → S03 in_work (작업지시)
    -- → S04 completed (작업완료) → S05 shipped (출고).
    status      TEXT    NOT NULL CHECK (status IN ('quotation', 'received', 'in_work', 'completed', 'shipped')),
    work_done_at TEXT,
    ship_date   TEXT,
    remarks     TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    CHECK ((status = 'shipped') = (ship_date IS NOT NULL))
);
CREATE INDEX sales_orders_status_date ON sales_orders (status, order_date);
CREATE INDEX sales_orders_order_date ON sales_orders (order_date);
CREATE INDEX sales_orders_customer ON sales_orders (customer_id, order_date);

CREATE TABLE sales_order_lines (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES sales_orders (id),
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    -- None: a one-off part known only by the text below.
    item_id    INTEGER REFERENCES items (id),
    part_no    TEXT,                                     -- 품번
    name       TEXT    NOT NULL,                         -- 품명
    spec       TEXT,                                     -- 규격
    unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
    qty        INTEGER NOT NULL CHECK (qty > 0),
    amount     INTEGER GENERATED ALWAYS AS (unit_price * qty) STORED,
    -- Made by a supplier (외주) rather than in house.
    outsourced INTEGER NOT NULL DEFAULT 0 CHECK (outsourced IN (0, 1)),
    note       TEXT,
    UNIQUE (order_id, seq)
);
CREATE INDEX sales_order_lines_order ON sales_order_lines (order_id, seq);

-- A work order issued for a sales-order line.
ALTER TABLE work_orders ADD COLUMN sales_order_line_id INTEGER REFERENCES sales_order_lines (id);
CREATE INDEX work_orders_sales_line ON work_orders (sales_order_line_id) WHERE sales_order_line_id IS NOT NULL;

CREATE TABLE purchase_orders (
    id             INTEGER PRIMARY KEY,
    no             TEXT    NOT NULL UNIQUE,              -- 발주번호 PO-261130-001
    supplier_id    INTEGER NOT NULL REFERENCES partners (id),
    -- The sales order it outsources work of, if any.
    sales_order_id INTEGER REFERENCES sales_orders (id),
    order_date     TEXT    NOT NULL,
    due_date       TEXT    NOT NULL CHECK (due_date >= order_date),
    -- O01 ordered (발주) → O02 received (입고).
    status         TEXT    NOT NULL CHECK (status IN ('ordered', 'received')),
    received_on    TEXT,
    remarks        TEXT,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    CHECK ((status = 'received') = (received_on IS NOT NULL))
);
CREATE INDEX purchase_orders_status_date ON purchase_orders (status, order_date);
CREATE INDEX purchase_orders_order_date ON purchase_orders (order_date);
CREATE INDEX purchase_orders_sales_order ON purchase_orders (sales_order_id) WHERE sales_order_id IS NOT NULL;

CREATE TABLE purchase_order_lines (
    id                  INTEGER PRIMARY KEY,
    po_id               INTEGER NOT NULL REFERENCES purchase_orders (id),
    seq                 INTEGER NOT NULL CHECK (seq >= 1),
    sales_order_line_id INTEGER REFERENCES sales_order_lines (id),
    item_id             INTEGER REFERENCES items (id),
    part_no             TEXT,
    name                TEXT    NOT NULL,
    spec                TEXT,
    unit_price          INTEGER NOT NULL CHECK (unit_price >= 0),
    qty                 INTEGER NOT NULL CHECK (qty > 0),
    amount              INTEGER GENERATED ALWAYS AS (unit_price * qty) STORED,
    note                TEXT,
    UNIQUE (po_id, seq)
);
CREATE INDEX purchase_order_lines_po ON purchase_order_lines (po_id, seq);
CREATE INDEX purchase_order_lines_sales_line ON purchase_order_lines (sales_order_line_id)
    WHERE sales_order_line_id IS NOT NULL;

-- The order list: customer, estimate (Σ line amounts), outsourcing cost
-- (Σ its purchase orders' supply amounts) and when its work ran.
CREATE VIEW sales_orders_list AS
    SELECT s.*, p.name AS customer_name,
           (SELECT COALESCE(SUM(l.amount), 0) FROM sales_order_lines l WHERE l.order_id = s.id) AS estimate,
           (SELECT COALESCE(SUM(pl.amount), 0) FROM purchase_orders po
              JOIN purchase_order_lines pl ON pl.po_id = po.id WHERE po.sales_order_id = s.id) AS outsourcing_cost,
           (SELECT COUNT(*) FROM sales_order_lines l WHERE l.order_id = s.id) AS line_count,
           (SELECT MIN(o.started_at) FROM sales_order_lines l JOIN work_orders w ON w.sales_order_line_id = l.id
              JOIN operations o ON o.work_order_id = w.id WHERE l.order_id = s.id) AS work_started_at,
           (SELECT MAX(o.finished_at) FROM sales_order_lines l JOIN work_orders w ON w.sales_order_line_id = l.id
              JOIN operations o ON o.work_order_id = w.id WHERE l.order_id = s.id) AS work_finished_at
    FROM sales_orders s JOIN partners p ON p.id = s.customer_id;

-- A line with where its work stands: its work orders and purchase-order lines.
CREATE VIEW sales_order_lines_list AS
    SELECT l.*,
           (SELECT group_concat(w.no, ', ') FROM work_orders w WHERE w.sales_order_line_id = l.id) AS work_order_nos,
           (SELECT group_concat(po.no, ', ') FROM purchase_order_lines pl JOIN purchase_orders po ON po.id = pl.po_id
              WHERE pl.sales_order_line_id = l.id) AS purchase_order_nos
    FROM sales_order_lines l;

-- The purchase-order list: supplier, the sales order, supply amount, VAT
-- (10 %, rounded down to the won) and total.
CREATE VIEW purchase_orders_list AS
    SELECT t.*, t.supply / 10 AS vat, t.supply + t.supply / 10 AS total
    FROM (SELECT po.*, p.name AS supplier_name,
                 (SELECT s.no FROM sales_orders s WHERE s.id = po.sales_order_id) AS sales_order_no,
                 (SELECT COALESCE(SUM(l.amount), 0) FROM purchase_order_lines l WHERE l.po_id = po.id) AS supply
          FROM purchase_orders po JOIN partners p ON p.id = po.supplier_id) t;
