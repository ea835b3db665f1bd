use std::path::{Path, PathBuf};

use anyhow::bail;
use linesight_vision::models::{BACKBONE, Models};

/// The models folder: `--models`, else `$LINESIGHT_MODELS`, `./models`, or the
/// repository's `models/` next to the binary.
pub fn locate(explicit: Option<&Path>) -> anyhow::Result<Models> {
    let candidates: Vec<PathBuf> = match explicit {
        Some(dir) => vec![dir.to_owned()],
        None => Models::candidates([PathBuf::from("models")]),
    };
    let Some(dir) = Models::find(candidates.clone()) else {
        bail!("no backbone weights found (looked for {BACKBONE} in {candidates:?}); pass --models DIR");
    };
    Ok(Models::load(&dir)?)
}
