//! Model bundles: a folder with `manifest.json` and the detector's weights.
//! Everything needed to reproduce a verdict travels in it: the input
//! transform, the backbone and its checksum, the threshold and how it was
//! calibrated, the map normalisation, what it was trained on.
//!
//! Loading checks everything before anything is used: a corrupt, truncated or
//! foreign bundle is a typed error naming the problem, never a panic, and the
//! caller keeps the model it had.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

use crate::{
    align::AlignSpec,
    backbone::{BLOCKS, block_channels, stage_outputs},
    calibrate::Calibration,
    classifier::DefectHead,
    heatmap::MapNormalisation,
    padim::PositionalLayout,
    patchcore::{BankLayout, EdgePooling, ImageScoring, MemoryBank},
};

pub const MANIFEST: &str = "manifest.json";
pub const MEMORY_BANK: &str = "memory_bank.bin";
pub const DEFECT_HEAD: &str = "defect_head.bin";
/// Bumped when the manifest or weight layout changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;
const BANK_MAGIC: &[u8; 8] = b"LSBANK01";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    /// "patchcore" (a memory bank) or "padim" (positional Gaussians, read by `positional`).
    pub method: String,
    /// For "padim": the grid and the embedding channels of the Gaussians
    /// stored in the memory-bank file, one row per position (absent: a bank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positional: Option<PositionalLayout>,
    /// Human-readable model version, e.g. "washer-2026-11-30T06:20Z".
    pub version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub backbone: BackboneRef,
    pub input: InputTransform,
    /// Registration of every image to the training images' pose before the
    /// backbone, after the ROI and resize (absent: images as they come).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub align: Option<AlignSpec>,
    /// Backbone blocks whose outputs form the patch embedding.
    pub blocks: Vec<usize>,
    /// How the embedding's neighbourhood mean treats the map's edges (absent:
    /// inside only, as models made before it was recorded).
    #[serde(default)]
    pub pooling: EdgePooling,
    /// How patch distances become the image score (absent: the worst patch).
    #[serde(default)]
    pub scoring: ImageScoring,
    pub threshold: f32,
    pub calibration: Calibration,
    pub normalisation: MapNormalisation,
    /// Defect types the bundle can name (empty: anomaly verdict only).
    pub labels: Vec<String>,
    pub training: TrainingSummary,
    pub memory_bank: WeightsRef,
    /// How the bank's rows divide over the blocks (absent: one joint bank).
    #[serde(default)]
    pub bank_layout: BankLayout,
    /// The defect classifier over `labels`: `[(descriptor dims + 1) × labels]`.
    #[serde(default)]
    pub defect_head: Option<WeightsRef>,
    #[serde(default)]
    pub metrics: Option<Metrics>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackboneRef {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputTransform {
    /// Square side the region is resized to.
    pub size: usize,
    pub mean: f32,
    pub std: f32,
    /// Region of interest in the camera frame (x, y, width, height); `None` = whole frame.
    pub roi: Option<[u32; 4]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    pub good_images: usize,
    pub held_out_good: usize,
    pub defect_images: usize,
    /// sha256 over the sorted file names and contents of the training set.
    pub dataset_sha256: String,
    pub seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightsRef {
    pub file: String,
    pub rows: usize,
    pub dims: usize,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub image_auroc: Option<f64>,
    pub false_reject_rate: f64,
    pub escape_rate: Option<f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{path}: cannot read: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a Linesight model manifest: {reason}")]
    Manifest { path: PathBuf, reason: String },
    #[error("{path}: bundle format {found} is not supported (this version reads {FORMAT_VERSION})")]
    Format { path: PathBuf, found: u32 },
    #[error("{path}: unknown method {method:?}")]
    Method { path: PathBuf, method: String },
    #[error(
        "{path}: checksum mismatch (expected {expected}, found {found}): the file is corrupt or was changed"
    )]
    Checksum {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error("{path}: weights are truncated or malformed: {reason}")]
    Weights { path: PathBuf, reason: String },
    #[error("{path} exists and is not a model bundle: refusing to replace it")]
    NotABundle { path: PathBuf },
    #[error("{path}: the bundle names {what} {found:?} but {expected:?} is installed")]
    Foreign {
        path: PathBuf,
        what: &'static str,
        expected: String,
        found: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.to_owned(),
        source,
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A bundle read and checked, ready to build an inspector from.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// `[manifest.memory_bank.rows, manifest.memory_bank.dims]`, row-major.
    pub memory_bank: Vec<f32>,
    pub defect_head: Option<DefectHead>,
}

impl Bundle {
    /// Reads and checks a bundle. `backbone_sha256` is the checksum of the
    /// backbone weights this install ships; a bundle taught on other weights
    /// is refused.
    pub fn load(dir: &Path, backbone_sha256: &str) -> Result<Self, BundleError> {
        let manifest_path = dir.join(MANIFEST);
        let text = fs::read_to_string(&manifest_path).map_err(io(&manifest_path))?;
        // Check the format version before the full schema, so that a newer
        // bundle says "newer" rather than "malformed".
        let probe: serde_json::Value = serde_json::from_str(&text).map_err(|e| BundleError::Manifest {
            path: manifest_path.clone(),
            reason: e.to_string(),
        })?;
        match probe.get("format_version").and_then(|v| v.as_u64()) {
            Some(v) if v == FORMAT_VERSION as u64 => {}
            Some(v) => {
                return Err(BundleError::Format {
                    path: manifest_path,
                    found: v as u32,
                });
            }
            None => {
                return Err(BundleError::Manifest {
                    path: manifest_path,
                    reason: "no format_version".into(),
                });
            }
        }
        let manifest: Manifest = serde_json::from_value(probe).map_err(|e| BundleError::Manifest {
            path: manifest_path.clone(),
            reason: e.to_string(),
        })?;
        if manifest.method != "patchcore" && manifest.method != "padim" {
            return Err(BundleError::Method {
                path: manifest_path,
                method: manifest.method,
            });
        }
        if manifest.backbone.sha256 != backbone_sha256 {
            return Err(BundleError::Foreign {
                path: manifest_path,
                what: "backbone",
                expected: backbone_sha256.to_owned(),
                found: manifest.backbone.sha256,
            });
        }
        if let Err(reason) = check_numbers(&manifest) {
            return Err(BundleError::Manifest {
                path: manifest_path,
                reason,
            });
        }
        let memory_bank = read_matrix(dir, &manifest_path, &manifest.memory_bank)?;
        let defect_head = match &manifest.defect_head {
            None => None,
            Some(head) => {
                let weights = read_matrix(dir, &manifest_path, head)?;
                let head = DefectHead::from_weights(manifest.labels.clone(), weights)
                    .ok()
                    .filter(|h| h.dims() == 2 * embedding_width(&manifest))
                    .ok_or_else(|| BundleError::Manifest {
                        path: manifest_path.clone(),
                        reason: format!(
                            "the defect classifier does not fit {} labels and {}-wide features",
                            manifest.labels.len(),
                            embedding_width(&manifest)
                        ),
                    })?;
                Some(head)
            }
        };
        Ok(Self {
            dir: dir.to_owned(),
            manifest,
            memory_bank,
            defect_head,
        })
    }

    /// Writes a bundle atomically: into a sibling scratch folder, renamed into
    /// place only when every file is on disk, so an interrupted save leaves
    /// no half-written bundle (and an existing one untouched until then).
    pub fn save(
        dir: &Path,
        mut manifest: Manifest,
        memory_bank: &MemoryBank,
        defect_head: Option<&DefectHead>,
    ) -> Result<(), BundleError> {
        let (bytes, bank_ref) = encode_matrix(MEMORY_BANK, memory_bank.values(), memory_bank.dims());
        manifest.memory_bank = bank_ref;
        let head = defect_head.map(|h| encode_matrix(DEFECT_HEAD, h.weights(), h.labels().len()));
        manifest.defect_head = head.as_ref().map(|(_, r)| r.clone());
        if let Some(h) = defect_head {
            manifest.labels = h.labels().to_vec();
        }
        manifest.format_version = FORMAT_VERSION;

        // Only ever replace a bundle: never a data set or any other folder
        // that an engineer pointed `--out` at by mistake.
        let is_other_folder = dir.is_dir()
            && !dir.join(MANIFEST).is_file()
            && fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true);
        if is_other_folder || (dir.exists() && !dir.is_dir()) {
            return Err(BundleError::NotABundle { path: dir.to_owned() });
        }
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(io(parent))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let scratch = parent.join(format!(".{name}.partial-{}", std::process::id()));
        let _ = fs::remove_dir_all(&scratch);
        fs::create_dir_all(&scratch).map_err(io(&scratch))?;
        let result = (|| {
            write_synced(&scratch.join(MEMORY_BANK), &bytes)?;
            if let Some((bytes, _)) = &head {
                write_synced(&scratch.join(DEFECT_HEAD), bytes)?;
            }
            let json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
            write_synced(&scratch.join(MANIFEST), &json)?;
            if dir.exists() {
                let old = parent.join(format!(".{name}.old-{}", std::process::id()));
                fs::rename(dir, &old).map_err(io(dir))?;
                if let Err(e) = fs::rename(&scratch, dir) {
                    // Put the previous bundle back rather than leave none.
                    let _ = fs::rename(&old, dir);
                    return Err(BundleError::Io {
                        path: dir.to_owned(),
                        source: e,
                    });
                }
                let _ = fs::remove_dir_all(&old);
            } else {
                fs::rename(&scratch, dir).map_err(io(dir))?;
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_dir_all(&scratch);
        }
        result
    }
}

/// Channels of the patch embedding the manifest's blocks give.
fn embedding_width(m: &Manifest) -> usize {
    let stages = stage_outputs();
    m.blocks.iter().map(|&b| block_channels(&stages, b)).sum()
}

/// The manifest's numbers must describe something this backbone can run:
/// anything else would panic or silently pass every part later.
fn check_numbers(m: &Manifest) -> Result<(), String> {
    let finite = [
        m.threshold,
        m.input.mean,
        m.input.std,
        m.normalisation.floor,
        m.normalisation.threshold,
    ];
    if finite.iter().any(|v| !v.is_finite()) || m.input.std <= 0.0 || m.threshold <= 0.0 {
        return Err("threshold, mean, std or normalisation is not a usable number".into());
    }
    if !(32..=1024).contains(&m.input.size) {
        return Err(format!("input size {} is outside 32..=1024", m.input.size));
    }
    if let Some(align) = &m.align {
        align.aligner().map_err(|e| e.to_string())?;
    }
    let blocks_ok = !m.blocks.is_empty()
        && m.blocks.windows(2).all(|w| w[0] < w[1])
        && m.blocks.iter().all(|&b| b < BLOCKS);
    if !blocks_ok {
        return Err(format!(
            "blocks {:?} are not ascending indices below {BLOCKS}",
            m.blocks
        ));
    }
    let too_few = match m.scoring {
        ImageScoring::Reweighted { neighbours } => neighbours < 2,
        ImageScoring::TopMean { patches } => patches == 0,
        ImageScoring::Fused { patches, worst, top } => {
            let spreads = [worst.mean, worst.sd, top.mean, top.sd];
            patches == 0 || spreads.iter().any(|v| !v.is_finite()) || worst.sd <= 0.0 || top.sd <= 0.0
        }
        ImageScoring::MaxPatch => false,
    };
    if too_few {
        return Err(format!("scoring {:?} needs a larger count", m.scoring));
    }
    let channels = embedding_width(m);
    match (m.method.as_str(), &m.positional) {
        ("padim", Some(p)) => {
            let fits = p.height * p.width == m.memory_bank.rows
                && p.height > 0
                && p.width > 0
                && !p.channels.is_empty()
                && p.channels.iter().all(|&c| c < channels)
                && p.row_width() == m.memory_bank.dims
                && m.bank_layout == BankLayout::Joint;
            if !fits {
                return Err(format!(
                    "positional model {}×{} over {} channels does not fit blocks {:?} and a {}×{} weights file",
                    p.height,
                    p.width,
                    p.channels.len(),
                    m.blocks,
                    m.memory_bank.rows,
                    m.memory_bank.dims
                ));
            }
            return Ok(());
        }
        ("padim", None) => return Err("a padim model names no positional layout".into()),
        (_, Some(_)) => return Err("only a padim model has a positional layout".into()),
        _ => {}
    }
    if channels != m.memory_bank.dims {
        return Err(format!(
            "blocks {:?} give {channels} features, the memory bank has {}",
            m.blocks, m.memory_bank.dims
        ));
    }
    if let BankLayout::PerBlock { rows, spreads } = &m.bank_layout {
        let fits = rows.len() == m.blocks.len()
            && spreads.len() == m.blocks.len()
            && rows.iter().all(|&r| r > 0)
            && rows.iter().sum::<usize>() == m.memory_bank.rows
            && spreads
                .iter()
                .all(|s| s.mean.is_finite() && s.sd.is_finite() && s.sd > 0.0);
        if !fits {
            return Err(format!(
                "per-block bank layout {:?} does not fit {} blocks and {} bank rows",
                m.bank_layout,
                m.blocks.len(),
                m.memory_bank.rows
            ));
        }
    }
    Ok(())
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), BundleError> {
    let mut f = fs::File::create(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

/// Reads a weights file the manifest names, checking name, checksum and shape.
fn read_matrix(dir: &Path, manifest_path: &Path, r: &WeightsRef) -> Result<Vec<f32>, BundleError> {
    // Only a plain file name inside the bundle, never a path elsewhere.
    if Path::new(&r.file).file_name() != Some(r.file.as_ref()) {
        return Err(BundleError::Manifest {
            path: manifest_path.to_owned(),
            reason: format!("weights file {:?} is not a plain file name", r.file),
        });
    }
    let path = dir.join(&r.file);
    let bytes = fs::read(&path).map_err(io(&path))?;
    let found = sha256_hex(&bytes);
    if found != r.sha256 {
        return Err(BundleError::Checksum {
            path,
            expected: r.sha256.clone(),
            found,
        });
    }
    decode_matrix(&bytes, r.rows, r.dims).map_err(|reason| BundleError::Weights { path, reason })
}

/// A weights file's bytes and the manifest entry naming them.
fn encode_matrix(file: &str, values: &[f32], dims: usize) -> (Vec<u8>, WeightsRef) {
    let rows = values.len() / dims;
    let bytes = encode_bank(values, rows, dims);
    let r = WeightsRef {
        file: file.into(),
        rows,
        dims,
        sha256: sha256_hex(&bytes),
    };
    (bytes, r)
}

/// Weights file: magic, rows and dims as u64 LE, then rows × dims f32 LE.
fn encode_bank(values: &[f32], rows: usize, dims: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(24 + values.len() * 4);
    out.extend_from_slice(BANK_MAGIC);
    out.extend_from_slice(&(rows as u64).to_le_bytes());
    out.extend_from_slice(&(dims as u64).to_le_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

fn decode_matrix(bytes: &[u8], rows: usize, dims: usize) -> Result<Vec<f32>, String> {
    if bytes.len() < 24 || &bytes[..8] != BANK_MAGIC {
        return Err("not a memory bank file".into());
    }
    let file_rows = u64::from_le_bytes(bytes[8..16].try_into().unwrap()) as usize;
    let file_dims = u64::from_le_bytes(bytes[16..24].try_into().unwrap()) as usize;
    if (file_rows, file_dims) != (rows, dims) {
        return Err(format!(
            "file holds {file_rows} × {file_dims}, manifest says {rows} × {dims}"
        ));
    }
    let body = &bytes[24..];
    if rows == 0 || dims == 0 || rows.checked_mul(dims).and_then(|n| n.checked_mul(4)) != Some(body.len()) {
        return Err(format!("{} bytes of values for {rows} × {dims}", body.len()));
    }
    let values: Vec<f32> = body
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    if values.iter().any(|v| !v.is_finite()) {
        return Err("values that are not finite numbers".into());
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKBONE: &str = "abc123";
    /// Channels of blocks 4 and 10.
    const DIMS: usize = 40 + 112;

    fn manifest() -> Manifest {
        Manifest {
            format_version: FORMAT_VERSION,
            method: "patchcore".into(),
            positional: None,
            version: "test-1".into(),
            created_at: "2026-11-30T00:00:00Z".into(),
            backbone: BackboneRef {
                name: "efficientnet-lite0".into(),
                sha256: BACKBONE.into(),
            },
            input: InputTransform {
                size: 224,
                mean: 127.0,
                std: 128.0,
                roi: None,
            },
            align: None,
            blocks: vec![4, 10],
            pooling: EdgePooling::ZeroPadded,
            bank_layout: BankLayout::Joint,
            scoring: ImageScoring::default(),
            threshold: 3.5,
            calibration: Calibration::GoodQuantile {
                false_reject_rate: 0.01,
                held_out_good: 10,
            },
            normalisation: MapNormalisation {
                floor: 1.0,
                threshold: 3.5,
            },
            labels: vec![],
            training: TrainingSummary {
                good_images: 40,
                held_out_good: 10,
                defect_images: 0,
                dataset_sha256: "00".into(),
                seconds: 1.0,
            },
            memory_bank: WeightsRef {
                file: String::new(),
                rows: 0,
                dims: 0,
                sha256: String::new(),
            },
            defect_head: None,
            metrics: None,
        }
    }

    fn saved() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("bundle");
        let values: Vec<f32> = (0..3 * DIMS).map(|v| v as f32).collect();
        Bundle::save(&dir, manifest(), &MemoryBank::new(values, DIMS), None).unwrap();
        (tmp, dir)
    }

    #[test]
    fn round_trips_and_leaves_no_scratch() {
        let (tmp, dir) = saved();
        let b = Bundle::load(&dir, BACKBONE).unwrap();
        assert_eq!(b.manifest.memory_bank.rows, 3);
        let values = b.memory_bank;
        assert_eq!(values.len(), 3 * DIMS);
        assert_eq!(values[DIMS + 1], (DIMS + 1) as f32);
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["bundle"]);
    }

    /// Rewrites the weights file and its checksum, to reach the checks behind it.
    fn replace_weights(dir: &Path, bytes: &[u8]) {
        fs::write(dir.join(MEMORY_BANK), bytes).unwrap();
        let path = dir.join(MANIFEST);
        let mut m: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        m["memory_bank"]["sha256"] = sha256_hex(bytes).into();
        fs::write(&path, m.to_string()).unwrap();
    }

    #[test]
    fn a_manifest_without_scoring_scores_by_the_worst_patch() {
        let (_tmp, dir) = saved();
        let path = dir.join(MANIFEST);
        let mut m: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        m.as_object_mut().unwrap().remove("scoring").unwrap();
        fs::write(&path, m.to_string()).unwrap();
        let b = Bundle::load(&dir, BACKBONE).unwrap();
        assert_eq!(b.manifest.scoring, ImageScoring::MaxPatch);
    }

    #[test]
    fn a_manifest_without_pooling_pools_inside_the_map_as_before() {
        let mut json = serde_json::to_value(manifest()).unwrap();
        assert_eq!(json["pooling"], "zero_padded");
        json.as_object_mut().unwrap().remove("pooling");
        let m: Manifest = serde_json::from_value(json).unwrap();
        assert_eq!(m.pooling, EdgePooling::Inside);
    }

    #[test]
    fn a_fitted_scoring_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("bundle");
        let spread = |mean, sd| crate::patchcore::GoodSpread { mean, sd };
        let scoring = ImageScoring::Fused {
            patches: 10,
            worst: spread(20.5, 1.25),
            top: spread(18.0, 0.75),
        };
        let m = Manifest {
            scoring,
            ..manifest()
        };
        Bundle::save(&dir, m, &MemoryBank::new(vec![0.5; DIMS], DIMS), None).unwrap();
        assert_eq!(Bundle::load(&dir, BACKBONE).unwrap().manifest.scoring, scoring);
    }

    #[test]
    fn a_padim_model_round_trips_and_must_fit_its_layout() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("bundle");
        let layout = PositionalLayout {
            height: 2,
            width: 3,
            channels: vec![0, 7, 151],
            standardised: false,
        };
        let row = layout.row_width();
        assert_eq!(row, 3 + 6);
        let m = Manifest {
            method: "padim".into(),
            positional: Some(layout.clone()),
            ..manifest()
        };
        let values: Vec<f32> = (0..6 * row).map(|i| i as f32).collect();
        Bundle::save(&dir, m.clone(), &MemoryBank::new(values.clone(), row), None).unwrap();
        let b = Bundle::load(&dir, BACKBONE).unwrap();
        assert_eq!(
            (b.manifest.positional, b.memory_bank),
            (Some(layout.clone()), values)
        );
        // A channel past the embedding, or a padim model without a layout, is refused.
        let wide = PositionalLayout {
            channels: vec![0, 7, 152],
            ..layout
        };
        for m in [
            Manifest {
                positional: Some(wide),
                ..m.clone()
            },
            Manifest {
                positional: None,
                ..m
            },
        ] {
            Bundle::save(&dir, m, &MemoryBank::new(vec![0.5; 6 * row], row), None).unwrap();
            assert!(Bundle::load(&dir, BACKBONE).is_err());
        }
    }

    #[test]
    fn a_per_block_layout_round_trips_and_must_fit_the_bank() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("bundle");
        let spread = |mean, sd| crate::patchcore::GoodSpread { mean, sd };
        let layout = BankLayout::PerBlock {
            rows: vec![1, 2],
            spreads: vec![spread(20.0, 1.5), spread(30.0, 4.0)],
        };
        let m = Manifest {
            bank_layout: layout.clone(),
            ..manifest()
        };
        Bundle::save(&dir, m.clone(), &MemoryBank::new(vec![0.5; 3 * DIMS], DIMS), None).unwrap();
        assert_eq!(Bundle::load(&dir, BACKBONE).unwrap().manifest.bank_layout, layout);
        // Rows that do not add up to the bank's are refused by name.
        Bundle::save(&dir, m, &MemoryBank::new(vec![0.5; 2 * DIMS], DIMS), None).unwrap();
        let err = Bundle::load(&dir, BACKBONE).unwrap_err();
        assert!(err.to_string().contains("per-block"), "{err}");
    }

    #[test]
    fn a_manifest_without_a_bank_layout_has_one_joint_bank() {
        let mut json = serde_json::to_value(manifest()).unwrap();
        json.as_object_mut().unwrap().remove("bank_layout");
        let m: Manifest = serde_json::from_value(json).unwrap();
        assert_eq!(m.bank_layout, BankLayout::Joint);
    }

    #[test]
    fn an_alignment_reference_round_trips_and_a_broken_one_is_refused() {
        use crate::align::{AlignCheck, Aligner, Plane};
        let (_tmp, dir) = saved();
        let b = Bundle::load(&dir, BACKBONE).unwrap();
        assert_eq!(
            b.manifest.align, None,
            "a bundle taught without alignment has none"
        );
        let side = crate::align::MIN_SIDE;
        let values = (0..side * side).map(|i| (i % 251) as f32).collect();
        let aligner = Aligner::new(Plane { side, values }, 0.1).unwrap();
        let check = AlignCheck {
            shift_sd: 1.0,
            angle_sd_deg: 0.5,
            ncc_aligned: 0.95,
            ncc_unaligned: 0.7,
        };
        let m = Manifest {
            align: Some(AlignSpec::new(&aligner, check)),
            ..manifest()
        };
        let values: Vec<f32> = (0..3 * DIMS).map(|v| v as f32).collect();
        Bundle::save(&dir, m.clone(), &MemoryBank::new(values, DIMS), None).unwrap();
        let b = Bundle::load(&dir, BACKBONE).unwrap();
        assert_eq!(b.manifest.align, m.align);
        let path = dir.join(MANIFEST);
        let original: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        for (pointer, value) in [
            ("/align/reference", serde_json::json!("0g")),
            ("/align/side", serde_json::json!(64)),
            ("/align/max_shift", serde_json::json!(2.0)),
        ] {
            let mut m = original.clone();
            *m.pointer_mut(pointer).unwrap() = value;
            fs::write(&path, m.to_string()).unwrap();
            let err = Bundle::load(&dir, BACKBONE).unwrap_err();
            assert!(matches!(err, BundleError::Manifest { .. }), "{pointer}: {err}");
        }
    }

    #[test]
    fn malformed_weights_behind_a_valid_checksum_are_named() {
        let (_tmp, dir) = saved();
        let good = fs::read(dir.join(MEMORY_BANK)).unwrap();
        replace_weights(&dir, &good[..good.len() - 4]);
        let err = Bundle::load(&dir, BACKBONE).unwrap_err();
        assert!(matches!(err, BundleError::Weights { .. }), "{err}");
        let mut nan = good.clone();
        nan[24..28].copy_from_slice(&f32::NAN.to_le_bytes());
        replace_weights(&dir, &nan);
        assert!(
            Bundle::load(&dir, BACKBONE)
                .unwrap_err()
                .to_string()
                .contains("not finite")
        );
        replace_weights(&dir, b"garbage");
        assert!(
            Bundle::load(&dir, BACKBONE)
                .unwrap_err()
                .to_string()
                .contains("not a memory bank")
        );
    }

    #[test]
    fn numbers_that_cannot_run_are_refused() {
        let (_tmp, dir) = saved();
        let path = dir.join(MANIFEST);
        let original: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let broken = [
            ("/blocks", serde_json::json!([10, 4])),
            ("/blocks", serde_json::json!([4, 99])),
            ("/blocks", serde_json::json!([4])),
            ("/input/std", serde_json::json!(0.0)),
            ("/input/size", serde_json::json!(0)),
            (
                "/scoring",
                serde_json::json!({"kind": "reweighted", "neighbours": 1}),
            ),
            ("/scoring", serde_json::json!({"kind": "top_mean", "patches": 0})),
        ];
        for (pointer, value) in broken {
            let mut m = original.clone();
            *m.pointer_mut(pointer).unwrap() = value;
            fs::write(&path, m.to_string()).unwrap();
            let err = Bundle::load(&dir, BACKBONE).unwrap_err();
            assert!(matches!(err, BundleError::Manifest { .. }), "{pointer}: {err}");
        }
    }

    #[test]
    fn saving_never_replaces_a_folder_that_is_not_a_bundle() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        fs::create_dir_all(&data).unwrap();
        fs::write(data.join("000.png"), b"precious").unwrap();
        let bank = MemoryBank::new(vec![0.0; DIMS], DIMS);
        let err = Bundle::save(&data, manifest(), &bank, None).unwrap_err();
        assert!(matches!(err, BundleError::NotABundle { .. }));
        assert_eq!(fs::read(data.join("000.png")).unwrap(), b"precious");
    }

    #[test]
    fn truncated_weights_are_named() {
        let (_tmp, dir) = saved();
        let path = dir.join(MEMORY_BANK);
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
        let err = Bundle::load(&dir, BACKBONE).unwrap_err();
        assert!(matches!(err, BundleError::Checksum { .. }), "{err}");
        assert!(err.to_string().contains("memory_bank.bin"));
    }

    #[test]
    fn corrupt_manifest_and_foreign_backbone_are_refused() {
        let (_tmp, dir) = saved();
        assert!(matches!(
            Bundle::load(&dir, "other-backbone"),
            Err(BundleError::Foreign { what: "backbone", .. })
        ));
        let manifest_path = dir.join(MANIFEST);
        let text = fs::read_to_string(&manifest_path).unwrap();
        fs::write(&manifest_path, &text[..text.len() / 2]).unwrap();
        assert!(matches!(
            Bundle::load(&dir, BACKBONE),
            Err(BundleError::Manifest { .. })
        ));
        fs::write(
            &manifest_path,
            text.replace("\"format_version\": 1", "\"format_version\": 9"),
        )
        .unwrap();
        assert!(matches!(
            Bundle::load(&dir, BACKBONE),
            Err(BundleError::Format { found: 9, .. })
        ));
    }

    #[test]
    fn a_weights_path_outside_the_bundle_is_refused() {
        let (_tmp, dir) = saved();
        let manifest_path = dir.join(MANIFEST);
        let text = fs::read_to_string(&manifest_path).unwrap();
        fs::write(
            &manifest_path,
            text.replace("\"memory_bank.bin\"", "\"../../etc/passwd\""),
        )
        .unwrap();
        let err = Bundle::load(&dir, BACKBONE).unwrap_err();
        assert!(err.to_string().contains("not a plain file name"), "{err}");
    }

    #[test]
    fn a_missing_bundle_is_an_io_error_naming_the_path() {
        let err = Bundle::load(Path::new("/nonexistent/bundle"), BACKBONE).unwrap_err();
        assert!(matches!(err, BundleError::Io { .. }));
        assert!(err.to_string().contains("/nonexistent/bundle/manifest.json"));
    }
}
