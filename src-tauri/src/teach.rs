//! Teaching a station's model in the app. Each station has a teaching set
//! in MVTec AD's layout under `<data>/teach/station-<id>/`: good parts in
//! `train/good/` (collected from the live station, imported, or rejected
//! parts a person reviewed as false alarms) and bad parts the model passed
//! (reviewed escapes) in `train/escape/`, which move the threshold. Training
//! runs on its own thread, reports progress, can be cancelled, and writes a
//! new bundle under `<data>/models/`; nothing changes for the station until
//! someone activates it.

use std::{
    collections::HashMap,
    io::Cursor,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use chrono::Utc;
use image::RgbImage;
use linesight_mes::inspections::RelabelKind;
use linesight_vision::{
    bundle::{Bundle, sha256_hex},
    cpu_net::CpuNet,
    dataset::{DataSet, DataSetError, images_in},
    train::{self, Progress, TrainConfig, TrainError},
};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Largest image file an import takes.
pub const MAX_IMPORT_BYTES: usize = 20 << 20;
/// Most images one "collect" asks a station for.
pub const MAX_COLLECT: u32 = 1000;

/// Where a station's teaching stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TeachStatus {
    pub good_images: u32,
    /// Bad parts the model passed, reviewed as escapes.
    pub escape_images: u32,
    /// Good images the live station will still keep.
    pub collecting: u32,
    pub training: bool,
    /// Fewest good images a model can be taught from.
    pub min_good_images: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum TeachError {
    #[error("{0}: not a PNG or JPEG image")]
    NotAnImage(String),
    #[error("{0}: larger than {MAX_IMPORT_BYTES} bytes")]
    TooLarge(String),
    #[error("this station's model is already being taught")]
    Busy,
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error("{0}")]
    Io(String),
}

impl From<std::io::Error> for TeachError {
    fn from(e: std::io::Error) -> Self {
        TeachError::Io(e.to_string())
    }
}

/// What the training thread reports.
pub enum TeachEvent {
    Progress {
        stage: &'static str,
        done: u32,
        total: u32,
    },
    /// The new bundle's folder name, or why there is none.
    Finished(Result<String, String>),
}

pub struct Teaching {
    root: PathBuf,
    models_dir: PathBuf,
    collecting: Mutex<HashMap<i64, u32>>,
    /// Training in progress, per station: its cancel flag.
    jobs: Mutex<HashMap<i64, Arc<AtomicBool>>>,
}

fn count(dir: &Path) -> u32 {
    images_in(dir).map(|f| f.len() as u32).unwrap_or(0)
}

impl Teaching {
    pub fn new(root: PathBuf, models_dir: PathBuf) -> Self {
        Self {
            root,
            models_dir,
            collecting: Mutex::new(HashMap::new()),
            jobs: Mutex::new(HashMap::new()),
        }
    }

    fn set_dir(&self, station: i64) -> PathBuf {
        self.root.join(format!("station-{station}"))
    }

    fn good_dir(&self, station: i64) -> PathBuf {
        self.set_dir(station).join("train/good")
    }

    fn escape_dir(&self, station: i64) -> PathBuf {
        self.set_dir(station).join("train/escape")
    }

    pub fn status(&self, station: i64) -> TeachStatus {
        TeachStatus {
            good_images: count(&self.good_dir(station)),
            escape_images: count(&self.escape_dir(station)),
            collecting: *lock(&self.collecting).get(&station).unwrap_or(&0),
            training: lock(&self.jobs).contains_key(&station),
            min_good_images: train::MIN_GOOD_IMAGES as u32,
        }
    }

    /// The next `count` parts the station judges are kept as good images (0 stops).
    pub fn collect(&self, station: i64, count: u32) {
        let mut c = lock(&self.collecting);
        if count == 0 {
            c.remove(&station);
        } else {
            c.insert(station, count.min(MAX_COLLECT));
        }
    }

    /// Offered every judged part's image: kept while the station is collecting.
    pub fn offer(&self, station: i64, image: &RgbImage, name: &str) -> std::io::Result<bool> {
        {
            let mut c = lock(&self.collecting);
            match c.get_mut(&station) {
                Some(left) if *left > 0 => {
                    *left -= 1;
                    if *left == 0 {
                        c.remove(&station);
                    }
                }
                _ => return Ok(false),
            }
        }
        write_png(&self.good_dir(station), &format!("live-{name}.png"), image)?;
        Ok(true)
    }

    /// A good image the user picked: decoded (so only real images get in)
    /// and stored as PNG under a name made from its content. `name` is only
    /// used in messages.
    pub fn import(&self, station: i64, name: &str, bytes: &[u8]) -> Result<(), TeachError> {
        if bytes.len() > MAX_IMPORT_BYTES {
            return Err(TeachError::TooLarge(name.into()));
        }
        let image = image::load_from_memory(bytes)
            .map_err(|_| TeachError::NotAnImage(name.into()))?
            .to_rgb8();
        let file = format!("import-{}.png", &sha256_hex(bytes)[..16]);
        write_png(&self.good_dir(station), &file, &image)?;
        Ok(())
    }

    /// Empties the teaching set (the models taught from it stay).
    pub fn clear(&self, station: i64) -> std::io::Result<()> {
        if lock(&self.jobs).contains_key(&station) {
            return Err(std::io::Error::other("a model is being taught from this set"));
        }
        match std::fs::remove_dir_all(self.set_dir(station)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Copies the station's reviewed parts into the set: false alarms are
    /// good parts, escapes bad ones. Already copied parts are skipped.
    pub fn add_reviewed(
        &self,
        station: i64,
        reviewed: &[(i64, RelabelKind, String)],
        images_dir: &Path,
    ) -> std::io::Result<()> {
        for (id, kind, rel) in reviewed {
            let dir = match kind {
                RelabelKind::FalseAlarm => self.good_dir(station),
                RelabelKind::Escape => self.escape_dir(station),
            };
            let ext = Path::new(rel)
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("jpg");
            let to = dir.join(format!("review-{id}.{ext}"));
            if to.exists() {
                continue;
            }
            std::fs::create_dir_all(&dir)?;
            // The stored path is relative to the archive and never leaves it.
            let inside = Path::new(rel)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if inside && let Err(e) = std::fs::copy(images_dir.join(rel), &to) {
                tracing::warn!("inspection {id}: image not copied for teaching: {e}");
            }
        }
        Ok(())
    }

    /// Teaches a new bundle from the station's set on a thread of its own.
    pub fn start(
        self: &Arc<Self>,
        station: i64,
        net: Arc<CpuNet>,
        backbone_sha256: String,
        report: impl Fn(TeachEvent) + Send + 'static,
    ) -> Result<(), TeachError> {
        let data = match DataSet::scan(&self.set_dir(station)) {
            Ok(data) => data,
            Err(DataSetError::NoGoodImages(_)) => DataSet::default(),
            Err(DataSetError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                DataSet::default()
            }
            Err(e) => return Err(TeachError::Io(e.to_string())),
        };
        if data.train_good.len() < train::MIN_GOOD_IMAGES {
            return Err(TrainError::TooFewImages {
                needed: train::MIN_GOOD_IMAGES,
                found: data.train_good.len(),
            }
            .into());
        }
        let cancel = Arc::new(AtomicBool::new(false));
        {
            let mut jobs = lock(&self.jobs);
            if jobs.contains_key(&station) {
                return Err(TeachError::Busy);
            }
            jobs.insert(station, cancel.clone());
        }
        let now = Utc::now();
        let name = format!("station{station}-{}", now.format("%Y%m%d-%H%M%S"));
        // The set holds the station's inspected regions already: no ROI.
        let cfg = TrainConfig::defaults(
            name.clone(),
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
        let out = self.models_dir.join(&name);
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("teach-{station}"))
            .spawn({
                let cancel = cancel.clone();
                move || {
                    let mut progress = |p: Progress| {
                        let (stage, done, total) = match p {
                            Progress::Features { done, total } => ("features", done, total),
                            Progress::Coreset { patches, keep } => ("coreset", keep, patches),
                            Progress::Calibrating { done, total } => ("calibrating", done, total),
                            Progress::Defects { done, total } => ("defects", done, total),
                        };
                        report(TeachEvent::Progress {
                            stage,
                            done: done as u32,
                            total: total as u32,
                        });
                    };
                    let result = train::train(&net, &backbone_sha256, &data, &cfg, &mut progress, &cancel)
                        .map_err(|e| e.to_string())
                        .and_then(|t| {
                            Bundle::save(&out, t.manifest, &t.memory_bank, t.defect_head.as_ref())
                                .map_err(|e| e.to_string())
                        })
                        .map(|()| name);
                    lock(&me.jobs).remove(&station);
                    report(TeachEvent::Finished(result));
                }
            });
        if let Err(e) = spawned {
            lock(&self.jobs).remove(&station);
            return Err(e.into());
        }
        Ok(())
    }

    /// Asks the station's training to stop; false when none runs.
    pub fn cancel(&self, station: i64) -> bool {
        lock(&self.jobs)
            .get(&station)
            .map(|c| c.store(true, Ordering::Relaxed))
            .is_some()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn write_png(dir: &Path, file: &str, image: &RgbImage) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut bytes = Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .map_err(std::io::Error::other)?;
    // Written aside and renamed, so training never reads half an image.
    let tmp = dir.join(format!(".{file}.partial"));
    std::fs::write(&tmp, bytes.into_inner())?;
    std::fs::rename(tmp, dir.join(file))
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use linesight_datagen::{Category, render_good};
    use linesight_vision::models::Models;

    use super::*;

    fn teaching() -> (tempfile::TempDir, Arc<Teaching>) {
        let dir = tempfile::tempdir().unwrap();
        let t = Teaching::new(dir.path().join("teach"), dir.path().join("models"));
        (dir, Arc::new(t))
    }

    fn png(image: &RgbImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn imports_only_real_images_named_by_their_content() {
        let (_dir, t) = teaching();
        let bytes = png(&render_good(Category::Washer, 1, 64));
        t.import(7, "../../etc/passwd.png", &bytes).unwrap();
        t.import(7, "again.png", &bytes).unwrap();
        assert_eq!(t.status(7).good_images, 1, "the same image twice is one image");
        assert!(
            matches!(t.import(7, "notes.txt", b"hello"), Err(TeachError::NotAnImage(n)) if n == "notes.txt")
        );
        let files = images_in(&t.good_dir(7)).unwrap();
        assert!(
            files[0]
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("import-")
        );
        assert_eq!(t.status(8).good_images, 0, "sets are per station");
    }

    #[test]
    fn a_collecting_station_keeps_exactly_the_parts_asked_for() {
        let (_dir, t) = teaching();
        let image = render_good(Category::Washer, 2, 64);
        assert!(!t.offer(1, &image, "a").unwrap(), "not collecting");
        t.collect(1, 2);
        assert_eq!(t.status(1).collecting, 2);
        assert!(t.offer(1, &image, "b").unwrap());
        assert!(t.offer(1, &image, "c").unwrap());
        assert!(!t.offer(1, &image, "d").unwrap());
        let s = t.status(1);
        assert_eq!((s.good_images, s.collecting), (2, 0));
        t.clear(1).unwrap();
        assert_eq!(t.status(1).good_images, 0);
    }

    #[test]
    fn reviewed_parts_join_the_set_once_and_never_from_outside_the_archive() {
        let (dir, t) = teaching();
        let images = dir.path().join("images");
        std::fs::create_dir_all(images.join("d")).unwrap();
        std::fs::write(images.join("d/ng.jpg"), b"jpeg").unwrap();
        std::fs::write(images.join("d/ok.jpg"), b"jpeg").unwrap();
        std::fs::write(dir.path().join("secret.jpg"), b"secret").unwrap();
        let reviewed = vec![
            (1, RelabelKind::FalseAlarm, "d/ng.jpg".to_string()),
            (2, RelabelKind::Escape, "d/ok.jpg".to_string()),
            (3, RelabelKind::FalseAlarm, "../secret.jpg".to_string()),
        ];
        t.add_reviewed(5, &reviewed, &images).unwrap();
        t.add_reviewed(5, &reviewed, &images).unwrap();
        assert!(t.good_dir(5).join("review-1.jpg").is_file());
        assert!(t.escape_dir(5).join("review-2.jpg").is_file());
        assert!(!t.good_dir(5).join("review-3.jpg").exists());
        let s = t.status(5);
        assert_eq!((s.good_images, s.escape_images), (1, 1));
    }

    #[test]
    fn teaches_a_bundle_the_station_can_load_and_refuses_a_second_run_meanwhile() {
        let (_dir, t) = teaching();
        let repo_models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
        let models = Models::load(&repo_models).unwrap();
        let too_few = t.start(1, models.net.clone(), models.backbone_sha256.clone(), |_| {});
        assert!(matches!(
            too_few,
            Err(TeachError::Train(TrainError::TooFewImages { found: 0, .. }))
        ));

        for seed in 0..train::MIN_GOOD_IMAGES as u64 {
            t.import(1, "good.png", &png(&render_good(Category::Washer, seed, 128)))
                .unwrap();
        }
        let (tx, rx) = mpsc::channel();
        t.start(1, models.net.clone(), models.backbone_sha256.clone(), move |e| {
            if let TeachEvent::Finished(r) = e {
                tx.send(r).unwrap();
            }
        })
        .unwrap();
        assert!(t.status(1).training);
        assert!(matches!(
            t.start(1, models.net.clone(), models.backbone_sha256.clone(), |_| {}),
            Err(TeachError::Busy)
        ));
        let name = rx.recv().unwrap().unwrap();
        assert!(!t.status(1).training);
        assert!(name.starts_with("station1-"));
        let bundle = t.models_dir.join(&name);
        let inspector = models.inspector(&bundle).unwrap();
        let good = inspector.inspect(&render_good(Category::Washer, 99, 128), 0.0);
        assert!(good.score.is_finite());
    }
}
