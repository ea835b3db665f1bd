//! Cameras attached to this machine: listing them and their formats, and
//! [`V4l2Source`], a [`FrameSource`] that streams one. V4L2 exists on Linux
//! only; elsewhere the lists are empty, opening a camera fails, and stations
//! use the other frame sources.

use serde::Serialize;

use crate::{
    convert::PixelFormat,
    source::{FrameSource, SourceError},
};

/// A video capture device the operator can pick for a station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CameraDevice {
    /// Device node, e.g. `/dev/video0`: what the settings store.
    pub path: String,
    /// The card name the driver reports, e.g. "HD Pro Webcam C920".
    pub name: String,
    pub driver: String,
    pub bus: String,
}

/// One pixel format a camera offers, with its frame sizes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CameraFormat {
    /// The V4L2 FourCC, e.g. "YUYV", "MJPG" or "H264". Only those
    /// [`PixelFormat::from_fourcc_str`] knows can be captured.
    pub fourcc: String,
    /// The driver's description, e.g. "YUYV 4:2:2".
    pub description: String,
    /// Largest first. For a driver that takes any size in a range, the common
    /// sizes within it.
    pub sizes: Vec<FrameSize>,
}

/// A frame size and the frame rates the camera offers at it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FrameSize {
    pub width: u32,
    pub height: u32,
    /// Frames per second, highest first, to 2 decimals (e.g. 29.97).
    pub fps: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    #[error("{0:?} is not a camera device path (expected /dev/video<N>)")]
    InvalidPath(String),
    #[error("{path}: {reason}")]
    Device { path: String, reason: String },
}

/// Checks that `path` is exactly `/dev/video<N>` (N up to 3 digits, no
/// leading zero), and returns N. Paths come from users and settings files:
/// nothing else is ever opened, so no other file can be touched through a
/// camera setting.
pub fn validate_device_path(path: &str) -> Result<u32, CameraError> {
    let invalid = || CameraError::InvalidPath(path.to_owned());
    let digits = path.strip_prefix("/dev/video").ok_or_else(invalid)?;
    let well_formed = (1..=3).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !well_formed {
        return Err(invalid());
    }
    digits.parse().map_err(|_| invalid())
}

/// The video capture devices present now, in device-number order. Nodes that
/// cannot capture video (metadata nodes, codecs) are left out.
#[cfg(target_os = "linux")]
pub fn list_cameras() -> Vec<CameraDevice> {
    use v4l::capability::Flags;

    let mut nodes: Vec<_> = v4l::context::enum_devices()
        .into_iter()
        .map(|node| node.path().to_path_buf())
        .collect();
    nodes.sort_by_key(|path| device_number(&path.to_string_lossy()));
    nodes
        .into_iter()
        .filter_map(|path| {
            let caps = catch_driver_panic(|| v4l::Device::with_path(&path).and_then(|dev| dev.query_caps()))
                .and_then(|caps| caps.map_err(|e| e.to_string()))
                .inspect_err(|e| tracing::debug!(path = %path.display(), "skipping video node: {e}"))
                .ok()?;
            caps.capabilities
                .contains(Flags::VIDEO_CAPTURE)
                .then(|| CameraDevice {
                    path: path.to_string_lossy().into_owned(),
                    name: caps.card,
                    driver: caps.driver,
                    bus: caps.bus,
                })
        })
        .collect()
}

#[cfg(not(target_os = "linux"))]
pub fn list_cameras() -> Vec<CameraDevice> {
    Vec::new()
}

/// The formats, frame sizes and frame rates the camera at `path` offers, in
/// the driver's order.
#[cfg(target_os = "linux")]
pub fn list_formats(path: &str) -> Result<Vec<CameraFormat>, CameraError> {
    use v4l::video::Capture;

    validate_device_path(path)?;
    let device_error = |reason: String| CameraError::Device {
        path: path.to_owned(),
        reason,
    };
    catch_driver_panic(|| {
        let dev = v4l::Device::with_path(path).map_err(|e| device_error(e.to_string()))?;
        let formats = dev.enum_formats().map_err(|e| device_error(e.to_string()))?;
        Ok(formats
            .into_iter()
            .map(|desc| CameraFormat {
                fourcc: fourcc_string(desc.fourcc),
                description: desc.description,
                sizes: linux::frame_sizes(&dev, desc.fourcc),
            })
            .collect())
    })
    .map_err(device_error)?
}

#[cfg(not(target_os = "linux"))]
pub fn list_formats(path: &str) -> Result<Vec<CameraFormat>, CameraError> {
    validate_device_path(path)?;
    Ok(Vec::new())
}

/// The number at the end of a device node name, so that video10 sorts after video2.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn device_number(path: &str) -> u32 {
    let digits = path.len() - path.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    path[path.len() - digits..].parse().unwrap_or(u32::MAX)
}

#[cfg(target_os = "linux")]
fn fourcc_string(fourcc: v4l::FourCC) -> String {
    String::from_utf8_lossy(&fourcc.repr).into_owned()
}

/// Runs `f`, turning a panic into an error: the v4l crate unwraps on some
/// driver answers (a card name cut inside a UTF-8 character, say), and one
/// odd camera must not take the app down.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn catch_driver_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("the V4L2 driver gave an answer the v4l crate cannot handle: {message}")
    })
}

/// Common capture sizes, largest first, offered for drivers that take any
/// size in a range.
const COMMON_SIZES: [(u32, u32); 12] = [
    (3840, 2160),
    (2592, 1944),
    (2560, 1440),
    (1920, 1200),
    (1920, 1080),
    (1600, 1200),
    (1280, 960),
    (1280, 720),
    (1024, 768),
    (800, 600),
    (640, 480),
    (320, 240),
];

/// Common frame rates, highest first, offered for a range of frame intervals.
const COMMON_FPS: [f64; 8] = [60.0, 50.0, 30.0, 25.0, 20.0, 15.0, 10.0, 5.0];

/// The sizes listed for a stepwise (or continuous: step 1) size range: the
/// common sizes inside it, on its steps; if there are none, its largest and
/// smallest size.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn stepwise_sizes(min: (u32, u32), max: (u32, u32), step: (u32, u32)) -> Vec<(u32, u32)> {
    let fits =
        |v: u32, lo: u32, hi: u32, step: u32| (lo..=hi).contains(&v) && (v - lo).is_multiple_of(step.max(1));
    let mut sizes: Vec<_> = COMMON_SIZES
        .into_iter()
        .filter(|&(w, h)| fits(w, min.0, max.0, step.0) && fits(h, min.1, max.1, step.1))
        .collect();
    if sizes.is_empty() && min.0 <= max.0 && min.1 <= max.1 {
        sizes.push(max);
        if min != max {
            sizes.push(min);
        }
    }
    sizes
}

/// The frame rates listed for a range of frame rates: the common ones inside
/// it, and its highest.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn stepwise_rates(min_fps: f64, max_fps: f64) -> Vec<f64> {
    let mut rates = vec![max_fps];
    rates.extend(
        COMMON_FPS
            .into_iter()
            .filter(|&fps| fps >= min_fps - 0.005 && fps < max_fps - 0.005),
    );
    rates
}

/// Frames per second of a frame interval in seconds, to 2 decimals.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn fps_of_interval(numerator: u32, denominator: u32) -> Option<f64> {
    (numerator > 0 && denominator > 0)
        .then(|| (f64::from(denominator) / f64::from(numerator) * 100.0).round() / 100.0)
}

/// The frame interval (numerator, denominator, in seconds) to ask a driver
/// for `fps`: 1/fps for whole rates, else in thousandths (29.97 -> 1000/29970;
/// drivers pick their nearest interval).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn interval_of_fps(fps: f64) -> (u32, u32) {
    let fps = fps.clamp(0.1, 240.0);
    if (fps - fps.round()).abs() < 1e-6 {
        (1, fps.round() as u32)
    } else {
        (1000, (fps * 1000.0).round() as u32)
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::{io, time::Duration};

    use v4l::{
        FourCC,
        frameinterval::FrameIntervalEnum,
        framesize::FrameSizeEnum,
        io::traits::{CaptureStream, Stream as _},
        video::Capture,
    };

    use super::*;
    use crate::{convert, source::Frame};

    // Linux errno values.
    const ENOENT: i32 = 2;
    const EIO: i32 = 5;
    const ENXIO: i32 = 6;
    const EBUSY: i32 = 16;
    const ENODEV: i32 = 19;

    /// Buffers in the mmap ring between driver and us.
    const BUFFERS: u32 = 4;

    pub(super) fn frame_sizes(dev: &v4l::Device, fourcc: FourCC) -> Vec<FrameSize> {
        let sizes = dev.enum_framesizes(fourcc).unwrap_or_else(|e| {
            tracing::debug!("{fourcc}: no frame sizes: {e}");
            Vec::new()
        });
        let mut dims: Vec<(u32, u32)> = sizes
            .into_iter()
            .flat_map(|size| match size.size {
                FrameSizeEnum::Discrete(d) => vec![(d.width, d.height)],
                FrameSizeEnum::Stepwise(s) => stepwise_sizes(
                    (s.min_width, s.min_height),
                    (s.max_width, s.max_height),
                    (s.step_width, s.step_height),
                ),
            })
            .collect();
        dims.sort_by_key(|&(w, h)| std::cmp::Reverse((u64::from(w) * u64::from(h), w)));
        dims.dedup();
        dims.into_iter()
            .map(|(width, height)| FrameSize {
                width,
                height,
                fps: frame_rates(dev, fourcc, width, height),
            })
            .collect()
    }

    fn frame_rates(dev: &v4l::Device, fourcc: FourCC, width: u32, height: u32) -> Vec<f64> {
        let intervals = dev
            .enum_frameintervals(fourcc, width, height)
            .unwrap_or_else(|e| {
                tracing::debug!("{fourcc} {width}x{height}: no frame intervals: {e}");
                Vec::new()
            });
        let mut rates: Vec<f64> = intervals
            .into_iter()
            .flat_map(|interval| match interval.interval {
                FrameIntervalEnum::Discrete(f) => {
                    fps_of_interval(f.numerator, f.denominator).into_iter().collect()
                }
                // The longest interval is the lowest rate.
                FrameIntervalEnum::Stepwise(s) => match (
                    fps_of_interval(s.max.numerator, s.max.denominator),
                    fps_of_interval(s.min.numerator, s.min.denominator),
                ) {
                    (Some(lo), Some(hi)) => stepwise_rates(lo, hi),
                    _ => Vec::new(),
                },
            })
            .collect();
        rates.sort_by(|a, b| b.total_cmp(a));
        rates.dedup();
        rates
    }

    /// A V4L2 camera streaming through 4 mmap buffers, each frame converted
    /// to RGB as it is dequeued.
    pub struct V4l2Source {
        path: String,
        format: PixelFormat,
        width: u32,
        height: u32,
        /// Bytes per row of the raw formats (the driver's `bytesperline`).
        stride: usize,
        /// `None` only while dropping.
        stream: Option<v4l::io::mmap::Stream<'static>>,
        timeout: Duration,
        seq: u64,
        last_sequence: Option<u32>,
    }

    impl V4l2Source {
        /// Opens `/dev/video<N>` and sets the format, size and frame rate
        /// (the driver picks its nearest rate; one that cannot set rates keeps
        /// its own). Streaming starts with the first [`FrameSource::next_frame`].
        ///
        /// Errors: an invalid path, or a format or size the camera does not
        /// offer, is [`SourceError::Config`]; a missing, unplugged or busy
        /// device is [`SourceError::Lost`] (retry later).
        pub fn open(
            path: &str,
            format: PixelFormat,
            width: u32,
            height: u32,
            fps: f64,
        ) -> Result<Self, SourceError> {
            let config = |reason: String| SourceError::Config {
                source_name: path.to_owned(),
                reason,
            };
            validate_device_path(path).map_err(|e| config(e.to_string()))?;
            if !(fps.is_finite() && fps > 0.0) {
                return Err(config(format!("frame rate {fps} is not a positive number")));
            }
            catch_driver_panic(|| Self::open_checked(path, format, width, height, fps)).map_err(config)?
        }

        fn open_checked(
            path: &str,
            format: PixelFormat,
            width: u32,
            height: u32,
            fps: f64,
        ) -> Result<Self, SourceError> {
            use v4l::{capability::Flags, format::Format, fraction::Fraction, video::capture::Parameters};

            let config = |reason: String| SourceError::Config {
                source_name: path.to_owned(),
                reason,
            };
            let failed = |what: &str, e: io::Error| {
                let reason = format!("{what}: {e}");
                let gone = e.kind() == io::ErrorKind::NotFound
                    || matches!(e.raw_os_error(), Some(ENOENT | EIO | ENXIO | EBUSY | ENODEV));
                if gone {
                    SourceError::Lost {
                        source_name: path.to_owned(),
                        reason,
                    }
                } else {
                    config(reason)
                }
            };

            let dev = v4l::Device::with_path(path).map_err(|e| failed("cannot open", e))?;
            let caps = dev
                .query_caps()
                .map_err(|e| failed("cannot query the device", e))?;
            if !caps
                .capabilities
                .contains(Flags::VIDEO_CAPTURE | Flags::STREAMING)
            {
                return Err(config("not a video capture device with streaming I/O".into()));
            }
            let wanted = Format::new(width, height, FourCC::new(&format.fourcc()));
            let actual = dev
                .set_format(&wanted)
                .map_err(|e| failed("cannot set the format", e))?;
            if actual.fourcc != wanted.fourcc {
                return Err(config(format!(
                    "the camera does not offer {format} (it offered {})",
                    fourcc_string(actual.fourcc)
                )));
            }
            if (actual.width, actual.height) != (width, height) {
                return Err(config(format!(
                    "the camera does not offer {format} at {width}x{height} (nearest: {}x{})",
                    actual.width, actual.height
                )));
            }
            let row = format.bytes_per_pixel().unwrap_or(0) * width as usize;
            let stride = (actual.stride as usize).max(row);

            let (numerator, denominator) = interval_of_fps(fps);
            match dev.set_params(&Parameters::new(Fraction::new(numerator, denominator))) {
                Ok(params) => tracing::debug!(
                    "{path}: {format} {width}x{height} at {} s per frame (asked {fps} fps)",
                    params.interval
                ),
                Err(e) => tracing::warn!("{path}: cannot set {fps} fps ({e}); the camera keeps its own rate"),
            }

            let mut stream =
                v4l::io::mmap::Stream::with_buffers(&dev, v4l::buffer::Type::VideoCapture, BUFFERS)
                    .map_err(|e| failed("cannot map capture buffers", e))?;
            // Five frame periods, but at most 2 s: stopping a station waits for this read.
            let timeout = Duration::from_secs_f64((5.0 / fps.clamp(0.1, 240.0)).min(2.0));
            stream.set_timeout(timeout);
            Ok(Self {
                path: path.to_owned(),
                format,
                width,
                height,
                stride,
                stream: Some(stream),
                timeout,
                seq: 0,
                last_sequence: None,
            })
        }
    }

    impl FrameSource for V4l2Source {
        fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
            let lost = |reason: String| SourceError::Lost {
                source_name: self.path.clone(),
                reason,
            };
            let Some(stream) = self.stream.as_mut() else {
                return Err(lost("the stream is closed".into()));
            };
            let (buf, meta) = CaptureStream::next(stream).map_err(|e| {
                lost(if e.kind() == io::ErrorKind::TimedOut {
                    format!("no frame for {:?}", self.timeout)
                } else {
                    format!("capture failed: {e}")
                })
            })?;
            let seq = self.seq;
            self.seq += 1;
            if let Some(last) = self.last_sequence
                && meta.sequence > last.wrapping_add(1)
            {
                tracing::debug!(
                    "{}: the driver dropped {} frames",
                    self.path,
                    meta.sequence - last - 1
                );
            }
            self.last_sequence = Some(meta.sequence);

            let corrupt = |reason: String| SourceError::Corrupt {
                source_name: self.path.clone(),
                reason,
            };
            if meta.flags.contains(v4l::buffer::Flags::ERROR) {
                return Err(corrupt("the driver marked the frame as damaged".into()));
            }
            let used = (meta.bytesused as usize).min(buf.len());
            if used == 0 {
                return Err(corrupt("empty buffer".into()));
            }
            let image =
                convert::to_rgb_strided(self.format, &buf[..used], self.width, self.height, self.stride)
                    .map_err(|e| corrupt(e.to_string()))?;
            Ok(Some(Frame {
                image,
                seq,
                captured: std::time::Instant::now(),
            }))
        }

        fn name(&self) -> String {
            self.path.clone()
        }
    }

    impl Drop for V4l2Source {
        /// The v4l stream panics when dropped if stopping it fails for any
        /// reason but a vanished device. Stop it first; if that fails, leak
        /// it (buffers and descriptor) rather than panic on the capture thread.
        fn drop(&mut self) {
            let Some(mut stream) = self.stream.take() else {
                return;
            };
            match stream.stop() {
                Err(e) if e.raw_os_error() != Some(ENODEV) => {
                    tracing::warn!("{}: cannot stop streaming ({e}); leaking the stream", self.path);
                    std::mem::forget(stream);
                }
                _ => drop(stream),
            }
        }
    }
}

#[cfg(target_os = "linux")]
pub use linux::V4l2Source;

/// V4L2 cameras exist on Linux only: elsewhere opening one fails.
#[cfg(not(target_os = "linux"))]
pub struct V4l2Source {
    never: std::convert::Infallible,
}

#[cfg(not(target_os = "linux"))]
impl V4l2Source {
    pub fn open(
        path: &str,
        _format: PixelFormat,
        _width: u32,
        _height: u32,
        _fps: f64,
    ) -> Result<Self, SourceError> {
        Err(SourceError::Config {
            source_name: path.to_owned(),
            reason: "V4L2 cameras need Linux".into(),
        })
    }
}

#[cfg(not(target_os = "linux"))]
impl FrameSource for V4l2Source {
    fn next_frame(&mut self) -> Result<Option<crate::source::Frame>, SourceError> {
        match self.never {}
    }

    fn name(&self) -> String {
        match self.never {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_sort_numerically() {
        let mut paths = vec!["/dev/video10", "/dev/video2", "/dev/video0", "/dev/videoX"];
        paths.sort_by_key(|p| device_number(p));
        assert_eq!(
            paths,
            ["/dev/video0", "/dev/video2", "/dev/video10", "/dev/videoX"]
        );
    }

    #[test]
    fn camera_paths_must_be_exactly_dev_video_n() {
        for (path, n) in [
            ("/dev/video0", 0),
            ("/dev/video7", 7),
            ("/dev/video42", 42),
            ("/dev/video255", 255),
        ] {
            assert_eq!(validate_device_path(path), Ok(n), "{path}");
        }
        for path in [
            "",
            "/dev/video",
            "/dev/video-1",
            "/dev/video+1",
            "/dev/video01",
            "/dev/video1000",
            "/dev/video0/../sda",
            "/dev/video0/",
            "/dev/video1 ",
            " /dev/video1",
            "/dev/video1\0",
            "/dev/video1\n",
            "/dev/videoX",
            "/dev/video\u{0663}",
            "/dev/../dev/video0",
            "//dev/video0",
            "/DEV/VIDEO0",
            "dev/video0",
            "video0",
            "/dev/sda",
            "/dev/v4l/by-id/usb-cam-video-index0",
            "/tmp/video0",
        ] {
            assert_eq!(
                validate_device_path(path),
                Err(CameraError::InvalidPath(path.to_owned())),
                "{path:?}"
            );
        }
    }

    #[test]
    fn camera_fourcc_strings_map_to_pixel_formats() {
        let cases = [
            ("YUYV", Some(PixelFormat::Yuyv)),
            ("MJPG", Some(PixelFormat::Mjpeg)),
            ("RGB3", Some(PixelFormat::Rgb24)),
            ("BGR3", Some(PixelFormat::Bgr24)),
            ("GREY", Some(PixelFormat::Grey)),
            ("H264", None),
            ("yuyv", None),
        ];
        for (fourcc, format) in cases {
            assert_eq!(PixelFormat::from_fourcc_str(fourcc), format, "{fourcc}");
        }
    }

    #[test]
    fn camera_stepwise_sizes_pick_common_sizes_on_the_steps() {
        // A continuous range (step 1) up to 1920x1080.
        assert_eq!(
            stepwise_sizes((160, 120), (1920, 1080), (1, 1)),
            [
                (1920, 1080),
                (1280, 960),
                (1280, 720),
                (1024, 768),
                (800, 600),
                (640, 480),
                (320, 240)
            ]
        );
        // Steps of 16x16 from 48x48: 640, 720 and 480 are on them, 600 is not.
        assert_eq!(
            stepwise_sizes((48, 48), (1280, 1024), (16, 16)),
            [(1280, 960), (1280, 720), (1024, 768), (640, 480), (320, 240)]
        );
        // Nothing common inside: the range's ends.
        assert_eq!(
            stepwise_sizes((16, 16), (200, 100), (2, 2)),
            [(200, 100), (16, 16)]
        );
        assert_eq!(stepwise_sizes((64, 64), (64, 64), (0, 0)), [(64, 64)]);
        // A step of 0 is treated as 1, and an inverted range lists nothing.
        assert_eq!(stepwise_sizes((640, 480), (640, 480), (0, 0)), [(640, 480)]);
        assert!(stepwise_sizes((800, 600), (640, 480), (1, 1)).is_empty());
    }

    #[test]
    fn camera_frame_rates_and_intervals() {
        assert_eq!(fps_of_interval(1, 30), Some(30.0));
        assert_eq!(fps_of_interval(1001, 30000), Some(29.97));
        assert_eq!(fps_of_interval(2, 15), Some(7.5));
        assert_eq!(fps_of_interval(0, 30), None);
        assert_eq!(fps_of_interval(1, 0), None);
        assert_eq!(stepwise_rates(1.0, 30.0), [30.0, 25.0, 20.0, 15.0, 10.0, 5.0]);
        assert_eq!(stepwise_rates(7.5, 29.97), [29.97, 25.0, 20.0, 15.0, 10.0]);
        assert_eq!(stepwise_rates(55.0, 90.0), [90.0, 60.0]);
        assert_eq!(interval_of_fps(30.0), (1, 30));
        assert_eq!(interval_of_fps(29.97), (1000, 29970));
        assert_eq!(interval_of_fps(7.5), (1000, 7500));
        assert_eq!(interval_of_fps(1e9), (1, 240));
        assert_eq!(interval_of_fps(0.0), (1000, 100));
    }

    #[test]
    fn camera_source_is_send_and_rejects_bad_paths_without_touching_them() {
        fn assert_send<T: Send>() {}
        assert_send::<V4l2Source>();
        for path in ["/etc/passwd", "/dev/video0/../../etc/shadow", "/dev/sda"] {
            assert!(matches!(
                V4l2Source::open(path, PixelFormat::Yuyv, 640, 480, 30.0),
                Err(SourceError::Config { .. })
            ));
            assert_eq!(list_formats(path), Err(CameraError::InvalidPath(path.into())));
        }
        assert!(matches!(
            V4l2Source::open("/dev/video0", PixelFormat::Yuyv, 640, 480, f64::NAN),
            Err(SourceError::Config { .. })
        ));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn camera_missing_device_is_lost_not_a_panic() {
        // No machine has 999 video nodes: opening it fails like an unplugged camera.
        let path = "/dev/video999";
        assert!(!std::path::Path::new(path).exists());
        assert!(matches!(
            V4l2Source::open(path, PixelFormat::Mjpeg, 640, 480, 30.0),
            Err(SourceError::Lost { .. })
        ));
        assert!(matches!(list_formats(path), Err(CameraError::Device { .. })));
    }
}
