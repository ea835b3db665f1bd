//! The flow and safety detectors (`linesight_vision::flow`) on generated
//! sequences with known truth (`linesight_datagen::video`), 160 × 120 at
//! 15 fps. Figures are printed (`--nocapture`) for the record.

use std::time::Duration;

use linesight_datagen::video::{Scene, Video, VideoSpec};
use linesight_vision::flow::{
    AlarmTransition, CountingLine, FireConfig, FireDetector, HazardKind, LineCounter, LineCounterConfig,
    NormPoint, Totals,
};

fn at(i: u32, fps: f32) -> Duration {
    Duration::from_secs_f32(i as f32 / fps)
}

fn count(video: &Video) -> Totals {
    let [a, b] = video.truth().line.expect("a counting scene");
    let mut c = LineCounter::new(LineCounterConfig {
        line: CountingLine {
            a: NormPoint::new(a[0], a[1]),
            b: NormPoint::new(b[0], b[1]),
        },
        ..Default::default()
    })
    .unwrap();
    for i in 0..video.len() {
        let events = c.push(&video.frame(i), at(i, video.fps())).unwrap();
        // Every event carries the running totals.
        if let Some(e) = events.last() {
            assert_eq!(e.totals, c.totals());
        }
    }
    c.totals()
}

fn error(got: Totals, video: &Video) -> u32 {
    let t = video.truth();
    got.up.abs_diff(t.up) + got.down.abs_diff(t.down)
}

#[test]
fn counts_are_exact_on_clean_sequences() {
    for scene in [Scene::Entrance, Scene::Conveyor] {
        for seed in 0..3 {
            let v = Video::new(VideoSpec::new(scene, seed)).unwrap();
            let got = count(&v);
            let t = v.truth();
            eprintln!(
                "{scene:?} seed {seed}: counted {got:?}, truth up {} down {}",
                t.up, t.down
            );
            assert_eq!((got.up, got.down), (t.up, t.down), "{scene:?} seed {seed}");
        }
    }
}

/// Noise, flickering and drifting light, camera shake and shadows: the
/// count error (|Δup| + |Δdown|) per sequence, over 10 (entrance) and 5
/// (conveyor) seeds.
#[test]
fn counts_on_noisy_sequences_are_off_by_little() {
    for (scene, seeds, max_mean) in [(Scene::Entrance, 10, 0.5), (Scene::Conveyor, 5, 0.4)] {
        let mut errors = Vec::new();
        let mut crossings = 0;
        for seed in 0..seeds {
            let v = Video::new(VideoSpec::new(scene, seed).noisy(true)).unwrap();
            errors.push(error(count(&v), &v));
            crossings += v.truth().up + v.truth().down;
        }
        let mean = errors.iter().sum::<u32>() as f32 / errors.len() as f32;
        eprintln!("{scene:?} noisy: errors per seed {errors:?}, mean {mean:.2} over {crossings} crossings");
        assert!(mean <= max_mean, "{scene:?}: mean absolute count error {mean:.2}");
    }
}

/// Runs a fire detector over a sequence; (frame, kind) of every alarm start.
fn alarms(video: &Video) -> Vec<(u32, HazardKind)> {
    let mut d = FireDetector::new(FireConfig::default()).unwrap();
    let mut starts = Vec::new();
    for i in 0..video.len() {
        for tr in d.push(&video.frame(i), at(i, video.fps())).unwrap() {
            if let AlarmTransition::Start { kind, .. } = tr {
                starts.push((i, kind));
            }
        }
    }
    starts
}

#[test]
fn fire_alarms_within_two_seconds_of_its_start() {
    let mut delays = Vec::new();
    for noisy in [false, true] {
        for seed in 0..5 {
            let v = Video::new(VideoSpec::new(Scene::Fire, seed).noisy(noisy)).unwrap();
            let from = v.truth().fire_from.unwrap();
            let starts = alarms(&v);
            let fire = starts.iter().find(|(_, k)| *k == HazardKind::Fire);
            let Some(&(frame, _)) = fire else {
                panic!("seed {seed} noisy {noisy}: no fire alarm ({starts:?})");
            };
            assert!(
                frame >= from,
                "seed {seed} noisy {noisy}: alarm at {frame} before the fire ({from})"
            );
            let delay = (frame - from) as f32 / v.fps();
            assert!(
                delay <= 2.0,
                "seed {seed} noisy {noisy}: alarm {delay:.2} s after the fire started"
            );
            assert!(
                !starts.iter().any(|(_, k)| *k == HazardKind::Smoke),
                "fire taken for smoke: {starts:?}"
            );
            delays.push(delay);
        }
    }
    let mean = delays.iter().sum::<f32>() / delays.len() as f32;
    let max = delays.iter().copied().fold(0.0, f32::max);
    eprintln!("fire alarm delays (s), clean then noisy: {delays:.2?}; mean {mean:.2}, max {max:.2}");
}

#[test]
fn smoke_alarms_within_five_seconds_of_its_start() {
    let mut delays = Vec::new();
    for noisy in [false, true] {
        for seed in 0..5 {
            let v = Video::new(VideoSpec::new(Scene::Smoke, seed).noisy(noisy)).unwrap();
            let from = v.truth().smoke_from.unwrap();
            let starts = alarms(&v);
            let Some(&(frame, _)) = starts.iter().find(|(_, k)| *k == HazardKind::Smoke) else {
                panic!("seed {seed} noisy {noisy}: no smoke alarm ({starts:?})");
            };
            assert!(
                frame >= from,
                "seed {seed} noisy {noisy}: alarm at {frame} before the smoke ({from})"
            );
            let delay = (frame - from) as f32 / v.fps();
            assert!(
                delay <= 5.0,
                "seed {seed} noisy {noisy}: alarm {delay:.2} s after the smoke started"
            );
            delays.push(delay);
        }
    }
    let mean = delays.iter().sum::<f32>() / delays.len() as f32;
    eprintln!("smoke alarm delays (s), clean then noisy: {delays:.2?}; mean {mean:.2}");
}

#[test]
fn red_objects_and_passers_by_never_alarm() {
    for scene in [
        Scene::StaticRed,
        Scene::MovingRed,
        Scene::RedShirts,
        Scene::GreyCoats,
    ] {
        for noisy in [false, true] {
            for seed in 0..3 {
                let v = Video::new(VideoSpec::new(scene, seed).noisy(noisy)).unwrap();
                let starts = alarms(&v);
                assert!(
                    starts.is_empty(),
                    "{scene:?} seed {seed} noisy {noisy}: false alarms {starts:?}"
                );
            }
        }
    }
}

/// The demo station's conveyor, with a line drawn across the belt under the
/// camera: every washer that passed the line is counted once, the same way.
#[test]
fn the_demo_conveyor_counts_every_part_once() {
    use linesight_datagen::conveyor::{Conveyor, ConveyorSpec};
    use linesight_vision::source::FrameSource;

    let spec = ConveyorSpec {
        fps: 10_000.0,
        ..ConveyorSpec::demo()
    };
    let mut conveyor = Conveyor::new(spec.clone());
    let mut counter = LineCounter::new(LineCounterConfig {
        line: CountingLine {
            a: NormPoint::new(0.5, 0.05),
            b: NormPoint::new(0.5, 0.95),
        },
        ..Default::default()
    })
    .unwrap();
    let frames = 400;
    for i in 0..frames {
        let frame = conveyor.next_frame().unwrap().unwrap();
        counter.push(&frame.image, at(i, spec.fps as f32)).unwrap();
    }
    // A part is counted once its centre is clear of the line by the margin
    // (5 % of 360 px, 18 px: two frames of belt travel).
    let passed = (0..frames as u64 - 3)
        .filter(|&s| spec.centred_part(s).is_some())
        .count() as u32;
    let got = counter.totals();
    eprintln!("demo conveyor: {passed} parts passed the line, counted {got:?}");
    assert!(passed >= 10);
    assert_eq!(got.up + got.down, passed);
    assert!(got.up == 0 || got.down == 0, "all parts go one way: {got:?}");
}

/// The demo station watches for fire too: a minute of washers riding the
/// belt (grey metal, moving) is neither fire nor smoke.
#[test]
fn the_demo_conveyor_never_alarms() {
    use linesight_datagen::conveyor::{Conveyor, ConveyorSpec};
    use linesight_vision::source::FrameSource;

    let spec = ConveyorSpec {
        fps: 10_000.0,
        ..ConveyorSpec::demo()
    };
    let mut conveyor = Conveyor::new(spec);
    let mut d = FireDetector::new(FireConfig::default()).unwrap();
    for i in 0..1800 {
        let frame = conveyor.next_frame().unwrap().unwrap();
        let alarms = d.push(&frame.image, at(i, 30.0)).unwrap();
        assert!(alarms.is_empty(), "frame {i}: {alarms:?}");
    }
}
