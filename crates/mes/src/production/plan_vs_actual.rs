//! Plan against actual (생산계획대비실적): per worker and day, the operations
//! planned for the day and those finished on it.

use chrono::NaiveDate;
use serde::Serialize;

use crate::{Field, Result, Store, validate};

/// One worker's day. Operations nobody has started yet have no worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PlanVsActual {
    pub day: NaiveDate,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub operator_id: Option<i64>,
    pub operator_name: Option<String>,
    /// Operations planned for the day (that this worker took on).
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub planned: i64,
    /// Of those, finished by the end of their plan day.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub finished_on_plan: i64,
    /// Operations finished on the day, whatever day they were planned for.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub finished: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub planned_qty: i64,
    /// Good and NG parts of the operations finished on the day.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub good_qty: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub ng_qty: i64,
}

/// The longest range one table covers.
pub const MAX_DAYS: i64 = 366;

impl Store {
    /// Per worker and local day of `first..=last` (the machine's time zone),
    /// day first, then worker name; unassigned plans last in their day.
    pub async fn plan_vs_actual(&self, first: NaiveDate, last: NaiveDate) -> Result<Vec<PlanVsActual>> {
        validate::int_range(Field::Limit, (last - first).num_days(), 0, MAX_DAYS - 1)?;
        Ok(sqlx::query_as(
            "WITH days AS (
                 SELECT o.plan_date AS day, o.operator_id, 1 AS planned,
                        (o.status = 'finished' AND date(o.finished_at, 'localtime') <= o.plan_date) AS on_plan,
                        0 AS finished, o.planned_qty, 0 AS good, 0 AS ng
                 FROM operations o JOIN work_orders w ON w.id = o.work_order_id
                 WHERE o.plan_date BETWEEN ?1 AND ?2 AND w.status <> 'cancelled'
                 UNION ALL
                 SELECT date(o.finished_at, 'localtime'), o.operator_id, 0, 0, 1, 0, o.good_qty, o.ng_qty
                 FROM operations o
                 WHERE o.status = 'finished' AND o.finished_at >= ?3
                   AND date(o.finished_at, 'localtime') BETWEEN ?1 AND ?2)
             SELECT d.day, d.operator_id, u.display_name AS operator_name,
                    SUM(d.planned) AS planned, SUM(d.on_plan) AS finished_on_plan, SUM(d.finished) AS finished,
                    SUM(d.planned_qty) AS planned_qty, SUM(d.good) AS good_qty, SUM(d.ng) AS ng_qty
             FROM days d LEFT JOIN users u ON u.id = d.operator_id
             GROUP BY d.day, d.operator_id
             ORDER BY d.day, d.operator_id IS NULL, u.display_name",
        )
        .bind(first)
        .bind(last)
        // A lower bound a day early in UTC, so the index on finished_at can narrow the scan.
        .bind((first - chrono::Duration::days(1)).to_string())
        .fetch_all(&self.pool)
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Local, TimeZone};

    use crate::production::tests::{day, order, plant};

    #[tokio::test]
    async fn plans_and_finishes_are_counted_per_worker_and_day() {
        let (_dir, store, admin, item) = plant().await;
        let wo = store
            .create_work_order(
                order(item, 10, &["2026-11-02", "2026-11-02", "2026-11-03"]),
                &admin,
                "pc",
            )
            .await
            .unwrap();
        let ops = store
            .release_work_order(wo.work_order.id, &admin, "pc")
            .await
            .unwrap()
            .operations;
        // Step 1 ran on 11-02 (on plan) with 9 good 1 NG; step 2 finished on
        // 11-03 (late); step 3 not started. Times set as the terminal would have.
        let local = |d: &str, h: u32| {
            Local
                .from_local_datetime(&day(d).and_hms_opt(h, 0, 0).unwrap())
                .earliest()
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        let finish = |id: i64, started: &str, finished: &str, good: i64, ng: i64| {
            let (s, f) = (local(started, 9), local(finished, 15));
            let pool = store.pool.clone();
            let operator = admin.id;
            async move {
                sqlx::query(
                    "UPDATE operations SET status = 'finished', started_at = ?, finished_at = ?, operator_id = ?,
                            good_qty = ?, ng_qty = ? WHERE id = ?",
                )
                .bind(crate::inspections::stamp(s))
                .bind(crate::inspections::stamp(f))
                .bind(operator)
                .bind(good)
                .bind(ng)
                .bind(id)
                .execute(&pool)
                .await
                .unwrap();
            }
        };
        finish(ops[0].id, "2026-11-02", "2026-11-02", 9, 1).await;
        finish(ops[1].id, "2026-11-02", "2026-11-03", 10, 0).await;

        let rows = store
            .plan_vs_actual(day("2026-11-01"), day("2026-11-03"))
            .await
            .unwrap();
        let view: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.day.to_string(),
                    r.operator_name.clone(),
                    r.planned,
                    r.finished_on_plan,
                    r.finished,
                    r.good_qty,
                )
            })
            .collect();
        assert_eq!(
            view,
            [
                ("2026-11-02".into(), Some("관리자".into()), 2, 1, 1, 9),
                ("2026-11-03".into(), Some("관리자".into()), 0, 0, 1, 10),
                ("2026-11-03".into(), None, 1, 0, 0, 0),
            ]
        );
        // An empty range is empty, and a range longer than a year is refused.
        assert!(
            store
                .plan_vs_actual(day("2025-01-01"), day("2025-01-31"))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .plan_vs_actual(day("2025-01-01"), day("2026-11-03"))
                .await
                .is_err()
        );
    }
}
