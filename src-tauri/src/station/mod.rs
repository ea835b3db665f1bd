//! The glue between a vision station and the MES: a station's stored
//! settings become a running pipeline; each verdict becomes an inspection
//! row (with its evidence images) before the window hears of it.

use std::{
    collections::HashMap,
    io::Cursor,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::Duration,
};

use base64::Engine;
use chrono::{DateTime, Local, Utc};
use linesight_datagen::conveyor::{Conveyor, ConveyorSpec};
use linesight_mes::{
    Store,
    alarms::AlarmKind,
    inspections::{NewInspection, Verdict as MesVerdict},
};
use linesight_vision::{
    archive::{Archive, Key},
    camera::V4l2Source,
    convert::PixelFormat,
    heatmap::overlay,
    inspector::{Inspector, Verdict},
    mjpeg_file::MjpegFileSource,
    models::Models,
    pipeline::{FrameWatch, Health, OpenSource, PartVerdict, Recorder, Station, StationConfig, StationEvent},
    source::FrameSource,
    trigger::NgStreak,
};
use tauri::AppHandle;
use tauri_specta::Event;

use crate::{
    events::{StationHealthChanged, StationPreview, StationVerdict},
    teach::Teaching,
};

pub mod bundles;
pub mod settings;
mod watch;

pub use bundles::{Bundles, ModelInfo};
pub use settings::{SourceSettings, StationSettings};

#[derive(Debug, thiserror::Error)]
pub enum StationError {
    #[error("station settings are not valid: {0}")]
    Settings(String),
    #[error("model {name}: {reason}")]
    Model { name: String, reason: String },
    #[error("{0}")]
    Start(String),
}

/// Turns verdicts into inspection rows: evidence images first, then the row.
struct MesRecorder {
    store: Store,
    runtime: tokio::runtime::Handle,
    station_id: i64,
    inspector: Arc<Inspector>,
    archive: Arc<Mutex<Archive>>,
    keep_ok_every: u32,
    ok_seen: u32,
    ng_streak: NgStreak,
    teaching: Arc<Teaching>,
    app: AppHandle,
    /// When the station last judged a part (ms since the epoch), for [`IdleWatch`].
    last_part: Arc<AtomicI64>,
}

impl MesRecorder {
    /// Counts NG in a row; the Nth raises the stop-the-line alarm, stored
    /// until someone acknowledges it.
    fn watch_the_line(&mut self, ng: bool) {
        if !self.ng_streak.push(ng) {
            return;
        }
        let message = format!("{} NG in a row", self.ng_streak.run());
        match self.runtime.block_on(
            self.store
                .raise_alarm(self.station_id, AlarmKind::StopLine, &message),
        ) {
            Ok(alarm) => {
                let _ = crate::events::StationAlarm {
                    station_id: self.station_id,
                    message,
                    alarm: Some(alarm),
                }
                .emit(&self.app);
            }
            Err(e) => tracing::error!("station {}: stop-the-line alarm not stored: {e}", self.station_id),
        }
    }
}

impl Recorder for MesRecorder {
    fn record(&mut self, v: &PartVerdict) -> Result<i64, String> {
        let at: DateTime<Utc> = v.captured_at.into();
        self.last_part.store(at.timestamp_millis(), Ordering::Relaxed);
        let day = at.with_timezone(&Local).date_naive();
        let day_dir = day.format("%Y-%m-%d").to_string();
        let key = Key {
            captured_ms: at.timestamp_millis(),
            frame: v.frame_seq,
        };
        let ins = &v.inspection;
        let name = format!("{}-{}", key.captured_ms, key.frame);
        if let Err(e) = self.teaching.offer(self.station_id, &v.image, &name) {
            tracing::error!("station {}: teaching image not kept: {e}", self.station_id);
        }
        let saved = match ins.verdict {
            Verdict::Ng => {
                let (w, h) = v.image.dimensions();
                let heat = overlay(&self.inspector.heatmap(ins, w, h), w, h);
                let saved = self.archive.lock().unwrap_or_else(|p| p.into_inner()).save_ng(
                    &day_dir,
                    self.station_id,
                    key,
                    &v.image,
                    &heat,
                );
                // A full disk stops image saving with an alarm, never the verdict.
                saved
                    .inspect_err(|e| {
                        tracing::error!("station {}: {e}", self.station_id);
                        let _ = crate::events::StationAlarm {
                            station_id: self.station_id,
                            message: e.to_string(),
                            alarm: None,
                        }
                        .emit(&self.app);
                    })
                    .ok()
            }
            Verdict::Ok => {
                self.ok_seen += 1;
                let keep = self.keep_ok_every > 0 && (self.ok_seen - 1).is_multiple_of(self.keep_ok_every);
                if keep {
                    self.archive
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .save_ok(&day_dir, self.station_id, key, &v.image)
                        .ok()
                        .flatten()
                } else {
                    None
                }
            }
        };
        let new = NewInspection {
            station_id: self.station_id,
            at,
            day,
            model_version: self.inspector.manifest().version.clone(),
            score: ins.score as f64,
            threshold: ins.threshold as f64,
            verdict: match ins.verdict {
                Verdict::Ok => MesVerdict::Ok,
                Verdict::Ng => MesVerdict::Ng,
            },
            defect_type: ins.defect.as_ref().map(|d| d.label.clone()),
            image_path: saved.as_ref().map(|s| s.image.clone()),
            heatmap_path: saved.and_then(|s| s.heatmap),
            work_order_op_id: None,
            lot: None,
        };
        let id = self
            .runtime
            .block_on(self.store.record_inspection(new))
            .map_err(|e| e.to_string())?;
        self.watch_the_line(ins.verdict == Verdict::Ng);
        Ok(id)
    }
}

/// The stations running on this machine.
pub struct Stations {
    pub bundles: Bundles,
    /// Recorded MJPEG streams a station can replay.
    pub recordings: PathBuf,
    teaching: Arc<Teaching>,
    /// Loaded when the first station starts: the MES alone never pays for it.
    models: OnceLock<Option<Models>>,
    archive: Arc<Mutex<Archive>>,
    running: Mutex<HashMap<i64, Running>>,
}

/// A running station and the watch on its idleness, which ends with it.
struct Running {
    station: Station,
    _idle: IdleWatch,
}

/// How often a running station is checked for idleness.
const IDLE_CHECK: Duration = Duration::from_secs(5);

/// Opens an unexplained stop when a station has judged no part for its
/// idle time while its operation runs (the store opens one at most and
/// only for a running operation; the next part ends it). Dropping the
/// watch ends it.
struct IdleWatch {
    alive: Arc<AtomicBool>,
}

impl IdleWatch {
    fn start(
        app: AppHandle,
        store: Store,
        station_id: i64,
        last_part: Arc<AtomicI64>,
        idle_seconds: u32,
    ) -> Self {
        let alive = Arc::new(AtomicBool::new(true));
        if idle_seconds > 0 {
            let watching = alive.clone();
            let idle_ms = i64::from(idle_seconds) * 1000;
            tauri::async_runtime::spawn(async move {
                let mut ticks = tokio::time::interval(IDLE_CHECK);
                while watching.load(Ordering::Relaxed) {
                    ticks.tick().await;
                    let last = last_part.load(Ordering::Relaxed);
                    if Utc::now().timestamp_millis() - last < idle_ms {
                        continue;
                    }
                    let Some(since) = DateTime::from_timestamp_millis(last) else {
                        continue;
                    };
                    match store.station_idle(station_id, since).await {
                        Ok(Some(stop)) => {
                            tracing::warn!(
                                station_id,
                                "no part since {since}: unexplained stop {} opened",
                                stop.id
                            );
                            if let Ok(op) = store.operation(stop.operation_id).await {
                                let _ = crate::events::ProductionChanged {
                                    work_order_id: op.work_order_id as i32,
                                }
                                .emit(&app);
                            }
                        }
                        Ok(None) => {}
                        Err(e) => tracing::error!(station_id, "idle stop not stored: {e}"),
                    }
                }
            });
        }
        Self { alive }
    }
}

impl Drop for IdleWatch {
    fn drop(&mut self) {
        self.alive.store(false, Ordering::Relaxed);
    }
}

/// Bytes of evidence images kept before the oldest OK samples are freed.
const ARCHIVE_QUOTA: u64 = 2 << 30;
const PREVIEW_FPS: f64 = 10.0;
const PREVIEW_WIDTH: u32 = 480;

impl Stations {
    pub fn open(
        bundles: Bundles,
        teaching: Arc<Teaching>,
        images_dir: &Path,
        recordings: PathBuf,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        Ok(Self {
            bundles,
            recordings,
            teaching,
            models: OnceLock::new(),
            archive: Arc::new(Mutex::new(Archive::open(images_dir, ARCHIVE_QUOTA)?)),
            running: Mutex::new(HashMap::new()),
        })
    }

    /// The backbone, loaded the first time anyone needs it. Without it the
    /// app still runs its MES; stations and teaching say why they cannot.
    pub fn models(&self) -> Result<&Models, StationError> {
        self.models
            .get_or_init(|| {
                self.bundles.shipped.as_deref().and_then(|d| {
                    Models::load(d)
                        .inspect_err(|e| tracing::error!("inspection models unavailable: {e}"))
                        .ok()
                })
            })
            .as_ref()
            .ok_or_else(|| StationError::Start("no inspection models are installed".into()))
    }

    /// An inspector for the bundle called `name`, or why not.
    pub fn inspector(&self, name: &str) -> Result<Inspector, StationError> {
        let bundle = self.bundles.find(name).ok_or_else(|| StationError::Model {
            name: name.into(),
            reason: "not installed".into(),
        })?;
        self.models()?
            .inspector(&bundle)
            .map_err(|e| StationError::Model {
                name: name.into(),
                reason: e.to_string(),
            })
    }

    pub fn is_running(&self, id: i64) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&id)
    }

    pub fn health(&self, id: i64) -> Option<Health> {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .map(|r| r.station.health())
    }

    pub fn start(
        &self,
        app: &AppHandle,
        store: &Store,
        id: i64,
        settings: &StationSettings,
    ) -> Result<(), StationError> {
        if self.is_running(id) {
            return Ok(());
        }
        settings
            .check()
            .map_err(|e| StationError::Settings(e.to_string()))?;
        let inspector = Arc::new(self.inspector(&settings.model)?);
        let open = open_source(&settings.source, &self.recordings)?;
        let last_part = Arc::new(AtomicI64::new(Utc::now().timestamp_millis()));
        let recorder = MesRecorder {
            store: store.clone(),
            runtime: tauri::async_runtime::handle().inner().clone(),
            station_id: id,
            inspector: inspector.clone(),
            archive: self.archive.clone(),
            keep_ok_every: settings.keep_ok_every,
            ok_seen: 0,
            ng_streak: NgStreak::new(settings.stop_after_ng),
            teaching: self.teaching.clone(),
            app: app.clone(),
            last_part: last_part.clone(),
        };
        let app2 = app.clone();
        let emit = move |e: StationEvent| emit_event(&app2, id, e);
        let detectors =
            watch::Detectors::new(id, settings, store.clone(), app.clone(), self.archive.clone())?
                .map(|d| Box::new(d) as Box<dyn FrameWatch>);
        let station = Station::start_watched(
            open,
            inspector,
            StationConfig {
                trigger: settings.trigger.clone(),
                roi: settings.roi,
                sensitivity: settings.sensitivity,
                persist_frames: settings.persist_frames,
                clear_frames: settings.persist_frames.max(1),
                preview_fps: PREVIEW_FPS,
            },
            Box::new(recorder),
            Box::new(emit),
            detectors,
        )
        .map_err(|e| StationError::Start(e.to_string()))?;
        // Two windows may press Start at once: the first station in wins.
        let extra = match self.running.lock().unwrap_or_else(|p| p.into_inner()).entry(id) {
            std::collections::hash_map::Entry::Occupied(_) => Some(station),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(Running {
                    station,
                    _idle: IdleWatch::start(
                        app.clone(),
                        store.clone(),
                        id,
                        last_part,
                        settings.idle_stop_seconds,
                    ),
                });
                None
            }
        };
        if let Some(extra) = extra {
            extra.stop();
        }
        Ok(())
    }

    pub fn stop(&self, id: i64) {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        if let Some(r) = running {
            r.station.stop();
        }
        // A collection of good parts ends with the run that was feeding it.
        self.teaching.collect(id, 0);
    }

    pub fn request_inspection(&self, id: i64) -> bool {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.get(&id).map(|r| r.station.request_inspection()).is_some()
    }

    /// Stops every station (the app is closing).
    pub fn stop_all(&self) {
        let all: Vec<Station> = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .map(|(_, r)| r.station)
            .collect();
        all.into_iter().for_each(Station::stop);
    }
}

fn open_source(source: &SourceSettings, recordings: &Path) -> Result<OpenSource, StationError> {
    Ok(match source.clone() {
        SourceSettings::Recording { file, fps } => {
            // Only ever a plain file name inside the recordings folder.
            if !settings::is_recording_name(&file) {
                return Err(StationError::Settings(format!("recording {file:?}")));
            }
            let path = recordings.join(file);
            Box::new(move || {
                MjpegFileSource::open(&path, fps as f64, true).map(|s| Box::new(s) as Box<dyn FrameSource>)
            })
        }
        SourceSettings::Demo => {
            Box::new(|| Ok(Box::new(Conveyor::new(ConveyorSpec::demo())) as Box<dyn FrameSource>))
        }
        SourceSettings::Camera {
            device,
            fourcc,
            width,
            height,
            fps,
        } => {
            // V4l2Source::open refuses any path but a V4L2 node itself.
            let format = PixelFormat::from_fourcc_str(&fourcc)
                .ok_or_else(|| StationError::Settings(format!("pixel format {fourcc:?}")))?;
            Box::new(move || {
                V4l2Source::open(&device, format, width, height, fps as f64)
                    .map(|s| Box::new(s) as Box<dyn FrameSource>)
            })
        }
    })
}

fn emit_event(app: &AppHandle, station_id: i64, event: StationEvent) {
    match event {
        StationEvent::Verdict { id, verdict } => {
            let _ = StationVerdict::from_part(station_id, Some(id), &verdict).emit(app);
        }
        StationEvent::NotStored { verdict, reason } => {
            let _ = StationVerdict::from_part(station_id, None, &verdict).emit(app);
            let _ = crate::events::StationAlarm {
                station_id,
                message: format!("verdict not stored: {reason}"),
                alarm: None,
            }
            .emit(app);
        }
        StationEvent::Preview(frame) => {
            if let Some(jpeg) = preview_jpeg(&frame.image) {
                let (frame_width, frame_height) = frame.image.dimensions();
                let _ = StationPreview {
                    station_id,
                    jpeg_base64: jpeg,
                    frame_width,
                    frame_height,
                }
                .emit(app);
            }
        }
        StationEvent::Failed { frame_seq, reason } => {
            let _ = crate::events::StationAlarm {
                station_id,
                message: format!("frame {frame_seq}: inspection failed: {reason}"),
                alarm: None,
            }
            .emit(app);
        }
        StationEvent::Health(health) => {
            let _ = StationHealthChanged { station_id, health }.emit(app);
        }
    }
}

/// A small JPEG of the live view, base64 for an `img` data URL.
fn preview_jpeg(image: &image::RgbImage) -> Option<String> {
    let (w, h) = image.dimensions();
    let small;
    let image = if w > PREVIEW_WIDTH {
        small = image::imageops::resize(
            image,
            PREVIEW_WIDTH,
            h * PREVIEW_WIDTH / w,
            image::imageops::FilterType::Triangle,
        );
        &small
    } else {
        image
    };
    let mut out = Cursor::new(Vec::new());
    image
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75))
        .ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(out.into_inner()))
}
