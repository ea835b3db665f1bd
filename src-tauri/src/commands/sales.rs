//! Sales (매출관리) and purchasing (매입관리): sales orders and their
//! lifecycle, work orders and outsourcing orders made from their lines,
//! purchase orders, goods receipt, shipment, and Excel exports of the lists.
//! Office staff (admin, manager) change them; viewers read; operators have
//! no access.

use base64::Engine;
use chrono::NaiveDate;
use linesight_mes::{
    auth::Role,
    production::WorkOrderDetail,
    purchasing::{
        OutsourcingInput, PurchaseOrder, PurchaseOrderDetail, PurchaseOrderInput, PurchaseOrderPage,
        PurchaseOrderQuery,
    },
    sales::{SalesLineInput, SalesOrder, SalesOrderDetail, SalesOrderInput, SalesOrderPage, SalesOrderQuery},
};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::{
    error::AppResult,
    events::SalesChanged,
    export::{self, Cell, Column},
    state::AppState,
};

const READS: [Role; 3] = [Role::Admin, Role::Manager, Role::Viewer];
const EDITS: [Role; 2] = [Role::Admin, Role::Manager];

fn changed(app: &AppHandle) {
    let _ = SalesChanged {}.emit(app);
}

#[tauri::command]
#[specta::specta]
pub async fn list_sales_orders(
    state: State<'_, AppState>,
    query: SalesOrderQuery,
) -> AppResult<SalesOrderPage> {
    state.require_role(&READS)?;
    Ok(state.store.list_sales_orders(&query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_sales_order(state: State<'_, AppState>, id: i32) -> AppResult<SalesOrderDetail> {
    state.require_role(&READS)?;
    Ok(state.store.sales_order(id.into()).await?)
}

/// Adds (`id` null) or changes a sales order with all its lines.
#[tauri::command]
#[specta::specta]
pub async fn save_sales_order(
    app: AppHandle,
    state: State<'_, AppState>,
    id: Option<i32>,
    input: SalesOrderInput,
) -> AppResult<SalesOrderDetail> {
    let session = state.require_role(&EDITS)?;
    let saved = state
        .store
        .save_sales_order(id.map(i64::from), input, &session.user, &state.machine)
        .await?;
    changed(&app);
    Ok(saved)
}

/// A quotation becomes a received order (S01 → S02).
#[tauri::command]
#[specta::specta]
pub async fn confirm_sales_order(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i32,
) -> AppResult<SalesOrderDetail> {
    let session = state.require_role(&EDITS)?;
    let order = state
        .store
        .confirm_sales_order(id.into(), &session.user, &state.machine)
        .await?;
    changed(&app);
    Ok(order)
}

/// Plans work orders for the chosen in-house lines.
#[tauri::command]
#[specta::specta]
pub async fn issue_work_orders(
    app: AppHandle,
    state: State<'_, AppState>,
    order_id: i32,
    line_ids: Vec<i32>,
) -> AppResult<Vec<WorkOrderDetail>> {
    let session = state.require_role(&EDITS)?;
    let lines: Vec<i64> = line_ids.into_iter().map(i64::from).collect();
    let made = state
        .store
        .issue_work_orders(order_id.into(), &lines, &session.user, &state.machine)
        .await?;
    changed(&app);
    for wo in &made {
        let _ = crate::events::ProductionChanged {
            work_order_id: wo.work_order.id as i32,
        }
        .emit(&app);
    }
    Ok(made)
}

/// Marks completed orders shipped on a date (S04 → S05), all or none.
#[tauri::command]
#[specta::specta]
pub async fn ship_sales_orders(
    app: AppHandle,
    state: State<'_, AppState>,
    ids: Vec<i32>,
    ship_date: NaiveDate,
) -> AppResult<Vec<SalesOrderDetail>> {
    let session = state.require_role(&EDITS)?;
    let ids: Vec<i64> = ids.into_iter().map(i64::from).collect();
    let shipped = state
        .store
        .ship_sales_orders(&ids, ship_date, &session.user, &state.machine)
        .await?;
    changed(&app);
    Ok(shipped)
}

const SALES_COLUMNS: &[Column] = &[
    Column("수주번호", "Order no", 16.0),
    Column("수주명", "Name", 28.0),
    Column("거래처", "Customer", 20.0),
    Column("수주일", "Order date", 12.0),
    Column("납기일", "Due date", 12.0),
    Column("구분", "Market", 8.0),
    Column("상태", "Status", 10.0),
    Column("견적가", "Estimate", 14.0),
    Column("결정가", "Final price", 14.0),
    Column("외주비", "Outsourcing", 14.0),
    Column("일반관리비", "G&A", 12.0),
    Column("출고일", "Shipped", 12.0),
];

fn won(v: i64) -> Cell {
    Cell::Number(v as f64)
}

fn day(d: Option<NaiveDate>) -> Cell {
    d.map_or(Cell::Empty, |d| Cell::Text(d.to_string()))
}

fn sales_row(o: SalesOrder) -> Vec<Cell> {
    let ko = crate::settings::current_language() == crate::settings::Language::Ko;
    let status = match (o.status.as_str(), ko) {
        ("quotation", true) => "S01 견적",
        ("received", true) => "S02 수주",
        ("in_work", true) => "S03 작업지시",
        ("completed", true) => "S04 작업완료",
        ("shipped", true) => "S05 출고",
        ("quotation", false) => "S01 Quotation",
        ("received", false) => "S02 Received",
        ("in_work", false) => "S03 In work",
        ("completed", false) => "S04 Completed",
        _ => "S05 Shipped",
    };
    let market = match (o.export, ko) {
        (true, true) => "수출",
        (false, true) => "국내",
        (true, false) => "Export",
        (false, false) => "Domestic",
    };
    vec![
        Cell::Text(o.no),
        Cell::Text(o.name),
        Cell::Text(o.customer_name),
        Cell::Text(o.order_date.to_string()),
        Cell::Text(o.due_date.to_string()),
        Cell::Text(market.into()),
        Cell::Text(status.into()),
        won(o.estimate),
        o.final_price.map_or(Cell::Empty, won),
        won(o.outsourcing_cost),
        won(o.ga_cost),
        day(o.ship_date),
    ]
}

/// Every order the query matches as an Excel file; returns its path.
#[tauri::command]
#[specta::specta]
pub async fn export_sales_orders(state: State<'_, AppState>, query: SalesOrderQuery) -> AppResult<String> {
    state.require_role(&READS)?;
    let page = state.store.export_sales_orders(&query).await?;
    let truncated = page.total > page.rows.len() as i64;
    let rows = page.rows.into_iter().map(sales_row).collect();
    let title = ("수주목록", "Sales orders");
    export::to_file(
        state.exports_dir.clone(),
        title,
        title,
        SALES_COLUMNS,
        rows,
        truncated,
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn list_purchase_orders(
    state: State<'_, AppState>,
    query: PurchaseOrderQuery,
) -> AppResult<PurchaseOrderPage> {
    state.require_role(&READS)?;
    Ok(state.store.list_purchase_orders(&query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_purchase_order(state: State<'_, AppState>, id: i32) -> AppResult<PurchaseOrderDetail> {
    state.require_role(&READS)?;
    Ok(state.store.purchase_order(id.into()).await?)
}

/// A purchase order with its lines, not made from a sales order.
#[tauri::command]
#[specta::specta]
pub async fn create_purchase_order(
    app: AppHandle,
    state: State<'_, AppState>,
    input: PurchaseOrderInput,
) -> AppResult<PurchaseOrderDetail> {
    let session = state.require_role(&EDITS)?;
    let po = state
        .store
        .create_purchase_order(input, &session.user, &state.machine)
        .await?;
    changed(&app);
    Ok(po)
}

/// An outsourcing purchase order from lines of a sales order.
#[tauri::command]
#[specta::specta]
pub async fn create_outsourcing_order(
    app: AppHandle,
    state: State<'_, AppState>,
    input: OutsourcingInput,
) -> AppResult<PurchaseOrderDetail> {
    let session = state.require_role(&EDITS)?;
    let po = state
        .store
        .create_outsourcing_order(input, &session.user, &state.machine)
        .await?;
    changed(&app);
    Ok(po)
}

/// Goods receipt (입고) on a date.
#[tauri::command]
#[specta::specta]
pub async fn receive_purchase_order(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i32,
    received_on: NaiveDate,
) -> AppResult<PurchaseOrderDetail> {
    let session = state.require_role(&EDITS)?;
    let po = state
        .store
        .receive_purchase_order(id.into(), received_on, &session.user, &state.machine)
        .await?;
    changed(&app);
    Ok(po)
}

const PURCHASE_COLUMNS: &[Column] = &[
    Column("발주번호", "PO no", 16.0),
    Column("거래처", "Supplier", 20.0),
    Column("수주번호", "Sales order", 16.0),
    Column("발주일", "Order date", 12.0),
    Column("납기일", "Due date", 12.0),
    Column("상태", "Status", 10.0),
    Column("입고일", "Received", 12.0),
    Column("공급가액", "Supply", 14.0),
    Column("부가세", "VAT", 12.0),
    Column("합계", "Total", 14.0),
];

fn purchase_row(o: PurchaseOrder) -> Vec<Cell> {
    let ko = crate::settings::current_language() == crate::settings::Language::Ko;
    let status = match (o.status.as_str(), ko) {
        ("ordered", true) => "O01 발주",
        ("ordered", false) => "O01 Ordered",
        (_, true) => "O02 입고",
        (_, false) => "O02 Received",
    };
    vec![
        Cell::Text(o.no),
        Cell::Text(o.supplier_name),
        o.sales_order_no.map_or(Cell::Empty, Cell::Text),
        Cell::Text(o.order_date.to_string()),
        Cell::Text(o.due_date.to_string()),
        Cell::Text(status.into()),
        day(o.received_on),
        won(o.supply),
        won(o.vat),
        won(o.total),
    ]
}

#[tauri::command]
#[specta::specta]
pub async fn export_purchase_orders(
    state: State<'_, AppState>,
    query: PurchaseOrderQuery,
) -> AppResult<String> {
    state.require_role(&READS)?;
    let page = state.store.export_purchase_orders(&query).await?;
    let truncated = page.total > page.rows.len() as i64;
    let rows = page.rows.into_iter().map(purchase_row).collect();
    let title = ("발주목록", "Purchase orders");
    export::to_file(
        state.exports_dir.clone(),
        title,
        title,
        PURCHASE_COLUMNS,
        rows,
        truncated,
    )
    .await
}

/// The purchase-order form (구매발주서) as a PDF in the exports folder; returns its path.
#[tauri::command]
#[specta::specta]
pub async fn purchase_order_pdf(state: State<'_, AppState>, id: i32) -> AppResult<String> {
    state.require_role(&READS)?;
    let po = state.store.purchase_order(id.into()).await?;
    let supplier = state
        .store
        .get::<linesight_mes::master::partners::Partner>(po.order.supplier_id)
        .await?;
    let company = state.store.company().await?;
    let seal = state.store.company_seal().await?;
    let dir = state.exports_dir.clone();
    let base = format!("구매발주서_{}", po.order.no);
    let path = tokio::task::spawn_blocking(move || -> Result<std::path::PathBuf, String> {
        let bytes = crate::forms::purchase_order(&po, &supplier, &company, seal.as_deref())?;
        export::create_unique(&dir, &base, "pdf", &bytes).map_err(|e| e.to_string())
    })
    .await
    .map_err(|_| crate::error::AppError::new(crate::error::ErrorCode::Internal))?
    .map_err(crate::error::AppError::export)?;
    Ok(path.display().to_string())
}

/// Reads order lines from an .xlsx file (base64) in the exported layout, all
/// or none, for the order form; nothing is stored until the order is saved.
#[tauri::command]
#[specta::specta]
pub async fn import_sales_lines(
    state: State<'_, AppState>,
    file_base64: String,
) -> AppResult<Vec<SalesLineInput>> {
    state.require_role(&EDITS)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file_base64)
        .map_err(|_| crate::error::AppError::new(crate::error::ErrorCode::ImportFile))?;
    let rows = tokio::task::spawn_blocking(move || {
        crate::sheets::read_rows(
            &bytes,
            crate::sheets::SALES_LINE_COLUMNS,
            crate::sheets::parse_sales_line,
        )
    })
    .await
    .map_err(|_| crate::error::AppError::new(crate::error::ErrorCode::Internal))??;
    if rows.is_empty() {
        return Err(crate::error::AppError::with_message(
            crate::error::ErrorCode::ImportFile,
            "파일에 가져올 행이 없습니다. 첫 행 아래에 자료를 넣으세요.",
            "The file has no rows to import below its header.",
        ));
    }
    Ok(state.store.check_imported_lines(rows).await?)
}

/// The lines of a sales order as an Excel file in the layout that imports back.
#[tauri::command]
#[specta::specta]
pub async fn export_sales_order_lines(state: State<'_, AppState>, id: i32) -> AppResult<String> {
    state.require_role(&READS)?;
    let order = state.store.sales_order(id.into()).await?;
    let rows = order
        .lines
        .into_iter()
        .map(crate::sheets::sales_line_cells)
        .collect();
    let title = ("수주품목", "Order lines");
    export::to_file(
        state.exports_dir.clone(),
        title,
        title,
        crate::sheets::SALES_LINE_COLUMNS,
        rows,
        false,
    )
    .await
}
