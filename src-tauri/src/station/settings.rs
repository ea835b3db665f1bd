//! A station's settings, stored as the station's JSON in the MES, and the
//! rules a form must meet before they are stored.

use linesight_datagen::conveyor::ConveyorSpec;
use linesight_vision::{
    camera::validate_device_path,
    convert::PixelFormat,
    flow::{CountingLine, FireConfig, LineCounterConfig},
    trigger::TriggerMode,
};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Where a station's frames come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SourceSettings {
    /// The demo line's generated conveyor.
    Demo,
    /// A V4L2 camera: `/dev/videoN` and the format to ask it for.
    Camera {
        device: String,
        fourcc: String,
        width: u32,
        height: u32,
        fps: u32,
    },
    /// A recorded MJPEG stream in the data dir's `recordings/` folder, by
    /// file name, replayed in a loop at `fps`.
    Recording { file: String, fps: u32 },
}

impl SourceSettings {
    /// Width and height of the frames this source delivers, when known
    /// without opening it.
    pub fn frame_size(&self) -> Option<(u32, u32)> {
        match self {
            SourceSettings::Demo => {
                let spec = ConveyorSpec::demo();
                Some((spec.frame_width, spec.frame_height))
            }
            SourceSettings::Camera { width, height, .. } => Some((*width, *height)),
            SourceSettings::Recording { .. } => None,
        }
    }
}

/// A recording is named by a plain `.mjpeg` or `.mjpg` file name: never a path.
pub fn is_recording_name(name: &str) -> bool {
    let plain = !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '));
    let lower = name.to_ascii_lowercase();
    plain && (lower.ends_with(".mjpeg") || lower.ends_with(".mjpg"))
}

/// A station's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StationSettings {
    pub source: SourceSettings,
    /// Model bundle folder name (see `station::bundles`).
    pub model: String,
    /// Region of the frame the model inspects (x, y, width, height); `None`: the whole frame.
    pub roi: Option<[u32; 4]>,
    pub trigger: TriggerMode,
    /// Moves the threshold without retraining: −0.5 (fewer rejects) to 0.5.
    pub sensitivity: f32,
    /// Frames an NG must persist before it counts (continuous trigger).
    pub persist_frames: u32,
    /// Keep one OK image in this many (0: none).
    pub keep_ok_every: u32,
    /// NG parts in a row that raise the stop-the-line alarm (0: never).
    #[serde(default = "default_stop_after_ng")]
    pub stop_after_ng: u32,
    /// Seconds without a part, while the station's operation runs, that open
    /// an unexplained stop for a supervisor to classify (0: never).
    #[serde(default = "default_idle_stop_seconds")]
    pub idle_stop_seconds: u32,
    /// The model used before the last activation, for rolling back.
    #[serde(default)]
    pub previous_model: Option<String>,
    /// Counts what crosses a line drawn on the live view (출입관리).
    #[serde(default)]
    pub counter: Option<CounterSettings>,
    /// Watches the view for flame and smoke (화재감지).
    #[serde(default)]
    pub fire: Option<FireSettings>,
}

/// The line counter of a station: people at an entrance, parts on a belt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CounterSettings {
    /// Where the line is, as the entrance log names it (e.g. 정문).
    pub place: String,
    /// In frame coordinates 0..1; crossing to the left of a → b is up (상행).
    pub line: CountingLine,
    /// 0 (strong contrast only is an object) to 1 (faint contrast too).
    pub sensitivity: f32,
}

impl CounterSettings {
    pub fn detector(&self) -> LineCounterConfig {
        LineCounterConfig {
            line: self.line,
            sensitivity: self.sensitivity,
            ..LineCounterConfig::default()
        }
    }
}

/// The fire (and smoke) watch of a station.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FireSettings {
    /// Where the camera looks, as the fire log and the alarm name it.
    pub place: String,
    /// 0 (large, strongly flickering flames only) to 1 (small or faint ones too).
    pub sensitivity: f32,
    /// Also raise an alarm for smoke.
    pub smoke: bool,
}

impl FireSettings {
    pub fn detector(&self) -> FireConfig {
        FireConfig {
            sensitivity: self.sensitivity,
            smoke: self.smoke,
            ..FireConfig::default()
        }
    }
}

/// A place is what a log row and an alarm say: 1 to 100 characters.
fn check_place(setting: Setting, place: &str) -> Result<(), Invalid> {
    let n = place.trim().chars().count();
    if (1..=100).contains(&n) {
        Ok(())
    } else {
        Err(Invalid::Range(setting, 1, 100))
    }
}

fn check_unit(setting: Setting, v: f32) -> Result<(), Invalid> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(Invalid::Range(setting, 0, 1))
    }
}

fn default_stop_after_ng() -> u32 {
    3
}

fn default_idle_stop_seconds() -> u32 {
    120
}

impl StationSettings {
    /// The demo line: the generated conveyor and the bundled washer model.
    pub fn demo() -> Self {
        let spec = ConveyorSpec::demo();
        Self {
            source: SourceSettings::Demo,
            model: "demo-washer".into(),
            roi: Some(spec.inspection_roi()),
            trigger: TriggerMode::PartPresent {
                roi: spec.inspection_roi(),
                threshold: 25.0,
            },
            sensitivity: 0.0,
            persist_frames: 1,
            keep_ok_every: 10,
            stop_after_ng: default_stop_after_ng(),
            idle_stop_seconds: default_idle_stop_seconds(),
            previous_model: None,
            counter: None,
            fire: Some(FireSettings {
                place: "데모 라인".into(),
                sensitivity: 0.5,
                smoke: true,
            }),
        }
    }

    /// The first rule the settings break, if any. Whether the model exists
    /// is checked against the installed bundles by the caller.
    pub fn check(&self) -> Result<(), Invalid> {
        if let SourceSettings::Camera {
            device,
            fourcc,
            width,
            height,
            fps,
        } = &self.source
        {
            validate_device_path(device).map_err(|_| Invalid::Format(Setting::Device))?;
            PixelFormat::from_fourcc_str(fourcc).ok_or(Invalid::Format(Setting::PixelFormat))?;
            in_range(Setting::Width, *width as i64, 16, 8192)?;
            in_range(Setting::Height, *height as i64, 16, 8192)?;
            in_range(Setting::Fps, *fps as i64, 1, 240)?;
        }
        if let SourceSettings::Recording { file, fps } = &self.source {
            if !is_recording_name(file) {
                return Err(Invalid::Format(Setting::Recording));
            }
            in_range(Setting::Fps, *fps as i64, 1, 240)?;
        }
        let previous_ok = self.previous_model.as_deref().is_none_or(is_bundle_name);
        if !is_bundle_name(&self.model) || !previous_ok {
            return Err(Invalid::Format(Setting::Model));
        }
        let frame = self.source.frame_size();
        if let Some(roi) = self.roi {
            check_roi(Setting::Roi, roi, frame, 16)?;
        }
        match &self.trigger {
            TriggerMode::Continuous | TriggerMode::Manual => {}
            TriggerMode::Interval { every_ms } => {
                in_range(Setting::IntervalMs, *every_ms as i64, 50, 3_600_000)?
            }
            TriggerMode::PartPresent { roi, threshold } => {
                check_roi(Setting::TriggerRoi, *roi, frame, 4)?;
                if !(1.0..=255.0).contains(threshold) {
                    return Err(Invalid::Range(Setting::TriggerThreshold, 1, 255));
                }
            }
        }
        if !(-0.5..=0.5).contains(&self.sensitivity) {
            return Err(Invalid::Sensitivity);
        }
        in_range(Setting::PersistFrames, self.persist_frames as i64, 1, 300)?;
        in_range(Setting::KeepOkEvery, self.keep_ok_every as i64, 0, 10_000)?;
        in_range(Setting::StopAfterNg, self.stop_after_ng as i64, 0, 100)?;
        in_range(Setting::IdleStop, self.idle_stop_seconds as i64, 0, 3600)?;
        if let Some(c) = &self.counter {
            check_place(Setting::CounterPlace, &c.place)?;
            check_unit(Setting::CounterSensitivity, c.sensitivity)?;
            c.detector().validate().map_err(|_| Invalid::CountingLine)?;
        }
        if let Some(f) = &self.fire {
            check_place(Setting::FirePlace, &f.place)?;
            check_unit(Setting::FireSensitivity, f.sensitivity)?;
        }
        Ok(())
    }
}

/// A bundle is named by a plain folder name: never a path.
pub fn is_bundle_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn in_range(setting: Setting, value: i64, min: i64, max: i64) -> Result<(), Invalid> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(Invalid::Range(setting, min, max))
    }
}

/// A region must be at least `min` pixels each way and lie inside the frame.
fn check_roi(
    setting: Setting,
    [x, y, w, h]: [u32; 4],
    frame: Option<(u32, u32)>,
    min: u32,
) -> Result<(), Invalid> {
    let Some((fw, fh)) = frame else {
        // A recording's frame size is known only once it plays.
        return if w >= min && h >= min {
            Ok(())
        } else {
            Err(Invalid::Range(setting, min as i64, 8192))
        };
    };
    let inside = w >= min
        && h >= min
        && x.checked_add(w).is_some_and(|r| r <= fw)
        && y.checked_add(h).is_some_and(|b| b <= fh);
    if inside {
        Ok(())
    } else {
        Err(Invalid::Roi(setting, fw, fh))
    }
}

/// A setting, named in the user's language by the error that cites it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Device,
    Recording,
    PixelFormat,
    Width,
    Height,
    Fps,
    Model,
    Roi,
    IntervalMs,
    TriggerRoi,
    TriggerThreshold,
    PersistFrames,
    KeepOkEvery,
    StopAfterNg,
    IdleStop,
    CounterPlace,
    CounterSensitivity,
    FirePlace,
    FireSensitivity,
}

impl Setting {
    /// (Korean, English)
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Setting::Device => ("카메라 장치", "Camera device"),
            Setting::Recording => ("녹화 파일", "Recording"),
            Setting::PixelFormat => ("픽셀 형식", "Pixel format"),
            Setting::Width => ("영상 너비", "Frame width"),
            Setting::Height => ("영상 높이", "Frame height"),
            Setting::Fps => ("초당 프레임", "Frame rate"),
            Setting::Model => ("검사 모델", "Inspection model"),
            Setting::Roi => ("검사 영역", "Inspection region"),
            Setting::IntervalMs => ("검사 간격(ms)", "Interval (ms)"),
            Setting::TriggerRoi => ("제품 감지 영역", "Part detection region"),
            Setting::TriggerThreshold => ("제품 감지 민감도", "Part detection threshold"),
            Setting::PersistFrames => ("불량 지속 프레임", "NG persistence frames"),
            Setting::KeepOkEvery => ("양품 이미지 저장 간격", "Keep one OK image in"),
            Setting::StopAfterNg => ("연속 불량 정지 기준", "Stop the line after NG in a row"),
            Setting::IdleStop => ("무부품 정지 기준(초)", "Stop after seconds with no part"),
            Setting::CounterPlace => ("계수 장소 이름 길이", "Counting place name length"),
            Setting::CounterSensitivity => ("계수 민감도", "Counting sensitivity"),
            Setting::FirePlace => ("화재감지 장소 이름 길이", "Fire watch place name length"),
            Setting::FireSensitivity => ("화재감지 민감도", "Fire watch sensitivity"),
        }
    }
}

/// Why settings were refused. The window gets it in the user's language
/// through `AppError`; the English text here is for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Not in the form the setting takes (a device path, a FourCC, a model name).
    Format(Setting),
    Range(Setting, i64, i64),
    /// Too small, or not inside the frame of the given size.
    Roi(Setting, u32, u32),
    Sensitivity,
    /// No installed bundle has this name.
    UnknownModel,
    /// Its ends lie outside the frame or (almost) on one another.
    CountingLine,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::Format(s) => write!(f, "{}: not in the expected form", s.name().1),
            Invalid::Range(s, min, max) => write!(f, "{}: must be between {min} and {max}", s.name().1),
            Invalid::Roi(s, w, h) => write!(f, "{}: must lie inside the {w} × {h} frame", s.name().1),
            Invalid::Sensitivity => f.write_str("sensitivity must be between -0.5 and 0.5"),
            Invalid::UnknownModel => f.write_str("no such model is installed"),
            Invalid::CountingLine => {
                f.write_str("the counting line must lie inside the frame, its ends apart")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use linesight_vision::flow::NormPoint;

    use super::*;

    fn camera() -> StationSettings {
        StationSettings {
            source: SourceSettings::Camera {
                device: "/dev/video0".into(),
                fourcc: "MJPG".into(),
                width: 1280,
                height: 720,
                fps: 30,
            },
            roi: Some([100, 100, 400, 400]),
            trigger: TriggerMode::Interval { every_ms: 500 },
            counter: Some(CounterSettings {
                place: "정문".into(),
                line: CountingLine {
                    a: NormPoint::new(0.1, 0.5),
                    b: NormPoint::new(0.9, 0.5),
                },
                sensitivity: 0.5,
            }),
            ..StationSettings::demo()
        }
    }

    #[test]
    fn the_demo_and_a_camera_station_are_valid() {
        assert_eq!(StationSettings::demo().check(), Ok(()));
        assert_eq!(camera().check(), Ok(()));
    }

    #[test]
    fn each_broken_rule_names_its_setting() {
        type Break = Box<dyn Fn(&mut StationSettings)>;
        let cases: Vec<(Break, Invalid)> = vec![
            (
                Box::new(|s| {
                    s.source = SourceSettings::Camera {
                        device: "/etc/passwd".into(),
                        fourcc: "MJPG".into(),
                        width: 640,
                        height: 480,
                        fps: 30,
                    }
                }),
                Invalid::Format(Setting::Device),
            ),
            (
                Box::new(|s| {
                    s.source = SourceSettings::Camera {
                        device: "/dev/video1".into(),
                        fourcc: "H264".into(),
                        width: 640,
                        height: 480,
                        fps: 30,
                    }
                }),
                Invalid::Format(Setting::PixelFormat),
            ),
            (
                Box::new(|s| {
                    s.source = SourceSettings::Camera {
                        device: "/dev/video1".into(),
                        fourcc: "YUYV".into(),
                        width: 640,
                        height: 480,
                        fps: 0,
                    }
                }),
                Invalid::Range(Setting::Fps, 1, 240),
            ),
            (
                Box::new(|s| s.model = "../../etc".into()),
                Invalid::Format(Setting::Model),
            ),
            (
                Box::new(|s| s.roi = Some([1200, 0, 200, 200])),
                Invalid::Roi(Setting::Roi, 1280, 720),
            ),
            (
                Box::new(|s| s.roi = Some([0, 0, 8, 8])),
                Invalid::Roi(Setting::Roi, 1280, 720),
            ),
            (
                Box::new(|s| s.roi = Some([u32::MAX, 0, 20, 20])),
                Invalid::Roi(Setting::Roi, 1280, 720),
            ),
            (
                Box::new(|s| s.trigger = TriggerMode::Interval { every_ms: 10 }),
                Invalid::Range(Setting::IntervalMs, 50, 3_600_000),
            ),
            (
                Box::new(|s| {
                    s.trigger = TriggerMode::PartPresent {
                        roi: [0, 0, 100, 100],
                        threshold: 0.0,
                    }
                }),
                Invalid::Range(Setting::TriggerThreshold, 1, 255),
            ),
            (
                Box::new(|s| {
                    s.trigger = TriggerMode::PartPresent {
                        roi: [0, 0, 100, 100],
                        threshold: f32::NAN,
                    }
                }),
                Invalid::Range(Setting::TriggerThreshold, 1, 255),
            ),
            (Box::new(|s| s.sensitivity = 0.7), Invalid::Sensitivity),
            (Box::new(|s| s.sensitivity = f32::NAN), Invalid::Sensitivity),
            (
                Box::new(|s| s.persist_frames = 0),
                Invalid::Range(Setting::PersistFrames, 1, 300),
            ),
            (
                Box::new(|s| s.stop_after_ng = 1000),
                Invalid::Range(Setting::StopAfterNg, 0, 100),
            ),
            (
                Box::new(|s| s.counter.as_mut().unwrap().line.b = NormPoint::new(0.105, 0.5)),
                Invalid::CountingLine,
            ),
            (
                Box::new(|s| s.counter.as_mut().unwrap().line.a = NormPoint::new(-0.1, 0.5)),
                Invalid::CountingLine,
            ),
            (
                Box::new(|s| s.counter.as_mut().unwrap().place = "  ".into()),
                Invalid::Range(Setting::CounterPlace, 1, 100),
            ),
            (
                Box::new(|s| s.counter.as_mut().unwrap().sensitivity = f32::NAN),
                Invalid::Range(Setting::CounterSensitivity, 0, 1),
            ),
            (
                Box::new(|s| s.fire.as_mut().unwrap().sensitivity = 1.5),
                Invalid::Range(Setting::FireSensitivity, 0, 1),
            ),
        ];
        for (break_it, expected) in cases {
            let mut s = camera();
            break_it(&mut s);
            assert_eq!(s.check(), Err(expected), "{s:?}");
        }
    }

    #[test]
    fn a_recording_is_a_plain_mjpeg_file_name_and_its_region_fits_once_it_plays() {
        let s = StationSettings {
            source: SourceSettings::Recording {
                file: "라인 1 2026-11-30.mjpeg".into(),
                fps: 15,
            },
            roi: Some([2000, 2000, 300, 300]),
            ..StationSettings::demo()
        };
        let s = StationSettings {
            trigger: TriggerMode::Continuous,
            ..s
        };
        assert_eq!(s.check(), Ok(()));
        for bad in ["", ".hidden.mjpeg", "a/b.mjpeg", "c:\\x.mjpeg", "x.mjpeg.exe"] {
            assert!(!is_recording_name(bad), "{bad}");
        }
    }

    #[test]
    fn the_region_is_checked_against_the_sources_frame() {
        // Fits a 1280 × 720 camera, not the 640 × 360 demo conveyor.
        let s = StationSettings {
            roi: Some([600, 300, 200, 200]),
            ..StationSettings::demo()
        };
        assert_eq!(s.check(), Err(Invalid::Roi(Setting::Roi, 640, 360)));
    }

    #[test]
    fn settings_stored_before_stop_after_ng_existed_still_read() {
        let mut json = serde_json::to_value(StationSettings::demo()).unwrap();
        let stored = json.as_object_mut().unwrap();
        for later in ["stopAfterNg", "counter", "fire"] {
            stored.remove(later);
        }
        let s: StationSettings = serde_json::from_value(json).unwrap();
        assert_eq!(s.stop_after_ng, 3);
        assert_eq!((s.counter, s.fire), (None, None));
    }
}
