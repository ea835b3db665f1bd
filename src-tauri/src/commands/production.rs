//! Production (생산관리): work-order planning for the office, the
//! shop-floor terminal for operators, and what both read back (results,
//! downtime, lots, OEE, plan against actual). Each write tells every window
//! with `ProductionChanged`.

use chrono::{Local, NaiveDate, Utc};
use linesight_mes::{
    auth::Role,
    inspections::day_range,
    master::{
        ListQuery, MAX_PAGE, Page,
        reference::{DefectCode, DowntimeReason},
    },
    production::{
        Operation, WorkOrder, WorkOrderDetail,
        downtime::{Downtime, DowntimeQuery},
        lots::{Lot, LotTrace},
        oee::{OeeGroup, OeeTable},
        plan_vs_actual::PlanVsActual,
        terminal::{FinishInput, QuantityReport, WorkCenterLoad},
        work_orders::{PlanProposal, WorkOrderInput, WorkOrderQuery},
    },
};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::{error::AppResult, events::ProductionChanged, state::AppState};

/// Office staff plan orders and classify stops.
const PLANS: [Role; 2] = [Role::Admin, Role::Manager];
/// Operators run the terminal; office staff may stand in for them.
const WORKS: [Role; 3] = [Role::Admin, Role::Manager, Role::Operator];
/// Everyone signed in reads production.
const READS: [Role; 4] = [Role::Admin, Role::Manager, Role::Operator, Role::Viewer];

fn changed(app: &AppHandle, work_order_id: i64) {
    let _ = ProductionChanged {
        work_order_id: work_order_id as i32,
    }
    .emit(app);
}

/// A work order's detail, after telling every window it changed.
fn announce(app: &AppHandle, detail: WorkOrderDetail) -> WorkOrderDetail {
    changed(app, detail.work_order.id);
    detail
}

/// An operation, after telling every window its order changed.
fn announce_op(app: &AppHandle, op: Operation) -> Operation {
    changed(app, op.work_order_id);
    op
}

/// Plan dates proposed from the lead-time table for an order of an item.
#[tauri::command]
#[specta::specta]
pub async fn propose_plan(
    state: State<'_, AppState>,
    item_id: i32,
    routing_id: Option<i32>,
    order_date: NaiveDate,
    due_date: NaiveDate,
) -> AppResult<PlanProposal> {
    state.require_role(&PLANS)?;
    Ok(state
        .store
        .propose_plan(item_id.into(), routing_id.map(i64::from), order_date, due_date)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_work_order(
    app: AppHandle,
    state: State<'_, AppState>,
    input: WorkOrderInput,
) -> AppResult<WorkOrderDetail> {
    let session = state.require_role(&PLANS)?;
    let detail = state
        .store
        .create_work_order(input, &session.user, &state.machine)
        .await?;
    Ok(announce(&app, detail))
}

/// Changes a planned order's quantities, dates and plan.
#[tauri::command]
#[specta::specta]
pub async fn update_work_order(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i32,
    input: WorkOrderInput,
) -> AppResult<WorkOrderDetail> {
    let session = state.require_role(&PLANS)?;
    let detail = state
        .store
        .update_work_order(id.into(), input, &session.user, &state.machine)
        .await?;
    Ok(announce(&app, detail))
}

/// Releases a planned order to the floor (작업지시 확정).
#[tauri::command]
#[specta::specta]
pub async fn release_work_order(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i32,
) -> AppResult<WorkOrderDetail> {
    let session = state.require_role(&PLANS)?;
    let detail = state
        .store
        .release_work_order(id.into(), &session.user, &state.machine)
        .await?;
    Ok(announce(&app, detail))
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_work_order(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i32,
    reason: String,
) -> AppResult<WorkOrderDetail> {
    let session = state.require_role(&PLANS)?;
    let detail = state
        .store
        .cancel_work_order(id.into(), &reason, &session.user, &state.machine)
        .await?;
    Ok(announce(&app, detail))
}

/// The office completes an order in work before every operation finished.
#[tauri::command]
#[specta::specta]
pub async fn complete_work_order(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i32,
    reason: String,
) -> AppResult<WorkOrderDetail> {
    let session = state.require_role(&PLANS)?;
    let detail = state
        .store
        .complete_work_order(id.into(), &reason, &session.user, &state.machine)
        .await?;
    Ok(announce(&app, detail))
}

#[tauri::command]
#[specta::specta]
pub async fn list_work_orders(
    state: State<'_, AppState>,
    query: WorkOrderQuery,
) -> AppResult<Page<WorkOrder>> {
    state.require_role(&READS)?;
    Ok(state.store.list_work_orders(&query).await?)
}

/// A work order with its operations: the production results of one order.
#[tauri::command]
#[specta::specta]
pub async fn get_work_order(state: State<'_, AppState>, id: i32) -> AppResult<WorkOrderDetail> {
    state.require_role(&READS)?;
    Ok(state.store.work_order(id.into()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn work_centers(state: State<'_, AppState>) -> AppResult<Vec<WorkCenterLoad>> {
    state.require_role(&WORKS)?;
    Ok(state.store.work_centers().await?)
}

/// The open operations of a work centre (null: those without one), in plan order.
#[tauri::command]
#[specta::specta]
pub async fn open_operations(
    state: State<'_, AppState>,
    work_center: Option<String>,
) -> AppResult<Vec<Operation>> {
    state.require_role(&WORKS)?;
    Ok(state.store.open_operations(work_center.as_deref()).await?)
}

/// What the terminal's pickers offer: stop reasons and defect codes in use.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TerminalCodes {
    pub downtime_reasons: Vec<DowntimeReason>,
    pub defect_codes: Vec<DefectCode>,
}

#[tauri::command]
#[specta::specta]
pub async fn terminal_codes(state: State<'_, AppState>) -> AppResult<TerminalCodes> {
    state.require_role(&WORKS)?;
    let all = ListQuery {
        limit: MAX_PAGE,
        ..ListQuery::default()
    };
    Ok(TerminalCodes {
        downtime_reasons: state.store.list::<DowntimeReason>(&all).await?.rows,
        defect_codes: state.store.list::<DefectCode>(&all).await?.rows,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn start_operation(app: AppHandle, state: State<'_, AppState>, id: i32) -> AppResult<Operation> {
    let session = state.require_role(&WORKS)?;
    let op = state
        .store
        .start_operation(id.into(), &session.user, &state.machine)
        .await?;
    Ok(announce_op(&app, op))
}

#[tauri::command]
#[specta::specta]
pub async fn pause_operation(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i32,
    reason_id: i32,
    note: Option<String>,
) -> AppResult<Operation> {
    let session = state.require_role(&WORKS)?;
    let op = state
        .store
        .pause_operation(id.into(), reason_id.into(), note, &session.user, &state.machine)
        .await?;
    Ok(announce_op(&app, op))
}

#[tauri::command]
#[specta::specta]
pub async fn resume_operation(app: AppHandle, state: State<'_, AppState>, id: i32) -> AppResult<Operation> {
    let session = state.require_role(&WORKS)?;
    let op = state
        .store
        .resume_operation(id.into(), &session.user, &state.machine)
        .await?;
    Ok(announce_op(&app, op))
}

#[tauri::command]
#[specta::specta]
pub async fn report_quantities(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i32,
    report: QuantityReport,
) -> AppResult<Operation> {
    let session = state.require_role(&WORKS)?;
    let op = state
        .store
        .report_quantities(id.into(), report, &session.user, &state.machine)
        .await?;
    Ok(announce_op(&app, op))
}

#[tauri::command]
#[specta::specta]
pub async fn finish_operation(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i32,
    finish: FinishInput,
) -> AppResult<Operation> {
    let session = state.require_role(&WORKS)?;
    let op = state
        .store
        .finish_operation(id.into(), finish, &session.user, &state.machine)
        .await?;
    Ok(announce_op(&app, op))
}

/// Which stops to list: local days, end day included.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DowntimeFilter {
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub unexplained_only: bool,
    pub offset: u32,
    pub limit: u32,
}

#[tauri::command]
#[specta::specta]
pub async fn list_downtimes(state: State<'_, AppState>, filter: DowntimeFilter) -> AppResult<Page<Downtime>> {
    state.require_role(&READS)?;
    let query = DowntimeQuery {
        from: filter.first_day.map(|d| day_range(d, d, &Local).0),
        until: filter.last_day.map(|d| day_range(d, d, &Local).1),
        unexplained_only: filter.unexplained_only,
        offset: filter.offset,
        limit: filter.limit,
    };
    Ok(state.store.list_downtimes(&query).await?)
}

/// A supervisor gives a stop its reason.
#[tauri::command]
#[specta::specta]
pub async fn classify_downtime(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i32,
    reason_id: i32,
    note: Option<String>,
) -> AppResult<Downtime> {
    let session = state.require_role(&PLANS)?;
    let stop = state
        .store
        .classify_downtime(id.into(), reason_id.into(), note, &session.user, &state.machine)
        .await?;
    let op = state.store.operation(stop.operation_id).await?;
    changed(&app, op.work_order_id);
    Ok(stop)
}

/// Lots whose number or material lot contains `search`, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_lots(
    state: State<'_, AppState>,
    search: Option<String>,
    offset: u32,
    limit: u32,
) -> AppResult<Page<Lot>> {
    state.require_role(&READS)?;
    Ok(state.store.list_lots(search, offset, limit).await?)
}

/// A lot's genealogy, backward and forward.
#[tauri::command]
#[specta::specta]
pub async fn lot_trace(state: State<'_, AppState>, lot_no: String) -> AppResult<LotTrace> {
    state.require_role(&READS)?;
    Ok(state.store.lot_trace(&lot_no).await?)
}

/// OEE of the local days `first..=last`, grouped.
#[tauri::command]
#[specta::specta]
pub async fn oee(
    state: State<'_, AppState>,
    first: NaiveDate,
    last: NaiveDate,
    group: OeeGroup,
) -> AppResult<OeeTable> {
    state.require_role(&READS)?;
    Ok(state.store.oee(first, last, group, &Local, Utc::now()).await?)
}

/// Plan against actual per worker and local day.
#[tauri::command]
#[specta::specta]
pub async fn plan_vs_actual(
    state: State<'_, AppState>,
    first: NaiveDate,
    last: NaiveDate,
) -> AppResult<Vec<PlanVsActual>> {
    state.require_role(&READS)?;
    Ok(state.store.plan_vs_actual(first, last).await?)
}
