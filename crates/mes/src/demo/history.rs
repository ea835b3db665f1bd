//! A year of production history for the demo plant, up to today: on every
//! working day a few work orders of the demo items, their operations run by
//! the operators in the day shift (now and then into the afternoon shift)
//! with real start and finish times, quantity reports with defect codes,
//! stops (breaks, changeovers, breakdowns, a station's unexplained stops),
//! and lots with their genealogy, all as the terminal writes them. Orders of
//! the last days are still in work, so the floor has work today; a few
//! orders due next week are planned and not released yet.
//!
//! Generated from a fixed seed (the same history for the same day), in the
//! demo plant's transaction, with one audit row for the whole history.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, Local, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use sqlx::SqliteConnection;

use crate::{
    Result,
    audit::{self, Action, Entry},
    auth::User,
    inspections::stamp,
};

/// How long the history runs back from today.
const HISTORY_DAYS: i64 = 365;

/// How customers order an item.
#[derive(Clone, Copy)]
struct Demand {
    part_no: &'static str,
    /// How often, against the other items.
    weight: u64,
    least: i64,
    most: i64,
    /// Indexes of `PARTNERS`: the first orders three times in four.
    customers: [usize; 2],
    /// Material lot prefix of the first step.
    material: &'static str,
}

const fn demand(
    part_no: &'static str,
    weight: u64,
    least: i64,
    most: i64,
    customers: [usize; 2],
    material: &'static str,
) -> Demand {
    Demand {
        part_no,
        weight,
        least,
        most,
        customers,
        material,
    }
}

const DEMAND: [Demand; 10] = [
    demand("BRK-1001", 3, 50, 300, [0, 4], "COIL"),
    demand("BRK-1002", 2, 50, 300, [0, 1], "COIL"),
    demand("FLG-2001", 2, 40, 200, [1, 3], "PLATE"),
    demand("FLG-2002", 1, 20, 150, [1, 4], "PLATE"),
    demand("FRM-3001", 1, 20, 20, [4, 11], "STS"),
    demand("CVR-4001", 1, 20, 100, [2, 11], "COIL"),
    demand("SFT-5001", 1, 20, 80, [11, 4], "BAR"),
    demand("WSH-6001", 2, 100, 300, [3, 0], "COIL"),
    demand("BLT-6002", 2, 100, 300, [3, 1], "ROD"),
    demand("LBL-7001", 1, 100, 300, [2, 0], "FILM"),
];

/// Local clock, in minutes after midnight: shift A 06:00–14:00, shift B to 22:00.
const A_START: i64 = 6 * 60;
const A_END: i64 = 14 * 60;
const B_START: i64 = 14 * 60;
const B_END: i64 = 22 * 60;
/// Breaks everyone takes, by local clock: (start, end, note of the stop).
const BREAKS: [(i64, i64, Option<&str>); 2] = [
    (11 * 60 + 30, 12 * 60 + 20, None),
    (18 * 60, 18 * 60 + 40, Some("저녁 식사")),
];
const MINUTE: i64 = 60_000;

/// The defect codes an operation of `process` finds, most frequent first.
fn defect_codes(process: &str, part_no: &str) -> &'static [&'static str] {
    match process {
        _ if part_no.starts_with("LBL") => &["D-LBL", "D-SCR"],
        "P10" => &["D-BUR", "D-DIM", "D-SCR"],
        "P20" => &["D-POR", "D-DIM", "D-SCR"],
        "P30" => &["D-DIM", "D-BUR", "D-SCR"],
        "P40" => &["D-DNT", "D-SCR", "D-CON"],
        _ => &["D-SCR", "D-DNT", "D-CON", "D-PNT", "D-DIM"],
    }
}

/// One routing step of a demo item as the seeding saved it.
pub(super) struct PlantStep {
    pub process_id: i64,
    pub process: &'static str,
    pub work_center: String,
    pub equipment_id: Option<i64>,
    pub station_id: Option<i64>,
    pub cycle_seconds: f64,
}

pub(super) struct PlantItem {
    pub id: i64,
    pub part_no: &'static str,
    pub serialized: bool,
    pub routing_id: i64,
    pub steps: Vec<PlantStep>,
}

/// The demo plant's records the history refers to.
pub(super) struct Plant {
    pub items: Vec<PlantItem>,
    /// Partner ids in the order of `PARTNERS`.
    pub partners: Vec<i64>,
    pub defects: HashMap<&'static str, i64>,
    pub reasons: HashMap<&'static str, i64>,
    pub operators: [i64; 2],
    pub manager: i64,
    /// The two welders: a welding step runs on whichever is free first.
    pub welders: [i64; 2],
}

/// Row counts of the history, for its audit row.
#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Counts {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub work_orders: usize,
    pub operations: usize,
    pub reports: usize,
    pub report_defects: usize,
    pub downtimes: usize,
    pub lots: usize,
    pub serials: usize,
    pub lot_inputs: usize,
    pub inspections: u64,
    pub sales_orders: u64,
    pub purchase_orders: u64,
}

/// xorshift64*: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
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
}

/// The instant of a local wall-clock time, `minutes` after the day's midnight.
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

fn local_day(ms: i64) -> NaiveDate {
    instant(ms).with_timezone(&Local).date_naive()
}

fn ts(ms: i64) -> String {
    stamp(instant(ms))
}

fn working(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The `n`th working day after `day` (before it for negative `n`).
fn add_working(mut day: NaiveDate, n: i64) -> NaiveDate {
    let step = Duration::days(n.signum());
    for _ in 0..n.abs() {
        day += step;
        while !working(day) {
            day += step;
        }
    }
    day
}

#[derive(Clone, Copy, PartialEq)]
enum StopKind {
    /// A break of `BREAKS`.
    Break(usize),
    /// An operator's pause with the reason of this code.
    Reason(&'static str),
    /// A station saw no part for a while.
    Station,
    /// Not a stop: where the operator reports the parts made so far.
    Report,
}

/// Something that interrupts the work once `progress` ms of it are done.
struct Event {
    progress: i64,
    minutes: i64,
    kind: StopKind,
}

/// An operation run from a start: its finish, its stops, and when it reported in between.
struct Run {
    finish: i64,
    stops: Vec<(i64, i64, StopKind)>,
    report_at: Option<i64>,
}

/// The clock of one operation on one day: work advances it, breaks pause it.
struct Clock {
    t: i64,
    breaks: Vec<(i64, i64, usize)>,
    stops: Vec<(i64, i64, StopKind)>,
}

impl Clock {
    /// In a break, the operator paused for it.
    fn settle(&mut self) {
        while let Some(&(_, end, i)) = self.breaks.iter().find(|b| self.t >= b.0 && self.t < b.1) {
            self.stops.push((self.t, end, StopKind::Break(i)));
            self.t = end;
        }
    }

    fn next_break(&self) -> i64 {
        self.breaks
            .iter()
            .filter(|b| b.0 > self.t)
            .map(|b| b.0)
            .min()
            .unwrap_or(i64::MAX)
    }

    fn work(&mut self, mut amount: i64) {
        while amount > 0 {
            self.settle();
            let step = amount.min(self.next_break() - self.t);
            self.t += step;
            amount -= step;
        }
    }
}

fn simulate(start: i64, day: NaiveDate, work: i64, events: &[Event]) -> Run {
    let mut clock = Clock {
        t: start,
        breaks: BREAKS
            .iter()
            .enumerate()
            .map(|(i, b)| (at(day, b.0), at(day, b.1), i))
            .collect(),
        stops: Vec::new(),
    };
    let (mut done, mut report_at) = (0, None);
    for e in events {
        clock.work(e.progress - done);
        done = done.max(e.progress);
        clock.settle();
        if e.kind == StopKind::Report {
            report_at = Some(clock.t);
            continue;
        }
        // A stop that runs into a break ends where the break begins.
        let end = (clock.t + e.minutes * MINUTE).min(clock.next_break());
        if end - clock.t >= MINUTE {
            clock.stops.push((clock.t, end, e.kind));
            clock.t = end;
        }
    }
    clock.work(work - done);
    Run {
        finish: clock.t,
        stops: clock.stops,
        report_at,
    }
}

struct Report {
    at: i64,
    good: i64,
    ng: i64,
    scrap: i64,
    defects: Vec<(i64, i64)>,
}

struct Stop {
    reason: Option<i64>,
    station: bool,
    start: i64,
    end: Option<i64>,
    note: Option<&'static str>,
    recorded_by: Option<i64>,
    classified: Option<(i64, i64)>,
}

struct Op {
    order: usize,
    seq: usize,
    equipment_id: Option<i64>,
    plan_date: NaiveDate,
    operator: i64,
    start: Option<i64>,
    finish: Option<i64>,
    reports: Vec<Report>,
    stops: Vec<Stop>,
    materials: Vec<String>,
}

impl Op {
    fn good(&self) -> i64 {
        self.reports.iter().map(|r| r.good).sum()
    }
}

struct Order {
    no: String,
    item: usize,
    qty: i64,
    order_date: NaiveDate,
    due_date: NaiveDate,
    customer_id: i64,
    created: i64,
    released: Option<i64>,
    /// Index of its first operation in the list of all; the rest follow it.
    first_op: usize,
    steps: usize,
    /// Production starts on this day.
    start_day: NaiveDate,
}

/// A planned work order's plan dates: each step on the working day after the
/// step before, or the same day when that one is short.
fn plan_dates(rng: &mut Rng, item: &PlantItem, qty: i64, first: NaiveDate) -> Vec<NaiveDate> {
    let mut day = first;
    let mut dates = vec![first];
    for before in &item.steps[..item.steps.len().saturating_sub(1)] {
        let short = before.cycle_seconds * qty as f64 <= 2.0 * 3600.0;
        if !(short && rng.chance(0.5)) {
            day = add_working(day, 1);
        }
        dates.push(day);
    }
    dates
}

/// Writes the history ending at `now` into the demo plant's transaction.
pub(super) async fn write(
    tx: &mut SqliteConnection,
    plant: &Plant,
    admin: &User,
    machine: &str,
    now: DateTime<Utc>,
) -> Result<Counts> {
    let mut rng = Rng(0x4C49_4E45_5349_4748); // "LINESIGH"
    let now_ms = now.timestamp_millis();
    let today = now.with_timezone(&Local).date_naive();
    let first_day = today - Duration::days(HISTORY_DAYS);
    let ordering: Vec<_> = plant
        .items
        .iter()
        .map(|item| DEMAND.iter().find(|d| d.part_no == item.part_no).copied())
        .collect();
    let total_weight: u64 = ordering.iter().flatten().map(|d| d.weight).sum();
    let mut numbers: HashMap<NaiveDate, u32> = HashMap::new();
    let mut number = |date: NaiveDate| {
        let n = numbers.entry(date).or_default();
        *n += 1;
        format!("WO-{}-{:03}", date.format("%y%m%d"), n)
    };

    // The orders, by the day the office entered them.
    let mut orders: Vec<Order> = Vec::new();
    let mut ops: Vec<Op> = Vec::new();
    let mut day = first_day;
    while day <= today && total_weight > 0 {
        if !working(day) {
            day += Duration::days(1);
            continue;
        }
        let mut created = at(day, 8 * 60 + 20);
        for _ in 0..rng.range(2, 4) {
            created += rng.range(5, 40) * MINUTE;
            if created > now_ms - 30 * MINUTE {
                break;
            }
            let mut pick = rng.next() % total_weight;
            let item = ordering
                .iter()
                .position(|o| {
                    o.is_some_and(|d| {
                        let hit = pick < d.weight;
                        pick = pick.saturating_sub(d.weight);
                        hit
                    })
                })
                .unwrap_or(0);
            let Some(demand) = ordering[item] else {
                continue;
            };
            let qty = ((rng.range(demand.least, demand.most) + 5) / 10 * 10).clamp(demand.least, demand.most);
            let customer = demand.customers[usize::from(rng.chance(0.25))];
            let start_day = add_working(day, rng.range(1, 3));
            let dates = plan_dates(&mut rng, &plant.items[item], qty, start_day);
            let last_plan = *dates.last().unwrap_or(&start_day);
            let due_date = last_plan + Duration::days(rng.range(1, 5));
            let first_op = ops.len();
            for (seq, plan_date) in dates.into_iter().enumerate() {
                let step = &plant.items[item].steps[seq];
                let mut materials = Vec::new();
                let month = day.format("%y%m");
                if seq == 0 && rng.chance(0.65) {
                    materials.push(format!("{}-{month}-{:02}", demand.material, rng.range(1, 12)));
                }
                if step.process == "P20" && rng.chance(0.35) {
                    materials.push(format!("WIRE-{month}-{:02}", rng.range(1, 6)));
                }
                ops.push(Op {
                    order: orders.len(),
                    seq,
                    equipment_id: step.equipment_id,
                    plan_date,
                    operator: plant.operators[usize::from(rng.chance(0.5))],
                    start: None,
                    finish: None,
                    reports: Vec::new(),
                    stops: Vec::new(),
                    materials,
                });
            }
            orders.push(Order {
                no: number(day),
                item,
                qty,
                order_date: day,
                due_date,
                customer_id: plant.partners.get(customer).copied().unwrap_or_default(),
                created,
                released: Some(created + rng.range(5, 25) * MINUTE),
                first_op,
                steps: ops.len() - first_op,
                start_day,
            });
        }
        day += Duration::days(1);
    }

    // The floor runs the operations day by day, each machine (or work
    // centre without one) one operation at a time.
    let mut queue: Vec<usize> = (0..ops.len()).collect();
    queue.sort_by_key(|&i| {
        (
            ops[i].plan_date,
            orders[ops[i].order].start_day,
            ops[i].order,
            ops[i].seq,
        )
    });
    let mut free: HashMap<i64, i64> = HashMap::new();
    let mut last_item: HashMap<i64, usize> = HashMap::new();
    let mut afternoon: HashMap<(i64, NaiveDate), bool> = HashMap::new();
    for i in queue {
        let order = &orders[ops[i].order];
        let item = &plant.items[order.item];
        let step = &item.steps[ops[i].seq];
        if step.process == "P20" && ops[i].equipment_id.is_some() {
            ops[i].equipment_id = plant
                .welders
                .iter()
                .copied()
                .min_by_key(|w| free.get(w).copied().unwrap_or(0));
        }
        let resource = ops[i].equipment_id.unwrap_or(-step.process_id);
        let before = (ops[i].seq > 0).then(|| ops[i - 1].finish.unwrap_or(0));

        // The parts that come in, and the reports that count them.
        let input = before.map_or(order.qty, |_| ops[i - 1].good());
        let codes = defect_codes(step.process, item.part_no);
        let ng_rate = rng.between(0.01, 0.04);
        let parts: Vec<i64> = if input >= 20 && rng.chance(0.5) {
            let first = (input as f64 * rng.between(0.35, 0.65)) as i64;
            vec![first, input - first]
        } else {
            vec![input]
        };
        let mut reports = Vec::new();
        for made in parts {
            let ng = ((made as f64 * ng_rate + rng.between(-0.5, 0.5)).round() as i64).clamp(0, made);
            let scrap = (ng as f64 * rng.between(0.0, 0.5)) as i64;
            let mut defects = Vec::new();
            if ng > 0 {
                let first = codes[(rng.next() % codes.len() as u64) as usize];
                let second = codes[(rng.next() % codes.len() as u64) as usize];
                let split = if ng >= 2 && first != second && rng.chance(0.4) {
                    rng.range(1, ng - 1)
                } else {
                    ng
                };
                for (code, qty) in [(first, split), (second, ng - split)] {
                    if let (Some(&id), true) = (plant.defects.get(code), qty > 0) {
                        defects.push((id, qty));
                    }
                }
            }
            reports.push(Report {
                at: 0,
                good: made - ng,
                ng,
                scrap,
                defects,
            });
        }

        // How long the work takes, and what interrupts it.
        let work = (step.cycle_seconds * 1000.0 * input as f64 / rng.between(0.84, 0.97)) as i64;
        let mut events = Vec::new();
        // A stop in the middle of the work takes at most 40 % of it: a short job has short stops.
        let longest = (work / MINUTE * 2 / 5).max(2);
        let mut stop = |rng: &mut Rng, p: f64, lo: i64, hi: i64, kind: StopKind, anywhere: bool| {
            if rng.chance(p) {
                let progress = if anywhere {
                    (work as f64 * rng.between(0.05, 0.95)) as i64
                } else {
                    0
                };
                let minutes = rng.range(lo, hi);
                events.push(Event {
                    progress,
                    minutes: if anywhere { minutes.min(longest) } else { minutes },
                    kind,
                });
            }
        };
        // Changeovers, maintenance and breakdowns happen to machines.
        let machine = if ops[i].equipment_id.is_some() { 1.0 } else { 0.0 };
        let changeover = last_item.get(&resource) != Some(&order.item);
        let changeover = if changeover { 0.6 * machine } else { 0.0 };
        stop(&mut rng, changeover, 10, 30, StopKind::Reason("S-CHG"), false);
        stop(&mut rng, 0.02 * machine, 30, 60, StopKind::Reason("S-PM"), false);
        stop(&mut rng, 0.06 * machine, 15, 75, StopKind::Reason("S-BRK"), true);
        stop(&mut rng, 0.05, 10, 40, StopKind::Reason("S-MAT"), true);
        stop(&mut rng, 0.12, 2, 6, StopKind::Reason("S-MIN"), true);
        stop(&mut rng, 0.03, 10, 25, StopKind::Reason("S-SLW"), true);
        stop(&mut rng, 0.03, 10, 30, StopKind::Reason("S-RWK"), true);
        let watched = if step.station_id.is_some() { 0.1 } else { 0.0 };
        stop(&mut rng, watched, 3, 12, StopKind::Station, true);
        if reports.len() == 2 {
            events.push(Event {
                progress: (work as f64 * rng.between(0.35, 0.65)) as i64,
                minutes: 0,
                kind: StopKind::Report,
            });
        }
        events.sort_by_key(|e| e.progress);

        // The earliest it can start: its plan day (the afternoon shift now
        // and then), after the step before and after the machine's last job.
        let plan = ops[i].plan_date;
        let mut start = if rng.chance(0.12) {
            afternoon.insert((resource, plan), true);
            at(plan, B_START) + rng.range(0, 30) * MINUTE
        } else {
            at(plan, A_START) + rng.range(0, 20) * MINUTE
        };
        if let Some(before) = before {
            start = start.max(before + rng.range(10, 40) * MINUTE);
        }
        if let Some(&busy) = free.get(&resource) {
            start = start.max(busy + rng.range(5, 20) * MINUTE);
        }
        let mut run = None;
        for attempt in 0..20 {
            let mut day = local_day(start);
            if !working(day) {
                day = add_working(day, 1);
                start = at(day, A_START) + rng.range(0, 15) * MINUTE;
            } else if start < at(day, A_START) {
                start = at(day, A_START) + rng.range(0, 15) * MINUTE;
            }
            if let Some(b) = BREAKS
                .iter()
                .find(|b| start >= at(day, b.0) && start < at(day, b.1))
            {
                start = at(day, b.1);
            }
            let late = *afternoon
                .entry((resource, day))
                .or_insert_with(|| rng.chance(0.2));
            let end = at(day, if late { B_END } else { A_END });
            if start < end || attempt == 19 {
                let r = simulate(start, day, work, &events);
                if r.finish <= end || attempt == 19 {
                    run = Some(r);
                    break;
                }
                if !late && start < at(day, A_START + 60) {
                    // Too long for one shift: it runs into the afternoon.
                    afternoon.insert((resource, day), true);
                    continue;
                }
            }
            day = add_working(day, 1);
            start = at(day, A_START) + rng.range(0, 15) * MINUTE;
        }
        let Some(run) = run else { continue };
        free.insert(resource, run.finish);
        last_item.insert(resource, order.item);
        let operator = ops[i].operator;
        let n = reports.len();
        for (k, report) in reports.iter_mut().enumerate() {
            report.at = if k + 1 < n {
                run.report_at.unwrap_or(run.finish)
            } else {
                run.finish
            };
        }
        let stops = run
            .stops
            .iter()
            .filter_map(|&(s, e, kind)| {
                let (reason, note, station) = match kind {
                    StopKind::Break(b) => (plant.reasons.get("S-LUN").copied(), BREAKS[b].2, false),
                    StopKind::Reason(code) => (plant.reasons.get(code).copied(), None, false),
                    StopKind::Station => (None, None, true),
                    StopKind::Report => return None,
                };
                Some(Stop {
                    reason,
                    station,
                    start: s,
                    end: Some(e),
                    note,
                    recorded_by: (!station).then_some(operator),
                    classified: None,
                })
            })
            .collect();
        let op = &mut ops[i];
        op.start = Some(start);
        op.finish = Some(run.finish);
        op.reports = reports;
        op.stops = stops;
    }

    // Today: what started is running or paused, what did not start waits.
    for op in &mut ops {
        let (Some(start), Some(finish)) = (op.start, op.finish) else {
            continue;
        };
        if start >= now_ms {
            (op.start, op.finish) = (None, None);
            op.reports.clear();
            op.stops.clear();
            continue;
        }
        if finish > now_ms {
            op.finish = None;
            op.reports.retain(|r| r.at <= now_ms);
            op.stops.retain(|s| s.start < now_ms);
            for s in &mut op.stops {
                if s.end.is_some_and(|e| e > now_ms) {
                    s.end = None;
                }
            }
        }
    }
    // However late or early in the day it is, something runs and something
    // is paused: when the simulated floor has neither, the next waiting
    // operations (at other work centres, on machines that are free) were
    // started a little while ago. Nothing is left open overnight.
    let open = |ops: &[Op], paused: bool| {
        ops.iter().any(|o| {
            o.start.is_some()
                && o.finish.is_none()
                && o.stops.iter().any(|s| s.end.is_none() && !s.station) == paused
        })
    };
    // Roles still to hand out: true for paused, false for running.
    let mut roles: Vec<bool> = [(!open(&ops, false), false), (!open(&ops, true), true)]
        .into_iter()
        .filter_map(|(needed, paused)| needed.then_some(paused))
        .collect();
    if !roles.is_empty() {
        let resource_of = |o: &Op| {
            let step = &plant.items[orders[o.order].item].steps[o.seq];
            o.equipment_id.unwrap_or(-step.process_id)
        };
        // Until when each machine is taken (for ever while an operation is open on it).
        let mut busy: HashMap<i64, i64> = HashMap::new();
        for o in ops.iter().filter(|o| o.start.is_some()) {
            let until = busy.entry(resource_of(o)).or_default();
            *until = (*until).max(o.finish.unwrap_or(i64::MAX));
        }
        let mut candidates: Vec<usize> = (0..ops.len())
            .filter(|&i| ops[i].start.is_none() && (ops[i].seq == 0 || ops[i - 1].finish.is_some()))
            .collect();
        candidates.sort_by_key(|&i| (ops[i].plan_date, ops[i].order, ops[i].seq));
        let mut centres = Vec::new();
        for i in candidates {
            let Some(paused) = roles.pop() else { break };
            let order = &orders[ops[i].order];
            let centre = &plant.items[order.item].steps[ops[i].seq].work_center;
            let resource = resource_of(&ops[i]);
            let start = [
                now_ms - rng.range(20, 50) * MINUTE,
                order.released.unwrap_or(now_ms) + MINUTE,
                busy.get(&resource).map_or(0, |b| b.saturating_add(5 * MINUTE)),
                if ops[i].seq > 0 {
                    ops[i - 1].finish.unwrap_or(now_ms) + 5 * MINUTE
                } else {
                    0
                },
            ]
            .into_iter()
            .max()
            .unwrap_or(now_ms);
            if centres.contains(centre) || start > now_ms - 4 * MINUTE {
                roles.push(paused);
                continue;
            }
            centres.push(centre.clone());
            busy.insert(resource, i64::MAX);
            let op = &mut ops[i];
            op.start = Some(start);
            if paused {
                op.stops.push(Stop {
                    reason: plant.reasons.get("S-MAT").copied(),
                    station: false,
                    start: start + (now_ms - start) / 2,
                    end: None,
                    note: Some("소재 입고 대기"),
                    recorded_by: Some(op.operator),
                    classified: None,
                });
            }
        }
    }
    // Unexplained stops: a supervisor classified most of the older ones.
    for op in &mut ops {
        for s in op.stops.iter_mut().filter(|s| s.station) {
            let Some(end) = s.end else { continue };
            let old = now_ms - end > 14 * 24 * 60 * MINUTE;
            if rng.chance(if old { 0.85 } else { 0.3 }) {
                let when = end + rng.range(10, 2 * 24 * 60) * MINUTE;
                if when <= now_ms {
                    let code = ["S-MIN", "S-MAT", "S-BRK"][(rng.next() % 3) as usize];
                    s.reason = plant.reasons.get(code).copied();
                    s.classified = Some((plant.manager, when));
                    s.note = Some("비전 스테이션 정지: 현장 확인");
                }
            }
        }
    }

    // A few orders for next week, planned and not released.
    let next_monday = today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()));
    for _ in 0..rng.range(2, 3) {
        let created = now_ms - rng.range(5, 25) * MINUTE;
        let order_date = local_day(created);
        let item = (rng.next() % plant.items.len() as u64) as usize;
        let Some(demand) = ordering[item] else {
            continue;
        };
        let qty = ((rng.range(demand.least, demand.most) + 5) / 10 * 10).clamp(demand.least, demand.most);
        let due_date = next_monday + Duration::days(rng.range(1, 4));
        let steps = &plant.items[item].steps;
        let first_op = ops.len();
        for seq in 0..steps.len() {
            let plan_date = add_working(due_date, seq as i64 - steps.len() as i64).max(order_date);
            ops.push(Op {
                order: orders.len(),
                seq,
                equipment_id: steps[seq].equipment_id,
                plan_date,
                operator: 0,
                start: None,
                finish: None,
                reports: Vec::new(),
                stops: Vec::new(),
                materials: Vec::new(),
            });
        }
        orders.push(Order {
            no: number(order_date),
            item,
            qty,
            order_date,
            due_date,
            customer_id: plant
                .partners
                .get(demand.customers[0])
                .copied()
                .unwrap_or_default(),
            created,
            released: None,
            first_op,
            steps: steps.len(),
            start_day: due_date,
        });
    }

    let mut counts = insert(tx, plant, &orders, &ops, first_day, today).await?;
    counts.inspections = sqlx::query(INSERT_INSPECTIONS)
        .bind((today - Duration::days(INSPECTED_DAYS)).to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    // Shipped once its work had been done three days.
    let ship_by = (today - Duration::days(3)).to_string();
    for (n, sql) in SALES_HISTORY.into_iter().enumerate() {
        let done = sqlx::query(sql)
            .bind(&ship_by)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        match n {
            0 => counts.sales_orders = done,
            4 => counts.purchase_orders = done,
            _ => {}
        }
    }
    let entry = Entry {
        user_id: Some(admin.id),
        username: Some(&admin.username),
        machine,
        action: Action::Create,
        entity: "demo_history",
        entity_id: None,
        before: None,
        after: Some(serde_json::to_value(&counts).unwrap_or_default()),
    };
    audit::write(tx, now, entry).await?;
    Ok(counts)
}

const INSERT_WORK_ORDER: &str =
    "INSERT INTO work_orders (id, no, item_id, routing_id, quantity, order_date, due_date,
        customer_id, status, released_at, completed_at, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const INSERT_OPERATION: &str = "INSERT INTO operations (id, work_order_id, seq, process_id, work_center,
        equipment_id, station_id, cycle_seconds, plan_date, planned_qty, status, operator_id, started_at,
        finished_at, good_qty, ng_qty, scrap_qty)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const INSERT_REPORT: &str =
    "INSERT INTO operation_reports (id, operation_id, at, operator_id, good, ng, scrap)
    VALUES (?, ?, ?, ?, ?, ?, ?)";
const INSERT_DEFECT: &str = "INSERT INTO report_defects (report_id, defect_code_id, qty) VALUES (?, ?, ?)";
const INSERT_DOWNTIME: &str =
    "INSERT INTO downtimes (operation_id, reason_id, source, started_at, ended_at, note,
        recorded_by, classified_by, classified_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
const INSERT_LOT: &str =
    "INSERT INTO lots (id, lot_no, operation_id, item_id, qty, created_at) VALUES (?, ?, ?, ?, ?, ?)";
const INSERT_LOT_INPUT: &str = "INSERT INTO lot_inputs (lot_id, input_lot_id, material_lot) VALUES (?, ?, ?)";

/// Days back from today whose parts the demo station judged: enough for
/// the quality screens, few enough to seed in about a second.
pub(super) const INSPECTED_DAYS: i64 = 90;

/// What the watching station judged: one inspection per part reported (from
/// the day `?1` on) on an operation a station watches, one cycle apart up
/// to the report's time, the first `ng` of each report rejected with the
/// report's defect codes in turn. No images: those exist only for parts a
/// camera saw. One statement; the quality roll-up fills itself by its
/// trigger.
const INSERT_INSPECTIONS: &str = "
    WITH RECURSIVE n(i) AS (
        SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT MAX(good + ng) FROM operation_reports)),
    codes AS (
        SELECT d.report_id, c.code, d.qty,
               SUM(d.qty) OVER (PARTITION BY d.report_id ORDER BY d.defect_code_id) AS upto
        FROM report_defects d JOIN defect_codes c ON c.id = d.defect_code_id)
    INSERT INTO inspections (station_id, at, model_version, score, threshold, verdict, defect_type,
                             work_order_op_id)
    SELECT o.station_id,
           strftime('%Y-%m-%dT%H:%M:%fZ', r.at, printf('-%.3f seconds', (r.good + r.ng - n.i) * o.cycle_seconds)),
           'demo-history',
           CASE WHEN n.i <= r.ng THEN 20.0 + (r.id * 7 + n.i * 13) % 100 / 10.0
                ELSE 9.0 + (r.id * 11 + n.i * 17) % 80 / 10.0 END,
           18.5,
           CASE WHEN n.i <= r.ng THEN 'ng' ELSE 'ok' END,
           c.code,
           o.id
    FROM operation_reports r
    JOIN operations o ON o.id = r.operation_id AND o.station_id IS NOT NULL
    JOIN n ON n.i <= r.good + r.ng
    LEFT JOIN codes c ON c.report_id = r.id AND n.i > c.upto - c.qty AND n.i <= c.upto
    WHERE r.at >= ?1
    ORDER BY r.at, n.i";

/// The sales behind the work: each order a customer placed is a sales order
/// (SO- with the work order's date and number) with one line at the item's
/// price, linked to its work order; every fifth also has its plating
/// outsourced to the first supplier by a purchase order, received before the
/// work completed. Orders whose work completed by `?1` have shipped two days
/// after; the rest wait or are in work. Prices are the demo's own: 8 000 to
/// 97 900 won by item, G&A 5 %, and every other order agreed at a final price
/// rounded down to 10 000 won.
const SALES_HISTORY: [&str; 6] = [
    "INSERT INTO sales_orders (no, name, customer_id, order_date, due_date, export, ga_cost, final_price,
                               status, work_done_at, ship_date, created_at, updated_at)
     SELECT 'SO-' || substr(w.no, 4), i.name || ' 납품', w.customer_id, w.order_date, w.due_date,
            w.customer_id % 4 = 0,
            w.quantity * (8000 + i.id * 3700 % 90000 / 100 * 100) / 20,
            CASE WHEN w.id % 2 = 0 THEN w.quantity * (8000 + i.id * 3700 % 90000 / 100 * 100) / 10000 * 10000 END,
            CASE WHEN w.status = 'completed' AND date(w.completed_at, 'localtime') <= ?1 THEN 'shipped'
                 WHEN w.status = 'completed' THEN 'completed' ELSE 'in_work' END,
            w.completed_at,
            CASE WHEN w.status = 'completed' AND date(w.completed_at, 'localtime') <= ?1
                 THEN date(w.completed_at, 'localtime', '+2 days') END,
            w.created_at, w.updated_at
     FROM work_orders w JOIN items i ON i.id = w.item_id
     WHERE w.customer_id IS NOT NULL AND w.sales_order_line_id IS NULL AND ?1 IS NOT NULL
     ORDER BY w.id",
    "INSERT INTO sales_order_lines (order_id, seq, item_id, part_no, name, spec, unit_price, qty)
     SELECT s.id, 1, w.item_id, i.part_no, i.name, i.spec, 8000 + i.id * 3700 % 90000 / 100 * 100, w.quantity
     FROM work_orders w JOIN items i ON i.id = w.item_id
     JOIN sales_orders s ON s.no = 'SO-' || substr(w.no, 4)
     WHERE w.sales_order_line_id IS NULL AND ?1 IS NOT NULL",
    "UPDATE work_orders SET sales_order_line_id = (
         SELECT l.id FROM sales_orders s JOIN sales_order_lines l ON l.order_id = s.id AND l.seq = 1
         WHERE s.no = 'SO-' || substr(work_orders.no, 4))
     WHERE customer_id IS NOT NULL AND sales_order_line_id IS NULL AND ?1 IS NOT NULL",
    "INSERT INTO sales_order_lines (order_id, seq, name, spec, unit_price, qty, outsourced)
     SELECT s.id, 2, '아연 도금 (외주)', 'Fe/Zn 8', 2500, l.qty, 1
     FROM sales_orders s JOIN sales_order_lines l ON l.order_id = s.id AND l.seq = 1
     WHERE s.id % 5 = 0 AND NOT EXISTS (SELECT 1 FROM purchase_orders p WHERE p.sales_order_id = s.id)
       AND ?1 IS NOT NULL",
    "INSERT INTO purchase_orders (no, supplier_id, sales_order_id, order_date, due_date, status, received_on,
                                  created_at, updated_at)
     SELECT 'PO-' || substr(s.no, 4),
            (SELECT MIN(id) FROM partners WHERE kind IN ('supplier', 'both')), s.id, s.order_date, s.due_date,
            CASE WHEN s.work_done_at IS NOT NULL THEN 'received' ELSE 'ordered' END,
            CASE WHEN s.work_done_at IS NOT NULL
                 THEN max(s.order_date, date(s.work_done_at, 'localtime', '-1 day')) END,
            s.created_at, s.updated_at
     FROM sales_orders s JOIN sales_order_lines l ON l.order_id = s.id AND l.seq = 2 AND l.outsourced = 1
     WHERE NOT EXISTS (SELECT 1 FROM purchase_orders p WHERE p.sales_order_id = s.id) AND ?1 IS NOT NULL",
    "INSERT INTO purchase_order_lines (po_id, seq, sales_order_line_id, name, spec, unit_price, qty)
     SELECT p.id, 1, l.id, l.name, l.spec, l.unit_price, l.qty
     FROM purchase_orders p JOIN sales_order_lines l ON l.order_id = p.sales_order_id AND l.seq = 2
     WHERE NOT EXISTS (SELECT 1 FROM purchase_order_lines x WHERE x.po_id = p.id) AND ?1 IS NOT NULL",
];

/// The largest id of each table the history numbers itself (none of them
/// has rows on a new install; the ids follow whatever is there).
async fn last_id(tx: &mut SqliteConnection, sql: &'static str) -> Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(&mut *tx).await?)
}

/// Writes the orders and operations as the app would have, with ids given
/// here so that nothing is read back row by row.
async fn insert(
    tx: &mut SqliteConnection,
    plant: &Plant,
    orders: &[Order],
    ops: &[Op],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Counts> {
    let order_base = last_id(tx, "SELECT COALESCE(MAX(id), 0) FROM work_orders").await?;
    let op_base = last_id(tx, "SELECT COALESCE(MAX(id), 0) FROM operations").await?;
    let mut report_id = last_id(tx, "SELECT COALESCE(MAX(id), 0) FROM operation_reports").await?;
    let mut lot_id = last_id(tx, "SELECT COALESCE(MAX(id), 0) FROM lots").await?;
    let mut counts = Counts {
        from,
        to,
        ..Counts::default()
    };
    for (n, order) in orders.iter().enumerate() {
        let own = &ops[order.first_op..order.first_op + order.steps];
        let done = own.iter().all(|o| o.finish.is_some());
        let completed = done.then(|| own.iter().filter_map(|o| o.finish).max()).flatten();
        let status = match (order.released, completed) {
            (None, _) => "planned",
            (Some(_), Some(_)) => "completed",
            (Some(_), None) => "in_work",
        };
        let item = &plant.items[order.item];
        let updated = completed.or(order.released).unwrap_or(order.created);
        sqlx::query(INSERT_WORK_ORDER)
            .bind(order_base + n as i64 + 1)
            .bind(&order.no)
            .bind(item.id)
            .bind(item.routing_id)
            .bind(order.qty)
            .bind(order.order_date)
            .bind(order.due_date)
            .bind(order.customer_id)
            .bind(status)
            .bind(order.released.map(ts))
            .bind(completed.map(ts))
            .bind(ts(order.created))
            .bind(ts(updated))
            .execute(&mut *tx)
            .await?;
    }
    counts.work_orders = orders.len();
    for (n, op) in ops.iter().enumerate() {
        let order = &orders[op.order];
        let step = &plant.items[order.item].steps[op.seq];
        let status = match (op.start, op.finish) {
            (None, _) => "waiting",
            (Some(_), Some(_)) => "finished",
            _ if op.stops.iter().any(|s| s.end.is_none() && !s.station) => "paused",
            _ => "running",
        };
        let sum = |f: fn(&Report) -> i64| op.reports.iter().map(f).sum::<i64>();
        sqlx::query(INSERT_OPERATION)
            .bind(op_base + n as i64 + 1)
            .bind(order_base + op.order as i64 + 1)
            .bind(op.seq as i64 + 1)
            .bind(step.process_id)
            .bind(&step.work_center)
            .bind(op.equipment_id)
            .bind(step.station_id)
            .bind(step.cycle_seconds)
            .bind(op.plan_date)
            .bind(order.qty)
            .bind(status)
            .bind(op.start.map(|_| op.operator))
            .bind(op.start.map(ts))
            .bind(op.finish.map(ts))
            .bind(sum(|r| r.good))
            .bind(sum(|r| r.ng))
            .bind(sum(|r| r.scrap))
            .execute(&mut *tx)
            .await?;
    }
    counts.operations = ops.len();
    for (n, op) in ops.iter().enumerate() {
        for r in &op.reports {
            report_id += 1;
            sqlx::query(INSERT_REPORT)
                .bind(report_id)
                .bind(op_base + n as i64 + 1)
                .bind(ts(r.at))
                .bind(op.operator)
                .bind(r.good)
                .bind(r.ng)
                .bind(r.scrap)
                .execute(&mut *tx)
                .await?;
            counts.reports += 1;
            for &(code, qty) in &r.defects {
                sqlx::query(INSERT_DEFECT)
                    .bind(report_id)
                    .bind(code)
                    .bind(qty)
                    .execute(&mut *tx)
                    .await?;
                counts.report_defects += 1;
            }
        }
    }
    for (n, op) in ops.iter().enumerate() {
        for s in &op.stops {
            sqlx::query(INSERT_DOWNTIME)
                .bind(op_base + n as i64 + 1)
                .bind(s.reason)
                .bind(if s.station { "station" } else { "operator" })
                .bind(ts(s.start))
                .bind(s.end.map(ts))
                .bind(s.note)
                .bind(s.recorded_by)
                .bind(s.classified.map(|c| c.0))
                .bind(s.classified.map(|c| ts(c.1)))
                .execute(&mut *tx)
                .await?;
            counts.downtimes += 1;
        }
    }
    // Each finished operation's good parts are a lot, fed by the lot of the
    // step before and the material lots named (as `make_lot` does).
    let mut lot_of: HashMap<usize, i64> = HashMap::new();
    for (n, op) in ops.iter().enumerate() {
        let Some(finish) = op.finish else { continue };
        let order = &orders[op.order];
        lot_id += 1;
        sqlx::query(INSERT_LOT)
            .bind(lot_id)
            .bind(format!("{}-{:02}", order.no, op.seq + 1))
            .bind(op_base + n as i64 + 1)
            .bind(plant.items[order.item].id)
            .bind(op.good())
            .bind(ts(finish))
            .execute(&mut *tx)
            .await?;
        counts.lots += 1;
        let item = &plant.items[order.item];
        if item.serialized && op.seq + 1 == item.steps.len() {
            let lot_no = format!("{}-{:02}", order.no, op.seq + 1);
            counts.serials += crate::production::lots::add_serials(tx, lot_id, &lot_no, op.good()).await?;
        }
        lot_of.insert(n, lot_id);
        let before = (op.seq > 0).then(|| lot_of.get(&(n - 1)).copied()).flatten();
        let inputs = before
            .map(|l| (Some(l), None))
            .into_iter()
            .chain(op.materials.iter().map(|m| (None, Some(m.as_str()))));
        for (input, material) in inputs {
            sqlx::query(INSERT_LOT_INPUT)
                .bind(lot_id)
                .bind(input)
                .bind(material)
                .execute(&mut *tx)
                .await?;
            counts.lot_inputs += 1;
        }
    }
    Ok(counts)
}
