//! Per-frame cost of the flow detectors at 320 × 240 (frames rendered
//! first, so only the detectors are timed), and their accuracy over seeds.
//!
//! ```text
//! cargo run --release -p linesight-datagen --example flow_bench [seeds]
//! cargo run --release -p linesight-datagen --example flow_bench DIR
//! ```
//!
//! With a folder of `linesight video … --truth` recordings (`*.mjpeg` beside
//! `*.json`), counts those instead, one line per file, in the format of the
//! OpenCV peer (`models/tools/bench_flow_opencv.py`), so that
//! `scripts/bench_flow.sh` compares both on the same frames.

use std::time::{Duration, Instant};

use linesight_datagen::video::{Scene, Truth, Video, VideoSpec};
use linesight_vision::flow::{
    AlarmTransition, CountingLine, FireConfig, FireDetector, HazardKind, LineCounter, LineCounterConfig,
    NormPoint,
};

fn counter(truth: &Truth) -> LineCounter {
    let [a, b] = truth.line.expect("a counting scene");
    LineCounter::new(LineCounterConfig {
        line: CountingLine {
            a: NormPoint::new(a[0], a[1]),
            b: NormPoint::new(b[0], b[1]),
        },
        ..Default::default()
    })
    .unwrap()
}

/// Counts every recording in `dir` with its truth; prints a line per file and a summary.
fn recordings(dir: &std::path::Path) {
    use linesight_vision::{mjpeg_file::MjpegFileSource, source::FrameSource};
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "mjpeg"))
        .collect();
    files.sort();
    let (mut err, mut total, mut exact, mut frames_all, mut elapsed) = (0, 0, 0, 0, Duration::ZERO);
    for path in &files {
        let truth: Truth =
            serde_json::from_slice(&std::fs::read(path.with_extension("json")).unwrap()).unwrap();
        let mut c = counter(&truth);
        let mut source = MjpegFileSource::open(path, 10_000.0, false).unwrap();
        let mut frames = Vec::new();
        while let Some(f) = source.next_frame().unwrap() {
            frames.push(f.image);
        }
        let t = Instant::now();
        for f in &frames {
            c.push(f, Duration::ZERO).unwrap();
        }
        elapsed += t.elapsed();
        frames_all += frames.len();
        let (up, down) = (truth.up, truth.down);
        let got = c.totals();
        let e = got.up.abs_diff(up) + got.down.abs_diff(down);
        err += e;
        total += up + down;
        exact += u32::from(e == 0);
        println!(
            "linesight {}: counted up {} down {}, truth up {up} down {down}",
            path.file_name().unwrap().to_string_lossy(),
            got.up,
            got.down
        );
    }
    println!(
        "linesight: {} files, {total} crossings, exact {exact}/{}, mean abs error {:.2}/file, {:.3} ms/frame",
        files.len(),
        files.len(),
        err as f64 / files.len().max(1) as f64,
        elapsed.as_secs_f64() * 1e3 / frames_all.max(1) as f64
    );
}

fn main() {
    let arg = std::env::args().nth(1);
    if let Some(dir) = arg.as_deref().map(std::path::Path::new).filter(|p| p.is_dir()) {
        return recordings(dir);
    }
    let seeds: u64 = arg.and_then(|s| s.parse().ok()).unwrap_or(10);
    let (w, h) = (320, 240);
    let profile = if cfg!(debug_assertions) {
        "dev profile"
    } else {
        "release"
    };
    println!("# Cost at {w} × {h} (processed at 160 × 120), {profile}, one thread");
    for scene in [Scene::Entrance, Scene::Fire] {
        let v = Video::new(VideoSpec::new(scene, 1).noisy(true).size(w, h)).unwrap();
        let t = Instant::now();
        let frames: Vec<_> = v.frames().collect();
        println!(
            "rendering {scene:?} (not part of the cost): {:.3} ms/frame",
            t.elapsed().as_secs_f64() * 1e3 / frames.len() as f64
        );
        let dt = Duration::from_secs_f32(1.0 / v.fps());
        // Time per frame of one detector's push over the rendered frames.
        let per_frame = |push: &mut dyn FnMut(&image::RgbImage, Duration)| {
            let t = Instant::now();
            for (i, f) in frames.iter().enumerate() {
                push(f, dt * i as u32);
            }
            t.elapsed().as_secs_f64() * 1e3 / frames.len() as f64
        };
        let (name, ms) = if scene == Scene::Entrance {
            let mut c = counter(v.truth());
            (
                "LineCounter::push",
                per_frame(&mut |f, at| drop(c.push(f, at).unwrap())),
            )
        } else {
            let mut d = FireDetector::new(FireConfig::default()).unwrap();
            (
                "FireDetector::push (fire and smoke)",
                per_frame(&mut |f, at| drop(d.push(f, at).unwrap())),
            )
        };
        println!("{name}: {ms:.3} ms/frame over {} frames", frames.len());
    }

    println!("\n# Counts over {seeds} seeds, 160 × 120 at 15 fps: |Δup| + |Δdown| per sequence");
    for scene in [Scene::Entrance, Scene::Conveyor] {
        for noisy in [false, true] {
            let (mut err, mut total, mut exact) = (0, 0, 0);
            let mut per_seed = Vec::new();
            for seed in 0..seeds {
                let v = Video::new(VideoSpec::new(scene, seed).noisy(noisy)).unwrap();
                let mut c = counter(v.truth());
                for i in 0..v.len() {
                    c.push(&v.frame(i), Duration::ZERO).unwrap();
                }
                let (got, t) = (c.totals(), v.truth());
                let e = got.up.abs_diff(t.up) + got.down.abs_diff(t.down);
                per_seed.push(e);
                err += e;
                total += t.up + t.down;
                exact += u32::from(e == 0);
            }
            println!(
                "{scene:?} {}: {total} crossings, mean abs error {:.2}/sequence, exact {exact}/{seeds}, per seed {per_seed:?}",
                if noisy { "noisy" } else { "clean" },
                err as f64 / seeds as f64
            );
        }
    }

    println!("\n# Alarms over {seeds} seeds: delay after the truth's start (s), false alarms");
    for scene in Scene::ALL
        .into_iter()
        .filter(|s| !matches!(s, Scene::Entrance | Scene::Conveyor))
    {
        for noisy in [false, true] {
            let mut delays = Vec::new();
            let mut false_alarms = 0;
            let mut missed = 0;
            for seed in 0..seeds {
                let v = Video::new(VideoSpec::new(scene, seed).noisy(noisy)).unwrap();
                let want = match scene {
                    Scene::Fire => v.truth().fire_from.map(|f| (f, HazardKind::Fire)),
                    Scene::Smoke => v.truth().smoke_from.map(|f| (f, HazardKind::Smoke)),
                    _ => None,
                };
                let mut d = FireDetector::new(FireConfig::default()).unwrap();
                let mut hit = None;
                for i in 0..v.len() {
                    for tr in d.push(&v.frame(i), Duration::ZERO).unwrap() {
                        if let AlarmTransition::Start { kind, .. } = tr {
                            match want {
                                Some((from, k)) if k == kind && i >= from => {
                                    hit.get_or_insert((i - from) as f32 / v.fps());
                                }
                                _ => false_alarms += 1,
                            }
                        }
                    }
                }
                match (want, hit) {
                    (Some(_), Some(d)) => delays.push(d),
                    (Some(_), None) => missed += 1,
                    _ => {}
                }
            }
            let stats = if delays.is_empty() {
                String::new()
            } else {
                let mean = delays.iter().sum::<f32>() / delays.len() as f32;
                let max = delays.iter().copied().fold(0.0, f32::max);
                format!("delay mean {mean:.2} s, max {max:.2} s, ")
            };
            println!(
                "{scene:?} {}: {stats}missed {missed}, false alarms {false_alarms}",
                if noisy { "noisy" } else { "clean" }
            );
        }
    }
}
