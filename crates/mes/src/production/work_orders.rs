//! Work orders (작업지시): planned along an item's routing with the lead-time
//! rule, edited while planned, released to the floor, completed by the
//! floor's last finish or by the office with a reason, or cancelled.

use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{
    Operation, OperationStatus, WorkOrder, WorkOrderDetail, WorkOrderStatus, operation_select, wrong_state,
};
use crate::{
    Error, Field, Result, Rule, Store,
    audit::{self, Action, Entry},
    auth::User,
    inspections::stamp,
    master::{MAX_PAGE, Page, items::RoutingStep, push_search},
    validate,
};

/// The largest quantity one order makes.
pub const MAX_QUANTITY: i32 = 1_000_000;

/// One proposed operation: a routing step with its plan date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OperationPlan {
    pub step: RoutingStep,
    pub plan_date: NaiveDate,
}

/// What planning proposes for an order, before anyone edits it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PlanProposal {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub routing_id: i64,
    /// Due date − order date.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub lead_days: i64,
    /// False when no row of the lead-time table covers the lead: every
    /// operation is then proposed on the order date.
    pub covered: bool,
    pub operations: Vec<OperationPlan>,
}

/// One operation as the planner leaves it, in routing order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OperationPlanInput {
    pub plan_date: NaiveDate,
    pub equipment_id: Option<i32>,
    pub planned_qty: i32,
}

/// A work order as the planning form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WorkOrderInput {
    pub item_id: i32,
    /// None: the item's default routing.
    pub routing_id: Option<i32>,
    pub quantity: i32,
    pub order_date: NaiveDate,
    pub due_date: NaiveDate,
    pub customer_id: Option<i32>,
    pub remarks: Option<String>,
    /// One per routing step, in order.
    pub operations: Vec<OperationPlanInput>,
}

/// Which work orders to list, newest order date first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WorkOrderQuery {
    /// Part of the order number, part number, item or customer name, or of
    /// the remarks (which name the sales order a work order was issued for).
    pub search: Option<String>,
    pub status: Option<WorkOrderStatus>,
    /// Order date on or after.
    pub from: Option<NaiveDate>,
    /// Order date on or before.
    pub to: Option<NaiveDate>,
    pub offset: u32,
    /// 1..=[`MAX_PAGE`].
    pub limit: u32,
}

fn date_order(field: Field) -> Error {
    Error::Invalid {
        field,
        rule: Rule::DateOrder,
    }
}

impl Store {
    /// Plan dates for an order of `item` (on `routing`, or its default): lead
    /// = due − order date; the first lead-time row whose max ≥ lead gives
    /// each process its day offset after the order date.
    pub async fn propose_plan(
        &self,
        item_id: i64,
        routing_id: Option<i64>,
        order_date: NaiveDate,
        due_date: NaiveDate,
    ) -> Result<PlanProposal> {
        if due_date < order_date {
            return Err(date_order(Field::DueDate));
        }
        let mut conn = self.pool.acquire().await?;
        let (routing_id, steps) = routing_of(&mut conn, item_id, routing_id).await?;
        drop(conn);
        let lead_days = (due_date - order_date).num_days();
        let offsets = self.plan_offsets(lead_days).await?;
        let operations = steps
            .into_iter()
            .map(|step| {
                let offset = offsets
                    .iter()
                    .flatten()
                    .find(|o| o.process_id == step.process_id)
                    .map_or(0, |o| o.day_offset);
                OperationPlan {
                    plan_date: (order_date + Duration::days(offset)).min(due_date),
                    step,
                }
            })
            .collect();
        Ok(PlanProposal {
            routing_id,
            lead_days,
            covered: offsets.is_some(),
            operations,
        })
    }

    /// Makes a planned work order with one operation per routing step.
    pub async fn create_work_order(
        &self,
        input: WorkOrderInput,
        actor: &User,
        machine: &str,
    ) -> Result<WorkOrderDetail> {
        let mut tx = self.write().await?;
        let created = create_in(&mut tx, input, None, actor, machine).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes a planned order: quantity, dates, customer, remarks and each
    /// operation's plan date, equipment and quantity. Its item and routing
    /// stay; a different routing is a new order.
    pub async fn update_work_order(
        &self,
        id: i64,
        input: WorkOrderInput,
        actor: &User,
        machine: &str,
    ) -> Result<WorkOrderDetail> {
        let mut tx = self.write().await?;
        let before = detail_in(&mut tx, id).await?;
        let wo = &before.work_order;
        if wo.status != WorkOrderStatus::Planned {
            return Err(wrong_state("work_order", id, wo.status.as_str(), "update"));
        }
        if i64::from(input.item_id) != wo.item_id
            || input.routing_id.is_some_and(|r| i64::from(r) != wo.routing_id)
        {
            return Err(Error::Invalid {
                field: Field::Operations,
                rule: Rule::Format,
            });
        }
        let (_, steps) = routing_of(&mut tx, wo.item_id, Some(wo.routing_id)).await?;
        // The steps as copied into the order, not as the routing reads today.
        let steps: Vec<RoutingStep> = before
            .operations
            .iter()
            .map(|o| RoutingStep {
                seq: o.seq,
                process_id: o.process_id,
                process_name: o.process_name.clone(),
                work_center: o.work_center.clone(),
                equipment_id: o.equipment_id,
                equipment_name: o.equipment_name.clone(),
                cycle_seconds: o.cycle_seconds,
                station_id: o.station_id,
                station_name: steps
                    .iter()
                    .find(|s| s.seq == o.seq)
                    .and_then(|s| s.station_name.clone()),
            })
            .collect();
        let plan = check_input(&input, &steps)?;
        let now = Utc::now();
        sqlx::query(
            "UPDATE work_orders SET quantity = ?, order_date = ?, due_date = ?, customer_id = ?, remarks = ?,
                                    updated_at = ?
             WHERE id = ?",
        )
        .bind(input.quantity)
        .bind(input.order_date)
        .bind(input.due_date)
        .bind(input.customer_id)
        .bind(validate::optional(Field::Remarks, input.remarks.clone(), 500)?)
        .bind(stamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::taken(e, Field::Code))?;
        for (op, p) in before.operations.iter().zip(&plan) {
            sqlx::query(
                "UPDATE operations SET plan_date = ?, equipment_id = ?, planned_qty = ? WHERE id = ?",
            )
            .bind(p.plan_date)
            .bind(p.equipment_id)
            .bind(p.planned_qty)
            .bind(op.id)
            .execute(&mut *tx)
            .await
            .map_err(|e| Error::taken(e, Field::Operations))?;
        }
        let after = detail_in(&mut tx, id).await?;
        let entry = Entry::change(
            actor,
            machine,
            Action::Update,
            "work_order",
            id,
            Some(&before),
            &after,
        );
        audit::write(&mut tx, now, entry).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Releases a planned order to the floor: it is then "in work".
    pub async fn release_work_order(&self, id: i64, actor: &User, machine: &str) -> Result<WorkOrderDetail> {
        self.move_work_order(id, WorkOrderStatus::Planned, "release", None, actor, machine)
            .await
    }

    /// Withdraws a planned order (never one the floor has).
    pub async fn cancel_work_order(
        &self,
        id: i64,
        reason: &str,
        actor: &User,
        machine: &str,
    ) -> Result<WorkOrderDetail> {
        let reason = validate::text(Field::Reason, reason, 1, 500)?;
        self.move_work_order(
            id,
            WorkOrderStatus::Planned,
            "cancel",
            Some(reason),
            actor,
            machine,
        )
        .await
    }

    /// The office completes an order in work before every operation is
    /// finished (a short run, a customer's change), saying why. Operations
    /// not finished stay as they are: the results show what was done.
    pub async fn complete_work_order(
        &self,
        id: i64,
        reason: &str,
        actor: &User,
        machine: &str,
    ) -> Result<WorkOrderDetail> {
        let reason = validate::text(Field::Reason, reason, 1, 500)?;
        self.move_work_order(
            id,
            WorkOrderStatus::InWork,
            "complete",
            Some(reason),
            actor,
            machine,
        )
        .await
    }

    async fn move_work_order(
        &self,
        id: i64,
        from: WorkOrderStatus,
        action: &'static str,
        reason: Option<String>,
        actor: &User,
        machine: &str,
    ) -> Result<WorkOrderDetail> {
        let mut tx = self.write().await?;
        let before = detail_in(&mut tx, id).await?;
        let status = before.work_order.status;
        if status != from {
            return Err(wrong_state("work_order", id, status.as_str(), action));
        }
        let now = stamp(Utc::now());
        let sql = match action {
            "release" => {
                "UPDATE work_orders SET status = 'in_work', released_at = ?1, updated_at = ?1 WHERE id = ?2"
            }
            "cancel" => {
                "UPDATE work_orders SET status = 'cancelled', completion_reason = ?3, updated_at = ?1 WHERE id = ?2"
            }
            _ => {
                "UPDATE work_orders SET status = 'completed', completed_at = ?1, completion_reason = ?3,
                                        updated_at = ?1 WHERE id = ?2"
            }
        };
        sqlx::query(sql)
            .bind(&now)
            .bind(id)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        if action == "complete" {
            crate::sales::work_order_completed(&mut tx, id).await?;
        }
        let after = detail_in(&mut tx, id).await?;
        let entry = Entry::change(
            actor,
            machine,
            Action::Update,
            "work_order",
            id,
            Some(&before),
            &after,
        );
        audit::write(&mut tx, Utc::now(), entry).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn work_order(&self, id: i64) -> Result<WorkOrderDetail> {
        let mut conn = self.pool.acquire().await?;
        detail_in(&mut conn, id).await
    }

    /// Work orders matching `query`, newest order date first, one page.
    pub async fn list_work_orders(&self, query: &WorkOrderQuery) -> Result<Page<WorkOrder>> {
        let limit = validate::in_range(Field::Limit, query.limit, 1, MAX_PAGE)?;
        let filters = |q: &mut QueryBuilder<Sqlite>| {
            q.push(" WHERE 1 = 1");
            if let Some(status) = query.status {
                q.push(" AND status = ").push_bind(status);
            }
            if let Some(from) = query.from {
                q.push(" AND order_date >= ").push_bind(from);
            }
            if let Some(to) = query.to {
                q.push(" AND order_date <= ").push_bind(to);
            }
            if let Some(term) = validate::optional_text(query.search.clone()) {
                push_search(
                    q,
                    &["no", "part_no", "item_name", "customer_name", "remarks"],
                    &term,
                );
            }
        };
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM work_orders_list");
        filters(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM work_orders_list");
        filters(&mut q);
        q.push(" ORDER BY order_date DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(query.offset);
        let rows = q.build_query_as().fetch_all(&self.pool).await?;
        Ok(Page { rows, total })
    }
}

/// [`Store::create_work_order`] in `tx`'s transaction, for a sales-order
/// line when `sales_line` is given.
pub(crate) async fn create_in(
    tx: &mut SqliteConnection,
    input: WorkOrderInput,
    sales_line: Option<i64>,
    actor: &User,
    machine: &str,
) -> Result<WorkOrderDetail> {
    let (routing_id, steps) = routing_of(tx, input.item_id.into(), input.routing_id.map(i64::from)).await?;
    let plan = check_input(&input, &steps)?;
    let no = crate::sales::next_no(tx, "work_orders", "WO", input.order_date).await?;
    let now = Utc::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO work_orders (no, item_id, routing_id, quantity, order_date, due_date, customer_id,
                                  status, remarks, created_at, updated_at, sales_order_line_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?, ?) RETURNING id",
    )
    .bind(&no)
    .bind(input.item_id)
    .bind(routing_id)
    .bind(input.quantity)
    .bind(input.order_date)
    .bind(input.due_date)
    .bind(input.customer_id)
    .bind(validate::optional(Field::Remarks, input.remarks.clone(), 500)?)
    .bind(stamp(now))
    .bind(stamp(now))
    .bind(sales_line)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| Error::taken(e, Field::Code))?;
    for (step, op) in steps.iter().zip(&plan) {
        sqlx::query(
            "INSERT INTO operations (work_order_id, seq, process_id, work_center, equipment_id, station_id,
                                     cycle_seconds, plan_date, planned_qty)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(step.seq)
        .bind(step.process_id)
        .bind(&step.work_center)
        .bind(op.equipment_id)
        .bind(step.station_id)
        .bind(step.cycle_seconds)
        .bind(op.plan_date)
        .bind(op.planned_qty)
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::taken(e, Field::Operations))?;
    }
    let after = detail_in(tx, id).await?;
    let entry = Entry::change(
        actor,
        machine,
        Action::Create,
        "work_order",
        id,
        None::<&()>,
        &after,
    );
    audit::write(tx, now, entry).await?;
    Ok(after)
}

/// The routing asked for (or the item's default) and its steps; the routing
/// must belong to the item and have steps.
async fn routing_of(
    conn: &mut SqliteConnection,
    item_id: i64,
    routing_id: Option<i64>,
) -> Result<(i64, Vec<RoutingStep>)> {
    let default: Option<Option<i64>> =
        sqlx::query_scalar("SELECT default_routing_id FROM items WHERE id = ?")
            .bind(item_id)
            .fetch_optional(&mut *conn)
            .await?;
    let default = default.ok_or(Error::NotFound {
        entity: "item",
        id: item_id,
    })?;
    let routing_id = routing_id.or(default).ok_or(Error::Invalid {
        field: Field::Steps,
        rule: Rule::Required,
    })?;
    let belongs: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM routings WHERE id = ? AND item_id = ?)")
            .bind(routing_id)
            .bind(item_id)
            .fetch_one(&mut *conn)
            .await?;
    if !belongs {
        return Err(Error::NotFound {
            entity: "routing",
            id: routing_id,
        });
    }
    let steps = crate::master::items::steps_in(conn, routing_id).await?;
    if steps.is_empty() {
        return Err(Error::Invalid {
            field: Field::Steps,
            rule: Rule::Required,
        });
    }
    Ok((routing_id, steps))
}

/// The checked plan of each step: (plan date, equipment, quantity).
struct CheckedPlan {
    plan_date: NaiveDate,
    equipment_id: Option<i64>,
    planned_qty: i64,
}

fn check_input(input: &WorkOrderInput, steps: &[RoutingStep]) -> Result<Vec<CheckedPlan>> {
    validate::int_range(Field::Quantity, input.quantity.into(), 1, MAX_QUANTITY.into())?;
    if input.due_date < input.order_date {
        return Err(date_order(Field::DueDate));
    }
    if input.operations.len() != steps.len() {
        return Err(Error::Invalid {
            field: Field::Operations,
            rule: Rule::Format,
        });
    }
    input
        .operations
        .iter()
        .map(|op| {
            if op.plan_date < input.order_date || op.plan_date > input.due_date {
                return Err(date_order(Field::PlanDate));
            }
            Ok(CheckedPlan {
                plan_date: op.plan_date,
                equipment_id: op.equipment_id.map(i64::from),
                planned_qty: validate::int_range(
                    Field::Quantity,
                    op.planned_qty.into(),
                    1,
                    MAX_QUANTITY.into(),
                )?,
            })
        })
        .collect()
}

pub(crate) async fn detail_in(conn: &mut SqliteConnection, id: i64) -> Result<WorkOrderDetail> {
    let work_order: WorkOrder = sqlx::query_as("SELECT * FROM work_orders_list WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(Error::NotFound {
            entity: "work_order",
            id,
        })?;
    let operations: Vec<Operation> = sqlx::query_as(concat!(
        operation_select!(),
        "WHERE work_order_id = ? ORDER BY seq"
    ))
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(WorkOrderDetail {
        work_order,
        operations,
    })
}

/// Completes the order when its last operation finished; returns whether it did.
pub(crate) async fn complete_when_done(conn: &mut SqliteConnection, work_order_id: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE work_orders SET status = 'completed', completed_at = ?1, updated_at = ?1
         WHERE id = ?2 AND status = 'in_work'
           AND NOT EXISTS (SELECT 1 FROM operations WHERE work_order_id = ?2 AND status <> ?3)",
    )
    .bind(stamp(Utc::now()))
    .bind(work_order_id)
    .bind(OperationStatus::Finished)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        crate::sales::work_order_completed(conn, work_order_id).await?;
    }
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        master::{
            lead_times::{LeadTimeRow, ProcessOffset},
            reference::Process,
            tests::page,
        },
        production::tests::{day, order, plant},
    };

    #[tokio::test]
    async fn plan_dates_follow_the_first_lead_row_that_covers_the_lead() {
        let (_dir, store, admin, item) = plant().await;
        let p = store.list::<Process>(&page()).await.unwrap().rows;
        let row = |max_days, offs: [i64; 3]| LeadTimeRow {
            max_days,
            offsets: [0, 1, 4]
                .iter()
                .zip(offs)
                .map(|(&i, d)| ProcessOffset {
                    process_id: p[i].id,
                    day_offset: d,
                })
                .collect(),
        };
        store
            .save_lead_times(vec![row(10, [0, 2, 5]), row(30, [1, 7, 14])], &admin, "pc")
            .await
            .unwrap();
        let dates = |p: &PlanProposal| {
            p.operations
                .iter()
                .map(|o| o.plan_date.to_string())
                .collect::<Vec<_>>()
        };

        // Lead 10 days: the first row (max 10 is inclusive).
        let plan = store
            .propose_plan(item, None, day("2026-11-02"), day("2026-11-12"))
            .await
            .unwrap();
        assert_eq!((plan.lead_days, plan.covered), (10, true));
        assert_eq!(dates(&plan), ["2026-11-02", "2026-11-04", "2026-11-07"]);
        // Lead 11: the second row; a date past the due date is held at it.
        let plan = store
            .propose_plan(item, None, day("2026-11-02"), day("2026-11-13"))
            .await
            .unwrap();
        assert_eq!(dates(&plan), ["2026-11-03", "2026-11-09", "2026-11-13"]);
        // Longer than every row: all on the order date, and said so.
        let plan = store
            .propose_plan(item, None, day("2026-11-02"), day("2027-01-02"))
            .await
            .unwrap();
        assert!(!plan.covered);
        assert_eq!(dates(&plan), ["2026-11-02"; 3]);
        // Due before ordered.
        assert!(matches!(
            store
                .propose_plan(item, None, day("2026-11-02"), day("2026-11-01"))
                .await,
            Err(Error::Invalid {
                field: Field::DueDate,
                rule: Rule::DateOrder
            })
        ));
    }

    #[tokio::test]
    async fn orders_are_numbered_planned_edited_released_and_refused_when_illegal() {
        let (_dir, store, admin, item) = plant().await;
        let wo = store
            .create_work_order(
                order(item, 12, &["2026-11-02", "2026-11-05", "2026-11-09"]),
                &admin,
                "pc",
            )
            .await
            .unwrap();
        assert_eq!(wo.work_order.no, "WO-261102-001");
        assert_eq!(wo.work_order.status, WorkOrderStatus::Planned);
        assert_eq!(wo.operations.len(), 3);
        assert!(
            wo.operations
                .iter()
                .all(|o| o.planned_qty == 12 && o.status == OperationStatus::Waiting)
        );
        let second = store
            .create_work_order(order(item, 1, &["2026-11-02"; 3]), &admin, "pc")
            .await
            .unwrap();
        assert_eq!(second.work_order.no, "WO-261102-002");

        // Bad plans change nothing.
        let bad = [
            order(item, 0, &["2026-11-02"; 3]),
            order(item, 5, &["2026-11-02"; 2]),
            order(item, 5, &["2026-11-01", "2026-11-02", "2026-11-02"]),
            order(item, 5, &["2026-11-02", "2026-11-02", "2026-11-21"]),
        ];
        for input in bad {
            assert!(matches!(
                store.create_work_order(input.clone(), &admin, "pc").await,
                Err(Error::Invalid { .. })
            ));
            assert!(
                store
                    .update_work_order(wo.work_order.id, input, &admin, "pc")
                    .await
                    .is_err()
            );
        }
        assert_eq!(store.work_order(wo.work_order.id).await.unwrap(), wo);

        // Edited while planned.
        let edited = store
            .update_work_order(
                wo.work_order.id,
                order(item, 20, &["2026-11-03", "2026-11-06", "2026-11-10"]),
                &admin,
                "pc",
            )
            .await
            .unwrap();
        assert_eq!(edited.work_order.quantity, 20);
        assert_eq!(edited.operations[2].plan_date, day("2026-11-10"));

        let released = store
            .release_work_order(wo.work_order.id, &admin, "pc")
            .await
            .unwrap();
        assert_eq!(released.work_order.status, WorkOrderStatus::InWork);
        assert!(released.work_order.released_at.is_some());
        // Once released: no second release, no edit, no cancel.
        for refused in [
            store.release_work_order(wo.work_order.id, &admin, "pc").await,
            store
                .update_work_order(wo.work_order.id, order(item, 3, &["2026-11-03"; 3]), &admin, "pc")
                .await,
            store
                .cancel_work_order(wo.work_order.id, "고객 취소", &admin, "pc")
                .await,
        ] {
            assert!(
                matches!(
                    refused,
                    Err(Error::WrongState {
                        status: "in_work",
                        ..
                    })
                ),
                "{refused:?}"
            );
        }
        // A planned order can be cancelled, with a reason; then never released.
        assert!(matches!(
            store
                .cancel_work_order(second.work_order.id, " ", &admin, "pc")
                .await,
            Err(Error::Invalid {
                field: Field::Reason,
                ..
            })
        ));
        store
            .cancel_work_order(second.work_order.id, "고객 취소", &admin, "pc")
            .await
            .unwrap();
        assert!(matches!(
            store.release_work_order(second.work_order.id, &admin, "pc").await,
            Err(Error::WrongState {
                status: "cancelled",
                ..
            })
        ));
        // The office completes an order in work with a reason.
        let done = store
            .complete_work_order(wo.work_order.id, "고객 요청으로 10개만 납품", &admin, "pc")
            .await
            .unwrap();
        assert_eq!(done.work_order.status, WorkOrderStatus::Completed);
        assert_eq!(
            done.work_order.completion_reason.as_deref(),
            Some("고객 요청으로 10개만 납품")
        );

        // Every change has its audit row.
        let audit = store.audit_recent(50).await.unwrap();
        assert_eq!(audit.iter().filter(|r| r.entity == "work_order").count(), 6);

        let page = store
            .list_work_orders(&WorkOrderQuery {
                search: Some("wo-261102".into()),
                limit: 10,
                ..WorkOrderQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(page.total, 2);
        let cancelled = store
            .list_work_orders(&WorkOrderQuery {
                status: Some(WorkOrderStatus::Cancelled),
                limit: 10,
                ..WorkOrderQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(cancelled.rows.len(), 1);
        assert_eq!(cancelled.rows[0].id, second.work_order.id);
    }
}
