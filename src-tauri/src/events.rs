//! Events the Rust side sends to every window. Declared here once; the
//! TypeScript side is generated into ui/src/bindings.ts.

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri_specta::Event;

use crate::{settings::MachineSettings, state::Session};

/// Someone signed in or out.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct SessionChanged {
    pub session: Option<Session>,
}

/// The per-machine settings changed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct SettingsChanged {
    pub settings: MachineSettings,
}
