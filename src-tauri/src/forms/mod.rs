//! Printable forms as PDF, A4, with the NanumGothic font embedded (subset)
//! so Korean prints the same everywhere: the purchase-order form (구매발주서)
//! and the daily production report (일일 생산 보고서).

mod daily_report;
mod purchase_order;

pub use daily_report::{DailyImage, daily_report};
pub use purchase_order::purchase_order;

use std::sync::{Arc, OnceLock};

use krilla::{
    color::rgb,
    geom::{PathBuilder, Point, Rect},
    num::NormalizedF32,
    paint::{Fill, Stroke},
    text::{Font, TextDirection},
};
use skrifa::{FontRef, MetadataProvider, instance::LocationRef};

/// NanumGothic Regular (OFL-1.1, Debian fonts-nanum; src-tauri/fonts/NOTICE).
static FONT_BYTES: &[u8] = include_bytes!("../../fonts/NanumGothic.ttf");

pub(crate) const PAGE_W: f32 = 595.0;
pub(crate) const PAGE_H: f32 = 842.0;
pub(crate) const MARGIN: f32 = 40.0;
pub(crate) const ROW_H: f32 = 20.0;

pub(crate) fn font() -> &'static Font {
    static FONT: OnceLock<Font> = OnceLock::new();
    FONT.get_or_init(|| {
        Font::new(Arc::new(FONT_BYTES.to_vec()).into(), 0).expect("the bundled NanumGothic is a font")
    })
}

/// The advance width of `text` at `size` points.
pub(crate) fn width(text: &str, size: f32) -> f32 {
    let Ok(face) = FontRef::new(FONT_BYTES) else {
        return 0.0;
    };
    let charmap = face.charmap();
    let metrics = face.glyph_metrics(skrifa::instance::Size::new(size), LocationRef::default());
    text.chars()
        .filter_map(|c| charmap.map(c))
        .filter_map(|g| metrics.advance_width(g))
        .sum()
}

pub(crate) fn won(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0 { format!("-{out}") } else { out }
}

/// Where text sits in its box.
#[derive(Clone, Copy)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

pub(crate) struct Pen<'a> {
    pub(crate) surface: krilla::surface::Surface<'a>,
}

impl Pen<'_> {
    pub(crate) fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.surface.set_fill(Some(Fill {
            paint: rgb::Color::black().into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
        self.surface.draw_text(
            Point::from_xy(x, y),
            font().clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    /// Text in the box from `x` to `x + w`, baseline `y`, cut to fit.
    pub(crate) fn cell(&mut self, x: f32, w: f32, y: f32, size: f32, text: &str, align: Align) {
        let mut shown: String = text.to_owned();
        while !shown.is_empty() && width(&shown, size) > w - 6.0 {
            shown.pop();
        }
        let tw = width(&shown, size);
        let left = match align {
            Align::Left => x + 3.0,
            Align::Center => x + (w - tw) / 2.0,
            Align::Right => x + w - tw - 3.0,
        };
        self.text(left, y, size, &shown);
    }

    pub(crate) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, shade: bool) {
        let Some(r) = Rect::from_xywh(x, y, w, h) else {
            return;
        };
        let mut pb = PathBuilder::new();
        pb.push_rect(r);
        let Some(path) = pb.finish() else { return };
        self.surface.set_fill(shade.then(|| Fill {
            paint: rgb::Color::new(236, 240, 246).into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
        self.surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(90, 90, 90).into(),
            width: 0.6,
            ..Default::default()
        }));
        self.surface.draw_path(&path);
        self.surface.set_stroke(None);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn won_groups_thousands() {
        assert_eq!(won(0), "0");
        assert_eq!(won(1_357_950), "1,357,950");
        assert_eq!(won(-1_000), "-1,000");
    }

    /// The text of a PDF as poppler's pdftotext reads it.
    pub(crate) fn pdf_text(pdf: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("form.pdf");
        std::fs::write(&path, pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-layout", path.to_str().unwrap(), "-"])
            .output()
            .expect("pdftotext (poppler-utils) is installed by scripts/setup.sh --test");
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn widths_come_from_the_font() {
        assert!(width("가나다", 10.0) > width("abc", 10.0));
        assert_eq!(width("", 10.0), 0.0);
    }
}
