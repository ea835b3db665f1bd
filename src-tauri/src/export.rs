//! Excel export of a list: one sheet with a bold, frozen header row and an
//! autofilter, typed cells (numbers stay numbers, times stay times), saved
//! under a file name made here, never one from the window.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use chrono::{DateTime, Local, Utc};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::{
    error::{AppError, AppResult, ErrorCode},
    settings::{Language, current_language},
};

/// Rows one export may hold; a longer list is cut here and says so in its last row.
pub const MAX_ROWS: usize = 200_000;

pub enum Cell {
    Text(String),
    Number(f64),
    /// Written as a local date and time.
    Time(DateTime<Utc>),
    Empty,
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        v.map_or(Cell::Empty, Cell::Text)
    }
}

/// A column: its header (Korean, English) and width in characters.
pub struct Column(pub &'static str, pub &'static str, pub f64);

/// The workbook as bytes. `truncated` adds a closing row saying the list was cut at [`MAX_ROWS`].
pub fn workbook(
    sheet: &str,
    columns: &[Column],
    rows: &[Vec<Cell>],
    truncated: bool,
) -> Result<Vec<u8>, XlsxError> {
    let english = current_language() == Language::En;
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let bold = Format::new().set_bold().set_background_color("#DCE6F1");
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (c, Column(ko, en, width)) in columns.iter().enumerate() {
        let col = c as u16;
        ws.write_string_with_format(0, col, if english { *en } else { *ko }, &bold)?;
        ws.set_column_width(col, *width)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Cell::Number(n) if n.is_finite() => {
                    ws.write_number(r, c, *n)?;
                }
                Cell::Time(t) => {
                    ws.write_datetime_with_format(r, c, t.with_timezone(&Local).naive_local(), &when)?;
                }
                Cell::Number(_) | Cell::Empty => {}
            }
        }
    }
    let last = rows.len() as u32;
    if truncated {
        let note = if english {
            format!("Only the first {MAX_ROWS} rows: narrow the filters to export the rest.")
        } else {
            format!("처음 {MAX_ROWS}행만 내보냈습니다. 조건을 좁혀 나머지를 내보내세요.")
        };
        ws.write_string(last + 1, 0, note)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, last.max(1), columns.len().saturating_sub(1) as u16)?;
    book.save_to_buffer()
}

/// Every row of a keyset-paged list, page after page (`fetch(before_id)`),
/// up to [`MAX_ROWS`]; true when the list was cut there.
pub async fn all_pages<T, E, Fut>(
    page_size: usize,
    id_of: impl Fn(&T) -> i64,
    mut fetch: impl FnMut(Option<i64>) -> Fut,
) -> Result<(Vec<T>, bool), E>
where
    Fut: std::future::Future<Output = Result<Vec<T>, E>>,
{
    let mut rows: Vec<T> = Vec::new();
    let mut before = None;
    loop {
        let page = fetch(before).await?;
        let full = page.len() == page_size;
        before = page.last().map(&id_of);
        rows.extend(page);
        if rows.len() >= MAX_ROWS {
            rows.truncate(MAX_ROWS);
            return Ok((rows, true));
        }
        if !full {
            return Ok((rows, false));
        }
    }
}

/// A list as an Excel file in `dir`, named `<stem>_<date-time>.xlsx` with the
/// sheet and stem in the user's language ((Korean, English) pairs); returns
/// the file's path for the window to show.
pub async fn to_file(
    dir: PathBuf,
    sheet: (&'static str, &'static str),
    stem: (&'static str, &'static str),
    columns: &'static [Column],
    rows: Vec<Vec<Cell>>,
    truncated: bool,
) -> AppResult<String> {
    let english = current_language() == Language::En;
    let pick = |(ko, en): (&'static str, &'static str)| if english { en } else { ko };
    let (sheet, stem) = (pick(sheet), pick(stem));
    let path = tokio::task::spawn_blocking(move || -> Result<PathBuf, String> {
        let bytes = workbook(sheet, columns, &rows, truncated).map_err(|e| e.to_string())?;
        save(&dir, stem, &bytes).map_err(|e| e.to_string())
    })
    .await
    .map_err(|_| AppError::new(ErrorCode::Internal))?
    .map_err(|e| {
        tracing::error!("export: {e}");
        AppError::export(e)
    })?;
    tracing::info!(path = %path.display(), "exported");
    Ok(path.display().to_string())
}

/// Writes `bytes` as `<stem>_<local date-time>.xlsx` in `dir`, never over an existing file.
pub fn save(dir: &Path, stem: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let base = format!("{stem}_{}", Local::now().format("%Y%m%d_%H%M%S"));
    create_unique(dir, &base, "xlsx", bytes)
}

/// Writes `bytes` as `<base>.<ext>` in `dir`, or `<base>_2.<ext>`… when that
/// exists: never over an existing file. `base` must be a plain file name.
pub fn create_unique(dir: &Path, base: &str, ext: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    for n in 1..100 {
        let name = if n == 1 {
            format!("{base}.{ext}")
        } else {
            format!("{base}_{n}.{ext}")
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                f.write_all(bytes)?;
                f.sync_all()?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "too many files of this name",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_is_a_zip_with_the_sheet_and_its_cells() {
        let cols = [Column("판정", "Verdict", 8.0), Column("점수", "Score", 10.0)];
        let rows = vec![
            vec![Cell::Text("NG".into()), Cell::Number(26.5)],
            vec![Cell::Text("OK".into()), Cell::Number(f64::NAN)],
        ];
        let bytes = workbook("검사", &cols, &rows, false).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet)
            .unwrap();
        assert!(sheet.contains("<v>26.5</v>"), "{sheet}");
        assert!(sheet.contains("autoFilter"));
    }

    #[tokio::test]
    async fn all_pages_follows_the_keyset_and_stops_at_a_short_page() {
        let ids: Vec<i64> = (1..=7).rev().collect();
        let fetch = |before: Option<i64>| {
            let page: Vec<i64> = ids
                .iter()
                .copied()
                .filter(|&i| before.is_none_or(|b| i < b))
                .take(3)
                .collect();
            async move { Ok::<_, ()>(page) }
        };
        let (rows, cut) = all_pages(3, |&i| i, fetch).await.unwrap();
        assert_eq!((rows, cut), (vec![7, 6, 5, 4, 3, 2, 1], false));
    }

    #[test]
    fn saving_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let a = save(dir.path(), "검사이력", b"one").unwrap();
        let b = save(dir.path(), "검사이력", b"two").unwrap();
        assert_ne!(a, b);
        assert_eq!(std::fs::read(&a).unwrap(), b"one");
        assert_eq!(std::fs::read(&b).unwrap(), b"two");
        assert!(a.file_name().unwrap().to_str().unwrap().starts_with("검사이력_"));
    }
}
