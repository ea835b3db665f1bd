//! `linesight bench-station`: a station running in real time, from frame
//! captured to verdict stored in a real SQLite store, with the demo model.
//! Prints verdict latency, frames dropped, queue growth and CPU use.

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use chrono::{DateTime, Local, Utc};
use linesight_datagen::conveyor::{Conveyor, ConveyorSpec};
use linesight_mes::{
    Store,
    auth::NewAdmin,
    inspections::{NewInspection, NewStation, Verdict as MesVerdict},
};
use linesight_vision::{
    inspector::Verdict,
    mjpeg_file::MjpegFileSource,
    pipeline::{OpenSource, PartVerdict, Recorder, Station, StationConfig},
    source::{FolderSource, FrameSource},
    trigger::TriggerMode,
};

use linesight_vision::models::Models;

#[derive(clap::Args)]
pub struct Args {
    /// Model bundle the station runs.
    #[arg(long)]
    model: PathBuf,
    /// Seconds each source runs.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Also replay this image folder at `--fps`, inspecting continuously.
    #[arg(long)]
    folder: Option<PathBuf>,
    /// Also replay this recorded MJPEG stream at `--fps`, inspecting continuously.
    #[arg(long)]
    mjpeg: Option<PathBuf>,
    #[arg(long, default_value_t = 30.0)]
    fps: f64,
}

/// Stores each verdict as the app does: one inspection row and its counters.
struct StoreRecorder {
    store: Store,
    runtime: tokio::runtime::Handle,
    station_id: i64,
    model_version: String,
}

impl Recorder for StoreRecorder {
    fn record(&mut self, v: &PartVerdict) -> Result<i64, String> {
        let at: DateTime<Utc> = v.captured_at.into();
        let new = NewInspection {
            station_id: self.station_id,
            at,
            day: at.with_timezone(&Local).date_naive(),
            model_version: self.model_version.clone(),
            score: v.inspection.score as f64,
            threshold: v.inspection.threshold as f64,
            verdict: match v.inspection.verdict {
                Verdict::Ok => MesVerdict::Ok,
                Verdict::Ng => MesVerdict::Ng,
            },
            defect_type: None,
            image_path: None,
            heatmap_path: None,
            work_order_op_id: None,
            lot: None,
        };
        self.runtime
            .block_on(self.store.record_inspection(new))
            .map_err(|e| e.to_string())
    }
}

/// CPU seconds this process has used (user + system), from /proc.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}

pub fn run(models: &Models, args: Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    let store = runtime.block_on(Store::open(&dir.path().join("bench.db")))?;
    let admin = runtime.block_on(store.create_first_admin(
        NewAdmin {
            username: "bench".into(),
            display_name: "bench".into(),
            password: "bench-station-2026".into(),
        },
        "bench",
    ))?;
    let inspector = Arc::new(models.inspector(&args.model)?);
    let spec = ConveyorSpec::demo();
    let mut runs: Vec<(String, OpenSource, TriggerMode, Option<[u32; 4]>)> = vec![(
        format!("demo conveyor, {} fps, part-present", spec.fps),
        Box::new(move || Ok(Box::new(Conveyor::new(ConveyorSpec::demo())) as Box<dyn FrameSource>)),
        TriggerMode::PartPresent {
            roi: spec.inspection_roi(),
            threshold: 25.0,
        },
        Some(spec.inspection_roi()),
    )];
    if let Some(folder) = args.folder.clone() {
        let fps = args.fps;
        runs.push((
            format!("image folder, {fps} fps, continuous"),
            Box::new(move || Ok(Box::new(FolderSource::open(&folder, fps, true)?) as Box<dyn FrameSource>)),
            TriggerMode::Continuous,
            None,
        ));
    }
    if let Some(file) = args.mjpeg.clone() {
        let fps = args.fps;
        runs.push((
            format!("recorded MJPEG, {fps} fps, continuous"),
            Box::new(move || Ok(Box::new(MjpegFileSource::open(&file, fps, true)?) as Box<dyn FrameSource>)),
            TriggerMode::Continuous,
            None,
        ));
    }
    println!(
        "| Source | Seconds | Frames in | Dropped | Verdicts | Latency p50 ms | p95 ms | CPU % of one core |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, open, trigger, roi) in runs {
        let station = runtime.block_on(store.create_station(
            NewStation {
                name: name.clone(),
                config_json: "{}".into(),
            },
            &admin,
            "bench",
        ))?;
        let recorder = StoreRecorder {
            store: store.clone(),
            runtime: runtime.handle().clone(),
            station_id: station.id,
            model_version: inspector.manifest().version.clone(),
        };
        let cpu0 = cpu_seconds();
        let started = Instant::now();
        let running = Station::start(
            open,
            inspector.clone(),
            StationConfig {
                trigger,
                roi,
                sensitivity: 0.0,
                persist_frames: 1,
                clear_frames: 1,
                preview_fps: 10.0,
            },
            Box::new(recorder),
            Box::new(|_| {}),
        )
        .context("starting the station")?;
        std::thread::sleep(Duration::from_secs(args.seconds));
        let h = running.health();
        running.stop();
        let wall = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| 100.0 * (b - a) / wall);
        let ms = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.1}"));
        println!(
            "| {name} | {wall:.0} | {} | {} | {} | {} | {} | {} |",
            h.frames_in,
            h.frames_dropped,
            h.verdicts,
            ms(h.latency_p50_ms),
            ms(h.latency_p95_ms),
            cpu.map_or("–".into(), |c| format!("{c:.0}"))
        );
    }
    Ok(())
}
