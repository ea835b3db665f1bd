//! What managers read (대시보드, 품질, 경영정보): the dashboard, quality
//! statistics, management figures by month, the daily production report
//! (also as PDF), and every grid of these screens as an Excel file. Nothing
//! here writes data. Money is for the office; the floor sees its line and
//! its quality.

use chrono::{Local, NaiveDate, Utc};
use linesight_mes::{
    auth::Role,
    reports::{
        daily::DailyReport,
        dashboard::{MonthSummary, ProcessProgress, StationLine},
        monthly::MonthFigures,
        quality::{QualityQuery, QualityReport},
    },
};
use linesight_vision::pipeline::Health;
use serde::Serialize;
use specta::Type;
use tauri::State;

use super::{inspections, stations::settings_of};
use crate::{
    error::{AppError, AppResult, ErrorCode},
    export,
    report_sheets::{self, ReportGrid},
    state::AppState,
};

/// Office staff and viewers: orders, money and the daily report.
pub(crate) const OFFICE: [Role; 3] = [Role::Admin, Role::Manager, Role::Viewer];
/// Everyone signed in: the line's state and its quality.
pub(crate) const EVERYONE: [Role; 4] = [Role::Admin, Role::Manager, Role::Operator, Role::Viewer];

/// This month's order counts, each what its list shows under the same filter.
#[tauri::command]
#[specta::specta]
pub async fn month_summary(state: State<'_, AppState>) -> AppResult<MonthSummary> {
    state.require_role(&OFFICE)?;
    Ok(state.store.month_summary(Local::now().date_naive()).await?)
}

/// The twelve months of a year: orders, outsourcing, shipments and their sums to date.
#[tauri::command]
#[specta::specta]
pub async fn monthly_figures(state: State<'_, AppState>, year: i32) -> AppResult<Vec<MonthFigures>> {
    state.require_role(&OFFICE)?;
    Ok(state.store.monthly_figures(year).await?)
}

/// Progress per process of one sales order's work.
#[tauri::command]
#[specta::specta]
pub async fn order_progress(
    state: State<'_, AppState>,
    sales_order_id: i32,
) -> AppResult<Vec<ProcessProgress>> {
    state.require_role(&OFFICE)?;
    Ok(state.store.order_progress(sales_order_id.into()).await?)
}

/// A station on the dashboard: what it runs and counted today, whether its
/// camera runs and with which model.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LineStatus {
    pub line: StationLine,
    pub running: bool,
    pub health: Option<Health>,
    /// The model bundle the station's settings name.
    pub model: Option<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn line_status(state: State<'_, AppState>) -> AppResult<Vec<LineStatus>> {
    state.require_role(&EVERYONE)?;
    let settings: std::collections::HashMap<i64, String> = state
        .store
        .list_stations()
        .await?
        .into_iter()
        .filter_map(|s| Some((s.id, settings_of(&s.config_json).ok()?.model)))
        .collect();
    Ok(state
        .store
        .line_status(Local::now().date_naive())
        .await?
        .into_iter()
        .map(|line| LineStatus {
            running: state.stations.is_running(line.station_id),
            health: state.stations.health(line.station_id),
            model: settings.get(&line.station_id).cloned(),
            line,
        })
        .collect())
}

/// Defect rates by item, process and station, the Pareto and the p-chart.
#[tauri::command]
#[specta::specta]
pub async fn quality(state: State<'_, AppState>, query: QualityQuery) -> AppResult<QualityReport> {
    state.require_role(&EVERYONE)?;
    Ok(state.store.quality(&query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn daily_report(state: State<'_, AppState>, day: NaiveDate) -> AppResult<DailyReport> {
    state.require_role(&OFFICE)?;
    Ok(state.store.daily_report(day, &Local, Utc::now()).await?)
}

/// Thumbnails in the PDF, in pixels of their longer side.
const PDF_THUMBNAIL: u32 = 240;

/// The daily production report as a PDF in the exports folder; returns its path.
#[tauri::command]
#[specta::specta]
pub async fn daily_report_pdf(state: State<'_, AppState>, day: NaiveDate) -> AppResult<String> {
    state.require_role(&OFFICE)?;
    let report = state.store.daily_report(day, &Local, Utc::now()).await?;
    let company = state.store.company().await?.name;
    let stations: std::collections::HashMap<i64, String> = state
        .store
        .list_stations()
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut images = Vec::new();
    for row in &report.ng_images {
        let Some(rel) = &row.image_path else { continue };
        // A part whose image was archived away still counts in the table.
        let Ok(bytes) = inspections::read_archived(&state, row.id as i32, rel).await else {
            continue;
        };
        let caption = format!(
            "{} {} {}",
            row.at.with_timezone(&Local).format("%H:%M:%S"),
            stations.get(&row.station_id).map_or("", String::as_str),
            row.defect_type.as_deref().unwrap_or("")
        );
        images.push((caption, bytes));
    }
    let dir = state.exports_dir.clone();
    let base = format!("일일생산보고서_{day}");
    let printed = Local::now().format("%Y-%m-%d %H:%M").to_string();
    let path = tokio::task::spawn_blocking(move || -> Result<std::path::PathBuf, String> {
        let images: Vec<crate::forms::DailyImage> = images
            .into_iter()
            .filter_map(|(caption, bytes)| {
                Some(crate::forms::DailyImage {
                    caption,
                    jpeg: inspections::thumbnail_jpeg(&bytes, PDF_THUMBNAIL, PDF_THUMBNAIL)?,
                })
            })
            .collect();
        let bytes = crate::forms::daily_report(&report, &company, &printed, &images)?;
        export::create_unique(&dir, &base, "pdf", &bytes).map_err(|e| e.to_string())
    })
    .await
    .map_err(|_| AppError::new(ErrorCode::Internal))?
    .map_err(AppError::export)?;
    tracing::info!(path = %path.display(), "daily report written");
    Ok(path.display().to_string())
}

/// One grid of the report screens as an Excel file, computed here again
/// from its query (never from what the window shows); returns its path.
#[tauri::command]
#[specta::specta]
pub async fn export_report(state: State<'_, AppState>, grid: ReportGrid) -> AppResult<String> {
    state.require_role(if grid.is_office() { &OFFICE } else { &EVERYONE })?;
    let sheet = report_sheets::sheet(&state.store, &grid).await?;
    export::to_file(
        state.exports_dir.clone(),
        sheet.title,
        sheet.title,
        sheet.columns,
        sheet.rows,
        false,
    )
    .await
}
