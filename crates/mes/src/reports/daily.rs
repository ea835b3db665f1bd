//! The daily production report (일일 생산 보고서): every operation that ran on
//! a local day, with what it made that day, its stops and its OEE, and the
//! day's rejected parts with images. The app renders it as a PDF.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use crate::{
    Result, Store,
    inspections::{InspectionRow, day_range, stamp},
    master::reference::DowntimeCategory,
    production::oee::{Activity, Count, OeeTotals, intersect, totals, union},
};

/// NG images one report shows at most.
pub const MAX_IMAGES: u32 = 24;

/// One operation's day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DailyRow {
    pub work_order_no: String,
    pub item: String,
    pub process: String,
    pub station: Option<String>,
    pub equipment: Option<String>,
    pub operator: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub planned_qty: i64,
    /// Good and NG parts reported on the day.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub good: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub ng: i64,
    /// Parts the station judged on the day, as it judged them.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub station_ok: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub station_ng: i64,
    /// Stopped time within the day, any reason.
    pub downtime_seconds: f64,
    pub oee: OeeTotals,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DailyReport {
    pub day: NaiveDate,
    pub rows: Vec<DailyRow>,
    /// The rows' totals added up.
    pub total: OeeTotals,
    /// The day's latest rejected parts that kept an image, newest first.
    pub ng_images: Vec<InspectionRow>,
}

/// (operation, start, end or none while it lasts, category or none when unexplained).
type Stop = (
    i64,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DowntimeCategory>,
);

#[derive(sqlx::FromRow)]
struct OpRow {
    id: i64,
    work_order_no: String,
    part_no: String,
    item_name: String,
    process_name: String,
    station_name: Option<String>,
    equipment_name: Option<String>,
    operator_name: Option<String>,
    planned_qty: i64,
    cycle_seconds: f64,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl Store {
    /// The report of the local day `day` in `tz`; an operation still open counts up to `now`.
    pub async fn daily_report<Tz: TimeZone>(
        &self,
        day: NaiveDate,
        tz: &Tz,
        now: DateTime<Utc>,
    ) -> Result<DailyReport> {
        let (from, until) = day_range(day, day, tz);
        let (from_s, until_s) = (stamp(from), stamp(until));
        // As in OEE: read from the end's index, not every start before the day (`+`).
        let ops: Vec<OpRow> = sqlx::query_as(
            "SELECT o.id, o.work_order_no, o.part_no, o.item_name, o.process_name,
                    (SELECT s.name FROM stations s WHERE s.id = o.station_id) AS station_name,
                    o.equipment_name, o.operator_name, o.planned_qty, o.cycle_seconds, o.started_at, o.finished_at
             FROM operations_list o
             WHERE +o.started_at < ?1 AND (o.finished_at IS NULL OR o.finished_at >= ?2)
             ORDER BY o.work_order_no, o.seq",
        )
        .bind(&until_s)
        .bind(&from_s)
        .fetch_all(&self.pool)
        .await?;
        let stops: Vec<Stop> = sqlx::query_as(
            "SELECT d.operation_id, d.started_at, d.ended_at, r.category FROM downtimes d
             LEFT JOIN downtime_reasons r ON r.id = d.reason_id
             WHERE +d.started_at < ?1 AND (d.ended_at IS NULL OR d.ended_at > ?2)",
        )
        .bind(&until_s)
        .bind(&from_s)
        .fetch_all(&self.pool)
        .await?;
        let reports: Vec<(i64, DateTime<Utc>, i64, i64)> = sqlx::query_as(
            "SELECT operation_id, at, good, ng FROM operation_reports WHERE at >= ? AND at < ?",
        )
        .bind(&from_s)
        .bind(&until_s)
        .fetch_all(&self.pool)
        .await?;
        let judged: HashMap<i64, (i64, i64)> = sqlx::query_as(
            "SELECT work_order_op_id, SUM(verdict = 'ok'), SUM(verdict = 'ng') FROM inspections
             WHERE at >= ? AND at < ? AND work_order_op_id IS NOT NULL GROUP BY work_order_op_id",
        )
        .bind(&from_s)
        .bind(&until_s)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|(op, ok, ng): (i64, i64, i64)| (op, (ok, ng)))
        .collect();

        let ms = |t: DateTime<Utc>| t.timestamp_millis();
        let window = (ms(from), ms(until));
        let mut total = OeeTotals::default();
        let rows = ops
            .into_iter()
            .map(|op| {
                let mut activity = Activity {
                    runs: vec![(ms(op.started_at), op.finished_at.map_or(ms(now), ms))],
                    ..Activity::default()
                };
                let mut down = Vec::new();
                for (_, start, end, category) in stops.iter().filter(|s| s.0 == op.id) {
                    let span = (ms(*start), end.map_or(ms(now), ms));
                    down.push(span);
                    match category {
                        Some(DowntimeCategory::Planned) => activity.planned_stops.push(span),
                        Some(DowntimeCategory::Availability) | None => activity.availability_stops.push(span),
                        Some(DowntimeCategory::Performance | DowntimeCategory::Quality) => {}
                    }
                }
                let (mut good, mut ng) = (0, 0);
                for (_, at, g, n) in reports.iter().filter(|r| r.0 == op.id) {
                    good += g;
                    ng += n;
                    activity.counts.push(Count {
                        at: ms(*at),
                        good: *g,
                        total: g + n,
                        ideal_ms: op.cycle_seconds * 1000.0 * (g + n) as f64,
                    });
                }
                let oee = totals(&activity, window);
                total.add(&oee);
                let open = intersect(&activity.runs, &[window]);
                let downtime = intersect(&union(down), &open);
                let (station_ok, station_ng) = judged.get(&op.id).copied().unwrap_or_default();
                DailyRow {
                    work_order_no: op.work_order_no,
                    item: format!("{} {}", op.part_no, op.item_name),
                    process: op.process_name,
                    station: op.station_name,
                    equipment: op.equipment_name,
                    operator: op.operator_name,
                    planned_qty: op.planned_qty,
                    good,
                    ng,
                    station_ok,
                    station_ng,
                    downtime_seconds: downtime.iter().map(|(s, e)| e - s).sum::<i64>() as f64 / 1000.0,
                    oee,
                }
            })
            .collect();
        let ng_images = sqlx::query_as(concat!(
            "SELECT ",
            crate::inspections::inspection_columns!(),
            " FROM inspections WHERE verdict = 'ng' AND at >= ? AND at < ? AND image_path IS NOT NULL
              ORDER BY at DESC, id DESC LIMIT ?"
        ))
        .bind(&from_s)
        .bind(&until_s)
        .bind(MAX_IMAGES)
        .fetch_all(&self.pool)
        .await?;
        Ok(DailyReport {
            day,
            rows,
            total,
            ng_images,
        })
    }
}
