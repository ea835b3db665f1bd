//! Raw camera buffers to RGB: packed YUYV 4:2:2, MJPEG, 24-bit RGB/BGR and
//! 8-bit grey, as V4L2 cameras deliver them.
//!
//! Every function checks the buffer against the frame size it was told and
//! returns a [`ConvertError`] for short, odd or corrupt data; none panics on
//! what a camera (or a broken USB transfer) hands it.

use std::{borrow::Cow, fmt, io::Cursor};

use image::{DynamicImage, RgbImage, codecs::jpeg::JpegDecoder};

/// The largest frame side accepted, in pixels (JPEG's own limit is 65535).
pub const MAX_SIDE: u32 = 16384;

/// A pixel format this module converts, named by its V4L2 FourCC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// `YUYV` (a.k.a. YUY2): packed 4:2:2, bytes Y0 U Y1 V per pixel pair.
    Yuyv,
    /// `MJPG`: one JPEG image per frame, often without Huffman tables.
    Mjpeg,
    /// `RGB3`: 24-bit R G B.
    Rgb24,
    /// `BGR3`: 24-bit B G R.
    Bgr24,
    /// `GREY`: 8-bit luma.
    Grey,
}

impl PixelFormat {
    pub const ALL: [PixelFormat; 5] = [Self::Yuyv, Self::Mjpeg, Self::Rgb24, Self::Bgr24, Self::Grey];

    /// The V4L2 FourCC, e.g. `*b"YUYV"`.
    pub const fn fourcc(self) -> [u8; 4] {
        match self {
            Self::Yuyv => *b"YUYV",
            Self::Mjpeg => *b"MJPG",
            Self::Rgb24 => *b"RGB3",
            Self::Bgr24 => *b"BGR3",
            Self::Grey => *b"GREY",
        }
    }

    /// The format of a V4L2 FourCC; `YUY2` and `JPEG` (the same byte layouts
    /// under other names) are accepted too. `None` for formats not converted here.
    pub fn from_fourcc(fourcc: &[u8; 4]) -> Option<Self> {
        match fourcc {
            b"YUYV" | b"YUY2" => Some(Self::Yuyv),
            b"MJPG" | b"JPEG" => Some(Self::Mjpeg),
            b"RGB3" => Some(Self::Rgb24),
            b"BGR3" => Some(Self::Bgr24),
            b"GREY" => Some(Self::Grey),
            _ => None,
        }
    }

    /// [`Self::from_fourcc`] for a FourCC as text, e.g. from the settings.
    pub fn from_fourcc_str(fourcc: &str) -> Option<Self> {
        <&[u8; 4]>::try_from(fourcc.as_bytes())
            .ok()
            .and_then(Self::from_fourcc)
    }

    /// Bytes per pixel of the uncompressed formats; `None` for MJPEG.
    pub const fn bytes_per_pixel(self) -> Option<usize> {
        match self {
            Self::Yuyv => Some(2),
            Self::Mjpeg => None,
            Self::Rgb24 | Self::Bgr24 => Some(3),
            Self::Grey => Some(1),
        }
    }
}

impl fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fourcc = self.fourcc();
        f.write_str(std::str::from_utf8(&fourcc).unwrap_or("????"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("{format}: frame size {width}x{height} is empty or larger than {MAX_SIDE} per side")]
    BadSize {
        format: PixelFormat,
        width: u32,
        height: u32,
    },
    #[error("YUYV: width {width} is odd (pixels come in pairs)")]
    OddWidth { width: u32 },
    #[error("{format}: row stride {stride} is shorter than a row of {row} bytes")]
    BadStride {
        format: PixelFormat,
        stride: usize,
        row: usize,
    },
    #[error("{format} {width}x{height}: buffer holds {actual} bytes, needs {expected}")]
    ShortBuffer {
        format: PixelFormat,
        width: u32,
        height: u32,
        expected: usize,
        actual: usize,
    },
    #[error("MJPEG: not a JPEG image (no start-of-image marker)")]
    NotJpeg,
    #[error("MJPEG: truncated: {0}")]
    Truncated(&'static str),
    #[error("MJPEG: corrupt: {0}")]
    Corrupt(String),
    #[error("MJPEG: image is {actual_width}x{actual_height}, expected {width}x{height}")]
    SizeMismatch {
        width: u32,
        height: u32,
        actual_width: u32,
        actual_height: u32,
    },
}

/// Converts one tightly packed frame (rows without padding) to RGB.
/// For MJPEG, `width` and `height` are what the JPEG must declare.
pub fn to_rgb(format: PixelFormat, data: &[u8], width: u32, height: u32) -> Result<RgbImage, ConvertError> {
    let stride = format.bytes_per_pixel().unwrap_or(0) * width as usize;
    to_rgb_strided(format, data, width, height, stride)
}

/// Converts one frame whose rows are `stride` bytes apart (V4L2's
/// `bytesperline`, which may include padding). `stride` is ignored for MJPEG.
pub fn to_rgb_strided(
    format: PixelFormat,
    data: &[u8],
    width: u32,
    height: u32,
    stride: usize,
) -> Result<RgbImage, ConvertError> {
    check_size(format, width, height)?;
    match format {
        PixelFormat::Mjpeg => mjpeg_to_rgb(data, Some((width, height))),
        PixelFormat::Yuyv => yuyv_to_rgb(data, width, height, stride),
        PixelFormat::Rgb24 => packed_to_rgb(format, data, width, height, stride, |px| [px[0], px[1], px[2]]),
        PixelFormat::Bgr24 => packed_to_rgb(format, data, width, height, stride, |px| [px[2], px[1], px[0]]),
        PixelFormat::Grey => packed_to_rgb(format, data, width, height, stride, |px| [px[0]; 3]),
    }
}

fn check_size(format: PixelFormat, width: u32, height: u32) -> Result<(), ConvertError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(ConvertError::BadSize {
            format,
            width,
            height,
        });
    }
    Ok(())
}

/// The rows of a raw frame, after checking stride and length. The last row
/// needs only its pixels, not the padding after them.
fn rows(
    format: PixelFormat,
    data: &[u8],
    width: u32,
    height: u32,
    stride: usize,
    bytes_per_pixel: usize,
) -> Result<impl Iterator<Item = &[u8]>, ConvertError> {
    check_size(format, width, height)?;
    let row = width as usize * bytes_per_pixel;
    if stride < row {
        return Err(ConvertError::BadStride { format, stride, row });
    }
    let expected = stride.saturating_mul(height as usize - 1).saturating_add(row);
    if data.len() < expected {
        return Err(ConvertError::ShortBuffer {
            format,
            width,
            height,
            expected,
            actual: data.len(),
        });
    }
    Ok((0..height as usize).map(move |y| &data[y * stride..y * stride + row]))
}

fn packed_to_rgb(
    format: PixelFormat,
    data: &[u8],
    width: u32,
    height: u32,
    stride: usize,
    pixel: impl Fn(&[u8]) -> [u8; 3],
) -> Result<RgbImage, ConvertError> {
    let bpp = format.bytes_per_pixel().unwrap_or(1);
    // Checked before allocating: the buffer must hold the frame.
    let rows = rows(format, data, width, height, stride, bpp)?;
    let mut out = Vec::with_capacity(width as usize * height as usize * 3);
    for row in rows {
        out.extend(row.chunks_exact(bpp).flat_map(&pixel));
    }
    Ok(RgbImage::from_raw(width, height, out).expect("buffer sized for the image"))
}

/// Packed YUYV 4:2:2 (Y0 U Y1 V) to RGB.
///
/// Uses BT.601 limited range ("studio swing": Y 16..235, Cb/Cr 16..240), the
/// convention of UVC webcams and of libv4l's own conversion; each pixel pair
/// shares its chroma sample (no interpolation). 16.16 fixed point with
/// rounding and clamping, within one level of the exact formula:
///
/// R = 1.164 (Y-16) + 1.596 (Cr-128)
/// G = 1.164 (Y-16) - 0.392 (Cb-128) - 0.813 (Cr-128)
/// B = 1.164 (Y-16) + 2.017 (Cb-128)
pub fn yuyv_to_rgb(data: &[u8], width: u32, height: u32, stride: usize) -> Result<RgbImage, ConvertError> {
    if width % 2 == 1 {
        return Err(ConvertError::OddWidth { width });
    }
    // The coefficients above times 65536: 255/219, 255/224 * 1.402,
    // 255/224 * 1.772 * 0.114/0.587, 255/224 * 1.402 * 0.299/0.587, 255/224 * 1.772.
    const Y: i32 = 76309;
    const R_CR: i32 = 104597;
    const G_CB: i32 = 25675;
    const G_CR: i32 = 53279;
    const B_CB: i32 = 132201;
    const HALF: i32 = 1 << 15;
    fn clamp(v: i32) -> u8 {
        (v >> 16).clamp(0, 255) as u8
    }

    let rows = rows(PixelFormat::Yuyv, data, width, height, stride, 2)?;
    let mut out = Vec::with_capacity(width as usize * height as usize * 3);
    for row in rows {
        for quad in row.chunks_exact(4) {
            let cb = i32::from(quad[1]) - 128;
            let cr = i32::from(quad[3]) - 128;
            let r = R_CR * cr + HALF;
            let g = -G_CB * cb - G_CR * cr + HALF;
            let b = B_CB * cb + HALF;
            for luma in [quad[0], quad[2]] {
                let y = Y * (i32::from(luma) - 16);
                out.extend([clamp(y + r), clamp(y + g), clamp(y + b)]);
            }
        }
    }
    Ok(RgbImage::from_raw(width, height, out).expect("buffer sized for the image"))
}

/// Decodes one MJPEG frame. `expected` (width, height) is checked against the
/// JPEG's frame header before anything is decoded, so a frame that claims a
/// huge size allocates nothing. Frames without Huffman tables get the
/// standard ones (see [`ensure_huffman_tables`]).
pub fn mjpeg_to_rgb(data: &[u8], expected: Option<(u32, u32)>) -> Result<RgbImage, ConvertError> {
    let layout = scan_jpeg(data)?;
    let (actual_width, actual_height) = (u32::from(layout.width), u32::from(layout.height));
    match expected {
        Some((width, height)) if (width, height) != (actual_width, actual_height) => {
            return Err(ConvertError::SizeMismatch {
                width,
                height,
                actual_width,
                actual_height,
            });
        }
        _ => check_size(PixelFormat::Mjpeg, actual_width, actual_height)?,
    }
    let jpeg = with_huffman_tables(data, &layout);
    let decoder = JpegDecoder::new(Cursor::new(&*jpeg)).map_err(|e| ConvertError::Corrupt(e.to_string()))?;
    let image = DynamicImage::from_decoder(decoder)
        .map_err(|e| ConvertError::Corrupt(e.to_string()))?
        .into_rgb8();
    if image.dimensions() != (actual_width, actual_height) {
        return Err(ConvertError::Corrupt(format!(
            "decoded {}x{}, the header says {actual_width}x{actual_height}",
            image.width(),
            image.height()
        )));
    }
    Ok(image)
}

/// The JPEG in `data` (up to its end-of-image marker: bytes after it, such as
/// a camera's buffer padding, are dropped), with the standard Huffman tables
/// of JPEG Annex K inserted before the first scan when it defines none.
/// UVC cameras commonly send MJPEG that way, relying on those tables (the
/// AVI1/OpenDML MJPEG convention). Structural damage (no start or end marker,
/// a segment running past the data) is an error.
pub fn ensure_huffman_tables(data: &[u8]) -> Result<Cow<'_, [u8]>, ConvertError> {
    let layout = scan_jpeg(data)?;
    Ok(with_huffman_tables(data, &layout))
}

fn with_huffman_tables<'a>(data: &'a [u8], layout: &JpegLayout) -> Cow<'a, [u8]> {
    let data = &data[..layout.end];
    if layout.has_dht {
        return Cow::Borrowed(data);
    }
    let mut out = Vec::with_capacity(data.len() + DEFAULT_DHT.len());
    out.extend_from_slice(&data[..layout.first_sos]);
    out.extend_from_slice(&DEFAULT_DHT);
    out.extend_from_slice(&data[layout.first_sos..]);
    Cow::Owned(out)
}

/// What [`scan_jpeg`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct JpegLayout {
    width: u16,
    height: u16,
    /// Offset of the first start-of-scan marker.
    first_sos: usize,
    /// A DHT segment comes before the first scan.
    has_dht: bool,
    /// Offset just past the end-of-image marker.
    end: usize,
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const DHT: u8 = 0xC4;

/// Walks the marker segments of a JPEG from SOI to EOI, skipping the
/// entropy-coded data of each scan, without decoding anything.
fn scan_jpeg(data: &[u8]) -> Result<JpegLayout, ConvertError> {
    if !data.starts_with(&[0xFF, SOI]) {
        return Err(ConvertError::NotJpeg);
    }
    let mut pos = 2;
    let mut size = None;
    let mut first_sos = None;
    let mut has_dht = false;
    loop {
        match data.get(pos) {
            None => return Err(ConvertError::Truncated("ends before the end-of-image marker")),
            Some(0xFF) => {}
            Some(_) => return Err(ConvertError::Corrupt(format!("no marker at byte {pos}"))),
        }
        // Any number of 0xFF fill bytes may precede a marker code.
        while data.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let marker_at = pos - 1;
        let Some(&marker) = data.get(pos) else {
            return Err(ConvertError::Truncated("ends inside a marker"));
        };
        pos += 1;
        match marker {
            EOI => {
                let (Some(first_sos), Some((width, height))) = (first_sos, size) else {
                    return Err(ConvertError::Corrupt(
                        "no image before the end-of-image marker".into(),
                    ));
                };
                return Ok(JpegLayout {
                    width,
                    height,
                    first_sos,
                    has_dht,
                    end: pos,
                });
            }
            // Standalone markers: TEM and restart markers carry no length.
            0x01 | 0xD0..=0xD7 => continue,
            0x00 | SOI => {
                return Err(ConvertError::Corrupt(format!(
                    "unexpected marker at byte {marker_at}"
                )));
            }
            _ => {}
        }
        let Some(len) = data.get(pos..pos + 2) else {
            return Err(ConvertError::Truncated("ends inside a segment header"));
        };
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        if len < 2 {
            return Err(ConvertError::Corrupt(format!(
                "segment length {len} at byte {marker_at}"
            )));
        }
        let Some(body) = data.get(pos + 2..pos + len) else {
            return Err(ConvertError::Truncated("ends inside a segment"));
        };
        match marker {
            DHT if first_sos.is_none() => has_dht = true,
            // Start-of-frame markers (0xC4 DHT, 0xC8 JPG and 0xCC DAC are not).
            0xC0..=0xCF if !matches!(marker, DHT | 0xC8 | 0xCC) => {
                if body.len() < 6 {
                    return Err(ConvertError::Corrupt("short frame header".into()));
                }
                let height = u16::from_be_bytes([body[1], body[2]]);
                let width = u16::from_be_bytes([body[3], body[4]]);
                if width == 0 || height == 0 {
                    return Err(ConvertError::Corrupt(format!(
                        "frame header declares {width}x{height}"
                    )));
                }
                size.get_or_insert((width, height));
            }
            SOS => {
                if size.is_none() {
                    return Err(ConvertError::Corrupt("scan before the frame header".into()));
                }
                first_sos.get_or_insert(marker_at);
            }
            _ => {}
        }
        pos += len;
        if marker == SOS {
            pos = skip_entropy_coded(data, pos)?;
        }
    }
}

/// The offset of the marker that ends the entropy-coded data starting at `pos`.
fn skip_entropy_coded(data: &[u8], mut pos: usize) -> Result<usize, ConvertError> {
    const TRUNCATED: ConvertError = ConvertError::Truncated("scan data ends without an end-of-image marker");
    loop {
        let ff = pos
            + data[pos.min(data.len())..]
                .iter()
                .position(|&b| b == 0xFF)
                .ok_or(TRUNCATED)?;
        match data.get(ff + 1) {
            None => return Err(TRUNCATED),
            // A stuffed zero, or a restart marker: still scan data.
            Some(0x00 | 0xD0..=0xD7) => pos = ff + 2,
            // A fill byte before a marker.
            Some(0xFF) => pos = ff + 1,
            Some(_) => return Ok(ff),
        }
    }
}

/// One DHT segment with the four standard Huffman tables of JPEG Annex K.3
/// (tables K.3 to K.6), in the order libjpeg writes them: DC 0 (luminance),
/// AC 0, DC 1 (chrominance), AC 1. 420 bytes, length field 0x01A2.
#[rustfmt::skip]
const DEFAULT_DHT: [u8; 420] = [
    0xFF, DHT, 0x01, 0xA2,
    // Class 0 (DC), id 0: Table K.3, code counts by length 1..16, then values.
    0x00,
    0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B,
    // Class 1 (AC), id 0: Table K.5.
    0x10,
    0x00, 0x02, 0x01, 0x03, 0x03, 0x02, 0x04, 0x03, 0x05, 0x05, 0x04, 0x04, 0x00, 0x00, 0x01, 0x7D,
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
    0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0,
    0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
    0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5,
    0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
    0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
    0xF9, 0xFA,
    // Class 0 (DC), id 1: Table K.4.
    0x01,
    0x00, 0x03, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B,
    // Class 1 (AC), id 1: Table K.6.
    0x11,
    0x00, 0x02, 0x01, 0x02, 0x04, 0x04, 0x03, 0x04, 0x07, 0x05, 0x04, 0x04, 0x00, 0x01, 0x02, 0x77,
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
    0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0,
    0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
    0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5,
    0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3,
    0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA,
    0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
    0xF9, 0xFA,
];

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// The frames of `tests/fixtures/frames` (see `make_reference.py` there):
    /// a 64x48 photo crop as YUYV and as JPEG, with references decoded by
    /// ImageMagick, numpy and Pillow/libjpeg.
    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/frames")
            .join(name)
    }

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(fixture(name)).unwrap()
    }

    fn png(name: &str) -> RgbImage {
        image::open(fixture(name)).unwrap().to_rgb8()
    }

    /// Largest per-channel difference, and how many channel values differ.
    fn max_diff(a: &RgbImage, b: &RgbImage) -> (u8, usize) {
        assert_eq!(a.dimensions(), b.dimensions());
        let diffs = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| x.abs_diff(*y));
        diffs.fold((0, 0), |(max, n), d| (max.max(d), n + usize::from(d > 0)))
    }

    #[test]
    fn convert_fourcc_round_trips_and_aliases() {
        for format in PixelFormat::ALL {
            assert_eq!(PixelFormat::from_fourcc(&format.fourcc()), Some(format));
            assert_eq!(PixelFormat::from_fourcc_str(&format.to_string()), Some(format));
        }
        assert_eq!(PixelFormat::from_fourcc(b"YUY2"), Some(PixelFormat::Yuyv));
        assert_eq!(PixelFormat::from_fourcc(b"JPEG"), Some(PixelFormat::Mjpeg));
        assert_eq!(PixelFormat::from_fourcc(b"H264"), None);
        assert_eq!(PixelFormat::from_fourcc_str("YUYV2"), None);
        assert_eq!(PixelFormat::from_fourcc_str(""), None);
        assert_eq!(PixelFormat::Mjpeg.to_string(), "MJPG");
    }

    #[test]
    fn convert_yuyv_matches_imagemagick_and_numpy() {
        let yuyv = read("coffee_64x48.yuyv");
        let ours = to_rgb(PixelFormat::Yuyv, &yuyv, 64, 48).unwrap();
        for reference in ["coffee_64x48_yuyv_im.png", "coffee_64x48_yuyv_np.png"] {
            let (max, differing) = max_diff(&ours, &png(reference));
            eprintln!(
                "YUYV vs {reference}: max |diff| {max}, {differing} of {} values differ",
                64 * 48 * 3
            );
            assert!(max <= 2, "{reference}: max difference {max}");
        }
        // And close to the photo it was made from (4:2:2 loses chroma detail).
        let (max, _) = max_diff(&ours, &png("coffee_64x48.png"));
        eprintln!("YUYV vs source photo: max |diff| {max}");
        assert!(max <= 40, "{max}");
    }

    #[test]
    fn convert_yuyv_levels_clamp_and_stride() {
        // Black, white, pure red and out-of-range values, one pixel pair each.
        let pairs: [[u8; 4]; 4] = [
            [16, 128, 16, 128],
            [235, 128, 235, 128],
            [81, 90, 81, 240],
            [0, 0, 255, 255],
        ];
        let mut data = Vec::new();
        for pair in pairs {
            data.extend(pair);
            data.extend([0xEE; 2]); // 2 bytes of row padding
        }
        let image = yuyv_to_rgb(&data, 2, 4, 6).unwrap();
        let px = |y| image.get_pixel(0, y).0;
        assert_eq!(px(0), [0, 0, 0]);
        assert_eq!(px(1), [255, 255, 255]);
        assert_eq!(px(2), [254, 0, 0]);
        // Y 0, Cb 0, Cr 255: R = -18.6 + 202.7 = 184.1, G = -18.6 + 50.1 - 103.2 < 0, B < 0.
        assert_eq!(px(3), [184, 0, 0]);
        // Y 255, Cb 0, Cr 255: R > 255, G = 278.3 + 50.1 - 103.2 = 225.2, B = 278.3 - 258.2 = 20.1.
        assert_eq!(image.get_pixel(1, 3).0, [255, 225, 20]);
        // The padding of the last row is not needed.
        assert!(yuyv_to_rgb(&data[..data.len() - 2], 2, 4, 6).is_ok());
    }

    #[test]
    fn convert_short_odd_and_empty_raw_buffers_are_typed_errors() {
        let yuyv = read("coffee_64x48.yuyv");
        assert_eq!(
            to_rgb(PixelFormat::Yuyv, &yuyv[..yuyv.len() - 1], 64, 48),
            Err(ConvertError::ShortBuffer {
                format: PixelFormat::Yuyv,
                width: 64,
                height: 48,
                expected: 6144,
                actual: 6143,
            })
        );
        assert!(matches!(
            to_rgb(PixelFormat::Yuyv, &[], 64, 48),
            Err(ConvertError::ShortBuffer { actual: 0, .. })
        ));
        assert_eq!(
            to_rgb(PixelFormat::Yuyv, &yuyv, 63, 48),
            Err(ConvertError::OddWidth { width: 63 })
        );
        assert!(matches!(
            to_rgb(PixelFormat::Yuyv, &yuyv, 0, 48),
            Err(ConvertError::BadSize { .. })
        ));
        assert!(matches!(
            to_rgb(PixelFormat::Grey, &yuyv, MAX_SIDE + 2, 1),
            Err(ConvertError::BadSize { .. })
        ));
        // Called directly, huge sizes are refused before anything is allocated.
        assert!(matches!(
            yuyv_to_rgb(&yuyv, u32::MAX - 1, u32::MAX, 0),
            Err(ConvertError::BadSize { .. })
        ));
        assert!(matches!(
            yuyv_to_rgb(&yuyv, MAX_SIDE, MAX_SIDE, 2 * MAX_SIDE as usize),
            Err(ConvertError::ShortBuffer { .. })
        ));
        assert!(matches!(
            to_rgb_strided(PixelFormat::Rgb24, &yuyv, 64, 8, 100),
            Err(ConvertError::BadStride {
                stride: 100,
                row: 192,
                ..
            })
        ));
        // A stride that would overflow is just a short buffer.
        assert!(matches!(
            to_rgb_strided(PixelFormat::Grey, &yuyv, 64, 48, usize::MAX),
            Err(ConvertError::ShortBuffer {
                expected: usize::MAX,
                ..
            })
        ));
        // A longer buffer (driver padding at the end) is fine.
        let mut padded = yuyv.clone();
        padded.extend([0; 100]);
        assert!(to_rgb(PixelFormat::Yuyv, &padded, 64, 48).is_ok());
    }

    #[test]
    fn convert_rgb_bgr_and_grey_pass_through() {
        let photo = png("coffee_64x48.png");
        assert_eq!(to_rgb(PixelFormat::Rgb24, photo.as_raw(), 64, 48).unwrap(), photo);
        let bgr: Vec<u8> = photo.pixels().flat_map(|p| [p[2], p[1], p[0]]).collect();
        assert_eq!(to_rgb(PixelFormat::Bgr24, &bgr, 64, 48).unwrap(), photo);
        let grey = to_rgb_strided(PixelFormat::Grey, &[1, 2, 99, 3, 4], 2, 2, 3).unwrap();
        assert_eq!(grey.as_raw(), &[1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
        assert!(matches!(
            to_rgb(PixelFormat::Rgb24, &bgr[..100], 64, 48),
            Err(ConvertError::ShortBuffer {
                expected: 9216,
                actual: 100,
                ..
            })
        ));
    }

    #[test]
    fn convert_mjpeg_matches_libjpeg() {
        // JPEG decoders are not bit-exact: the standard lets each IDCT be off
        // by 1 in Y, Cb and Cr, which R = Y + 1.402 Cr (and the like) turns
        // into up to 3 in RGB. The image crate's decoder (zune-jpeg) and
        // libjpeg (islow IDCT, fancy upsampling, as Pillow and ImageMagick
        // decode) measured: max 3, and 2 of the 9216 values differ by 3.
        let ours = to_rgb(PixelFormat::Mjpeg, &read("coffee_64x48.jpg"), 64, 48).unwrap();
        let reference = png("coffee_64x48_jpg_pil.png");
        let (max, differing) = max_diff(&ours, &reference);
        let over_2 = ours
            .as_raw()
            .iter()
            .zip(reference.as_raw())
            .filter(|(a, b)| a.abs_diff(**b) > 2)
            .count();
        eprintln!(
            "MJPEG vs Pillow/libjpeg: max |diff| {max}, {differing} of {} values differ, {over_2} by more than 2",
            64 * 48 * 3
        );
        assert!(max <= 3, "max difference {max}");
        assert!(
            over_2 <= 64 * 48 * 3 / 1000,
            "{over_2} values differ by more than 2"
        );
    }

    #[test]
    fn convert_mjpeg_without_huffman_tables_decodes_like_the_full_frame() {
        let full = read("coffee_64x48.jpg");
        let stripped = read("coffee_64x48_nodht.jpg");
        assert!(!scan_jpeg(&stripped).unwrap().has_dht);
        let fixed = ensure_huffman_tables(&stripped).unwrap();
        assert!(matches!(fixed, Cow::Owned(_)));
        assert_eq!(fixed.len(), stripped.len() + DEFAULT_DHT.len());
        assert!(scan_jpeg(&fixed).unwrap().has_dht);
        assert_eq!(
            to_rgb(PixelFormat::Mjpeg, &stripped, 64, 48).unwrap(),
            to_rgb(PixelFormat::Mjpeg, &full, 64, 48).unwrap()
        );
        // A frame with tables is left as it is.
        assert!(matches!(ensure_huffman_tables(&full).unwrap(), Cow::Borrowed(b) if b == &full[..]));
    }

    #[test]
    fn convert_default_dht_is_the_tables_libjpeg_writes() {
        // libjpeg (optimize off) writes the Annex K tables as 4 DHT segments.
        let full = read("coffee_64x48.jpg");
        let mut payload = Vec::new();
        let mut pos = 2;
        while full[pos + 1] != SOS {
            let len = usize::from(u16::from_be_bytes([full[pos + 2], full[pos + 3]]));
            if full[pos + 1] == DHT {
                payload.extend_from_slice(&full[pos + 4..pos + 2 + len]);
            }
            pos += 2 + len;
        }
        assert_eq!(payload, DEFAULT_DHT[4..]);
        assert_eq!(
            usize::from(u16::from_be_bytes([DEFAULT_DHT[2], DEFAULT_DHT[3]])),
            418
        );
    }

    #[test]
    fn convert_truncated_and_corrupt_mjpeg_are_typed_errors() {
        let full = read("coffee_64x48.jpg");
        let stripped = read("coffee_64x48_nodht.jpg");
        for jpeg in [&full, &stripped] {
            // Cut anywhere: in the headers, in the scan data, before the EOI.
            for cut in [
                0,
                1,
                2,
                3,
                10,
                100,
                200,
                jpeg.len() / 2,
                jpeg.len() - 3,
                jpeg.len() - 1,
            ] {
                let err = to_rgb(PixelFormat::Mjpeg, &jpeg[..cut], 64, 48).unwrap_err();
                assert!(
                    matches!(err, ConvertError::NotJpeg | ConvertError::Truncated(_)),
                    "cut at {cut}: {err:?}"
                );
            }
        }
        // Trailing padding after the EOI (as in a camera's buffer) is ignored.
        let mut padded = full.clone();
        padded.extend([0; 64]);
        assert!(to_rgb(PixelFormat::Mjpeg, &padded, 64, 48).is_ok());
        // Not a JPEG at all.
        assert_eq!(
            to_rgb(PixelFormat::Mjpeg, &read("coffee_64x48.yuyv"), 64, 48),
            Err(ConvertError::NotJpeg)
        );
        // A segment length running past the end.
        let mut bad = full.clone();
        bad[4] = 0xFF;
        assert!(matches!(
            to_rgb(PixelFormat::Mjpeg, &bad, 64, 48),
            Err(ConvertError::Truncated(_))
        ));
        // A frame of another size than negotiated, or claiming a huge one.
        assert!(matches!(
            to_rgb(PixelFormat::Mjpeg, &full, 640, 480),
            Err(ConvertError::SizeMismatch {
                actual_width: 64,
                actual_height: 48,
                ..
            })
        ));
        let mut huge = full.clone();
        let sof = huge.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        huge[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
        assert!(matches!(
            mjpeg_to_rgb(&huge, None),
            Err(ConvertError::BadSize {
                width: 65535,
                height: 65535,
                ..
            })
        ));
        // Scan data garbled: whatever the decoder makes of it, no panic.
        let sos = full.windows(2).position(|w| w == [0xFF, SOS]).unwrap();
        for at in [sos + 20, sos + 200, sos + 500] {
            let mut garbled = full.clone();
            garbled[at..at + 40].fill(0x5A);
            let _ = to_rgb(PixelFormat::Mjpeg, &garbled, 64, 48);
        }
    }
}
