//! The inspection-time forward pass of EfficientNet-Lite0 on the CPU.
//!
//! Profiling burn's flex backend on the 2-core target showed 5–7 × the time of
//! ONNX Runtime: each BatchNorm ran as four element-wise passes, ReLU6 and the
//! residual adds as more, every layer allocated afresh, and depthwise
//! convolutions went through the generic convolution. This module runs the
//! same weights (taken from the burn port, which stays the reference and the
//! training path) the way inference runtimes do: BatchNorm folded into the
//! convolutions, NHWC layout so a 1 × 1 convolution is one matrix product
//! (a direct kernel on weights packed at load time, see
//! `cpu_kernels.rs`), and a depthwise kernel with bias and ReLU6 fused,
//! parallel over output rows. Tests hold it to the burn port.

use rayon::prelude::*;

use crate::{
    backbone::EfficientNetLite0,
    cpu_kernels::{Activation, Depthwise, Gather, Pointwise, TILE_PIXELS, all_taps_inside},
};

/// A feature map of one image, channels last: `data[(y * width + x) * channels + c]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureMap {
    pub height: usize,
    pub width: usize,
    pub channels: usize,
    pub data: Vec<f32>,
}

impl FeatureMap {
    pub(crate) fn zeros(height: usize, width: usize, channels: usize) -> Self {
        Self {
            height,
            width,
            channels,
            data: vec![0.0; height * width * channels],
        }
    }

    fn pixels(&self) -> usize {
        self.height * self.width
    }

    /// A map whose every value is about to be written: storage this thread
    /// recycled when there is some (its old values are never read), so the
    /// forward pass neither zeroes nor faults in fresh memory per layer.
    fn scratch(height: usize, width: usize, channels: usize) -> Self {
        let len = height * width * channels;
        let data = SPARE.with_borrow_mut(|spare| {
            let fit = spare
                .iter()
                .position(|b| b.len() >= len)
                .or_else(|| spare.iter().position(|b| b.capacity() >= len));
            let mut data = fit.map_or_else(Vec::new, |i| spare.swap_remove(i));
            if data.len() >= len {
                data.truncate(len);
            } else {
                data.resize(len, 0.0);
            }
            data
        });
        Self {
            height,
            width,
            channels,
            data,
        }
    }

    /// Hands the storage back for [`FeatureMap::scratch`].
    fn recycle(self) {
        SPARE.with_borrow_mut(|spare| {
            if spare.len() < SPARE_MAPS {
                spare.push(self.data);
            }
        });
    }
}

/// Intermediate maps a thread keeps for reuse: a block holds at most four at once.
const SPARE_MAPS: usize = 4;

thread_local! {
    static SPARE: std::cell::RefCell<Vec<Vec<f32>>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The stem's patch rows, per worker thread.
    static PATCHES: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// TF "SAME" padding along one axis: (output size, padding before).
fn same(size: usize, kernel: usize, stride: usize) -> (usize, usize) {
    let out = size.div_ceil(stride);
    let total = ((out - 1) * stride + kernel).saturating_sub(size);
    (out, total / 2)
}

/// `dst[m × n] (+)= lhs[m × k] · rhs[k × n]`, all row-major, on the calling
/// thread: callers split the work into cache-sized tiles across threads
/// themselves, which beat gemm's own threading on these thin matrices.
pub(crate) fn matmul(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [f32],
    accumulate: bool,
    lhs: &[f32],
    rhs: &[f32],
) {
    assert!(dst.len() == m * n && lhs.len() == m * k && rhs.len() == k * n);
    // SAFETY: the asserts above keep every index of the row-major strides in bounds.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            lhs.as_ptr(),
            1,
            k as isize,
            rhs.as_ptr(),
            1,
            n as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

/// A convolution with its BatchNorm folded in, before packing. Pointwise
/// weights are `[in, out]`; depthwise `[k × k, channels]`; the stem's
/// `[k × k × in, out]` in (ky, kx, channel) order to match its patch rows.
#[derive(Debug, Clone)]
struct Conv {
    weight: Vec<f32>,
    bias: Vec<f32>,
    kernel: usize,
    stride: usize,
    outputs: usize,
}

impl Conv {
    /// Folds `burn` conv + BatchNorm. `layout(out, in, ky, kx)` is where the
    /// weight goes in this module's order.
    fn fold(
        conv: &burn::nn::conv::Conv2d,
        bn: &burn::nn::BatchNorm,
        layout: impl Fn(usize, usize, usize, usize) -> usize,
    ) -> Self {
        let values = |t: burn::tensor::Tensor<1>| t.into_data().try_to_vec::<f32>().unwrap_or_default();
        let w = conv.weight.val();
        let [outputs, per_group, kernel, _] = w.dims();
        let w = w.into_data().try_to_vec::<f32>().unwrap_or_default();
        let gamma = values(bn.gamma.val());
        let beta = values(bn.beta.val());
        let mean = values(bn.running_mean.value());
        let var = values(bn.running_var.value());
        let mut weight = vec![0.0; w.len()];
        let mut bias = vec![0.0; outputs];
        for o in 0..outputs {
            let scale = gamma[o] / (var[o] + bn.epsilon as f32).sqrt();
            bias[o] = beta[o] - mean[o] * scale;
            for i in 0..per_group {
                for ky in 0..kernel {
                    for kx in 0..kernel {
                        let src = ((o * per_group + i) * kernel + ky) * kernel + kx;
                        weight[layout(o, i, ky, kx)] = w[src] * scale;
                    }
                }
            }
        }
        Self {
            weight,
            bias,
            kernel,
            stride: conv.stride[0],
            outputs,
        }
    }

    fn pointwise(conv: &burn::nn::conv::Conv2d, bn: &burn::nn::BatchNorm) -> Pointwise {
        let outputs = conv.weight.dims()[0];
        Self::fold(conv, bn, |o, i, _, _| i * outputs + o).packed()
    }

    fn depthwise(conv: &burn::nn::conv::Conv2d, bn: &burn::nn::BatchNorm) -> Self {
        let [channels, _, k, _] = conv.weight.dims();
        Self::fold(conv, bn, |o, _, ky, kx| (ky * k + kx) * channels + o)
    }

    fn stem(conv: &burn::nn::conv::Conv2d, bn: &burn::nn::BatchNorm) -> Stem {
        let [outputs, inputs, k, _] = conv.weight.dims();
        let conv = Self::fold(conv, bn, |o, i, ky, kx| {
            ((ky * k + kx) * inputs + i) * outputs + o
        });
        Stem {
            kernel: conv.kernel,
            stride: conv.stride,
            dense: conv.packed(),
        }
    }

    fn packed(&self) -> Pointwise {
        Pointwise::new(
            self.weight.len() / self.outputs,
            self.outputs,
            &self.weight,
            &self.bias,
        )
    }

    /// Depthwise k × k, SAME padding, bias and ReLU6 fused, parallel over output rows.
    fn run_depthwise(&self, x: &FeatureMap) -> FeatureMap {
        let (k, s, c) = (self.kernel, self.stride, x.channels);
        let (out_h, pad_y) = same(x.height, k, s);
        let (out_w, pad_x) = same(x.width, k, s);
        let geom = Depthwise {
            height: x.height,
            width: x.width,
            channels: c,
            kernel: k,
            stride: s,
            pad: [pad_y, pad_x],
            out_width: out_w,
        };
        let mut out = FeatureMap::scratch(out_h, out_w, c);
        out.data
            .par_chunks_mut(out_w * c)
            .enumerate()
            .for_each(|(oy, row)| geom.row(&x.data, &self.weight, &self.bias, oy, row));
        out
    }
}

/// Pixels per task of a dense convolution: about eight tasks per thread, so
/// a busy core's share can be taken over, in whole register tiles.
fn chunk_pixels(pixels: usize) -> usize {
    let tasks = 8 * rayon::current_num_threads();
    pixels.div_ceil(tasks).next_multiple_of(TILE_PIXELS)
}

/// A 1 × 1 convolution of the whole map, with activation and shortcut fused.
fn run_pointwise(
    conv: &Pointwise,
    x: &FeatureMap,
    act: Activation,
    shortcut: Option<&FeatureMap>,
) -> FeatureMap {
    let (k, n) = (conv.inputs(), conv.outputs());
    assert_eq!(x.channels, k);
    let mut out = FeatureMap::scratch(x.height, x.width, n);
    let chunk = chunk_pixels(x.pixels());
    out.data
        .par_chunks_mut(chunk * n)
        .zip(x.data.par_chunks(chunk * k))
        .enumerate()
        .for_each(|(t, (out, input))| {
            let shortcut = shortcut.map(|s| &s.data[t * chunk * n..][..out.len()]);
            conv.run(input, out, act, shortcut);
        });
    out
}

/// The stem: a dense k × k convolution on the 3-channel input. Where all of
/// an output pixel's taps lie inside the image, the matrix kernel reads its
/// patch in place (one run of `k × channels` values per kernel row); the
/// pixels whose taps meet the padding take zero-padded patch rows built per
/// row of output.
#[derive(Debug, Clone)]
struct Stem {
    kernel: usize,
    stride: usize,
    dense: Pointwise,
}

impl Stem {
    fn run(&self, x: &FeatureMap) -> FeatureMap {
        let (k, s, c) = (self.kernel, self.stride, x.channels);
        let (out_h, pad_y) = same(x.height, k, s);
        let (out_w, pad_x) = same(x.width, k, s);
        assert_eq!(self.dense.inputs(), k * k * c);
        let n = self.dense.outputs();
        let rows = all_taps_inside(pad_y, x.height, k, s, out_h);
        let cols = all_taps_inside(pad_x, x.width, k, s, out_w);
        let gather = Gather {
            stride: s * c,
            run: k * c,
            segments: k,
            step: x.width * c,
        };
        let mut out = FeatureMap::scratch(out_h, out_w, n);
        let band = out_h.div_ceil(8 * rayon::current_num_threads());
        out.data
            .par_chunks_mut(band * out_w * n)
            .enumerate()
            .for_each(|(t, band_out)| {
                for (j, row) in band_out.chunks_exact_mut(out_w * n).enumerate() {
                    let oy = t * band + j;
                    if !rows.contains(&oy) || cols.is_empty() {
                        self.padded(x, [pad_y, pad_x], oy, 0..out_w, row);
                        continue;
                    }
                    let (left, rest) = row.split_at_mut(cols.start * n);
                    let (middle, right) = rest.split_at_mut(cols.len() * n);
                    let at = ((oy * s - pad_y) * x.width + cols.start * s - pad_x) * c;
                    self.dense
                        .run_gathered(&x.data[at..], gather, middle, Activation::Relu6);
                    self.padded(x, [pad_y, pad_x], oy, 0..cols.start, left);
                    self.padded(x, [pad_y, pad_x], oy, cols.end..out_w, right);
                }
            });
        out
    }

    /// Output pixels `oy, ox ∈ cols` from zero-padded patch rows (`pad`:
    /// padding before, rows and columns).
    fn padded(
        &self,
        x: &FeatureMap,
        pad: [usize; 2],
        oy: usize,
        cols: std::ops::Range<usize>,
        out: &mut [f32],
    ) {
        if cols.is_empty() {
            return;
        }
        let (k, s, c) = (self.kernel, self.stride, x.channels);
        let [pad_y, pad_x] = pad;
        let row_len = k * k * c;
        PATCHES.with_borrow_mut(|patches| {
            patches.clear();
            patches.resize(cols.len() * row_len, 0.0);
            for (ox, patch) in cols.zip(patches.chunks_exact_mut(row_len)) {
                // The taps inside the image along x, copied as one run per kernel row.
                let left = (ox * s).saturating_sub(pad_x);
                let first_kx = left + pad_x - ox * s;
                let right = (ox * s + k).saturating_sub(pad_x).min(x.width);
                let run = right.saturating_sub(left) * c;
                for ky in 0..k {
                    let Some(iy) = (oy * s + ky).checked_sub(pad_y).filter(|&iy| iy < x.height) else {
                        continue;
                    };
                    patch[(ky * k + first_kx) * c..][..run]
                        .copy_from_slice(&x.data[(iy * x.width + left) * c..][..run]);
                }
            }
            self.dense.run(patches, out, Activation::Relu6, None);
        });
    }
}

#[derive(Debug, Clone)]
struct Block {
    expand: Option<Pointwise>,
    depthwise: Conv,
    project: Pointwise,
}

impl Block {
    fn forward(&self, x: &FeatureMap) -> FeatureMap {
        let expanded = self
            .expand
            .as_ref()
            .map(|conv| run_pointwise(conv, x, Activation::Relu6, None));
        let hidden = expanded.as_ref().unwrap_or(x);
        let depthwise = self.depthwise.run_depthwise(hidden);
        if let Some(expanded) = expanded {
            expanded.recycle();
        }
        // Identity shortcut where the block keeps size and channels.
        let shortcut = (self.depthwise.stride == 1 && self.project.outputs() == x.channels).then_some(x);
        let out = run_pointwise(&self.project, &depthwise, Activation::None, shortcut);
        depthwise.recycle();
        out
    }
}

/// Runs `f` on a thread of rayon's pool. Every layer is a parallel loop, and
/// one started outside the pool is handed over to it while the caller sleeps
/// until it is done: about 15 µs of hand-over and wake-up per loop, 0.5 ms
/// over the 35 loops to block 10 (BENCHMARKS.md). Inside the pool the
/// calling worker takes part and the other steals.
pub fn on_worker<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| f())
}

/// EfficientNet-Lite0 with folded weights, for inference on one image at a time.
#[derive(Debug, Clone)]
pub struct CpuNet {
    stem: Stem,
    blocks: Vec<Block>,
    head: Pointwise,
    /// `[1280, 1000]` and the class biases.
    fc: (Vec<f32>, Vec<f32>),
}

impl CpuNet {
    pub fn from_burn(net: &EfficientNetLite0) -> Self {
        let blocks = net
            .blocks
            .iter()
            .map(|b| Block {
                expand: b
                    .expand_conv
                    .as_ref()
                    .zip(b.bn0.as_ref())
                    .map(|(c, bn)| Conv::pointwise(c, bn)),
                depthwise: Conv::depthwise(&b.depthwise_conv, &b.bn1),
                project: Conv::pointwise(&b.project_conv, &b.bn2),
            })
            .collect();
        let fc_weight = net
            .fc
            .weight
            .val()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default();
        let fc_bias = net
            .fc
            .bias
            .as_ref()
            .map(|b| b.val().into_data().try_to_vec::<f32>().unwrap_or_default())
            .unwrap_or_default();
        Self {
            stem: Conv::stem(&net.conv_stem, &net.bn0),
            blocks,
            head: Conv::pointwise(&net.conv_head, &net.bn1),
            fc: (fc_weight, fc_bias),
        }
    }

    /// The outputs of the given blocks (ascending), stopping after the last.
    pub fn block_features(&self, input: &FeatureMap, blocks: &[usize]) -> Vec<FeatureMap> {
        on_worker(|| self.block_features_here(input, blocks))
    }

    fn block_features_here(&self, input: &FeatureMap, blocks: &[usize]) -> Vec<FeatureMap> {
        let Some(&last) = blocks.last() else {
            return Vec::new();
        };
        let mut x = self.stem.run(input);
        let mut out = Vec::with_capacity(blocks.len());
        for (i, block) in self.blocks.iter().enumerate().take(last + 1) {
            let next = block.forward(&x);
            std::mem::replace(&mut x, next).recycle();
            if i == last {
                out.push(x);
                break;
            }
            if blocks.contains(&i) {
                out.push(x.clone());
            }
        }
        out
    }

    /// ImageNet class logits.
    pub fn logits(&self, input: &FeatureMap) -> Vec<f32> {
        on_worker(|| self.logits_here(input))
    }

    fn logits_here(&self, input: &FeatureMap) -> Vec<f32> {
        let mut x = self.stem.run(input);
        for block in &self.blocks {
            let next = block.forward(&x);
            std::mem::replace(&mut x, next).recycle();
        }
        let features = x;
        let x = run_pointwise(&self.head, &features, Activation::Relu6, None);
        features.recycle();
        let mut pooled = vec![0.0; x.channels];
        for px in x.data.chunks_exact(x.channels) {
            pooled.iter_mut().zip(px).for_each(|(p, v)| *p += v);
        }
        pooled.iter_mut().for_each(|p| *p /= x.pixels() as f32);
        let (weight, bias) = &self.fc;
        let mut logits = bias.clone();
        matmul(1, bias.len(), pooled.len(), &mut logits, true, &pooled, weight);
        x.recycle();
        logits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_padding_matches_tf() {
        assert_eq!(same(224, 3, 2), (112, 0)); // one extra pixel after, none before
        assert_eq!(same(112, 3, 1), (112, 1));
        assert_eq!(same(56, 5, 2), (28, 1));
        assert_eq!(same(28, 5, 1), (28, 2));
    }

    /// The stem against a plain loop: odd sizes, both strides, kernels whose
    /// padding falls before and after, so every clipped tap run is exercised.
    #[test]
    fn stem_matches_a_plain_convolution() {
        let value = |i: usize, m: usize| ((i * 7919) % m) as f32 / m as f32 - 0.5;
        for (h, w, k, stride) in [
            (7, 9, 3, 2),
            (7, 9, 3, 1),
            (8, 5, 5, 2),
            (3, 4, 5, 1),
            (224, 224, 3, 2),
        ] {
            let (c, n) = (3, 32);
            let x = FeatureMap {
                height: h,
                width: w,
                channels: c,
                data: (0..h * w * c).map(|i| value(i, 97)).collect(),
            };
            let weight: Vec<f32> = (0..k * k * c * n).map(|i| value(i, 89)).collect();
            let bias: Vec<f32> = (0..n).map(|i| value(i, 13)).collect();
            let stem = Stem {
                kernel: k,
                stride,
                dense: Pointwise::new(k * k * c, n, &weight, &bias),
            };
            let got = stem.run(&x);
            let (out_h, pad_y) = same(h, k, stride);
            let (out_w, pad_x) = same(w, k, stride);
            assert_eq!((got.height, got.width, got.channels), (out_h, out_w, n));
            for oy in 0..out_h {
                for ox in 0..out_w {
                    for o in 0..n {
                        let mut acc = bias[o];
                        for ky in 0..k {
                            for kx in 0..k {
                                let (iy, ix) = (
                                    (oy * stride + ky) as isize - pad_y as isize,
                                    (ox * stride + kx) as isize - pad_x as isize,
                                );
                                if iy < 0 || ix < 0 || iy >= h as isize || ix >= w as isize {
                                    continue;
                                }
                                for i in 0..c {
                                    acc += weight[((ky * k + kx) * c + i) * n + o]
                                        * x.data[(iy as usize * w + ix as usize) * c + i];
                                }
                            }
                        }
                        let want = acc.clamp(0.0, 6.0);
                        let v = got.data[(oy * out_w + ox) * n + o];
                        assert!(
                            (v - want).abs() < 1e-4,
                            "{h}x{w} k{k} s{stride} ({oy},{ox}) ch {o}: {v} vs {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn matmul_is_row_major() {
        let mut dst = vec![1.0; 4];
        matmul(
            2,
            2,
            3,
            &mut dst,
            true,
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0],
        );
        assert_eq!(dst, [5.0, 6.0, 11.0, 12.0]);
    }
}
