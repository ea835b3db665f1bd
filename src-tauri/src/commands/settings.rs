use linesight_mes::auth::Role;
use linesight_vision::camera::{CameraDevice, list_cameras};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::{
    error::{AppError, AppResult, ErrorCode},
    events::SettingsChanged,
    settings::{Language, MachineSettings},
    state::AppState,
};

/// Readable before sign-in: the login screen needs the language.
#[tauri::command]
#[specta::specta]
pub fn get_settings(state: State<'_, AppState>) -> MachineSettings {
    state.settings.get()
}

fn changed(app: &AppHandle, settings: MachineSettings) -> MachineSettings {
    let _ = SettingsChanged {
        settings: settings.clone(),
    }
    .emit(app);
    settings
}

/// Anyone at the machine may switch the language, signed in or not.
#[tauri::command]
#[specta::specta]
pub fn set_language(
    app: AppHandle,
    state: State<'_, AppState>,
    language: Language,
) -> AppResult<MachineSettings> {
    let settings = state.settings.update(|s| s.language = language)?;
    Ok(changed(&app, settings))
}

/// Station name and camera: administrators only.
#[tauri::command]
#[specta::specta]
pub fn save_station_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    station_name: String,
    camera_device: Option<String>,
) -> AppResult<MachineSettings> {
    state.require_role(&[Role::Admin])?;
    // A device path from the UI is only ever a V4L2 node name, never any other file.
    let valid_device = camera_device.as_deref().is_none_or(is_video_node);
    if !valid_device || station_name.trim().chars().count() > 50 {
        return Err(AppError::new(ErrorCode::InvalidInput));
    }
    let settings = state.settings.update(|s| {
        s.station_name = station_name.trim().to_owned();
        s.camera_device = camera_device;
    })?;
    Ok(changed(&app, settings))
}

/// The cameras present now, for the settings screen's picker.
#[tauri::command]
#[specta::specta]
pub async fn cameras(state: State<'_, AppState>) -> AppResult<Vec<CameraDevice>> {
    state.require_session()?;
    // Opening device nodes can block; keep it off the async workers.
    Ok(tokio::task::spawn_blocking(list_cameras)
        .await
        .unwrap_or_default())
}

fn is_video_node(path: &str) -> bool {
    path.strip_prefix("/dev/video")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::is_video_node;

    #[test]
    fn only_video_nodes_are_camera_devices() {
        assert!(is_video_node("/dev/video0"));
        assert!(is_video_node("/dev/video12"));
        assert!(!is_video_node("/dev/video"));
        assert!(!is_video_node("/dev/video0/../sda"));
        assert!(!is_video_node("/etc/passwd"));
    }
}
