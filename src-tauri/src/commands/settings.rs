use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::{
    error::AppResult,
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
