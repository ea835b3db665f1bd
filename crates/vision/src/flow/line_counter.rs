//! Counting objects that cross a line drawn on the live view, up and down.
//!
//! A crossing is counted on commitment, not on touching the line: each
//! track remembers the side it was last seen clearly on (beyond a margin
//! band either side of the line). It counts once when it is next seen
//! clearly on the other side, having passed between the line's end points.
//! So an object that stops on the line or wiggles on it counts once, one
//! that steps onto the line and turns back counts nothing, and one that
//! crosses and comes back counts once each way. Only the track's own
//! observations count; positions predicted through an occlusion do not.

use std::{collections::HashMap, time::Duration};

use image::{GrayImage, RgbImage};
use serde::{Deserialize, Serialize};

use super::{
    FlowError, NormPoint, NormRect,
    background::{BackgroundConfig, BackgroundModel, PixelClass},
    blobs::find_blobs,
    by_sensitivity, check_unit,
    plane::{Mask, RgbPlane},
    tracker::{Tracker, TrackerConfig},
};

/// A segment from `a` to `b` in normalised frame coordinates.
///
/// Directions: moving to the left of `a → b` as seen on screen is
/// [`Direction::Up`]; for a line drawn left to right that is upwards in the
/// image. Draw the line the other way to swap them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CountingLine {
    pub a: NormPoint,
    pub b: NormPoint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Totals {
    pub up: u32,
    pub down: u32,
}

/// A counter's settings, as stored with a station.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct LineCounterConfig {
    pub line: CountingLine,
    /// Half-width of the band around the line a track must clear on both
    /// sides to count, as a share of the frame's shorter side.
    pub margin: f32,
    /// 0 (only strong contrast is an object) to 1 (faint contrast too).
    pub sensitivity: f32,
    /// Smallest object, as a share of the frame area.
    pub min_object_area: f32,
    /// Tell shadows apart from objects.
    pub shadows: bool,
    /// Frames are box-averaged down to at most this width first.
    pub process_width: u32,
    /// Frames an object may be hidden and still keep its track.
    pub max_hidden_frames: u32,
}

impl Default for LineCounterConfig {
    fn default() -> Self {
        Self {
            line: CountingLine {
                a: NormPoint::new(0.05, 0.5),
                b: NormPoint::new(0.95, 0.5),
            },
            margin: 0.05,
            sensitivity: 0.5,
            min_object_area: 0.004,
            shadows: true,
            process_width: 160,
            max_hidden_frames: 8,
        }
    }
}

impl LineCounterConfig {
    pub fn validate(&self) -> Result<(), FlowError> {
        for (name, p) in [("a", self.line.a), ("b", self.line.b)] {
            if !(p.x.is_finite()
                && p.y.is_finite()
                && (0.0..=1.0).contains(&p.x)
                && (0.0..=1.0).contains(&p.y))
            {
                return Err(FlowError::DegenerateLine(format!(
                    "end {name} ({}, {}) is outside the frame",
                    p.x, p.y
                )));
            }
        }
        let len = (self.line.b.x - self.line.a.x).hypot(self.line.b.y - self.line.a.y);
        if len < 0.02 {
            return Err(FlowError::DegenerateLine(format!(
                "its ends are {len:.3} of the frame apart (at least 0.02)"
            )));
        }
        check_unit("sensitivity", self.sensitivity)?;
        if !(self.margin.is_finite() && self.margin > 0.0 && self.margin <= 0.25) {
            return Err(FlowError::InvalidConfig(format!(
                "margin {} is outside (0, 0.25]",
                self.margin
            )));
        }
        if !(self.min_object_area.is_finite() && (0.0..0.5).contains(&self.min_object_area)) {
            return Err(FlowError::InvalidConfig(format!(
                "min_object_area {} is outside 0..0.5",
                self.min_object_area
            )));
        }
        if !(16..=4096).contains(&self.process_width) {
            return Err(FlowError::InvalidConfig(format!(
                "process_width {} is outside 16..=4096",
                self.process_width
            )));
        }
        Ok(())
    }
}

/// One counted crossing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossingEvent {
    pub direction: Direction,
    pub track_id: u64,
    /// The time given with the frame that committed the crossing.
    pub at: Duration,
    /// Frames pushed before this one.
    pub frame_index: u64,
    /// Totals including this crossing.
    pub totals: Totals,
    /// The object's box when counted.
    pub bbox: NormRect,
}

/// A track, for drawing the live overlay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrackView {
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub id: u64,
    pub centroid: NormPoint,
    pub bbox: NormRect,
    /// Seen in this frame (otherwise predicted: hidden or merged with another).
    pub observed: bool,
    /// Directions it was counted in so far.
    pub counted: Vec<Direction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// Per-track crossing state.
#[derive(Debug, Clone, Default)]
struct Crossing {
    /// Side the track was last clearly on.
    committed: Option<Side>,
    /// Last observed (signed distance, position along the line).
    last: Option<(f32, f32)>,
    /// Where along the line (0 = a, 1 = b) its path last met the line.
    met_at: Option<f32>,
    counted: Vec<Direction>,
}

pub struct LineCounter {
    cfg: LineCounterConfig,
    background: BackgroundModel,
    tracker: Tracker,
    crossings: HashMap<u64, Crossing>,
    foreground: Mask,
    totals: Totals,
    frames: u64,
}

impl LineCounter {
    pub fn new(cfg: LineCounterConfig) -> Result<Self, FlowError> {
        cfg.validate()?;
        let s = cfg.sensitivity;
        let background = BackgroundModel::new(BackgroundConfig {
            sigmas: by_sensitivity(s, 4.0, 2.0),
            min_diff: by_sensitivity(s, 30.0, 10.0),
            shadow: cfg.shadows.then_some((0.45, 0.92)),
            ..BackgroundConfig::default()
        })?;
        let tracker = Tracker::new(TrackerConfig {
            max_misses: cfg.max_hidden_frames,
            ..TrackerConfig::default()
        });
        Ok(Self {
            cfg,
            background,
            tracker,
            crossings: HashMap::new(),
            foreground: Mask::new(0, 0),
            totals: Totals::default(),
            frames: 0,
        })
    }

    pub fn config(&self) -> &LineCounterConfig {
        &self.cfg
    }

    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Starts the totals over (a new shift); tracks are kept.
    pub fn reset_totals(&mut self) {
        self.totals = Totals::default();
    }

    /// The cleaned foreground mask of the last frame, at the processing size.
    pub fn foreground(&self) -> GrayImage {
        self.foreground.to_image()
    }

    /// Still learning the empty scene (the first frames).
    pub fn warming_up(&self) -> bool {
        self.background.warming_up()
    }

    pub fn tracks(&self) -> Vec<TrackView> {
        let (w, h) = (self.foreground.w, self.foreground.h);
        self.tracker
            .tracks()
            .iter()
            .filter(|t| t.confirmed(self.tracker.config().min_hits))
            .map(|t| TrackView {
                id: t.id,
                centroid: NormPoint::new(t.centroid[0] / w as f32, t.centroid[1] / h as f32),
                bbox: NormRect::from_px(t.bbox, w, h),
                observed: t.observed(),
                counted: self
                    .crossings
                    .get(&t.id)
                    .map(|c| c.counted.clone())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Feeds one frame taken at `at`; returns the crossings it committed.
    pub fn push(&mut self, frame: &RgbImage, at: Duration) -> Result<Vec<CrossingEvent>, FlowError> {
        let plane = RgbPlane::from_frame(frame, self.cfg.process_width)?;
        let index = self.frames;
        self.frames += 1;
        let (w, h) = (plane.w, plane.h);
        if (w, h) != self.background.size() {
            // A new camera mode: old tracks live in other pixels.
            self.tracker = Tracker::new(self.tracker.config().clone());
            self.crossings.clear();
        }
        let classes = self.background.apply(&plane);
        let mut mask = Mask::new(w, h);
        for (m, c) in mask.v.iter_mut().zip(classes) {
            *m = u8::from(*c == PixelClass::Foreground);
        }
        self.foreground = mask.open().close();
        let min_area = (self.cfg.min_object_area * (w * h) as f32).round().max(4.0) as u32;
        let blobs = find_blobs(&self.foreground, min_area);
        for id in self.tracker.update(&blobs, w, h) {
            self.crossings.remove(&id);
        }
        let geometry = LineGeometry::new(&self.cfg, w, h);
        let min_hits = self.tracker.config().min_hits;
        let mut events = Vec::new();
        for t in self.tracker.tracks() {
            if !t.observed() {
                continue;
            }
            let state = self.crossings.entry(t.id).or_default();
            let Some(direction) = geometry.step(state, t.centroid) else {
                continue;
            };
            // A track too young to be trusted is noise; it re-commits silently.
            if !t.confirmed(min_hits) {
                continue;
            }
            match direction {
                Direction::Up => self.totals.up += 1,
                Direction::Down => self.totals.down += 1,
            }
            state.counted.push(direction);
            events.push(CrossingEvent {
                direction,
                track_id: t.id,
                at,
                frame_index: index,
                totals: self.totals,
                bbox: NormRect::from_px(t.bbox, w, h),
            });
        }
        Ok(events)
    }
}

/// The line in pixels of the processing plane.
struct LineGeometry {
    a: [f32; 2],
    dir: [f32; 2],
    len: f32,
    margin: f32,
}

/// How far past either end of the segment a path may meet the line and
/// still count, as a share of its length (the end points are drawn by hand).
const END_TOLERANCE: f32 = 0.02;

impl LineGeometry {
    fn new(cfg: &LineCounterConfig, w: usize, h: usize) -> Self {
        let (w, h) = (w as f32, h as f32);
        let a = [cfg.line.a.x * w, cfg.line.a.y * h];
        let b = [cfg.line.b.x * w, cfg.line.b.y * h];
        let d = [b[0] - a[0], b[1] - a[1]];
        let len = d[0].hypot(d[1]).max(1e-3);
        Self {
            a,
            dir: [d[0] / len, d[1] / len],
            len,
            margin: cfg.margin * w.min(h),
        }
    }

    /// Signed distance (positive: left of a → b on screen, y down) and
    /// position along the segment (0 at a, 1 at b).
    fn locate(&self, p: [f32; 2]) -> (f32, f32) {
        let r = [p[0] - self.a[0], p[1] - self.a[1]];
        let along = (r[0] * self.dir[0] + r[1] * self.dir[1]) / self.len;
        // Left of the direction on a y-down screen is (dy, -dx).
        let signed = r[0] * self.dir[1] - r[1] * self.dir[0];
        (signed, along)
    }

    /// Moves a track's crossing state to its new observed position; the
    /// direction of a committed crossing, if this makes one.
    fn step(&self, st: &mut Crossing, p: [f32; 2]) -> Option<Direction> {
        let (s, t) = self.locate(p);
        if let Some((s0, t0)) = st.last
            && (s0 > 0.0) != (s > 0.0)
        {
            st.met_at = Some(t0 + (t - t0) * s0 / (s0 - s));
        }
        st.last = Some((s, t));
        let side = if s > self.margin {
            Side::Left
        } else if s < -self.margin {
            Side::Right
        } else {
            return None;
        };
        let before = st.committed.replace(side)?;
        if before == side {
            return None;
        }
        let within = st
            .met_at
            .is_some_and(|m| (-END_TOLERANCE..=1.0 + END_TOLERANCE).contains(&m));
        within.then_some(if side == Side::Left {
            Direction::Up
        } else {
            Direction::Down
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter_line(a: (f32, f32), b: (f32, f32)) -> LineGeometry {
        let cfg = LineCounterConfig {
            line: CountingLine {
                a: NormPoint::new(a.0, a.1),
                b: NormPoint::new(b.0, b.1),
            },
            margin: 0.05,
            ..Default::default()
        };
        LineGeometry::new(&cfg, 100, 100)
    }

    /// Feeds a path of (x, y) pixel positions; the directions counted.
    fn walk(g: &LineGeometry, path: &[(f32, f32)]) -> Vec<Direction> {
        let mut st = Crossing::default();
        path.iter()
            .filter_map(|&(x, y)| g.step(&mut st, [x, y]))
            .collect()
    }

    fn ys(from: f32, to: f32, step: f32) -> Vec<f32> {
        let n = ((to - from) / step).abs().round() as usize;
        (0..=n)
            .map(|i| from + (to - from) * i as f32 / n as f32)
            .collect()
    }

    #[test]
    fn committed_crossings_count_once_per_way() {
        use Direction::*;
        // Horizontal line at y = 50 drawn left to right, margin 5 px.
        let g = counter_line((0.1, 0.5), (0.9, 0.5));
        let at_x = |ys: Vec<f32>| ys.into_iter().map(|y| (50.0, y)).collect::<Vec<_>>();
        assert_eq!(walk(&g, &at_x(ys(90.0, 10.0, 3.0))), [Up]);
        assert_eq!(walk(&g, &at_x(ys(10.0, 90.0, 3.0))), [Down]);
        // Stops on the line for a long time, wiggles there, then goes on: once.
        let mut p = ys(90.0, 50.0, 3.0);
        p.extend([50.0; 40]);
        p.extend([53.0, 47.0, 54.0, 46.0, 52.0, 48.0, 53.0]);
        p.extend(ys(50.0, 10.0, 3.0));
        assert_eq!(walk(&g, &at_x(p)), [Up]);
        // Steps over the line by less than the margin and turns back: nothing.
        let mut p = ys(90.0, 46.0, 3.0);
        p.extend(ys(46.0, 90.0, 3.0));
        assert_eq!(walk(&g, &at_x(p)), []);
        // Crosses and comes back: once each way.
        let mut p = ys(90.0, 20.0, 3.0);
        p.extend(ys(20.0, 90.0, 3.0));
        assert_eq!(walk(&g, &at_x(p)), [Up, Down]);
        // Passes beside the segment (x = 95 > 90): not through the line.
        let beside: Vec<_> = ys(90.0, 10.0, 3.0).into_iter().map(|y| (95.0, y)).collect();
        assert_eq!(walk(&g, &beside), []);
        // A first sighting inside the band has no side to come from.
        assert_eq!(walk(&g, &at_x(ys(50.0, 10.0, 3.0))), []);
    }

    #[test]
    fn direction_follows_the_drawn_line() {
        use Direction::*;
        // Vertical line drawn top to bottom: moving right is moving to its left.
        let g = counter_line((0.5, 0.1), (0.5, 0.9));
        let right: Vec<_> = ys(10.0, 90.0, 4.0).into_iter().map(|x| (x, 50.0)).collect();
        assert_eq!(walk(&g, &right), [Up]);
        // The same line drawn the other way swaps the directions.
        let g = counter_line((0.5, 0.9), (0.5, 0.1));
        assert_eq!(walk(&g, &right), [Down]);
        // A diagonal line, crossed diagonally.
        let g = counter_line((0.0, 1.0), (1.0, 0.0));
        let path: Vec<_> = ys(10.0, 90.0, 4.0).into_iter().map(|v| (v, v)).collect();
        assert_eq!(walk(&g, &path), [Down]);
    }

    #[test]
    fn bad_settings_are_typed_errors() {
        let line = |a: (f32, f32), b: (f32, f32)| LineCounterConfig {
            line: CountingLine {
                a: NormPoint::new(a.0, a.1),
                b: NormPoint::new(b.0, b.1),
            },
            ..Default::default()
        };
        assert!(matches!(
            LineCounter::new(line((0.5, 0.5), (0.505, 0.5))).err(),
            Some(FlowError::DegenerateLine(_))
        ));
        assert!(matches!(
            LineCounter::new(line((0.5, f32::NAN), (0.5, 0.9))).err(),
            Some(FlowError::DegenerateLine(_))
        ));
        assert!(matches!(
            LineCounter::new(line((-0.2, 0.5), (0.5, 0.9))).err(),
            Some(FlowError::DegenerateLine(_))
        ));
        let bad = LineCounterConfig {
            sensitivity: 1.5,
            ..Default::default()
        };
        assert!(matches!(
            LineCounter::new(bad).err(),
            Some(FlowError::InvalidConfig(_))
        ));
        let mut c = LineCounter::new(LineCounterConfig::default()).unwrap();
        assert_eq!(
            c.push(&RgbImage::new(0, 0), Duration::ZERO),
            Err(FlowError::EmptyFrame { width: 0, height: 0 })
        );
    }

    #[test]
    fn settings_round_trip_as_json_with_defaults_for_missing_fields() {
        let json = r#"{"line":{"a":{"x":0.2,"y":0.1},"b":{"x":0.2,"y":0.9}},"sensitivity":0.7}"#;
        let cfg: LineCounterConfig = serde_json::from_str(json).unwrap();
        assert_eq!(cfg.line.b, NormPoint::new(0.2, 0.9));
        assert_eq!(cfg.margin, LineCounterConfig::default().margin);
        let back: LineCounterConfig = serde_json::from_str(&serde_json::to_string(&cfg).unwrap()).unwrap();
        assert_eq!(back, cfg);
    }

    /// Squares sliding over a plain floor: the full chain from pixels to counts.
    #[test]
    fn counts_squares_crossing_a_rendered_floor() {
        let mut c = LineCounter::new(LineCounterConfig::default()).unwrap();
        let render = |objs: &[(i32, i32)]| {
            RgbImage::from_fn(160, 120, |x, y| {
                let inside = objs
                    .iter()
                    .any(|&(ox, oy)| (x as i32 - ox).abs() < 8 && (y as i32 - oy).abs() < 10);
                if inside {
                    image::Rgb([40, 60, 200])
                } else {
                    image::Rgb([150, 140, 120])
                }
            })
        };
        let mut events = Vec::new();
        // Both enter after the warm-up (frames 0..=10 learn the empty floor).
        for f in 0..90i32 {
            // One walks up at x = 40, one down at x = 120.
            let up = (40, 160 - 2 * f);
            let down = (120, -60 + 2 * f);
            let evs = c
                .push(&render(&[up, down]), Duration::from_millis(f as u64 * 66))
                .unwrap();
            events.extend(evs.into_iter().map(|e| (e.direction, e.totals)));
        }
        assert_eq!(
            events,
            [
                (Direction::Up, Totals { up: 1, down: 0 }),
                (Direction::Down, Totals { up: 1, down: 1 })
            ]
        );
        // The walker going up has left; the other is still in view.
        let tracks = c.tracks();
        assert_eq!(tracks.len(), 1);
        assert_eq!(tracks[0].counted, [Direction::Down]);
    }
}
