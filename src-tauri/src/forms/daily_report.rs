//! The daily production report (일일 생산 보고서), A4 landscape: one row per
//! operation that ran on the day (work order, item, process, station or
//! machine, planned, good, NG, defect rate, downtime, OEE), the day's total,
//! then the day's rejected parts as thumbnails with when, where and why.

use std::sync::Arc;

use krilla::{Document, geom::Size, image::Image, page::PageSettings};
use linesight_mes::reports::daily::DailyReport;

use super::{Align, MARGIN, Pen, ROW_H, won};

/// Landscape.
const W: f32 = super::PAGE_H;
const H: f32 = super::PAGE_W;

/// A rejected part's thumbnail (JPEG) and its caption.
pub struct DailyImage {
    pub caption: String,
    pub jpeg: Vec<u8>,
}

const COLUMNS: [(&str, f32, Align); 11] = [
    ("작업지시", 96.0, Align::Left),
    ("품목", 150.0, Align::Left),
    ("공정", 58.0, Align::Left),
    ("스테이션 / 설비", 104.0, Align::Left),
    ("작업자", 58.0, Align::Left),
    ("계획", 44.0, Align::Right),
    ("양품", 44.0, Align::Right),
    ("불량", 44.0, Align::Right),
    ("불량률", 50.0, Align::Right),
    ("비가동(분)", 56.0, Align::Right),
    ("OEE", 52.0, Align::Right),
];

const THUMB_W: f32 = 118.0;
const THUMB_H: f32 = 88.0;
const THUMB_GAP: f32 = 8.0;
/// A thumbnail with its caption line.
const THUMB_ROW: f32 = THUMB_H + 22.0;

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn defect_rate(good: i64, ng: i64) -> Option<f64> {
    (good + ng > 0).then(|| ng as f64 / (good + ng) as f64)
}

/// The report as PDF bytes; `company` heads it, `printed` says when it was made.
pub fn daily_report(
    report: &DailyReport,
    company: &str,
    printed: &str,
    images: &[DailyImage],
) -> Result<Vec<u8>, String> {
    let mut document = Document::new();
    let mut page_no = 0;
    let mut rows = report.rows.iter().peekable();
    let mut images = images.iter().peekable();
    let mut total_done = false;
    // Pages until every row, the total and every image are placed.
    while page_no == 0 || rows.peek().is_some() || !total_done || images.peek().is_some() {
        page_no += 1;
        let settings = PageSettings::from_wh(W, H).ok_or("page size")?;
        let mut page = document.start_page_with(settings);
        let mut pen = Pen {
            surface: page.surface(),
        };
        let mut y = MARGIN;
        pen.text(MARGIN, y + 16.0, 16.0, "일일 생산 보고서");
        pen.text(
            MARGIN + 170.0,
            y + 16.0,
            11.0,
            &format!("{}   {}", report.day.format("%Y-%m-%d"), company),
        );
        y += 30.0;
        let bottom = H - MARGIN;
        if rows.peek().is_some() || !total_done {
            y = table_header(&mut pen, y);
            while let Some(row) = rows.peek() {
                if y + ROW_H > bottom - ROW_H {
                    break;
                }
                let station = match (&row.station, &row.equipment) {
                    (Some(s), Some(e)) => format!("{s} / {e}"),
                    (Some(s), None) => s.clone(),
                    (None, e) => e.clone().unwrap_or_default(),
                };
                let cells = [
                    row.work_order_no.clone(),
                    row.item.clone(),
                    row.process.clone(),
                    station,
                    row.operator.clone().unwrap_or_default(),
                    won(row.planned_qty),
                    won(row.good),
                    won(row.ng),
                    percent(defect_rate(row.good, row.ng)),
                    format!("{:.0}", row.downtime_seconds / 60.0),
                    percent(row.oee.oee()),
                ];
                table_row(&mut pen, y, &cells, false);
                y += ROW_H;
                rows.next();
            }
            if rows.peek().is_none() && y + ROW_H <= bottom {
                let t = &report.total;
                let (good, ng) = report
                    .rows
                    .iter()
                    .fold((0, 0), |(g, n), r| (g + r.good, n + r.ng));
                let planned: i64 = report.rows.iter().map(|r| r.planned_qty).sum();
                let down: f64 = report.rows.iter().map(|r| r.downtime_seconds).sum();
                let cells = [
                    "합계".to_string(),
                    format!("{}건", report.rows.len()),
                    String::new(),
                    String::new(),
                    String::new(),
                    won(planned),
                    won(good),
                    won(ng),
                    percent(defect_rate(good, ng)),
                    format!("{:.0}", down / 60.0),
                    percent(t.oee()),
                ];
                table_row(&mut pen, y, &cells, true);
                y += ROW_H;
                total_done = true;
                pen.text(
                    MARGIN,
                    y + 14.0,
                    8.5,
                    &format!(
                        "OEE = 가동률 {} × 성능 {} × 양품률 {}   (비가동·OEE는 이날 0시부터 24시 안의 시간으로 계산)",
                        percent(t.availability()),
                        percent(t.performance()),
                        percent(t.quality())
                    ),
                );
                y += 26.0;
            }
        }
        if total_done && images.peek().is_some() && y + 24.0 + THUMB_ROW <= bottom {
            pen.text(MARGIN, y + 14.0, 11.0, "불량 이미지");
            y += 22.0;
            let per_row = ((W - 2.0 * MARGIN + THUMB_GAP) / (THUMB_W + THUMB_GAP)).floor() as usize;
            while images.peek().is_some() && y + THUMB_ROW <= bottom {
                for col in 0..per_row {
                    let Some(image) = images.next() else { break };
                    let x = MARGIN + col as f32 * (THUMB_W + THUMB_GAP);
                    thumbnail(&mut pen, x, y, image)?;
                }
                y += THUMB_ROW;
            }
        }
        pen.text(
            W - MARGIN - 120.0,
            H - 20.0,
            8.0,
            &format!("{printed}   {page_no}쪽"),
        );
        drop(pen);
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

fn table_header(pen: &mut Pen, y: f32) -> f32 {
    let mut x = MARGIN;
    for (title, w, _) in COLUMNS {
        pen.rect(x, y, w, ROW_H, true);
        pen.cell(x, w, y + 14.0, 9.0, title, Align::Center);
        x += w;
    }
    y + ROW_H
}

fn table_row(pen: &mut Pen, y: f32, cells: &[String; 11], shade: bool) {
    let mut x = MARGIN;
    for ((_, w, align), text) in COLUMNS.iter().zip(cells) {
        pen.rect(x, y, *w, ROW_H, shade);
        pen.cell(x, *w, y + 14.0, 8.5, text, *align);
        x += w;
    }
}

/// The image scaled into its box, keeping its aspect, with the caption under it.
fn thumbnail(pen: &mut Pen, x: f32, y: f32, image: &DailyImage) -> Result<(), String> {
    pen.rect(x, y, THUMB_W, THUMB_H, false);
    let picture = Image::from_jpeg(Arc::new(image.jpeg.clone()).into(), true)?;
    let (iw, ih) = picture.size();
    let scale = ((THUMB_W - 4.0) / iw as f32).min((THUMB_H - 4.0) / ih as f32);
    let (w, h) = (iw as f32 * scale, ih as f32 * scale);
    let size = Size::from_wh(w, h).ok_or("image size")?;
    pen.surface
        .push_transform(&krilla::geom::Transform::from_translate(
            x + (THUMB_W - w) / 2.0,
            y + (THUMB_H - h) / 2.0,
        ));
    pen.surface.draw_image(picture, size);
    pen.surface.pop();
    pen.cell(x, THUMB_W, y + THUMB_H + 13.0, 7.5, &image.caption, Align::Left);
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use linesight_mes::{production::oee::OeeTotals, reports::daily::DailyRow};

    use super::*;
    use crate::forms::tests::pdf_text;

    fn row(no: &str, good: i64, ng: i64) -> DailyRow {
        DailyRow {
            work_order_no: no.into(),
            item: "FRM-3001 컨베이어 프레임".into(),
            process: "검사".into(),
            station: Some("데모 라인".into()),
            equipment: None,
            operator: Some("김작업".into()),
            planned_qty: 100,
            good,
            ng,
            station_ok: good,
            station_ng: ng,
            downtime_seconds: 1800.0,
            oee: OeeTotals {
                planned_seconds: 14_400.0,
                run_seconds: 12_600.0,
                ideal_seconds: 6_300.0,
                good,
                total: good + ng,
            },
        }
    }

    fn jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 90]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    fn report(rows: Vec<DailyRow>) -> DailyReport {
        let mut total = OeeTotals::default();
        for r in &rows {
            total.add(&r.oee);
        }
        DailyReport {
            day: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            rows,
            total,
            ng_images: Vec::new(),
        }
    }

    #[test]
    fn the_report_has_every_row_the_total_and_captioned_images() {
        let images: Vec<DailyImage> = (0..8)
            .map(|i| DailyImage {
                caption: format!("14:0{i} 데모 라인 D-SCR"),
                jpeg: jpeg(),
            })
            .collect();
        let pdf = daily_report(
            &report(vec![row("WO-261130-001", 90, 10), row("WO-261130-002", 45, 5)]),
            "(주)한결정밀",
            "2026-11-30 18:00",
            &images,
        )
        .unwrap();
        let text = pdf_text(&pdf);
        for expected in [
            "일일 생산 보고서",
            "2026-11-30",
            "(주)한결정밀",
            "WO-261130-001",
            "WO-261130-002",
            "합계",
        ] {
            assert!(text.contains(expected), "{expected} missing in:\n{text}");
        }
        // 150 made, 15 NG: 10.0 %; the row of 100 with 10 NG: 10.0 %; 30 min down each.
        assert!(
            text.contains("135") && text.contains("10.0%") && text.contains("60"),
            "{text}"
        );
        assert!(
            text.contains("불량 이미지") && text.contains("14:07 데모 라인 D-SCR"),
            "{text}"
        );
    }

    #[test]
    fn long_days_continue_on_more_pages_and_a_quiet_day_still_prints() {
        let rows = (1..=60)
            .map(|i| row(&format!("WO-261130-{i:03}"), 10, 0))
            .collect();
        let text = pdf_text(&daily_report(&report(rows), "회사", "now", &[]).unwrap());
        assert!(text.contains("WO-261130-001") && text.contains("WO-261130-060"));
        assert!(text.contains("3쪽"), "{text}");
        let quiet = pdf_text(&daily_report(&report(Vec::new()), "회사", "now", &[]).unwrap());
        assert!(quiet.contains("합계") && quiet.contains("0건"), "{quiet}");
    }

    #[test]
    fn a_broken_image_is_an_error_not_a_panic() {
        let bad = [DailyImage {
            caption: "x".into(),
            jpeg: b"not a jpeg".to_vec(),
        }];
        assert!(daily_report(&report(vec![row("WO-1", 1, 0)]), "회사", "now", &bad).is_err());
    }
}
