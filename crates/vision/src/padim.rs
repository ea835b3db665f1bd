//! PaDiM-style positional Gaussians (Defard et al. 2020): every position of
//! the patch grid gets its own mean and covariance of the good patches seen
//! there, and a patch scores its Mahalanobis distance to its own position's
//! Gaussian. Where a memory bank asks "has this appearance been seen
//! anywhere?", a positional model asks "has it been seen *here*?": print
//! missing or moved on an aligned part is a normal appearance in the wrong
//! place.
//!
//! The covariance of ~100–200 dimensions from a few hundred samples is
//! shrunk towards a scaled identity by Ledoit and Wolf's estimate, so it is
//! well conditioned without a hand-set ridge. A position keeps the inverse
//! of its covariance's Cholesky factor, packed lower-triangular: the squared
//! distance is then `|L⁻¹ (x − μ)|²`.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Mean and Ledoit–Wolf shrunk covariance of `n` samples (`rows`, `n × d`
/// row-major), with the shrinkage used. The covariance is the maximum
/// likelihood one (divided by `n`) pulled towards `trace/d · I`, as in
/// scikit-learn's `ledoit_wolf`.
pub fn ledoit_wolf(rows: &[f32], d: usize) -> (Vec<f64>, Vec<f64>, f64) {
    let n = rows.len() / d;
    assert!(n > 0 && rows.len() == n * d, "rows must be n × d with n > 0");
    let nf = n as f64;
    let mut mean = vec![0.0f64; d];
    for r in rows.chunks_exact(d) {
        mean.iter_mut().zip(r).for_each(|(m, &v)| *m += v as f64);
    }
    mean.iter_mut().for_each(|m| *m /= nf);
    let centred: Vec<f64> = rows
        .chunks_exact(d)
        .flat_map(|r| r.iter().zip(&mean).map(|(&v, m)| v as f64 - m))
        .collect();
    // S = Xᵀ X / n (lower triangle, mirrored).
    let mut cov = vec![0.0f64; d * d];
    for x in centred.chunks_exact(d) {
        for i in 0..d {
            let xi = x[i];
            if xi == 0.0 {
                continue;
            }
            let row = &mut cov[i * d..i * d + i + 1];
            row.iter_mut().zip(&x[..=i]).for_each(|(c, &xj)| *c += xi * xj);
        }
    }
    for i in 0..d {
        for j in 0..=i {
            let v = cov[i * d + j] / nf;
            cov[i * d + j] = v;
            cov[j * d + i] = v;
        }
    }
    let trace: f64 = (0..d).map(|i| cov[i * d + i]).sum();
    let mu = trace / d as f64;
    // β̂ = 1/(d n) (1/n Σ_k |x_k|⁴ − |S|²_F); δ̂ = |S − μ I|²_F / d.
    let frob: f64 = cov.iter().map(|v| v * v).sum();
    let fourth: f64 = centred
        .chunks_exact(d)
        .map(|x| x.iter().map(|v| v * v).sum::<f64>().powi(2))
        .sum();
    let beta = ((fourth / nf - frob) / (d as f64 * nf)).max(0.0);
    let delta = (frob - 2.0 * mu * trace + d as f64 * mu * mu) / d as f64;
    let shrinkage = if beta <= 0.0 || delta <= 0.0 {
        0.0
    } else {
        beta.min(delta) / delta
    };
    for i in 0..d {
        for j in 0..d {
            let v = &mut cov[i * d + j];
            *v *= 1.0 - shrinkage;
            if i == j {
                *v += shrinkage * mu;
            }
        }
    }
    (mean, cov, shrinkage)
}

/// The inverse of the Cholesky factor of a symmetric positive definite `d × d`
/// matrix, packed lower-triangular by rows (`d (d + 1) / 2` values). A
/// diagonal that is not positive (a singular matrix) is lifted to a hair
/// above zero relative to the matrix's scale, so the result stays finite.
pub fn inverse_cholesky_packed(a: &[f64], d: usize) -> Vec<f32> {
    let scale = (0..d)
        .map(|i| a[i * d + i].abs())
        .fold(0.0f64, f64::max)
        .max(1e-30);
    let floor = scale * 1e-9;
    let mut l = vec![0.0f64; d * d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = a[i * d + j] - (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum::<f64>();
            l[i * d + j] = if i == j {
                s.max(floor).sqrt()
            } else {
                s / l[j * d + j]
            };
        }
    }
    // Forward substitution, column by column: L · M = I with M lower triangular.
    let mut m = vec![0.0f64; d * d];
    for c in 0..d {
        for i in c..d {
            let rhs = if i == c { 1.0 } else { 0.0 };
            let s: f64 = rhs - (c..i).map(|k| l[i * d + k] * m[k * d + c]).sum::<f64>();
            m[i * d + c] = s / l[i * d + i];
        }
    }
    let mut packed = Vec::with_capacity(d * (d + 1) / 2);
    for i in 0..d {
        packed.extend(m[i * d..=i * d + i].iter().map(|&v| v as f32));
    }
    packed
}

/// Squared Mahalanobis distance `|M (x − μ)|²` with `M` packed lower-triangular.
pub fn mahalanobis_squared(x: &[f32], mean: &[f32], packed: &[f32]) -> f32 {
    let d = mean.len();
    let diff: Vec<f32> = x.iter().zip(mean).map(|(a, b)| a - b).collect();
    let mut at = 0;
    let mut total = 0.0f32;
    for i in 0..d {
        let row = &packed[at..at + i + 1];
        at += i + 1;
        let y: f32 = row.iter().zip(&diff[..=i]).map(|(m, v)| m * v).sum();
        total += y * y;
    }
    total
}

/// One Gaussian per grid position over `dims` chosen channels.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionalGaussians {
    pub height: usize,
    pub width: usize,
    /// Channels of the embedding the model reads, in order.
    pub channels: Vec<usize>,
    /// `[positions, dims]`.
    pub means: Vec<f32>,
    /// `[positions, dims (dims + 1) / 2]`: each position's packed inverse Cholesky factor.
    pub factors: Vec<f32>,
    /// `[positions, 2]`: each position's distance mean and spread on held-out
    /// good images ([`PositionalGaussians::standardised`]); empty when the
    /// model scores plain distances.
    pub standard: Vec<f32>,
}

/// Spatial pooling of the per-position statistics of
/// [`PositionalGaussians::standardised`], in grid cells (a Gaussian's σ):
/// about 20 cells' worth of held-out images behind each position's mean and spread.
pub const STANDARD_POOL_SIGMA: f32 = 1.5;

impl PositionalGaussians {
    /// Fits every position of a `height × width` grid from `maps` (each
    /// `[height × width, embedding channels]` row-major, channels-last), taking
    /// the `channels` of each patch. With `radius` > 0 a position also learns
    /// from the patches up to `radius` cells away (within the grid), which
    /// makes it tolerant of parts that sit a little differently.
    pub fn fit(
        maps: &[&[f32]],
        embedding_channels: usize,
        height: usize,
        width: usize,
        channels: Vec<usize>,
        radius: usize,
    ) -> Self {
        let d = channels.len();
        assert!(d > 0, "at least one channel");
        let fitted: Vec<(Vec<f32>, Vec<f32>)> = (0..height * width)
            .into_par_iter()
            .map(|p| {
                let (y, x) = (p / width, p % width);
                let mut rows = Vec::new();
                for yy in y.saturating_sub(radius)..(y + radius + 1).min(height) {
                    for xx in x.saturating_sub(radius)..(x + radius + 1).min(width) {
                        let q = yy * width + xx;
                        for m in maps {
                            let px = &m[q * embedding_channels..][..embedding_channels];
                            rows.extend(channels.iter().map(|&c| px[c]));
                        }
                    }
                }
                let (mean, cov, _) = ledoit_wolf(&rows, d);
                (
                    mean.iter().map(|&v| v as f32).collect(),
                    inverse_cholesky_packed(&cov, d),
                )
            })
            .collect();
        let (means, factors): (Vec<Vec<f32>>, Vec<Vec<f32>>) = fitted.into_iter().unzip();
        Self {
            height,
            width,
            channels,
            means: means.concat(),
            factors: factors.concat(),
            standard: Vec::new(),
        }
    }

    /// The same model scoring each patch's distance in units of its own
    /// position's spread on held-out good images: `(d − mean) / sd`, the
    /// mean and variance of the `held` distance grids (from
    /// [`PositionalGaussians::distances`] of this model, unstandardised)
    /// pooled over neighbouring cells by [`STANDARD_POOL_SIGMA`]. Positions
    /// that vary more in good parts (image borders, where the backbone's
    /// padding shows; edges of print that registration leaves a little
    /// blurred) no longer decide the worst patch, and the Mahalanobis
    /// distance's growth with too few samples per position cancels out.
    pub fn standardised(mut self, held: &[Vec<f32>]) -> Self {
        let positions = self.height * self.width;
        let held: Vec<&Vec<f32>> = held.iter().filter(|g| g.len() == positions).collect();
        self.standard = self.standard_of(&held);
        self
    }

    /// The `held` distance grids (as for [`PositionalGaussians::standardised`])
    /// each standardised by the statistics of the *other* grids, leave one
    /// out. A threshold set on grids that also fitted the standardisation
    /// is optimistic (each image's own extremes widen the spread it is
    /// divided by), so calibration scores these instead. Grids of the
    /// wrong size come back unchanged; with fewer than two usable grids
    /// there is nothing to leave out and each is standardised by all.
    pub fn standardised_leave_one_out(&self, held: &[Vec<f32>]) -> Vec<Vec<f32>> {
        let positions = self.height * self.width;
        let usable: Vec<&Vec<f32>> = held.iter().filter(|g| g.len() == positions).collect();
        held.iter()
            .map(|g| {
                if g.len() != positions {
                    return g.clone();
                }
                let others: Vec<&Vec<f32>> =
                    usable.iter().copied().filter(|o| !std::ptr::eq(*o, g)).collect();
                // A lone grid has nothing to leave out: it is standardised by itself.
                let standard = self.standard_of(if others.is_empty() { &usable } else { &others });
                g.iter()
                    .zip(standard.chunks_exact(2))
                    .map(|(&d, ms)| (d - ms[0]) / ms[1])
                    .collect()
            })
            .collect()
    }

    /// Per position `[mean, sd]` of `held` (grids of this model's size),
    /// pooled by [`STANDARD_POOL_SIGMA`]; empty when there are none.
    fn standard_of(&self, held: &[&Vec<f32>]) -> Vec<f32> {
        let positions = self.height * self.width;
        if held.is_empty() || positions == 0 {
            return Vec::new();
        }
        let n = held.len() as f64;
        let mean: Vec<f32> = (0..positions)
            .map(|p| (held.iter().map(|g| g[p] as f64).sum::<f64>() / n) as f32)
            .collect();
        let var: Vec<f32> = (0..positions)
            .map(|p| {
                let m = mean[p] as f64;
                (held.iter().map(|g| (g[p] as f64 - m).powi(2)).sum::<f64>() / n) as f32
            })
            .collect();
        let mean = blur(&mean, self.height, self.width, STANDARD_POOL_SIGMA);
        let var = blur(&var, self.height, self.width, STANDARD_POOL_SIGMA);
        let floor = mean.iter().copied().fold(0.0f32, f32::max) * 1e-4 + f32::MIN_POSITIVE;
        mean.iter()
            .zip(&var)
            .flat_map(|(&m, &v)| [m, v.max(0.0).sqrt().max(floor)])
            .collect()
    }

    pub fn is_standardised(&self) -> bool {
        !self.standard.is_empty()
    }

    pub fn dims(&self) -> usize {
        self.channels.len()
    }

    /// What the manifest records to read the stored matrix back.
    pub fn layout(&self) -> PositionalLayout {
        PositionalLayout {
            height: self.height,
            width: self.width,
            channels: self.channels.clone(),
            standardised: self.is_standardised(),
        }
    }

    /// One row per position: its mean, then its packed factor, then (when
    /// standardised) its distance mean and spread ([`PositionalLayout::row_width`] values).
    pub fn stored(&self) -> Vec<f32> {
        let d = self.dims();
        let tri = d * (d + 1) / 2;
        let mut out = Vec::with_capacity(self.height * self.width * (d + tri));
        for (p, (mean, factor)) in self
            .means
            .chunks_exact(d)
            .zip(self.factors.chunks_exact(tri))
            .enumerate()
        {
            out.extend_from_slice(mean);
            out.extend_from_slice(factor);
            if self.is_standardised() {
                out.extend_from_slice(&self.standard[2 * p..2 * p + 2]);
            }
        }
        out
    }

    /// Reads [`PositionalGaussians::stored`] back; `None` when the values do not fit the layout.
    pub fn from_stored(values: &[f32], layout: &PositionalLayout) -> Option<Self> {
        let d = layout.channels.len();
        let row = layout.row_width();
        let positions = layout.height * layout.width;
        if d == 0 || positions == 0 || values.len() != positions * row {
            return None;
        }
        let tri = d * (d + 1) / 2;
        let mut means = Vec::with_capacity(positions * d);
        let mut factors = Vec::with_capacity(positions * tri);
        let mut standard = Vec::new();
        for r in values.chunks_exact(row) {
            means.extend_from_slice(&r[..d]);
            factors.extend_from_slice(&r[d..d + tri]);
            standard.extend_from_slice(&r[d + tri..]);
        }
        Some(Self {
            height: layout.height,
            width: layout.width,
            channels: layout.channels.clone(),
            means,
            factors,
            standard,
        })
    }

    /// Each patch's Mahalanobis distance to its own position's Gaussian
    /// (`map` as in [`PositionalGaussians::fit`]), standardised when the
    /// model is ([`PositionalGaussians::standardised`]). NaN in, NaN out.
    pub fn distances(&self, map: &[f32], embedding_channels: usize) -> Vec<f32> {
        let d = self.dims();
        let tri = d * (d + 1) / 2;
        (0..self.height * self.width)
            .into_par_iter()
            .with_min_len(16)
            .map(|p| {
                let px = &map[p * embedding_channels..][..embedding_channels];
                let x: Vec<f32> = self.channels.iter().map(|&c| px[c]).collect();
                let s = mahalanobis_squared(&x, &self.means[p * d..][..d], &self.factors[p * tri..][..tri]);
                let dist = if s.is_nan() { f32::NAN } else { s.max(0.0).sqrt() };
                match self.standard.get(2 * p..2 * p + 2) {
                    Some(&[mean, sd]) => (dist - mean) / sd,
                    _ => dist,
                }
            })
            .collect()
    }
}

/// The grid and channels of a stored positional model (the manifest's
/// `positional`); the weights are `height × width` rows of [`PositionalLayout::row_width`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PositionalLayout {
    pub height: usize,
    pub width: usize,
    pub channels: Vec<usize>,
    /// Each row ends with the position's distance mean and spread
    /// ([`PositionalGaussians::standardised`]); older bundles have neither.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub standardised: bool,
}

impl PositionalLayout {
    /// Values per position: the mean and the packed factor, and the
    /// distance mean and spread when standardised.
    pub fn row_width(&self) -> usize {
        let d = self.channels.len();
        d + d * (d + 1) / 2 + if self.standardised { 2 } else { 0 }
    }
}

/// Separable Gaussian blur of a `height × width` grid; the weights are
/// renormalised at the edges, so that a constant grid stays constant.
pub fn blur(values: &[f32], height: usize, width: usize, sigma: f32) -> Vec<f32> {
    if sigma <= 0.0 || values.len() != height * width {
        return values.to_vec();
    }
    let r = (3.0 * sigma).ceil() as isize;
    let kernel: Vec<f32> = (-r..=r)
        .map(|i| (-((i * i) as f32) / (2.0 * sigma * sigma)).exp())
        .collect();
    let pass = |src: &[f32], horizontal: bool| -> Vec<f32> {
        let mut out = vec![0.0; src.len()];
        for y in 0..height as isize {
            for x in 0..width as isize {
                let (mut sum, mut weight) = (0.0, 0.0);
                for (j, k) in kernel.iter().enumerate() {
                    let o = j as isize - r;
                    let (yy, xx) = if horizontal { (y, x + o) } else { (y + o, x) };
                    if (0..height as isize).contains(&yy) && (0..width as isize).contains(&xx) {
                        sum += k * src[(yy * width as isize + xx) as usize];
                        weight += k;
                    }
                }
                out[(y * width as isize + x) as usize] = sum / weight;
            }
        }
        out
    };
    pass(&pass(values, true), false)
}

/// `n` of an embedding's `width` channels, spread evenly over it (all of
/// them when `n` ≥ `width`): every block keeps its share.
pub fn spread_channels(width: usize, n: usize) -> Vec<usize> {
    let n = n.clamp(1, width.max(1));
    (0..n).map(|i| i * width / n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ledoit_wolf_matches_a_hand_computed_case() {
        // Four points on the axes: S = diag(½, ½) is already a multiple of I, no shrinkage.
        let rows = [1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, -1.0];
        let (mean, cov, s) = ledoit_wolf(&rows, 2);
        assert_eq!(mean, vec![0.0, 0.0]);
        assert_eq!(s, 0.0);
        assert_eq!(cov, vec![0.5, 0.0, 0.0, 0.5]);
        // Points on a line: S = [[1, 1], [1, 1]] (n = 2, ±(1, 1)), μ = 1,
        // |S|²_F = 4, Σ|x|⁴ = 8: β = (8/2 − 4)/(2·2) = 0 → no shrinkage either.
        let (_, cov, s) = ledoit_wolf(&[1.0, 1.0, -1.0, -1.0], 2);
        assert_eq!((s, cov), (0.0, vec![1.0, 1.0, 1.0, 1.0]));
        // (2, 0), (−2, 0), (0, 1), (0, −1): S = diag(2, ½), μ = 1.25, |S|²_F = 4.25,
        // Σ|x|⁴ = 16 + 16 + 1 + 1 = 34, β = (34/4 − 4.25)/8 = 0.53125,
        // δ = (4.25 − 2·1.25·2.5 + 2·1.5625)/2 = 0.5625, shrinkage = β/δ = 0.9444….
        let (_, cov, s) = ledoit_wolf(&[2.0, 0.0, -2.0, 0.0, 0.0, 1.0, 0.0, -1.0], 2);
        let want = 0.53125 / 0.5625;
        assert!((s - want).abs() < 1e-12, "{s}");
        assert!((cov[0] - ((1.0 - want) * 2.0 + want * 1.25)).abs() < 1e-12);
        assert!((cov[3] - ((1.0 - want) * 0.5 + want * 1.25)).abs() < 1e-12);
        assert_eq!((cov[1], cov[2]), (0.0, 0.0));
    }

    #[test]
    fn mahalanobis_inverts_the_covariance() {
        // Σ = [[4, 2], [2, 3]]: Σ⁻¹ = [[3, −2], [−2, 4]] / 8, so for x − μ = (1, 1):
        // (3 − 2 − 2 + 4)/8 = 3/8.
        let packed = inverse_cholesky_packed(&[4.0, 2.0, 2.0, 3.0], 2);
        let d2 = mahalanobis_squared(&[2.0, 0.0], &[1.0, -1.0], &packed);
        assert!((d2 - 0.375).abs() < 1e-6, "{d2}");
        // (2, −1): (12 + 8 + 4)/8 = 3.
        let d2 = mahalanobis_squared(&[2.0, -1.0], &[0.0, 0.0], &packed);
        assert!((d2 - 3.0).abs() < 1e-5, "{d2}");
        // A singular matrix stays finite.
        let packed = inverse_cholesky_packed(&[1.0, 1.0, 1.0, 1.0], 2);
        assert!(packed.iter().all(|v| v.is_finite()), "{packed:?}");
    }

    #[test]
    fn each_position_has_its_own_gaussian() {
        // A 1 × 2 grid, one channel: position 0 sees values near 0, position 1 near 10.
        let maps: Vec<Vec<f32>> = (0..20)
            .map(|i| {
                let e = (i % 5) as f32 * 0.1 - 0.2;
                vec![e, 10.0 + e]
            })
            .collect();
        let refs: Vec<&[f32]> = maps.iter().map(Vec::as_slice).collect();
        let g = PositionalGaussians::fit(&refs, 1, 1, 2, vec![0], 0);
        // The sample sd is √0.02; 10 at position 0 is far, 10 at position 1 is home.
        let d = g.distances(&[10.0, 10.0], 1);
        assert!((d[0] - 10.0 / 0.02f32.sqrt()).abs() < 1e-2, "{d:?}");
        assert!(d[1] < 1e-3, "{d:?}");
        // With a radius of one cell both positions learn both values.
        let g = PositionalGaussians::fit(&refs, 1, 1, 2, vec![0], 1);
        let d = g.distances(&[10.0, 0.0], 1);
        assert!(d[0] < 1.5 && d[1] < 1.5, "{d:?}");
        assert!(g.distances(&[f32::NAN, 0.0], 1)[0].is_nan());
        // Stored and read back, it scores the same; a wrong size is refused.
        let back = PositionalGaussians::from_stored(&g.stored(), &g.layout()).expect("fits");
        assert_eq!(back, g);
        assert!(PositionalGaussians::from_stored(&g.stored()[1..], &g.layout()).is_none());
    }

    #[test]
    fn standardised_distances_are_in_units_of_each_positions_good_spread() {
        // A 1 × 2 grid whose second position varies ten times as much in good parts.
        let maps: Vec<Vec<f32>> = (0..40)
            .map(|i| {
                let e = (i % 5) as f32 * 0.1 - 0.2;
                vec![e, 10.0 * e]
            })
            .collect();
        let refs: Vec<&[f32]> = maps.iter().map(Vec::as_slice).collect();
        let g = PositionalGaussians::fit(&refs, 1, 1, 2, vec![0], 0);
        // Held-out distances: position 0 spreads 1 ± 0.5, position 1 the same
        // (Mahalanobis already scales by the feature's spread), but offset.
        let held: Vec<Vec<f32>> = (0..20)
            .map(|i| {
                let e = if i % 2 == 0 { 0.5 } else { -0.5 };
                vec![1.0 + e, 3.0 + e]
            })
            .collect();
        let z = g.clone().standardised(&held);
        assert!(z.is_standardised() && !g.is_standardised());
        // Pooling over neighbours mixes the two positions' means: both sit near 2.
        let d = z.distances(&[0.0, 0.0], 1);
        let raw = g.distances(&[0.0, 0.0], 1);
        for p in 0..2 {
            let (m, s) = (z.standard[2 * p], z.standard[2 * p + 1]);
            assert!(m > 1.0 && m < 3.0 && s > 0.4, "{:?}", z.standard);
            assert!((d[p] - (raw[p] - m) / s).abs() < 1e-5, "{d:?} {raw:?}");
        }
        assert!(z.distances(&[f32::NAN, 0.0], 1)[0].is_nan());
        // Stored and read back with the two extra values per row.
        assert_eq!(z.layout().row_width(), g.layout().row_width() + 2);
        let back = PositionalGaussians::from_stored(&z.stored(), &z.layout()).expect("fits");
        assert_eq!(back, z);
        assert!(PositionalGaussians::from_stored(&z.stored(), &g.layout()).is_none());
        // No held-out grid of the right size: unchanged.
        assert!(!g.clone().standardised(&[vec![1.0]]).is_standardised());
    }

    #[test]
    fn leave_one_out_standardises_each_grid_without_itself() {
        let maps: Vec<Vec<f32>> = (0..20)
            .map(|i| vec![(i % 4) as f32 * 0.1, (i % 3) as f32 * 0.2])
            .collect();
        let refs: Vec<&[f32]> = maps.iter().map(Vec::as_slice).collect();
        let g = PositionalGaussians::fit(&refs, 1, 1, 2, vec![0], 0);
        // Nine ordinary held-out grids and one whose first position is far out.
        let mut held: Vec<Vec<f32>> = (0..9)
            .map(|i| vec![1.0 + (i % 3) as f32 * 0.1, 2.0 - (i % 2) as f32 * 0.1])
            .collect();
        held.push(vec![5.0, 2.0]);
        held.push(vec![1.0]); // wrong size: passed through
        let loo = g.standardised_leave_one_out(&held);
        assert_eq!(loo.len(), held.len());
        assert_eq!(loo[10], vec![1.0]);
        let usable = &held[..10];
        for i in 0..10 {
            let others: Vec<Vec<f32>> = usable
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, v)| v.clone())
                .collect();
            let z = g.clone().standardised(&others);
            let s = &z.standard;
            for p in 0..2 {
                let want = (held[i][p] - s[2 * p]) / s[2 * p + 1];
                assert!((loo[i][p] - want).abs() < 1e-4, "{i} {p}: {loo:?} vs {want}");
            }
        }
        // The outlier, fitted with itself, partly hides in its own spread;
        // left out, it stands out more (the calibration is no longer optimistic).
        let in_sample = g.clone().standardised(usable);
        let own = (held[9][0] - in_sample.standard[0]) / in_sample.standard[1];
        assert!(loo[9][0] > own + 1.0, "{} vs {own}", loo[9][0]);
        // One grid only: nothing to leave out, standardised by itself.
        let one = g.standardised_leave_one_out(&held[..1]);
        let z = g.clone().standardised(&held[..1]);
        assert!((one[0][0] - (held[0][0] - z.standard[0]) / z.standard[1]).abs() < 1e-5);
    }

    #[test]
    fn blur_keeps_a_constant_grid_and_spreads_a_spike() {
        let flat = blur(&[2.0; 12], 3, 4, 1.5);
        assert!(flat.iter().all(|v| (v - 2.0).abs() < 1e-5), "{flat:?}");
        let mut spike = vec![0.0; 25];
        spike[12] = 1.0;
        let b = blur(&spike, 5, 5, 1.0);
        assert!(
            b[12] < 1.0 && b[11] > 0.0 && b[12] > b[11] && b[11] > b[0],
            "{b:?}"
        );
    }

    #[test]
    fn channels_are_spread_over_the_embedding() {
        assert_eq!(spread_channels(10, 5), vec![0, 2, 4, 6, 8]);
        assert_eq!(spread_channels(3, 8), vec![0, 1, 2]);
    }
}
