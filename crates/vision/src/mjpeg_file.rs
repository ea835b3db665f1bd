//! A recorded MJPEG stream replayed as a frame source: a file of JPEG frames
//! one after another, as a camera's MJPEG stream is saved (`ffmpeg -c:v copy
//! out.mjpeg`, or an HTTP multipart dump, whose boundaries are skipped).
//!
//! Frames are found by walking the JPEG structure, not by searching for the
//! end marker: a frame's EXIF thumbnail is itself a whole JPEG, and only the
//! segment lengths tell it from the next frame. The file is read in chunks,
//! so a recording of any length replays in little memory.

use std::{
    fs::File,
    io::Read,
    path::{Path, PathBuf},
    time::Instant,
};

use crate::{
    convert::mjpeg_to_rgb,
    source::{Frame, FrameSource, Pacer, SourceError},
};

/// A frame larger than this is not a frame: the file is corrupt from there.
const MAX_FRAME: usize = 32 << 20;
const CHUNK: usize = 256 << 10;

/// Where the JPEG starting at `buf[0]` (which is FF D8) ends, or `None` when
/// `buf` does not hold all of it yet.
fn jpeg_end(buf: &[u8]) -> Option<usize> {
    let mut i = 2;
    // Marker segments up to the start of scan, each with its length.
    loop {
        while *buf.get(i)? == 0xFF && *buf.get(i + 1)? == 0xFF {
            i += 1; // fill bytes
        }
        if *buf.get(i)? != 0xFF {
            return Some(i); // not a marker: stop here, the decoder reports it
        }
        let marker = *buf.get(i + 1)?;
        match marker {
            0xD9 => return Some(i + 2),
            0x01 | 0xD0..=0xD7 => i += 2,
            _ => {
                let len = u16::from_be_bytes([*buf.get(i + 2)?, *buf.get(i + 3)?]) as usize;
                i += 2 + len;
                if marker == 0xDA {
                    break;
                }
            }
        }
    }
    // Entropy-coded data: FF 00 is a stuffed byte, FF D0–D7 a restart
    // marker; any other marker ends the scan (EOI, or a further scan).
    loop {
        if *buf.get(i)? == 0xFF {
            match *buf.get(i + 1)? {
                0x00 | 0xD0..=0xD7 | 0xFF => i += 1,
                0xD9 => return Some(i + 2),
                _ => return jpeg_end_from_marker(buf, i),
            }
        }
        i += 1;
    }
}

/// A progressive JPEG has more segments after its first scan: walk on.
fn jpeg_end_from_marker(buf: &[u8], at: usize) -> Option<usize> {
    // Re-enter the segment walk at `at` by pretending an SOI sits before it.
    let rest = &buf[at - 2..];
    jpeg_end(rest).map(|end| at - 2 + end)
}

/// A recorded MJPEG file, replayed at a set rate, once or in a loop.
pub struct MjpegFileSource {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
    fps: f64,
    pacer: Pacer,
    looped: bool,
    seq: u64,
}

impl MjpegFileSource {
    pub fn open(path: &Path, fps: f64, looped: bool) -> Result<Self, SourceError> {
        let file = File::open(path).map_err(|e| SourceError::Config {
            source_name: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            path: path.to_owned(),
            file,
            buf: Vec::new(),
            fps,
            pacer: Pacer::new(fps),
            looped,
            seq: 0,
        })
    }

    fn lost(&self, e: std::io::Error) -> SourceError {
        SourceError::Lost {
            source_name: self.name(),
            reason: e.to_string(),
        }
    }

    /// Reads more of the file; false at its end.
    fn fill(&mut self) -> Result<bool, SourceError> {
        let mut chunk = vec![0; CHUNK];
        let n = self.file.read(&mut chunk).map_err(|e| self.lost(e))?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }

    /// The next frame's bytes: `Ok(None)` at the end of the file, `Err` for
    /// a frame cut short or grown past [`MAX_FRAME`] (the rest is skipped).
    fn next_jpeg(&mut self) -> Result<Option<Vec<u8>>, SourceError> {
        loop {
            // Skip to the next start of image (boundaries, padding).
            match self.buf.windows(2).position(|w| w == [0xFF, 0xD8]) {
                Some(start) => {
                    self.buf.drain(..start);
                    if let Some(end) = jpeg_end(&self.buf) {
                        return Ok(Some(self.buf.drain(..end).collect()));
                    }
                }
                // Keep a last FF: it may start a marker the next chunk ends.
                None => {
                    let keep = usize::from(self.buf.last() == Some(&0xFF));
                    self.buf.drain(..self.buf.len() - keep);
                }
            }
            if self.buf.len() > MAX_FRAME {
                self.buf.clear();
                return Err(self.corrupt(format!("no end of frame within {MAX_FRAME} bytes")));
            }
            if !self.fill()? {
                let cut = self.buf.len() > 2;
                self.buf.clear();
                return if cut {
                    Err(self.corrupt("the last frame is cut short".into()))
                } else {
                    Ok(None)
                };
            }
        }
    }

    fn corrupt(&self, reason: String) -> SourceError {
        SourceError::Corrupt {
            source_name: self.name(),
            reason,
        }
    }
}

impl FrameSource for MjpegFileSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let jpeg = match self.next_jpeg()? {
            Some(jpeg) => jpeg,
            None if self.looped && self.seq > 0 => {
                let seq = self.seq;
                *self = Self {
                    seq,
                    ..Self::open(&self.path.clone(), self.fps, true)?
                };
                match self.next_jpeg()? {
                    Some(jpeg) => jpeg,
                    None => return Ok(None),
                }
            }
            None => return Ok(None),
        };
        self.pacer.wait();
        let seq = self.seq;
        self.seq += 1;
        let image = mjpeg_to_rgb(&jpeg, None).map_err(|e| self.corrupt(e.to_string()))?;
        Ok(Some(Frame {
            image,
            seq,
            captured: Instant::now(),
        }))
    }

    fn name(&self) -> String {
        self.path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use image::{Rgb, RgbImage};

    use super::*;

    fn jpeg(shade: u8) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        RgbImage::from_pixel(32, 24, Rgb([shade, shade, shade]))
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .unwrap();
        out.into_inner()
    }

    /// `frame` with an APP1 segment holding a whole JPEG (as EXIF thumbnails do).
    fn with_thumbnail(frame: &[u8], thumb: &[u8]) -> Vec<u8> {
        let len = (thumb.len() + 2) as u16;
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(thumb);
        out.extend_from_slice(&frame[2..]);
        out
    }

    fn shades(src: &mut MjpegFileSource, n: usize) -> Vec<Result<(u64, u8), String>> {
        (0..n)
            .map_while(|_| match src.next_frame() {
                Ok(Some(f)) => Some(Ok((f.seq, f.image.get_pixel(0, 0)[0]))),
                Ok(None) => None,
                Err(e) => Some(Err(e.to_string())),
            })
            .collect()
    }

    fn near(a: u8, b: u8) -> bool {
        a.abs_diff(b) <= 2
    }

    #[test]
    fn replays_each_frame_once_skipping_boundaries_and_embedded_thumbnails() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("line.mjpeg");
        let mut f = File::create(&path).unwrap();
        f.write_all(&jpeg(20)).unwrap();
        f.write_all(b"\r\n--boundary\r\nContent-Type: image/jpeg\r\n\r\n")
            .unwrap();
        f.write_all(&with_thumbnail(&jpeg(120), &jpeg(250))).unwrap();
        f.write_all(&jpeg(200)).unwrap();
        drop(f);

        let mut src = MjpegFileSource::open(&path, 500.0, false).unwrap();
        let got = shades(&mut src, 10);
        assert_eq!(got.len(), 3, "{got:?}");
        let expected = [(0, 20), (1, 120), (2, 200)];
        for (g, (seq, shade)) in got.iter().zip(expected) {
            let (s, v) = g.clone().unwrap();
            assert_eq!(s, seq);
            assert!(near(v, shade), "frame {s}: {v} vs {shade}");
        }
    }

    #[test]
    fn loops_and_reports_a_cut_frame_as_corrupt_then_ends() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cut.mjpeg");
        let whole = jpeg(60);
        let mut bytes = jpeg(10);
        bytes.extend_from_slice(&whole[..whole.len() / 2]);
        std::fs::write(&path, bytes).unwrap();

        let mut once = MjpegFileSource::open(&path, 500.0, false).unwrap();
        let got = shades(&mut once, 10);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[1].as_ref().unwrap_err().contains("cut short"));

        let mut looped = MjpegFileSource::open(&path, 500.0, true).unwrap();
        let seqs: Vec<u64> = shades(&mut looped, 6)
            .into_iter()
            .filter_map(Result::ok)
            .map(|(s, _)| s)
            .collect();
        assert_eq!(seqs, [0, 1, 2], "each good frame once per pass, numbered on");
    }

    #[test]
    fn a_file_with_no_frames_just_ends_and_a_missing_one_is_a_configuration_error() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("empty.mjpeg");
        std::fs::write(&path, b"no frames here").unwrap();
        let mut src = MjpegFileSource::open(&path, 500.0, true).unwrap();
        assert!(matches!(src.next_frame(), Ok(None)));
        assert!(matches!(
            MjpegFileSource::open(&tmp.path().join("nope.mjpeg"), 10.0, false),
            Err(SourceError::Config { .. })
        ));
    }
}
