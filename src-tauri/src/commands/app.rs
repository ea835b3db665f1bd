use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::{error::AppResult, state::AppState};

/// What the first screen needs to know before anyone signs in.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    /// True until the first administrator has been created.
    pub needs_setup: bool,
    pub machine: String,
    pub data_dir: String,
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> AppResult<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        needs_setup: state.store.needs_setup().await?,
        machine: state.machine.clone(),
        data_dir: state.data_dir.display().to_string(),
    })
}
