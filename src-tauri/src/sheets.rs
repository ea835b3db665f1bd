//! Master data as spreadsheets: the columns each list exports, and, for
//! partners and items, reading the same layout back in. A file is matched
//! by its header row (Korean or English), so an export re-imports.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use linesight_mes::{
    Error as MesError, Field, Rule,
    master::{
        ImportRows, Master,
        equipment::Equipment,
        items::{Item, ItemInput, Routing},
        partners::{Partner, PartnerInput, PartnerKind},
        reference::{Code, CodeGroup, DefectCode, DowntimeCategory, DowntimeReason, Process},
    },
};

use crate::{
    error::{AppError, ErrorCode},
    export::{Cell, Column},
    settings::{Language, current_language},
};

/// A list that exports to Excel.
pub trait Sheet: Master {
    /// The sheet's name and the file's stem, (Korean, English).
    const TITLE: (&'static str, &'static str);
    const HEADERS: &'static [Column];
    fn cells(self) -> Vec<Cell>;
}

/// A list that also imports from the layout it exports.
pub trait Import: Sheet {
    /// The input of one row; `cell(i)` is the row's text under `HEADERS[i]`.
    fn parse(cell: &dyn Fn(usize) -> String) -> Result<Self::Input, MesError>;
}

fn pick(ko: &'static str, en: &'static str) -> String {
    match current_language() {
        Language::Ko => ko,
        Language::En => en,
    }
    .to_owned()
}

fn text(v: String) -> Cell {
    Cell::Text(v)
}

fn active(on: bool) -> Cell {
    Cell::Text(if on {
        pick("사용", "Yes")
    } else {
        pick("미사용", "No")
    })
}

/// ✓ for yes, blank for no.
fn tick(on: bool) -> Cell {
    Cell::Text(if on { "✓" } else { "" }.into())
}

fn number(v: Option<i64>) -> Cell {
    v.map_or(Cell::Empty, |n| Cell::Number(n as f64))
}

fn invalid(field: Field, rule: Rule) -> MesError {
    MesError::Invalid { field, rule }
}

/// ✓ (or yes, Y, 1) is yes; blank (or no, N, 0) is no.
fn parse_tick(v: &str) -> Result<bool, MesError> {
    match v.trim().to_lowercase().as_str() {
        "✓" | "v" | "o" | "yes" | "y" | "1" | "true" => Ok(true),
        "" | "no" | "n" | "0" | "false" => Ok(false),
        _ => Err(invalid(Field::Serialized, Rule::Format)),
    }
}

/// "사용"/"Yes"/"Y"/"1"/blank are in use; "미사용"/"No"/"N"/"0" are not.
fn parse_active(v: &str) -> Result<bool, MesError> {
    match v.trim().to_lowercase().as_str() {
        "" | "사용" | "yes" | "y" | "1" | "true" => Ok(true),
        "미사용" | "no" | "n" | "0" | "false" => Ok(false),
        _ => Err(invalid(Field::Active, Rule::Format)),
    }
}

fn optional(v: String) -> Option<String> {
    Some(v).filter(|v| !v.trim().is_empty())
}

const KINDS: [(PartnerKind, &str, &str); 3] = [
    (PartnerKind::Customer, "고객", "Customer"),
    (PartnerKind::Supplier, "공급처", "Supplier"),
    (PartnerKind::Both, "고객·공급처", "Both"),
];

impl Sheet for Partner {
    const TITLE: (&'static str, &'static str) = ("거래처", "Partners");
    const HEADERS: &'static [Column] = &[
        Column("구분", "Type", 12.0),
        Column("거래처명", "Name", 24.0),
        Column("사업자등록번호", "Business reg. no.", 16.0),
        Column("대표자", "CEO", 12.0),
        Column("전화번호", "Phone", 16.0),
        Column("팩스번호", "Fax", 16.0),
        Column("주소", "Address", 40.0),
        Column("비고", "Remarks", 30.0),
        Column("사용", "In use", 8.0),
    ];
    fn cells(self) -> Vec<Cell> {
        let (_, ko, en) = KINDS
            .iter()
            .find(|k| k.0 == self.kind)
            .copied()
            .unwrap_or(KINDS[0]);
        let biz = self
            .biz_no
            .map(|b| format!("{}-{}-{}", &b[..3], &b[3..5], &b[5..]));
        vec![
            Cell::Text(pick(ko, en)),
            text(self.name),
            biz.into(),
            self.ceo.into(),
            self.phone.into(),
            self.fax.into(),
            self.address.into(),
            self.remarks.into(),
            active(self.active),
        ]
    }
}

impl Import for Partner {
    fn parse(cell: &dyn Fn(usize) -> String) -> Result<PartnerInput, MesError> {
        let kind = cell(0);
        let kind = KINDS
            .iter()
            .find(|(k, ko, en)| {
                [*ko, *en, k.as_str()]
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(kind.trim()))
            })
            .map(|k| k.0)
            .ok_or(invalid(Field::Kind, Rule::Format))?;
        Ok(PartnerInput {
            kind,
            name: cell(1),
            biz_no: optional(cell(2)),
            ceo: optional(cell(3)),
            phone: optional(cell(4)),
            fax: optional(cell(5)),
            address: optional(cell(6)),
            remarks: optional(cell(7)),
            active: parse_active(&cell(8))?,
        })
    }
}

impl Sheet for Item {
    const TITLE: (&'static str, &'static str) = ("품목", "Items");
    const HEADERS: &'static [Column] = &[
        Column("품번", "Part number", 18.0),
        Column("품명", "Name", 24.0),
        Column("규격", "Spec", 20.0),
        Column("단위", "Unit", 8.0),
        Column("비고", "Remarks", 30.0),
        Column("사용", "In use", 8.0),
        Column("기본 라우팅", "Default routing", 16.0),
        Column("일련번호 관리", "Serial numbers", 12.0),
    ];
    fn cells(self) -> Vec<Cell> {
        vec![
            text(self.part_no),
            text(self.name),
            self.spec.into(),
            text(self.unit),
            self.remarks.into(),
            active(self.active),
            self.default_routing_name.into(),
            tick(self.serialized),
        ]
    }
}

impl Import for Item {
    /// The default routing column is only shown: routings are set up on their screen.
    fn parse(cell: &dyn Fn(usize) -> String) -> Result<ItemInput, MesError> {
        Ok(ItemInput {
            part_no: cell(0),
            name: cell(1),
            spec: optional(cell(2)),
            unit: Some(cell(3))
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| "EA".into()),
            remarks: optional(cell(4)),
            active: parse_active(&cell(5))?,
            serialized: parse_tick(&cell(7))?,
        })
    }
}

impl Sheet for Routing {
    const TITLE: (&'static str, &'static str) = ("라우팅", "Routings");
    const HEADERS: &'static [Column] = &[
        Column("품번", "Part number", 18.0),
        Column("품명", "Item", 24.0),
        Column("라우팅", "Routing", 16.0),
        Column("기본", "Default", 8.0),
        Column("공정 순서", "Operations", 40.0),
        Column("비고", "Remarks", 30.0),
        Column("사용", "In use", 8.0),
    ];
    fn cells(self) -> Vec<Cell> {
        vec![
            text(self.part_no),
            text(self.item_name),
            text(self.name),
            tick(self.is_default),
            self.summary.into(),
            self.remarks.into(),
            active(self.active),
        ]
    }
}

impl Sheet for Process {
    const TITLE: (&'static str, &'static str) = ("공정", "Processes");
    const HEADERS: &'static [Column] = &[
        Column("순서", "Order", 8.0),
        Column("코드", "Code", 10.0),
        Column("공정명", "Name", 16.0),
        Column("검사 공정", "Inspection", 10.0),
        Column("비고", "Remarks", 30.0),
        Column("사용", "In use", 8.0),
    ];
    fn cells(self) -> Vec<Cell> {
        vec![
            number(Some(self.seq)),
            text(self.code),
            text(self.name),
            tick(self.inspection),
            self.remarks.into(),
            active(self.active),
        ]
    }
}

impl Sheet for Equipment {
    const TITLE: (&'static str, &'static str) = ("설비", "Equipment");
    const HEADERS: &'static [Column] = &[
        Column("설비코드", "Code", 12.0),
        Column("설비명", "Name", 24.0),
        Column("제조사", "Maker", 16.0),
        Column("구입처", "Supplier", 18.0),
        Column("입고일", "Delivered", 12.0),
        Column("설치일", "Installed", 12.0),
        Column("관리자", "Manager", 10.0),
        Column("가격(원)", "Price (KRW)", 14.0),
        Column("검교정", "Calibration", 8.0),
        Column("검교정 예정일", "Calibration due", 14.0),
        Column("비고", "Remarks", 30.0),
        Column("사용", "In use", 8.0),
    ];
    fn cells(self) -> Vec<Cell> {
        let date = |d: Option<chrono::NaiveDate>| Cell::from(d.map(|d| d.to_string()));
        vec![
            text(self.code),
            text(self.name),
            self.maker.into(),
            self.supplier_name.into(),
            date(self.delivered_on),
            date(self.installed_on),
            self.manager.into(),
            number(self.price),
            tick(self.calibration),
            date(self.calibration_due),
            self.remarks.into(),
            active(self.active),
        ]
    }
}

impl Sheet for CodeGroup {
    const TITLE: (&'static str, &'static str) = ("공통코드 그룹", "Code groups");
    const HEADERS: &'static [Column] = &[
        Column("그룹코드", "Group code", 14.0),
        Column("그룹명", "Name", 20.0),
        Column("코드 수", "Codes", 8.0),
        Column("비고", "Remarks", 30.0),
        Column("사용", "In use", 8.0),
    ];
    fn cells(self) -> Vec<Cell> {
        vec![
            text(self.code),
            text(self.name),
            number(Some(self.code_count)),
            self.remarks.into(),
            active(self.active),
        ]
    }
}

impl Sheet for Code {
    const TITLE: (&'static str, &'static str) = ("공통코드", "Codes");
    const HEADERS: &'static [Column] = &[
        Column("그룹코드", "Group code", 14.0),
        Column("그룹명", "Group", 16.0),
        Column("코드", "Code", 12.0),
        Column("코드명", "Name", 20.0),
        Column("속성1", "Attribute 1", 14.0),
        Column("속성2", "Attribute 2", 14.0),
        Column("속성3", "Attribute 3", 14.0),
        Column("순서", "Order", 8.0),
        Column("사용", "In use", 8.0),
    ];
    fn cells(self) -> Vec<Cell> {
        vec![
            text(self.group_code),
            text(self.group_name),
            text(self.code),
            text(self.name),
            self.attr1.into(),
            self.attr2.into(),
            self.attr3.into(),
            number(Some(self.seq)),
            active(self.active),
        ]
    }
}

impl Sheet for DefectCode {
    const TITLE: (&'static str, &'static str) = ("불량코드", "Defect codes");
    const HEADERS: &'static [Column] = &[
        Column("코드", "Code", 12.0),
        Column("불량명", "Name", 20.0),
        Column("분류", "Category", 14.0),
        Column("사용", "In use", 8.0),
    ];
    fn cells(self) -> Vec<Cell> {
        vec![
            text(self.code),
            text(self.name),
            text(self.category),
            active(self.active),
        ]
    }
}

impl Sheet for DowntimeReason {
    const TITLE: (&'static str, &'static str) = ("비가동 사유", "Downtime reasons");
    const HEADERS: &'static [Column] = &[
        Column("코드", "Code", 12.0),
        Column("사유", "Reason", 20.0),
        Column("손실 구분", "Loss", 14.0),
        Column("사용", "In use", 8.0),
    ];
    fn cells(self) -> Vec<Cell> {
        let (ko, en) = match self.category {
            DowntimeCategory::Planned => ("계획 정지", "Planned"),
            DowntimeCategory::Availability => ("가용성", "Availability"),
            DowntimeCategory::Performance => ("성능", "Performance"),
            DowntimeCategory::Quality => ("품질", "Quality"),
        };
        vec![
            text(self.code),
            text(self.name),
            Cell::Text(pick(ko, en)),
            active(self.active),
        ]
    }
}

/// The most bytes an import file may have.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// The rows of the first sheet of an .xlsx file as `M`'s inputs, each with
/// its row number in the file (the header is row 1). A header of `M`'s
/// layout that the file lacks refuses the file, as row 1.
pub fn read<M: Import>(bytes: &[u8]) -> Result<ImportRows<M::Input>, AppError> {
    read_rows(bytes, M::HEADERS, M::parse)
}

/// Every non-empty row below the header of the first sheet, each parsed by
/// `parse` from the cells under `headers` (found by their Korean or English
/// title, in any order).
pub fn read_rows<I>(
    bytes: &[u8],
    headers: &[Column],
    parse: impl Fn(&dyn Fn(usize) -> String) -> Result<I, MesError>,
) -> Result<ImportRows<I>, AppError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(AppError::new(ErrorCode::ImportFile));
    }
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| AppError::new(ErrorCode::ImportFile))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| AppError::new(ErrorCode::ImportFile))?
        .map_err(|_| AppError::new(ErrorCode::ImportFile))?;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|c| c.to_string().trim().to_owned()).collect())
        .unwrap_or_default();
    let mut at = Vec::with_capacity(headers.len());
    for Column(ko, en, _) in headers {
        match header.iter().position(|h| h == ko || h.eq_ignore_ascii_case(en)) {
            Some(i) => at.push(i),
            None => {
                return Err(AppError::import_header(ko, en));
            }
        }
    }
    Ok((2..)
        .zip(rows)
        .filter(|(_, row)| {
            row.iter()
                .any(|c| !matches!(c, Data::Empty) && !c.to_string().trim().is_empty())
        })
        .map(|(n, row)| {
            let cell = |i: usize| row.get(at[i]).map(cell_text).unwrap_or_default();
            (n, parse(&cell))
        })
        .collect())
}

/// A cell as the text a person sees: whole numbers without ".0".
fn cell_text(c: &Data) -> String {
    match c {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// The lines of a sales order, as exported and imported (the same layout).
pub const SALES_LINE_COLUMNS: &[Column] = &[
    Column("품번", "Part number", 16.0),
    Column("품명", "Name", 28.0),
    Column("규격", "Spec", 20.0),
    Column("단가", "Unit price", 14.0),
    Column("수량", "Quantity", 10.0),
    Column("금액", "Amount", 14.0),
    Column("외주", "Outsourced", 8.0),
    Column("비고", "Note", 24.0),
];

pub fn sales_line_cells(l: linesight_mes::sales::SalesOrderLine) -> Vec<Cell> {
    vec![
        l.part_no.into(),
        text(l.name),
        l.spec.into(),
        number(Some(l.unit_price)),
        number(Some(l.qty)),
        number(Some(l.amount)),
        tick(l.outsourced),
        l.note.into(),
    ]
}

/// A whole number as typed or as Excel stores it ("12,000", "12000", 12000).
fn whole(field: Field, v: &str) -> Result<i64, MesError> {
    v.trim()
        .replace(',', "")
        .parse::<i64>()
        .map_err(|_| invalid(field, Rule::Format))
}

/// One imported line; the amount column is only shown (the store computes it).
pub fn parse_sales_line(
    cell: &dyn Fn(usize) -> String,
) -> Result<linesight_mes::sales::SalesLineInput, MesError> {
    Ok(linesight_mes::sales::SalesLineInput {
        id: None,
        item_id: None,
        part_no: optional(cell(0)),
        name: cell(1),
        spec: optional(cell(2)),
        unit_price: whole(Field::Price, &cell(3))?,
        qty: whole(Field::Quantity, &cell(4))?,
        outsourced: parse_tick(&cell(6))?,
        note: optional(cell(7)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::workbook;

    fn partner() -> Partner {
        let now = chrono::Utc::now();
        Partner {
            id: 1,
            kind: PartnerKind::Supplier,
            name: "대한정밀".into(),
            biz_no: Some("2208162517".into()),
            ceo: Some("김대표".into()),
            phone: Some("02-555-0101".into()),
            fax: None,
            address: Some("경기도 시흥시".into()),
            remarks: None,
            active: false,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn an_exported_list_reads_back_as_the_same_input() {
        let bytes = workbook("거래처", Partner::HEADERS, &[partner().cells()], false).unwrap();
        let rows = read::<Partner>(&bytes).unwrap();
        assert_eq!(rows.len(), 1);
        let (n, input) = &rows[0];
        assert_eq!(*n, 2);
        let input = input.as_ref().unwrap();
        assert_eq!(input.kind, PartnerKind::Supplier);
        assert_eq!(input.biz_no.as_deref(), Some("220-81-62517"));
        assert_eq!(input.fax, None);
        assert!(!input.active);
    }

    #[test]
    fn exported_order_lines_read_back_as_the_same_lines() {
        let line = linesight_mes::sales::SalesOrderLine {
            id: 7,
            order_id: 1,
            seq: 1,
            item_id: Some(3),
            part_no: Some("BRK-1001".into()),
            name: "브래킷 A".into(),
            spec: Some("SS400".into()),
            unit_price: 12_000,
            qty: 5,
            amount: 60_000,
            outsourced: true,
            note: None,
            work_order_nos: None,
            purchase_order_nos: None,
        };
        let bytes = workbook("수주품목", SALES_LINE_COLUMNS, &[sales_line_cells(line)], false).unwrap();
        let rows = read_rows(&bytes, SALES_LINE_COLUMNS, parse_sales_line).unwrap();
        let input = rows[0].1.as_ref().unwrap();
        assert_eq!(
            (
                input.part_no.as_deref(),
                input.name.as_str(),
                input.unit_price,
                input.qty,
                input.outsourced
            ),
            (Some("BRK-1001"), "브래킷 A", 12_000, 5, true)
        );
        // Typed with thousands separators, too; a word where a number goes is the row's problem.
        assert_eq!(whole(Field::Price, " 12,000 ").unwrap(), 12_000);
        assert!(whole(Field::Price, "만이천").is_err());
    }

    #[test]
    fn a_file_without_the_layout_is_refused_before_any_row() {
        let cols = [Column("이름", "Name", 10.0)];
        let bytes = workbook("x", &cols, &[vec![Cell::Text("a".into())]], false).unwrap();
        let err = read::<Partner>(&bytes).unwrap_err();
        assert_eq!(err.code, ErrorCode::ImportFile);
        assert!(read::<Partner>(b"not a spreadsheet").is_err());
    }

    /// The files E2E 06 uploads (tests/fixtures/xlsx, inline strings as some tools write them).
    #[test]
    fn reads_the_e2e_import_files() {
        let bad = read::<Partner>(include_bytes!("../../tests/fixtures/xlsx/partners-bad.xlsx")).unwrap();
        let rows: Vec<_> = bad
            .iter()
            .map(|(n, r)| (*n, r.as_ref().map(|p| p.name.clone()).ok()))
            .collect();
        assert_eq!(
            rows,
            [
                (2, Some("한빛산업".into())),
                (3, Some(String::new())),
                (4, Some("동방철강".into())),
                (5, Some("서해볼트".into()))
            ]
        );
        let good = read::<Partner>(include_bytes!("../../tests/fixtures/xlsx/partners-good.xlsx")).unwrap();
        assert_eq!(good.len(), 2);
        assert_eq!(good[1].1.as_ref().unwrap().fax.as_deref(), Some("051-555-0198"));
    }

    #[test]
    fn bad_cells_are_row_problems() {
        let mut bad = partner().cells();
        bad[0] = Cell::Text("거래처 아님".into());
        let mut numeric = partner().cells();
        numeric[2] = Cell::Number(2208162517.0);
        let bytes = workbook("거래처", Partner::HEADERS, &[bad, vec![], numeric], false).unwrap();
        let rows = read::<Partner>(&bytes).unwrap();
        assert_eq!(rows.len(), 2, "blank rows are skipped");
        assert!(matches!(
            rows[0],
            (
                2,
                Err(MesError::Invalid {
                    field: Field::Kind,
                    rule: Rule::Format
                })
            )
        ));
        let (n, ok) = &rows[1];
        assert_eq!(
            (*n, ok.as_ref().unwrap().biz_no.as_deref()),
            (4, Some("2208162517"))
        );
    }
}
