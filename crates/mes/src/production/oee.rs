//! OEE (설비종합효율) per equipment, work centre, shift and day.
//!
//! - Planned production time: the time operations were open on a machine
//!   within a shift, less planned stops (breaks, planned maintenance).
//! - Run time: planned production time less availability stops (breakdowns,
//!   changeovers, and unexplained stops until someone classifies them).
//!   Performance and quality stops stay in run time: they show as lower
//!   performance and quality instead.
//! - Availability = run / planned; performance = ideal cycle × count / run;
//!   quality = good / count.
//!
//! Overlapping intervals (two operations on one machine, two stops at once)
//! count once. Roll-ups add the underlying times and counts and divide once;
//! they never average percentages.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::{Field, Result, Store, inspections::stamp, master::reference::DowntimeCategory, validate};

/// A half-open span of time `[start, end)` in milliseconds since the epoch.
pub type Span = (i64, i64);

/// The sorted, disjoint union of `spans` (empty spans dropped).
pub fn union(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|(s, e)| e > s);
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The overlap of two sorted, disjoint span lists.
pub fn intersect(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let (s, e) = (a[i].0.max(b[j].0), a[i].1.min(b[j].1));
        if s < e {
            out.push((s, e));
        }
        if a[i].1 < b[j].1 { i += 1 } else { j += 1 }
    }
    out
}

/// `a` less `b`, both sorted and disjoint.
pub fn subtract(a: &[Span], b: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for &(mut s, e) in a {
        for &(bs, be) in b {
            if be <= s || bs >= e {
                continue;
            }
            if bs > s {
                out.push((s, bs));
            }
            s = s.max(be);
        }
        if s < e {
            out.push((s, e));
        }
    }
    out
}

fn length(spans: &[Span]) -> i64 {
    spans.iter().map(|(s, e)| e - s).sum()
}

/// Parts reported at one instant, with the ideal time they stand for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Count {
    pub at: i64,
    pub good: i64,
    pub total: i64,
    /// Ideal cycle time × total, in milliseconds.
    pub ideal_ms: f64,
}

/// What one machine did: its operations' open spans, its stops, its counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activity {
    pub runs: Vec<Span>,
    pub planned_stops: Vec<Span>,
    pub availability_stops: Vec<Span>,
    pub counts: Vec<Count>,
}

/// Times and counts that add up across machines, shifts and days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OeeTotals {
    pub planned_seconds: f64,
    pub run_seconds: f64,
    /// Ideal cycle time × parts made.
    pub ideal_seconds: f64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub good: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub total: i64,
}

fn ratio(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| part / whole)
}

impl OeeTotals {
    pub fn add(&mut self, other: &OeeTotals) {
        self.planned_seconds += other.planned_seconds;
        self.run_seconds += other.run_seconds;
        self.ideal_seconds += other.ideal_seconds;
        self.good += other.good;
        self.total += other.total;
    }

    pub fn availability(&self) -> Option<f64> {
        ratio(self.run_seconds, self.planned_seconds)
    }

    pub fn performance(&self) -> Option<f64> {
        ratio(self.ideal_seconds, self.run_seconds)
    }

    pub fn quality(&self) -> Option<f64> {
        ratio(self.good as f64, self.total as f64)
    }

    /// Availability × performance × quality.
    pub fn oee(&self) -> Option<f64> {
        Some(self.availability()? * self.performance()? * self.quality()?)
    }
}

/// One machine's totals within `window`.
pub fn totals(activity: &Activity, window: Span) -> OeeTotals {
    let open = intersect(&union(activity.runs.clone()), &[window]);
    let planned = subtract(&open, &union(activity.planned_stops.clone()));
    let down = intersect(&union(activity.availability_stops.clone()), &planned);
    let (planned_ms, down_ms) = (length(&planned), length(&down));
    let mut t = OeeTotals {
        planned_seconds: planned_ms as f64 / 1000.0,
        run_seconds: (planned_ms - down_ms) as f64 / 1000.0,
        ..OeeTotals::default()
    };
    for c in activity
        .counts
        .iter()
        .filter(|c| c.at >= window.0 && c.at < window.1)
    {
        t.good += c.good;
        t.total += c.total;
        t.ideal_seconds += c.ideal_ms / 1000.0;
    }
    t
}

/// What OEE rows stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OeeGroup {
    Equipment,
    WorkCenter,
    Shift,
    Day,
}

/// One row of an OEE table: totals and the four ratios (none where the
/// denominator is zero).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OeeRow {
    /// The equipment's or work centre's name, the shift's name, or the day.
    pub key: String,
    pub totals: OeeTotals,
    pub availability: Option<f64>,
    pub performance: Option<f64>,
    pub quality: Option<f64>,
    pub oee: Option<f64>,
    /// Stopped time by reason within the row's open time, longest first.
    /// Slow cycles are `runSeconds − idealSeconds`; NG parts are `total − good`.
    pub downtime: Vec<DowntimeLoss>,
}

/// Time stopped for one reason; `reason` none for stops nobody has explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DowntimeLoss {
    pub reason: Option<String>,
    pub category: Option<DowntimeCategory>,
    pub seconds: f64,
}

/// Stopped milliseconds per reason (name, category).
type Losses = BTreeMap<Option<String>, (Option<DowntimeCategory>, i64)>;

impl OeeRow {
    fn new(key: String, totals: OeeTotals, losses: Losses) -> Self {
        let mut downtime: Vec<DowntimeLoss> = losses
            .into_iter()
            .filter(|(_, (_, ms))| *ms > 0)
            .map(|(reason, (category, ms))| DowntimeLoss {
                reason,
                category,
                seconds: ms as f64 / 1000.0,
            })
            .collect();
        downtime.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        Self {
            key,
            availability: totals.availability(),
            performance: totals.performance(),
            quality: totals.quality(),
            oee: totals.oee(),
            totals,
            downtime,
        }
    }
}

/// An OEE table: one row per group, and the whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OeeTable {
    pub rows: Vec<OeeRow>,
    pub total: OeeRow,
}

/// The longest range one OEE table covers.
pub const MAX_OEE_DAYS: i64 = 366;

/// (code, name, start, end) of a shift by local clock; end ≤ start runs past midnight.
type Shift = (String, NaiveTime, NaiveTime);

/// (operation, start, end or none while it lasts, category and reason or none when unexplained).
type StopRow = (
    i64,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DowntimeCategory>,
    Option<String>,
);

#[derive(sqlx::FromRow)]
struct OpRow {
    id: i64,
    work_center: Option<String>,
    equipment_id: Option<i64>,
    equipment_name: Option<String>,
    cycle_seconds: f64,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl Store {
    /// OEE of the local days `first..=last` in `tz`, grouped by `group`; an
    /// operation still open counts up to `now`.
    pub async fn oee<Tz: TimeZone>(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        group: OeeGroup,
        tz: &Tz,
        now: DateTime<Utc>,
    ) -> Result<OeeTable> {
        validate::int_range(Field::Limit, (last - first).num_days(), 0, MAX_OEE_DAYS - 1)?;
        let shifts = self.shifts().await?;
        // Each (day, shift) window of the range, by the local clock.
        let local = |day: NaiveDate, t: NaiveTime| -> i64 {
            tz.from_local_datetime(&day.and_time(t)).earliest().map_or_else(
                || day.and_time(t).and_utc().timestamp_millis(),
                |d| d.timestamp_millis(),
            )
        };
        let mut windows = Vec::new();
        let mut day = first;
        while day <= last {
            for (name, starts, ends) in &shifts {
                let end_day = if ends <= starts {
                    day + Duration::days(1)
                } else {
                    day
                };
                windows.push((day, name.clone(), (local(day, *starts), local(end_day, *ends))));
            }
            day += Duration::days(1);
        }
        let (Some(from), Some(until)) = (
            windows.iter().map(|w| w.2.0).min(),
            windows.iter().map(|w| w.2.1).max(),
        ) else {
            return Ok(OeeTable {
                rows: Vec::new(),
                total: OeeRow::new(String::new(), OeeTotals::default(), Losses::new()),
            });
        };
        let ms = |t: DateTime<Utc>| t.timestamp_millis();
        let from_t = DateTime::<Utc>::from_timestamp_millis(from).unwrap_or(now);
        let until_t = DateTime::<Utc>::from_timestamp_millis(until).unwrap_or(now);

        // Open during the range: `+` keeps SQLite off an index on the start,
        // which would read every operation (and stop) begun in all the years
        // before; the end's index (operations_finished, downtimes_ended)
        // reads only those ended since, and those still open.
        let ops: Vec<OpRow> = sqlx::query_as(
            "SELECT id, work_center, equipment_id, equipment_name, cycle_seconds, started_at, finished_at
             FROM operations_list
             WHERE +started_at < ?1 AND (finished_at IS NULL OR finished_at > ?2)",
        )
        .bind(stamp(until_t))
        .bind(stamp(from_t))
        .fetch_all(&self.pool)
        .await?;
        let stops: Vec<StopRow> = sqlx::query_as(
            "SELECT d.operation_id, d.started_at, d.ended_at, r.category, r.name FROM downtimes d
             LEFT JOIN downtime_reasons r ON r.id = d.reason_id
             JOIN operations o ON o.id = d.operation_id
             WHERE +o.started_at < ?1 AND (o.finished_at IS NULL OR o.finished_at > ?2)
               AND +d.started_at < ?1 AND (d.ended_at IS NULL OR d.ended_at > ?2)",
        )
        .bind(stamp(until_t))
        .bind(stamp(from_t))
        .fetch_all(&self.pool)
        .await?;
        let reports: Vec<(i64, DateTime<Utc>, i64, i64)> = sqlx::query_as(
            "SELECT operation_id, at, good, ng FROM operation_reports WHERE at >= ? AND at < ?",
        )
        .bind(stamp(from_t))
        .bind(stamp(until_t))
        .fetch_all(&self.pool)
        .await?;

        // One activity per machine and work centre (an operation with no
        // machine is a machine of its own), with its stops by reason.
        type Unit = (Option<i64>, Option<i64>, Option<String>);
        type Reasons = BTreeMap<Option<String>, (Option<DowntimeCategory>, Vec<Span>)>;
        let mut units: BTreeMap<Unit, (String, Activity, Reasons)> = BTreeMap::new();
        let mut unit_of = BTreeMap::new();
        for op in &ops {
            let unit = (
                op.equipment_id,
                op.equipment_id.is_none().then_some(op.id),
                op.work_center.clone(),
            );
            let entry = units.entry(unit.clone()).or_insert_with(|| {
                (
                    op.equipment_name.clone().unwrap_or_default(),
                    Activity::default(),
                    Reasons::new(),
                )
            });
            entry
                .1
                .runs
                .push((ms(op.started_at), op.finished_at.map_or(ms(now), ms)));
            unit_of.insert(op.id, (unit, op.cycle_seconds));
        }
        for (op_id, start, end, category, reason) in stops {
            let Some((unit, _)) = unit_of.get(&op_id) else {
                continue;
            };
            let Some((_, activity, reasons)) = units.get_mut(unit) else {
                continue;
            };
            let span = (ms(start), end.map_or(ms(now), ms));
            match category {
                Some(DowntimeCategory::Planned) => activity.planned_stops.push(span),
                Some(DowntimeCategory::Availability) | None => activity.availability_stops.push(span),
                Some(DowntimeCategory::Performance | DowntimeCategory::Quality) => {}
            }
            reasons
                .entry(reason)
                .or_insert((category, Vec::new()))
                .1
                .push(span);
        }
        for (op_id, at, good, ng) in reports {
            let Some((unit, cycle)) = unit_of.get(&op_id) else {
                continue;
            };
            let Some((_, activity, _)) = units.get_mut(unit) else {
                continue;
            };
            activity.counts.push(Count {
                at: ms(at),
                good,
                total: good + ng,
                ideal_ms: cycle * 1000.0 * (good + ng) as f64,
            });
        }

        let mut groups: BTreeMap<String, (OeeTotals, Losses)> = BTreeMap::new();
        let (mut whole, mut whole_losses) = (OeeTotals::default(), Losses::new());
        for ((_, _, work_center), (equipment, activity, reasons)) in &units {
            let runs = union(activity.runs.clone());
            for (day, shift, window) in &windows {
                let t = totals(activity, *window);
                if t == OeeTotals::default() {
                    continue;
                }
                let key = match group {
                    OeeGroup::Equipment => equipment.clone(),
                    OeeGroup::WorkCenter => work_center.clone().unwrap_or_default(),
                    OeeGroup::Shift => shift.clone(),
                    OeeGroup::Day => day.to_string(),
                };
                let (sum, losses) = groups.entry(key).or_default();
                sum.add(&t);
                whole.add(&t);
                let open = intersect(&runs, &[*window]);
                for (reason, (category, spans)) in reasons {
                    let stopped = length(&intersect(&union(spans.clone()), &open));
                    for losses in [&mut *losses, &mut whole_losses] {
                        losses.entry(reason.clone()).or_insert((*category, 0)).1 += stopped;
                    }
                }
            }
        }
        Ok(OeeTable {
            rows: groups
                .into_iter()
                .map(|(k, (t, losses))| OeeRow::new(k, t, losses))
                .collect(),
            total: OeeRow::new(String::new(), whole, whole_losses),
        })
    }

    /// The shifts by local clock, in start order; a shift that ends at or
    /// before it starts runs past midnight.
    async fn shifts(&self) -> Result<Vec<Shift>> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT name, starts, ends FROM shifts ORDER BY starts")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(name, s, e)| {
                let t = |v: &str| NaiveTime::parse_from_str(v, "%H:%M").ok();
                Some((name, t(&s)?, t(&e)?))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn at(minutes: i64) -> i64 {
        minutes * MIN
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn span_arithmetic_counts_overlaps_once() {
        assert_eq!(
            union(vec![(5, 9), (0, 3), (2, 4), (9, 10), (12, 12)]),
            [(0, 4), (5, 10)]
        );
        assert_eq!(
            intersect(&[(0, 4), (5, 10)], &[(3, 6), (8, 20)]),
            [(3, 4), (5, 6), (8, 10)]
        );
        assert_eq!(
            subtract(&[(0, 10), (20, 30)], &[(2, 3), (5, 22), (29, 40)]),
            [(0, 2), (3, 5), (22, 29)]
        );
        assert_eq!(subtract(&[(0, 10)], &[]), [(0, 10)]);
    }

    /// 08:00–16:00 (480 min) with lunch 12:00–13:00 planned; breakdowns
    /// 09:00–09:30 and 09:15–10:00 overlap (60 min once); one 12:30–13:30
    /// overlaps lunch (only 30 min count). 600 parts, 570 good, 30 s each.
    fn shift_with_stops() -> Activity {
        Activity {
            runs: vec![(at(8 * 60), at(16 * 60))],
            planned_stops: vec![(at(12 * 60), at(13 * 60))],
            availability_stops: vec![
                (at(9 * 60), at(9 * 60 + 30)),
                (at(9 * 60 + 15), at(10 * 60)),
                (at(12 * 60 + 30), at(13 * 60 + 30)),
            ],
            counts: vec![
                Count {
                    at: at(11 * 60),
                    good: 300,
                    total: 310,
                    ideal_ms: 310.0 * 30_000.0,
                },
                Count {
                    at: at(15 * 60),
                    good: 270,
                    total: 290,
                    ideal_ms: 290.0 * 30_000.0,
                },
            ],
        }
    }

    #[test]
    fn one_machine_by_hand() {
        let t = totals(&shift_with_stops(), (at(6 * 60), at(14 * 60 + 24 * 60)));
        assert_eq!(t.planned_seconds, 420.0 * 60.0);
        assert_eq!(t.run_seconds, 330.0 * 60.0);
        assert_eq!(t.ideal_seconds, 300.0 * 60.0);
        assert_eq!((t.good, t.total), (570, 600));
        assert!(close(t.availability(), 330.0 / 420.0));
        assert!(close(t.performance(), 300.0 / 330.0));
        assert!(close(t.quality(), 0.95));
        // OEE is also good parts' ideal time over planned time.
        assert!(close(t.oee(), 570.0 * 0.5 / 420.0));
    }

    #[test]
    fn a_window_cuts_runs_stops_and_counts() {
        // The 06:00–14:00 shift sees 08:00–14:00: 360 min less lunch 60,
        // less breakdowns 60 + 30; only the 11:00 count.
        let t = totals(&shift_with_stops(), (at(6 * 60), at(14 * 60)));
        assert_eq!(t.planned_seconds, 300.0 * 60.0);
        assert_eq!(t.run_seconds, 210.0 * 60.0);
        assert_eq!((t.good, t.total), (300, 310));
        let later = totals(&shift_with_stops(), (at(14 * 60), at(22 * 60)));
        assert_eq!(later.planned_seconds, 120.0 * 60.0);
        assert_eq!(later.run_seconds, 120.0 * 60.0);
        // Shifts add up to the whole.
        let mut sum = t;
        sum.add(&later);
        assert_eq!(sum, totals(&shift_with_stops(), (0, at(48 * 60))));
    }

    #[test]
    fn two_operations_at_once_on_one_machine_count_its_time_once() {
        let a = Activity {
            runs: vec![(at(0), at(60)), (at(30), at(90))],
            ..Activity::default()
        };
        assert_eq!(totals(&a, (0, at(1000))).planned_seconds, 90.0 * 60.0);
    }

    #[test]
    fn roll_ups_add_times_and_counts_never_percentages() {
        let m1 = totals(&shift_with_stops(), (0, at(24 * 60)));
        // A second machine: 100 min planned and run, 100 good parts at 30 s.
        let m2 = totals(
            &Activity {
                runs: vec![(at(0), at(100))],
                counts: vec![Count {
                    at: at(50),
                    good: 100,
                    total: 100,
                    ideal_ms: 100.0 * 30_000.0,
                }],
                ..Activity::default()
            },
            (0, at(24 * 60)),
        );
        assert!(close(m2.availability(), 1.0) && close(m2.performance(), 0.5));
        let mut line = m1;
        line.add(&m2);
        assert!(close(line.availability(), 430.0 / 520.0));
        assert!(!close(line.availability(), (330.0 / 420.0 + 1.0) / 2.0));
        assert!(close(line.performance(), 350.0 / 430.0));
        assert!(close(line.quality(), 670.0 / 700.0));
        // Nothing planned: no ratio, not zero and not a division by zero.
        assert_eq!(OeeTotals::default().availability(), None);
        assert_eq!(OeeTotals::default().oee(), None);
    }

    #[tokio::test]
    async fn the_store_splits_a_day_into_shifts_and_rolls_them_up() {
        use crate::production::tests::{order, plant, reasons_and_defects};
        let (_dir, store, admin, item) = plant().await;
        let (reasons, _) = reasons_and_defects(&store, &admin).await;
        let wo = store
            .create_work_order(order(item, 600, &["2026-11-02"; 3]), &admin, "pc")
            .await
            .unwrap();
        let op = store
            .release_work_order(wo.work_order.id, &admin, "pc")
            .await
            .unwrap()
            .operations[0]
            .id;
        // The hand-computed shift above, as the terminal and a station would have stored it (UTC).
        let exec = |sql: &'static str, args: Vec<Option<String>>| {
            let pool = store.pool.clone();
            async move {
                let mut q = sqlx::query(sql);
                for a in args {
                    q = q.bind(a);
                }
                q.execute(&pool).await.unwrap();
            }
        };
        let t = |hm: &str| Some(format!("2026-11-02T{hm}:00.000Z"));
        let s = |v: i64| Some(v.to_string());
        exec(
            "UPDATE operations SET status = 'finished', started_at = ?, finished_at = ?, operator_id = 1 WHERE id = ?",
            vec![t("08:00"), t("16:00"), s(op)],
        )
        .await;
        let stop = "INSERT INTO downtimes (operation_id, reason_id, source, started_at, ended_at) VALUES (?, ?, ?, ?, ?)";
        exec(
            stop,
            vec![
                s(op),
                s(reasons[1].id),
                Some("operator".into()),
                t("12:00"),
                t("13:00"),
            ],
        )
        .await;
        exec(
            stop,
            vec![
                s(op),
                s(reasons[0].id),
                Some("operator".into()),
                t("09:00"),
                t("09:30"),
            ],
        )
        .await;
        exec(
            stop,
            vec![
                s(op),
                s(reasons[0].id),
                Some("operator".into()),
                t("09:15"),
                t("10:00"),
            ],
        )
        .await;
        exec(
            stop,
            vec![s(op), None, Some("station".into()), t("12:30"), t("13:30")],
        )
        .await;
        let report = "INSERT INTO operation_reports (operation_id, at, operator_id, good, ng, scrap) VALUES (?, ?, 1, ?, ?, 0)";
        exec(report, vec![s(op), t("11:00"), s(300), s(10)]).await;
        exec(report, vec![s(op), t("15:00"), s(270), s(20)]).await;

        let table = |group| {
            store.oee(
                crate::production::tests::day("2026-11-02"),
                crate::production::tests::day("2026-11-02"),
                group,
                &Utc,
                Utc::now(),
            )
        };
        let by_shift = table(OeeGroup::Shift).await.unwrap();
        let view: Vec<_> = by_shift
            .rows
            .iter()
            .map(|r| {
                (
                    r.key.as_str(),
                    r.totals.planned_seconds / 60.0,
                    r.totals.run_seconds / 60.0,
                    r.totals.good,
                )
            })
            .collect();
        assert_eq!(view, [("오후", 120.0, 120.0, 270), ("주간", 300.0, 210.0, 300)]);
        let whole = &by_shift.total;
        assert_eq!(
            (whole.totals.planned_seconds, whole.totals.run_seconds),
            (420.0 * 60.0, 330.0 * 60.0)
        );
        assert!(close(whole.availability, 330.0 / 420.0));
        assert!(close(whole.performance, 300.0 / 330.0));
        assert!(close(whole.quality, 0.95));
        let by_day = table(OeeGroup::Day).await.unwrap();
        assert_eq!(by_day.rows.len(), 1);
        assert_eq!(by_day.rows[0].key, "2026-11-02");
        assert_eq!(by_day.rows[0].totals, whole.totals);
        let by_center = table(OeeGroup::WorkCenter).await.unwrap();
        assert_eq!(by_center.rows[0].key, "A");
        // A day with nothing: no rows, no ratios.
        let empty = store
            .oee(
                crate::production::tests::day("2026-10-01"),
                crate::production::tests::day("2026-10-01"),
                OeeGroup::Day,
                &Utc,
                Utc::now(),
            )
            .await
            .unwrap();
        assert!(empty.rows.is_empty());
        assert_eq!(empty.total.oee, None);
    }
}
