//! The audit trail, for administrators: filtered pages and Excel export.

use linesight_mes::{
    audit::{AuditFilter, AuditRow},
    auth::Role,
    inspections::MAX_PAGE,
};
use tauri::State;

use crate::{
    error::AppResult,
    export::{self, Cell, Column},
    state::AppState,
};

const READS_AUDIT: [Role; 1] = [Role::Admin];

#[tauri::command]
#[specta::specta]
pub async fn list_audit(state: State<'_, AppState>, filter: AuditFilter) -> AppResult<Vec<AuditRow>> {
    state.require_role(&READS_AUDIT)?;
    Ok(state.store.list_audit(&filter).await?)
}

const AUDIT_COLUMNS: [Column; 8] = [
    Column("일시", "At", 20.0),
    Column("사용자", "User", 14.0),
    Column("PC", "Machine", 16.0),
    Column("동작", "Action", 12.0),
    Column("대상", "Entity", 12.0),
    Column("대상 ID", "Entity id", 10.0),
    Column("변경 전", "Before", 60.0),
    Column("변경 후", "After", 60.0),
];

/// Every audit row the filter matches as an Excel file; returns its path.
#[tauri::command]
#[specta::specta]
pub async fn export_audit(state: State<'_, AppState>, filter: AuditFilter) -> AppResult<String> {
    state.require_role(&READS_AUDIT)?;
    let (found, truncated) = export::all_pages(
        MAX_PAGE as usize,
        |r: &AuditRow| r.id,
        |before_id| {
            let page = AuditFilter {
                before_id,
                limit: MAX_PAGE,
                ..filter.clone()
            };
            let store = state.store.clone();
            async move { store.list_audit(&page).await }
        },
    )
    .await?;
    let rows: Vec<Vec<Cell>> = found
        .into_iter()
        .map(|r| {
            vec![
                Cell::Time(r.at),
                r.username.into(),
                Cell::Text(r.machine),
                Cell::Text(r.action),
                Cell::Text(r.entity),
                r.entity_id.into(),
                r.before_json.into(),
                r.after_json.into(),
            ]
        })
        .collect();
    export::to_file(
        state.exports_dir.clone(),
        ("감사 기록", "Audit trail"),
        ("감사기록", "audit"),
        &AUDIT_COLUMNS,
        rows,
        truncated,
    )
    .await
}
