//! The shop-floor terminal (작업실적입력): an operator's open operations by
//! work centre, and Start, Pause (with a downtime reason), Resume, quantity
//! reports with defect codes, and Finish, each with its real timestamp.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use super::{
    Operation, OperationStatus, WorkOrderStatus, operation_select, work_orders::complete_when_done,
    wrong_state,
};
use crate::{
    Error, Field, Result, Rule, Store,
    audit::{self, Action, Entry},
    auth::User,
    inspections::stamp,
    validate,
};

/// The most parts one report may count.
pub const MAX_REPORT: i32 = 1_000_000;

/// A work centre and how many operations wait or run there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WorkCenterLoad {
    /// None: operations whose routing step names no work centre.
    pub work_center: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub open: i64,
}

/// NG parts of one defect type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DefectQty {
    pub defect_code_id: i32,
    pub qty: i32,
}

/// Parts made since the last report: every NG part has a defect code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct QuantityReport {
    pub good: i32,
    pub ng: i32,
    /// NG parts that cannot be reworked; at most `ng`.
    pub scrap: i32,
    pub defects: Vec<DefectQty>,
}

impl QuantityReport {
    fn is_empty(&self) -> bool {
        self.good == 0 && self.ng == 0
    }

    fn check(&self) -> Result<()> {
        validate::int_range(Field::Quantity, self.good.into(), 0, MAX_REPORT.into())?;
        validate::int_range(Field::Quantity, self.ng.into(), 0, MAX_REPORT.into())?;
        validate::int_range(Field::Scrap, self.scrap.into(), 0, self.ng.into())?;
        let mut codes = BTreeSet::new();
        let mut sum = 0i64;
        for d in &self.defects {
            validate::int_range(Field::Defects, d.qty.into(), 1, MAX_REPORT.into())?;
            if !codes.insert(d.defect_code_id) {
                return Err(Error::Invalid {
                    field: Field::Defects,
                    rule: Rule::Repeated,
                });
            }
            sum += i64::from(d.qty);
        }
        if sum != i64::from(self.ng) {
            return Err(Error::Invalid {
                field: Field::Defects,
                rule: Rule::Sum,
            });
        }
        Ok(())
    }
}

/// What the operator confirms at Finish.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FinishInput {
    /// The parts not reported yet (may be all zero).
    pub report: QuantityReport,
    /// Supplier or material lot numbers that went into this operation.
    pub material_lots: Vec<String>,
}

impl Store {
    /// Work centres with operations of released orders not finished yet.
    pub async fn work_centers(&self) -> Result<Vec<WorkCenterLoad>> {
        Ok(sqlx::query_as(
            "SELECT o.work_center, COUNT(*) AS open FROM operations o
             JOIN work_orders w ON w.id = o.work_order_id
             WHERE w.status = 'in_work' AND o.status <> 'finished'
             GROUP BY o.work_center ORDER BY o.work_center IS NULL, o.work_center",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The open operations of a work centre (none: those without one), in
    /// plan order: running and paused first, then by plan date.
    pub async fn open_operations(&self, work_center: Option<&str>) -> Result<Vec<Operation>> {
        Ok(sqlx::query_as(concat!(
            operation_select!(),
            "WHERE work_order_status = 'in_work' AND status <> 'finished' AND work_center IS ?
             ORDER BY status = 'waiting', plan_date, work_order_no, seq"
        ))
        .bind(work_center)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn operation(&self, id: i64) -> Result<Operation> {
        let mut conn = self.pool.acquire().await?;
        operation_in(&mut conn, id).await
    }

    /// Starts a waiting operation of a released order; the operator is the actor.
    pub async fn start_operation(&self, id: i64, actor: &User, machine: &str) -> Result<Operation> {
        self.operation_action(id, Act::Start, actor, machine).await
    }

    /// Pauses a running operation: a stop with its reason opens.
    pub async fn pause_operation(
        &self,
        id: i64,
        reason_id: i64,
        note: Option<String>,
        actor: &User,
        machine: &str,
    ) -> Result<Operation> {
        let note = validate::optional(Field::Reason, note, 500)?;
        self.operation_action(id, Act::Pause { reason_id, note }, actor, machine)
            .await
    }

    /// Resumes a paused operation: its stop ends now.
    pub async fn resume_operation(&self, id: i64, actor: &User, machine: &str) -> Result<Operation> {
        self.operation_action(id, Act::Resume, actor, machine).await
    }

    /// Adds good, NG and scrap counts to a running or paused operation.
    pub async fn report_quantities(
        &self,
        id: i64,
        report: QuantityReport,
        actor: &User,
        machine: &str,
    ) -> Result<Operation> {
        report.check()?;
        if report.is_empty() {
            return Err(Error::Invalid {
                field: Field::Quantity,
                rule: Rule::Required,
            });
        }
        self.operation_action(id, Act::Report(report), actor, machine)
            .await
    }

    /// Finishes a running or paused operation with the parts not yet
    /// reported: any stop ends, its good output becomes a lot fed by the lot
    /// of the step before and the material lots named, and the order
    /// completes when this was its last open operation.
    pub async fn finish_operation(
        &self,
        id: i64,
        finish: FinishInput,
        actor: &User,
        machine: &str,
    ) -> Result<Operation> {
        finish.report.check()?;
        let mut materials = BTreeSet::new();
        for lot in &finish.material_lots {
            materials.insert(validate::text(Field::MaterialLot, lot, 1, 50)?);
        }
        self.operation_action(
            id,
            Act::Finish {
                report: finish.report,
                materials,
            },
            actor,
            machine,
        )
        .await
    }

    /// One terminal action: reads the operation inside a write transaction,
    /// checks that its state allows the action, applies it, and writes the
    /// audit row with the operation before and after.
    async fn operation_action(&self, id: i64, act: Act, actor: &User, machine: &str) -> Result<Operation> {
        let mut tx = self.write().await?;
        let before = operation_in(&mut tx, id).await?;
        let action = act.name();
        // The operation's own state first: a second Finish hears "already finished".
        if !act.allowed_from().contains(&before.status) {
            return Err(wrong_state("operation", id, before.status.as_str(), action));
        }
        if before.work_order_status != WorkOrderStatus::InWork {
            return Err(wrong_state(
                "work_order",
                before.work_order_id,
                before.work_order_status.as_str(),
                action,
            ));
        }
        let now = Utc::now();
        apply(&mut tx, &before, act, actor, now).await?;
        let after = operation_in(&mut tx, id).await?;
        let mut entry = Entry::change(
            actor,
            machine,
            Action::Update,
            "operation",
            id,
            Some(&before),
            &after,
        );
        if let Some(after) = entry.after.as_mut().and_then(|a| a.as_object_mut()) {
            after.insert("action".into(), action.into());
        }
        audit::write(&mut tx, now, entry).await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// What an operator does to an operation.
enum Act {
    Start,
    Pause {
        reason_id: i64,
        note: Option<String>,
    },
    Resume,
    Report(QuantityReport),
    Finish {
        report: QuantityReport,
        materials: BTreeSet<String>,
    },
}

impl Act {
    fn name(&self) -> &'static str {
        match self {
            Act::Start => "start",
            Act::Pause { .. } => "pause",
            Act::Resume => "resume",
            Act::Report(_) => "report",
            Act::Finish { .. } => "finish",
        }
    }

    /// The states the action may start from: the state machine.
    fn allowed_from(&self) -> &'static [OperationStatus] {
        use OperationStatus::*;
        match self {
            Act::Start => &[Waiting],
            Act::Pause { .. } => &[Running],
            Act::Resume => &[Paused],
            Act::Report(_) | Act::Finish { .. } => &[Running, Paused],
        }
    }
}

async fn apply(
    tx: &mut SqliteConnection,
    op: &Operation,
    act: Act,
    actor: &User,
    now: DateTime<Utc>,
) -> Result<()> {
    match act {
        Act::Start => {
            sqlx::query(
                "UPDATE operations SET status = 'running', started_at = ?, operator_id = ? WHERE id = ?",
            )
            .bind(stamp(now))
            .bind(actor.id)
            .bind(op.id)
            .execute(tx)
            .await?;
        }
        Act::Pause { reason_id, note } => {
            // A stop a station opened on its own ends where the operator's begins.
            super::downtime::close_open(tx, op.id, now).await?;
            let opened = sqlx::query(
                "INSERT INTO downtimes (operation_id, reason_id, source, started_at, note, recorded_by)
                 SELECT ?, id, 'operator', ?, ?, ? FROM downtime_reasons WHERE id = ? AND active",
            )
            .bind(op.id)
            .bind(stamp(now))
            .bind(note)
            .bind(actor.id)
            .bind(reason_id)
            .execute(&mut *tx)
            .await?;
            if opened.rows_affected() != 1 {
                return Err(Error::Invalid {
                    field: Field::Reason,
                    rule: Rule::Unknown,
                });
            }
            set_status(tx, op.id, OperationStatus::Paused).await?;
        }
        Act::Resume => {
            super::downtime::close_open(tx, op.id, now).await?;
            set_status(tx, op.id, OperationStatus::Running).await?;
        }
        Act::Report(report) => add_report(tx, op.id, &report, actor, now).await?,
        Act::Finish { report, materials } => {
            super::downtime::close_open(tx, op.id, now).await?;
            if !report.is_empty() {
                add_report(tx, op.id, &report, actor, now).await?;
            }
            sqlx::query("UPDATE operations SET status = 'finished', finished_at = ? WHERE id = ?")
                .bind(stamp(now))
                .bind(op.id)
                .execute(&mut *tx)
                .await?;
            super::lots::make_lot(tx, op, &materials, now).await?;
            complete_when_done(tx, op.work_order_id).await?;
        }
    }
    Ok(())
}

async fn set_status(tx: &mut SqliteConnection, id: i64, status: OperationStatus) -> Result<()> {
    sqlx::query("UPDATE operations SET status = ? WHERE id = ?")
        .bind(status)
        .bind(id)
        .execute(tx)
        .await?;
    Ok(())
}

async fn add_report(
    tx: &mut SqliteConnection,
    operation_id: i64,
    report: &QuantityReport,
    actor: &User,
    now: DateTime<Utc>,
) -> Result<()> {
    let report_id: i64 = sqlx::query_scalar(
        "INSERT INTO operation_reports (operation_id, at, operator_id, good, ng, scrap)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(operation_id)
    .bind(stamp(now))
    .bind(actor.id)
    .bind(report.good)
    .bind(report.ng)
    .bind(report.scrap)
    .fetch_one(&mut *tx)
    .await?;
    for d in &report.defects {
        sqlx::query(
            "INSERT INTO report_defects (report_id, defect_code_id, qty)
             SELECT ?, id, ? FROM defect_codes WHERE id = ? AND active",
        )
        .bind(report_id)
        .bind(d.qty)
        .bind(d.defect_code_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        .eq(&1)
        .then_some(())
        .ok_or(Error::Invalid {
            field: Field::Defects,
            rule: Rule::Unknown,
        })?;
    }
    sqlx::query("UPDATE operations SET good_qty = good_qty + ?, ng_qty = ng_qty + ?, scrap_qty = scrap_qty + ? WHERE id = ?")
        .bind(report.good)
        .bind(report.ng)
        .bind(report.scrap)
        .bind(operation_id)
        .execute(tx)
        .await?;
    Ok(())
}

pub(crate) async fn operation_in(conn: &mut SqliteConnection, id: i64) -> Result<Operation> {
    sqlx::query_as(concat!(operation_select!(), "WHERE id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound {
            entity: "operation",
            id,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::production::{
        WorkOrderStatus,
        tests::{order, plant, reasons_and_defects},
    };

    async fn released(store: &Store, admin: &User, item: i64) -> Vec<Operation> {
        let wo = store
            .create_work_order(
                order(item, 12, &["2026-11-02", "2026-11-03", "2026-11-04"]),
                admin,
                "pc",
            )
            .await
            .unwrap();
        store
            .release_work_order(wo.work_order.id, admin, "pc")
            .await
            .unwrap()
            .operations
    }

    #[tokio::test]
    async fn an_operation_runs_start_pause_resume_finish_and_refuses_illegal_moves() {
        let (_dir, store, admin, item) = plant().await;
        let ops = released(&store, &admin, item).await;
        let op = ops[0].id;
        let (reason, defects) = reasons_and_defects(&store, &admin).await;

        // Only what the state allows.
        assert!(matches!(
            store.pause_operation(op, reason[0].id, None, &admin, "pc").await,
            Err(Error::WrongState {
                status: "waiting",
                action: "pause",
                ..
            })
        ));
        assert!(matches!(
            store
                .finish_operation(op, FinishInput::default(), &admin, "pc")
                .await,
            Err(Error::WrongState {
                status: "waiting",
                ..
            })
        ));
        let started = store.start_operation(op, &admin, "pc").await.unwrap();
        assert_eq!(started.status, OperationStatus::Running);
        assert_eq!(started.operator_id, Some(admin.id));
        assert!(started.started_at.is_some());
        assert!(matches!(
            store.start_operation(op, &admin, "pc").await,
            Err(Error::WrongState {
                status: "running",
                ..
            })
        ));
        assert!(matches!(
            store.pause_operation(op, 9999, None, &admin, "pc").await,
            Err(Error::Invalid {
                field: Field::Reason,
                rule: Rule::Unknown
            })
        ));
        let paused = store
            .pause_operation(op, reason[0].id, Some("자재 대기".into()), &admin, "pc")
            .await
            .unwrap();
        assert_eq!(paused.status, OperationStatus::Paused);
        assert!(matches!(
            store.pause_operation(op, reason[0].id, None, &admin, "pc").await,
            Err(Error::WrongState { status: "paused", .. })
        ));
        assert_eq!(
            store.resume_operation(op, &admin, "pc").await.unwrap().status,
            OperationStatus::Running
        );

        // Reports: NG must be explained by defect codes that add up.
        let report = |good, ng, scrap, defects: Vec<DefectQty>| QuantityReport {
            good,
            ng,
            scrap,
            defects,
        };
        let d = |i: usize, qty| DefectQty {
            defect_code_id: defects[i].id as i32,
            qty,
        };
        for bad in [
            report(1, 2, 0, vec![d(0, 1)]),
            report(1, 2, 3, vec![d(0, 2)]),
            report(-1, 0, 0, vec![]),
            report(0, 2, 0, vec![d(0, 1), d(0, 1)]),
            report(0, 0, 0, vec![]),
        ] {
            assert!(matches!(
                store.report_quantities(op, bad, &admin, "pc").await,
                Err(Error::Invalid { .. })
            ));
        }
        let after = store
            .report_quantities(op, report(4, 1, 0, vec![d(1, 1)]), &admin, "pc")
            .await
            .unwrap();
        assert_eq!((after.good_qty, after.ng_qty), (4, 1));

        let finished = store
            .finish_operation(
                op,
                FinishInput {
                    report: report(6, 1, 1, vec![d(0, 1)]),
                    material_lots: vec!["STEEL-2611-07".into()],
                },
                &admin,
                "pc",
            )
            .await
            .unwrap();
        assert_eq!(finished.status, OperationStatus::Finished);
        assert_eq!(
            (finished.good_qty, finished.ng_qty, finished.scrap_qty),
            (10, 2, 1)
        );
        assert_eq!(finished.lot_no.as_deref(), Some("WO-261102-001-01"));
        assert!(finished.finished_at >= finished.started_at);

        // The stop lasted from pause to resume.
        let stops: Vec<(Option<String>, i64)> =
            sqlx::query_as("SELECT ended_at, reason_id FROM downtimes WHERE operation_id = ?")
                .bind(op)
                .fetch_all(&store.pool)
                .await
                .unwrap();
        assert_eq!(stops.len(), 1);
        assert!(stops[0].0.is_some());

        // A finished operation takes nothing more.
        assert!(matches!(
            store
                .report_quantities(op, report(1, 0, 0, vec![]), &admin, "pc")
                .await,
            Err(Error::WrongState {
                status: "finished",
                ..
            })
        ));
    }

    #[tokio::test]
    async fn the_last_finish_completes_the_order_and_two_finishes_give_one() {
        let (_dir, store, admin, item) = plant().await;
        let ops = released(&store, &admin, item).await;
        assert_eq!(store.work_centers().await.unwrap().len(), 2, "A and B");
        let at_a = store.open_operations(Some("A")).await.unwrap();
        assert_eq!(at_a.iter().map(|o| o.seq).collect::<Vec<_>>(), [1, 2]);
        for op in &ops {
            store.start_operation(op.id, &admin, "pc").await.unwrap();
        }
        for op in &ops[..2] {
            store
                .finish_operation(op.id, FinishInput::default(), &admin, "pc")
                .await
                .unwrap();
        }
        assert_eq!(
            store
                .work_order(ops[0].work_order_id)
                .await
                .unwrap()
                .work_order
                .status,
            WorkOrderStatus::InWork
        );
        // Two terminals finish the last operation at the same moment.
        let last = ops[2].id;
        let (a, b) = tokio::join!(
            store.finish_operation(last, FinishInput::default(), &admin, "tablet-1"),
            store.finish_operation(last, FinishInput::default(), &admin, "tablet-2"),
        );
        assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
        let refused = a.err().or(b.err()).unwrap();
        assert!(
            matches!(
                refused,
                Error::WrongState {
                    status: "finished",
                    action: "finish",
                    ..
                }
            ),
            "{refused:?}"
        );
        let wo = store.work_order(ops[0].work_order_id).await.unwrap();
        assert_eq!(wo.work_order.status, WorkOrderStatus::Completed);
        assert!(wo.work_order.completion_reason.is_none());
        assert!(store.open_operations(Some("B")).await.unwrap().is_empty());
        let finishes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lots")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(finishes, 3);
    }
}
