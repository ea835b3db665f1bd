//! The model bundles a station can use: those shipped with the app
//! (read-only) and those taught on this machine (under the app-data dir).
//! Stations name a bundle by its folder name; a taught bundle of the same
//! name as a shipped one hides it.

use std::path::{Path, PathBuf};

use linesight_vision::bundle::{MANIFEST, Manifest};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::settings::is_bundle_name;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ModelOrigin {
    Shipped,
    Taught,
}

/// A bundle as the settings and models screens list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    /// Folder name: what station settings store.
    pub name: String,
    pub origin: ModelOrigin,
    pub version: String,
    pub method: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub threshold: f32,
    /// Square side the region is resized to.
    pub input_size: u32,
    /// The region of the camera frame the bundle was taught on, if any.
    pub roi: Option<[u32; 4]>,
    pub good_images: u32,
    pub defect_images: u32,
    pub labels: Vec<String>,
    pub image_auroc: Option<f64>,
    pub false_reject_rate: Option<f64>,
    pub escape_rate: Option<f64>,
}

impl ModelInfo {
    fn read(dir: &Path, origin: ModelOrigin) -> Option<Self> {
        let name = dir.file_name()?.to_str()?.to_owned();
        if !is_bundle_name(&name) {
            return None;
        }
        let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
        let m: Manifest = serde_json::from_str(&text)
            .inspect_err(|e| tracing::warn!("{}: {e}", dir.display()))
            .ok()?;
        Some(Self {
            name,
            origin,
            version: m.version,
            method: m.method,
            created_at: m.created_at,
            threshold: m.threshold,
            input_size: m.input.size as u32,
            roi: m.input.roi,
            good_images: m.training.good_images as u32,
            defect_images: m.training.defect_images as u32,
            labels: m.labels,
            image_auroc: m.metrics.as_ref().and_then(|x| x.image_auroc),
            false_reject_rate: m.metrics.as_ref().map(|x| x.false_reject_rate),
            escape_rate: m.metrics.as_ref().and_then(|x| x.escape_rate),
        })
    }
}

/// Where bundles live.
#[derive(Debug, Clone)]
pub struct Bundles {
    /// The shipped models folder (it also holds the backbone).
    pub shipped: Option<PathBuf>,
    /// Bundles taught on this machine.
    pub taught: PathBuf,
}

impl Bundles {
    fn dirs(&self) -> impl Iterator<Item = (&Path, ModelOrigin)> {
        std::iter::once((self.taught.as_path(), ModelOrigin::Taught))
            .chain(self.shipped.as_deref().map(|d| (d, ModelOrigin::Shipped)))
    }

    /// Every readable bundle, taught first, each name once, by name.
    pub fn list(&self) -> Vec<ModelInfo> {
        let mut out: Vec<ModelInfo> = Vec::new();
        for (dir, origin) in self.dirs() {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut found: Vec<ModelInfo> = entries
                .filter_map(|e| e.ok())
                .filter_map(|e| ModelInfo::read(&e.path(), origin))
                .filter(|m| !out.iter().any(|o| o.name == m.name))
                .collect();
            out.append(&mut found);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// The folder of the bundle called `name`, if one is installed.
    pub fn find(&self, name: &str) -> Option<PathBuf> {
        if !is_bundle_name(name) {
            return None;
        }
        self.dirs()
            .map(|(dir, _)| dir.join(name))
            .find(|d| d.join(MANIFEST).is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_models() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../models")
    }

    #[test]
    fn lists_the_shipped_demo_bundle_and_finds_it_by_name_only() {
        let taught = tempfile::tempdir().unwrap();
        let bundles = Bundles {
            shipped: Some(repo_models()),
            taught: taught.path().to_owned(),
        };
        let list = bundles.list();
        let demo = list
            .iter()
            .find(|m| m.name == "demo-washer")
            .expect("demo bundle listed");
        assert_eq!(demo.origin, ModelOrigin::Shipped);
        assert!(demo.threshold > 0.0 && demo.good_images > 0);
        // The backbone folder has no manifest: not a bundle.
        assert!(list.iter().all(|m| m.name != "efficientnet-lite0"));
        assert!(bundles.find("demo-washer").is_some());
        assert_eq!(bundles.find("../models/demo-washer"), None);
        assert_eq!(bundles.find("nope"), None);
    }

    #[test]
    fn a_taught_bundle_hides_a_shipped_one_of_the_same_name() {
        let taught = tempfile::tempdir().unwrap();
        let copy = taught.path().join("demo-washer");
        std::fs::create_dir(&copy).unwrap();
        std::fs::copy(
            repo_models().join("demo-washer").join(MANIFEST),
            copy.join(MANIFEST),
        )
        .unwrap();
        let bundles = Bundles {
            shipped: Some(repo_models()),
            taught: taught.path().to_owned(),
        };
        let list = bundles.list();
        let demo: Vec<_> = list.iter().filter(|m| m.name == "demo-washer").collect();
        assert_eq!(demo.len(), 1);
        assert_eq!(demo[0].origin, ModelOrigin::Taught);
        assert_eq!(bundles.find("demo-washer"), Some(copy));
    }
}
