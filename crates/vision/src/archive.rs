//! Evidence images on disk: every NG part's image and heatmap, a sample of
//! OK parts, under a byte quota. When the quota is reached the oldest OK
//! samples go first; an NG image is never deleted to make room, and when no
//! room is left for one the caller gets an error to raise as an alarm (the
//! verdict itself is stored regardless).
//!
//! Layout: `<root>/<YYYY-MM-DD>/s<station>-<key>-<ok|ng>.jpg` and, for NG,
//! `…-ng.heatmap.jpg`, where the key is the capture time in milliseconds and
//! the frame number. Names are made here from numbers only; nothing a user
//! typed becomes a path, and a file is never overwritten.

use std::{
    collections::BTreeSet,
    fs,
    io::{Cursor, Write},
    path::{Path, PathBuf},
};

use image::{DynamicImage, RgbImage, RgbaImage, imageops};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("image could not be encoded: {0}")]
    Encode(String),
    /// No room for an NG image even after freeing every OK sample.
    #[error("the image archive is full ({used} of {quota} bytes, all NG evidence): NG image not saved")]
    Full { used: u64, quota: u64 },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What was kept of one verdict, relative to the archive root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub image: String,
    pub heatmap: Option<String>,
}

pub struct Archive {
    root: PathBuf,
    quota: u64,
    used: u64,
    /// OK samples, oldest first (names sort by day, then station and frame).
    ok_files: BTreeSet<(String, u64)>,
}

const JPEG_QUALITY: u8 = 90;

/// What makes an archived file's name unique: capture time and frame number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub captured_ms: i64,
    pub frame: u64,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.captured_ms, self.frame)
    }
}

impl Archive {
    /// Opens (creating) the archive and measures what is already there.
    pub fn open(root: &Path, quota: u64) -> Result<Self, ArchiveError> {
        fs::create_dir_all(root).map_err(io(root))?;
        let mut archive = Self {
            root: root.to_owned(),
            quota,
            used: 0,
            ok_files: BTreeSet::new(),
        };
        for day in fs::read_dir(root).map_err(io(root))?.flatten() {
            let Ok(files) = fs::read_dir(day.path()) else {
                continue;
            };
            for file in files.flatten() {
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                archive.used += size;
                let name = file.file_name().to_string_lossy().into_owned();
                if name.ends_with("-ok.jpg") {
                    let rel = format!("{}/{name}", day.file_name().to_string_lossy());
                    archive.ok_files.insert((rel, size));
                }
            }
        }
        Ok(archive)
    }

    pub fn used(&self) -> u64 {
        self.used
    }

    /// Saves an OK sample; `Ok(None)` when there is no room even after
    /// freeing older OK samples (OK samples are expendable).
    pub fn save_ok(
        &mut self,
        day: &str,
        station: i64,
        key: Key,
        image: &RgbImage,
    ) -> Result<Option<Saved>, ArchiveError> {
        let bytes = jpeg(image)?;
        if !self.make_room(bytes.len() as u64) {
            return Ok(None);
        }
        let rel = self.write(day, &format!("s{station}-{key}-ok.jpg"), &bytes)?;
        self.ok_files.insert((rel.clone(), bytes.len() as u64));
        Ok(Some(Saved {
            image: rel,
            heatmap: None,
        }))
    }

    /// Saves an NG image and its heatmap overlay, freeing OK samples if needed.
    pub fn save_ng(
        &mut self,
        day: &str,
        station: i64,
        key: Key,
        image: &RgbImage,
        overlay: &RgbaImage,
    ) -> Result<Saved, ArchiveError> {
        let bytes = jpeg(image)?;
        let mut canvas = DynamicImage::ImageRgb8(image.clone()).to_rgba8();
        imageops::overlay(&mut canvas, overlay, 0, 0);
        let heat = jpeg(&DynamicImage::ImageRgba8(canvas).to_rgb8())?;
        let need = (bytes.len() + heat.len()) as u64;
        if !self.make_room(need) {
            return Err(ArchiveError::Full {
                used: self.used,
                quota: self.quota,
            });
        }
        let image = self.write(day, &format!("s{station}-{key}-ng.jpg"), &bytes)?;
        let heatmap = self.write(day, &format!("s{station}-{key}-ng.heatmap.jpg"), &heat)?;
        Ok(Saved {
            image,
            heatmap: Some(heatmap),
        })
    }

    /// Saves a detector's snapshot (`what`: `crossing`, `fire`, `smoke`),
    /// kept like NG evidence: OK samples are freed for it, never it.
    pub fn save_event(
        &mut self,
        day: &str,
        station: i64,
        key: Key,
        what: &str,
        image: &RgbImage,
    ) -> Result<String, ArchiveError> {
        let bytes = jpeg(image)?;
        if !self.make_room(bytes.len() as u64) {
            return Err(ArchiveError::Full {
                used: self.used,
                quota: self.quota,
            });
        }
        let what: String = what.chars().filter(char::is_ascii_lowercase).collect();
        self.write(day, &format!("s{station}-{key}-{what}.jpg"), &bytes)
    }

    /// Frees the oldest OK samples until `bytes` fit; false if they cannot.
    fn make_room(&mut self, bytes: u64) -> bool {
        while self.used + bytes > self.quota {
            let Some((rel, size)) = self.ok_files.pop_first() else {
                return false;
            };
            match fs::remove_file(self.root.join(&rel)) {
                Ok(()) => self.used = self.used.saturating_sub(size),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    self.used = self.used.saturating_sub(size)
                }
                Err(e) => tracing::warn!("cannot free {rel}: {e}"),
            }
        }
        true
    }

    fn write(&mut self, day: &str, name: &str, bytes: &[u8]) -> Result<String, ArchiveError> {
        // The day comes from the clock, not from a user; still, only digits and dashes.
        let day: String = day.chars().filter(|c| c.is_ascii_digit() || *c == '-').collect();
        let dir = self.root.join(&day);
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(name);
        // Never replace evidence: a name already taken is an error, not an overwrite.
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io(&path))?;
        file.write_all(bytes).map_err(io(&path))?;
        self.used += bytes.len() as u64;
        Ok(format!("{day}/{name}"))
    }
}

fn jpeg(image: &RgbImage) -> Result<Vec<u8>, ArchiveError> {
    let mut out = Cursor::new(Vec::new());
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    image
        .write_with_encoder(encoder)
        .map_err(|e| ArchiveError::Encode(e.to_string()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(shade: u8) -> RgbImage {
        RgbImage::from_fn(64, 64, |x, y| image::Rgb([shade, (x * 4) as u8, (y * 4) as u8]))
    }

    fn key(frame: u64) -> Key {
        Key {
            captured_ms: 1_764_460_800_000,
            frame,
        }
    }

    fn overlay() -> RgbaImage {
        RgbaImage::from_pixel(64, 64, image::Rgba([255, 0, 0, 100]))
    }

    #[test]
    fn ok_samples_make_room_oldest_first_and_ng_is_never_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let one = jpeg(&photo(10)).unwrap().len() as u64;
        // Room for about four images.
        let mut a = Archive::open(tmp.path(), one * 4 + one / 2).unwrap();
        let first = a.save_ok("2026-11-30", 1, key(1), &photo(10)).unwrap().unwrap();
        a.save_ok("2026-11-30", 1, key(2), &photo(10)).unwrap().unwrap();
        a.save_ok("2026-11-30", 1, key(3), &photo(10)).unwrap().unwrap();
        // An NG (image + heatmap) frees the oldest OK samples.
        let ng = a
            .save_ng("2026-11-30", 1, key(4), &photo(200), &overlay())
            .unwrap();
        assert!(!tmp.path().join(&first.image).exists(), "oldest OK sample freed");
        assert!(tmp.path().join(&ng.image).is_file());
        assert!(tmp.path().join(ng.heatmap.as_ref().unwrap()).is_file());
        assert!(a.used() <= one * 4 + one / 2 + one, "{}", a.used());
        // NG evidence fills the quota: another NG is refused loudly, OK quietly.
        let mut refused = false;
        for frame in 5..12 {
            match a.save_ng("2026-11-30", 1, key(frame), &photo(200), &overlay()) {
                Ok(_) => {}
                Err(ArchiveError::Full { .. }) => refused = true,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(refused);
        assert_eq!(a.save_ok("2026-11-30", 1, key(99), &photo(10)).unwrap(), None);
        assert!(
            tmp.path().join(&ng.image).is_file(),
            "NG evidence is never deleted"
        );
    }

    #[test]
    fn detector_snapshots_are_kept_like_ng_evidence() {
        let tmp = tempfile::tempdir().unwrap();
        let one = jpeg(&photo(10)).unwrap().len() as u64;
        let mut a = Archive::open(tmp.path(), one * 2 + one / 2).unwrap();
        let ok = a.save_ok("2026-11-30", 1, key(1), &photo(10)).unwrap().unwrap();
        a.save_ok("2026-11-30", 1, key(2), &photo(10)).unwrap().unwrap();
        let fire = a.save_event("2026-11-30", 1, key(3), "fire", &photo(10)).unwrap();
        assert_eq!(fire, "2026-11-30/s1-1764460800000-3-fire.jpg");
        assert!(!tmp.path().join(&ok.image).exists(), "an OK sample made room");
        // Full of evidence: the next snapshot is refused, the first stays.
        a.save_event("2026-11-30", 1, key(4), "crossing", &photo(10))
            .unwrap();
        assert!(matches!(
            a.save_event("2026-11-30", 1, key(5), "../x", &photo(10)),
            Err(ArchiveError::Full { .. })
        ));
        assert!(tmp.path().join(&fire).is_file());
    }

    #[test]
    fn evidence_is_never_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let mut a = Archive::open(tmp.path(), 10_000_000).unwrap();
        let first = a
            .save_ng("2026-11-30", 1, key(7), &photo(10), &overlay())
            .unwrap();
        // The same station and frame number after a restart: another capture time, another file.
        let later = Key {
            captured_ms: key(7).captured_ms + 60_000,
            frame: 7,
        };
        let second = a
            .save_ng("2026-11-30", 1, later, &photo(200), &overlay())
            .unwrap();
        assert_ne!(first.image, second.image);
        // The very same key is refused rather than replacing the first image.
        assert!(
            a.save_ng("2026-11-30", 1, key(7), &photo(50), &overlay())
                .is_err()
        );
        let kept = image::open(tmp.path().join(&first.image)).unwrap().to_rgb8();
        assert!(
            kept.get_pixel(0, 0)[0] < 30,
            "the first image is still the first part"
        );
    }

    #[test]
    fn reopening_counts_what_is_on_disk() {
        let tmp = tempfile::tempdir().unwrap();
        let mut a = Archive::open(tmp.path(), 10_000_000).unwrap();
        a.save_ok("2026-11-29", 2, key(1), &photo(10)).unwrap();
        a.save_ng("2026-11-30", 2, key(2), &photo(10), &overlay())
            .unwrap();
        let used = a.used();
        let b = Archive::open(tmp.path(), 10_000_000).unwrap();
        assert_eq!(b.used(), used);
        assert_eq!(b.ok_files.len(), 1);
    }
}
