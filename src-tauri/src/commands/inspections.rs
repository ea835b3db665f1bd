//! The record of judged parts: the history list, its Excel export, the
//! evidence images, and people's reviews of verdicts.

use std::{
    io::Cursor,
    path::{Component, Path},
};

use base64::Engine;
use linesight_mes::inspections::{InspectionFilter, InspectionRow, MAX_PAGE, Relabel, RelabelKind, Verdict};
use tauri::State;

use super::stations::RUNS_STATIONS;
use crate::{
    error::{AppError, AppResult, ErrorCode},
    export::{self, Cell, Column},
    state::AppState,
};

/// The inspection history, newest first, a page at a time.
#[tauri::command]
#[specta::specta]
pub async fn list_inspections(
    state: State<'_, AppState>,
    filter: InspectionFilter,
) -> AppResult<Vec<InspectionRow>> {
    state.require_session()?;
    Ok(state.store.list_inspections(filter).await?)
}

/// A person's review of a verdict (false alarm, escape, or taken back); it
/// feeds the next teaching of the model and is audit-logged.
#[tauri::command]
#[specta::specta]
pub async fn relabel_inspection(
    state: State<'_, AppState>,
    id: i32,
    relabel: Relabel,
) -> AppResult<InspectionRow> {
    let session = state.require_role(&RUNS_STATIONS)?;
    Ok(state
        .store
        .relabel_inspection(id as i64, relabel, &session.user, &state.machine)
        .await?)
}

/// The archive file a stored row names; the path must stay inside the archive.
pub(crate) async fn read_archived(state: &AppState, id: i32, rel: &str) -> AppResult<Vec<u8>> {
    let inside = Path::new(rel)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !inside {
        tracing::error!("inspection {id}: image path {rel:?} leaves the archive");
        return Err(AppError::new(ErrorCode::Internal));
    }
    let path = state.images_dir().join(rel);
    tokio::fs::read(&path).await.map_err(|e| {
        tracing::warn!("{}: {e}", path.display());
        AppError::station(format!("{rel}: {e}"))
    })
}

pub(crate) fn jpeg_data_url(bytes: &[u8]) -> String {
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// An inspection's image (or its heatmap) as a JPEG data URL. The path comes
/// from the stored row, never from the window.
#[tauri::command]
#[specta::specta]
pub async fn inspection_image(
    state: State<'_, AppState>,
    id: i32,
    heatmap: bool,
) -> AppResult<Option<String>> {
    state.require_session()?;
    let row = state.store.get_inspection(id as i64).await?;
    let Some(rel) = (if heatmap { row.heatmap_path } else { row.image_path }) else {
        return Ok(None);
    };
    Ok(Some(jpeg_data_url(&read_archived(&state, id, &rel).await?)))
}

/// Height of the history list's thumbnails, in pixels.
const THUMBNAIL_HEIGHT: u32 = 64;

/// A small JPEG of an inspection's image, for the history list.
#[tauri::command]
#[specta::specta]
pub async fn inspection_thumbnail(state: State<'_, AppState>, id: i32) -> AppResult<Option<String>> {
    state.require_session()?;
    let row = state.store.get_inspection(id as i64).await?;
    let Some(rel) = row.image_path else {
        return Ok(None);
    };
    let bytes = read_archived(&state, id, &rel).await?;
    let small =
        tokio::task::spawn_blocking(move || thumbnail_jpeg(&bytes, THUMBNAIL_HEIGHT * 4, THUMBNAIL_HEIGHT))
            .await
            .map_err(|_| AppError::new(ErrorCode::Internal))?;
    Ok(small.map(|b| jpeg_data_url(&b)))
}

/// An image scaled to fit `max_w` × `max_h`, as a JPEG; none when it does not decode.
pub(crate) fn thumbnail_jpeg(bytes: &[u8], max_w: u32, max_h: u32) -> Option<Vec<u8>> {
    let image = image::load_from_memory(bytes).ok()?;
    let thumb = image.thumbnail(max_w, max_h).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    thumb
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70))
        .ok()?;
    Some(out.into_inner())
}

const HISTORY_COLUMNS: [Column; 11] = [
    Column("검사 일시", "Inspected at", 20.0),
    Column("스테이션", "Station", 22.0),
    Column("판정", "Verdict", 8.0),
    Column("점수", "Score", 10.0),
    Column("임계값", "Threshold", 10.0),
    Column("불량 유형", "Defect type", 14.0),
    Column("검토", "Review", 10.0),
    Column("모델 버전", "Model version", 28.0),
    Column("작업지시 공정", "Work-order operation", 14.0),
    Column("LOT", "Lot", 14.0),
    Column("이미지", "Image", 48.0),
];

/// Every inspection the filter matches (not only the page on screen) as an
/// Excel file in the exports folder; returns the file's path.
#[tauri::command]
#[specta::specta]
pub async fn export_inspections(state: State<'_, AppState>, filter: InspectionFilter) -> AppResult<String> {
    state.require_session()?;
    let stations: std::collections::HashMap<i64, String> = state
        .store
        .list_stations()
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let english = crate::settings::current_language() == crate::settings::Language::En;
    let (found, truncated) = export::all_pages(
        MAX_PAGE as usize,
        |r: &InspectionRow| r.id,
        |before_id| {
            let page = InspectionFilter {
                before_id,
                limit: MAX_PAGE,
                ..filter.clone()
            };
            let store = state.store.clone();
            async move { store.list_inspections(page).await }
        },
    )
    .await?;
    let rows: Vec<Vec<Cell>> = found
        .into_iter()
        .map(|r| {
            vec![
                Cell::Time(r.at),
                Cell::Text(
                    stations
                        .get(&r.station_id)
                        .cloned()
                        .unwrap_or_else(|| format!("#{}", r.station_id)),
                ),
                Cell::Text(match r.verdict {
                    Verdict::Ok => "OK".into(),
                    Verdict::Ng => "NG".into(),
                }),
                r.score.map_or(Cell::Empty, Cell::Number),
                Cell::Number(r.threshold),
                r.defect_type.into(),
                Cell::Text(
                    match (r.relabel, english) {
                        (None, _) => "",
                        (Some(RelabelKind::FalseAlarm), false) => "오검출",
                        (Some(RelabelKind::FalseAlarm), true) => "False alarm",
                        (Some(RelabelKind::Escape), false) => "미검출",
                        (Some(RelabelKind::Escape), true) => "Escape",
                    }
                    .into(),
                ),
                Cell::Text(r.model_version),
                r.work_order_op_id
                    .map_or(Cell::Empty, |id| Cell::Number(id as f64)),
                r.lot.into(),
                r.image_path.into(),
            ]
        })
        .collect();
    export::to_file(
        state.exports_dir.clone(),
        ("검사 이력", "Inspections"),
        ("검사이력", "inspections"),
        &HISTORY_COLUMNS,
        rows,
        truncated,
    )
    .await
}
