//! The detector logs (출입 로그, 화재감지 로그): a page by local days, the
//! snapshot of a row, and the rows as Excel. Everyone signed in reads them;
//! the fire alarms themselves are acknowledged with `acknowledge_alarm`.

use linesight_mes::{
    detectors::{Crossing, Direction, EventFilter, FireEvent, FireKind},
    master::Page,
};
use tauri::State;

use super::{inspections, reports::EVERYONE};
use crate::{
    error::{AppError, AppResult, ErrorCode},
    export::{self, Cell, Column},
    settings::{Language, current_language},
    state::AppState,
};

#[tauri::command]
#[specta::specta]
pub async fn list_crossings(state: State<'_, AppState>, filter: EventFilter) -> AppResult<Page<Crossing>> {
    state.require_role(&EVERYONE)?;
    Ok(state.store.list_crossings(&filter).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_fire_events(state: State<'_, AppState>, filter: EventFilter) -> AppResult<Page<FireEvent>> {
    state.require_role(&EVERYONE)?;
    Ok(state.store.list_fire_events(&filter).await?)
}

/// Longer side of a log's snapshot, in pixels.
const SNAPSHOT: u32 = 480;

/// A row's snapshot as a JPEG data URL; the path comes from the stored row.
#[tauri::command]
#[specta::specta]
pub async fn event_snapshot(state: State<'_, AppState>, fire: bool, id: i32) -> AppResult<Option<String>> {
    state.require_role(&EVERYONE)?;
    let path = if fire {
        state.store.fire_event(id.into()).await?.snapshot_path
    } else {
        state.store.crossing(id.into()).await?.snapshot_path
    };
    let Some(rel) = path else { return Ok(None) };
    let bytes = inspections::read_archived(&state, id, &rel).await?;
    let jpeg = tokio::task::spawn_blocking(move || inspections::thumbnail_jpeg(&bytes, SNAPSHOT, SNAPSHOT))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))?;
    Ok(jpeg.map(|b| inspections::jpeg_data_url(&b)))
}

fn pick(ko: &str, en: &str) -> String {
    if current_language() == Language::En {
        en
    } else {
        ko
    }
    .to_string()
}

const CROSSING_COLUMNS: &[Column] = &[
    Column("일시", "Time", 20.0),
    Column("스테이션", "Station", 18.0),
    Column("장소", "Place", 16.0),
    Column("방향", "Direction", 8.0),
    Column("상행 누계", "Up today", 10.0),
    Column("하행 누계", "Down today", 10.0),
    Column("스냅샷", "Snapshot", 40.0),
];

#[tauri::command]
#[specta::specta]
pub async fn export_crossings(state: State<'_, AppState>, filter: EventFilter) -> AppResult<String> {
    state.require_role(&EVERYONE)?;
    let page = state.store.export_crossings(&filter).await?;
    let truncated = page.total > page.rows.len() as i64;
    let rows = page
        .rows
        .into_iter()
        .map(|c| {
            vec![
                Cell::Time(c.at),
                Cell::Text(c.station_name),
                Cell::Text(c.place),
                Cell::Text(match c.direction {
                    Direction::Up => pick("상행", "up"),
                    Direction::Down => pick("하행", "down"),
                }),
                Cell::Number(c.total_up as f64),
                Cell::Number(c.total_down as f64),
                c.snapshot_path.into(),
            ]
        })
        .collect();
    let title = ("출입 로그", "Entrance log");
    export::to_file(
        state.exports_dir.clone(),
        title,
        title,
        CROSSING_COLUMNS,
        rows,
        truncated,
    )
    .await
}

const FIRE_COLUMNS: &[Column] = &[
    Column("발생 일시", "Started", 20.0),
    Column("종료 일시", "Ended", 20.0),
    Column("스테이션", "Station", 18.0),
    Column("장소", "Place", 16.0),
    Column("종류", "Kind", 8.0),
    Column("확인자", "Acknowledged by", 14.0),
    Column("확인 일시", "Acknowledged at", 20.0),
    Column("스냅샷", "Snapshot", 40.0),
];

#[tauri::command]
#[specta::specta]
pub async fn export_fire_events(state: State<'_, AppState>, filter: EventFilter) -> AppResult<String> {
    state.require_role(&EVERYONE)?;
    let page = state.store.export_fire_events(&filter).await?;
    let truncated = page.total > page.rows.len() as i64;
    let rows = page
        .rows
        .into_iter()
        .map(|e| {
            vec![
                Cell::Time(e.started_at),
                e.ended_at.map_or(Cell::Empty, Cell::Time),
                Cell::Text(e.station_name),
                Cell::Text(e.place),
                Cell::Text(match e.kind {
                    FireKind::Fire => pick("화재", "fire"),
                    FireKind::Smoke => pick("연기", "smoke"),
                }),
                e.acknowledged_by.into(),
                e.acknowledged_at.map_or(Cell::Empty, Cell::Time),
                e.snapshot_path.into(),
            ]
        })
        .collect();
    let title = ("화재감지 로그", "Fire log");
    export::to_file(
        state.exports_dir.clone(),
        title,
        title,
        FIRE_COLUMNS,
        rows,
        truncated,
    )
    .await
}
