//! Quality statistics (품질): defect rates by item, process, station and
//! defect type, the Pareto of defect types, and a p-chart of the daily defect
//! rate, all from the daily roll-up of inspections (`inspection_days`).
//!
//! Rates count parts as the station judged them: a relabel changes the
//! inspection's review, not its verdict, the same rule as the counters.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use crate::{Field, Result, Store, validate};

/// The longest range one quality report covers: five years.
pub const MAX_DAYS: i64 = 5 * 366;

/// Which parts: local days `first..=last`, optionally one station, item,
/// process or defect type. A defect-type filter narrows the NG count only,
/// so the rate stays "parts with this defect per part inspected".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct QualityQuery {
    pub first: NaiveDate,
    pub last: NaiveDate,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub station_id: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub item_id: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub process_id: Option<i64>,
    pub defect_type: Option<String>,
}

/// Parts and NG parts of one group. `id` is the item, process or station id,
/// 0 for parts inspected under no work order; `label` its name.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RateRow {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub label: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub parts: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub ng: i64,
}

/// One bar of the Pareto: a defect type ('' when the model gave none), its
/// name when it is a defect code, its count, its share of all NG parts and
/// the cumulative share up to and including it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ParetoRow {
    pub defect_type: String,
    pub name: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub ng: i64,
    pub share: f64,
    pub cumulative: f64,
}

/// Why a p-chart point is out of control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Outside the 3-sigma limits (Western Electric rule 1).
    BeyondLimits,
    /// The 8th or later point in a row on one side of the centre line (rule 4).
    Run,
}

/// A day of the p-chart. Limits are the day's own (they narrow as more
/// parts are inspected); the lower one is floored at 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PPoint {
    pub day: NaiveDate,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub parts: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub ng: i64,
    pub p: f64,
    pub lcl: f64,
    pub ucl: f64,
    pub signal: Option<Signal>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PChart {
    /// p̄ = Σ NG / Σ parts over the days shown; None with no parts.
    pub center: Option<f64>,
    /// Days with at least one part, in order.
    pub points: Vec<PPoint>,
}

/// Everything the quality screen shows, for one query.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct QualityReport {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub parts: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub ng: i64,
    pub by_item: Vec<RateRow>,
    pub by_process: Vec<RateRow>,
    pub by_station: Vec<RateRow>,
    pub pareto: Vec<ParetoRow>,
    pub p_chart: PChart,
}

/// Points on one side of the centre in a row that make a run signal.
const RUN: usize = 8;

/// The p-chart of daily (parts, NG) counts. Days with no parts are left out.
pub fn p_chart(days: &[(NaiveDate, i64, i64)]) -> PChart {
    let days: Vec<_> = days.iter().filter(|d| d.1 > 0).collect();
    let (parts, ng) = days.iter().fold((0, 0), |(p, n), d| (p + d.1, n + d.2));
    if parts == 0 {
        return PChart {
            center: None,
            points: Vec::new(),
        };
    }
    let center = ng as f64 / parts as f64;
    let mut run: (i8, usize) = (0, 0);
    let points = days
        .into_iter()
        .map(|&(day, parts, ng)| {
            let p = ng as f64 / parts as f64;
            let sigma = (center * (1.0 - center) / parts as f64).sqrt();
            let (lcl, ucl) = ((center - 3.0 * sigma).max(0.0), (center + 3.0 * sigma).min(1.0));
            let side = if p > center {
                1
            } else if p < center {
                -1
            } else {
                0
            };
            run = if side != 0 && side == run.0 {
                (side, run.1 + 1)
            } else {
                (side, usize::from(side != 0))
            };
            let signal = if p > ucl || p < lcl {
                Some(Signal::BeyondLimits)
            } else if run.1 >= RUN {
                Some(Signal::Run)
            } else {
                None
            };
            PPoint {
                day,
                parts,
                ng,
                p,
                lcl,
                ucl,
                signal,
            }
        })
        .collect();
    PChart {
        center: Some(center),
        points,
    }
}

/// The Pareto of `(defect type, name, NG)` rows, most frequent first.
pub fn pareto(mut rows: Vec<(String, Option<String>, i64)>) -> Vec<ParetoRow> {
    rows.retain(|r| r.2 > 0);
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let total: i64 = rows.iter().map(|r| r.2).sum();
    let mut running = 0;
    rows.into_iter()
        .map(|(defect_type, name, ng)| {
            running += ng;
            ParetoRow {
                defect_type,
                name,
                ng,
                share: ng as f64 / total as f64,
                cumulative: running as f64 / total as f64,
            }
        })
        .collect()
}

/// ` WHERE …` of `query` over `inspection_days d`.
fn push_filter(q: &mut QueryBuilder<Sqlite>, query: &QualityQuery) {
    q.push(" WHERE d.day BETWEEN ")
        .push_bind(query.first.to_string())
        .push(" AND ")
        .push_bind(query.last.to_string());
    for (column, value) in [
        (" AND d.station_id = ", query.station_id),
        (" AND d.item_id = ", query.item_id),
        (" AND d.process_id = ", query.process_id),
    ] {
        if let Some(v) = value {
            q.push(column).push_bind(v);
        }
    }
}

/// `SUM(…) AS ng` of `query`: every NG part, or those of its defect type.
fn push_ng(q: &mut QueryBuilder<Sqlite>, query: &QualityQuery) {
    match &query.defect_type {
        Some(t) => q
            .push("SUM(CASE WHEN d.defect_type = ")
            .push_bind(t.clone())
            .push(" THEN d.ng ELSE 0 END) AS ng"),
        None => q.push("SUM(d.ng) AS ng"),
    };
}

impl Store {
    pub async fn quality(&self, query: &QualityQuery) -> Result<QualityReport> {
        validate::int_range(
            Field::Period,
            (query.last - query.first).num_days(),
            0,
            MAX_DAYS - 1,
        )?;
        // Grouped first, named after: the name is looked up once per group,
        // not once per roll-up row (tens of thousands over five years).
        let by = |key: &str, label: &str, join: &str| {
            let mut q = QueryBuilder::new(format!(
                "SELECT g.id, {label} AS label, g.parts, g.ng FROM (SELECT d.{key} AS id, SUM(d.parts) AS parts, "
            ));
            push_ng(&mut q, query);
            q.push(" FROM inspection_days d");
            push_filter(&mut q, query);
            q.push(format!(
                " GROUP BY d.{key}) g {join} ORDER BY g.ng DESC, g.parts DESC, g.id"
            ));
            q
        };
        let by_item = by(
            "item_id",
            "i.part_no || ' ' || i.name",
            "LEFT JOIN items i ON i.id = g.id",
        )
        .build_query_as::<RateRow>()
        .fetch_all(&self.pool)
        .await?;
        let by_process = by(
            "process_id",
            "p.code || ' ' || p.name",
            "LEFT JOIN processes p ON p.id = g.id",
        )
        .build_query_as::<RateRow>()
        .fetch_all(&self.pool)
        .await?;
        let by_station = by("station_id", "s.name", "LEFT JOIN stations s ON s.id = g.id")
            .build_query_as::<RateRow>()
            .fetch_all(&self.pool)
            .await?;

        let mut q = QueryBuilder::new(
            "SELECT d.defect_type, (SELECT c.name FROM defect_codes c WHERE c.code = d.defect_type COLLATE NOCASE),
                    SUM(d.ng) FROM inspection_days d",
        );
        push_filter(&mut q, query);
        if let Some(t) = &query.defect_type {
            q.push(" AND d.defect_type = ").push_bind(t.clone());
        }
        q.push(" AND d.ng > 0 GROUP BY d.defect_type");
        let pareto = pareto(q.build_query_as().fetch_all(&self.pool).await?);

        let mut q = QueryBuilder::new("SELECT d.day, SUM(d.parts) AS parts, ");
        push_ng(&mut q, query);
        q.push(" FROM inspection_days d");
        push_filter(&mut q, query);
        q.push(" GROUP BY d.day ORDER BY d.day");
        let days: Vec<(NaiveDate, i64, i64)> = q.build_query_as().fetch_all(&self.pool).await?;

        let (parts, ng) = days.iter().fold((0, 0), |(p, n), d| (p + d.1, n + d.2));
        Ok(QualityReport {
            parts,
            ng,
            by_item,
            by_process,
            by_station,
            pareto,
            p_chart: p_chart(&days),
        })
    }
}
