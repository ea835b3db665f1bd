use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use anyhow::{Context, bail};
use linesight_vision::{
    bundle::{Bundle, sha256_hex},
    cpu_net::CpuNet,
    inspector::Inspector,
};

const BACKBONE: &str = "efficientnet-lite0/backbone.safetensors";

/// The shipped backbone, loaded once.
pub struct Models {
    pub net: Arc<CpuNet>,
    pub backbone_sha256: String,
}

impl Models {
    pub fn locate(explicit: Option<&Path>) -> anyhow::Result<Self> {
        let candidates: Vec<PathBuf> = match explicit {
            Some(dir) => vec![dir.to_owned()],
            None => {
                let mut c: Vec<PathBuf> = std::env::var_os("LINESIGHT_MODELS")
                    .map(PathBuf::from)
                    .into_iter()
                    .collect();
                c.push(PathBuf::from("models"));
                if let Ok(exe) = std::env::current_exe() {
                    // target/{debug,release}/linesight → repository root
                    c.extend(exe.ancestors().nth(3).map(|root| root.join("models")));
                }
                c
            }
        };
        let Some(path) = candidates.iter().map(|d| d.join(BACKBONE)).find(|p| p.is_file()) else {
            bail!("no backbone weights found (looked for {BACKBONE} in {candidates:?}); pass --models DIR");
        };
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        Ok(Self {
            net: Arc::new(CpuNet::load(&path)?),
            backbone_sha256: sha256_hex(&bytes),
        })
    }

    pub fn inspector(&self, bundle: &Path) -> anyhow::Result<Inspector> {
        let bundle = Bundle::load(bundle, &self.backbone_sha256)?;
        Ok(Inspector::new(self.net.clone(), bundle))
    }
}
