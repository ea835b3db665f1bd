//! The shipped models folder: the backbone, read, checksummed and folded
//! once, and the bundles taught on it. The app and the CLI both start here.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use burn::tensor::Device;

use crate::{
    backbone::{EfficientNetLite0, LoadError},
    bundle::{Bundle, BundleError, sha256_hex},
    cpu_net::CpuNet,
    inspector::Inspector,
};

/// The backbone weights, relative to the models folder.
pub const BACKBONE: &str = "efficientnet-lite0/backbone.safetensors";

pub struct Models {
    pub dir: PathBuf,
    pub net: Arc<CpuNet>,
    /// Bundles record it: one taught on other weights is refused.
    pub backbone_sha256: String,
}

impl Models {
    /// Where a models folder may be when nobody says: `$LINESIGHT_MODELS`,
    /// then the caller's own places (`local`), then the repository's
    /// `models/` beside a development build (`target/{debug,release}/<binary>`).
    pub fn candidates(local: impl IntoIterator<Item = PathBuf>) -> Vec<PathBuf> {
        let mut c: Vec<PathBuf> = std::env::var_os("LINESIGHT_MODELS")
            .map(PathBuf::from)
            .into_iter()
            .collect();
        c.extend(local);
        if let Ok(exe) = std::env::current_exe() {
            c.extend(exe.ancestors().nth(3).map(|root| root.join("models")));
        }
        c
    }

    /// The first of `candidates` that holds the backbone.
    pub fn find(candidates: impl IntoIterator<Item = PathBuf>) -> Option<PathBuf> {
        candidates.into_iter().find(|d| d.join(BACKBONE).is_file())
    }

    pub fn load(dir: &Path) -> Result<Self, LoadError> {
        let path = dir.join(BACKBONE);
        let bytes = std::fs::read(&path).map_err(|e| LoadError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let backbone_sha256 = sha256_hex(&bytes);
        let net = EfficientNetLite0::from_bytes(bytes, &path.display().to_string(), &Device::flex())?;
        Ok(Self {
            dir: dir.to_owned(),
            net: Arc::new(CpuNet::from_burn(&net)),
            backbone_sha256,
        })
    }

    /// An inspector for the bundle in `bundle` (a folder).
    pub fn inspector(&self, bundle: &Path) -> Result<Inspector, BundleError> {
        let bundle = Bundle::load(bundle, &self.backbone_sha256)?;
        Ok(Inspector::new(self.net.clone(), bundle))
    }
}
