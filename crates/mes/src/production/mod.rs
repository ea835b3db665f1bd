//! Production (생산관리): work orders planned along an item's routing, the
//! shop-floor terminal that runs their operations, quantity reports,
//! downtime, lots and their genealogy, OEE, and plan against actual.
//!
//! Every user action is one `BEGIN IMMEDIATE` transaction with its audit
//! row; a state change reads the current state inside that transaction, so
//! two terminals pressing Finish at once give one finish and one
//! [`Error::WrongState`].

pub mod downtime;
pub mod lots;
pub mod oee;
pub mod plan_vs_actual;
pub mod terminal;
pub mod work_orders;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Error;

/// A work order's place in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum WorkOrderStatus {
    /// 계획: plan dates may still change.
    Planned,
    /// 작업중: released to the floor.
    InWork,
    /// 작업완료: every operation finished, or the office completed it.
    Completed,
    /// 취소: withdrawn before release.
    Cancelled,
}

impl WorkOrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::InWork => "in_work",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// An operation's place on the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum OperationStatus {
    Waiting,
    Running,
    Paused,
    Finished,
}

impl OperationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Finished => "finished",
        }
    }
}

/// A work order as listed, with its item, customer and progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WorkOrder {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub no: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub item_id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub routing_id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub quantity: i64,
    pub order_date: NaiveDate,
    pub due_date: NaiveDate,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub customer_id: Option<i64>,
    pub status: WorkOrderStatus,
    pub released_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completion_reason: Option<String>,
    pub remarks: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub part_no: String,
    pub item_name: String,
    pub customer_name: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub operation_count: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub finished_count: i64,
}

/// One operation of a work order, with the names the floor sees.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub work_order_id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub seq: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub process_id: i64,
    pub work_center: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub equipment_id: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub station_id: Option<i64>,
    pub cycle_seconds: f64,
    pub plan_date: NaiveDate,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub planned_qty: i64,
    pub status: OperationStatus,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub operator_id: Option<i64>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub good_qty: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub ng_qty: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub scrap_qty: i64,
    /// Parts the inspection station passed while the operation ran.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub station_ok: i64,
    /// Parts the inspection station rejected while the operation ran.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub station_ng: i64,
    pub work_order_no: String,
    pub work_order_status: WorkOrderStatus,
    pub due_date: NaiveDate,
    pub part_no: String,
    pub item_name: String,
    pub process_name: String,
    pub equipment_name: Option<String>,
    pub operator_name: Option<String>,
    pub lot_no: Option<String>,
}

/// A work order with its operations in routing order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WorkOrderDetail {
    pub work_order: WorkOrder,
    pub operations: Vec<Operation>,
}

/// The action refused by the state a record is in.
pub(crate) fn wrong_state(
    entity: &'static str,
    id: i64,
    status: &'static str,
    action: &'static str,
) -> Error {
    Error::WrongState {
        entity,
        id,
        status,
        action,
    }
}

/// The columns of [`Operation`] from `operations_list`, as a literal for `concat!`.
macro_rules! operation_select {
    () => {
        "SELECT * FROM operations_list "
    };
}
pub(crate) use operation_select;

#[cfg(test)]
pub(crate) mod tests {
    use chrono::NaiveDate;

    use super::work_orders::{OperationPlanInput, WorkOrderInput};
    use crate::{
        Store,
        auth::User,
        master::{
            items::{Item, ItemInput, RoutingInput, RoutingStepInput},
            reference::{
                DefectCode, DefectCodeInput, DowntimeCategory, DowntimeReason, DowntimeReasonInput, Process,
            },
            tests::{actor, page},
        },
    };

    pub fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// An item with a three-step routing (제관 → 용접 → 검사) on work
    /// centres A, A and B; returns the item's id.
    pub async fn item_with_routing(store: &Store, admin: &User) -> i64 {
        let item = store
            .save::<Item>(
                None,
                ItemInput {
                    part_no: "BR-100".into(),
                    name: "브래킷".into(),
                    spec: None,
                    unit: "EA".into(),
                    remarks: None,
                    active: true,
                    serialized: false,
                },
                admin,
                "pc",
            )
            .await
            .unwrap();
        let p = store.list::<Process>(&page()).await.unwrap().rows;
        let step = |i: usize, wc: &str| RoutingStepInput {
            process_id: p[i].id as i32,
            work_center: Some(wc.into()),
            equipment_id: None,
            cycle_seconds: 30.0,
            station_id: None,
        };
        store
            .save_routing(
                None,
                RoutingInput {
                    item_id: item.id as i32,
                    name: "기본".into(),
                    remarks: None,
                    active: true,
                    is_default: true,
                    steps: vec![step(0, "A"), step(1, "A"), step(4, "B")],
                },
                admin,
                "pc",
            )
            .await
            .unwrap();
        item.id
    }

    pub fn order(item_id: i64, quantity: i32, plan: &[&str]) -> WorkOrderInput {
        WorkOrderInput {
            item_id: item_id as i32,
            routing_id: None,
            quantity,
            order_date: day("2026-11-02"),
            due_date: day("2026-11-20"),
            customer_id: None,
            remarks: None,
            operations: plan
                .iter()
                .map(|d| OperationPlanInput {
                    plan_date: day(d),
                    equipment_id: None,
                    planned_qty: quantity,
                })
                .collect(),
        }
    }

    /// Two downtime reasons (availability, planned) and two defect codes.
    pub async fn reasons_and_defects(store: &Store, admin: &User) -> (Vec<DowntimeReason>, Vec<DefectCode>) {
        let mut reasons = Vec::new();
        for (code, name, category) in [
            ("D01", "설비 고장", DowntimeCategory::Availability),
            ("D02", "휴식", DowntimeCategory::Planned),
        ] {
            let input = DowntimeReasonInput {
                code: code.into(),
                name: name.into(),
                category,
                active: true,
            };
            reasons.push(
                store
                    .save::<DowntimeReason>(None, input, admin, "pc")
                    .await
                    .unwrap(),
            );
        }
        let mut defects = Vec::new();
        for (code, name) in [("F01", "찍힘"), ("F02", "치수 불량")] {
            let input = DefectCodeInput {
                code: code.into(),
                name: name.into(),
                category: "외관".into(),
                active: true,
            };
            defects.push(store.save::<DefectCode>(None, input, admin, "pc").await.unwrap());
        }
        (reasons, defects)
    }

    /// A store with an item, its routing and an administrator.
    pub async fn plant() -> (tempfile::TempDir, Store, User, i64) {
        let (dir, store) = crate::store::tests::temp_store().await;
        let admin = actor(&store).await;
        let item = item_with_routing(&store, &admin).await;
        (dir, store, admin, item)
    }
}
