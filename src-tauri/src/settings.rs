//! Per-machine settings (the language; stations and their cameras are MES
//! records, set up on the stations screen), kept with
//! tauri-plugin-store in `settings.json` in the data dir. Business data
//! never goes here: it lives in SQLite.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicU8, Ordering},
    },
};

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Wry};
use tauri_plugin_store::{Store, StoreExt};

use crate::error::AppResult;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Ko,
    En,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineSettings {
    pub language: Language,
}

const KEY: &str = "machine";

/// The settings file and its current values.
pub struct Settings {
    store: Arc<Store<Wry>>,
}

impl Settings {
    pub fn open(app: &AppHandle, path: &Path) -> AppResult<Self> {
        let store = app.store(path)?;
        let settings = Self { store };
        set_current_language(settings.get().language);
        Ok(settings)
    }

    /// The stored values; missing or unreadable ones fall back to defaults.
    pub fn get(&self) -> MachineSettings {
        self.store.get(KEY).map(|v| from_stored(&v)).unwrap_or_default()
    }

    /// Changes the values with `edit` and writes the file before returning.
    pub fn update(&self, edit: impl FnOnce(&mut MachineSettings)) -> AppResult<MachineSettings> {
        let mut settings = self.get();
        edit(&mut settings);
        self.store
            .set(KEY, serde_json::to_value(&settings).unwrap_or_default());
        self.store.save()?;
        set_current_language(settings.language);
        Ok(settings)
    }
}

/// Reads stored settings over the defaults, so that a file written by an
/// older version (fewer fields) still loads.
fn from_stored(stored: &serde_json::Value) -> MachineSettings {
    let mut merged = serde_json::to_value(MachineSettings::default()).unwrap_or_default();
    if let (Some(merged), Some(stored)) = (merged.as_object_mut(), stored.as_object()) {
        merged.extend(stored.clone());
    }
    serde_json::from_value(merged)
        .inspect_err(|e| tracing::warn!("settings unreadable, using defaults: {e}"))
        .unwrap_or_default()
}

/// The machine's language, read by error messages anywhere in the app.
static LANGUAGE: AtomicU8 = AtomicU8::new(0);

pub fn current_language() -> Language {
    match LANGUAGE.load(Ordering::Relaxed) {
        1 => Language::En,
        _ => Language::Ko,
    }
}

pub fn set_current_language(lang: Language) {
    LANGUAGE.store(lang as u8, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_take_defaults_and_retired_ones_are_ignored() {
        // Written by an older version, which kept a station and camera per machine.
        let s = from_stored(&serde_json::json!({ "stationName": "검사 1", "cameraDevice": "/dev/video0" }));
        assert_eq!(s, MachineSettings::default());
        assert_eq!(
            from_stored(&serde_json::json!({ "language": "en" })).language,
            Language::En
        );
    }

    #[test]
    fn unreadable_settings_fall_back_to_defaults() {
        assert_eq!(
            from_stored(&serde_json::json!({ "language": "fr" })),
            MachineSettings::default()
        );
        assert_eq!(
            from_stored(&serde_json::json!("garbage")),
            MachineSettings::default()
        );
    }
}
