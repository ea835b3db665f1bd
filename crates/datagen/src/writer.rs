//! Writes a whole data set, atomically.

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use serde::Serialize;

use crate::rng::mix;
use crate::{
    Defect, Error, FolderCount, MAX_SEVERITY, SetSpec, Summary, check_size, render_defect, render_good,
};

/// Upper bound on the images in one set (guards against typos like 10^9).
const MAX_IMAGES: usize = 100_000;

enum Job {
    Good {
        folder: &'static str,
        index: usize,
        seed: u64,
    },
    Defect {
        defect: Defect,
        index: usize,
        severity: u8,
        seed: u64,
    },
}

#[derive(Serialize)]
struct ImageRecord {
    file: String,
    mask: Option<String>,
    defect: Option<Defect>,
    severity: Option<u8>,
    seed: u64,
}

#[derive(Serialize)]
struct Manifest<'a> {
    generator: &'static str,
    version: &'static str,
    spec: &'a SetSpec,
    defect_types: &'a [Defect],
    folders: &'a [FolderCount],
    images: Vec<ImageRecord>,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write_png(path: &Path, raw: &[u8], w: u32, h: u32, color: image::ExtendedColorType) -> Result<(), Error> {
    let file = fs::File::create(path).map_err(io_err(path))?;
    let enc = PngEncoder::new_with_quality(
        BufWriter::new(file),
        CompressionType::Default,
        FilterType::Adaptive,
    );
    enc.write_image(raw, w, h, color).map_err(|source| Error::Image {
        path: path.to_path_buf(),
        source,
    })
}

fn file_name(index: usize, width: usize) -> String {
    format!("{index:0width$}")
}

fn validate(spec: &SetSpec) -> Result<(), Error> {
    check_size(spec.size)?;
    let total = spec.train_good + spec.test_good + spec.test_defect_per_type * spec.category.defects().len();
    if total == 0 {
        return Err(Error::InvalidSpec("the set would contain no images".into()));
    }
    if total > MAX_IMAGES {
        return Err(Error::InvalidSpec(format!(
            "{total} images is more than the limit of {MAX_IMAGES}"
        )));
    }
    Ok(())
}

/// Generates the set described by `spec` into `<out_dir>/<category>/` (MVTec
/// AD layout, see the crate docs) and returns what was written.
///
/// The set is written into a hidden temporary sibling folder first and
/// renamed into place only when complete; an existing set of the same
/// category is replaced only after that succeeded. Images are rendered on
/// all available cores; the result does not depend on their number.
pub fn generate(spec: &SetSpec, out_dir: &Path) -> Result<Summary, Error> {
    validate(spec)?;
    let cat = spec.category;
    fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
    let root = out_dir.join(cat.name());
    let unique = format!("{}-{}", std::process::id(), mix(spec.seed, nanos()) & 0xFFFF_FFFF);
    let tmp = out_dir.join(format!(".{}.tmp-{unique}", cat.name()));
    let result = write_set(spec, &tmp).and_then(|summary| {
        swap_into_place(&tmp, &root)?;
        Ok(summary)
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result.map(|mut s| {
        s.root = root;
        s
    })
}

fn nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

fn swap_into_place(tmp: &Path, root: &Path) -> Result<(), Error> {
    if root.exists() {
        let name = root.file_name().and_then(|n| n.to_str()).unwrap_or("set");
        let old = root.with_file_name(format!(".{name}.old-{}-{}", std::process::id(), nanos()));
        fs::rename(root, &old).map_err(io_err(root))?;
        if let Err(e) = fs::rename(tmp, root) {
            let _ = fs::rename(&old, root);
            return Err(Error::Io {
                path: root.to_path_buf(),
                source: e,
            });
        }
        let _ = fs::remove_dir_all(&old);
    } else {
        fs::rename(tmp, root).map_err(io_err(root))?;
    }
    Ok(())
}

fn write_set(spec: &SetSpec, dir: &Path) -> Result<Summary, Error> {
    let cat = spec.category;
    let defects = cat.defects();
    let cat_seed = mix(spec.seed, 0xC47 + cat as u64);
    let mut jobs = Vec::new();
    let mut folders = Vec::new();
    for (folder, n, tag) in [
        ("train/good", spec.train_good, 1u64),
        ("test/good", spec.test_good, 2),
    ] {
        for index in 0..n {
            jobs.push(Job::Good {
                folder,
                index,
                seed: mix(mix(cat_seed, tag), index as u64),
            });
        }
        folders.push(FolderCount {
            folder: folder.to_string(),
            count: n,
        });
    }
    for &defect in defects {
        for index in 0..spec.test_defect_per_type {
            let severity = (index % MAX_SEVERITY as usize) as u8 + 1;
            let seed = mix(mix(cat_seed, 0x100 + defect as u64), index as u64);
            jobs.push(Job::Defect {
                defect,
                index,
                severity,
                seed,
            });
        }
        folders.push(FolderCount {
            folder: format!("test/{defect}"),
            count: spec.test_defect_per_type,
        });
        folders.push(FolderCount {
            folder: format!("ground_truth/{defect}"),
            count: spec.test_defect_per_type,
        });
    }
    for f in &folders {
        let p = dir.join(&f.folder);
        fs::create_dir_all(&p).map_err(io_err(&p))?;
    }
    let max_n = spec.train_good.max(spec.test_good).max(spec.test_defect_per_type);
    let width = max_n.saturating_sub(1).to_string().len().max(3);

    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<Error>> = Mutex::new(None);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(jobs.len())
        .max(1);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= jobs.len() || failed.lock().map(|f| f.is_some()).unwrap_or(true) {
                        break;
                    }
                    if let Err(e) = run_job(spec, dir, &jobs[k], width) {
                        if let Ok(mut f) = failed.lock() {
                            f.get_or_insert(e);
                        }
                        break;
                    }
                }
            });
        }
    });
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(e);
    }

    let images = jobs
        .iter()
        .map(|j| match *j {
            Job::Good { folder, index, seed } => ImageRecord {
                file: format!("{folder}/{}.png", file_name(index, width)),
                mask: None,
                defect: None,
                severity: None,
                seed,
            },
            Job::Defect {
                defect,
                index,
                severity,
                seed,
            } => ImageRecord {
                file: format!("test/{defect}/{}.png", file_name(index, width)),
                mask: Some(format!(
                    "ground_truth/{defect}/{}_mask.png",
                    file_name(index, width)
                )),
                defect: Some(defect),
                severity: Some(severity),
                seed,
            },
        })
        .collect();
    let manifest = Manifest {
        generator: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        spec,
        defect_types: defects,
        folders: &folders,
        images,
    };
    let mpath = dir.join("datagen.json");
    let json = serde_json::to_vec_pretty(&manifest)?;
    fs::write(&mpath, json).map_err(io_err(&mpath))?;

    Ok(Summary {
        category: cat,
        root: PathBuf::new(),
        size: spec.size,
        seed: spec.seed,
        defect_types: defects.to_vec(),
        folders,
    })
}

fn run_job(spec: &SetSpec, dir: &Path, job: &Job, width: usize) -> Result<(), Error> {
    let size = spec.size;
    match *job {
        Job::Good { folder, index, seed } => {
            let img = render_good(spec.category, seed, size);
            let path = dir.join(folder).join(format!("{}.png", file_name(index, width)));
            write_png(&path, img.as_raw(), size, size, image::ExtendedColorType::Rgb8)
        }
        Job::Defect {
            defect,
            index,
            severity,
            seed,
        } => {
            let (img, mask) = render_defect(spec.category, defect, severity, seed, size)?;
            let name = file_name(index, width);
            let path = dir.join("test").join(defect.name()).join(format!("{name}.png"));
            write_png(&path, img.as_raw(), size, size, image::ExtendedColorType::Rgb8)?;
            let mpath = dir
                .join("ground_truth")
                .join(defect.name())
                .join(format!("{name}_mask.png"));
            write_png(&mpath, mask.as_raw(), size, size, image::ExtendedColorType::L8)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::Category;

    fn small(category: Category, seed: u64) -> SetSpec {
        SetSpec {
            category,
            train_good: 3,
            test_good: 2,
            test_defect_per_type: 2,
            size: 64,
            seed,
        }
    }

    /// Every file under `dir`, by relative path, with its bytes.
    fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
            for e in fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(root, &p, out);
                } else {
                    let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                    out.insert(rel, fs::read(&p).unwrap());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(dir, dir, &mut out);
        out
    }

    #[test]
    fn writes_the_mvtec_layout() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = small(Category::Washer, 3);
        let summary = generate(&spec, tmp.path()).unwrap();
        assert_eq!(summary.root, tmp.path().join("washer"));
        assert_eq!(summary.defect_types, Category::Washer.defects());
        assert_eq!(summary.count("train/good"), Some(3));
        assert_eq!(summary.count("test/good"), Some(2));
        let mut expected = vec!["datagen.json".to_string()];
        expected.extend((0..3).map(|i| format!("train/good/{i:03}.png")));
        expected.extend((0..2).map(|i| format!("test/good/{i:03}.png")));
        for d in Category::Washer.defects() {
            assert_eq!(summary.count(&format!("test/{d}")), Some(2));
            assert_eq!(summary.count(&format!("ground_truth/{d}")), Some(2));
            expected.extend((0..2).map(|i| format!("test/{d}/{i:03}.png")));
            expected.extend((0..2).map(|i| format!("ground_truth/{d}/{i:03}_mask.png")));
        }
        expected.sort();
        let written = files(&summary.root);
        assert_eq!(written.keys().cloned().collect::<Vec<_>>(), expected);
        // Nothing else (no temporary folders) is left in the output folder.
        let entries: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(entries, vec![std::ffi::OsString::from("washer")]);
        for (name, bytes) in &written {
            if name.ends_with(".json") {
                let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
                assert_eq!(v["images"].as_array().unwrap().len(), 3 + 2 + 4 * 2);
                continue;
            }
            let img = image::load_from_memory(bytes).unwrap();
            assert_eq!((img.width(), img.height()), (64, 64), "{name}");
            if name.starts_with("ground_truth/") {
                assert_eq!(img.color(), image::ColorType::L8, "{name}");
                assert!(img.to_luma8().pixels().any(|p| p[0] == 255), "{name}: empty mask");
            } else {
                assert_eq!(img.color(), image::ColorType::Rgb8, "{name}");
            }
        }
    }

    #[test]
    fn same_seed_gives_the_same_bytes() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let spec = small(Category::Label, 11);
        generate(&spec, a.path()).unwrap();
        generate(&spec, b.path()).unwrap();
        let (fa, fb) = (files(a.path()), files(b.path()));
        assert_eq!(fa.len(), 1 + 3 + 2 + 4 * 4);
        assert!(fa == fb, "two runs with one seed differ");
        let c = tempfile::tempdir().unwrap();
        generate(&small(Category::Label, 12), c.path()).unwrap();
        assert_ne!(
            files(c.path())["label/train/good/000.png"],
            fa["label/train/good/000.png"]
        );
    }

    #[test]
    fn regenerating_replaces_the_whole_set() {
        let tmp = tempfile::tempdir().unwrap();
        generate(&small(Category::Grass, 1), tmp.path()).unwrap();
        let before = files(tmp.path());
        // An invalid spec fails up front and leaves the existing set alone.
        let bad = SetSpec {
            size: 8,
            ..small(Category::Grass, 2)
        };
        assert!(matches!(generate(&bad, tmp.path()), Err(Error::InvalidSpec(_))));
        let empty = SetSpec {
            train_good: 0,
            test_good: 0,
            test_defect_per_type: 0,
            ..small(Category::Grass, 2)
        };
        assert!(matches!(generate(&empty, tmp.path()), Err(Error::InvalidSpec(_))));
        assert!(files(tmp.path()) == before);
        // A smaller set replaces the old one completely.
        let spec = SetSpec {
            train_good: 1,
            test_defect_per_type: 1,
            ..small(Category::Grass, 2)
        };
        let summary = generate(&spec, tmp.path()).unwrap();
        assert_eq!(summary.count("train/good"), Some(1));
        let after = files(tmp.path());
        assert!(after.contains_key("grass/train/good/000.png"));
        assert!(!after.contains_key("grass/train/good/001.png"));
        assert_eq!(after.len(), 1 + 1 + 2 + Category::Grass.defects().len() * 2);
        let entries: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(entries, vec![std::ffi::OsString::from("grass")]);
    }

    #[test]
    fn index_width_grows_past_999() {
        assert_eq!(file_name(7, 3), "007");
        assert_eq!(file_name(1234, 4), "1234");
    }
}
