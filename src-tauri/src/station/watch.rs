//! A station's flow and safety detectors and what they leave in the MES:
//! one entrance-log row per counted crossing, and one fire-log event (with
//! its alarm) from flame or smoke's start to its end, each with the frame
//! as its snapshot. Runs on the station's watch thread.

use std::{
    sync::{Arc, Mutex},
    time::{Instant, SystemTime},
};

use chrono::{DateTime, Local, Utc};
use image::{Rgb, RgbImage};
use linesight_mes::{
    Store,
    detectors::{Direction as MesDirection, FireKind, NewCrossing},
};
use linesight_vision::{
    archive::{Archive, Key},
    flow::{
        AlarmTransition, CountingLine, CrossingEvent, Direction, FireDetector, HazardKind, LineCounter,
        NormRect,
    },
    pipeline::FrameWatch,
    source::Frame,
};
use tauri::AppHandle;
use tauri_specta::Event;

use super::{StationError, settings::StationSettings};
use crate::events::{StationAlarm, StationCrossing};

pub struct Detectors {
    sink: Sink,
    /// Each detector with its place.
    counter: Option<(LineCounter, String)>,
    fire: Option<(FireDetector, String)>,
    started: Instant,
}

/// Where the detectors' events go: the store, the snapshot archive, the window.
struct Sink {
    station_id: i64,
    store: Store,
    runtime: tokio::runtime::Handle,
    app: AppHandle,
    archive: Arc<Mutex<Archive>>,
}

impl Detectors {
    /// The detectors a station's settings ask for; `None` when it asks for none.
    pub fn new(
        station_id: i64,
        settings: &StationSettings,
        store: Store,
        app: AppHandle,
        archive: Arc<Mutex<Archive>>,
    ) -> Result<Option<Self>, StationError> {
        let bad = |e: linesight_vision::flow::FlowError| StationError::Settings(e.to_string());
        let counter = match &settings.counter {
            Some(c) => Some((
                LineCounter::new(c.detector()).map_err(bad)?,
                c.place.trim().to_string(),
            )),
            None => None,
        };
        let fire = match &settings.fire {
            Some(f) => Some((
                FireDetector::new(f.detector()).map_err(bad)?,
                f.place.trim().to_string(),
            )),
            None => None,
        };
        if counter.is_none() && fire.is_none() {
            return Ok(None);
        }
        Ok(Some(Self {
            sink: Sink {
                station_id,
                store,
                runtime: tauri::async_runtime::handle().inner().clone(),
                app,
                archive,
            },
            counter,
            fire,
            started: Instant::now(),
        }))
    }
}

impl Sink {
    /// The frame with what was seen outlined, saved as the event's
    /// evidence; a full or failing disk costs the snapshot, not the event.
    fn snapshot(
        &self,
        frame: &Frame,
        at: DateTime<Utc>,
        what: &str,
        region: NormRect,
        line: Option<CountingLine>,
    ) -> Option<String> {
        let mut image = frame.image.clone();
        if let Some(l) = line {
            draw_line(&mut image, l, Rgb([255, 215, 0]));
        }
        draw_box(&mut image, region, Rgb([255, 40, 40]));
        let key = Key {
            captured_ms: at.timestamp_millis(),
            frame: frame.seq,
        };
        let day = at.with_timezone(&Local).format("%Y-%m-%d").to_string();
        self.archive
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .save_event(&day, self.station_id, key, what, &image)
            .inspect_err(|e| tracing::error!("station {}: {what} snapshot not kept: {e}", self.station_id))
            .ok()
    }

    fn crossed(&self, frame: &Frame, at: DateTime<Utc>, place: &str, line: CountingLine, e: &CrossingEvent) {
        let snapshot_path = self.snapshot(frame, at, "crossing", e.bbox, Some(line));
        let new = NewCrossing {
            station_id: self.station_id,
            at,
            day: at.with_timezone(&Local).date_naive(),
            place: place.to_string(),
            direction: match e.direction {
                Direction::Up => MesDirection::Up,
                Direction::Down => MesDirection::Down,
            },
            snapshot_path,
        };
        match self.runtime.block_on(self.store.record_crossing(new)) {
            Ok(row) => {
                let _ = StationCrossing {
                    station_id: self.station_id,
                    id: row.id,
                    direction: row.direction,
                    at: row.at,
                    total_up: row.total_up as i32,
                    total_down: row.total_down as i32,
                }
                .emit(&self.app);
            }
            Err(e) => tracing::error!("station {}: crossing not stored: {e}", self.station_id),
        }
    }

    fn hazard(&self, frame: &Frame, at: DateTime<Utc>, place: &str, t: &AlarmTransition) {
        let (store, id) = (&self.store, self.station_id);
        match *t {
            AlarmTransition::Start { kind, region, .. } => {
                let (what, kind) = (snapshot_name(kind), fire_kind(kind));
                let snapshot = self.snapshot(frame, at, what, region, None);
                let day = at.with_timezone(&Local).date_naive();
                let raised = self.runtime.block_on(async {
                    let event = store.fire_started(id, kind, place, at, day, snapshot).await?;
                    let alarm = store
                        .open_alarms(id)
                        .await?
                        .into_iter()
                        .find(|a| a.id == event.alarm_id);
                    Ok::<_, linesight_mes::Error>(alarm)
                });
                match raised {
                    Ok(alarm) => {
                        tracing::warn!(station_id = id, "{what} seen at {place}");
                        let message = alarm.as_ref().map(|a| a.message.clone()).unwrap_or_default();
                        let _ = StationAlarm {
                            station_id: id,
                            message,
                            alarm,
                        }
                        .emit(&self.app);
                    }
                    Err(e) => tracing::error!("station {id}: {what} alarm not stored: {e}"),
                }
            }
            AlarmTransition::End { kind, .. } => self.clear(kind, at),
        }
    }

    /// Ends the station's open event of `kind`; its alarm stays until acknowledged.
    fn clear(&self, kind: HazardKind, at: DateTime<Utc>) {
        let kind = fire_kind(kind);
        if let Err(e) = self
            .runtime
            .block_on(self.store.fire_ended(self.station_id, kind, at))
        {
            tracing::error!("station {}: end of {kind:?} not stored: {e}", self.station_id);
        }
    }
}

impl FrameWatch for Detectors {
    fn watch(&mut self, frame: &Frame) {
        let since = frame.captured.saturating_duration_since(self.started);
        let at: DateTime<Utc> = (SystemTime::now() - frame.captured.elapsed()).into();
        let sink = &self.sink;
        if let Some((counter, place)) = &mut self.counter {
            match counter.push(&frame.image, since) {
                Ok(events) => {
                    let line = counter.config().line;
                    events
                        .iter()
                        .for_each(|e| sink.crossed(frame, at, place, line, e));
                }
                Err(e) => tracing::warn!("station {}: line counter: {e}", sink.station_id),
            }
        }
        if let Some((detector, place)) = &mut self.fire {
            match detector.push(&frame.image, since) {
                Ok(transitions) => transitions.iter().for_each(|t| sink.hazard(frame, at, place, t)),
                Err(e) => tracing::warn!("station {}: fire watch: {e}", sink.station_id),
            }
        }
    }
}

impl Drop for Detectors {
    /// A stopped station no longer watches: what it saw burning ends now
    /// in the log (the alarm stays until someone acknowledges it).
    fn drop(&mut self) {
        let Some((detector, _)) = &self.fire else { return };
        let now = Utc::now();
        for kind in [HazardKind::Fire, HazardKind::Smoke] {
            if detector.state(kind).active {
                self.sink.clear(kind, now);
            }
        }
    }
}

fn fire_kind(kind: HazardKind) -> FireKind {
    match kind {
        HazardKind::Fire => FireKind::Fire,
        HazardKind::Smoke => FireKind::Smoke,
    }
}

fn snapshot_name(kind: HazardKind) -> &'static str {
    match kind {
        HazardKind::Fire => "fire",
        HazardKind::Smoke => "smoke",
    }
}

/// Outlines a normalised box, two pixels wide.
fn draw_box(image: &mut RgbImage, r: NormRect, colour: Rgb<u8>) {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let x0 = (r.x * w).clamp(0.0, w - 1.0) as u32;
    let y0 = (r.y * h).clamp(0.0, h - 1.0) as u32;
    let x1 = ((r.x + r.w) * w).clamp(0.0, w - 1.0) as u32;
    let y1 = ((r.y + r.h) * h).clamp(0.0, h - 1.0) as u32;
    for x in x0..=x1 {
        for y in [y0, y0 + 1, y1.saturating_sub(1), y1] {
            if y < image.height() {
                image.put_pixel(x, y, colour);
            }
        }
    }
    for y in y0..=y1 {
        for x in [x0, x0 + 1, x1.saturating_sub(1), x1] {
            if x < image.width() {
                image.put_pixel(x, y, colour);
            }
        }
    }
}

/// Draws the counting line, two pixels wide.
fn draw_line(image: &mut RgbImage, l: CountingLine, colour: Rgb<u8>) {
    let (w, h) = (image.width() as f32 - 1.0, image.height() as f32 - 1.0);
    let (ax, ay, bx, by) = (l.a.x * w, l.a.y * h, l.b.x * w, l.b.y * h);
    let steps = (bx - ax).abs().max((by - ay).abs()).ceil().max(1.0) as u32;
    for i in 0..=steps {
        let t = i as f32 / steps as f32;
        let (x, y) = ((ax + (bx - ax) * t) as u32, (ay + (by - ay) * t) as u32);
        for (dx, dy) in [(0, 0), (1, 0), (0, 1)] {
            if x + dx < image.width() && y + dy < image.height() {
                image.put_pixel(x + dx, y + dy, colour);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use linesight_vision::flow::NormPoint;

    use super::*;

    #[test]
    fn marks_stay_inside_the_frame() {
        let mut image = RgbImage::new(40, 20);
        let red = Rgb([255, 0, 0]);
        draw_box(
            &mut image,
            NormRect {
                x: 0.5,
                y: 0.5,
                w: 0.9,
                h: 0.9,
            },
            red,
        );
        draw_line(
            &mut image,
            CountingLine {
                a: NormPoint::new(0.0, 1.0),
                b: NormPoint::new(1.0, 0.0),
            },
            red,
        );
        assert_eq!(*image.get_pixel(20, 10), red, "box corner");
        assert_eq!(*image.get_pixel(39, 19), red, "clamped to the last pixel");
        assert_eq!(*image.get_pixel(0, 19), red, "line start");
        assert_eq!(*image.get_pixel(5, 2), Rgb([0, 0, 0]));
    }
}
