//! The arithmetic kernels of the folded CPU path ([`crate::cpu_net`]).
//!
//! Profiling showed the `gemm` crate spending its time packing the thin
//! matrices of the early layers (16–24 input channels, 12 544 pixels), so a
//! 1 × 1 convolution here is a direct kernel: its weights are packed once, at
//! load time, into panels of 16 (or 8) output channels, and the input pixels
//! are read in place, each value broadcast against a panel row (the classic
//! register tile: 6 pixels × 16 channels in AVX2's 16 registers, 12 pixels ×
//! 32 channels in AVX-512's 32). Bias, ReLU6 and the shortcut are applied in
//! registers before the single store. The depthwise kernel keeps eight output
//! pixels' accumulators and a kernel row's weights in registers while the
//! inputs under them stream past once.
//!
//! Both have AVX2 + FMA and AVX-512 versions, used only after the CPU has
//! been checked for those features at run time ([`Isa`]), and a portable
//! scalar version that gives the same results up to rounding.
//! Every pointer the SIMD code forms lies inside a slice whose length is
//! asserted at the entry of the safe function that calls it.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Pixels per register tile of the AVX2 pointwise kernel.
#[cfg(target_arch = "x86_64")]
const MR: usize = 6;
/// Pixels per register tile of the AVX-512 pointwise kernel.
const MR512: usize = 12;
/// Pixel counts that are a multiple of this leave no register-tile tail.
pub(crate) const TILE_PIXELS: usize = MR512;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Activation {
    None,
    Relu6,
}

impl Activation {
    fn apply(self, v: f32) -> f32 {
        match self {
            Self::None => v,
            Self::Relu6 => v.clamp(0.0, 6.0),
        }
    }
}

/// Which instructions a kernel runs on, in ascending order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) enum Isa {
    Scalar,
    /// AVX2 + FMA.
    Avx2,
    /// AVX-512 F, and AVX2 + FMA for depthwise channel counts that are not
    /// a multiple of 16.
    Avx512,
}

impl Isa {
    /// Every level this CPU can run, the best last (std caches the checks).
    pub(crate) fn available() -> Vec<Isa> {
        #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
        let mut all = vec![Isa::Scalar];
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            all.push(Isa::Avx2);
            if is_x86_feature_detected!("avx512f") {
                all.push(Isa::Avx512);
            }
        }
        all
    }

    pub(crate) fn best() -> Isa {
        static BEST: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
        *BEST.get_or_init(|| *Isa::available().last().expect("scalar is always there"))
    }

    /// `self`, or the best this CPU runs if that is less (so that the unsafe
    /// kernels are only ever entered on a CPU that has their instructions).
    fn checked(self) -> Isa {
        self.min(Isa::best())
    }
}

/// Where the pointwise kernel finds pixel `r`'s inputs: `segments` runs of
/// `run` consecutive values, the first at `r * stride`, each next one `step`
/// further on. A 1 × 1 convolution reads one run of all its inputs per
/// pixel; the stem reads its k × k patches in place from the image, one run
/// of `k × channels` per kernel row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Gather {
    pub stride: usize,
    pub run: usize,
    pub segments: usize,
    pub step: usize,
}

impl Gather {
    /// `[pixels, inputs]` row-major.
    pub(crate) fn dense(inputs: usize) -> Self {
        Self {
            stride: inputs,
            run: inputs,
            segments: 1,
            step: 0,
        }
    }

    /// How many values the input must hold for `pixels` (at least one) pixels.
    fn span(&self, pixels: usize) -> usize {
        (pixels - 1) * self.stride + (self.segments - 1) * self.step + self.run
    }
}

#[derive(Debug, Clone, Copy)]
struct Panel {
    /// First output channel.
    col: usize,
    /// 16 or 8 (packed width, zero-padded past the last output channel).
    width: usize,
    /// Where its `inputs × width` weights start in `Pointwise::data`.
    offset: usize,
}

/// A 1 × 1 convolution (a `[inputs, outputs]` matrix and a bias) packed for
/// the kernel: for each panel of output channels, its rows one after another.
#[derive(Debug, Clone)]
pub(crate) struct Pointwise {
    inputs: usize,
    outputs: usize,
    panels: Vec<Panel>,
    data: Vec<f32>,
    /// Per panel, `width` values (zero-padded), at `offset / inputs`.
    bias: Vec<f32>,
}

impl Pointwise {
    /// `weight` is `[inputs, outputs]` row-major.
    pub(crate) fn new(inputs: usize, outputs: usize, weight: &[f32], bias: &[f32]) -> Self {
        assert!(inputs > 0 && outputs > 0);
        assert_eq!(weight.len(), inputs * outputs);
        assert_eq!(bias.len(), outputs);
        let mut panels = Vec::new();
        let (mut col, mut offset) = (0, 0);
        while col < outputs {
            let width = if outputs - col > 8 { 16 } else { 8 };
            panels.push(Panel { col, width, offset });
            col += width;
            offset += inputs * width;
        }
        let mut data = vec![0.0; offset];
        let mut packed_bias = vec![0.0; offset / inputs];
        for p in &panels {
            for c in 0..p.width.min(outputs - p.col) {
                packed_bias[p.offset / inputs + c] = bias[p.col + c];
                for i in 0..inputs {
                    data[p.offset + i * p.width + c] = weight[i * outputs + p.col + c];
                }
            }
        }
        Self {
            inputs,
            outputs,
            panels,
            data,
            bias: packed_bias,
        }
    }

    pub(crate) fn inputs(&self) -> usize {
        self.inputs
    }

    pub(crate) fn outputs(&self) -> usize {
        self.outputs
    }

    /// For each pixel: `out = act(input · W + bias) (+ shortcut)`, with
    /// `input` `[pixels, inputs]`, `out` and `shortcut` `[pixels, outputs]`.
    pub(crate) fn run(&self, input: &[f32], out: &mut [f32], act: Activation, shortcut: Option<&[f32]>) {
        self.run_with(Isa::best(), input, Gather::dense(self.inputs), out, act, shortcut)
    }

    /// As [`Self::run`], the inputs read as `gather` says.
    pub(crate) fn run_gathered(&self, input: &[f32], gather: Gather, out: &mut [f32], act: Activation) {
        self.run_with(Isa::best(), input, gather, out, act, None)
    }

    pub(crate) fn run_with(
        &self,
        isa: Isa,
        input: &[f32],
        gather: Gather,
        out: &mut [f32],
        act: Activation,
        shortcut: Option<&[f32]>,
    ) {
        let (k, n) = (self.inputs, self.outputs);
        let pixels = out.len() / n;
        assert_eq!(out.len(), pixels * n);
        assert_eq!(gather.run * gather.segments, k);
        if pixels == 0 {
            return;
        }
        assert!(input.len() >= gather.span(pixels));
        if let Some(s) = shortcut {
            assert_eq!(s.len(), out.len());
        }
        let g = gather;
        // SAFETY: `checked` holds the CPU has the instructions; the lengths are asserted above.
        match isa.checked() {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { self.run_avx512(input, g, out, act, shortcut) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => unsafe { self.run_avx2(input, g, out, act, shortcut) },
            _ => self.run_scalar(input, g, out, act, shortcut),
        }
    }

    fn run_scalar(
        &self,
        input: &[f32],
        g: Gather,
        out: &mut [f32],
        act: Activation,
        shortcut: Option<&[f32]>,
    ) {
        let (k, n) = (self.inputs, self.outputs);
        for (p, row) in out.chunks_exact_mut(n).enumerate() {
            for panel in &self.panels {
                let w = &self.data[panel.offset..][..k * panel.width];
                let bias = &self.bias[panel.offset / k..][..panel.width];
                let cols = panel.width.min(n - panel.col);
                let mut acc = [0.0f32; 16];
                acc[..panel.width].copy_from_slice(bias);
                for seg in 0..g.segments {
                    let a = &input[p * g.stride + seg * g.step..][..g.run];
                    for (i, &x) in a.iter().enumerate() {
                        let w = &w[(seg * g.run + i) * panel.width..][..panel.width];
                        for (acc, w) in acc.iter_mut().zip(w) {
                            *acc += x * w;
                        }
                    }
                }
                for c in 0..cols {
                    let mut v = act.apply(acc[c]);
                    if let Some(s) = shortcut {
                        v += s[p * n + panel.col + c];
                    }
                    row[panel.col + c] = v;
                }
            }
        }
    }

    /// SAFETY: AVX2 and FMA present; `input` holds `g.span(pixels)` values,
    /// `out` (and `shortcut`) `[pixels, outputs]`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn run_avx2(
        &self,
        input: &[f32],
        g: Gather,
        out: &mut [f32],
        act: Activation,
        shortcut: Option<&[f32]>,
    ) {
        let (k, n) = (self.inputs, self.outputs);
        let relu6 = act == Activation::Relu6;
        let s_ptr = shortcut.map_or(std::ptr::null(), |s| s.as_ptr());
        for (t0, t1) in cache_tiles(out.len() / n, k, MR) {
            for panel in &self.panels {
                let tile_job = Tile {
                    g,
                    n,
                    a: input.as_ptr(),
                    b: self.data[panel.offset..][..k * panel.width].as_ptr(),
                    bias: self.bias[panel.offset / k..][..panel.width].as_ptr(),
                    out: out.as_mut_ptr(),
                    shortcut: s_ptr,
                    col: panel.col,
                    cols: panel.width.min(n - panel.col),
                    relu6,
                };
                // SAFETY: every row p in t0..t1 < pixels; see `Tile`.
                unsafe {
                    if panel.width == 16 {
                        tile_job.rows::<2>(t0, t1);
                    } else {
                        tile_job.rows::<1>(t0, t1);
                    }
                }
            }
        }
    }

    /// SAFETY: AVX-512F present; shapes as for [`Self::run_avx2`].
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn run_avx512(
        &self,
        input: &[f32],
        g: Gather,
        out: &mut [f32],
        act: Activation,
        shortcut: Option<&[f32]>,
    ) {
        let (k, n) = (self.inputs, self.outputs);
        let relu6 = act == Activation::Relu6;
        let s_ptr = shortcut.map_or(std::ptr::null(), |s| s.as_ptr());
        let lanes = |p: &Panel| Lanes {
            b: self.data[p.offset..][..k * p.width].as_ptr(),
            bias: self.bias[p.offset / k..][..p.width].as_ptr(),
            col: p.col,
            cols: p.width.min(n - p.col),
        };
        for (t0, t1) in cache_tiles(out.len() / n, k, MR512) {
            // Two panels at a time: each broadcast input value feeds both.
            for pair in self.panels.chunks(2) {
                let first = lanes(&pair[0]);
                let job = Tile512 {
                    g,
                    n,
                    a: input.as_ptr(),
                    out: out.as_mut_ptr(),
                    shortcut: s_ptr,
                    relu6,
                    lanes: [first, pair.get(1).map_or(first, lanes)],
                };
                // SAFETY: every row p in t0..t1 < pixels; only the last panel
                // can be 8 wide; see `Tile512`.
                unsafe {
                    match (pair.len(), pair[pair.len() - 1].width == 8) {
                        (2, false) => job.rows::<2, false>(t0, t1),
                        (2, true) => job.rows::<2, true>(t0, t1),
                        (_, false) => job.rows::<1, false>(t0, t1),
                        (_, true) => job.rows::<1, true>(t0, t1),
                    }
                }
            }
        }
    }
}

/// Pixel ranges `(t0, t1)` of the SIMD kernels' cache tiles, whole register
/// tiles of `rows` pixels: a tile's inputs (≤ 64 KiB) are read once per
/// panel, and a panel's weights stay in L1/L2 over the tile.
#[cfg(target_arch = "x86_64")]
fn cache_tiles(pixels: usize, inputs: usize, rows: usize) -> impl Iterator<Item = (usize, usize)> {
    let tile = (16 * 1024 / inputs).max(rows) / rows * rows;
    (0..pixels)
        .step_by(tile)
        .map(move |t0| (t0, (t0 + tile).min(pixels)))
}

/// One packed panel as the AVX-512 kernel reads it: `b` its `k × width`
/// weights, `bias` its `width` biases, output channels `col .. col + cols`.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Lanes {
    b: *const f32,
    bias: *const f32,
    col: usize,
    cols: usize,
}

/// One or two panels over a range of pixels, one 16-lane register per panel
/// row (the low 8 lanes for an 8-wide last panel). Pointers: `a` the
/// input as `g` reads it, `out` and `shortcut` (or null) `[pixels, n]`.
#[cfg(target_arch = "x86_64")]
struct Tile512 {
    g: Gather,
    n: usize,
    a: *const f32,
    out: *mut f32,
    shortcut: *const f32,
    relu6: bool,
    lanes: [Lanes; 2],
}

#[cfg(target_arch = "x86_64")]
impl Tile512 {
    /// SAFETY: AVX-512F; `t1` at most the pixel count the pointers were made for;
    /// `HALF` exactly when the last of the `V` panels is 8 wide.
    #[target_feature(enable = "avx512f")]
    unsafe fn rows<const V: usize, const HALF: bool>(&self, t0: usize, t1: usize) {
        let mut p = t0;
        // SAFETY (all calls): p + R ≤ t1.
        unsafe {
            while p + MR512 <= t1 {
                self.micro::<MR512, V, HALF>(p);
                p += MR512;
            }
            match t1 - p {
                11 => self.micro::<11, V, HALF>(p),
                10 => self.micro::<10, V, HALF>(p),
                9 => self.micro::<9, V, HALF>(p),
                8 => self.micro::<8, V, HALF>(p),
                7 => self.micro::<7, V, HALF>(p),
                6 => self.micro::<6, V, HALF>(p),
                5 => self.micro::<5, V, HALF>(p),
                4 => self.micro::<4, V, HALF>(p),
                3 => self.micro::<3, V, HALF>(p),
                2 => self.micro::<2, V, HALF>(p),
                1 => self.micro::<1, V, HALF>(p),
                _ => {}
            }
        }
    }

    /// Pixels `p .. p + R`: R × V accumulators in registers.
    /// SAFETY: as for [`Self::rows`], and `p + R` at most the pixel count.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn micro<const R: usize, const V: usize, const HALF: bool>(&self, p: usize) {
        let g = self.g;
        // Panel v is 8 wide (low lanes, loaded masked) only when it is the last and HALF.
        let half = |v: usize| HALF && v == V - 1;
        // SAFETY: `g` reads inside the input for rows p..p+R; panel v has k rows
        // of 16 (or 8) weights and as many biases; stores go to columns
        // col..col+cols of rows p..p+R, masked to `cols`.
        unsafe {
            let load = |v: usize, ptr: *const f32| {
                if half(v) {
                    _mm512_maskz_loadu_ps(0xff, ptr)
                } else {
                    _mm512_loadu_ps(ptr)
                }
            };
            let a = self.a.add(p * g.stride);
            let mut acc = [[_mm512_setzero_ps(); V]; R];
            for v in 0..V {
                let b = load(v, self.lanes[v].bias);
                for row in acc.iter_mut() {
                    row[v] = b;
                }
            }
            for seg in 0..g.segments {
                let a = a.add(seg * g.step);
                for i in 0..g.run {
                    let wi = seg * g.run + i;
                    let mut b = [_mm512_setzero_ps(); V];
                    for (v, b) in b.iter_mut().enumerate() {
                        let width = if half(v) { 8 } else { 16 };
                        *b = load(v, self.lanes[v].b.add(wi * width));
                    }
                    for (r, row) in acc.iter_mut().enumerate() {
                        let x = _mm512_set1_ps(*a.add(r * g.stride + i));
                        for v in 0..V {
                            row[v] = _mm512_fmadd_ps(x, b[v], row[v]);
                        }
                    }
                }
            }
            let (zero, six) = (_mm512_setzero_ps(), _mm512_set1_ps(6.0));
            for (r, row) in acc.iter().enumerate() {
                for (v, &x) in row.iter().enumerate() {
                    let Lanes { col, cols, .. } = self.lanes[v];
                    let at = (p + r) * self.n + col;
                    let mask = if cols == 16 { 0xffff } else { (1u16 << cols) - 1 };
                    let mut x = x;
                    if self.relu6 {
                        x = _mm512_min_ps(_mm512_max_ps(x, zero), six);
                    }
                    if !self.shortcut.is_null() {
                        x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask, self.shortcut.add(at)));
                    }
                    _mm512_mask_storeu_ps(self.out.add(at), mask, x);
                }
            }
        }
    }
}

/// One panel over a range of pixels. Pointers: `a` the input as `g` reads
/// it, `b` the panel's `k × 8V` weights, `bias` its `8V` biases, `out` and
/// `shortcut` (or null) `[pixels, n]`; the panel covers output channels
/// `col .. col + cols`, `cols ≤ 8V`, and `col + 8V ≤ n` whenever `cols == 8V`.
#[cfg(target_arch = "x86_64")]
struct Tile {
    g: Gather,
    n: usize,
    a: *const f32,
    b: *const f32,
    bias: *const f32,
    out: *mut f32,
    shortcut: *const f32,
    col: usize,
    cols: usize,
    relu6: bool,
}

#[cfg(target_arch = "x86_64")]
impl Tile {
    /// SAFETY: AVX2 + FMA; `t1` at most the pixel count the pointers were made for.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn rows<const V: usize>(&self, t0: usize, t1: usize) {
        let mut p = t0;
        // SAFETY (all calls): p + R ≤ t1.
        unsafe {
            while p + MR <= t1 {
                self.micro::<MR, V>(p);
                p += MR;
            }
            match t1 - p {
                5 => self.micro::<5, V>(p),
                4 => self.micro::<4, V>(p),
                3 => self.micro::<3, V>(p),
                2 => self.micro::<2, V>(p),
                1 => self.micro::<1, V>(p),
                _ => {}
            }
        }
    }

    /// Pixels `p .. p + R` of the panel: R × V accumulators in registers.
    /// SAFETY: AVX2 + FMA; `p + R` at most the pixel count.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn micro<const R: usize, const V: usize>(&self, p: usize) {
        let (g, n) = (self.g, self.n);
        // SAFETY: `g` reads inside the input for rows p..p+R; `b` has k rows of 8V;
        // `bias` 8V; stores go to columns col..col+8V of rows p..p+R, inside
        // the row when cols == 8V, else through a buffer of `cols` values.
        unsafe {
            let a = self.a.add(p * g.stride);
            let mut acc = [[_mm256_setzero_ps(); V]; R];
            for v in 0..V {
                let b = _mm256_loadu_ps(self.bias.add(8 * v));
                for row in acc.iter_mut() {
                    row[v] = b;
                }
            }
            for seg in 0..g.segments {
                let a = a.add(seg * g.step);
                for i in 0..g.run {
                    let wi = seg * g.run + i;
                    let mut b = [_mm256_setzero_ps(); V];
                    for (v, b) in b.iter_mut().enumerate() {
                        *b = _mm256_loadu_ps(self.b.add(wi * 8 * V + 8 * v));
                    }
                    for (r, row) in acc.iter_mut().enumerate() {
                        let x = _mm256_broadcast_ss(&*a.add(r * g.stride + i));
                        for v in 0..V {
                            row[v] = _mm256_fmadd_ps(x, b[v], row[v]);
                        }
                    }
                }
            }
            if self.relu6 {
                let (zero, six) = (_mm256_setzero_ps(), _mm256_set1_ps(6.0));
                for row in acc.iter_mut() {
                    for v in row.iter_mut() {
                        *v = _mm256_min_ps(_mm256_max_ps(*v, zero), six);
                    }
                }
            }
            let full = self.cols == 8 * V;
            for (r, row) in acc.iter().enumerate() {
                let at = (p + r) * n + self.col;
                if full {
                    for (v, &x) in row.iter().enumerate() {
                        let mut x = x;
                        if !self.shortcut.is_null() {
                            x = _mm256_add_ps(x, _mm256_loadu_ps(self.shortcut.add(at + 8 * v)));
                        }
                        _mm256_storeu_ps(self.out.add(at + 8 * v), x);
                    }
                } else {
                    let mut buf = [0.0f32; 16];
                    for (v, &x) in row.iter().enumerate() {
                        _mm256_storeu_ps(buf.as_mut_ptr().add(8 * v), x);
                    }
                    for (c, &x) in buf.iter().enumerate().take(self.cols) {
                        let s = if self.shortcut.is_null() {
                            0.0
                        } else {
                            *self.shortcut.add(at + c)
                        };
                        *self.out.add(at + c) = x + s;
                    }
                }
            }
        }
    }
}

/// The outputs along one axis whose `kernel` taps (at `stride`, `pad` inputs
/// of padding before) all lie inside the `size` inputs, of `out` outputs.
pub(crate) fn all_taps_inside(
    pad: usize,
    size: usize,
    kernel: usize,
    stride: usize,
    out: usize,
) -> std::ops::Range<usize> {
    let first = pad.div_ceil(stride).min(out);
    let last = if size + pad >= kernel {
        ((size + pad - kernel) / stride + 1).min(out)
    } else {
        0
    };
    first..last.max(first)
}

/// Output pixels per group of the SIMD depthwise kernels.
#[cfg(target_arch = "x86_64")]
const DW_PIXELS: usize = 8;

/// The depthwise row kernels for one vector width (AVX2's 8 lanes, AVX-512's
/// 16), with the kernel size `K` and stride `S` as constants. Per channel
/// group and kernel row, a group of eight output pixels keeps its
/// accumulators and the row's `K` weights in registers while the inputs
/// under it stream past once, each feeding every pixel whose window holds
/// it: `(8 − 1) × S + K` loads per kernel row for `8 × K` FMAs, where
/// loading each tap's input afresh took `8 × K` loads, from maps that
/// outgrow L1.
macro_rules! depthwise_row {
    ($(#[$doc:meta])* $row:ident, $group:ident, $feature:literal, $lanes:literal, $vec:ty,
     $load:ident, $store:ident, $fmadd:ident, $set1:ident, $setzero:ident, $min:ident, $max:ident) => {
        $(#[$doc])*
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feature)]
        unsafe fn $row<const K: usize, const S: usize>(
            &self,
            input: &[f32],
            weight: &[f32],
            bias: &[f32],
            oy: usize,
            row: &mut [f32],
        ) {
            let inner = all_taps_inside(self.pad[1], self.width, K, S, self.out_width);
            for ox in (0..self.out_width).step_by(DW_PIXELS) {
                // SAFETY: as this function's.
                unsafe {
                    if ox >= inner.start && ox + DW_PIXELS <= inner.end {
                        self.$group::<K, S, true>(input, weight, bias, oy, ox, row)
                    } else {
                        self.$group::<K, S, false>(input, weight, bias, oy, ox, row)
                    }
                }
            }
        }

        /// The group of output pixels from `ox`; `INSIDE`: all their taps
        /// lie inside the row, so no column needs checking.
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feature)]
        unsafe fn $group<const K: usize, const S: usize, const INSIDE: bool>(
            &self,
            input: &[f32],
            weight: &[f32],
            bias: &[f32],
            oy: usize,
            ox: usize,
            row: &mut [f32],
        ) {
            let (c, w) = (self.channels, self.width);
            let [pad_y, pad_x] = self.pad;
            let n = (self.out_width - ox).min(DW_PIXELS);
            // The input column under the window's first value (wraps below
            // zero at the left edge, and back again at its taps inside).
            let first = (ox * S).wrapping_sub(pad_x);
            let (inp, wt, out) = (input.as_ptr(), weight.as_ptr(), row.as_mut_ptr());
            let (zero, six) = ($setzero(), $set1(6.0));
            // SAFETY: rows come from `taps`, inside the input; a column ix is
            // read only when it lies in [0, w) (every one of an `INSIDE`
            // group does); channel offsets cb + lanes ≤ c; stores go to the
            // group's n pixels, inside the row.
            unsafe {
                for cb in (0..c).step_by($lanes) {
                    let mut acc = [$load(bias.as_ptr().add(cb)); DW_PIXELS];
                    for ky in self.taps(oy, pad_y, self.height) {
                        let line = inp.add((oy * S + ky - pad_y) * w * c + cb);
                        let mut wv: [$vec; K] = [zero; K];
                        for (kx, wv) in wv.iter_mut().enumerate() {
                            *wv = $load(wt.add((ky * K + kx) * c + cb));
                        }
                        // Unrolled to the longest window (stride 2, 5 × 5), so
                        // that every index below is a constant.
                        const { assert!((DW_PIXELS - 1) * S + K <= 19) };
                        seq_macro::seq!(I in 0..19 {
                            let ix = first.wrapping_add(I);
                            if I < (DW_PIXELS - 1) * S + K && (INSIDE || ix < w) {
                                let v = $load(line.add(ix * c));
                                for (j, acc) in acc.iter_mut().enumerate() {
                                    let kx = (I as usize).wrapping_sub(j * S);
                                    if kx < K {
                                        *acc = $fmadd(v, wv[kx], *acc);
                                    }
                                }
                            }
                        });
                    }
                    for (j, acc) in acc.iter().enumerate().take(n) {
                        $store(out.add((ox + j) * c + cb), $min($max(*acc, zero), six));
                    }
                }
            }
        }
    };
}

/// The shape of a depthwise k × k convolution with TF "SAME" padding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Depthwise {
    pub height: usize,
    pub width: usize,
    pub channels: usize,
    pub kernel: usize,
    pub stride: usize,
    /// Padding before, rows and columns.
    pub pad: [usize; 2],
    pub out_width: usize,
}

impl Depthwise {
    /// Taps `first..last` of one axis that fall inside the input for output `o`.
    fn taps(&self, o: usize, pad: usize, size: usize) -> std::ops::Range<usize> {
        let first = pad.saturating_sub(o * self.stride);
        let last = (size + pad).saturating_sub(o * self.stride).min(self.kernel);
        first..last.max(first)
    }

    /// Output row `oy` (`out_width × channels`) from `input` (`height × width ×
    /// channels`), `weight` (`kernel² × channels`) and `bias`, ReLU6 applied.
    pub(crate) fn row(&self, input: &[f32], weight: &[f32], bias: &[f32], oy: usize, row: &mut [f32]) {
        self.row_with(Isa::best(), input, weight, bias, oy, row)
    }

    pub(crate) fn row_with(
        &self,
        isa: Isa,
        input: &[f32],
        weight: &[f32],
        bias: &[f32],
        oy: usize,
        row: &mut [f32],
    ) {
        let c = self.channels;
        assert_eq!(input.len(), self.height * self.width * c);
        assert_eq!(weight.len(), self.kernel * self.kernel * c);
        assert_eq!(bias.len(), c);
        assert_eq!(row.len(), self.out_width * c);
        type Row = unsafe fn(&Depthwise, &[f32], &[f32], &[f32], usize, &mut [f32]);
        #[cfg(target_arch = "x86_64")]
        let simd: Option<Row> = match (isa.checked(), self.kernel, self.stride) {
            (Isa::Avx512, 3, 1) if c.is_multiple_of(16) => Some(Self::row_avx512::<3, 1>),
            (Isa::Avx512, 3, 2) if c.is_multiple_of(16) => Some(Self::row_avx512::<3, 2>),
            (Isa::Avx512, 5, 1) if c.is_multiple_of(16) => Some(Self::row_avx512::<5, 1>),
            (Isa::Avx512, 5, 2) if c.is_multiple_of(16) => Some(Self::row_avx512::<5, 2>),
            (Isa::Avx512 | Isa::Avx2, 3, 1) if c.is_multiple_of(8) => Some(Self::row_avx2::<3, 1>),
            (Isa::Avx512 | Isa::Avx2, 3, 2) if c.is_multiple_of(8) => Some(Self::row_avx2::<3, 2>),
            (Isa::Avx512 | Isa::Avx2, 5, 1) if c.is_multiple_of(8) => Some(Self::row_avx2::<5, 1>),
            (Isa::Avx512 | Isa::Avx2, 5, 2) if c.is_multiple_of(8) => Some(Self::row_avx2::<5, 2>),
            _ => None,
        };
        #[cfg(not(target_arch = "x86_64"))]
        let simd: Option<Row> = {
            let _ = isa; // the scalar path is the only one
            None
        };
        match simd {
            // SAFETY: `checked` holds the CPU has the instructions; lengths asserted above.
            Some(row_simd) => unsafe { row_simd(self, input, weight, bias, oy, row) },
            None => self.row_scalar(input, weight, bias, oy, row),
        }
    }

    fn row_scalar(&self, input: &[f32], weight: &[f32], bias: &[f32], oy: usize, row: &mut [f32]) {
        let (k, s, c) = (self.kernel, self.stride, self.channels);
        let [pad_y, pad_x] = self.pad;
        let kys = self.taps(oy, pad_y, self.height);
        for (ox, acc) in row.chunks_exact_mut(c).enumerate() {
            acc.copy_from_slice(bias);
            for ky in kys.clone() {
                let iy = oy * s + ky - pad_y;
                for kx in self.taps(ox, pad_x, self.width) {
                    let ix = ox * s + kx - pad_x;
                    let px = &input[(iy * self.width + ix) * c..][..c];
                    let w = &weight[(ky * k + kx) * c..][..c];
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

    depthwise_row!(
        /// SAFETY: AVX2 + FMA; `channels % 8 == 0`; lengths as asserted in `row_with`.
        row_avx2, group_avx2, "avx2,fma", 8, __m256, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_fmadd_ps,
        _mm256_set1_ps, _mm256_setzero_ps, _mm256_min_ps, _mm256_max_ps
    );
    depthwise_row!(
        /// SAFETY: AVX-512F; `channels % 16 == 0`; lengths as asserted in `row_with`.
        row_avx512, group_avx512, "avx512f", 16, __m512, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_fmadd_ps,
        _mm512_set1_ps, _mm512_setzero_ps, _mm512_min_ps, _mm512_max_ps
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic pseudo-random sequence in [-1, 1).
    fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    fn close(a: &[f32], b: &[f32], what: &str) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                (x - y).abs() <= 1e-4 * (1.0 + y.abs()),
                "{what}: [{i}] {x} vs {y}"
            );
        }
    }

    #[test]
    fn pointwise_matches_a_plain_product() {
        // Odd channel counts (panel tails of 8 and 16, partial ones) and pixel
        // counts that leave every register-tile tail.
        for &(pixels, k, n) in &[
            (1, 1, 1),
            (7, 3, 5),
            (13, 16, 24),
            (25, 24, 40),
            (6, 17, 33),
            (50, 96, 1000),
            (11, 27, 32),
            (4, 1200, 16),
        ] {
            let input = values(pixels * k, 1);
            let weight = values(k * n, 2);
            let bias = values(n, 3);
            let short = values(pixels * n, 4);
            let packed = Pointwise::new(k, n, &weight, &bias);
            for act in [Activation::None, Activation::Relu6] {
                for shortcut in [None, Some(short.as_slice())] {
                    let mut want = vec![0.0; pixels * n];
                    for p in 0..pixels {
                        for o in 0..n {
                            let mut v = bias[o];
                            for i in 0..k {
                                v += input[p * k + i] * weight[i * n + o];
                            }
                            want[p * n + o] = act.apply(v) + shortcut.map_or(0.0, |s| s[p * n + o]);
                        }
                    }
                    for isa in Isa::available() {
                        let mut got = vec![f32::NAN; pixels * n];
                        packed.run_with(isa, &input, Gather::dense(k), &mut got, act, shortcut);
                        close(&got, &want, &format!("{pixels}×{k}→{n} {act:?} {isa:?}"));
                    }
                }
            }
        }
    }

    #[test]
    fn gathered_inputs_are_read_in_place() {
        // A 3 × 3 stride-2 stem over a 9 × 23 RGB image, one output row of
        // 11 pixels read in place (12-pixel tiles leave a tail), and 40
        // outputs (a pair of 16 and an 8-wide panel).
        let (w, c, k, s, n) = (23, 3, 3, 2, 40);
        let image = values(9 * w * c, 8);
        let g = Gather {
            stride: s * c,
            run: k * c,
            segments: k,
            step: w * c,
        };
        let pixels = (w - k) / s + 1;
        let weight = values(k * k * c * n, 9);
        let bias = values(n, 10);
        let packed = Pointwise::new(k * k * c, n, &weight, &bias);
        let input = &image[2 * w * c..]; // from image row 2
        let mut want = vec![0.0; pixels * n];
        for p in 0..pixels {
            for o in 0..n {
                let mut v = bias[o];
                for (i, x) in (0..k)
                    .flat_map(|ky| &input[p * s * c + ky * w * c..][..k * c])
                    .enumerate()
                {
                    v += x * weight[i * n + o];
                }
                want[p * n + o] = v.clamp(0.0, 6.0);
            }
        }
        for isa in Isa::available() {
            let mut got = vec![f32::NAN; pixels * n];
            packed.run_with(isa, input, g, &mut got, Activation::Relu6, None);
            close(&got, &want, &format!("gathered {isa:?}"));
        }
    }

    #[test]
    fn depthwise_matches_a_plain_convolution() {
        let cases: [(usize, usize, usize, usize, usize); 15] = [
            (5, 7, 8, 3, 1),
            (6, 30, 48, 5, 1), // groups of eight with every tap inside
            (5, 41, 32, 3, 2),
            (4, 44, 24, 5, 2),
            (14, 14, 40, 5, 1), // edge pixels in every group of four, taps skipped
            (14, 14, 80, 5, 1), // the same in 16-lane channel groups
            (9, 7, 96, 3, 2),
            (9, 6, 56, 3, 2),
            (4, 5, 32, 5, 1),
            (9, 13, 16, 3, 2),
            (11, 10, 24, 5, 1),
            (12, 17, 8, 5, 2),
            (3, 3, 5, 3, 1), // channels not a multiple of 8: scalar even with SIMD
            (1, 1, 8, 5, 1),
            (2, 9, 16, 5, 2),
        ];
        for (h, w, c, k, s) in cases {
            let out_h = h.div_ceil(s);
            let out_w = w.div_ceil(s);
            let pad = |size: usize, out: usize| ((out - 1) * s + k).saturating_sub(size) / 2;
            let geom = Depthwise {
                height: h,
                width: w,
                channels: c,
                kernel: k,
                stride: s,
                pad: [pad(h, out_h), pad(w, out_w)],
                out_width: out_w,
            };
            let input = values(h * w * c, 5);
            let weight: Vec<f32> = values(k * k * c, 6).iter().map(|v| v * 3.0).collect();
            let bias = values(c, 7);
            let mut want = vec![0.0; out_h * out_w * c];
            for oy in 0..out_h {
                for ox in 0..out_w {
                    for ch in 0..c {
                        let mut v = bias[ch];
                        for ky in 0..k {
                            for kx in 0..k {
                                let iy = (oy * s + ky) as isize - geom.pad[0] as isize;
                                let ix = (ox * s + kx) as isize - geom.pad[1] as isize;
                                if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w {
                                    let (iy, ix) = (iy as usize, ix as usize);
                                    v += input[(iy * w + ix) * c + ch] * weight[(ky * k + kx) * c + ch];
                                }
                            }
                        }
                        want[(oy * out_w + ox) * c + ch] = v.clamp(0.0, 6.0);
                    }
                }
            }
            for isa in Isa::available() {
                let mut got = vec![f32::NAN; out_h * out_w * c];
                for (oy, row) in got.chunks_exact_mut(out_w * c).enumerate() {
                    geom.row_with(isa, &input, &weight, &bias, oy, row);
                }
                close(&got, &want, &format!("{h}×{w}×{c} k{k} s{s} {isa:?}"));
            }
        }
    }
}
