//! A running station. The capture thread reads the source and runs the
//! trigger on every frame (it is cheap, and a part-present trigger must see
//! every frame to pick the one with the part centred, however slow
//! inference is); frames it fires on go to a short queue. The newest frame
//! also waits in a one-frame slot for the live view (and for inspection in
//! continuous mode), where an unread frame is replaced and counted as
//! dropped. The worker thread inspects, debounces, records, then emits: a
//! verdict is emitted only after the recorder stored it, so whatever the
//! operator saw survives a crash. Capture never waits for inspection.
//! A station may also have a [`FrameWatch`] (the flow and safety detectors)
//! that sees every frame on a third thread, behind a short queue of its own.

use std::{
    collections::VecDeque,
    sync::{
        Arc, Condvar, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    thread::JoinHandle,
    time::{Duration, Instant, SystemTime},
};

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::{
    inspector::{Inspection, Inspector, Verdict, crop_roi},
    source::{Frame, FrameSource, SourceError},
    trigger::{Debouncer, Decision, Fire, Trigger, TriggerMode},
};

/// Whatever gives a frame its inspection: the model, or a test double.
pub trait Judge: Send + Sync {
    fn judge(&self, image: &RgbImage, sensitivity: f32) -> Inspection;
}

impl Judge for Inspector {
    fn judge(&self, image: &RgbImage, sensitivity: f32) -> Inspection {
        self.inspect(image, sensitivity)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StationConfig {
    pub trigger: TriggerMode,
    /// The part of the frame that is inspected (x, y, width, height); `None`: all of it.
    pub roi: Option<[u32; 4]>,
    /// −0.5 (fewer rejects) to 0.5 (more rejects).
    pub sensitivity: f32,
    /// Inspected frames a defect must persist to be one NG (continuous mode).
    pub persist_frames: u32,
    /// OK frames in a row before another NG can be reported.
    pub clear_frames: u32,
    /// Previews handed to `emit` per second at most.
    pub preview_fps: f64,
}

/// One part's verdict, as stored and shown.
#[derive(Debug, Clone)]
pub struct PartVerdict {
    /// The inspected frame's sequence number at its source.
    pub frame_seq: u64,
    pub captured_at: SystemTime,
    pub inspection: Inspection,
    /// The inspected region of the frame, for the NG gallery and the image archive.
    pub image: RgbImage,
}

/// Stores verdicts; returns the stored row's id.
pub trait Recorder: Send {
    fn record(&mut self, verdict: &PartVerdict) -> Result<i64, String>;
}

/// Looks at every frame besides inspection: the line counter, fire and
/// smoke. Its own thread and queue keep a slow store write from holding up
/// capture or inspection; a detector that tracks motion needs every frame,
/// so frames are queued, not replaced, and only dropped past the queue.
pub trait FrameWatch: Send {
    fn watch(&mut self, frame: &Frame);
}

/// The camera side of the station, as the operator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CameraState {
    Starting,
    Running,
    /// Retrying with backoff.
    Lost,
    /// A finite source (a folder played once) has ended.
    Ended,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub camera: CameraState,
    pub last_error: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub frames_in: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub frames_dropped: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub frames_corrupt: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub inspected: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub verdicts: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub not_stored: u64,
    /// Frames the detectors fell too far behind to see.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub frames_unwatched: u64,
    /// Frame captured → verdict stored, over the last 200 verdicts.
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
}

pub enum StationEvent {
    /// Stored under `id`, and only then emitted.
    Verdict {
        id: i64,
        verdict: PartVerdict,
    },
    /// A verdict the recorder could not store: the operator must see it anyway.
    NotStored {
        verdict: PartVerdict,
        reason: String,
    },
    Preview(Frame),
    Health(Health),
    /// Inspecting a part failed outright (a bug, not a verdict): the part
    /// got no verdict, the operator must be told, the station goes on.
    Failed {
        frame_seq: u64,
        reason: String,
    },
}

/// Frames waiting for the worker: those to inspect, in order, and the newest.
#[derive(Default)]
struct Waiting {
    inspect: VecDeque<Frame>,
    latest: Option<Frame>,
    closed: bool,
}

/// What the worker takes next.
enum Work {
    /// A frame the trigger fired on.
    Inspect(Frame),
    /// The newest frame: the live view (and, in continuous mode, inspection).
    Latest(Frame),
    /// No frame for a while (camera lost, stream ended): time to report health.
    Idle,
}

/// Fired frames queued beyond this are dropped (and counted): inference has
/// fallen that far behind the line.
const QUEUE_MAX: usize = 8;

/// Frames queued for the watch beyond this are dropped (and counted):
/// about 130 ms at 30 fps.
const WATCH_QUEUE_MAX: usize = 4;

/// Frames waiting for the watch, oldest first.
#[derive(Default)]
struct WatchQueue {
    frames: Mutex<(VecDeque<Frame>, bool)>,
    ready: Condvar,
}

impl WatchQueue {
    /// Queues a frame; true when the oldest had to make room for it.
    fn put(&self, frame: Frame) -> bool {
        let mut q = self.frames.lock().unwrap_or_else(|p| p.into_inner());
        let dropped = q.0.len() == WATCH_QUEUE_MAX && q.0.pop_front().is_some();
        q.0.push_back(frame);
        self.ready.notify_one();
        dropped
    }

    fn close(&self) {
        self.frames.lock().unwrap_or_else(|p| p.into_inner()).1 = true;
        self.ready.notify_all();
    }

    /// The next frame; `None` once closed and empty.
    fn take(&self) -> Option<Frame> {
        let mut q = self.frames.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(f) = q.0.pop_front() {
                return Some(f);
            }
            if q.1 {
                return None;
            }
            q = self.ready.wait(q).unwrap_or_else(|p| p.into_inner());
        }
    }
}

struct Slots {
    waiting: Mutex<Waiting>,
    ready: Condvar,
}

impl Slots {
    /// Offers the newest frame and, if the trigger fired, a frame to inspect.
    /// Returns the frames dropped for inspection: a queue overflow, or in
    /// continuous mode an unread newest frame (otherwise that frame was only
    /// a live-view frame, and skipping one is no loss).
    fn put(&self, latest: Frame, inspect: Option<Frame>, continuous: bool) -> u64 {
        let mut w = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        let mut dropped = u64::from(w.latest.replace(latest).is_some() && continuous);
        if let Some(f) = inspect {
            if w.inspect.len() == QUEUE_MAX {
                w.inspect.pop_front();
                dropped += 1;
            }
            w.inspect.push_back(f);
        }
        self.ready.notify_one();
        dropped
    }

    fn close(&self) {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).closed = true;
        self.ready.notify_all();
    }

    /// Frames to inspect first; `Idle` after `idle` without any; `None` once closed and empty.
    fn take(&self, idle: Duration) -> Option<Work> {
        let mut w = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(f) = w.inspect.pop_front() {
                return Some(Work::Inspect(f));
            }
            if let Some(f) = w.latest.take() {
                return Some(Work::Latest(f));
            }
            if w.closed {
                return None;
            }
            let (guard, timeout) = self
                .ready
                .wait_timeout(w, idle)
                .unwrap_or_else(|p| p.into_inner());
            w = guard;
            if timeout.timed_out() && w.inspect.is_empty() && w.latest.is_none() && !w.closed {
                return Some(Work::Idle);
            }
        }
    }
}

#[derive(Default)]
struct Counters {
    frames_in: AtomicU64,
    dropped: AtomicU64,
    corrupt: AtomicU64,
    inspected: AtomicU64,
    verdicts: AtomicU64,
    not_stored: AtomicU64,
    unwatched: AtomicU64,
}

struct Shared {
    slots: Slots,
    /// Present when the station has a [`FrameWatch`].
    watch: Option<WatchQueue>,
    stop: AtomicBool,
    manual: AtomicBool,
    counters: Counters,
    camera: Mutex<(CameraState, Option<String>)>,
    latencies: Mutex<VecDeque<Duration>>,
}

impl Shared {
    fn set_camera(&self, state: CameraState, error: Option<String>) {
        let mut c = self.camera.lock().unwrap_or_else(|p| p.into_inner());
        c.0 = state;
        if error.is_some() {
            c.1 = error;
        }
    }

    fn health(&self) -> Health {
        let (camera, last_error) = self.camera.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut lat: Vec<Duration> = self
            .latencies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .copied()
            .collect();
        lat.sort();
        let q = |p: f64| {
            (!lat.is_empty()).then(|| lat[((lat.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3)
        };
        let c = &self.counters;
        Health {
            camera,
            last_error,
            frames_in: c.frames_in.load(Ordering::Relaxed),
            frames_dropped: c.dropped.load(Ordering::Relaxed),
            frames_corrupt: c.corrupt.load(Ordering::Relaxed),
            inspected: c.inspected.load(Ordering::Relaxed),
            verdicts: c.verdicts.load(Ordering::Relaxed),
            not_stored: c.not_stored.load(Ordering::Relaxed),
            frames_unwatched: c.unwatched.load(Ordering::Relaxed),
            latency_p50_ms: q(0.5),
            latency_p95_ms: q(0.95),
        }
    }

    /// Sleeps up to `d`, waking early on stop; false when stopping.
    fn pause(&self, d: Duration) -> bool {
        let until = Instant::now() + d;
        while Instant::now() < until {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20).min(until - Instant::now()));
        }
        !self.stop.load(Ordering::Relaxed)
    }
}

/// Opens (and after a loss, reopens) the station's frame source.
pub type OpenSource = Box<dyn FnMut() -> Result<Box<dyn FrameSource>, SourceError> + Send>;

const BACKOFF_FIRST: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(10);
const HEALTH_EVERY: Duration = Duration::from_secs(1);
const LATENCY_WINDOW: usize = 200;

/// A running station; stops when dropped.
pub struct Station {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Station {
    pub fn start(
        open: OpenSource,
        judge: Arc<dyn Judge>,
        config: StationConfig,
        recorder: Box<dyn Recorder>,
        emit: Box<dyn FnMut(StationEvent) + Send>,
    ) -> std::io::Result<Self> {
        Self::start_watched(open, judge, config, recorder, emit, None)
    }

    /// [`Station::start`], with detectors that see every frame.
    pub fn start_watched(
        open: OpenSource,
        judge: Arc<dyn Judge>,
        config: StationConfig,
        recorder: Box<dyn Recorder>,
        emit: Box<dyn FnMut(StationEvent) + Send>,
        watch: Option<Box<dyn FrameWatch>>,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            slots: Slots {
                waiting: Mutex::new(Waiting::default()),
                ready: Condvar::new(),
            },
            watch: watch.is_some().then(WatchQueue::default),
            stop: AtomicBool::new(false),
            manual: AtomicBool::new(false),
            counters: Counters::default(),
            camera: Mutex::new((CameraState::Starting, None)),
            latencies: Mutex::new(VecDeque::with_capacity(LATENCY_WINDOW)),
        });
        let capture = {
            let shared = shared.clone();
            let trigger = Trigger::new(config.trigger.clone());
            let continuous = config.trigger == TriggerMode::Continuous;
            std::thread::Builder::new()
                .name("station-capture".into())
                .spawn(move || capture(open, trigger, continuous, &shared))?
        };
        let worker = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("station-worker".into())
                .spawn(move || work(judge, config, recorder, emit, &shared))
        };
        let watcher = watch.map(|w| {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("station-watch".into())
                .spawn(move || watch_frames(w, &shared))
        });
        let mut threads = vec![capture];
        for spawned in [Some(worker), watcher].into_iter().flatten() {
            match spawned {
                Ok(t) => threads.push(t),
                Err(e) => {
                    // Do not leave the camera open behind a station that never started.
                    let mut half = Self { shared, threads };
                    half.halt();
                    return Err(e);
                }
            }
        }
        Ok(Self { shared, threads })
    }

    /// The operator's inspect button (manual trigger).
    pub fn request_inspection(&self) {
        self.shared.manual.store(true, Ordering::Relaxed);
    }

    pub fn health(&self) -> Health {
        self.shared.health()
    }

    /// Stops capture, lets the worker finish the frame in hand, and joins both.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.slots.close();
        if let Some(q) = &self.shared.watch {
            q.close();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Station {
    fn drop(&mut self) {
        self.halt();
    }
}

fn capture(mut open: OpenSource, mut trigger: Trigger, continuous: bool, shared: &Shared) {
    // A part-present trigger's best view so far of the part in front of the camera.
    let mut kept: Option<Frame> = None;
    let mut backoff = BACKOFF_FIRST;
    'reopen: while !shared.stop.load(Ordering::Relaxed) {
        let mut source = match open() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("station source: {e}; retrying in {backoff:?}");
                shared.set_camera(CameraState::Lost, Some(e.to_string()));
                if !shared.pause(backoff) {
                    break;
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
                continue;
            }
        };
        shared.set_camera(CameraState::Running, None);
        while !shared.stop.load(Ordering::Relaxed) {
            match source.next_frame() {
                Ok(Some(frame)) => {
                    backoff = BACKOFF_FIRST;
                    shared.counters.frames_in.fetch_add(1, Ordering::Relaxed);
                    if shared.manual.swap(false, Ordering::Relaxed) {
                        trigger.request();
                    }
                    let inspect = match trigger.fire(&frame.image, frame.captured) {
                        // Continuous: the worker inspects the newest frame whenever it is free.
                        _ if continuous => None,
                        Fire::No => None,
                        Fire::Now => Some(frame.clone()),
                        Fire::Keep => {
                            kept = Some(frame.clone());
                            None
                        }
                        Fire::Kept => kept.take(),
                    };
                    if let Some(q) = &shared.watch
                        && q.put(frame.clone())
                    {
                        shared.counters.unwatched.fetch_add(1, Ordering::Relaxed);
                    }
                    let dropped = shared.slots.put(frame, inspect, continuous);
                    shared.counters.dropped.fetch_add(dropped, Ordering::Relaxed);
                }
                Ok(None) => {
                    shared.set_camera(CameraState::Ended, None);
                    break 'reopen;
                }
                Err(e @ SourceError::Corrupt { .. }) => {
                    shared.counters.corrupt.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!("{e}");
                }
                Err(e) => {
                    tracing::warn!("station source: {e}; reopening in {backoff:?}");
                    shared.set_camera(CameraState::Lost, Some(e.to_string()));
                    if !shared.pause(backoff) {
                        break 'reopen;
                    }
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    continue 'reopen;
                }
            }
        }
    }
    shared.slots.close();
    if let Some(q) = &shared.watch {
        q.close();
    }
}

/// The watch thread: every queued frame to the detectors, until capture ends.
fn watch_frames(mut watch: Box<dyn FrameWatch>, shared: &Shared) {
    let Some(queue) = &shared.watch else { return };
    while let Some(frame) = queue.take() {
        // A panic in a detector or the store must not silently end the watch.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| watch.watch(&frame)));
        if let Err(panic) = outcome {
            tracing::error!("detectors failed on frame {}: {}", frame.seq, panic_text(&*panic));
        }
    }
}

/// What a caught panic said.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown failure".into())
}

fn work(
    judge: Arc<dyn Judge>,
    config: StationConfig,
    mut recorder: Box<dyn Recorder>,
    mut emit: Box<dyn FnMut(StationEvent) + Send>,
    shared: &Shared,
) {
    let continuous = config.trigger == TriggerMode::Continuous;
    // Triggered modes inspect one frame per part: each is its own verdict, and
    // holding one back would let a defect pass unrecorded.
    let mut debouncer = if continuous {
        Debouncer::new(config.persist_frames, config.clear_frames)
    } else {
        Debouncer::new(1, 1)
    };
    let preview_every = Duration::from_secs_f64(1.0 / config.preview_fps.clamp(0.1, 60.0));
    let mut last_preview: Option<Instant> = None;
    let mut last_health = Instant::now();
    while let Some(work) = shared.slots.take(HEALTH_EVERY) {
        let target = match work {
            Work::Idle => None,
            Work::Inspect(frame) => Some(frame),
            Work::Latest(frame) => {
                if last_preview.is_none_or(|t| t.elapsed() >= preview_every) {
                    last_preview = Some(Instant::now());
                    emit(StationEvent::Preview(frame.clone()));
                }
                continuous.then_some(frame)
            }
        };
        if let Some(target) = target {
            let frame_seq = target.seq;
            // A panic in the model or the store must not silently end the station.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                inspect(
                    &*judge,
                    &config,
                    &mut debouncer,
                    &mut *recorder,
                    &mut *emit,
                    shared,
                    target,
                )
            }));
            if let Err(panic) = outcome {
                let reason = panic_text(&*panic);
                tracing::error!("inspection of frame {frame_seq} failed: {reason}");
                shared.counters.not_stored.fetch_add(1, Ordering::Relaxed);
                emit(StationEvent::Failed { frame_seq, reason });
            }
        }
        if last_health.elapsed() >= HEALTH_EVERY {
            last_health = Instant::now();
            emit(StationEvent::Health(shared.health()));
        }
    }
    emit(StationEvent::Health(shared.health()));
}

/// Judge → debounce → record → emit, for one frame.
fn inspect(
    judge: &dyn Judge,
    config: &StationConfig,
    debouncer: &mut Debouncer,
    recorder: &mut dyn Recorder,
    emit: &mut dyn FnMut(StationEvent),
    shared: &Shared,
    target: Frame,
) {
    shared.counters.inspected.fetch_add(1, Ordering::Relaxed);
    let region = crop_roi(&target.image, config.roi).unwrap_or_else(|| target.image.clone());
    let inspection = judge.judge(&region, config.sensitivity);
    if debouncer.push(inspection.verdict == Verdict::Ng) == Decision::Hold {
        return;
    }
    let verdict = PartVerdict {
        frame_seq: target.seq,
        captured_at: SystemTime::now() - target.captured.elapsed(),
        inspection,
        image: region,
    };
    match recorder.record(&verdict) {
        Ok(id) => {
            let mut lat = shared.latencies.lock().unwrap_or_else(|p| p.into_inner());
            if lat.len() == LATENCY_WINDOW {
                lat.pop_front();
            }
            lat.push_back(target.captured.elapsed());
            drop(lat);
            shared.counters.verdicts.fetch_add(1, Ordering::Relaxed);
            emit(StationEvent::Verdict { id, verdict });
        }
        Err(reason) => {
            tracing::error!("verdict not stored: {reason}");
            shared.counters.not_stored.fetch_add(1, Ordering::Relaxed);
            emit(StationEvent::NotStored { verdict, reason });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{patchcore::AnomalyGrid, source::FolderSource};

    /// Test double: a frame is NG when its mean red level is above 128.
    struct RedIsBad {
        delay: Duration,
    }

    impl Judge for RedIsBad {
        fn judge(&self, image: &RgbImage, _: f32) -> Inspection {
            std::thread::sleep(self.delay);
            let red =
                image.pixels().map(|p| p[0] as f32).sum::<f32>() / (image.width() * image.height()) as f32;
            Inspection {
                verdict: if red > 128.0 { Verdict::Ng } else { Verdict::Ok },
                score: red,
                threshold: 128.0,
                grid: AnomalyGrid {
                    width: 1,
                    height: 1,
                    values: vec![red],
                },
                defect: None,
                pose: None,
            }
        }
    }

    /// Stores into a shared list, the way the MES store would.
    struct ListRecorder(Arc<Mutex<Vec<(i64, u64)>>>);

    impl Recorder for ListRecorder {
        fn record(&mut self, v: &PartVerdict) -> Result<i64, String> {
            let mut rows = self.0.lock().unwrap();
            let id = rows.len() as i64 + 1;
            rows.push((id, v.frame_seq));
            Ok(id)
        }
    }

    fn frames_folder(n: usize) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for i in 0..n {
            let red = if i % 3 == 0 { 250 } else { 20 };
            RgbImage::from_pixel(16, 16, image::Rgb([red, 30, 30]))
                .save(tmp.path().join(format!("{i:03}.png")))
                .unwrap();
        }
        tmp
    }

    fn config() -> StationConfig {
        StationConfig {
            trigger: TriggerMode::Continuous,
            roi: None,
            sensitivity: 0.0,
            persist_frames: 1,
            clear_frames: 1,
            preview_fps: 10.0,
        }
    }

    type Seen = Arc<Mutex<Vec<(i64, Verdict)>>>;
    type Stored = Arc<Mutex<Vec<(i64, u64)>>>;

    fn start(dir: &std::path::Path, fps: f64, delay: Duration) -> (Station, Stored, Seen) {
        let stored = Arc::new(Mutex::new(Vec::new()));
        let seen: Seen = Arc::new(Mutex::new(Vec::new()));
        let dir = dir.to_owned();
        let open: OpenSource =
            Box::new(move || Ok(Box::new(FolderSource::open(&dir, fps, false)?) as Box<dyn FrameSource>));
        let seen2 = seen.clone();
        let station = Station::start(
            open,
            Arc::new(RedIsBad { delay }),
            config(),
            Box::new(ListRecorder(stored.clone())),
            Box::new(move |e| {
                if let StationEvent::Verdict { id, verdict } = e {
                    seen2.lock().unwrap().push((id, verdict.inspection.verdict));
                }
            }),
        )
        .unwrap();
        (station, stored, seen)
    }

    /// Polls the station's health until `done` (at most 10 s).
    fn wait_for(station: &Station, done: impl Fn(&Health) -> bool) -> Health {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let h = station.health();
            if done(&h) || Instant::now() > until {
                return h;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Counts the frames it is shown, in order.
    struct SeqWatch(Arc<Mutex<Vec<u64>>>);

    impl FrameWatch for SeqWatch {
        fn watch(&mut self, frame: &Frame) {
            self.0.lock().unwrap().push(frame.seq);
        }
    }

    #[test]
    fn the_watch_sees_every_frame_in_order_even_when_inspection_is_slow() {
        let tmp = frames_folder(12);
        let dir = tmp.path().to_owned();
        let open: OpenSource =
            Box::new(move || Ok(Box::new(FolderSource::open(&dir, 200.0, false)?) as Box<dyn FrameSource>));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let station = Station::start_watched(
            open,
            Arc::new(RedIsBad {
                delay: Duration::from_millis(40),
            }),
            config(),
            Box::new(ListRecorder(Arc::default())),
            Box::new(|_| {}),
            Some(Box::new(SeqWatch(seen.clone()))),
        )
        .unwrap();
        let health = wait_for(&station, |h| h.camera == CameraState::Ended);
        station.stop();
        assert_eq!(*seen.lock().unwrap(), (0..12).collect::<Vec<u64>>());
        assert_eq!(health.frames_unwatched, 0);
        assert!(health.frames_dropped > 0, "inspection fell behind: {health:?}");
    }

    #[test]
    fn every_frame_gets_one_verdict_when_the_worker_keeps_up() {
        let tmp = frames_folder(12);
        let (station, stored, seen) = start(tmp.path(), 100.0, Duration::ZERO);
        wait_for(&station, |h| h.camera == CameraState::Ended);
        station.stop();
        let seen = seen.lock().unwrap();
        let ng = seen.iter().filter(|(_, v)| *v == Verdict::Ng).count();
        let dropped = 12 - seen.len();
        // Frames 0, 3, 6, 9 are red; any frame the worker missed was counted as dropped.
        assert!(ng <= 4 && ng + dropped >= 4, "{seen:?}");
        assert_eq!(stored.lock().unwrap().len(), seen.len());
    }

    #[test]
    fn a_slow_worker_drops_frames_and_capture_never_waits() {
        let tmp = frames_folder(30);
        let (station, _, seen) = start(tmp.path(), 200.0, Duration::from_millis(30));
        let health = wait_for(&station, |h| h.frames_dropped + h.inspected == 30);
        station.stop();
        // Capture ran at its own pace: all 30 frames came in; each was
        // inspected or counted as dropped, and most were dropped.
        assert_eq!(health.frames_in, 30);
        assert!(health.frames_dropped > health.inspected, "{health:?}");
        assert_eq!(seen.lock().unwrap().len() as u64, health.inspected);
    }

    #[test]
    fn stopping_mid_stream_leaves_no_emitted_verdict_unstored() {
        let tmp = frames_folder(60);
        let (station, stored, seen) = start(tmp.path(), 100.0, Duration::from_millis(5));
        std::thread::sleep(Duration::from_millis(150));
        station.stop();
        let stored: Vec<i64> = stored.lock().unwrap().iter().map(|r| r.0).collect();
        let seen = seen.lock().unwrap();
        assert!(!seen.is_empty());
        for (id, _) in seen.iter() {
            assert!(stored.contains(id), "verdict {id} was shown but not stored");
        }
    }

    /// Panics on every other frame, like a model bug would.
    struct Flaky(AtomicU64);

    impl Judge for Flaky {
        fn judge(&self, image: &RgbImage, s: f32) -> Inspection {
            if self.0.fetch_add(1, Ordering::Relaxed).is_multiple_of(2) {
                panic!("model exploded");
            }
            RedIsBad {
                delay: Duration::ZERO,
            }
            .judge(image, s)
        }
    }

    #[test]
    fn a_failing_inspection_is_reported_and_the_station_goes_on() {
        let tmp = frames_folder(10);
        let dir = tmp.path().to_owned();
        let failures = Arc::new(Mutex::new(Vec::new()));
        let f2 = failures.clone();
        let stored = Arc::new(Mutex::new(Vec::new()));
        let station = Station::start(
            Box::new(move || Ok(Box::new(FolderSource::open(&dir, 20.0, false)?) as Box<dyn FrameSource>)),
            Arc::new(Flaky(AtomicU64::new(0))),
            config(),
            Box::new(ListRecorder(stored.clone())),
            Box::new(move |e| {
                if let StationEvent::Failed { reason, .. } = e {
                    f2.lock().unwrap().push(reason);
                }
            }),
        )
        .unwrap();
        let health = wait_for(&station, |h| h.frames_dropped + h.inspected == 10);
        station.stop();
        let failures = failures.lock().unwrap();
        assert!(
            failures.iter().all(|r| r.contains("model exploded")),
            "{failures:?}"
        );
        // Half the parts failed loudly; the other half were judged and stored.
        assert_eq!(
            failures.len() + stored.lock().unwrap().len(),
            health.inspected as usize
        );
        assert!(!failures.is_empty() && !stored.lock().unwrap().is_empty());
    }

    #[test]
    fn a_lost_source_is_retried_and_reported() {
        let stored = Arc::new(Mutex::new(Vec::new()));
        let attempts = Arc::new(AtomicU64::new(0));
        let a = attempts.clone();
        let open: OpenSource = Box::new(move || {
            a.fetch_add(1, Ordering::Relaxed);
            Err(SourceError::Lost {
                source_name: "/dev/video7".into(),
                reason: "no such device".into(),
            })
        });
        let reported = Arc::new(Mutex::new(Vec::new()));
        let r2 = reported.clone();
        let station = Station::start(
            open,
            Arc::new(RedIsBad {
                delay: Duration::ZERO,
            }),
            config(),
            Box::new(ListRecorder(stored)),
            Box::new(move |e| {
                if let StationEvent::Health(h) = e {
                    r2.lock().unwrap().push(h.camera);
                }
            }),
        )
        .unwrap();
        let health = wait_for(&station, |_| {
            attempts.load(Ordering::Relaxed) >= 2 && reported.lock().unwrap().contains(&CameraState::Lost)
        });
        station.stop();
        assert_eq!(health.camera, CameraState::Lost);
        assert!(health.last_error.unwrap().contains("no such device"));
        // Without a single frame the window still hears that the camera is lost.
        assert!(reported.lock().unwrap().contains(&CameraState::Lost));
    }
}
