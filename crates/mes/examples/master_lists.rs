//! How fast the master lists answer at 100 000 records: the queries the
//! partner and item screens send (first page, a deep page, a search, a
//! sort), timed on a real SQLite file, beside the same pages read the way a
//! list without paging would (every row loaded, then cut in memory).
//!
//! cargo run --release -p linesight-mes --example master_lists [-- ROWS]

use std::time::Instant;

use linesight_mes::{
    Store,
    master::{ListQuery, Master, items::Item, partners::Partner},
};
use sqlx::{Connection, SqliteConnection};

fn percentile(mut ms: Vec<f64>, p: f64) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms[((ms.len() - 1) as f64 * p).round() as usize]
}

async fn time<F, Fut>(runs: usize, mut f: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await; // warm the page cache
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f().await;
        ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    (percentile(ms.clone(), 0.5), percentile(ms, 0.95))
}

/// Bulk rows straight into the tables (the app adds records one by one, with audit rows).
async fn fill(path: &std::path::Path, rows: usize) -> anyhow::Result<()> {
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await?;
    let mut tx = conn.begin().await?;
    let now = "2026-11-30T00:00:00.000Z";
    let names = [
        "대한", "한빛", "동방", "서해", "우진", "세명", "태광", "미래", "경인", "신라",
    ];
    let kinds = [
        "정밀",
        "산업",
        "기계",
        "철강",
        "전기",
        "엔지니어링",
        "볼트",
        "도장",
    ];
    for i in 0..rows {
        let name = format!("{}{} {:05}", names[i % 10], kinds[(i / 10) % 8], i);
        sqlx::query(
            "INSERT INTO partners (kind, name, ceo, phone, address, active, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
        )
        .bind(["customer", "supplier", "both"][i % 3])
        .bind(&name)
        .bind(format!("대표{}", i % 997))
        .bind(format!("031-{:03}-{:04}", i % 1000, i % 10_000))
        .bind(format!("경기도 시흥시 공단{}대로 {}", i % 9 + 1, i % 500))
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO items (part_no, name, spec, unit, active, created_at, updated_at)
             VALUES (?, ?, ?, 'EA', 1, ?, ?)",
        )
        .bind(format!("P-{:06}", (i * 7919) % 1_000_000))
        .bind(format!("{} 브래킷 {}", names[i % 10], i))
        .bind(format!("SS400 t{}", i % 9 + 1))
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The page the way a list without paging gets it: every active row, sorted and cut in memory.
async fn load_all<M: Master>(store: &Store, q: &ListQuery) -> usize {
    let all = store
        .list_all::<M>(&ListQuery {
            offset: 0,
            limit: 0,
            ..q.clone()
        })
        .await
        .expect("list");
    all.rows
        .into_iter()
        .skip(q.offset as usize)
        .take(q.limit as usize)
        .count()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows: usize = std::env::args().nth(1).map_or(Ok(100_000), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("linesight.db");
    let store = Store::open(&path).await?;
    let start = Instant::now();
    fill(&path, rows).await?;
    println!(
        "{rows} partners and {rows} items written in {:.1} s\n",
        start.elapsed().as_secs_f64()
    );

    let page = |offset: u32, search: Option<&str>, sort: Option<&str>, descending: bool| ListQuery {
        search: search.map(Into::into),
        sort: sort.map(Into::into),
        descending,
        offset,
        limit: 20,
        ..ListQuery::default()
    };
    let deep = (rows as u32 / 20 - 1) * 20;
    let cases = [
        ("partners: first page, by name", page(0, None, None, false)),
        ("partners: last page, by name", page(deep, None, None, false)),
        (
            "partners: sorted by CEO, descending",
            page(0, None, Some("ceo"), true),
        ),
        (
            "partners: search \"동방철강\"",
            page(0, Some("동방철강"), None, false),
        ),
        (
            "partners: search a phone number",
            page(0, Some("555-0"), None, false),
        ),
    ];
    println!("| List query ({rows} rows) | p50 ms | p95 ms | load-all p50 ms |");
    println!("|---|---|---|---|");
    for (what, q) in &cases {
        let (p50, p95) = time(30, || async {
            store.list::<Partner>(q).await.expect("list");
        })
        .await;
        let (all50, _) = time(5, || async {
            load_all::<Partner>(&store, q).await;
        })
        .await;
        println!("| {what} | {p50:.1} | {p95:.1} | {all50:.0} |");
    }
    let items = [
        ("items: first page, by part number", page(0, None, None, false)),
        ("items: last page, by part number", page(deep, None, None, false)),
        (
            "items: search a part number",
            page(0, Some("P-0042"), None, false),
        ),
    ];
    for (what, q) in &items {
        let (p50, p95) = time(30, || async {
            store.list::<Item>(q).await.expect("list");
        })
        .await;
        let (all50, _) = time(5, || async {
            load_all::<Item>(&store, q).await;
        })
        .await;
        println!("| {what} | {p50:.1} | {p95:.1} | {all50:.0} |");
    }
    Ok(())
}
