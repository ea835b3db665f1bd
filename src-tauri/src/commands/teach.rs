//! Teaching a station's model from the app: gather good images, train with
//! progress and cancel, then activate the new bundle or roll back.

use base64::Engine;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use super::stations::{CONFIGURES_STATIONS, RUNS_STATIONS, settings_of};
use crate::{
    error::{AppError, AppResult, ErrorCode},
    events::{TeachFinished, TeachProgress},
    state::AppState,
    station::StationSettings,
    teach::{TeachError, TeachEvent, TeachStatus},
};

impl From<TeachError> for AppError {
    fn from(e: TeachError) -> Self {
        tracing::warn!("teaching: {e}");
        match e {
            TeachError::Busy => AppError::new(ErrorCode::TeachingBusy),
            other => AppError::teaching(other.to_string()),
        }
    }
}

#[tauri::command]
#[specta::specta]
pub async fn teach_status(state: State<'_, AppState>, station_id: i32) -> AppResult<TeachStatus> {
    state.require_session()?;
    let id = station_id as i64;
    state.store.get_station(id).await?;
    let teaching = state.teaching.clone();
    tokio::task::spawn_blocking(move || teaching.status(id))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))
}

/// Keeps the next `count` parts the running station judges as good images (0 stops).
#[tauri::command]
#[specta::specta]
pub async fn collect_good_images(state: State<'_, AppState>, station_id: i32, count: u32) -> AppResult<()> {
    state.require_role(&RUNS_STATIONS)?;
    if count > 0 && !state.stations.is_running(station_id as i64) {
        return Err(AppError::station_not_running());
    }
    state.teaching.collect(station_id as i64, count);
    Ok(())
}

/// One good image picked on this computer, sent as base64; `name` is only shown in messages.
#[tauri::command]
#[specta::specta]
pub async fn import_good_image(
    state: State<'_, AppState>,
    station_id: i32,
    name: String,
    data_base64: String,
) -> AppResult<()> {
    state.require_role(&RUNS_STATIONS)?;
    let id = station_id as i64;
    state.store.get_station(id).await?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data_base64)
        .map_err(|_| AppError::new(ErrorCode::InvalidInput))?;
    let teaching = state.teaching.clone();
    tokio::task::spawn_blocking(move || teaching.import(id, &name, &bytes))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))??;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn clear_teaching_set(state: State<'_, AppState>, station_id: i32) -> AppResult<()> {
    state.require_role(&RUNS_STATIONS)?;
    let teaching = state.teaching.clone();
    tokio::task::spawn_blocking(move || teaching.clear(station_id as i64))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))?
        .map_err(|e| AppError::from(TeachError::from(e)))
}

/// Teaches a new bundle from the station's set and its reviewed parts;
/// progress and the result come as events.
#[tauri::command]
#[specta::specta]
pub async fn start_teaching(app: AppHandle, state: State<'_, AppState>, station_id: i32) -> AppResult<()> {
    let session = state.require_role(&RUNS_STATIONS)?;
    let id = station_id as i64;
    state.store.get_station(id).await?;
    let reviewed = state.store.reviewed_images(id).await?;
    let (stations, teaching, images) = (state.stations.clone(), state.teaching.clone(), state.images_dir());
    tokio::task::spawn_blocking(move || -> AppResult<()> {
        teaching
            .add_reviewed(id, &reviewed, &images)
            .map_err(|e| AppError::from(TeachError::from(e)))?;
        let models = stations.models().map_err(|e| AppError::station(e.to_string()))?;
        teaching.start(
            id,
            models.net.clone(),
            models.backbone_sha256.clone(),
            move |event| {
                let _ = match event {
                    TeachEvent::Progress { stage, done, total } => TeachProgress {
                        station_id: id,
                        stage: stage.into(),
                        done,
                        total,
                    }
                    .emit(&app),
                    TeachEvent::Finished(result) => {
                        match &result {
                            Ok(name) => tracing::info!(station = id, model = %name, "model taught"),
                            Err(e) => tracing::warn!(station = id, "teaching ended: {e}"),
                        }
                        TeachFinished {
                            station_id: id,
                            model: result.as_ref().ok().cloned(),
                            error: result.err(),
                        }
                        .emit(&app)
                    }
                };
            },
        )?;
        Ok(())
    })
    .await
    .map_err(|_| AppError::new(ErrorCode::Internal))??;
    tracing::info!(station = id, user = %session.user.username, "teaching started");
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub fn cancel_teaching(state: State<'_, AppState>, station_id: i32) -> AppResult<bool> {
    state.require_role(&RUNS_STATIONS)?;
    Ok(state.teaching.cancel(station_id as i64))
}

/// Makes `model` the station's model, keeping the one it replaces for a
/// roll-back. The bundle is loaded first: one that does not load changes
/// nothing. A running station restarts on the new model; should that fail,
/// it goes back to the previous one.
#[tauri::command]
#[specta::specta]
pub async fn activate_model(
    app: AppHandle,
    state: State<'_, AppState>,
    station_id: i32,
    model: String,
) -> AppResult<()> {
    let session = state.require_role(&CONFIGURES_STATIONS)?;
    let id = station_id as i64;
    let station = state.store.get_station(id).await?;
    let before = settings_of(&station.config_json)?;
    if before.model == model {
        return Ok(());
    }
    let after = StationSettings {
        previous_model: Some(before.model.clone()),
        model: model.clone(),
        ..before.clone()
    };
    after.check()?;
    let stations = state.stations.clone();
    let probe = model.clone();
    tokio::task::spawn_blocking(move || stations.inspector(&probe).map(drop))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))?
        .map_err(|e| AppError::station(e.to_string()))?;

    let update = |s: &StationSettings| linesight_mes::inspections::StationUpdate {
        name: station.name.clone(),
        config_json: serde_json::to_string(s).unwrap_or_default(),
        active: station.active,
    };
    state
        .store
        .update_station(id, update(&after), &session.user, &state.machine)
        .await?;
    if state.stations.is_running(id) {
        let (stations, store, fallback) = (state.stations.clone(), state.store.clone(), before.clone());
        let restarted = tokio::task::spawn_blocking(move || {
            stations.stop(id);
            stations.start(&app, &store, id, &after).inspect_err(|e| {
                tracing::error!("station {id}: new model did not start, back to the previous one: {e}");
                let _ = stations.start(&app, &store, id, &fallback);
            })
        })
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))?;
        if let Err(e) = restarted {
            state
                .store
                .update_station(id, update(&before), &session.user, &state.machine)
                .await?;
            return Err(AppError::station(e.to_string()));
        }
    }
    tracing::info!(station = id, model = %model, user = %session.user.username, "model activated");
    Ok(())
}
