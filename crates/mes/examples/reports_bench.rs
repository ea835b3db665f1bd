//! How fast the report screens answer on five years of a plant: 1 000 000
//! inspections (through the roll-up trigger, as stations write them), 50 000
//! work-order operations with their reports and stops, and five years of
//! sales and purchase orders. Each screen's store calls are timed as the app
//! makes them, on a real SQLite file opened with `Store::open`.
//!
//! cargo run --release -p linesight-mes --example reports_bench [-- INSPECTIONS OPERATIONS]
//!
//! BENCH_DB=/tmp/reports.db keeps the generated store (to read query plans) instead of a temporary file.

use std::{collections::HashMap, future::Future, time::Instant};

use chrono::{
    DateTime, Datelike, Duration, Local, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc, Weekday,
};
use linesight_mes::{
    Store,
    inspections::{InspectionFilter, Verdict, day_range},
    production::oee::OeeGroup,
    purchasing::PurchaseOrderQuery,
    reports::{dashboard::month_of, quality::QualityQuery},
    sales::SalesOrderQuery,
};
use sqlx::{Connection, QueryBuilder, Sqlite, SqliteConnection};

const MINUTE: i64 = 60_000;
const YEARS: i32 = 5;
/// Calls timed per query, after one warm-up call.
const RUNS: usize = 25;

/// splitmix64: small, fast and the same everywhere, so every run builds the same plant.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1).max(1) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn index(&mut self, len: usize) -> usize {
        (self.next() % len as u64) as usize
    }

    /// An index drawn by `weights`.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let mut pick = self.next() % weights.iter().map(|&w| u64::from(w)).sum::<u64>();
        for (i, &w) in weights.iter().enumerate() {
            if pick < u64::from(w) {
                return i;
            }
            pick -= u64::from(w);
        }
        weights.len() - 1
    }
}

/// The instant of local wall-clock `minutes` after `day`'s midnight, in ms.
fn at(day: NaiveDate, minutes: i64) -> i64 {
    let t = day.and_time(NaiveTime::MIN) + Duration::minutes(minutes);
    Local
        .from_local_datetime(&t)
        .earliest()
        .map_or_else(|| t.and_utc().timestamp_millis(), |d| d.timestamp_millis())
}

fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// As the store writes instants: milliseconds and a Z.
fn ts(ms: i64) -> String {
    instant(ms).to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn local_day(ms: i64) -> NaiveDate {
    instant(ms).with_timezone(&Local).date_naive()
}

fn working(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

const DEFECTS: [(&str, &str, &str); 8] = [
    ("D-SCR", "스크래치", "외관"),
    ("D-DNT", "찍힘", "외관"),
    ("D-CON", "이물", "외관"),
    ("D-DIM", "치수 불량", "치수"),
    ("D-POR", "용접 기공", "기능"),
    ("D-BUR", "버(Burr)", "외관"),
    ("D-PNT", "도장 불량", "외관"),
    ("D-LBL", "라벨 인쇄 불량", "외관"),
];
/// What the vision stations find, as indexes of `DEFECTS`, and how often (a Pareto).
const STATION_DEFECTS: [usize; 5] = [0, 1, 2, 6, 3];
const STATION_WEIGHTS: [u32; 5] = [42, 24, 15, 11, 8];

const REASONS: [(&str, &str, &str); 8] = [
    ("S-LUN", "점심 시간", "planned"),
    ("S-PM", "계획 보전", "planned"),
    ("S-BRK", "설비 고장", "availability"),
    ("S-CHG", "금형·지그 교체", "availability"),
    ("S-MAT", "자재 대기", "availability"),
    ("S-SLW", "속도 저하", "performance"),
    ("S-MIN", "순간 정지", "performance"),
    ("S-RWK", "품질 재작업", "quality"),
];
/// Operator stops: (index of `REASONS`, chance per operation, shortest and longest minutes).
const STOPS: [(usize, f64, i64, i64); 6] = [
    (3, 0.30, 10, 30),
    (1, 0.02, 30, 60),
    (2, 0.05, 15, 75),
    (4, 0.05, 10, 40),
    (6, 0.15, 2, 6),
    (5, 0.03, 10, 25),
];

struct Step {
    process_id: i64,
    work_center: String,
    equipment_id: Option<i64>,
    station_id: Option<i64>,
    cycle_seconds: f64,
}

struct Item {
    id: i64,
    routing_id: i64,
    part_no: String,
    name: String,
    steps: Vec<Step>,
}

struct Line {
    id: i64,
    order_id: i64,
    seq: i64,
    item: Option<usize>,
    unit_price: i64,
    qty: i64,
    outsourced: bool,
}

struct SalesOrder {
    id: i64,
    no: String,
    customer: i64,
    order_date: NaiveDate,
    due: NaiveDate,
    export: bool,
    ga_cost: i64,
    final_price: Option<i64>,
    status: &'static str,
    work_done: Option<i64>,
    ship_date: Option<NaiveDate>,
    created: i64,
}

struct PurchaseOrder {
    id: i64,
    no: String,
    supplier: i64,
    sales_order: Option<i64>,
    order_date: NaiveDate,
    due: NaiveDate,
    received: Option<NaiveDate>,
    lines: Vec<PoLine>,
}

/// (sales-order line, item, name, unit price, qty)
type PoLine = (Option<i64>, Option<i64>, String, i64, i64);

struct WorkOrder {
    id: i64,
    no: String,
    item: usize,
    qty: i64,
    order_date: NaiveDate,
    due: NaiveDate,
    customer: i64,
    line_id: i64,
    released: i64,
    completed: Option<i64>,
}

struct Op {
    id: i64,
    wo: usize,
    seq: usize,
    plan_date: NaiveDate,
    operator: i64,
    start: Option<i64>,
    finish: Option<i64>,
    paused: bool,
    good: i64,
    ng: i64,
    scrap: i64,
    station_ok: i64,
    station_ng: i64,
}

struct Report {
    op_id: i64,
    at: i64,
    operator: i64,
    good: i64,
    ng: i64,
    scrap: i64,
    /// (index of `DEFECTS`, qty)
    defects: Vec<(usize, i64)>,
}

struct Stop {
    op_id: i64,
    /// Index of `REASONS`; none for a station's stop nobody classified.
    reason: Option<usize>,
    station: bool,
    start: i64,
    end: Option<i64>,
    recorded_by: Option<i64>,
    classified: Option<(i64, i64)>,
}

/// One judged part. `defect` indexes `DEFECTS`; `score` is NaN where the model gave none.
#[derive(Clone, Copy)]
struct Part {
    at: i64,
    station: i64,
    op_id: i64,
    ng: bool,
    defect: Option<usize>,
    score: f64,
    false_alarm: bool,
}

/// Everything the plant's five years hold, before it is written.
#[derive(Default)]
struct History {
    orders: Vec<SalesOrder>,
    lines: Vec<Line>,
    purchases: Vec<PurchaseOrder>,
    work_orders: Vec<WorkOrder>,
    ops: Vec<Op>,
    reports: Vec<Report>,
    stops: Vec<Stop>,
    parts: Vec<Part>,
}

/// Master data ids the history refers to.
struct Plant {
    admin: i64,
    operators: Vec<i64>,
    customers: Vec<i64>,
    suppliers: Vec<i64>,
    items: Vec<Item>,
    stations: Vec<i64>,
}

async fn insert(conn: &mut SqliteConnection, sql: &'static str, binds: &[&str]) -> anyhow::Result<i64> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    Ok(q.execute(conn).await?.last_insert_rowid())
}

/// Stations, operators, partners, equipment, items with routings, defect codes and stop reasons.
async fn master(conn: &mut SqliteConnection, rng: &mut Rng, now: &str) -> anyhow::Result<Plant> {
    let admin = insert(
        conn,
        "INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at)
         VALUES ('admin', '관리자', 'admin', '-', ?1, ?1)",
        &[now],
    )
    .await?;
    let mut operators = Vec::new();
    for (i, name) in [
        "김작업",
        "박현장",
        "이가공",
        "최용접",
        "정조립",
        "강검사",
        "조제관",
        "윤야간",
    ]
    .into_iter()
    .enumerate()
    {
        operators.push(
            insert(
                conn,
                "INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at)
                 VALUES (?1, ?2, 'operator', '-', ?3, ?3)",
                &[&format!("operator{}", i + 1), name, now],
            )
            .await?,
        );
    }
    let mut stations = Vec::new();
    for name in ["VIS-1 브래킷", "VIS-2 플랜지", "VIS-3 커버", "VIS-4 체결류"] {
        stations.push(
            insert(
                conn,
                "INSERT INTO stations (name, config_json, active, created_at, updated_at) VALUES (?1, '{}', 1, ?2, ?2)",
                &[name, now],
            )
            .await?,
        );
    }
    let (mut customers, mut suppliers) = (Vec::new(), Vec::new());
    let names = [
        "대한", "한빛", "동방", "서해", "우진", "세명", "태광", "미래", "경인", "신라",
    ];
    for i in 0..40 {
        let kind = match i {
            0..24 => "customer",
            24..34 => "supplier",
            _ => "both",
        };
        let id = insert(
            conn,
            "INSERT INTO partners (kind, name, active, created_at, updated_at) VALUES (?1, ?2, 1, ?3, ?3)",
            &[
                kind,
                &format!(
                    "{}{} {i:02}",
                    names[i % 10],
                    ["정밀", "산업", "기계", "철강"][i / 10]
                ),
                now,
            ],
        )
        .await?;
        if kind != "supplier" {
            customers.push(id);
        }
        if kind != "customer" {
            suppliers.push(id);
        }
    }
    let process = |code: &str| -> i64 { code[1..2].parse().unwrap_or(1) };
    // Processes P10…P50 are rows 1…5 of the migration.
    let mut equipment: HashMap<String, Vec<i64>> = HashMap::new();
    for (code, name, process_code) in [
        ("EQ-PR-01", "프레스 1호기", "P10"),
        ("EQ-PR-02", "프레스 2호기", "P10"),
        ("EQ-WD-01", "용접기 1호기", "P20"),
        ("EQ-WD-02", "용접기 2호기", "P20"),
        ("EQ-CNC-01", "CNC 1호기", "P30"),
        ("EQ-CNC-02", "CNC 2호기", "P30"),
        ("EQ-VIS-01", "비전 검사기 1", "P50-1"),
        ("EQ-VIS-02", "비전 검사기 2", "P50-2"),
        ("EQ-VIS-03", "비전 검사기 3", "P50-3"),
        ("EQ-VIS-04", "비전 검사기 4", "P50-4"),
    ] {
        let id = insert(
            conn,
            "INSERT INTO equipment (code, name, active, created_at, updated_at) VALUES (?1, ?2, 1, ?3, ?3)",
            &[code, name, now],
        )
        .await?;
        equipment.entry(process_code.into()).or_default().push(id);
    }
    let mut items = Vec::new();
    for (i, (part_no, name)) in [
        ("BRK-1001", "브래킷 A"),
        ("BRK-1002", "브래킷 B"),
        ("FLG-2001", "플랜지 50A"),
        ("FLG-2002", "플랜지 80A"),
        ("FRM-3001", "컨베이어 프레임"),
        ("CVR-4001", "모터 커버"),
        ("SFT-5001", "샤프트"),
        ("WSH-6001", "와셔 M12"),
        ("BLT-6002", "볼트 M12"),
        ("LBL-7001", "명판"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = insert(
            conn,
            "INSERT INTO items (part_no, name, spec, unit, active, created_at, updated_at)
             VALUES (?1, ?2, 'SS400', 'EA', 1, ?3, ?3)",
            &[part_no, name, now],
        )
        .await?;
        let routing_id = insert(
            conn,
            "INSERT INTO routings (item_id, name, active, created_at, updated_at) VALUES (?1, '기본', 1, ?2, ?2)",
            &[&id.to_string(), now],
        )
        .await?;
        sqlx::query("UPDATE items SET default_routing_id = ? WHERE id = ?")
            .bind(routing_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        // Two to four of P10…P40, then the vision inspection of the item's station.
        let mut codes: Vec<String> = ["P10", "P20", "P30", "P40"]
            .into_iter()
            .filter(|_| rng.chance(0.7))
            .map(String::from)
            .collect();
        if codes.len() < 2 {
            codes = vec!["P10".into(), "P40".into()];
        }
        let station = i % stations.len();
        codes.push(format!("P50-{}", station + 1));
        let mut steps = Vec::new();
        for (seq, code) in codes.iter().enumerate() {
            let inspection = code.starts_with("P50");
            let machines = equipment.get(code.as_str());
            let step = Step {
                process_id: process(code),
                work_center: format!("WC-{}", &code[1..3]),
                equipment_id: machines.map(|m| m[rng.index(m.len())]),
                station_id: inspection.then(|| stations[station]),
                cycle_seconds: if inspection {
                    rng.between(3.0, 6.0).round()
                } else {
                    rng.between(8.0, 40.0).round()
                },
            };
            sqlx::query(
                "INSERT INTO routing_steps (routing_id, seq, process_id, work_center, equipment_id, cycle_seconds, station_id)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(routing_id)
            .bind(seq as i64 + 1)
            .bind(step.process_id)
            .bind(&step.work_center)
            .bind(step.equipment_id)
            .bind(step.cycle_seconds)
            .bind(step.station_id)
            .execute(&mut *conn)
            .await?;
            steps.push(step);
        }
        items.push(Item {
            id,
            routing_id,
            part_no: part_no.into(),
            name: name.into(),
            steps,
        });
    }
    for (code, name, category) in DEFECTS {
        insert(
            conn,
            "INSERT INTO defect_codes (code, name, category, active, created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)",
            &[code, name, category, now],
        )
        .await?;
    }
    for (code, name, category) in REASONS {
        insert(
            conn,
            "INSERT INTO downtime_reasons (code, name, category, active, created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)",
            &[code, name, category, now],
        )
        .await?;
    }
    Ok(Plant {
        admin,
        operators,
        customers,
        suppliers,
        items,
        stations,
    })
}

/// Five years of orders up to `now`, their work orders until `operations`
/// operations are planned (spread evenly over the years), and `inspections`
/// judged parts at the inspection steps that ran.
fn plan(
    plant: &Plant,
    rng: &mut Rng,
    first: NaiveDate,
    now: i64,
    operations: usize,
    inspections: usize,
) -> History {
    let today = local_day(now);
    let days: Vec<NaiveDate> = first
        .iter_days()
        .take_while(|d| *d <= today + Duration::days(60))
        .filter(|d| working(*d))
        .collect();
    let order_days = days.iter().filter(|d| **d <= today).count();
    // Customers order unevenly: the first most often.
    let weights: Vec<u32> = (1..=plant.customers.len() as u32).rev().collect();
    let mut h = History::default();
    let (mut line_id, mut po_id) = (0, 0);
    for (k, &day) in days[..order_days].iter().enumerate() {
        let ymd = day.format("%y%m%d");
        // The operations planned up to this day, so the 50 000 spread over the five years.
        let budget = operations * (k + 1) / order_days;
        for n in 0..rng.range(10, 20) {
            let id = h.orders.len() as i64 + 1;
            let created = at(day, 8 * 60 + rng.range(0, 9 * 60));
            let quotation = rng.chance(0.08);
            let customer = plant.customers[rng.weighted(&weights)];
            let mut order = SalesOrder {
                id,
                no: format!("SO-{ymd}-{:03}", n + 1),
                customer,
                order_date: day,
                due: day + Duration::days(rng.range(14, 45)),
                export: rng.chance(0.15),
                ga_cost: if rng.chance(0.6) {
                    rng.range(5, 50) * 10_000
                } else {
                    0
                },
                final_price: None,
                status: "quotation",
                work_done: None,
                ship_date: None,
                created,
            };
            let mut estimate = 0;
            let mut done = Some(at(day + Duration::days(rng.range(3, 15)), 16 * 60));
            let mut in_work = false;
            for seq in 1..=rng.range(1, 3) {
                line_id += 1;
                let line = Line {
                    id: line_id,
                    order_id: id,
                    seq,
                    item: (!rng.chance(0.1)).then(|| rng.index(plant.items.len())),
                    unit_price: rng.range(2, 60) * 1000,
                    qty: rng.range(2, 14) * 10,
                    outsourced: rng.chance(0.12),
                };
                estimate += line.unit_price * line.qty;
                if !quotation && line.outsourced {
                    po_id += 1;
                    let order_date = day + Duration::days(1);
                    let due = order_date + Duration::days(rng.range(5, 20));
                    let received = (due - Duration::days(rng.range(0, 4))).max(order_date);
                    h.purchases.push(PurchaseOrder {
                        id: po_id,
                        no: format!("PO-{}-{:03}", order_date.format("%y%m%d"), po_id % 1000),
                        supplier: plant.suppliers[rng.index(plant.suppliers.len())],
                        sales_order: Some(id),
                        order_date,
                        due,
                        received: (received <= today).then_some(received),
                        lines: vec![(
                            Some(line.id),
                            line.item.map(|i| plant.items[i].id),
                            "외주 가공".into(),
                            line.unit_price * rng.range(55, 80) / 100,
                            line.qty,
                        )],
                    });
                }
                let wanted = !quotation && !line.outsourced && line.item.is_some();
                if let Some(item) = line.item.filter(|_| wanted)
                    && h.ops.len() + plant.items[item].steps.len() <= budget
                {
                    let finished = work_order(plant, rng, &mut h, &days, k, &order, &line, item, now);
                    in_work = true;
                    done = match (done, finished) {
                        (Some(d), Some(f)) => Some(d.max(f)),
                        _ => None,
                    };
                }
                h.lines.push(line);
            }
            if !quotation {
                order.final_price = rng
                    .chance(0.5)
                    .then(|| estimate * rng.range(90, 100) / 100 / 1000 * 1000);
                order.status = if in_work { "in_work" } else { "received" };
                if let Some(d) = done.filter(|d| *d <= now) {
                    order.work_done = Some(d);
                    let ship = local_day(d) + Duration::days(rng.range(0, 5));
                    order.status = if ship <= today { "shipped" } else { "completed" };
                    order.ship_date = (ship <= today).then_some(ship);
                }
            }
            h.orders.push(order);
        }
        // Material purchases for no sales order.
        for _ in 0..rng.range(0, 3) {
            po_id += 1;
            let due = day + Duration::days(rng.range(3, 10));
            let received = due - Duration::days(rng.range(0, 2));
            h.purchases.push(PurchaseOrder {
                id: po_id,
                no: format!("PO-{ymd}-{:03}", po_id % 1000),
                supplier: plant.suppliers[rng.index(plant.suppliers.len())],
                sales_order: None,
                order_date: day,
                due,
                received: (received <= today).then_some(received),
                lines: (0..rng.range(1, 3))
                    .map(|_| {
                        (
                            None,
                            None,
                            "원자재 코일".into(),
                            rng.range(5, 90) * 1000,
                            rng.range(1, 20) * 10,
                        )
                    })
                    .collect(),
            });
        }
    }
    judge(plant, rng, &mut h, now, inspections);
    h
}

/// A work order for `line`, its operations run one after another from the
/// working day after the order; the instant its last operation finished, if it has.
#[allow(clippy::too_many_arguments)]
fn work_order(
    plant: &Plant,
    rng: &mut Rng,
    h: &mut History,
    days: &[NaiveDate],
    k: usize,
    order: &SalesOrder,
    line: &Line,
    item: usize,
    now: i64,
) -> Option<i64> {
    let wo = h.work_orders.len();
    let steps = &plant.items[item].steps;
    let mut previous: Option<i64> = None;
    let mut open = false;
    for (seq, step) in steps.iter().enumerate() {
        let plan_date = days[(k + 1 + seq).min(days.len() - 1)];
        let operator = plant.operators[rng.index(plant.operators.len())];
        let mut op = Op {
            id: h.ops.len() as i64 + 1,
            wo,
            seq,
            plan_date,
            operator,
            start: None,
            finish: None,
            paused: false,
            good: 0,
            ng: 0,
            scrap: 0,
            station_ok: 0,
            station_ng: 0,
        };
        let mut start = at(plan_date, 6 * 60 + rng.range(0, 7 * 60));
        if let Some(p) = previous {
            start = start.max(p + rng.range(10, 60) * MINUTE);
        }
        if open || start > now {
            open = true;
            h.ops.push(op);
            continue;
        }
        let run = (line.qty as f64 * step.cycle_seconds * 1000.0 / rng.between(0.82, 0.97)) as i64;
        let mut stops: Vec<(Option<usize>, bool, i64)> = Vec::new();
        for (reason, chance, least, most) in STOPS {
            if rng.chance(chance) {
                stops.push((Some(reason), false, rng.range(least, most) * MINUTE));
            }
        }
        if step.station_id.is_some() && rng.chance(0.15) {
            stops.push((None, true, rng.range(3, 12) * MINUTE));
        }
        // Stops between equal slices of the run.
        let slice = run / (stops.len() as i64 + 1);
        let mut cursor = start;
        for (reason, station, length) in stops {
            cursor += slice;
            if cursor > now {
                break;
            }
            let end = cursor + length;
            let classified = (station && end <= now && rng.chance(0.7))
                .then(|| (plant.admin, end + rng.range(10, 600) * MINUTE))
                .filter(|c| c.1 <= now);
            h.stops.push(Stop {
                op_id: op.id,
                reason: if classified.is_some() { Some(6) } else { reason },
                station,
                start: cursor,
                end: (end <= now).then_some(end),
                recorded_by: (!station).then_some(operator),
                classified,
            });
            op.paused |= end > now && !station;
            cursor = end;
        }
        let finish = cursor + slice;
        op.start = Some(start);
        if finish > now {
            open = true;
            h.ops.push(op);
            continue;
        }
        op.finish = Some(finish);
        previous = Some(finish);
        if step.station_id.is_none() {
            // Reports of a machining step: once at the end, or halfway and at the end.
            let ng = (line.qty as f64 * rng.between(0.003, 0.03)).round() as i64;
            let scrap = (ng as f64 * rng.between(0.0, 0.5)) as i64;
            let codes = [0, 1, 3, 4, 5];
            let halves = if rng.chance(0.5) { 2 } else { 1 };
            for half in 0..halves {
                let (g, n, s) = if halves == 2 && half == 0 {
                    ((line.qty - ng) / 2, ng / 2, scrap / 2)
                } else if halves == 2 {
                    (
                        line.qty - ng - (line.qty - ng) / 2,
                        ng - ng / 2,
                        scrap - scrap / 2,
                    )
                } else {
                    (line.qty - ng, ng, scrap)
                };
                h.reports.push(Report {
                    op_id: op.id,
                    at: if half + 1 == halves {
                        finish
                    } else {
                        start + (finish - start) / 2
                    },
                    operator,
                    good: g,
                    ng: n,
                    scrap: s,
                    defects: (n > 0)
                        .then(|| (codes[rng.index(codes.len())], n))
                        .into_iter()
                        .collect(),
                });
            }
            (op.good, op.ng, op.scrap) = (line.qty - ng, ng, scrap);
        }
        h.ops.push(op);
    }
    let completed = (!open).then_some(previous).flatten();
    h.work_orders.push(WorkOrder {
        id: wo as i64 + 1,
        no: format!("WO-{}-{:03}", order.order_date.format("%y%m%d"), wo % 1000),
        item,
        qty: line.qty,
        order_date: order.order_date,
        due: order.due,
        customer: order.customer,
        line_id: line.id,
        released: order.created + 30 * MINUTE,
        completed,
    });
    completed
}

/// The inspection steps' parts: `total` in all, shared by the steps that ran
/// in proportion to their quantity (an open one up to `now`), one part per
/// cycle; 2–5 % rejected, the rate drifting by operation.
fn judge(plant: &Plant, rng: &mut Rng, h: &mut History, now: i64, total: usize) {
    let inspecting = |h: &History, op: &Op| {
        let wo = &h.work_orders[op.wo];
        plant.items[wo.item].steps[op.seq].station_id.map(|s| (s, wo.qty))
    };
    let share = |op: &Op, qty: i64| -> f64 {
        match (op.start, op.finish) {
            (Some(_), Some(_)) => qty as f64,
            (Some(s), None) => qty as f64 * ((now - s) as f64 / (qty as f64 * 5000.0)).min(1.0),
            _ => 0.0,
        }
    };
    let whole: f64 = h
        .ops
        .iter()
        .filter_map(|op| inspecting(h, op).map(|(_, qty)| share(op, qty)))
        .sum();
    let scale = total as f64 / whole;
    let mut running = 0.0;
    let mut done = 0usize;
    h.parts.reserve(total);
    for i in 0..h.ops.len() {
        let Some((station, qty)) = inspecting(h, &h.ops[i]) else {
            continue;
        };
        running += share(&h.ops[i], qty) * scale;
        let n = (running.round() as usize).min(total) - done;
        done += n;
        let op = &h.ops[i];
        let Some(start) = op.start else { continue };
        let end = op.finish.unwrap_or(now);
        let rate = rng.between(0.02, 0.05);
        let (mut ok, mut ng) = (0, 0);
        let mut defects: HashMap<usize, i64> = HashMap::new();
        for p in 0..n {
            let bad = rng.chance(rate);
            let defect = (bad && !rng.chance(0.08)).then(|| STATION_DEFECTS[rng.weighted(&STATION_WEIGHTS)]);
            if let Some(d) = defect {
                *defects.entry(d).or_default() += 1;
            }
            if bad {
                ng += 1;
            } else {
                ok += 1;
            }
            h.parts.push(Part {
                at: start + (end - start) * p as i64 / n.max(1) as i64,
                station,
                op_id: op.id,
                ng: bad,
                defect,
                score: if bad && rng.chance(0.01) {
                    f64::NAN
                } else if bad {
                    rng.between(0.55, 0.99)
                } else {
                    rng.between(0.02, 0.45)
                },
                false_alarm: bad && rng.chance(0.03),
            });
        }
        let (operator, finish) = (op.operator, op.finish);
        let op = &mut h.ops[i];
        (op.station_ok, op.station_ng) = (ok, ng);
        if let Some(finish) = finish {
            (op.good, op.ng) = (ok, ng);
            h.reports.push(Report {
                op_id: op.id,
                at: finish,
                operator,
                good: ok,
                ng,
                scrap: 0,
                defects: defects.into_iter().collect(),
            });
        }
    }
    // In time order, as stations write them.
    h.parts.sort_by_key(|p| p.at);
}

/// Writes the history with plain prepared INSERTs in one transaction per table.
async fn write(conn: &mut SqliteConnection, plant: &Plant, h: &History) -> anyhow::Result<()> {
    let mut tx = conn.begin().await?;
    for o in &h.orders {
        sqlx::query(
            "INSERT INTO sales_orders (id, no, name, customer_id, order_date, due_date, export, ga_cost, final_price,
                                       status, work_done_at, ship_date, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(o.id)
        .bind(&o.no)
        .bind(format!("{} 납품", o.no))
        .bind(o.customer)
        .bind(o.order_date)
        .bind(o.due)
        .bind(o.export)
        .bind(o.ga_cost)
        .bind(o.final_price)
        .bind(o.status)
        .bind(o.work_done.map(ts))
        .bind(o.ship_date)
        .bind(ts(o.created))
        .bind(ts(o.created))
        .execute(&mut *tx)
        .await?;
    }
    for l in &h.lines {
        let item = l.item.map(|i| &plant.items[i]);
        sqlx::query(
            "INSERT INTO sales_order_lines (id, order_id, seq, item_id, part_no, name, unit_price, qty, outsourced)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(l.id)
        .bind(l.order_id)
        .bind(l.seq)
        .bind(item.map(|i| i.id))
        .bind(item.map(|i| i.part_no.as_str()))
        .bind(item.map_or("도면 가공품", |i| i.name.as_str()))
        .bind(l.unit_price)
        .bind(l.qty)
        .bind(l.outsourced)
        .execute(&mut *tx)
        .await?;
    }
    for po in &h.purchases {
        let created = ts(at(po.order_date, 10 * 60));
        sqlx::query(
            "INSERT INTO purchase_orders (id, no, supplier_id, sales_order_id, order_date, due_date, status,
                                          received_on, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(po.id)
        .bind(&po.no)
        .bind(po.supplier)
        .bind(po.sales_order)
        .bind(po.order_date)
        .bind(po.due)
        .bind(if po.received.is_some() {
            "received"
        } else {
            "ordered"
        })
        .bind(po.received)
        .bind(&created)
        .bind(&created)
        .execute(&mut *tx)
        .await?;
        for (seq, (sales_line, item, name, price, qty)) in po.lines.iter().enumerate() {
            sqlx::query(
                "INSERT INTO purchase_order_lines (po_id, seq, sales_order_line_id, item_id, name, unit_price, qty)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(po.id)
            .bind(seq as i64 + 1)
            .bind(sales_line)
            .bind(item)
            .bind(name)
            .bind(price)
            .bind(qty)
            .execute(&mut *tx)
            .await?;
        }
    }
    for w in &h.work_orders {
        let item = &plant.items[w.item];
        sqlx::query(
            "INSERT INTO work_orders (id, no, item_id, routing_id, quantity, order_date, due_date, customer_id, status,
                                      released_at, completed_at, created_at, updated_at, sales_order_line_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(w.id)
        .bind(&w.no)
        .bind(item.id)
        .bind(item.routing_id)
        .bind(w.qty)
        .bind(w.order_date)
        .bind(w.due)
        .bind(w.customer)
        .bind(if w.completed.is_some() { "completed" } else { "in_work" })
        .bind(ts(w.released))
        .bind(w.completed.map(ts))
        .bind(ts(w.released - 20 * MINUTE))
        .bind(ts(w.completed.unwrap_or(w.released)))
        .bind(w.line_id)
        .execute(&mut *tx)
        .await?;
    }
    for op in &h.ops {
        let w = &h.work_orders[op.wo];
        let step = &plant.items[w.item].steps[op.seq];
        let status = match (op.start, op.finish) {
            (None, _) => "waiting",
            (Some(_), Some(_)) => "finished",
            _ if op.paused => "paused",
            _ => "running",
        };
        sqlx::query(
            "INSERT INTO operations (id, work_order_id, seq, process_id, work_center, equipment_id, station_id,
                                     cycle_seconds, plan_date, planned_qty, status, operator_id, started_at,
                                     finished_at, good_qty, ng_qty, scrap_qty, station_ok, station_ng)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(op.id)
        .bind(w.id)
        .bind(op.seq as i64 + 1)
        .bind(step.process_id)
        .bind(&step.work_center)
        .bind(step.equipment_id)
        .bind(step.station_id)
        .bind(step.cycle_seconds)
        .bind(op.plan_date)
        .bind(w.qty)
        .bind(status)
        .bind(op.start.map(|_| op.operator))
        .bind(op.start.map(ts))
        .bind(op.finish.map(ts))
        .bind(op.good)
        .bind(op.ng)
        .bind(op.scrap)
        .bind(op.station_ok)
        .bind(op.station_ng)
        .execute(&mut *tx)
        .await?;
    }
    for r in &h.reports {
        let id = sqlx::query(
            "INSERT INTO operation_reports (operation_id, at, operator_id, good, ng, scrap) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(r.op_id)
        .bind(ts(r.at))
        .bind(r.operator)
        .bind(r.good)
        .bind(r.ng)
        .bind(r.scrap)
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
        for (defect, qty) in &r.defects {
            sqlx::query("INSERT INTO report_defects (report_id, defect_code_id, qty) VALUES (?, ?, ?)")
                .bind(id)
                .bind(*defect as i64 + 1)
                .bind(qty)
                .execute(&mut *tx)
                .await?;
        }
    }
    for s in &h.stops {
        sqlx::query(
            "INSERT INTO downtimes (operation_id, reason_id, source, started_at, ended_at, recorded_by,
                                    classified_by, classified_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(s.op_id)
        .bind(s.reason.map(|r| r as i64 + 1))
        .bind(if s.station { "station" } else { "operator" })
        .bind(ts(s.start))
        .bind(s.end.map(ts))
        .bind(s.recorded_by)
        .bind(s.classified.map(|c| c.0))
        .bind(s.classified.map(|c| ts(c.1)))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;

    // Inspections: through the roll-up trigger, 100 rows a statement, 100 000 a transaction.
    let mut counters: HashMap<(i64, NaiveDate), (i64, i64)> = HashMap::new();
    for chunk in h.parts.chunks(100_000) {
        let mut tx = conn.begin().await?;
        for rows in chunk.chunks(100) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO inspections (station_id, at, model_version, score, threshold, verdict, defect_type,
                                          image_path, heatmap_path, work_order_op_id, relabel, relabelled_by,
                                          relabelled_at) ",
            );
            q.push_values(rows, |mut b, p| {
                let image =
                    p.ng.then(|| format!("{}/{}/{}.jpg", p.station, local_day(p.at), p.at));
                b.push_bind(p.station)
                    .push_bind(ts(p.at))
                    .push_bind("effnet-lite0-v3")
                    .push_bind((!p.score.is_nan()).then_some(p.score))
                    .push_bind(0.5)
                    .push_bind(if p.ng { "ng" } else { "ok" })
                    .push_bind(p.defect.map(|d| DEFECTS[d].0))
                    .push_bind(image.clone())
                    .push_bind(image.map(|i| i.replace(".jpg", ".heat.png")))
                    .push_bind(p.op_id)
                    .push_bind(p.false_alarm.then_some("false_alarm"))
                    .push_bind(p.false_alarm.then_some(plant.admin))
                    .push_bind(p.false_alarm.then(|| ts(p.at + 24 * 60 * MINUTE)));
            });
            q.build().execute(&mut *tx).await?;
            for p in rows {
                let c = counters.entry((p.station, local_day(p.at))).or_default();
                if p.ng {
                    c.1 += 1;
                } else {
                    c.0 += 1;
                }
            }
        }
        tx.commit().await?;
    }
    let mut tx = conn.begin().await?;
    for ((station, day), (ok, ng)) in counters {
        sqlx::query("INSERT INTO station_counters (station_id, day, total, ok, ng) VALUES (?, ?, ?, ?, ?)")
            .bind(station)
            .bind(day.to_string())
            .bind(ok + ng)
            .bind(ok)
            .bind(ng)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn percentile(mut ms: Vec<f64>, p: f64) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms[((ms.len() - 1) as f64 * p).round() as usize]
}

/// p50 and p95 in ms of `RUNS` calls after a warm-up call, and what the last call returned.
async fn time<F, Fut>(mut f: F) -> (f64, f64, usize)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = usize>,
{
    f().await;
    let mut ms = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        rows = f().await;
        ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    (percentile(ms.clone(), 0.5), percentile(ms, 0.95), rows)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let inspections: usize = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let operations: usize = args.next().map_or(Ok(50_000), |a| a.parse())?;
    // A fixed "now", so every run builds and reads the same plant.
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    let now = at(today, 14 * 60 + 30);
    let first = NaiveDate::from_ymd_opt(today.year() - YEARS, today.month(), today.day())
        .expect("date")
        .succ_opt()
        .expect("date");

    // BENCH_DB=/tmp/x.db keeps the store to look at (EXPLAIN QUERY PLAN); else a temporary one.
    let dir = tempfile::tempdir()?;
    let path = std::env::var_os("BENCH_DB").map_or_else(|| dir.path().join("linesight.db"), Into::into);
    anyhow::ensure!(!path.exists(), "{} exists", path.display());
    let store = Store::open(&path).await?;
    let start = Instant::now();
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await?;
    let mut rng = Rng(0x4C49_4E45_5349_4748);
    let plant = {
        let mut tx = conn.begin().await?;
        let plant = master(&mut tx, &mut rng, &ts(at(first, 0))).await?;
        tx.commit().await?;
        plant
    };
    let history = plan(&plant, &mut rng, first, now, operations, inspections);
    let planned = start.elapsed().as_secs_f64();
    write(&mut conn, &plant, &history).await?;
    conn.close().await?;
    let written = start.elapsed().as_secs_f64();
    let lines_total: usize = history.purchases.iter().map(|p| p.lines.len()).sum();
    println!(
        "{first} – {today}: {} sales orders ({} lines), {} purchase orders ({lines_total} lines), {} work orders, \
         {} operations, {} reports, {} stops, {} inspections ({} NG), {} stations",
        history.orders.len(),
        history.lines.len(),
        history.purchases.len(),
        history.work_orders.len(),
        history.ops.len(),
        history.reports.len(),
        history.stops.len(),
        history.parts.len(),
        history.parts.iter().filter(|p| p.ng).count(),
        plant.stations.len(),
    );
    let size = std::fs::metadata(&path)?.len()
        + std::fs::metadata(path.with_extension("db-wal")).map_or(0, |m| m.len());
    println!(
        "generated in {written:.1} s ({planned:.1} s planning, {:.1} s writing); file {:.0} MiB\n",
        written - planned,
        size as f64 / (1024.0 * 1024.0)
    );

    // What the screens are opened on: the busiest order, the busiest day of the last year.
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await?;
    let (busy_order,): (i64,) = sqlx::query_as(
        "SELECT l.order_id FROM sales_order_lines l JOIN work_orders w ON w.sales_order_line_id = l.id
         JOIN operations o ON o.work_order_id = w.id GROUP BY l.order_id ORDER BY COUNT(*) DESC, l.order_id DESC LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await?;
    let (busy_day,): (NaiveDate,) = sqlx::query_as(
        "SELECT day FROM inspection_days WHERE day >= ? GROUP BY day ORDER BY SUM(parts) DESC LIMIT 1",
    )
    .bind((today - Duration::days(365)).to_string())
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;

    let quality = |first: NaiveDate, station: Option<i64>, defect: Option<&str>| QualityQuery {
        first,
        last: today,
        station_id: station,
        item_id: None,
        process_id: None,
        defect_type: defect.map(Into::into),
    };
    let year_ago = today - Duration::days(364);
    let (month_first, month_last) = month_of(today - Duration::days(45));
    let station = plant.stations[0];
    let (year_from, until) = day_range(year_ago, today, &Local);
    let drill = |before_id: Option<i64>, station: Option<i64>, defect: Option<&str>, from| InspectionFilter {
        station_id: station,
        from: Some(from),
        until: Some(until),
        verdict: Some(Verdict::Ng),
        defect_type: defect.map(Into::into),
        before_id,
        limit: 50,
        ..InspectionFilter::default()
    };
    // The 41st page of a station's scratches over the year, as the 40 pages before it lead to it.
    let mut cursor = None;
    for _ in 0..40 {
        cursor = store
            .list_inspections(drill(cursor, Some(station), Some("D-SCR"), year_from))
            .await?
            .last()
            .map(|r| r.id);
    }
    let (all_from, _) = day_range(first, today, &Local);
    let (busy_from, busy_until) = day_range(busy_day, busy_day, &Local);
    let sales_year = SalesOrderQuery {
        from: NaiveDate::from_ymd_opt(2025, 1, 1),
        to: NaiveDate::from_ymd_opt(2025, 12, 31),
        limit: 50,
        ..SalesOrderQuery::default()
    };
    let purchases_year = PurchaseOrderQuery {
        from: NaiveDate::from_ymd_opt(2025, 1, 1),
        to: NaiveDate::from_ymd_opt(2025, 12, 31),
        limit: 50,
        ..PurchaseOrderQuery::default()
    };
    let now_t = instant(now);

    println!(
        "| Screen: store call ({} inspections, {} operations) | p50 ms | p95 ms | rows |",
        history.parts.len(),
        history.ops.len()
    );
    println!("|---|---|---|---|");
    macro_rules! row {
        ($what:expr, $call:expr) => {{
            let (p50, p95, rows) = time(|| async { $call }).await;
            println!("| {} | {p50:.1} | {p95:.1} | {rows} |", $what);
        }};
    }
    row!("dashboard: month_summary", {
        store.month_summary(today).await.expect("summary");
        1
    });
    row!(
        format!("dashboard: monthly_figures({})", today.year()),
        store.monthly_figures(today.year()).await.expect("monthly").len()
    );
    row!(
        "dashboard: line_status",
        store.line_status(today).await.expect("line").len()
    );
    row!(
        "dashboard: order_progress (busiest order)",
        store.order_progress(busy_order).await.expect("progress").len()
    );
    row!("dashboard: all four, one after another", {
        store.month_summary(today).await.expect("summary");
        store.monthly_figures(today.year()).await.expect("monthly");
        store.line_status(today).await.expect("line");
        store.order_progress(busy_order).await.expect("progress").len()
    });
    for (what, q) in [
        (
            "quality: last 30 days",
            quality(today - Duration::days(29), None, None),
        ),
        ("quality: last year", quality(year_ago, None, None)),
        ("quality: 5 years", quality(first, None, None)),
        (
            "quality: 5 years, one station",
            quality(first, Some(station), None),
        ),
        (
            "quality: 5 years, defect type D-SCR",
            quality(first, None, Some("D-SCR")),
        ),
        (
            "quality: last year, one station and D-SCR",
            quality(year_ago, Some(station), Some("D-SCR")),
        ),
    ] {
        row!(
            what,
            store.quality(&q).await.expect("quality").p_chart.points.len()
        );
    }
    for (what, f) in [
        (
            "drill-down: station × D-SCR × last year, page 1",
            drill(None, Some(station), Some("D-SCR"), year_from),
        ),
        (
            "drill-down: station × D-SCR × last year, page 41 (keyset)",
            drill(cursor, Some(station), Some("D-SCR"), year_from),
        ),
        (
            "drill-down: D-SCR × 5 years, page 1",
            drill(None, None, Some("D-SCR"), all_from),
        ),
        (
            "drill-down: station NG × 5 years, page 1",
            drill(None, Some(station), None, all_from),
        ),
        (
            "drill-down: one day's NG (p-chart point)",
            InspectionFilter {
                until: Some(busy_until),
                ..drill(None, None, None, busy_from)
            },
        ),
    ] {
        row!(what, store.list_inspections(f.clone()).await.expect("list").len());
    }
    for (what, group) in [
        ("OEE: a month by equipment", OeeGroup::Equipment),
        ("OEE: a month by work centre", OeeGroup::WorkCenter),
        ("OEE: a month by shift", OeeGroup::Shift),
        ("OEE: a month by day", OeeGroup::Day),
    ] {
        row!(
            what,
            store
                .oee(month_first, month_last, group, &Local, now_t)
                .await
                .expect("oee")
                .rows
                .len()
        );
    }
    row!(
        "plan vs actual: a month",
        store
            .plan_vs_actual(month_first, month_last)
            .await
            .expect("plan")
            .len()
    );
    row!(
        format!("monthly figures: {}", today.year() - 3),
        store
            .monthly_figures(today.year() - 3)
            .await
            .expect("monthly")
            .len()
    );
    row!(
        format!("daily report: {busy_day} (busiest day)"),
        store
            .daily_report(busy_day, &Local, now_t)
            .await
            .expect("daily")
            .rows
            .len()
    );
    row!(
        "sales orders: 2025, first page of 50",
        store.list_sales_orders(&sales_year).await.expect("sales").total as usize
    );
    let last_page = SalesOrderQuery {
        offset: (store.list_sales_orders(&sales_year).await?.total as u32).saturating_sub(50),
        ..sales_year.clone()
    };
    row!(
        "sales orders: 2025, last page (OFFSET)",
        store
            .list_sales_orders(&last_page)
            .await
            .expect("sales")
            .rows
            .len()
    );
    row!(
        "purchase orders: 2025, first page of 50",
        store
            .list_purchase_orders(&purchases_year)
            .await
            .expect("purchases")
            .total as usize
    );
    store.close().await;
    Ok(())
}
