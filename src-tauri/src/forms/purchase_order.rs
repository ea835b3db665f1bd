//! The purchase-order form (구매발주서).

use std::sync::Arc;

use krilla::{Document, geom::Size, image::Image, page::PageSettings};
use linesight_mes::{company::Company, master::partners::Partner, money, purchasing::PurchaseOrderDetail};

use super::{Align, MARGIN, PAGE_H, PAGE_W, Pen, ROW_H, won};

/// Columns of the lines table: (header, width, alignment).
const COLUMNS: [(&str, f32, Align); 8] = [
    ("No", 28.0, Align::Center),
    ("품번", 72.0, Align::Left),
    ("품명", 120.0, Align::Left),
    ("규격", 82.0, Align::Left),
    ("수량", 40.0, Align::Right),
    ("단가", 64.0, Align::Right),
    ("금액", 72.0, Align::Right),
    ("비고", 37.0, Align::Left),
];

/// The purchase-order form as PDF bytes: the supplier and orderer blocks,
/// due date, every line, supply amount, VAT, total, the total in Korean
/// words, approval boxes (작성/검토/승인) and the company's seal.
pub fn purchase_order(
    po: &PurchaseOrderDetail,
    supplier: &Partner,
    company: &Company,
    seal_png: Option<&[u8]>,
) -> Result<Vec<u8>, String> {
    let mut document = Document::new();
    let per_first = 22;
    let per_next = 34;
    let mut chunks: Vec<&[linesight_mes::purchasing::PurchaseOrderLine]> = Vec::new();
    let (first, mut rest) = po.lines.split_at(po.lines.len().min(per_first));
    chunks.push(first);
    while !rest.is_empty() {
        let (c, r) = rest.split_at(rest.len().min(per_next));
        chunks.push(c);
        rest = r;
    }
    let pages = chunks.len();
    let mut seq = 0;
    for (n, chunk) in chunks.into_iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("page size")?;
        let mut page = document.start_page_with(settings);
        let mut pen = Pen {
            surface: page.surface(),
        };
        let mut y = MARGIN;
        if n == 0 {
            y = header(&mut pen, po, supplier, company, seal_png)?;
        } else {
            pen.text(
                MARGIN,
                y + 12.0,
                10.0,
                &format!("{} ({}/{})", po.order.no, n + 1, pages),
            );
            y += 24.0;
        }
        // The lines table.
        let mut x = MARGIN;
        for (title, w, _) in COLUMNS {
            pen.rect(x, y, w, ROW_H, true);
            pen.cell(x, w, y + 14.0, 9.0, title, Align::Center);
            x += w;
        }
        y += ROW_H;
        for line in chunk {
            seq += 1;
            let cells = [
                seq.to_string(),
                line.part_no.clone().unwrap_or_default(),
                line.name.clone(),
                line.spec.clone().unwrap_or_default(),
                won(line.qty),
                won(line.unit_price),
                won(line.amount),
                line.note.clone().unwrap_or_default(),
            ];
            let mut x = MARGIN;
            for ((_, w, align), text) in COLUMNS.iter().zip(&cells) {
                pen.rect(x, y, *w, ROW_H, false);
                pen.cell(x, *w, y + 14.0, 9.0, text, *align);
                x += w;
            }
            y += ROW_H;
        }
        if n + 1 == pages {
            totals(&mut pen, po, y + 10.0);
        }
        pen.text(
            PAGE_W - MARGIN - 40.0,
            PAGE_H - 24.0,
            8.0,
            &format!("{} / {}", n + 1, pages),
        );
        drop(pen);
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

/// Title, approval boxes, order numbers and the two parties; returns where the table starts.
fn header(
    pen: &mut Pen,
    po: &PurchaseOrderDetail,
    supplier: &Partner,
    company: &Company,
    seal_png: Option<&[u8]>,
) -> Result<f32, String> {
    let o = &po.order;
    pen.text(MARGIN, 78.0, 24.0, "구 매 발 주 서");
    // Approval boxes, top right.
    let box_w = 52.0;
    let left = PAGE_W - MARGIN - 3.0 * box_w;
    for (i, title) in ["작성", "검토", "승인"].into_iter().enumerate() {
        let x = left + i as f32 * box_w;
        pen.rect(x, MARGIN, box_w, 16.0, true);
        pen.cell(x, box_w, MARGIN + 12.0, 9.0, title, Align::Center);
        pen.rect(x, MARGIN + 16.0, box_w, 42.0, false);
    }
    let mut y = 120.0;
    pen.text(
        MARGIN,
        y,
        10.0,
        &format!(
            "발주번호: {}    발주일: {}    납기일: {}",
            o.no, o.order_date, o.due_date
        ),
    );
    if let Some(so) = &o.sales_order_no {
        pen.text(MARGIN + 380.0, y, 10.0, &format!("수주번호: {so}"));
    }
    y += 12.0;
    // Supplier (left) and orderer (right).
    let half = (PAGE_W - 2.0 * MARGIN) / 2.0;
    let label_w = 62.0;
    let biz = |b: &Option<String>| {
        b.as_deref()
            .map(|b| {
                if b.len() == 10 {
                    format!("{}-{}-{}", &b[..3], &b[3..5], &b[5..])
                } else {
                    b.to_owned()
                }
            })
            .unwrap_or_default()
    };
    let blocks = [
        (
            "공급처 (수신)",
            [
                ("상호", supplier.name.clone()),
                ("사업자번호", biz(&supplier.biz_no)),
                ("대표자", supplier.ceo.clone().unwrap_or_default()),
                ("전화", supplier.phone.clone().unwrap_or_default()),
                ("주소", supplier.address.clone().unwrap_or_default()),
            ],
        ),
        (
            "발주처",
            [
                ("상호", company.name.clone()),
                ("사업자번호", biz(&company.biz_no)),
                ("대표자", company.ceo.clone().unwrap_or_default()),
                ("전화", company.phone.clone().unwrap_or_default()),
                ("주소", company.address.clone().unwrap_or_default()),
            ],
        ),
    ];
    for (b, (title, rows)) in blocks.iter().enumerate() {
        let x = MARGIN + b as f32 * half;
        pen.rect(x, y, half, ROW_H, true);
        pen.cell(x, half, y + 14.0, 10.0, title, Align::Center);
        for (r, (label, value)) in rows.iter().enumerate() {
            let ry = y + ROW_H * (r as f32 + 1.0);
            pen.rect(x, ry, label_w, ROW_H, true);
            pen.cell(x, label_w, ry + 14.0, 9.0, label, Align::Center);
            pen.rect(x + label_w, ry, half - label_w, ROW_H, false);
            pen.cell(x + label_w, half - label_w, ry + 14.0, 9.0, value, Align::Left);
        }
    }
    // The seal over the orderer's name and CEO.
    if let Some(png) = seal_png {
        let image = Image::from_png(Arc::new(png.to_vec()).into(), true)?;
        let size = Size::from_wh(46.0, 46.0).ok_or("seal size")?;
        pen.surface
            .push_transform(&krilla::geom::Transform::from_translate(
                PAGE_W - MARGIN - 54.0,
                y + ROW_H + 4.0,
            ));
        pen.surface.draw_image(image, size);
        pen.surface.pop();
    }
    y += ROW_H * 6.0 + 12.0;
    // The total, in words and figures, as the contract states it.
    let total = o.total;
    pen.rect(MARGIN, y, PAGE_W - 2.0 * MARGIN, 26.0, true);
    pen.text(MARGIN + 8.0, y + 17.0, 11.0, "합계금액 (부가세 포함)");
    pen.text(
        MARGIN + 140.0,
        y + 17.0,
        11.0,
        &format!("{}  (₩{})", money::korean_total(total), won(total)),
    );
    Ok(y + 40.0)
}

/// Supply amount, VAT and total under the table, then the closing line.
fn totals(pen: &mut Pen, po: &PurchaseOrderDetail, y: f32) {
    let o = &po.order;
    let label_w = 80.0;
    let value_w = 120.0;
    let x = PAGE_W - MARGIN - label_w - value_w;
    for (i, (label, value)) in [("공급가액", o.supply), ("부가세 (10%)", o.vat), ("합계", o.total)]
        .into_iter()
        .enumerate()
    {
        let ry = y + ROW_H * i as f32;
        pen.rect(x, ry, label_w, ROW_H, true);
        pen.cell(x, label_w, ry + 14.0, 9.5, label, Align::Center);
        pen.rect(x + label_w, ry, value_w, ROW_H, false);
        pen.cell(x + label_w, value_w, ry + 14.0, 9.5, &won(value), Align::Right);
    }
    let mut y = y + ROW_H * 3.0 + 24.0;
    if let Some(remarks) = &o.remarks {
        pen.text(MARGIN, y, 9.5, &format!("비고: {remarks}"));
        y += 18.0;
    }
    pen.text(
        MARGIN,
        y,
        10.5,
        "위와 같이 발주합니다. 납기일을 지켜 주시기 바랍니다.",
    );
}

#[cfg(test)]
mod tests {
    use linesight_mes::purchasing::{PurchaseOrder, PurchaseOrderLine, PurchaseStatus};

    use super::*;
    use crate::forms::tests::pdf_text;

    fn line(seq: i64, part_no: &str, name: &str, price: i64, qty: i64) -> PurchaseOrderLine {
        PurchaseOrderLine {
            id: seq,
            po_id: 1,
            seq,
            sales_order_line_id: None,
            item_id: None,
            part_no: Some(part_no.into()),
            name: name.into(),
            spec: Some("SS400 t3.2".into()),
            unit_price: price,
            qty,
            amount: price * qty,
            note: None,
        }
    }

    /// A purchase order of `lines`, with the store's arithmetic.
    fn order(lines: Vec<PurchaseOrderLine>) -> PurchaseOrderDetail {
        let supply: i64 = lines.iter().map(|l| l.amount).sum();
        let now = chrono::Utc::now();
        PurchaseOrderDetail {
            order: PurchaseOrder {
                id: 1,
                no: "PO-261130-001".into(),
                supplier_id: 1,
                sales_order_id: Some(1),
                order_date: "2026-11-30".parse().unwrap(),
                due_date: "2026-12-15".parse().unwrap(),
                status: PurchaseStatus::Ordered,
                received_on: None,
                remarks: Some("도금 두께 8μm 이상".into()),
                created_at: now,
                updated_at: now,
                supplier_name: "동방철강(주)".into(),
                sales_order_no: Some("SO-261130-001".into()),
                supply,
                vat: money::vat(supply),
                total: supply + money::vat(supply),
            },
            lines,
        }
    }

    fn supplier() -> Partner {
        let now = chrono::Utc::now();
        Partner {
            id: 1,
            kind: linesight_mes::master::partners::PartnerKind::Supplier,
            name: "동방철강(주)".into(),
            biz_no: Some("3128909966".into()),
            ceo: Some("최동방".into()),
            phone: Some("041-555-0102".into()),
            fax: None,
            address: Some("충청남도 아산시 둔포면 아산밸리로 99".into()),
            remarks: None,
            active: true,
            created_at: now,
            updated_at: now,
        }
    }

    fn company() -> Company {
        Company {
            name: "(주)라인사이트정밀".into(),
            biz_no: Some("1348526014".into()),
            ceo: Some("박대표".into()),
            address: Some("경기도 안산시 단원구 산단로 1".into()),
            phone: Some("031-111-2222".into()),
            fax: None,
            has_seal: true,
        }
    }

    fn seal() -> Vec<u8> {
        let mut img = image::RgbaImage::new(64, 64);
        for (x, y, p) in img.enumerate_pixels_mut() {
            let d = ((x as f32 - 32.0).powi(2) + (y as f32 - 32.0).powi(2)).sqrt();
            if (26.0..31.0).contains(&d) || (x / 8 + y / 8) % 3 == 0 && d < 24.0 {
                *p = image::Rgba([200, 30, 30, 255]);
            }
        }
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    }

    #[test]
    fn the_form_has_the_supplier_every_line_and_the_total_in_korean_words() {
        // 1,234,500 supply: VAT 123,450, total 1,357,950.
        let po = order(vec![
            line(1, "BRK-1001", "브래킷 A 도금", 12_390, 50),
            line(2, "FLG-2001", "플랜지 50A 가공", 123_000, 5),
        ]);
        assert_eq!(po.order.supply, 1_234_500);
        let pdf = purchase_order(&po, &supplier(), &company(), Some(&seal())).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        // The font travels as a subset, not the whole 4.7 MB file.
        assert!(pdf.len() < 300_000, "{} bytes", pdf.len());
        let text = pdf_text(&pdf);
        for expected in [
            "구매발주서",
            "동방철강(주)",
            "312-89-09966",
            "(주)라인사이트정밀",
            "PO-261130-001",
            "2026-12-15",
            "브래킷 A 도금",
            "플랜지 50A 가공",
            "619,500",
            "1,234,500",
            "123,450",
            "1,357,950",
            "금 일백삼십오만칠천구백오십 원정",
            "작성",
            "검토",
            "승인",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
        if let Some(dir) = std::env::var_os("LINESIGHT_FORM_OUT") {
            std::fs::write(std::path::Path::new(&dir).join("purchase-order.pdf"), &pdf).unwrap();
        }
    }

    #[test]
    fn long_orders_continue_on_more_pages() {
        let lines = (1..=60)
            .map(|i| line(i, &format!("P-{i:03}"), "부품", 1_000, i))
            .collect();
        let pdf = purchase_order(&order(lines), &supplier(), &company(), None).unwrap();
        let text = pdf_text(&pdf);
        assert!(text.contains("P-001") && text.contains("P-060"));
        assert!(text.contains("1/3") && text.contains("3/3"), "{text}");
    }
}
