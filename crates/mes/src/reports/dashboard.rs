//! The dashboard (메인): this month's orders, each count what its list shows
//! under the same filter; the progress of each process of one order; and
//! what each station is running now with today's counts. The year's monthly
//! money comes from [`Store::monthly_figures`].

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::{Result, Store, inspections::Counters, production::OperationStatus};

/// This month's counts. Received and purchase orders are those dated in
/// `first..=last` (quotations left out); in work and completed are the
/// orders in that state now, whatever their date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MonthSummary {
    pub first: NaiveDate,
    pub last: NaiveDate,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub received: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub purchase_orders: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub in_work: i64,
    /// Work completed (S04), waiting to ship.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub completed: i64,
}

/// One process of an order's work orders: operations planned and finished,
/// quantities planned and made good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProcessProgress {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub process_id: i64,
    pub code: String,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub operations: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub finished: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub planned_qty: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub good_qty: i64,
}

/// A station now: the operation it watches (running or paused) and today's parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StationLine {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub station_id: i64,
    pub station_name: String,
    pub work_order_no: Option<String>,
    pub item: Option<String>,
    pub process: Option<String>,
    pub operation_status: Option<OperationStatus>,
    pub today: Counters,
}

/// The first and last day of `day`'s month.
pub fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
    (first, next.pred_opt().unwrap_or(first))
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    name: String,
    work_order_no: Option<String>,
    item: Option<String>,
    process: Option<String>,
    operation_status: Option<OperationStatus>,
    total: Option<i64>,
    ok: Option<i64>,
    ng: Option<i64>,
}

impl Store {
    /// The counts of the month that holds `today`.
    pub async fn month_summary(&self, today: NaiveDate) -> Result<MonthSummary> {
        let (first, last) = month_of(today);
        let (received, purchase_orders, in_work, completed): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT
                 (SELECT COUNT(*) FROM sales_orders WHERE order_date BETWEEN ?1 AND ?2 AND status <> 'quotation'),
                 (SELECT COUNT(*) FROM purchase_orders WHERE order_date BETWEEN ?1 AND ?2),
                 (SELECT COUNT(*) FROM sales_orders WHERE status = 'in_work'),
                 (SELECT COUNT(*) FROM sales_orders WHERE status = 'completed')",
        )
        .bind(first)
        .bind(last)
        .fetch_one(&self.pool)
        .await?;
        Ok(MonthSummary {
            first,
            last,
            received,
            purchase_orders,
            in_work,
            completed,
        })
    }

    /// Progress per process of a sales order's work orders (cancelled ones
    /// left out), in routing order.
    pub async fn order_progress(&self, sales_order_id: i64) -> Result<Vec<ProcessProgress>> {
        Ok(sqlx::query_as(
            "SELECT p.id AS process_id, p.code, p.name, COUNT(*) AS operations,
                    SUM(o.status = 'finished') AS finished, SUM(o.planned_qty) AS planned_qty,
                    SUM(o.good_qty) AS good_qty
             FROM sales_order_lines l
             JOIN work_orders w ON w.sales_order_line_id = l.id AND w.status <> 'cancelled'
             JOIN operations o ON o.work_order_id = w.id
             JOIN processes p ON p.id = o.process_id
             WHERE l.order_id = ?
             GROUP BY p.id
             ORDER BY MIN(o.seq), p.code",
        )
        .bind(sales_order_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every station in use with the operation it watches and the parts it
    /// judged on the local day `today`.
    pub async fn line_status(&self, today: NaiveDate) -> Result<Vec<StationLine>> {
        // The tables, not operations_list: a view of joins on the right of a
        // LEFT JOIN is not flattened, so SQLite built the whole view (every
        // operation ever) on each call.
        let rows: Vec<LineRow> = sqlx::query_as(
            "SELECT s.id, s.name, w.no AS work_order_no, i.part_no || ' ' || i.name AS item,
                    p.name AS process, o.status AS operation_status, c.total, c.ok, c.ng
             FROM stations s
             LEFT JOIN operations o ON o.id = (
                 SELECT x.id FROM operations x WHERE x.station_id = s.id AND x.status IN ('running', 'paused')
                 ORDER BY x.started_at DESC LIMIT 1)
             LEFT JOIN work_orders w ON w.id = o.work_order_id
             LEFT JOIN items i ON i.id = w.item_id
             LEFT JOIN processes p ON p.id = o.process_id
             LEFT JOIN station_counters c ON c.station_id = s.id AND c.day = ?
             WHERE s.active = 1
             ORDER BY s.name",
        )
        .bind(today)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| StationLine {
                station_id: r.id,
                station_name: r.name,
                work_order_no: r.work_order_no,
                item: r.item,
                process: r.process,
                operation_status: r.operation_status,
                today: Counters {
                    total: r.total.unwrap_or(0),
                    ok: r.ok.unwrap_or(0),
                    ng: r.ng.unwrap_or(0),
                },
            })
            .collect())
    }
}
