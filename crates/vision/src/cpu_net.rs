//! The inspection-time forward pass of EfficientNet-Lite0 on the CPU.
//!
//! Profiling burn's flex backend on the 2-core target showed 5–7 × the time of
//! ONNX Runtime: each BatchNorm ran as four element-wise passes, ReLU6 and the
//! residual adds as more, every layer allocated afresh, and depthwise
//! convolutions went through the generic convolution. This module runs the
//! same weights (taken from the burn port, which stays the reference and the
//! training path) the way inference runtimes do: BatchNorm folded into the
//! convolutions, NHWC layout so a 1 × 1 convolution is one matrix product
//! (the `gemm` crate burn itself uses), and a depthwise kernel with bias and
//! ReLU6 fused, parallel over output rows. Tests hold it to the burn port.

use rayon::prelude::*;

use crate::backbone::EfficientNetLite0;

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

/// Output pixels per task of a dense convolution: a tile of up to 256 × 1280
/// outputs stays within L2.
const TILE: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Activation {
    None,
    Relu6,
}

/// A convolution with its BatchNorm folded in. Pointwise weights are
/// `[in, out]`; depthwise `[k × k, channels]`; the stem's `[k × k × in, out]`
/// in (ky, kx, channel) order to match its patch rows.
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

    fn pointwise(conv: &burn::nn::conv::Conv2d, bn: &burn::nn::BatchNorm) -> Self {
        let outputs = conv.weight.dims()[0];
        Self::fold(conv, bn, |o, i, _, _| i * outputs + o)
    }

    fn depthwise(conv: &burn::nn::conv::Conv2d, bn: &burn::nn::BatchNorm) -> Self {
        let [channels, _, k, _] = conv.weight.dims();
        Self::fold(conv, bn, |o, _, ky, kx| (ky * k + kx) * channels + o)
    }

    fn stem(conv: &burn::nn::conv::Conv2d, bn: &burn::nn::BatchNorm) -> Self {
        let [outputs, inputs, k, _] = conv.weight.dims();
        Self::fold(conv, bn, |o, i, ky, kx| {
            ((ky * k + kx) * inputs + i) * outputs + o
        })
    }

    /// `rows` (one per output pixel, `weight.len() / outputs` wide) times the
    /// weights, plus bias, activation and shortcut, a tile of pixels per task
    /// so each tile's epilogue runs while it is still in cache.
    fn dense(
        &self,
        rows: &[f32],
        act: Activation,
        shortcut: Option<&[f32]>,
        map: (usize, usize),
    ) -> FeatureMap {
        let (cin, cout) = (self.weight.len() / self.outputs, self.outputs);
        let mut out = FeatureMap::zeros(map.0, map.1, cout);
        out.data
            .par_chunks_mut(TILE * cout)
            .enumerate()
            .for_each(|(t, tile)| {
                let pixels = tile.len() / cout;
                for px in tile.chunks_exact_mut(cout) {
                    px.copy_from_slice(&self.bias);
                }
                matmul(
                    pixels,
                    cout,
                    cin,
                    tile,
                    true,
                    &rows[t * TILE * cin..][..pixels * cin],
                    &self.weight,
                );
                if act == Activation::Relu6 {
                    tile.iter_mut().for_each(|v| *v = v.clamp(0.0, 6.0));
                }
                if let Some(shortcut) = shortcut {
                    let add = &shortcut[t * TILE * cout..][..pixels * cout];
                    tile.iter_mut().zip(add).for_each(|(v, a)| *v += a);
                }
            });
        out
    }

    fn run_pointwise(&self, x: &FeatureMap, act: Activation, shortcut: Option<&FeatureMap>) -> FeatureMap {
        self.dense(
            &x.data,
            act,
            shortcut.map(|s| s.data.as_slice()),
            (x.height, x.width),
        )
    }

    /// Depthwise k × k, SAME padding, bias and ReLU6 fused.
    fn run_depthwise(&self, x: &FeatureMap) -> FeatureMap {
        let (k, s, c) = (self.kernel, self.stride, x.channels);
        let (out_h, pad_y) = same(x.height, k, s);
        let (out_w, pad_x) = same(x.width, k, s);
        let mut out = FeatureMap::zeros(out_h, out_w, c);
        #[cfg(target_arch = "x86_64")]
        let wide = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
        out.data
            .par_chunks_mut(out_w * c)
            .enumerate()
            .for_each(|(oy, row)| {
                let job = DepthwiseRow {
                    x,
                    conv: self,
                    oy,
                    pad: [pad_y, pad_x],
                };
                #[cfg(target_arch = "x86_64")]
                if wide {
                    // SAFETY: the CPU has just been checked for AVX2 and FMA.
                    return unsafe { job.run_avx2(row) };
                }
                job.run(row)
            });
        out
    }

    /// The stem: a dense k × k convolution on the 3-channel input, as a patch matrix product.
    fn run_stem(&self, x: &FeatureMap) -> FeatureMap {
        let (k, s, c) = (self.kernel, self.stride, x.channels);
        let (out_h, pad_y) = same(x.height, k, s);
        let (out_w, pad_x) = same(x.width, k, s);
        let row_len = k * k * c;
        let mut patches = vec![0.0; out_h * out_w * row_len];
        patches
            .par_chunks_mut(out_w * row_len)
            .enumerate()
            .for_each(|(oy, rows)| {
                for (ox, patch) in rows.chunks_exact_mut(row_len).enumerate() {
                    for ky in 0..k {
                        let Some(iy) = (oy * s + ky).checked_sub(pad_y).filter(|&iy| iy < x.height) else {
                            continue;
                        };
                        for kx in 0..k {
                            let Some(ix) = (ox * s + kx).checked_sub(pad_x).filter(|&ix| ix < x.width) else {
                                continue;
                            };
                            patch[(ky * k + kx) * c..][..c]
                                .copy_from_slice(&x.data[(iy * x.width + ix) * c..][..c]);
                        }
                    }
                }
            });
        self.dense(&patches, Activation::Relu6, None, (out_h, out_w))
    }
}

/// One output row of a depthwise convolution: bias, taps, ReLU6.
struct DepthwiseRow<'a> {
    x: &'a FeatureMap,
    conv: &'a Conv,
    oy: usize,
    pad: [usize; 2],
}

impl DepthwiseRow<'_> {
    /// The same loop compiled for AVX2 (8 lanes) instead of the SSE2 baseline.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn run_avx2(&self, row: &mut [f32]) {
        self.run(row)
    }

    #[inline(always)]
    fn run(&self, row: &mut [f32]) {
        let (x, k, s, c) = (self.x, self.conv.kernel, self.conv.stride, self.x.channels);
        let [pad_y, pad_x] = self.pad;
        // Taps inside the input: rows once for the whole output row.
        let ky_range = |o: usize, pad: usize, size: usize| {
            let first = pad.saturating_sub(o * s);
            let last = (size + pad).saturating_sub(o * s).min(k);
            first..last
        };
        let kys = ky_range(self.oy, pad_y, x.height);
        for (ox, acc) in row.chunks_exact_mut(c).enumerate() {
            acc.copy_from_slice(&self.conv.bias);
            for ky in kys.clone() {
                let iy = self.oy * s + ky - pad_y;
                for kx in ky_range(ox, pad_x, x.width) {
                    let ix = ox * s + kx - pad_x;
                    let px = &x.data[(iy * x.width + ix) * c..][..c];
                    let w = &self.conv.weight[(ky * k + kx) * c..][..c];
                    for ((a, p), w) in acc.iter_mut().zip(px).zip(w) {
                        *a += p * w;
                    }
                }
            }
            for a in acc.iter_mut() {
                *a = a.clamp(0.0, 6.0);
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Block {
    expand: Option<Conv>,
    depthwise: Conv,
    project: Conv,
}

impl Block {
    fn forward(&self, x: &FeatureMap) -> FeatureMap {
        let expanded;
        let hidden = match &self.expand {
            Some(conv) => {
                expanded = conv.run_pointwise(x, Activation::Relu6, None);
                &expanded
            }
            None => x,
        };
        // Identity shortcut where the block keeps size and channels.
        let shortcut = (self.depthwise.stride == 1 && self.project.outputs == x.channels).then_some(x);
        self.project
            .run_pointwise(&self.depthwise.run_depthwise(hidden), Activation::None, shortcut)
    }
}

/// EfficientNet-Lite0 with folded weights, for inference on one image at a time.
#[derive(Debug, Clone)]
pub struct CpuNet {
    stem: Conv,
    blocks: Vec<Block>,
    head: Conv,
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
        let Some(&last) = blocks.last() else {
            return Vec::new();
        };
        let mut x = self.stem.run_stem(input);
        let mut out = Vec::with_capacity(blocks.len());
        for (i, block) in self.blocks.iter().enumerate().take(last + 1) {
            x = block.forward(&x);
            if blocks.contains(&i) {
                out.push(x.clone());
            }
        }
        out
    }

    /// ImageNet class logits.
    pub fn logits(&self, input: &FeatureMap) -> Vec<f32> {
        let mut x = self.stem.run_stem(input);
        for block in &self.blocks {
            x = block.forward(&x);
        }
        let x = self.head.run_pointwise(&x, Activation::Relu6, None);
        let mut pooled = vec![0.0; x.channels];
        for px in x.data.chunks_exact(x.channels) {
            pooled.iter_mut().zip(px).for_each(|(p, v)| *p += v);
        }
        pooled.iter_mut().for_each(|p| *p /= x.pixels() as f32);
        let (weight, bias) = &self.fc;
        let mut logits = bias.clone();
        matmul(1, bias.len(), pooled.len(), &mut logits, true, &pooled, weight);
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
