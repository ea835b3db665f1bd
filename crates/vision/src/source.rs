//! Where a station's frames come from, behind one trait: V4L2 cameras
//! (`camera.rs`), an image folder replayed at a set rate, a recorded MJPEG
//! stream (`mjpeg_file.rs`), and the demo line's synthetic conveyor (in the
//! `linesight-datagen` crate, which renders parts).

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use image::RgbImage;

use crate::preprocess::load_rgb;

/// One captured frame.
#[derive(Debug, Clone)]
pub struct Frame {
    pub image: RgbImage,
    /// Counts every frame the source delivered, from 0.
    pub seq: u64,
    pub captured: Instant,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    /// The device or file went away: the station retries with backoff.
    #[error("{source_name}: lost: {reason}")]
    Lost { source_name: String, reason: String },
    /// One frame could not be decoded: counted and skipped.
    #[error("{source_name}: corrupt frame: {reason}")]
    Corrupt { source_name: String, reason: String },
    /// The source cannot work as configured (no images, unsupported format).
    #[error("{source_name}: {reason}")]
    Config { source_name: String, reason: String },
}

/// A stream of frames, paced by the source itself (a camera's frame rate, a
/// replay rate). Runs on the station's capture thread.
pub trait FrameSource: Send {
    /// Waits for the next frame; `Ok(None)` when a finite stream has ended.
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError>;
    /// What the operator sees as the source's name, e.g. `/dev/video0` or a folder.
    fn name(&self) -> String;
}

/// Keeps a source at `fps`: sleeps until the next frame is due, and never
/// tries to catch up a backlog after a stall.
#[derive(Debug)]
pub struct Pacer {
    period: Duration,
    next: Option<Instant>,
}

impl Pacer {
    pub fn new(fps: f64) -> Self {
        Self {
            period: Duration::from_secs_f64(1.0 / fps.clamp(0.1, 240.0)),
            next: None,
        }
    }

    pub fn wait(&mut self) {
        let now = Instant::now();
        if let Some(due) = self.next.filter(|&due| due > now) {
            std::thread::sleep(due - now);
        }
        let base = self.next.map_or(now, |due| due.max(Instant::now() - self.period));
        self.next = Some(base + self.period);
    }
}

/// The images of a folder (PNG or JPEG, name order), replayed at a set rate.
pub struct FolderSource {
    dir: PathBuf,
    files: Vec<PathBuf>,
    looped: bool,
    pacer: Pacer,
    at: usize,
    seq: u64,
}

impl FolderSource {
    pub fn open(dir: &Path, fps: f64, looped: bool) -> Result<Self, SourceError> {
        let name = dir.display().to_string();
        let files = crate::dataset::images_in(dir).map_err(|e| SourceError::Config {
            source_name: name.clone(),
            reason: e.to_string(),
        })?;
        if files.is_empty() {
            return Err(SourceError::Config {
                source_name: name,
                reason: "no PNG or JPEG images in the folder".into(),
            });
        }
        Ok(Self {
            dir: dir.to_owned(),
            files,
            looped,
            pacer: Pacer::new(fps),
            at: 0,
            seq: 0,
        })
    }
}

impl FrameSource for FolderSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        if self.at == self.files.len() {
            if !self.looped {
                return Ok(None);
            }
            self.at = 0;
        }
        self.pacer.wait();
        let path = &self.files[self.at];
        self.at += 1;
        let seq = self.seq;
        self.seq += 1;
        let image = load_rgb(path).map_err(|e| SourceError::Corrupt {
            source_name: self.name(),
            reason: e.to_string(),
        })?;
        Ok(Some(Frame {
            image,
            seq,
            captured: Instant::now(),
        }))
    }

    fn name(&self) -> String {
        self.dir.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_replays_in_order_loops_and_counts_corrupt_frames() {
        let tmp = tempfile::tempdir().unwrap();
        for (i, shade) in [10u8, 200].into_iter().enumerate() {
            RgbImage::from_pixel(4, 4, image::Rgb([shade; 3]))
                .save(tmp.path().join(format!("{i}.png")))
                .unwrap();
        }
        std::fs::write(tmp.path().join("2.png"), b"not a png").unwrap();
        let mut src = FolderSource::open(tmp.path(), 200.0, true).unwrap();
        let mut seen = Vec::new();
        for _ in 0..6 {
            match src.next_frame() {
                Ok(Some(f)) => seen.push((f.seq, f.image.get_pixel(0, 0)[0])),
                Err(SourceError::Corrupt { .. }) => seen.push((u64::MAX, 0)),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            seen,
            [(0, 10), (1, 200), (u64::MAX, 0), (3, 10), (4, 200), (u64::MAX, 0)]
        );
        let mut once = FolderSource::open(tmp.path(), 200.0, false).unwrap();
        let frames = std::iter::from_fn(|| once.next_frame().transpose()).count();
        assert_eq!(frames, 3);
    }

    #[test]
    fn an_empty_folder_is_a_configuration_error() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(matches!(
            FolderSource::open(tmp.path(), 10.0, true),
            Err(SourceError::Config { .. })
        ));
    }

    #[test]
    fn pacer_keeps_the_rate_without_catching_up() {
        let mut p = Pacer::new(100.0);
        let start = Instant::now();
        for _ in 0..5 {
            p.wait();
        }
        // 4 periods of 10 ms after the first frame.
        assert!(start.elapsed() >= Duration::from_millis(40));
    }
}
