//! Synthetic inspection data sets for Linesight's anomaly detection.
//!
//! Generates images of parts and textures in the folder layout of the MVTec
//! AD data set, so that a model can be trained on good images only and tested
//! on good and defective ones:
//!
//! ```text
//! OUT/<category>/train/good/000.png ...
//! OUT/<category>/test/good/000.png ...
//! OUT/<category>/test/<defect>/000.png ...
//! OUT/<category>/ground_truth/<defect>/000_mask.png   (255 = defect pixel)
//! OUT/<category>/datagen.json                         (spec, counts, severity of each test image)
//! ```
//!
//! Everything is a pure function of a `u64` seed: the same seed gives
//! byte-identical PNGs (with this crate's version on one platform; float
//! functions such as `sin` come from the platform's math library).
//!
//! * [`generate`] writes a whole set for one [`SetSpec`].
//! * [`render_good`] and [`render_defect`] render single frames, e.g. for a
//!   simulated conveyor camera.
//!
//! Categories: three rendered parts on a varying background (`washer`,
//! `bolt`, `label`) and three textures cropped from CC0 photos shipped with
//! scikit-image (`brick`, `gravel`, `grass`, see `assets/README.md`). Each
//! has four (parts) or five (textures) [`Defect`] types
//! ([`Category::defects`]) at severities 1..=3. On the parts severity 1 is
//! meant to be subtle (a few pixels, moderate contrast); on the textures
//! defects are sized by the texture's grain, as in MVTec AD's texture
//! classes: severity 1 is about one to two stones/bricks/leaves across, the
//! smallest a careful inspector sees, severity 3 is obvious.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use image::{GrayImage, RgbImage};
use serde::{Deserialize, Serialize};

mod bolt;
mod common;
pub mod conveyor;
mod label;
mod raster;
mod rng;
mod surface;
mod texture;
mod texture_defects;
pub mod video;
mod washer;
mod writer;

pub use writer::generate;

/// Smallest supported image side in pixels.
pub const MIN_SIZE: u32 = 64;
/// Largest supported image side in pixels.
pub const MAX_SIZE: u32 = 2048;
/// Severities run from 1 (subtle) to this value (obvious).
pub const MAX_SEVERITY: u8 = 3;

/// What a data set shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// A flat steel washer (ring with a hole) on a dark conveyor belt, from above.
    Washer,
    /// A hex bolt seen from the side on a light plate: head, shank, thread.
    Bolt,
    /// A printed label (header, text, 2D code, barcode) on a cardboard box.
    Label,
    /// Brick wall texture (photo).
    Brick,
    /// Gravel texture (photo).
    Gravel,
    /// Grass texture (photo).
    Grass,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Washer,
        Category::Bolt,
        Category::Label,
        Category::Brick,
        Category::Gravel,
        Category::Grass,
    ];

    /// Lowercase name, also the folder name.
    pub fn name(self) -> &'static str {
        match self {
            Category::Washer => "washer",
            Category::Bolt => "bolt",
            Category::Label => "label",
            Category::Brick => "brick",
            Category::Gravel => "gravel",
            Category::Grass => "grass",
        }
    }

    /// Whether this is a texture (photo crop) rather than a rendered part.
    pub fn is_texture(self) -> bool {
        matches!(self, Category::Brick | Category::Gravel | Category::Grass)
    }

    /// The defect types this category is generated with, in folder order.
    pub fn defects(self) -> &'static [Defect] {
        use Defect::*;
        match self {
            Category::Washer | Category::Bolt => &[Scratch, Crack, Stain, Missing],
            Category::Label => &[Scratch, Stain, Missing, Print],
            Category::Brick | Category::Gravel | Category::Grass => {
                &[Scratch, Crack, Stain, Hole, Contamination]
            }
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Category {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Category::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::UnknownCategory(s.to_string()))
    }
}

/// A kind of defect; its lowercase name is the folder name under `test/` and `ground_truth/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Defect {
    /// Thin bright or dark curved line(s).
    Scratch,
    /// Branching dark polyline.
    Crack,
    /// Blob of a different colour: rust, oil, residue, coffee, grease.
    Stain,
    /// A feature is absent: chip off a washer edge or unpunched hole, bolt head
    /// corner broken off or thread crests flattened, label barcode bar or print block missing.
    Missing,
    /// Label print error: smudged, shifted or blurred print.
    Print,
    /// Texture: material missing, a punched hole or a cut.
    Hole,
    /// Texture: foreign matter replacing the texture where it lies: glue or
    /// resin, a metal chip, a thread, a piece of another material.
    Contamination,
}

impl Defect {
    /// Every defect type. New types go at the end: the position seeds the defect's random stream.
    pub const ALL: [Defect; 7] = [
        Defect::Scratch,
        Defect::Crack,
        Defect::Stain,
        Defect::Missing,
        Defect::Print,
        Defect::Hole,
        Defect::Contamination,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Defect::Scratch => "scratch",
            Defect::Crack => "crack",
            Defect::Stain => "stain",
            Defect::Missing => "missing",
            Defect::Print => "print",
            Defect::Hole => "hole",
            Defect::Contamination => "contamination",
        }
    }

    fn tag(self) -> u64 {
        Defect::ALL.iter().position(|d| *d == self).unwrap_or(0) as u64 + 1
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Defect {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Defect::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::UnknownDefect(s.to_string()))
    }
}

/// What [`generate`] writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetSpec {
    pub category: Category,
    /// Images in `train/good`.
    pub train_good: usize,
    /// Images in `test/good`.
    pub test_good: usize,
    /// Images (and masks) per defect type in `test/<defect>`; severities cycle 1, 2, 3.
    pub test_defect_per_type: usize,
    /// Image side in pixels ([`MIN_SIZE`]..=[`MAX_SIZE`]); images are square.
    pub size: u32,
    pub seed: u64,
}

impl SetSpec {
    /// A spec with MVTec-like counts at 256×256.
    pub fn new(category: Category, seed: u64) -> Self {
        SetSpec {
            category,
            train_good: 200,
            test_good: 40,
            test_defect_per_type: 15,
            size: 256,
            seed,
        }
    }
}

/// Number of images in one folder of a written set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderCount {
    /// Relative to the category folder, e.g. `"test/scratch"` or `"ground_truth/scratch"`.
    pub folder: String,
    pub count: usize,
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub category: Category,
    /// `<out_dir>/<category>`.
    pub root: PathBuf,
    pub size: u32,
    pub seed: u64,
    /// Defect types, in the order of their folders.
    pub defect_types: Vec<Defect>,
    /// Every folder with its file count (train, test and ground-truth folders).
    pub folders: Vec<FolderCount>,
}

impl Summary {
    /// The count for a folder such as `"train/good"`.
    pub fn count(&self, folder: &str) -> Option<usize> {
        self.folders.iter().find(|f| f.folder == folder).map(|f| f.count)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown category `{0}` (expected washer, bolt, label, brick, gravel or grass)")]
    UnknownCategory(String),
    #[error("unknown defect `{0}` (expected scratch, crack, stain, missing, print, hole or contamination)")]
    UnknownDefect(String),
    #[error("defect `{defect}` is not generated for category `{category}`")]
    UnsupportedDefect { category: Category, defect: Defect },
    #[error("severity {0} is out of range 1..=3")]
    Severity(u8),
    #[error("invalid set spec: {0}")]
    InvalidSpec(String),
    #[error("I/O error at {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot encode {path}: {source}")]
    Image {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

fn check_size(size: u32) -> Result<(), Error> {
    if (MIN_SIZE..=MAX_SIZE).contains(&size) {
        Ok(())
    } else {
        Err(Error::InvalidSpec(format!(
            "size {size} is outside {MIN_SIZE}..={MAX_SIZE}"
        )))
    }
}

/// Requested defect for the category renderers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DefectReq {
    pub defect: Defect,
    pub severity: u8,
    /// Seed of the defect's own random stream.
    pub seed: u64,
}

/// Stream tags; the defect stream depends on the defect type and severity so
/// that one seed yields differently placed defects per type.
pub(crate) const TAG_GEOMETRY: u64 = 0x6E0;
pub(crate) const TAG_CAMERA: u64 = 0xCA3;

fn render_raw(
    category: Category,
    seed: u64,
    size: u32,
    req: Option<DefectReq>,
) -> (raster::Canvas, raster::Field) {
    let size = size as usize;
    match category {
        Category::Washer => washer::render(seed, size, req),
        Category::Bolt => bolt::render(seed, size, req),
        Category::Label => label::render(seed, size, req),
        Category::Brick | Category::Gravel | Category::Grass => texture::render(category, seed, size, req),
    }
}

/// Renders one good (defect-free) image of `category`, `size`×`size` pixels.
///
/// Different seeds give different, plausible variations (pose, lighting,
/// background, noise); the same seed gives the same pixels.
///
/// # Panics
/// If `size` is outside [`MIN_SIZE`]..=[`MAX_SIZE`].
pub fn render_good(category: Category, seed: u64, size: u32) -> RgbImage {
    if let Err(e) = check_size(size) {
        panic!("{e}");
    }
    render_raw(category, seed, size, None).0.to_rgb()
}

/// Renders a defective image and its ground-truth mask (255 = defect).
///
/// The image is the good image of the same `seed` ([`render_good`]) with the
/// defect added: same pose, lighting and sensor noise. `severity` is 1..=3.
pub fn render_defect(
    category: Category,
    defect: Defect,
    severity: u8,
    seed: u64,
    size: u32,
) -> Result<(RgbImage, GrayImage), Error> {
    check_size(size)?;
    if !category.defects().contains(&defect) {
        return Err(Error::UnsupportedDefect { category, defect });
    }
    if !(1..=MAX_SEVERITY).contains(&severity) {
        return Err(Error::Severity(severity));
    }
    let dseed = rng::mix(rng::mix(seed, 0xDEF0 + defect.tag()), severity as u64);
    let req = DefectReq {
        defect,
        severity,
        seed: dseed,
    };
    let (canvas, mask) = render_raw(category, seed, size, Some(req));
    Ok((canvas.to_rgb(), mask.to_mask()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(c.to_string().parse::<Category>().unwrap(), c);
            assert_eq!(c.to_string(), c.to_string().to_lowercase());
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{c}\""));
            for d in c.defects() {
                assert_eq!(d.to_string().parse::<Defect>().unwrap(), *d);
            }
        }
        assert_eq!("Washer".parse::<Category>().unwrap(), Category::Washer);
        assert!("screw".parse::<Category>().is_err());
        assert!("dent".parse::<Defect>().is_err());
    }

    #[test]
    fn rejects_bad_requests() {
        assert!(matches!(
            render_defect(Category::Washer, Defect::Print, 1, 0, 64),
            Err(Error::UnsupportedDefect { .. })
        ));
        assert!(matches!(
            render_defect(Category::Washer, Defect::Scratch, 0, 0, 64),
            Err(Error::Severity(0))
        ));
        assert!(matches!(
            render_defect(Category::Washer, Defect::Scratch, 4, 0, 64),
            Err(Error::Severity(4))
        ));
        assert!(matches!(
            render_defect(Category::Washer, Defect::Scratch, 1, 0, 8),
            Err(Error::InvalidSpec(_))
        ));
    }

    /// Mean absolute difference (0..255) over the pixels where `sel` is true.
    fn mean_diff(a: &RgbImage, b: &RgbImage, sel: impl Fn(usize) -> bool) -> (f64, usize) {
        let (mut sum, mut n) = (0.0, 0);
        for (i, (pa, pb)) in a.pixels().zip(b.pixels()).enumerate() {
            if sel(i) {
                let d = (0..3)
                    .map(|c| (pa[c] as f64 - pb[c] as f64).abs())
                    .fold(0.0, f64::max);
                sum += d;
                n += 1;
            }
        }
        (if n == 0 { 0.0 } else { sum / n as f64 }, n)
    }

    #[test]
    fn good_images_vary_and_repeat() {
        for c in Category::ALL {
            let a = render_good(c, 1, 96);
            let b = render_good(c, 2, 96);
            assert_eq!(a.dimensions(), (96, 96));
            assert_eq!(
                a,
                render_good(c, 1, 96),
                "{c}: same seed must give the same pixels"
            );
            let (d, _) = mean_diff(&a, &b, |_| true);
            assert!(d > 2.0, "{c}: good images barely differ ({d:.2})");
        }
    }

    /// Every defect at every severity: a plausible, non-empty mask, and the
    /// image differs from the good image of the same seed inside it (and
    /// essentially nowhere else).
    #[test]
    fn defects_show_inside_their_masks() {
        let size = 128u32;
        let total = (size * size) as f64;
        for c in Category::ALL {
            for (k, &d) in c.defects().iter().enumerate() {
                for sev in 1..=MAX_SEVERITY {
                    let seed = 40 + 7 * k as u64 + sev as u64;
                    let good = render_good(c, seed, size);
                    let (img, mask) = render_defect(c, d, sev, seed, size).unwrap();
                    assert_eq!(mask.dimensions(), img.dimensions());
                    assert!(mask.pixels().all(|p| p[0] == 0 || p[0] == 255));
                    let m: Vec<bool> = mask.pixels().map(|p| p[0] > 0).collect();
                    let (inside, n) = mean_diff(&good, &img, |i| m[i]);
                    let area = n as f64 / total;
                    let peak = good
                        .pixels()
                        .zip(img.pixels())
                        .zip(&m)
                        .filter(|(_, inm)| **inm)
                        .map(|((a, b), _)| (0..3).map(|ch| a[ch].abs_diff(b[ch])).max().unwrap_or(0))
                        .max()
                        .unwrap_or(0);
                    let (outside, _) = mean_diff(&good, &img, |i| !m[i]);
                    let what = format!(
                        "{c}/{d} sev {sev}: area {:.3}%, inside {inside:.1} (peak {peak}), outside {outside:.3}",
                        area * 100.0
                    );
                    assert!((0.0001..=0.2).contains(&area), "{what}");
                    assert!(inside >= 3.0 && peak >= 10, "{what}");
                    assert!(outside < 0.5, "{what}");
                }
            }
        }
    }

    #[test]
    fn severity_scales_the_defect() {
        // Mask area summed over a few seeds grows with severity.
        for (c, d) in [
            (Category::Washer, Defect::Scratch),
            (Category::Gravel, Defect::Stain),
        ] {
            let area: Vec<usize> = (1..=MAX_SEVERITY)
                .map(|sev| {
                    (0..3u64)
                        .map(|s| {
                            render_defect(c, d, sev, s, 96)
                                .unwrap()
                                .1
                                .pixels()
                                .filter(|p| p[0] > 0)
                                .count()
                        })
                        .sum()
                })
                .collect();
            assert!(area[0] < area[1] && area[1] < area[2], "{c}/{d}: {area:?}");
        }
    }
}
