//! Generated video sequences with known truth, for the flow and safety
//! detectors (`linesight_vision::flow`): people crossing an entrance,
//! parts crossing a conveyor, fire, smoke, and scenes that must not alarm.
//!
//! A [`Video`] is a pure function of its [`VideoSpec`]: the script (who
//! walks where, when the fire starts) is drawn from the seed up front, and
//! [`Video::frame`] renders any frame on its own, so a test can stream a
//! sequence without holding it. The noisy variant adds what a real camera
//! adds: sensor noise, light that flickers and drifts, a camera shaking by
//! a fraction of a pixel, and shadows under people and parts.
//!
//! Truth: up and down counts for a [`Truth::line`] (directions as in
//! `linesight_vision::flow::CountingLine`: moving to the left of a → b on
//! screen is up), taken from where each object's centre starts and ends;
//! and the first frame that shows fire or smoke.

mod hazard;
mod paint;
mod walkers;

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::{
    Error,
    raster::Canvas,
    rng::{Rng, mix},
};

/// What a sequence shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scene {
    /// An entrance from above: people walking up and down across a line,
    /// some stopping on it, wiggling on it, turning back before it, walking
    /// side by side, following closely, or passing each other.
    Entrance,
    /// Parts riding a belt across a line; the belt stops once for a while.
    Conveyor,
    /// A room where a fire starts on the floor and grows.
    Fire,
    /// A room where smoke starts rising and spreads.
    Smoke,
    /// A room with red objects that never move (must not alarm).
    StaticRed,
    /// A red cart pushed across a room, stopping midway (must not alarm).
    MovingRed,
    /// People in red and orange shirts walking through a room (must not alarm).
    RedShirts,
    /// People in grey and white coats walking through a room (must not alarm).
    GreyCoats,
}

impl Scene {
    pub const ALL: [Scene; 8] = [
        Scene::Entrance,
        Scene::Conveyor,
        Scene::Fire,
        Scene::Smoke,
        Scene::StaticRed,
        Scene::MovingRed,
        Scene::RedShirts,
        Scene::GreyCoats,
    ];

    fn tag(self) -> u64 {
        Scene::ALL.iter().position(|s| *s == self).unwrap_or(0) as u64 + 0x71D
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoSpec {
    pub scene: Scene,
    pub width: u32,
    pub height: u32,
    pub fps: f32,
    pub seed: u64,
    /// Sensor noise, flickering and drifting light, camera shake, shadows.
    pub noisy: bool,
}

impl VideoSpec {
    /// 160 × 120 at 15 fps, clean: small enough for tests.
    pub fn new(scene: Scene, seed: u64) -> Self {
        Self {
            scene,
            width: 160,
            height: 120,
            fps: 15.0,
            seed,
            noisy: false,
        }
    }

    pub fn noisy(self, noisy: bool) -> Self {
        Self { noisy, ..self }
    }

    pub fn size(self, width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            ..self
        }
    }
}

/// What a sequence holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// The counting line (a, b) in normalised coordinates, for scenes with crossings.
    pub line: Option<[[f32; 2]; 2]>,
    pub up: u32,
    pub down: u32,
    /// First frame showing flames.
    pub fire_from: Option<u32>,
    /// First frame showing smoke.
    pub smoke_from: Option<u32>,
}

/// The moving part of a scene, drawn over its static backdrop.
trait Script: Send + Sync {
    /// Paints time `t` (seconds) onto `c`, whose pixel (x, y) shows the
    /// world at (x + off[0], y + off[1]).
    fn paint(&self, c: &mut Canvas, t: f32, off: [f32; 2], shadows: bool);
}

/// A generated sequence.
pub struct Video {
    spec: VideoSpec,
    truth: Truth,
    frames: u32,
    backdrop: Canvas,
    script: Box<dyn Script>,
    light: Light,
}

/// Global light over time (noisy variant): drift plus a flicker.
#[derive(Clone, Copy, Debug)]
struct Light {
    drift: f32,
    flicker: f32,
    hz: f32,
    phase: f32,
}

const TAG_SCRIPT: u64 = 0x5C1;
const TAG_LIGHT: u64 = 0x119;
const TAG_FRAME: u64 = 0xF4A;

impl Video {
    pub fn new(spec: VideoSpec) -> Result<Self, Error> {
        if !(64..=1920).contains(&spec.width) || !(48..=1080).contains(&spec.height) {
            return Err(Error::InvalidSpec(format!(
                "video size {} × {} is outside 64..=1920 × 48..=1080",
                spec.width, spec.height
            )));
        }
        if !(spec.fps.is_finite() && (5.0..=60.0).contains(&spec.fps)) {
            return Err(Error::InvalidSpec(format!("fps {} is outside 5..=60", spec.fps)));
        }
        let seed = mix(spec.seed, spec.scene.tag());
        let mut rng = Rng::stream(seed, TAG_SCRIPT);
        let (w, h) = (spec.width as usize, spec.height as usize);
        let built = match spec.scene {
            Scene::Entrance => walkers::entrance(&mut rng, w, h),
            Scene::Conveyor => walkers::conveyor(&mut rng, w, h),
            _ => hazard::room(spec.scene, &mut rng, w, h),
        };
        let mut lr = Rng::stream(seed, TAG_LIGHT);
        let light = Light {
            drift: lr.sym(0.08),
            flicker: lr.range(0.01, 0.04),
            hz: lr.range(0.5, 6.0),
            phase: lr.range(0.0, std::f32::consts::TAU),
        };
        let frames = (built.seconds * spec.fps).ceil() as u32;
        let secs_to_frame = |s: f32| (s * spec.fps).ceil() as u32;
        let truth = Truth {
            fire_from: built.fire_from.map(secs_to_frame),
            smoke_from: built.smoke_from.map(secs_to_frame),
            ..built.truth
        };
        Ok(Self {
            spec,
            truth,
            frames,
            backdrop: built.backdrop,
            script: built.script,
            light,
        })
    }

    pub fn spec(&self) -> &VideoSpec {
        &self.spec
    }

    pub fn truth(&self) -> &Truth {
        &self.truth
    }

    pub fn len(&self) -> u32 {
        self.frames
    }

    pub fn is_empty(&self) -> bool {
        self.frames == 0
    }

    pub fn fps(&self) -> f32 {
        self.spec.fps
    }

    /// Frame `i` (0-based; any `i`, also past the end, where the scene stays as it ends).
    pub fn frame(&self, i: u32) -> RgbImage {
        let t = i as f32 / self.spec.fps;
        let mut rng = Rng::stream(mix(self.spec.seed, TAG_FRAME), i as u64);
        let (w, h) = (self.backdrop.w, self.backdrop.h);
        let off = if self.spec.noisy {
            let a = 0.6 * w as f32 / 160.0;
            [rng.sym(a), rng.sym(a)]
        } else {
            [0.0, 0.0]
        };
        let mut c = paint::shifted(&self.backdrop, off);
        self.script.paint(&mut c, t, off, self.spec.noisy);
        if self.spec.noisy {
            let l = self.light;
            let progress = i as f32 / self.frames.max(1) as f32;
            let gain = 1.0
                + l.drift * (2.0 * progress - 1.0)
                + l.flicker * (std::f32::consts::TAU * l.hz * t + l.phase).sin()
                + 0.006 * rng.normal();
            // Mostly luminance noise (normal), a little per channel
            // (uniform, three from one draw: this runs on every pixel).
            let sigma = 0.02;
            let chroma = 0.45 * 3f32.sqrt() * sigma / (1 << 20) as f32;
            for p in c.px.iter_mut() {
                let lum = 0.8 * sigma * rng.normal();
                let bits = rng.next_u64();
                for (k, v) in p.iter_mut().enumerate() {
                    let u = ((bits >> (21 * k)) & 0x1F_FFFF) as f32 - (1 << 20) as f32;
                    *v = *v * gain + lum + chroma * u;
                }
            }
        }
        debug_assert_eq!((c.w, c.h), (w, h));
        c.to_rgb()
    }

    /// Every frame in order.
    pub fn frames(&self) -> impl Iterator<Item = RgbImage> + '_ {
        (0..self.frames).map(|i| self.frame(i))
    }
}

/// What a scene builder returns.
struct Built {
    backdrop: Canvas,
    script: Box<dyn Script>,
    truth: Truth,
    seconds: f32,
    fire_from: Option<f32>,
    smoke_from: Option<f32>,
}

/// Which way a path from `from` to `to` crossed the line a → b, if it ends
/// on the other side: positive side = left of a → b on a y-down screen = up.
fn crossing(line: [[f32; 2]; 2], from: [f32; 2], to: [f32; 2]) -> Option<bool> {
    let [a, b] = line;
    let side = |p: [f32; 2]| (p[0] - a[0]) * (b[1] - a[1]) - (p[1] - a[1]) * (b[0] - a[0]);
    let (s0, s1) = (side(from), side(to));
    (s0.signum() != s1.signum()).then_some(s1 > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_pixels_and_seeds_differ() {
        for scene in Scene::ALL {
            let spec = VideoSpec::new(scene, 3).noisy(true);
            let a = Video::new(spec.clone()).unwrap();
            let b = Video::new(spec).unwrap();
            let i = a.len() / 2;
            assert_eq!(a.frame(i), b.frame(i), "{scene:?}");
            assert_eq!(a.truth(), b.truth());
            let c = Video::new(VideoSpec::new(scene, 4).noisy(true)).unwrap();
            assert_ne!(a.frame(i), c.frame(i), "{scene:?}");
            assert_eq!(a.frame(0).dimensions(), (160, 120));
        }
    }

    #[test]
    fn truths_are_plausible() {
        for seed in 0..5 {
            let v = |s| Video::new(VideoSpec::new(s, seed)).unwrap();
            let e = v(Scene::Entrance);
            // 7 episodes of one or two people: 9 crossings (one turns back),
            // both ways (the two passing each other).
            let t = e.truth();
            assert!(t.up + t.down == 9 && t.up >= 1 && t.down >= 1, "{t:?}");
            assert!(e.len() > 200 && e.len() < 500, "{}", e.len());
            let c = v(Scene::Conveyor);
            assert!(c.truth().up + c.truth().down >= 6, "{:?}", c.truth());
            let f = v(Scene::Fire);
            let start = f.truth().fire_from.unwrap();
            assert!(start >= 15 && start + 45 < f.len(), "{start} of {}", f.len());
            assert!(v(Scene::Smoke).truth().smoke_from.is_some());
            for s in [
                Scene::StaticRed,
                Scene::MovingRed,
                Scene::RedShirts,
                Scene::GreyCoats,
            ] {
                let t = v(s).truth().clone();
                assert_eq!((t.fire_from, t.smoke_from, t.up, t.down), (None, None, 0, 0));
            }
        }
    }

    /// The first frames of every scene are empty (backdrop only), so a
    /// detector can learn the background, and fire really starts at its truth.
    #[test]
    fn scenes_start_empty_and_fire_starts_on_time() {
        let diff = |a: &RgbImage, b: &RgbImage| {
            a.pixels()
                .zip(b.pixels())
                .map(|(p, q)| (0..3).map(|c| p[c].abs_diff(q[c]) as u32).max().unwrap_or(0))
                .max()
                .unwrap_or(0)
        };
        for scene in Scene::ALL {
            let v = Video::new(VideoSpec::new(scene, 9)).unwrap();
            assert_eq!(
                diff(&v.frame(0), &v.frame(10)),
                0,
                "{scene:?}: something moves in the first frames"
            );
        }
        let v = Video::new(VideoSpec::new(Scene::Fire, 9)).unwrap();
        let f = v.truth().fire_from.unwrap();
        assert_eq!(diff(&v.frame(0), &v.frame(f - 1)), 0);
        assert!(diff(&v.frame(0), &v.frame(f)) > 40);
    }

    #[test]
    fn rejects_bad_specs() {
        assert!(Video::new(VideoSpec::new(Scene::Fire, 0).size(10, 10)).is_err());
        let bad_fps = VideoSpec {
            fps: 0.0,
            ..VideoSpec::new(Scene::Fire, 0)
        };
        assert!(Video::new(bad_fps).is_err());
    }
}
