//! Image sets on disk: MVTec AD's layout (`train/good`, `test/good`,
//! `test/<defect>/`) or a plain folder of good images. Labelled defect images
//! to learn from go beside the good ones, in `train/<defect>/`; `test/` is
//! only ever measured on.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use sha2::{Digest, Sha256};

const IMAGE_EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataSet {
    pub root: PathBuf,
    pub train_good: Vec<PathBuf>,
    /// Defect type → images, for the defect classifier and ROC calibration.
    pub train_defects: BTreeMap<String, Vec<PathBuf>>,
    pub test_good: Vec<PathBuf>,
    /// Defect type → images, for evaluation.
    pub test_defects: BTreeMap<String, Vec<PathBuf>>,
}

#[derive(Debug, thiserror::Error)]
pub enum DataSetError {
    #[error("{path}: cannot read the folder: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "{0}: no good images (expected train/good/*.png|jpg, test/good/, or images directly in the folder)"
    )]
    NoGoodImages(PathBuf),
}

/// The PNG and JPEG files of a folder, in name order.
pub fn images_in(dir: &Path) -> Result<Vec<PathBuf>, DataSetError> {
    let entries = fs::read_dir(dir).map_err(|source| DataSetError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort();
    Ok(files)
}

impl DataSet {
    pub fn scan(root: &Path) -> Result<Self, DataSetError> {
        let train_good_dir = root.join("train/good");
        let mut set = DataSet {
            root: root.to_owned(),
            ..Default::default()
        };
        let test = root.join("test");
        if train_good_dir.is_dir() {
            (set.train_good, set.train_defects) = by_label(&root.join("train"))?;
        } else if !test.is_dir() {
            set.train_good = images_in(root)?;
        }
        // test/ is read whether or not train/ is there: eval takes a test-only set.
        if test.is_dir() {
            (set.test_good, set.test_defects) = by_label(&test)?;
        }
        if set.train_good.is_empty() && set.test_good.is_empty() {
            return Err(DataSetError::NoGoodImages(root.to_owned()));
        }
        Ok(set)
    }

    pub fn defect_count(&self) -> usize {
        self.test_defects.values().map(Vec::len).sum()
    }
}

/// `dir/good/` and every other non-empty `dir/<defect>/`.
#[allow(clippy::type_complexity)]
fn by_label(dir: &Path) -> Result<(Vec<PathBuf>, BTreeMap<String, Vec<PathBuf>>), DataSetError> {
    let entries = fs::read_dir(dir).map_err(|source| DataSetError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut good = Vec::new();
    let mut defects = BTreeMap::new();
    for sub in entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
    {
        let name = sub.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let images = images_in(&sub)?;
        if name == "good" {
            good = images;
        } else if !images.is_empty() {
            defects.insert(name, images);
        }
    }
    Ok((good, defects))
}

/// sha256 over the names (relative to `root`) and bytes of `files`, in order:
/// the same images give the same hash on any machine.
pub fn hash_files(root: &Path, files: &[PathBuf]) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    for f in files {
        let name = f
            .strip_prefix(root)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(fs::read(f)?);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, b"x").unwrap();
    }

    #[test]
    fn reads_the_mvtec_layout() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        for f in [
            "train/good/b.png",
            "train/good/a.PNG",
            "train/good/notes.txt",
            "test/good/c.jpg",
            "test/crack/d.png",
            "train/scratch/e.png",
        ] {
            touch(&r.join(f));
        }
        fs::create_dir_all(r.join("test/empty")).unwrap();
        let set = DataSet::scan(r).unwrap();
        assert_eq!(
            set.train_good,
            [r.join("train/good/a.PNG"), r.join("train/good/b.png")]
        );
        assert_eq!(set.test_good, [r.join("test/good/c.jpg")]);
        assert_eq!(set.test_defects.keys().collect::<Vec<_>>(), ["crack"]);
        assert_eq!(set.defect_count(), 1);
        assert_eq!(set.train_defects["scratch"], [r.join("train/scratch/e.png")]);
    }

    #[test]
    fn a_test_only_set_is_read_for_evaluation() {
        let tmp = tempfile::tempdir().unwrap();
        touch(&tmp.path().join("test/good/a.png"));
        touch(&tmp.path().join("test/hole/b.png"));
        let set = DataSet::scan(tmp.path()).unwrap();
        assert!(set.train_good.is_empty());
        assert_eq!((set.test_good.len(), set.defect_count()), (1, 1));
    }

    #[test]
    fn a_plain_folder_is_all_good_images() {
        let tmp = tempfile::tempdir().unwrap();
        touch(&tmp.path().join("1.jpeg"));
        let set = DataSet::scan(tmp.path()).unwrap();
        assert_eq!(set.train_good.len(), 1);
        assert!(set.test_good.is_empty() && set.test_defects.is_empty());
    }

    #[test]
    fn no_images_is_a_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(matches!(
            DataSet::scan(tmp.path()),
            Err(DataSetError::NoGoodImages(_))
        ));
        assert!(matches!(
            DataSet::scan(&tmp.path().join("missing")),
            Err(DataSetError::Io { .. })
        ));
    }

    #[test]
    fn hash_depends_on_names_and_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a.png");
        fs::write(&a, b"one").unwrap();
        let h1 = hash_files(tmp.path(), std::slice::from_ref(&a)).unwrap();
        fs::write(&a, b"two").unwrap();
        assert_ne!(h1, hash_files(tmp.path(), std::slice::from_ref(&a)).unwrap());
    }
}
