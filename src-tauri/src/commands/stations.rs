use chrono::Local;
use linesight_mes::{
    alarms::Alarm,
    auth::Role,
    inspections::{Counters, InspectionRow, NewStation, Station, StationUpdate},
};
use linesight_vision::{
    camera::{self, CameraDevice, CameraFormat},
    flow::Totals,
    pipeline::Health,
};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, State};

use crate::{
    error::{AppError, AppResult, ErrorCode},
    state::AppState,
    station::{
        ModelInfo, StationSettings,
        settings::{CounterSettings, Invalid},
    },
};

/// Who may run a station: everyone but viewers.
pub(crate) const RUNS_STATIONS: [Role; 3] = [Role::Admin, Role::Manager, Role::Operator];
/// Who may set stations up: the office, not the floor.
pub(crate) const CONFIGURES_STATIONS: [Role; 2] = [Role::Admin, Role::Manager];

/// A station as the monitor shows it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StationView {
    #[specta(type = i32)]
    pub id: i64,
    pub name: String,
    pub settings: StationSettings,
    /// Inactive stations are kept for their history but not run.
    pub active: bool,
    pub running: bool,
    pub health: Option<Health>,
    /// Today's parts, as judged.
    pub today: Counters,
    /// The newest stored verdict `today` counts: later verdict events add to it.
    #[specta(type = Option<i32>)]
    pub counted_up_to: Option<i64>,
    /// Today's crossings of its counting line; later crossing events carry newer totals.
    pub crossed_today: Totals,
}

pub(crate) fn settings_of(config_json: &str) -> AppResult<StationSettings> {
    serde_json::from_str(config_json).map_err(|e| {
        tracing::error!("station settings: {e}");
        AppError::new(ErrorCode::InvalidInput)
    })
}

async fn view(state: &AppState, s: Station, settings: StationSettings) -> AppResult<StationView> {
    let day = Local::now().date_naive();
    let (today, counted_up_to) = state.store.counters_as_of(s.id, day).await?;
    let (up, down) = state.store.crossing_totals(s.id, day).await?;
    Ok(StationView {
        crossed_today: Totals {
            up: up as u32,
            down: down as u32,
        },
        running: state.stations.is_running(s.id),
        health: state.stations.health(s.id),
        today,
        counted_up_to,
        settings,
        active: s.active,
        id: s.id,
        name: s.name,
    })
}

/// Every station of this install, with today's counters.
#[tauri::command]
#[specta::specta]
pub async fn list_stations(state: State<'_, AppState>) -> AppResult<Vec<StationView>> {
    state.require_session()?;
    let mut out = Vec::new();
    for s in state.store.list_stations().await? {
        // One station with unreadable settings must not hide the others.
        let Ok(settings) = settings_of(&s.config_json) else {
            continue;
        };
        out.push(view(&state, s, settings).await?);
    }
    Ok(out)
}

/// A station as the settings form sends it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StationForm {
    pub name: String,
    pub settings: StationSettings,
    pub active: bool,
}

/// The settings as stored, once they meet every rule and name an installed model.
fn stored_settings(state: &AppState, settings: &StationSettings) -> AppResult<String> {
    settings.check()?;
    if state.stations.bundles.find(&settings.model).is_none() {
        return Err(Invalid::UnknownModel.into());
    }
    serde_json::to_string(settings).map_err(|_| AppError::new(ErrorCode::Internal))
}

#[tauri::command]
#[specta::specta]
pub async fn create_station(state: State<'_, AppState>, form: StationForm) -> AppResult<StationView> {
    let session = state.require_role(&CONFIGURES_STATIONS)?;
    let config_json = stored_settings(&state, &form.settings)?;
    let mut station = state
        .store
        .create_station(
            NewStation {
                name: form.name.clone(),
                config_json: config_json.clone(),
            },
            &session.user,
            &state.machine,
        )
        .await?;
    if !form.active {
        let update = StationUpdate {
            name: station.name.clone(),
            config_json,
            active: false,
        };
        station = state
            .store
            .update_station(station.id, update, &session.user, &state.machine)
            .await?;
    }
    view(&state, station, form.settings).await
}

/// Changes a stopped station's name, settings or active flag.
#[tauri::command]
#[specta::specta]
pub async fn update_station(
    state: State<'_, AppState>,
    id: i32,
    form: StationForm,
) -> AppResult<StationView> {
    let session = state.require_role(&CONFIGURES_STATIONS)?;
    let config_json = stored_settings(&state, &form.settings)?;
    if state.stations.is_running(id as i64) {
        return Err(AppError::new(ErrorCode::StationRunning));
    }
    let update = StationUpdate {
        name: form.name,
        config_json,
        active: form.active,
    };
    let station = state
        .store
        .update_station(id as i64, update, &session.user, &state.machine)
        .await?;
    view(&state, station, form.settings).await
}

/// Sets (or, with `None`, removes) a station's counting line, drawn on its
/// live view. A running station restarts on the new line at once; the
/// day's totals go on, as they are the store's.
#[tauri::command]
#[specta::specta]
pub async fn set_counting_line(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i32,
    counter: Option<CounterSettings>,
) -> AppResult<StationView> {
    let session = state.require_role(&CONFIGURES_STATIONS)?;
    let station = state.store.get_station(id.into()).await?;
    let settings = StationSettings {
        counter,
        ..settings_of(&station.config_json)?
    };
    let update = StationUpdate {
        name: station.name,
        config_json: stored_settings(&state, &settings)?,
        active: station.active,
    };
    let station = state
        .store
        .update_station(station.id, update, &session.user, &state.machine)
        .await?;
    if state.stations.is_running(station.id) {
        let (stations, store, sid, s) = (
            state.stations.clone(),
            state.store.clone(),
            station.id,
            settings.clone(),
        );
        tokio::task::spawn_blocking(move || {
            stations.stop(sid);
            stations.start(&app, &store, sid, &s)
        })
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))?
        .map_err(|e| AppError::station(e.to_string()))?;
    }
    view(&state, station, settings).await
}

/// The model bundles installed on this machine, shipped and taught.
#[tauri::command]
#[specta::specta]
pub fn list_models(state: State<'_, AppState>) -> AppResult<Vec<ModelInfo>> {
    state.require_session()?;
    Ok(state.stations.bundles.list())
}

/// The recorded MJPEG streams a station can replay, and the folder to put them in.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Recordings {
    pub folder: String,
    pub files: Vec<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn list_recordings(state: State<'_, AppState>) -> AppResult<Recordings> {
    state.require_session()?;
    let folder = state.stations.recordings.clone();
    let files = tokio::task::spawn_blocking({
        let folder = folder.clone();
        move || {
            let mut files: Vec<String> = std::fs::read_dir(&folder)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| crate::station::settings::is_recording_name(n))
                .collect();
            files.sort();
            files
        }
    })
    .await
    .map_err(|_| AppError::new(ErrorCode::Internal))?;
    Ok(Recordings {
        folder: folder.display().to_string(),
        files,
    })
}

/// The cameras present now, for the settings form's picker.
#[tauri::command]
#[specta::specta]
pub async fn cameras(state: State<'_, AppState>) -> AppResult<Vec<CameraDevice>> {
    state.require_role(&CONFIGURES_STATIONS)?;
    // Opening device nodes can block; keep it off the async workers.
    Ok(tokio::task::spawn_blocking(camera::list_cameras)
        .await
        .unwrap_or_default())
}

/// The formats, sizes and frame rates a camera offers.
#[tauri::command]
#[specta::specta]
pub async fn camera_formats(state: State<'_, AppState>, device: String) -> AppResult<Vec<CameraFormat>> {
    state.require_role(&CONFIGURES_STATIONS)?;
    tokio::task::spawn_blocking(move || camera::list_formats(&device))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))?
        .map_err(|e| AppError::station(e.to_string()))
}

#[tauri::command]
#[specta::specta]
pub async fn start_station(app: AppHandle, state: State<'_, AppState>, id: i32) -> AppResult<()> {
    let session = state.require_role(&RUNS_STATIONS)?;
    let station = state.store.get_station(id as i64).await?;
    if !station.active {
        return Err(AppError::new(ErrorCode::StationInactive));
    }
    let settings = settings_of(&station.config_json)?;
    let (stations, store, id) = (state.stations.clone(), state.store.clone(), station.id);
    // Loading the model and opening the camera block: not on the async runtime.
    tokio::task::spawn_blocking(move || stations.start(&app, &store, id, &settings))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))?
        .map_err(|e| {
            tracing::error!("station {id}: {e}");
            AppError::station(e.to_string())
        })?;
    tracing::info!(station = station.id, user = %session.user.username, "station started");
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn stop_station(state: State<'_, AppState>, id: i32) -> AppResult<()> {
    let session = state.require_role(&RUNS_STATIONS)?;
    let stations = state.inner().stations.clone();
    // Joining the station's threads blocks: not on the async runtime.
    tokio::task::spawn_blocking(move || stations.stop(id as i64))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))?;
    tracing::info!(station = id, user = %session.user.username, "station stopped");
    Ok(())
}

/// The operator's inspect button, for stations on the manual trigger.
#[tauri::command]
#[specta::specta]
pub fn inspect_now(state: State<'_, AppState>, id: i32) -> AppResult<()> {
    state.require_role(&RUNS_STATIONS)?;
    if state.stations.request_inspection(id as i64) {
        Ok(())
    } else {
        Err(AppError::station_not_running())
    }
}

/// The newest NG parts of a station, for the gallery.
#[tauri::command]
#[specta::specta]
pub async fn recent_ng(state: State<'_, AppState>, id: i32, limit: u32) -> AppResult<Vec<InspectionRow>> {
    state.require_session()?;
    Ok(state.store.recent_ng(id as i64, limit.min(50)).await?)
}

/// Alarms of a station waiting for someone to acknowledge them.
#[tauri::command]
#[specta::specta]
pub async fn open_alarms(state: State<'_, AppState>, id: i32) -> AppResult<Vec<Alarm>> {
    state.require_session()?;
    Ok(state.store.open_alarms(id as i64).await?)
}

/// Someone at the line has looked: recorded with who, when and where.
#[tauri::command]
#[specta::specta]
pub async fn acknowledge_alarm(state: State<'_, AppState>, id: i32) -> AppResult<Alarm> {
    let session = state.require_role(&RUNS_STATIONS)?;
    Ok(state
        .store
        .acknowledge_alarm(id as i64, &session.user, &state.machine)
        .await?)
}
