//! PatchCore-style anomaly detection, taught from good images only.
//!
//! Each image becomes a grid of patch embeddings: intermediate backbone
//! features at two scales, each averaged over its 3 × 3 neighbourhood, the
//! coarser one upsampled to the finer grid, concatenated. Training keeps a
//! greedy coreset of the good patches as a memory bank; at inspection every
//! patch scores its distance to the nearest bank entry. The grid of distances
//! is the anomaly map; [`ImageScoring`] turns it into the image score.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    coreset::greedy_k_center,
    cpu_kernels::{Activation, Isa, Pointwise},
    cpu_net::{CpuNet, FeatureMap, matmul},
    padim::PositionalGaussians,
};

/// Blocks whose outputs form the patch embedding: the ends of stage 3
/// (40 channels, stride 8) and stage 5 (112 channels, stride 16).
pub const DEFAULT_BLOCKS: [usize; 2] = [4, 10];

/// Input pixels per patch: the grid of stage 3 (28 × 28 at 224 × 224).
pub const PATCH_STRIDE: usize = 8;

/// How the 3 × 3 neighbourhood mean of the features treats the map's edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgePooling {
    /// The mean over the neighbours inside the map: what models trained
    /// before 2026-12-01 used, whose manifests name no pooling.
    #[default]
    Inside,
    /// Zero-padded, always divided by nine (PatchCore's `AvgPool2d(3, 1, 1)`):
    /// edge patches shrink towards zero, and with them the distances the
    /// backbone's own padding causes at the image border, which otherwise
    /// decide many good images' scores (generated gravel: image AUROC 0.82 →
    /// 0.98, BENCHMARKS.md). What new models use.
    ZeroPadded,
}

/// Patch embeddings of one image: a map on the stride-8 grid whose channels
/// are each block's features averaged over their 3 × 3 neighbourhood, then
/// resized to the grid (finer blocks averaged down, coarser ones upsampled).
pub fn patch_embeddings(
    net: &CpuNet,
    input: &FeatureMap,
    blocks: &[usize],
    pooling: EdgePooling,
) -> FeatureMap {
    concat_channels(&block_embeddings(net, input, blocks, pooling))
}

/// Each block's part of [`patch_embeddings`], on the stride-8 grid, before concatenation.
pub fn block_embeddings(
    net: &CpuNet,
    input: &FeatureMap,
    blocks: &[usize],
    pooling: EdgePooling,
) -> Vec<FeatureMap> {
    let features = net.block_features(input, blocks);
    let (h, w) = (
        input.height.div_ceil(PATCH_STRIDE),
        input.width.div_ceil(PATCH_STRIDE),
    );
    features
        .iter()
        .map(|f| {
            let pooled = avg_pool_3x3(f, pooling);
            if (pooled.height, pooled.width) == (h, w) {
                pooled
            } else {
                resize_bilinear(&pooled, h, w)
            }
        })
        .collect()
}

/// 3 × 3 mean, stride 1, its edges as `pooling` says.
fn avg_pool_3x3(f: &FeatureMap, pooling: EdgePooling) -> FeatureMap {
    let c = f.channels;
    let mut out = FeatureMap::zeros(f.height, f.width, c);
    for y in 0..f.height {
        for x in 0..f.width {
            let acc = &mut out.data[(y * f.width + x) * c..][..c];
            let ys = y.saturating_sub(1)..(y + 2).min(f.height);
            let xs = x.saturating_sub(1)..(x + 2).min(f.width);
            let count = match pooling {
                EdgePooling::Inside => (ys.len() * xs.len()) as f32,
                EdgePooling::ZeroPadded => 9.0,
            };
            for iy in ys {
                for ix in xs.clone() {
                    let px = &f.data[(iy * f.width + ix) * c..][..c];
                    acc.iter_mut().zip(px).for_each(|(a, p)| *a += p);
                }
            }
            acc.iter_mut().for_each(|a| *a /= count);
        }
    }
    out
}

/// Bilinear resize with half-pixel centres (`align_corners = false`).
fn resize_bilinear(f: &FeatureMap, height: usize, width: usize) -> FeatureMap {
    let c = f.channels;
    let source = |i: usize, from: usize, to: usize| {
        let s = ((i as f32 + 0.5) * from as f32 / to as f32 - 0.5).max(0.0);
        let i0 = (s as usize).min(from - 1);
        (i0, (i0 + 1).min(from - 1), s - i0 as f32)
    };
    let mut out = FeatureMap::zeros(height, width, c);
    for y in 0..height {
        let (y0, y1, fy) = source(y, f.height, height);
        for x in 0..width {
            let (x0, x1, fx) = source(x, f.width, width);
            let px = |yy: usize, xx: usize| &f.data[(yy * f.width + xx) * c..][..c];
            let weights = [
                ((1.0 - fy) * (1.0 - fx), px(y0, x0)),
                ((1.0 - fy) * fx, px(y0, x1)),
                (fy * (1.0 - fx), px(y1, x0)),
                (fy * fx, px(y1, x1)),
            ];
            let acc = &mut out.data[(y * width + x) * c..][..c];
            for (wt, p) in weights {
                acc.iter_mut().zip(p).for_each(|(a, v)| *a += wt * v);
            }
        }
    }
    out
}

pub fn concat_channels(parts: &[FeatureMap]) -> FeatureMap {
    let channels = parts.iter().map(|p| p.channels).sum();
    let mut out = FeatureMap::zeros(parts[0].height, parts[0].width, channels);
    for (i, px) in out.data.chunks_exact_mut(channels).enumerate() {
        let mut at = 0;
        for p in parts {
            px[at..at + p.channels].copy_from_slice(&p.data[i * p.channels..][..p.channels]);
            at += p.channels;
        }
    }
    out
}

/// The memory bank of good patches and the nearest-neighbour scorer over it.
#[derive(Debug, Clone)]
pub struct MemoryBank {
    /// `[entries, dims]`, row-major.
    values: Vec<f32>,
    dims: usize,
    search: Search,
}

/// Query rows per task of the distance product (a 64 × 4096 scratch is 1 MB).
const QUERY_TILE: usize = 64;

thread_local! {
    /// A task's `[QUERY_TILE, entries]` products, reused: every value is written before it is read.
    static PRODUCTS: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `|b|² − 2 q·b` of query rows `q` against every entry `b` (the squared
/// distance less the query's own `|q|²`), by the kernel fastest on this CPU.
#[derive(Debug, Clone)]
enum Search {
    /// The 1 × 1 convolution kernel, the entries its output channels
    /// (weights −2 b, biases |b|²): with AVX-512, 2.5 × faster than gemm on
    /// a 4 096 × 152 bank (BENCHMARKS.md).
    Packed(Pointwise),
    /// gemm, at most AVX2 wide, whose packing beats the AVX2 1 × 1 kernel on
    /// these shapes (10 against 14 ms on one thread for that bank): rows of
    /// |b|² plus the queries times the entries as `[dims, entries]` × −2.
    Gemm {
        neg2_transposed: Vec<f32>,
        squared: Vec<f32>,
    },
}

impl Search {
    fn new(values: &[f32], dims: usize, isa: Isa) -> Self {
        let entries = values.len() / dims;
        let mut neg2_transposed = vec![0.0; values.len()];
        for (e, row) in values.chunks_exact(dims).enumerate() {
            for (d, v) in row.iter().enumerate() {
                neg2_transposed[d * entries + e] = -2.0 * v;
            }
        }
        let squared: Vec<f32> = values
            .chunks_exact(dims)
            .map(|r| r.iter().map(|v| v * v).sum())
            .collect();
        if isa == Isa::Avx512 && entries > 0 {
            Self::Packed(Pointwise::new(dims, entries, &neg2_transposed, &squared))
        } else {
            Self::Gemm {
                neg2_transposed,
                squared,
            }
        }
    }

    /// `out` (`[queries, entries]`) for the `dims`-wide rows of `queries`.
    fn products(&self, queries: &[f32], dims: usize, out: &mut [f32]) {
        match self {
            Self::Packed(kernel) => kernel.run(queries, out, Activation::None, None),
            Self::Gemm {
                neg2_transposed,
                squared,
            } => {
                let m = squared.len();
                for row in out.chunks_exact_mut(m) {
                    row.copy_from_slice(squared);
                }
                matmul(out.len() / m, m, dims, out, true, queries, neg2_transposed);
            }
        }
    }
}

/// The least value of `row` (not NaN), in sixteen lanes so that it vectorises.
fn least(row: &[f32]) -> f32 {
    let lesser = |a: f32, b: f32| if b < a { b } else { a };
    let mut lanes = [f32::INFINITY; 16];
    let mut chunks = row.chunks_exact(16);
    for chunk in &mut chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = lesser(*lane, v);
        }
    }
    chunks
        .remainder()
        .iter()
        .chain(&lanes)
        .fold(f32::INFINITY, |a, &b| lesser(a, b))
}

impl MemoryBank {
    /// Keeps at most `cap` of the `patches` rows (`dims` wide) by greedy coreset.
    pub fn from_patches(patches: Vec<f32>, dims: usize, cap: usize) -> Self {
        if patches.len() / dims <= cap {
            return Self::new(patches, dims);
        }
        let picked = greedy_k_center(&patches, dims, cap);
        let kept = picked
            .iter()
            .flat_map(|&i| patches[i * dims..(i + 1) * dims].iter().copied())
            .collect();
        Self::new(kept, dims)
    }

    pub fn new(values: Vec<f32>, dims: usize) -> Self {
        Self::with_search(values, dims, Isa::best())
    }

    fn with_search(values: Vec<f32>, dims: usize, isa: Isa) -> Self {
        Self {
            search: Search::new(&values, dims, isa),
            values,
            dims,
        }
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.dims
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The entries, `[len, dims]` row-major.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.dims..][..self.dims]
    }

    /// PatchCore's eq. 7 factor for `query`: 1 − softmax, taken at its
    /// nearest entry m*, of its distances to m* and m*'s nearest entries
    /// (`neighbours` in all, m* included). Within [1 − 1/neighbours, 1): near 1
    /// when m* stands alone, lowest when m* sits in a dense crowd.
    pub fn rarity_weight(&self, query: &[f32], neighbours: usize) -> f32 {
        let dist = |a: &[f32], b: &[f32]| -> f32 {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y) * (x - y))
                .sum::<f32>()
                .sqrt()
        };
        let nearest = (0..self.len())
            .min_by(|&a, &b| dist(query, self.row(a)).total_cmp(&dist(query, self.row(b))))
            .expect("a bank has entries");
        let centre = self.row(nearest);
        let mut crowd: Vec<(f32, usize)> = (0..self.len()).map(|i| (dist(centre, self.row(i)), i)).collect();
        let b = neighbours.clamp(1, crowd.len());
        crowd.select_nth_unstable_by(b - 1, |x, y| x.0.total_cmp(&y.0));
        let d_star = dist(query, centre);
        // exp(d*) / Σ exp(d) = 1 / Σ exp(d − d*); every d ≥ d*, so nothing overflows to NaN.
        let sum: f32 = crowd[..b]
            .iter()
            .map(|&(_, i)| (dist(query, self.row(i)) - d_star).exp())
            .sum();
        1.0 - 1.0 / sum.max(1.0)
    }

    /// Distance from each query row (`dims` wide) to its nearest bank entry.
    pub fn nearest_distance(&self, queries: &[f32]) -> Vec<f32> {
        let (m, d) = (self.len(), self.dims);
        let mut out = vec![f32::INFINITY; queries.len() / d];
        if m == 0 {
            return out;
        }
        out.par_chunks_mut(QUERY_TILE)
            .zip(queries.par_chunks(QUERY_TILE * d))
            .for_each(|(nearest, tile)| {
                PRODUCTS.with_borrow_mut(|products| {
                    // |q − b|² = |q|² − 2 q·b + |b|²: one matrix product instead of n × m loops.
                    if products.len() < nearest.len() * m {
                        products.resize(nearest.len() * m, 0.0);
                    }
                    let products = &mut products[..nearest.len() * m];
                    self.search.products(tile, d, products);
                    for ((best, row), q) in nearest
                        .iter_mut()
                        .zip(products.chunks_exact(m))
                        .zip(tile.chunks_exact(d))
                    {
                        let q_sq: f32 = q.iter().map(|v| v * v).sum();
                        // A NaN feature stays NaN (f32::max would make it 0, a pass): the part is rejected.
                        let squared = q_sq + least(row);
                        *best = if squared.is_nan() {
                            f32::NAN
                        } else {
                            squared.max(0.0).sqrt()
                        };
                    }
                });
            });
        out
    }
}

/// How the memory bank is laid out over the embedding's blocks. Bundles that
/// name none have one joint bank, as they always did.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BankLayout {
    /// One bank of whole embeddings: a patch scores its distance to the nearest entry.
    #[default]
    Joint,
    /// One bank per block, stored one after another in the bank file (`rows`
    /// entries each, zero outside the block's own channels). Each block's
    /// distance is measured against its worst-patch spread on held-out good
    /// images (`spreads`), and a patch scores its most unusual block, in the
    /// first block's units. A deep block's wide normal variation then no
    /// longer drowns a small defect that only a fine block sees, nor the
    /// other way round.
    PerBlock {
        rows: Vec<usize>,
        spreads: Vec<GoodSpread>,
    },
}

/// One bank over some of the embedding's channels.
#[derive(Debug, Clone)]
struct Part {
    channels: std::ops::Range<usize>,
    bank: MemoryBank,
    spread: GoodSpread,
}

/// The memory bank(s) of a model and how a patch's distances to them become its score.
#[derive(Debug, Clone)]
pub struct Detector {
    /// `false`: one joint bank (the only part, over every channel).
    per_block: bool,
    parts: Vec<Part>,
    dims: usize,
    /// PaDiM: one Gaussian per grid position instead of any bank (`parts` empty).
    positional: Option<PositionalGaussians>,
}

/// Columns `range` of `rows` (`dims` wide).
fn columns(rows: &[f32], dims: usize, range: &std::ops::Range<usize>) -> Vec<f32> {
    rows.chunks_exact(dims)
        .flat_map(|r| r[range.clone()].iter().copied())
        .collect()
}

/// Channel ranges of consecutive blocks `widths` wide.
fn ranges(widths: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut at = 0;
    widths
        .iter()
        .map(|w| {
            at += w;
            at - w..at
        })
        .collect()
}

impl Detector {
    /// One joint bank.
    pub fn joint(bank: MemoryBank) -> Self {
        let dims = bank.dims();
        Self {
            per_block: false,
            parts: vec![Part {
                channels: 0..dims,
                bank,
                spread: GoodSpread { mean: 0.0, sd: 1.0 },
            }],
            dims,
            positional: None,
        }
    }

    /// Positional Gaussians over `dims`-wide embeddings ([`crate::padim`]).
    pub fn positional(gaussians: PositionalGaussians, dims: usize) -> Self {
        Self {
            per_block: false,
            parts: Vec::new(),
            dims,
            positional: Some(gaussians),
        }
    }

    /// The positional model, when this detector is one.
    pub fn positional_model(&self) -> Option<&PositionalGaussians> {
        self.positional.as_ref()
    }

    /// One bank per block of `widths` channels, each a coreset of at most `cap`
    /// of the `patches` rows; spreads still unit until [`Detector::fitted`].
    pub fn per_block(patches: &[f32], widths: &[usize], cap: usize) -> Self {
        let dims = widths.iter().sum();
        let parts = ranges(widths)
            .into_iter()
            .map(|channels| Part {
                bank: MemoryBank::from_patches(columns(patches, dims, &channels), channels.len(), cap),
                channels,
                spread: GoodSpread { mean: 0.0, sd: 1.0 },
            })
            .collect();
        Self {
            per_block: true,
            parts,
            dims,
            positional: None,
        }
    }

    /// The same banks with each block's spread taken from held-out good
    /// `embeddings` (a joint bank has none to fit).
    pub fn fitted(mut self, embeddings: &[FeatureMap]) -> Self {
        if self.per_block {
            for part in &mut self.parts {
                let worst: Vec<f32> = embeddings
                    .iter()
                    .map(|e| {
                        let q = columns(&e.data, e.channels, &part.channels);
                        AnomalyGrid::score_of(&part.bank.nearest_distance(&q))
                    })
                    .collect();
                part.spread = GoodSpread::of(&worst);
            }
        }
        self
    }

    /// Rebuilds a detector from a stored bank (`[rows, dims]`) and its layout;
    /// `widths` are the blocks' channel counts. The values back when they do not fit.
    pub fn from_stored(
        values: Vec<f32>,
        dims: usize,
        layout: &BankLayout,
        widths: &[usize],
    ) -> Result<Self, Vec<f32>> {
        match layout {
            BankLayout::Joint => Ok(Self::joint(MemoryBank::new(values, dims))),
            BankLayout::PerBlock { rows, spreads } => {
                let fits = rows.len() == widths.len()
                    && spreads.len() == widths.len()
                    && widths.iter().sum::<usize>() == dims
                    && rows.iter().all(|&r| r > 0)
                    && rows.iter().sum::<usize>() * dims == values.len()
                    && spreads
                        .iter()
                        .all(|s| s.mean.is_finite() && s.sd.is_finite() && s.sd > 0.0);
                if !fits {
                    return Err(values);
                }
                let mut start = 0;
                let parts = ranges(widths)
                    .into_iter()
                    .zip(rows)
                    .zip(spreads)
                    .map(|((channels, &n), &spread)| {
                        let own = &values[start * dims..(start + n) * dims];
                        start += n;
                        Part {
                            bank: MemoryBank::new(columns(own, dims, &channels), channels.len()),
                            channels,
                            spread,
                        }
                    })
                    .collect();
                Ok(Self {
                    per_block: true,
                    parts,
                    dims,
                    positional: None,
                })
            }
        }
    }

    /// What the bundle stores: every bank in one `[rows, dims]` matrix, and the layout.
    /// A positional model is stored as one row per grid position
    /// ([`PositionalGaussians::stored`]); the manifest's `positional` says how to read it.
    pub fn stored(&self) -> (MemoryBank, BankLayout) {
        if let Some(g) = &self.positional {
            return (
                MemoryBank::new(g.stored(), g.layout().row_width()),
                BankLayout::Joint,
            );
        }
        if !self.per_block {
            return (self.parts[0].bank.clone(), BankLayout::Joint);
        }
        let mut values = Vec::new();
        for part in &self.parts {
            for row in part.bank.values().chunks_exact(part.bank.dims()) {
                let mut full = vec![0.0; self.dims];
                full[part.channels.clone()].copy_from_slice(row);
                values.extend(full);
            }
        }
        let layout = BankLayout::PerBlock {
            rows: self.parts.iter().map(|p| p.bank.len()).collect(),
            spreads: self.parts.iter().map(|p| p.spread).collect(),
        };
        (MemoryBank::new(values, self.dims), layout)
    }

    /// Every patch's score: its distance to the joint bank, or its most
    /// unusual block's distance in units of the first block's spread.
    pub fn grid(&self, embeddings: &FeatureMap) -> AnomalyGrid {
        if let Some(g) = &self.positional {
            let fits = (embeddings.height, embeddings.width) == (g.height, g.width)
                && g.channels.iter().all(|&c| c < embeddings.channels);
            // An embedding the model was not fitted for can never pass a part.
            let values = if fits {
                g.distances(&embeddings.data, embeddings.channels)
            } else {
                vec![f32::NAN; (embeddings.height * embeddings.width).max(1)]
            };
            return AnomalyGrid {
                width: embeddings.width,
                height: embeddings.height,
                values,
            };
        }
        if !self.per_block {
            return AnomalyGrid::of(&self.parts[0].bank, embeddings);
        }
        let unit = self.parts[0].spread;
        let mut values = vec![f32::MIN; embeddings.width * embeddings.height];
        for part in &self.parts {
            let q = columns(&embeddings.data, embeddings.channels, &part.channels);
            for (v, d) in values.iter_mut().zip(part.bank.nearest_distance(&q)) {
                let scaled = unit.mean + unit.sd * part.spread.z(d);
                // NaN wins, so that a broken computation can never pass a part.
                *v = if v.is_nan() || scaled.is_nan() {
                    f32::NAN
                } else {
                    v.max(scaled)
                };
            }
        }
        AnomalyGrid {
            width: embeddings.width,
            height: embeddings.height,
            values,
        }
    }

    /// The image score of `embeddings` under `scoring`, with their grid.
    pub fn score(&self, scoring: ImageScoring, embeddings: &FeatureMap, grid: &AnomalyGrid) -> f32 {
        if self.positional.is_some() {
            // No bank to re-weight against: the worst patch.
            let scoring = match scoring {
                ImageScoring::Reweighted { .. } => ImageScoring::MaxPatch,
                other => other,
            };
            let empty = MemoryBank::new(Vec::new(), self.dims.max(1));
            return scoring.score(&empty, embeddings, grid);
        }
        match scoring {
            ImageScoring::Reweighted { .. } if self.per_block => {
                let part = &self.parts[0];
                let own = FeatureMap {
                    height: embeddings.height,
                    width: embeddings.width,
                    channels: part.channels.len(),
                    data: columns(&embeddings.data, embeddings.channels, &part.channels),
                };
                scoring.score(&part.bank, &own, grid)
            }
            _ => scoring.score(&self.parts[0].bank, embeddings, grid),
        }
    }
}

/// Per-patch anomaly scores of one image on its feature grid.
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyGrid {
    pub width: usize,
    pub height: usize,
    /// Row-major, `width × height` distances.
    pub values: Vec<f32>,
}

impl AnomalyGrid {
    /// Each patch embedding's distance to the bank.
    pub fn of(bank: &MemoryBank, embeddings: &FeatureMap) -> Self {
        Self {
            width: embeddings.width,
            height: embeddings.height,
            values: bank.nearest_distance(&embeddings.data),
        }
    }

    /// The image score: the worst patch. NaN if any patch is NaN, so that a
    /// broken computation can never pass a part.
    pub fn score(&self) -> f32 {
        Self::score_of(&self.values)
    }

    /// The worst of `values`, NaN if any is.
    fn score_of(values: &[f32]) -> f32 {
        values.iter().copied().fold(f32::MIN, |m, v| {
            if m.is_nan() || v.is_nan() {
                f32::NAN
            } else {
                m.max(v)
            }
        })
    }
}

/// How an image's patch distances become its score. Bundles that name none
/// score by the worst patch, as they always did.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImageScoring {
    /// The worst patch's distance.
    #[default]
    MaxPatch,
    /// PatchCore's re-weighting (Roth et al. 2022, eq. 7): the worst patch's
    /// distance counts more when its nearest bank entry is itself a rare
    /// normal appearance, far from its own `neighbours` nearest entries.
    Reweighted { neighbours: usize },
    /// Mean of the `patches` worst patches.
    TopMean { patches: usize },
    /// The worst patch or the mean of the `patches` worst, whichever is
    /// further above its spread on held-out good images, in worst-patch
    /// units: a small sharp defect and a faint wide one both stand out.
    Fused {
        patches: usize,
        worst: GoodSpread,
        top: GoodSpread,
    },
}

/// Mean and standard deviation of an image statistic over held-out good images.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GoodSpread {
    pub mean: f32,
    pub sd: f32,
}

impl GoodSpread {
    /// Of `values`; the spread never below a hair, so that z-scores stay finite.
    pub fn of(values: &[f32]) -> Self {
        let n = values.len().max(1) as f32;
        let mean = values.iter().sum::<f32>() / n;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / (n - 1.0).max(1.0);
        Self {
            mean,
            sd: var.sqrt().max(1e-6),
        }
    }

    fn z(self, v: f32) -> f32 {
        (v - self.mean) / self.sd
    }
}

/// Mean of the `k` largest values (all of them when fewer).
fn top_mean(values: &[f32], k: usize) -> f32 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| b.total_cmp(a));
    let top = &v[..k.clamp(1, v.len())];
    top.iter().sum::<f32>() / top.len() as f32
}

impl ImageScoring {
    /// The image score of `grid`, the distances of `embeddings` to `bank`.
    /// NaN whenever any patch is (fail closed).
    pub fn score(self, bank: &MemoryBank, embeddings: &FeatureMap, grid: &AnomalyGrid) -> f32 {
        let worst = grid.score();
        if worst.is_nan() {
            return worst;
        }
        match self {
            Self::MaxPatch => worst,
            Self::Reweighted { neighbours } => {
                let at = grid.values.iter().position(|&v| v == worst).unwrap_or(0);
                let c = embeddings.channels;
                worst * bank.rarity_weight(&embeddings.data[at * c..][..c], neighbours)
            }
            Self::TopMean { patches } => top_mean(&grid.values, patches),
            Self::Fused {
                patches,
                worst: w,
                top,
            } => {
                let z = w.z(worst).max(top.z(top_mean(&grid.values, patches)));
                w.mean + w.sd * z
            }
        }
    }
}

impl ImageScoring {
    /// This scoring with its good-image spreads taken from held-out `grids`
    /// (only [`ImageScoring::Fused`] has any).
    pub fn fitted(self, grids: &[AnomalyGrid]) -> Self {
        match self {
            Self::Fused { patches, .. } => {
                let worst: Vec<f32> = grids.iter().map(AnomalyGrid::score).collect();
                let top: Vec<f32> = grids.iter().map(|g| top_mean(&g.values, patches)).collect();
                Self::Fused {
                    patches,
                    worst: GoodSpread::of(&worst),
                    top: GoodSpread::of(&top),
                }
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backbone::EfficientNetLite0;
    use burn::tensor::{
        Device, Tensor, TensorData,
        module::{avg_pool2d, interpolate},
        ops::{AvgPoolOptions, InterpolateMode, InterpolateOptions},
    };

    fn flat(rows: &[[f32; 2]]) -> Vec<f32> {
        rows.iter().flatten().copied().collect()
    }

    #[test]
    fn nearest_distance_is_euclidean_to_the_closest_entry() {
        for isa in Isa::available() {
            let bank = MemoryBank::with_search(flat(&[[0.0, 0.0], [10.0, 0.0]]), 2, isa);
            let d = bank.nearest_distance(&flat(&[[3.0, 4.0], [10.0, 1.0], [0.0, 0.0]]));
            for (got, want) in d.iter().zip([5.0, 1.0, 0.0]) {
                assert!((got - want).abs() < 1e-3, "{isa:?} {d:?}");
            }
        }
    }

    /// Every search this CPU offers against a plain scan: entries in panels
    /// with a tail, more queries than one task's tile.
    #[test]
    fn every_search_finds_the_nearest_entry() {
        let (entries, dims, queries) = (203, 37, 150);
        let value = |i: usize| ((i * 7919) % 997) as f32 / 997.0;
        let values: Vec<f32> = (0..entries * dims).map(value).collect();
        let q: Vec<f32> = (0..queries * dims).map(|i| value(i * 3 + 11)).collect();
        let want: Vec<f32> = q
            .chunks_exact(dims)
            .map(|q| {
                values
                    .chunks_exact(dims)
                    .map(|b| {
                        q.iter()
                            .zip(b)
                            .map(|(x, y)| (x - y) * (x - y))
                            .sum::<f32>()
                            .sqrt()
                    })
                    .fold(f32::INFINITY, f32::min)
            })
            .collect();
        for isa in Isa::available() {
            let got = MemoryBank::with_search(values.clone(), dims, isa).nearest_distance(&q);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() < 1e-3, "{isa:?}: {g} against {w}");
            }
        }
    }

    #[test]
    fn a_nan_feature_is_never_near_the_bank() {
        for isa in Isa::available() {
            let bank = MemoryBank::with_search(flat(&[[0.0, 0.0], [10.0, 0.0]]), 2, isa);
            let d = bank.nearest_distance(&flat(&[[f32::NAN, 0.0], [1.0, 0.0]]));
            assert!(d[0].is_nan(), "{isa:?} {d:?}");
            assert!((d[1] - 1.0).abs() < 1e-3, "{isa:?} {d:?}");
        }
    }

    #[test]
    fn a_nan_patch_makes_the_score_nan() {
        let grid = AnomalyGrid {
            width: 3,
            height: 1,
            values: vec![1.0, f32::NAN, 2.0],
        };
        assert!(grid.score().is_nan());
        let grid = AnomalyGrid {
            width: 2,
            height: 1,
            values: vec![1.0, 2.0],
        };
        assert_eq!(grid.score(), 2.0);
    }

    /// A grid of `values` (one row) with one-channel embeddings equal to them.
    fn row_grid(values: &[f32]) -> (FeatureMap, AnomalyGrid) {
        let emb = FeatureMap {
            height: 1,
            width: values.len(),
            channels: 1,
            data: values.to_vec(),
        };
        let grid = AnomalyGrid {
            width: values.len(),
            height: 1,
            values: values.to_vec(),
        };
        (emb, grid)
    }

    #[test]
    fn reweighting_raises_a_patch_whose_nearest_entry_stands_alone() {
        // Nine entries crowd the origin, one stands alone at x = 100.
        let mut rows: Vec<[f32; 2]> = (0..9).map(|i| [0.0, i as f32 * 0.1]).collect();
        rows.push([100.0, 0.0]);
        let bank = MemoryBank::new(flat(&rows), 2);
        let crowded = bank.rarity_weight(&[3.0, 0.4], 9);
        let alone = bank.rarity_weight(&[103.0, 0.0], 9);
        assert!((crowded - (1.0 - 1.0 / 9.0)).abs() < 0.02, "{crowded}");
        assert!(alone > 0.999 && alone < 1.0 + 1e-6, "{alone}");
    }

    #[test]
    fn reweighted_score_scales_the_worst_patch() {
        let bank = MemoryBank::new(vec![0.0, 0.1, 0.2, 10.0], 1);
        let (emb, grid) = row_grid(&[0.05, 3.0, 1.0]);
        let s = ImageScoring::Reweighted { neighbours: 3 }.score(&bank, &emb, &grid);
        let want = 3.0 * bank.rarity_weight(&[3.0], 3);
        assert!((s - want).abs() < 1e-6 && s < 3.0 && s > 2.0, "{s}");
    }

    #[test]
    fn top_mean_averages_the_worst_patches() {
        let bank = MemoryBank::new(vec![0.0], 1);
        let (emb, grid) = row_grid(&[1.0, 5.0, 3.0, 4.0]);
        assert_eq!(
            ImageScoring::TopMean { patches: 2 }.score(&bank, &emb, &grid),
            4.5
        );
        assert_eq!(
            ImageScoring::TopMean { patches: 9 }.score(&bank, &emb, &grid),
            3.25
        );
        assert_eq!(ImageScoring::MaxPatch.score(&bank, &emb, &grid), 5.0);
    }

    #[test]
    fn fused_takes_the_more_unusual_statistic_in_worst_patch_units() {
        let bank = MemoryBank::new(vec![0.0], 1);
        let spread = |mean, sd| GoodSpread { mean, sd };
        let fused = ImageScoring::Fused {
            patches: 2,
            worst: spread(5.0, 1.0),
            top: spread(2.0, 0.5),
        };
        // Worst patch 6 (z 1), top-2 mean 3.5 (z 3): the wide one wins, as 5 + 1 · 3.
        let (emb, grid) = row_grid(&[1.0, 6.0, 1.0, 1.0]);
        assert_eq!(fused.score(&bank, &emb, &grid), 8.0);
        // A sharp spike where the top mean varies widely: the worst patch wins, as itself.
        let fused = ImageScoring::Fused {
            patches: 2,
            worst: spread(5.0, 1.0),
            top: spread(2.0, 4.0),
        };
        let (emb, grid) = row_grid(&[9.0, 1.0, 1.0, 1.0]);
        assert_eq!(fused.score(&bank, &emb, &grid), 9.0);
    }

    #[test]
    fn fitting_takes_the_spreads_of_held_out_grids() {
        let grids: Vec<AnomalyGrid> = [[1.0, 3.0], [2.0, 5.0]].iter().map(|v| row_grid(v).1).collect();
        let fused = ImageScoring::Fused {
            patches: 2,
            worst: GoodSpread { mean: 0.0, sd: 1.0 },
            top: GoodSpread { mean: 0.0, sd: 1.0 },
        };
        let ImageScoring::Fused { worst, top, .. } = fused.fitted(&grids) else {
            panic!("fitting keeps the kind");
        };
        assert_eq!((worst.mean, top.mean), (4.0, 2.75));
        assert!((worst.sd - 2f32.sqrt()).abs() < 1e-6 && (top.sd - 0.75 * 2f32.sqrt()).abs() < 1e-6);
        assert_eq!(ImageScoring::MaxPatch.fitted(&grids), ImageScoring::MaxPatch);
    }

    #[test]
    fn every_scoring_fails_closed_on_nan() {
        let bank = MemoryBank::new(vec![0.0, 1.0], 1);
        let (emb, grid) = row_grid(&[1.0, f32::NAN]);
        for s in [
            ImageScoring::MaxPatch,
            ImageScoring::Reweighted { neighbours: 2 },
            ImageScoring::TopMean { patches: 1 },
            ImageScoring::Fused {
                patches: 1,
                worst: GoodSpread { mean: 0.0, sd: 1.0 },
                top: GoodSpread { mean: 0.0, sd: 1.0 },
            },
        ] {
            assert!(s.score(&bank, &emb, &grid).is_nan(), "{s:?}");
        }
    }

    /// Two-channel patches: channel 0 is block A, channel 1 block B.
    fn two_block_map(rows: &[[f32; 2]]) -> FeatureMap {
        FeatureMap {
            height: 1,
            width: rows.len(),
            channels: 2,
            data: flat(rows),
        }
    }

    #[test]
    fn per_block_banks_score_the_most_unusual_block_in_first_block_units() {
        // Block A varies little on good parts, block B a lot.
        let good: Vec<[f32; 2]> = (0..40)
            .map(|i| [(i % 4) as f32 * 0.1, (i % 8) as f32 * 10.0])
            .collect();
        let detector = Detector::per_block(&flat(&good), &[1, 1], 64);
        let held: Vec<FeatureMap> = (0..6)
            .map(|k| two_block_map(&[[0.05 * (k % 3) as f32, 5.0 + k as f32], [0.3, 70.0]]))
            .collect();
        let detector = detector.fitted(&held);
        // A small step in the quiet block outranks a larger one in the busy block.
        let grid = detector.grid(&two_block_map(&[[1.0, 0.0], [0.0, 75.0]]));
        assert!(grid.values[0] > grid.values[1], "{:?}", grid.values);
        // Held-out good patches stay near the first block's own distances.
        let BankLayout::PerBlock { spreads, .. } = detector.stored().1 else {
            panic!("per-block layout");
        };
        let worst = detector.grid(&held[1]).score();
        assert!(
            (worst - spreads[0].mean).abs() < 3.0 * spreads[0].sd.max(1.0),
            "{worst} {spreads:?}"
        );
    }

    #[test]
    fn per_block_banks_round_trip_through_the_stored_matrix() {
        let good: Vec<[f32; 2]> = (0..30).map(|i| [i as f32, (i * 7 % 11) as f32]).collect();
        let held = vec![
            two_block_map(&[[0.5, 1.5], [2.5, 3.0]]),
            two_block_map(&[[9.5, 4.0], [1.0, 8.5]]),
        ];
        let detector = Detector::per_block(&flat(&good), &[1, 1], 8).fitted(&held);
        let (bank, layout) = detector.stored();
        assert_eq!((bank.len(), bank.dims()), (16, 2));
        let back = Detector::from_stored(bank.values().to_vec(), 2, &layout, &[1, 1]).expect("fits");
        let probe = two_block_map(&[[3.3, 2.2], [40.0, -1.0]]);
        assert_eq!(back.grid(&probe), detector.grid(&probe));
        // A layout that does not fit the bank gives the values back.
        assert!(Detector::from_stored(bank.values().to_vec(), 2, &layout, &[2]).is_err());
        // One joint bank is stored as itself and scores plain distances.
        let joint = Detector::joint(MemoryBank::new(vec![0.0, 0.0], 2));
        assert_eq!(joint.stored().1, BankLayout::Joint);
        assert_eq!(joint.grid(&two_block_map(&[[3.0, 4.0]])).values, vec![5.0]);
    }

    #[test]
    fn capped_bank_keeps_the_spread() {
        let rows: Vec<[f32; 2]> = (0..100).map(|i| [(i % 10) as f32, (i / 10) as f32]).collect();
        let bank = MemoryBank::from_patches(flat(&rows), 2, 20);
        assert_eq!(bank.len(), 20);
        // Every original point stays within reach of the coreset.
        let d = bank.nearest_distance(&flat(&rows));
        assert!(d.iter().all(|&v| v <= 2.0), "{d:?}");
    }

    #[test]
    fn embeddings_sit_on_the_stage_3_grid() {
        let net = CpuNet::from_burn(&EfficientNetLite0::new(&Device::flex()));
        let emb = patch_embeddings(
            &net,
            &FeatureMap::zeros(224, 224, 3),
            &DEFAULT_BLOCKS,
            EdgePooling::ZeroPadded,
        );
        assert_eq!((emb.height, emb.width, emb.channels), (28, 28, 40 + 112));
    }

    /// A map with distinct values everywhere, and the same values as a burn NCHW tensor.
    fn sample_map(h: usize, w: usize, c: usize) -> (FeatureMap, Tensor<4>) {
        let mut map = FeatureMap::zeros(h, w, c);
        for (i, v) in map.data.iter_mut().enumerate() {
            *v = ((i * 7919) % 101) as f32 / 10.0;
        }
        let mut nchw = vec![0.0; h * w * c];
        for (p, px) in map.data.chunks_exact(c).enumerate() {
            for (ch, v) in px.iter().enumerate() {
                nchw[ch * h * w + p] = *v;
            }
        }
        let t = Tensor::from_data(TensorData::new(nchw, [1, c, h, w]), &Device::flex());
        (map, t)
    }

    fn assert_same(map: &FeatureMap, t: Tensor<4>) {
        let [_, c, h, w] = t.dims();
        assert_eq!((map.channels, map.height, map.width), (c, h, w));
        let want = t.into_data().try_to_vec::<f32>().unwrap();
        for (p, px) in map.data.chunks_exact(c).enumerate() {
            for (ch, v) in px.iter().enumerate() {
                let b = want[ch * h * w + p];
                assert!((v - b).abs() < 1e-4, "pixel {p} channel {ch}: {v} vs burn {b}");
            }
        }
    }

    #[test]
    fn pooling_and_resizing_match_burn() {
        for (pooling, include_pad) in [(EdgePooling::Inside, false), (EdgePooling::ZeroPadded, true)] {
            let (map, t) = sample_map(7, 5, 3);
            let pooled = avg_pool2d(
                t,
                AvgPoolOptions::new([3, 3])
                    .with_stride([1, 1])
                    .with_padding([1, 1])
                    .with_count_include_pad(include_pad),
            );
            assert_same(&avg_pool_3x3(&map, pooling), pooled);
        }
        let (map, t) = sample_map(4, 3, 2);
        let up = interpolate(
            t,
            InterpolateOptions::new(InterpolateMode::Bilinear)
                .with_align_corners(false)
                .with_output_size([8, 6]),
        );
        assert_same(&resize_bilinear(&map, 8, 6), up);
    }
}
