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

/// A station judged a part. `id` is the stored inspection; `None` only when
/// storing failed (a `StationAlarm` says why).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct StationVerdict {
    #[specta(type = i32)]
    pub station_id: i64,
    #[specta(type = Option<i32>)]
    pub id: Option<i64>,
    pub ng: bool,
    pub score: f32,
    pub threshold: f32,
    pub defect_type: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl StationVerdict {
    pub fn from_part(station_id: i64, id: Option<i64>, v: &linesight_vision::pipeline::PartVerdict) -> Self {
        Self {
            station_id,
            id,
            ng: v.inspection.verdict == linesight_vision::inspector::Verdict::Ng,
            score: v.inspection.score,
            threshold: v.inspection.threshold,
            defect_type: v.inspection.defect.as_ref().map(|d| d.label.clone()),
            at: v.captured_at.into(),
        }
    }
}

/// The live view of a station, about ten times a second.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct StationPreview {
    #[specta(type = i32)]
    pub station_id: i64,
    pub jpeg_base64: String,
    /// The camera frame's size: the ROI is in its pixels.
    pub frame_width: u32,
    pub frame_height: u32,
}

/// Something the operator must see: a full image archive, a verdict not
/// stored, or, with a stored `alarm`, one that someone must acknowledge.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct StationAlarm {
    #[specta(type = i32)]
    pub station_id: i64,
    pub message: String,
    pub alarm: Option<linesight_mes::alarms::Alarm>,
}

/// Something crossed a station's counting line and is in the entrance log;
/// the totals are the station's for the local day.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct StationCrossing {
    #[specta(type = i32)]
    pub station_id: i64,
    #[specta(type = i32)]
    pub id: i64,
    pub direction: linesight_mes::detectors::Direction,
    pub at: chrono::DateTime<chrono::Utc>,
    pub total_up: i32,
    pub total_down: i32,
}

/// Camera state, frame rates and latency of a running station, every second.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct StationHealthChanged {
    #[specta(type = i32)]
    pub station_id: i64,
    pub health: linesight_vision::pipeline::Health,
}

/// Training of a station's model moved on: `stage` is features, coreset,
/// calibrating or defects; `done` of `total` in that stage.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct TeachProgress {
    #[specta(type = i32)]
    pub station_id: i64,
    pub stage: String,
    pub done: u32,
    pub total: u32,
}

/// Training of a station's model ended: the new bundle's name, or why not.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct TeachFinished {
    #[specta(type = i32)]
    pub station_id: i64,
    pub model: Option<String>,
    pub error: Option<String>,
}

/// A work order or one of its operations changed: screens that show it reload.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct ProductionChanged {
    pub work_order_id: i32,
}

/// A sales or purchase order changed: their screens reload.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct SalesChanged {}
