//! The demo line's camera: generated parts riding a conveyor past a fixed
//! camera, now and then one with a visible defect. A frame source like any
//! camera, and it knows the truth of every part it showed, for tests.

use std::time::Instant;

use image::{Rgb, RgbImage, imageops};
use linesight_vision::source::{Frame, FrameSource, Pacer, SourceError};

use crate::{Category, Defect, render_defect, render_good, rng::Rng};

#[derive(Debug, Clone, PartialEq)]
pub struct ConveyorSpec {
    pub category: Category,
    pub frame_width: u32,
    pub frame_height: u32,
    /// Side of each square part image (the part on its tray).
    pub part_size: u32,
    /// Belt travel per frame, in pixels.
    pub speed: u32,
    /// Belt between two parts, in pixels.
    pub gap: u32,
    /// Share of parts with a defect.
    pub defect_rate: f32,
    pub fps: f64,
    pub seed: u64,
}

impl ConveyorSpec {
    /// The demo line: washers, 640 × 360 at 30 fps, a part every 32 frames
    /// centred under the camera, one in six defective. Parts are rendered at
    /// 256 px, the size the demo model was taught on, a part's width apart so
    /// that the camera sees the empty belt between two.
    pub fn demo() -> Self {
        Self {
            category: Category::Washer,
            frame_width: 640,
            frame_height: 360,
            part_size: 256,
            speed: 16,
            gap: 256,
            defect_rate: 1.0 / 6.0,
            fps: 30.0,
            seed: 1,
        }
    }

    fn pitch(&self) -> i64 {
        (self.part_size + self.gap) as i64
    }

    fn centre_x(&self) -> i64 {
        ((self.frame_width - self.part_size) / 2) as i64
    }

    /// Left edge of the first part: out of view, a whole number of steps
    /// before the centre, so that every part is drawn exactly centred once.
    fn first_x(&self) -> i64 {
        let p = self.pitch();
        self.centre_x() - p * ((self.centre_x() + self.part_size as i64 + p - 1) / p)
    }

    /// The part (by index) drawn exactly centred on frame `seq`, if any.
    pub fn centred_part(&self, seq: u64) -> Option<u64> {
        let travelled = seq as i64 * self.speed as i64 - (self.centre_x() - self.first_x());
        (travelled >= 0 && travelled % self.pitch() == 0).then(|| (travelled / self.pitch()) as u64)
    }

    /// Where a part sits when it is centred under the camera (x, y, w, h):
    /// the ROI a station watches.
    pub fn inspection_roi(&self) -> [u32; 4] {
        [
            (self.frame_width - self.part_size) / 2,
            (self.frame_height - self.part_size) / 2,
            self.part_size,
            self.part_size,
        ]
    }
}

/// A part on the belt: its image and its left edge.
struct Part {
    image: RgbImage,
    x: i64,
}

const BELT: Rgb<u8> = Rgb([58, 62, 66]);
const RAIL: Rgb<u8> = Rgb([120, 124, 128]);

pub struct Conveyor {
    spec: ConveyorSpec,
    pacer: Pacer,
    rng: Rng,
    parts: Vec<Part>,
    next_index: u64,
    seq: u64,
    truth: Vec<(u64, Option<Defect>)>,
}

impl Conveyor {
    pub fn new(spec: ConveyorSpec) -> Self {
        Self {
            pacer: Pacer::new(spec.fps),
            rng: Rng::new(spec.seed),
            parts: Vec::new(),
            next_index: 0,
            seq: 0,
            truth: Vec::new(),
            spec,
        }
    }

    /// Every part that has entered the frame so far, in order: index and defect.
    pub fn truth(&self) -> &[(u64, Option<Defect>)] {
        &self.truth
    }

    fn spawn(&mut self, x: i64) {
        let s = &self.spec;
        let seed = self.rng.next_u64();
        let defect = self
            .rng
            .chance(s.defect_rate)
            .then(|| s.category.defects()[self.rng.below(s.category.defects().len())]);
        // Severity 3: the demo's defects are meant to be seen.
        let image = match defect {
            Some(d) => render_defect(s.category, d, 3, seed, s.part_size)
                .map(|(img, _)| img)
                .unwrap_or_else(|_| render_good(s.category, seed, s.part_size)),
            None => render_good(s.category, seed, s.part_size),
        };
        self.truth.push((self.next_index, defect));
        self.parts.push(Part { image, x });
        self.next_index += 1;
    }

    /// Advances the belt one frame and draws it.
    fn step(&mut self) -> RgbImage {
        let s = self.spec.clone();
        let pitch = s.pitch();
        // A new part is placed one pitch behind the last, well out of view,
        // half a pitch out of phase with the centre: rendering it never
        // delays a frame that shows a part centred.
        let spawn_at = s.centre_x() + pitch / 2 - 2 * pitch;
        match self.parts.last() {
            None => self.spawn(s.first_x()),
            Some(p) if p.x >= spawn_at => {
                let x = p.x - pitch;
                self.spawn(x)
            }
            _ => {}
        }
        let mut frame = RgbImage::from_pixel(s.frame_width, s.frame_height, BELT);
        for y in [0, s.frame_height - 12] {
            imageops::replace(
                &mut frame,
                &RgbImage::from_pixel(s.frame_width, 12, RAIL),
                0,
                y as i64,
            );
        }
        let top = ((s.frame_height - s.part_size) / 2) as i64;
        for p in &self.parts {
            imageops::replace(&mut frame, &p.image, p.x, top);
        }
        for p in &mut self.parts {
            p.x += s.speed as i64;
        }
        self.parts.retain(|p| p.x < s.frame_width as i64);
        frame
    }
}

impl FrameSource for Conveyor {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        self.pacer.wait();
        let image = self.step();
        let seq = self.seq;
        self.seq += 1;
        Ok(Some(Frame {
            image,
            seq,
            captured: Instant::now(),
        }))
    }

    fn name(&self) -> String {
        format!("demo conveyor ({})", self.spec.category)
    }
}

impl Part {
    #[cfg(test)]
    fn centred(&self, spec: &ConveyorSpec) -> bool {
        self.x == spec.inspection_roi()[0] as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> ConveyorSpec {
        ConveyorSpec {
            part_size: 64,
            frame_width: 192,
            frame_height: 108,
            gap: 64,
            fps: 1000.0,
            ..ConveyorSpec::demo()
        }
    }

    #[test]
    fn parts_pass_centred_under_the_camera_at_the_pitch() {
        let spec = fast();
        let mut c = Conveyor::new(spec.clone());
        let mut centred_at = Vec::new();
        for frame in 0..40 {
            // Where parts are as this frame is drawn.
            let centred = c.parts.iter().any(|p| p.centred(&spec));
            let img = c.next_frame().unwrap().unwrap().image;
            assert_eq!(img.dimensions(), (192, 108));
            if centred {
                centred_at.push(frame);
            }
        }
        // Pitch 128 px at 16 px per frame: one centred part every 8 frames.
        let steps: Vec<i32> = centred_at.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            centred_at.len() >= 4 && steps.iter().all(|&d| d == 8),
            "{centred_at:?}"
        );
        let defects = c.truth().iter().filter(|t| t.1.is_some()).count();
        assert!(
            c.truth().len() >= 5 && defects < c.truth().len(),
            "{:?}",
            c.truth()
        );
    }

    #[test]
    fn the_spec_knows_which_frame_shows_which_part_centred() {
        let spec = fast();
        let mut c = Conveyor::new(spec.clone());
        for seq in 0..40 {
            let centred = c.parts.iter().any(|p| p.centred(&spec));
            c.next_frame().unwrap();
            assert_eq!(centred, spec.centred_part(seq).is_some(), "frame {seq}");
        }
        assert_eq!(spec.centred_part(8), Some(0));
        assert_eq!(spec.centred_part(16), Some(1));
    }

    #[test]
    fn same_seed_same_frames() {
        let mut a = Conveyor::new(fast());
        let mut b = Conveyor::new(fast());
        for _ in 0..10 {
            assert_eq!(
                a.next_frame().unwrap().unwrap().image,
                b.next_frame().unwrap().unwrap().image
            );
        }
    }
}
