//! Downtime (비가동): stops an operator records with a reason when pausing,
//! and unexplained stops a station opens by itself when it sees no part for
//! a while during a running operation, which a supervisor classifies later.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::{
    Error, Field, Result, Rule, Store,
    audit::{self, Action, Entry},
    auth::User,
    inspections::stamp,
    master::{MAX_PAGE, Page, reference::DowntimeCategory},
    validate,
};

/// Who recorded a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum DowntimeSource {
    Operator,
    Station,
}

/// A stop, with the operation it interrupted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Downtime {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub operation_id: i64,
    pub work_order_no: String,
    pub process_name: String,
    pub work_center: Option<String>,
    pub equipment_name: Option<String>,
    /// None: unexplained until someone classifies it.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub reason_id: Option<i64>,
    pub reason_name: Option<String>,
    pub category: Option<DowntimeCategory>,
    pub source: DowntimeSource,
    pub started_at: DateTime<Utc>,
    /// None while the stop lasts.
    pub ended_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub recorded_by_name: Option<String>,
    pub classified_by_name: Option<String>,
}

/// Which stops to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DowntimeQuery {
    /// Started at or after.
    pub from: Option<DateTime<Utc>>,
    /// Started before.
    pub until: Option<DateTime<Utc>>,
    /// Only the stops no one has classified yet.
    pub unexplained_only: bool,
    pub offset: u32,
    /// 1..=[`MAX_PAGE`].
    pub limit: u32,
}

const DOWNTIME_SELECT: &str = "SELECT d.id, d.operation_id, o.work_order_no, o.process_name, o.work_center,
        o.equipment_name, d.reason_id, r.name AS reason_name, r.category, d.source, d.started_at, d.ended_at,
        d.note, (SELECT u.display_name FROM users u WHERE u.id = d.recorded_by) AS recorded_by_name,
        (SELECT u.display_name FROM users u WHERE u.id = d.classified_by) AS classified_by_name
    FROM downtimes d
    JOIN operations_list o ON o.id = d.operation_id
    LEFT JOIN downtime_reasons r ON r.id = d.reason_id";

impl Store {
    pub async fn list_downtimes(&self, query: &DowntimeQuery) -> Result<Page<Downtime>> {
        let limit = validate::in_range(Field::Limit, query.limit, 1, MAX_PAGE)?;
        let filters = |q: &mut QueryBuilder<Sqlite>| {
            q.push(" WHERE 1 = 1");
            if let Some(from) = query.from {
                q.push(" AND d.started_at >= ").push_bind(stamp(from));
            }
            if let Some(until) = query.until {
                q.push(" AND d.started_at < ").push_bind(stamp(until));
            }
            if query.unexplained_only {
                q.push(" AND d.reason_id IS NULL");
            }
        };
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM downtimes d");
        filters(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut q = QueryBuilder::<Sqlite>::new(DOWNTIME_SELECT);
        filters(&mut q);
        q.push(" ORDER BY d.started_at DESC, d.id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(query.offset);
        let rows = q.build_query_as().fetch_all(&self.pool).await?;
        Ok(Page { rows, total })
    }

    /// A supervisor gives a stop its reason (or corrects one), with a note.
    pub async fn classify_downtime(
        &self,
        id: i64,
        reason_id: i64,
        note: Option<String>,
        actor: &User,
        machine: &str,
    ) -> Result<Downtime> {
        let note = validate::optional(Field::Reason, note, 500)?;
        let mut tx = self.write().await?;
        let before = downtime_in(&mut tx, id).await?;
        let now = Utc::now();
        let changed = sqlx::query(
            "UPDATE downtimes SET reason_id = r.id, note = ?, classified_by = ?, classified_at = ?
             FROM (SELECT id FROM downtime_reasons WHERE id = ? AND active) r WHERE downtimes.id = ?",
        )
        .bind(note)
        .bind(actor.id)
        .bind(stamp(now))
        .bind(reason_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            return Err(Error::Invalid {
                field: Field::Reason,
                rule: Rule::Unknown,
            });
        }
        let after = downtime_in(&mut tx, id).await?;
        let entry = Entry::change(
            actor,
            machine,
            Action::Update,
            "downtime",
            id,
            Some(&before),
            &after,
        );
        audit::write(&mut tx, now, entry).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A station has seen no part since `last_part` while its operation runs:
    /// an unexplained stop opens from then, unless one is open already.
    /// Returns the stop opened, if any. Not a user action: no audit row.
    pub async fn station_idle(&self, station_id: i64, last_part: DateTime<Utc>) -> Result<Option<Downtime>> {
        let mut tx = self.write().await?;
        let opened: Option<i64> = sqlx::query_scalar(
            "INSERT INTO downtimes (operation_id, source, started_at)
             SELECT o.id, 'station', max(?, o.started_at) FROM operations o
             WHERE o.station_id = ? AND o.status = 'running'
               AND NOT EXISTS (SELECT 1 FROM downtimes d WHERE d.operation_id = o.id AND d.ended_at IS NULL)
             ORDER BY o.started_at DESC LIMIT 1
             RETURNING id",
        )
        .bind(stamp(last_part))
        .bind(station_id)
        .fetch_optional(&mut *tx)
        .await?;
        let stop = match opened {
            Some(id) => Some(downtime_in(&mut tx, id).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(stop)
    }
}

/// Ends the operation's open stop, if any, at `at`.
pub(crate) async fn close_open(
    conn: &mut SqliteConnection,
    operation_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE downtimes SET ended_at = max(?, started_at) WHERE operation_id = ? AND ended_at IS NULL",
    )
    .bind(stamp(at))
    .bind(operation_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A part seen at `at` ends the unexplained stop a station opened, if any.
pub(crate) async fn part_seen(
    conn: &mut SqliteConnection,
    operation_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE downtimes SET ended_at = max(?, started_at)
         WHERE operation_id = ? AND ended_at IS NULL AND source = 'station'",
    )
    .bind(stamp(at))
    .bind(operation_id)
    .execute(conn)
    .await?;
    Ok(())
}

async fn downtime_in(conn: &mut SqliteConnection, id: i64) -> Result<Downtime> {
    let mut q = QueryBuilder::<Sqlite>::new(DOWNTIME_SELECT);
    q.push(" WHERE d.id = ").push_bind(id);
    q.build_query_as()
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound {
            entity: "downtime",
            id,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        inspections::{NewInspection, NewStation, Verdict},
        master::items::RoutingInput,
        production::{
            OperationStatus,
            tests::{order, plant, reasons_and_defects},
        },
    };

    #[tokio::test]
    async fn a_watching_station_counts_parts_and_opens_and_ends_unexplained_stops() {
        let (_dir, store, admin, item) = plant().await;
        let (reasons, _) = reasons_and_defects(&store, &admin).await;
        let station = store
            .create_station(
                NewStation {
                    name: "검사기".into(),
                    config_json: "{}".into(),
                },
                &admin,
                "pc",
            )
            .await
            .unwrap();
        // The routing's inspection step is watched by the station.
        let routing = store.routing(1).await.unwrap();
        let mut steps: Vec<_> = routing
            .steps
            .iter()
            .map(|s| crate::master::items::RoutingStepInput {
                process_id: s.process_id as i32,
                work_center: s.work_center.clone(),
                equipment_id: None,
                cycle_seconds: s.cycle_seconds,
                station_id: None,
            })
            .collect();
        steps[2].station_id = Some(station.id as i32);
        let input = RoutingInput {
            item_id: item as i32,
            name: routing.routing.name.clone(),
            remarks: None,
            active: true,
            is_default: true,
            steps,
        };
        store.save_routing(Some(1), input, &admin, "pc").await.unwrap();
        let wo = store
            .create_work_order(order(item, 5, &["2026-11-02"; 3]), &admin, "pc")
            .await
            .unwrap();
        let ops = store
            .release_work_order(wo.work_order.id, &admin, "pc")
            .await
            .unwrap()
            .operations;
        let inspected = ops[2].id;
        let part = |verdict, at: DateTime<Utc>| NewInspection {
            station_id: station.id,
            at,
            day: at.date_naive(),
            model_version: "1".into(),
            score: 0.1,
            threshold: 0.5,
            verdict,
            defect_type: None,
            image_path: None,
            heatmap_path: None,
            work_order_op_id: None,
            lot: None,
        };
        // Before the operation runs, parts count for the station only; no stop opens.
        store
            .record_inspection(part(Verdict::Ok, Utc::now()))
            .await
            .unwrap();
        assert!(
            store
                .station_idle(station.id, Utc::now())
                .await
                .unwrap()
                .is_none()
        );
        store.start_operation(inspected, &admin, "pc").await.unwrap();
        let t0 = Utc::now();
        for v in [Verdict::Ok, Verdict::Ok, Verdict::Ng] {
            store.record_inspection(part(v, t0)).await.unwrap();
        }
        let op = store.operation(inspected).await.unwrap();
        assert_eq!((op.station_ok, op.station_ng), (2, 1));
        assert_eq!((op.good_qty, op.ng_qty), (0, 0), "the operator confirms");

        // No part for a while: one unexplained stop, opened once.
        let stop = store
            .station_idle(station.id, t0)
            .await
            .unwrap()
            .expect("a stop opens");
        assert_eq!(
            (stop.source, stop.reason_id, stop.ended_at),
            (DowntimeSource::Station, None, None)
        );
        assert!(store.station_idle(station.id, t0).await.unwrap().is_none());
        // The next part ends it.
        store
            .record_inspection(part(Verdict::Ok, Utc::now()))
            .await
            .unwrap();
        let listed = store
            .list_downtimes(&DowntimeQuery {
                unexplained_only: true,
                limit: 10,
                ..DowntimeQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(listed.total, 1);
        assert!(listed.rows[0].ended_at.is_some());

        // A supervisor classifies it, with an audit row; an unknown reason is refused.
        assert!(matches!(
            store.classify_downtime(stop.id, 999, None, &admin, "pc").await,
            Err(Error::Invalid {
                field: Field::Reason,
                rule: Rule::Unknown
            })
        ));
        let classified = store
            .classify_downtime(stop.id, reasons[0].id, Some("컨베이어 걸림".into()), &admin, "pc")
            .await
            .unwrap();
        assert_eq!(classified.reason_name.as_deref(), Some("설비 고장"));
        assert_eq!(classified.classified_by_name.as_deref(), Some("관리자"));
        let unexplained = store
            .list_downtimes(&DowntimeQuery {
                unexplained_only: true,
                limit: 10,
                ..DowntimeQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(unexplained.total, 0);
        assert!(
            store
                .audit_recent(3)
                .await
                .unwrap()
                .iter()
                .any(|r| r.entity == "downtime")
        );

        // A paused operation is not watched for idleness.
        store
            .pause_operation(inspected, reasons[1].id, None, &admin, "pc")
            .await
            .unwrap();
        assert!(
            store
                .station_idle(station.id, Utc::now())
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            store.operation(inspected).await.unwrap().status,
            OperationStatus::Paused
        );
    }
}
