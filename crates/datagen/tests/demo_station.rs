//! The demo line end to end below the UI: the synthetic conveyor, a station
//! with a part-present trigger, and the shipped demo model.

use std::{
    path::Path,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use linesight_datagen::conveyor::{Conveyor, ConveyorSpec};
use linesight_vision::{
    inspector::Verdict,
    models::Models,
    pipeline::{OpenSource, PartVerdict, Recorder, Station, StationConfig, StationEvent},
    source::FrameSource,
    trigger::TriggerMode,
};

struct Memory(Arc<Mutex<Vec<(u64, Verdict)>>>);

impl Recorder for Memory {
    fn record(&mut self, v: &PartVerdict) -> Result<i64, String> {
        let mut rows = self.0.lock().unwrap();
        rows.push((v.frame_seq, v.inspection.verdict));
        Ok(rows.len() as i64)
    }
}

#[test]
fn each_passing_part_gets_one_verdict_and_defects_are_rejected() {
    let models = Models::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models")).unwrap();
    let inspector = models.inspector(&models.dir.join("demo-washer")).unwrap();

    let spec = ConveyorSpec {
        seed: 5,
        defect_rate: 0.3,
        ..ConveyorSpec::demo()
    };
    let stored = Arc::new(Mutex::new(Vec::new()));
    let shown = Arc::new(Mutex::new(Vec::new()));
    let s2 = spec.clone();
    let frames = Arc::new(Mutex::new(Vec::new()));
    let f2 = frames.clone();
    // The conveyor records which part each frame shows centred, for the truth.
    let open: OpenSource = Box::new(move || {
        type Truth = Vec<(u64, Option<String>)>;
        struct Watched(Conveyor, Arc<Mutex<Vec<Truth>>>);
        impl FrameSource for Watched {
            fn next_frame(
                &mut self,
            ) -> Result<Option<linesight_vision::source::Frame>, linesight_vision::source::SourceError>
            {
                let f = self.0.next_frame()?;
                let truth: Vec<_> = self
                    .0
                    .truth()
                    .iter()
                    .map(|(i, d)| (*i, d.map(|d| d.to_string())))
                    .collect();
                self.1.lock().unwrap().push(truth);
                Ok(f)
            }
            fn name(&self) -> String {
                self.0.name()
            }
        }
        Ok(Box::new(Watched(Conveyor::new(s2.clone()), f2.clone())) as Box<dyn FrameSource>)
    });
    let s3 = shown.clone();
    let station = Station::start(
        open,
        Arc::new(inspector),
        StationConfig {
            trigger: TriggerMode::PartPresent {
                roi: spec.inspection_roi(),
                threshold: 25.0,
            },
            roi: Some(spec.inspection_roi()),
            sensitivity: 0.0,
            persist_frames: 1,
            clear_frames: 1,
            preview_fps: 10.0,
        },
        Box::new(Memory(stored.clone())),
        Box::new(move |e| {
            if let StationEvent::Verdict { verdict, .. } = e {
                s3.lock().unwrap().push((
                    verdict.frame_seq,
                    verdict.inspection.verdict,
                    verdict.inspection.score,
                ));
            }
        }),
    )
    .unwrap();
    // Ten parts pass the camera: 32 frames each at 30 fps.
    let until = Instant::now() + Duration::from_secs(40);
    while station.health().frames_in < 48 + 10 * 32 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    let health = station.health();
    station.stop();

    let shown = shown.lock().unwrap().clone();
    eprintln!("{health:?}\nverdicts (frame, verdict, score): {shown:?}");
    // One verdict per part that passed the centre (the last may still be deciding).
    let passed = (0..health.frames_in).filter_map(|f| spec.centred_part(f)).count();
    assert!(
        shown.len() == passed || shown.len() + 1 == passed,
        "{} verdicts, {passed} parts",
        shown.len()
    );
    let truth = frames.lock().unwrap().last().cloned().unwrap();
    // Each verdict is for a different part, on its centred frame or, when the
    // station dropped that frame while busy, within two frames of it.
    let mut parts = Vec::new();
    let mut centred = Vec::new();
    for (frame, verdict, _) in &shown {
        let (part, offset) = (0..=2u64)
            .flat_map(|d| [frame.checked_sub(d), Some(frame + d)])
            .flatten()
            .find_map(|f| spec.centred_part(f).map(|p| (p, f.abs_diff(*frame))))
            .unwrap_or_else(|| panic!("inspected frame {frame} is far from any centred part"));
        parts.push(part);
        if offset == 0 {
            centred.push((truth[part as usize].1.is_some(), *verdict == Verdict::Ng));
        }
    }
    parts.dedup();
    assert_eq!(parts.len(), shown.len(), "two verdicts for one part: {parts:?}");
    let right = centred.iter().filter(|(defective, ng)| defective == ng).count();
    eprintln!(
        "{right} of {} centred verdicts right; truth {truth:?}",
        centred.len()
    );
    assert!(
        centred.len() >= shown.len() - 2,
        "most parts are inspected exactly centred"
    );
    assert!(
        right + 1 >= centred.len(),
        "at most one wrong verdict on centred parts"
    );
    assert_eq!(stored.lock().unwrap().len(), shown.len());
}
