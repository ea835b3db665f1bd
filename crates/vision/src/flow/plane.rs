//! Working buffers: a frame box-averaged down to the processing size, and
//! binary masks with the 3 × 3 morphology that cleans them.

use image::RgbImage;

use super::FlowError;

/// An RGB frame as floats (0..255) at the processing size.
#[derive(Debug, Clone, PartialEq)]
pub struct RgbPlane {
    pub w: usize,
    pub h: usize,
    pub px: Vec<[f32; 3]>,
}

impl RgbPlane {
    /// Box-averages `frame` by the smallest integer factor that makes it at
    /// most `max_width` wide: averaging, not sampling, also divides sensor
    /// noise, and keeps the cost of every later step fixed.
    pub fn from_frame(frame: &RgbImage, max_width: u32) -> Result<Self, FlowError> {
        let (fw, fh) = frame.dimensions();
        let f = fw.div_ceil(max_width.max(1)).max(1) as usize;
        let (w, h) = (fw as usize / f, fh as usize / f);
        if w == 0 || h == 0 {
            return Err(FlowError::EmptyFrame {
                width: fw,
                height: fh,
            });
        }
        let raw = frame.as_raw();
        let stride = fw as usize * 3;
        let norm = 1.0 / (f * f) as f32;
        let mut px = vec![[0.0f32; 3]; w * h];
        for (y, row) in px.chunks_exact_mut(w).enumerate() {
            for sy in y * f..(y + 1) * f {
                let src = &raw[sy * stride..sy * stride + w * f * 3];
                for (x, out) in row.iter_mut().enumerate() {
                    for p in src[x * f * 3..(x + 1) * f * 3].chunks_exact(3) {
                        out[0] += p[0] as f32;
                        out[1] += p[1] as f32;
                        out[2] += p[2] as f32;
                    }
                }
            }
            for p in row.iter_mut() {
                p.iter_mut().for_each(|v| *v *= norm);
            }
        }
        Ok(Self { w, h, px })
    }

    pub fn luma(&self) -> Vec<f32> {
        self.px.iter().map(|p| luma(*p)).collect()
    }
}

pub(crate) fn luma(p: [f32; 3]) -> f32 {
    0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
}

/// A binary mask (0 or 1 per pixel).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mask {
    pub w: usize,
    pub h: usize,
    pub v: Vec<u8>,
}

impl Mask {
    pub fn new(w: usize, h: usize) -> Self {
        Self {
            w,
            h,
            v: vec![0; w * h],
        }
    }

    pub fn count(&self) -> usize {
        self.v.iter().filter(|&&v| v != 0).count()
    }

    /// 3 × 3 erosion; the border is replicated, so that objects entering
    /// the frame are not eaten from the edge.
    pub fn erode(&self) -> Mask {
        self.filter3(|a, b, c| a & b & c)
    }

    /// 3 × 3 dilation.
    pub fn dilate(&self) -> Mask {
        self.filter3(|a, b, c| a | b | c)
    }

    /// Opening: drops specks and one-pixel lines (noise, edges shaken by the camera).
    pub fn open(&self) -> Mask {
        self.erode().dilate()
    }

    /// Closing: fills pinholes and one-pixel gaps inside an object.
    pub fn close(&self) -> Mask {
        self.dilate().erode()
    }

    /// Separable 3-tap filter with operator `op`, rows then columns.
    fn filter3(&self, op: impl Fn(u8, u8, u8) -> u8) -> Mask {
        let (w, h) = (self.w, self.h);
        let mut tmp = vec![0u8; w * h];
        for y in 0..h {
            let row = &self.v[y * w..(y + 1) * w];
            for x in 0..w {
                let l = row[x.saturating_sub(1)];
                let r = row[(x + 1).min(w - 1)];
                tmp[y * w + x] = op(l, row[x], r);
            }
        }
        let mut out = Mask::new(w, h);
        for y in 0..h {
            let (u, d) = (y.saturating_sub(1), (y + 1).min(h - 1));
            for x in 0..w {
                out.v[y * w + x] = op(tmp[u * w + x], tmp[y * w + x], tmp[d * w + x]);
            }
        }
        out
    }

    /// The mask as a grey image (255 = set), for an overlay.
    pub fn to_image(&self) -> image::GrayImage {
        image::GrayImage::from_fn(self.w as u32, self.h as u32, |x, y| {
            image::Luma([self.v[y as usize * self.w + x as usize] * 255])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downscale_averages_boxes_and_rejects_empty_frames() {
        let mut img = RgbImage::new(8, 4);
        for (x, _, p) in img.enumerate_pixels_mut() {
            *p = image::Rgb([if x % 2 == 0 { 0 } else { 200 }, 10, 20]);
        }
        let p = RgbPlane::from_frame(&img, 4).unwrap();
        assert_eq!((p.w, p.h), (4, 2));
        assert!(p.px.iter().all(|v| *v == [100.0, 10.0, 20.0]));
        // A frame narrower than the processing width is kept as is.
        assert_eq!(RgbPlane::from_frame(&img, 160).unwrap().w, 8);
        assert_eq!(
            RgbPlane::from_frame(&RgbImage::new(0, 5), 160),
            Err(FlowError::EmptyFrame { width: 0, height: 5 })
        );
        // A one-row frame shrunk by 2 has no rows left.
        assert!(RgbPlane::from_frame(&RgbImage::new(320, 1), 160).is_err());
    }

    #[test]
    fn opening_drops_specks_and_thin_lines_and_closing_fills_holes() {
        let mut m = Mask::new(12, 12);
        let mut set = |x: usize, y: usize| m.v[y * 12 + x] = 1;
        set(1, 1); // speck
        (0..12).for_each(|y| set(10, y)); // one-pixel line
        for y in 3..8 {
            for x in 3..8 {
                set(x, y);
            }
        }
        let opened = m.open();
        assert_eq!(opened.count(), 25, "only the 5 × 5 square survives");
        let mut holed = opened.clone();
        holed.v[5 * 12 + 5] = 0;
        assert_eq!(holed.close().v, opened.v);
    }
}
