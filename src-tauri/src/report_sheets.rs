//! The grids of the report screens as Excel sheets: which grid with which
//! query (as the window asks for it), and its columns and rows, computed
//! from the store again. Rates are percentages, times minutes.

use chrono::{Local, NaiveDate, Utc};
use linesight_mes::{
    Store,
    production::oee::{OeeGroup, OeeRow},
    reports::quality::{QualityQuery, RateRow, Signal},
};
use serde::Deserialize;
use specta::Type;

use crate::{
    error::AppResult,
    export::{Cell, Column},
    settings::{Language, current_language},
};

/// A grid of a report screen and the query it shows.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(tag = "grid", rename_all = "camelCase")]
pub enum ReportGrid {
    QualityByItem {
        query: QualityQuery,
    },
    QualityByProcess {
        query: QualityQuery,
    },
    QualityByStation {
        query: QualityQuery,
    },
    Pareto {
        query: QualityQuery,
    },
    PChart {
        query: QualityQuery,
    },
    Oee {
        first: NaiveDate,
        last: NaiveDate,
        group: OeeGroup,
    },
    PlanVsActual {
        first: NaiveDate,
        last: NaiveDate,
    },
    MonthlyOrders {
        year: i32,
    },
    MonthlyOutsourcing {
        year: i32,
    },
    MonthlyShipments {
        year: i32,
    },
    Cumulative {
        year: i32,
    },
    Daily {
        day: NaiveDate,
    },
}

impl ReportGrid {
    /// Money and the daily report are for the office.
    pub fn is_office(&self) -> bool {
        matches!(
            self,
            ReportGrid::MonthlyOrders { .. }
                | ReportGrid::MonthlyOutsourcing { .. }
                | ReportGrid::MonthlyShipments { .. }
                | ReportGrid::Cumulative { .. }
                | ReportGrid::Daily { .. }
        )
    }
}

pub struct Sheet {
    /// (Korean, English): the sheet's and the file's name.
    pub title: (&'static str, &'static str),
    pub columns: &'static [Column],
    pub rows: Vec<Vec<Cell>>,
}

fn pick(ko: &str, en: &str) -> String {
    if current_language() == Language::En {
        en
    } else {
        ko
    }
    .to_string()
}

fn n(v: i64) -> Cell {
    Cell::Number(v as f64)
}

fn pct(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, |v| Cell::Number((v * 10_000.0).round() / 100.0))
}

fn minutes(seconds: f64) -> Cell {
    Cell::Number((seconds / 6.0).round() / 10.0)
}

fn rate(ng: i64, parts: i64) -> Option<f64> {
    (parts > 0).then(|| ng as f64 / parts as f64)
}

const RATE_COLUMNS: &[Column] = &[
    Column("구분", "Group", 30.0),
    Column("검사 수", "Parts", 12.0),
    Column("불량 수", "NG", 12.0),
    Column("불량률(%)", "Defect rate (%)", 14.0),
];

fn rate_rows(rows: Vec<RateRow>) -> Vec<Vec<Cell>> {
    rows.into_iter()
        .map(|r| {
            vec![
                Cell::Text(
                    r.label
                        .unwrap_or_else(|| pick("(작업지시 없음)", "(no work order)")),
                ),
                n(r.parts),
                n(r.ng),
                pct(rate(r.ng, r.parts)),
            ]
        })
        .collect()
}

const PARETO_COLUMNS: &[Column] = &[
    Column("불량 유형", "Defect type", 16.0),
    Column("명칭", "Name", 20.0),
    Column("불량 수", "NG", 12.0),
    Column("비율(%)", "Share (%)", 12.0),
    Column("누적(%)", "Cumulative (%)", 14.0),
];

const P_CHART_COLUMNS: &[Column] = &[
    Column("일자", "Day", 12.0),
    Column("검사 수", "Parts", 12.0),
    Column("불량 수", "NG", 12.0),
    Column("불량률(%)", "Defect rate (%)", 14.0),
    Column("관리 하한(%)", "LCL (%)", 12.0),
    Column("관리 상한(%)", "UCL (%)", 12.0),
    Column("관리 이탈", "Out of control", 22.0),
];

const OEE_COLUMNS: &[Column] = &[
    Column("구분", "Group", 24.0),
    Column("계획 시간(분)", "Planned (min)", 14.0),
    Column("가동 시간(분)", "Run (min)", 14.0),
    Column("이론 시간(분)", "Ideal (min)", 14.0),
    Column("생산", "Made", 10.0),
    Column("양품", "Good", 10.0),
    Column("가동률(%)", "Availability (%)", 14.0),
    Column("성능(%)", "Performance (%)", 14.0),
    Column("양품률(%)", "Quality (%)", 14.0),
    Column("OEE(%)", "OEE (%)", 10.0),
    Column("비가동 사유(분)", "Downtime by reason (min)", 48.0),
];

fn oee_row(row: OeeRow, whole: bool) -> Vec<Cell> {
    let t = row.totals;
    let losses = row
        .downtime
        .iter()
        .map(|l| {
            format!(
                "{} {:.0}",
                l.reason.clone().unwrap_or_else(|| pick("미분류", "unexplained")),
                l.seconds / 60.0
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        Cell::Text(if whole { pick("합계", "Total") } else { row.key }),
        minutes(t.planned_seconds),
        minutes(t.run_seconds),
        minutes(t.ideal_seconds),
        n(t.total),
        n(t.good),
        pct(row.availability),
        pct(row.performance),
        pct(row.quality),
        pct(row.oee),
        Cell::Text(losses),
    ]
}

const PLAN_COLUMNS: &[Column] = &[
    Column("일자", "Day", 12.0),
    Column("작업자", "Worker", 16.0),
    Column("계획 공정", "Planned steps", 12.0),
    Column("계획일 완료", "Finished on plan", 14.0),
    Column("완료 공정", "Finished steps", 12.0),
    Column("계획 수량", "Planned qty", 12.0),
    Column("양품", "Good", 10.0),
    Column("불량", "NG", 10.0),
];

const ORDERS_COLUMNS: &[Column] = &[
    Column("월", "Month", 8.0),
    Column("국내 건수", "Domestic orders", 12.0),
    Column("국내 금액", "Domestic amount", 16.0),
    Column("수출 건수", "Export orders", 12.0),
    Column("수출 금액", "Export amount", 16.0),
    Column("합계 건수", "Orders", 12.0),
    Column("합계 금액", "Amount", 16.0),
];

const OUTSOURCING_COLUMNS: &[Column] = &[
    Column("월", "Month", 8.0),
    Column("외주 발주 건수", "Outsourcing orders", 16.0),
    Column("입고 건수", "Received", 12.0),
    Column("외주 금액", "Outsourcing cost", 16.0),
];

const SHIPMENT_COLUMNS: &[Column] = &[
    Column("월", "Month", 8.0),
    Column("출고 건수", "Shipments", 12.0),
    Column("출고 금액", "Shipped amount", 16.0),
];

const CUMULATIVE_COLUMNS: &[Column] = &[
    Column("월", "Month", 8.0),
    Column("수주금액", "Order value", 16.0),
    Column("일반관리비", "G&A cost", 14.0),
    Column("외주비용", "Outsourcing cost", 16.0),
    Column("누계 수주금액", "Order value to date", 18.0),
    Column("누계 일반관리비", "G&A to date", 16.0),
    Column("누계 외주비용", "Outsourcing to date", 18.0),
];

const DAILY_COLUMNS: &[Column] = &[
    Column("작업지시", "Work order", 16.0),
    Column("품목", "Item", 28.0),
    Column("공정", "Process", 10.0),
    Column("스테이션", "Station", 14.0),
    Column("설비", "Machine", 18.0),
    Column("작업자", "Operator", 12.0),
    Column("계획", "Planned", 10.0),
    Column("양품", "Good", 10.0),
    Column("불량", "NG", 10.0),
    Column("불량률(%)", "Defect rate (%)", 12.0),
    Column("비가동(분)", "Downtime (min)", 12.0),
    Column("OEE(%)", "OEE (%)", 10.0),
];

/// The grid's sheet, computed from `store`.
pub async fn sheet(store: &Store, grid: &ReportGrid) -> AppResult<Sheet> {
    let monthly = |year: i32| async move { store.monthly_figures(year).await };
    Ok(match grid {
        ReportGrid::QualityByItem { query } => Sheet {
            title: ("품목별 불량률", "Defect rate by item"),
            columns: RATE_COLUMNS,
            rows: rate_rows(store.quality(query).await?.by_item),
        },
        ReportGrid::QualityByProcess { query } => Sheet {
            title: ("공정별 불량률", "Defect rate by process"),
            columns: RATE_COLUMNS,
            rows: rate_rows(store.quality(query).await?.by_process),
        },
        ReportGrid::QualityByStation { query } => Sheet {
            title: ("스테이션별 불량률", "Defect rate by station"),
            columns: RATE_COLUMNS,
            rows: rate_rows(store.quality(query).await?.by_station),
        },
        ReportGrid::Pareto { query } => Sheet {
            title: ("불량 유형 파레토", "Defect Pareto"),
            columns: PARETO_COLUMNS,
            rows: store
                .quality(query)
                .await?
                .pareto
                .into_iter()
                .map(|p| {
                    vec![
                        Cell::Text(if p.defect_type.is_empty() {
                            pick("(유형 없음)", "(no type)")
                        } else {
                            p.defect_type
                        }),
                        p.name.into(),
                        n(p.ng),
                        pct(Some(p.share)),
                        pct(Some(p.cumulative)),
                    ]
                })
                .collect(),
        },
        ReportGrid::PChart { query } => Sheet {
            title: ("일별 불량률 관리도", "Daily defect rate p-chart"),
            columns: P_CHART_COLUMNS,
            rows: store
                .quality(query)
                .await?
                .p_chart
                .points
                .into_iter()
                .map(|p| {
                    vec![
                        Cell::Text(p.day.to_string()),
                        n(p.parts),
                        n(p.ng),
                        pct(Some(p.p)),
                        pct(Some(p.lcl)),
                        pct(Some(p.ucl)),
                        Cell::Text(match p.signal {
                            Some(Signal::BeyondLimits) => pick("관리 한계 밖", "beyond the limits"),
                            Some(Signal::Run) => pick("중심선 한쪽 8점 연속", "8 in a row on one side"),
                            None => String::new(),
                        }),
                    ]
                })
                .collect(),
        },
        ReportGrid::Oee { first, last, group } => {
            let table = store.oee(*first, *last, *group, &Local, Utc::now()).await?;
            let mut rows: Vec<Vec<Cell>> = table.rows.into_iter().map(|r| oee_row(r, false)).collect();
            rows.push(oee_row(table.total, true));
            Sheet {
                title: ("설비종합효율", "OEE"),
                columns: OEE_COLUMNS,
                rows,
            }
        }
        ReportGrid::PlanVsActual { first, last } => Sheet {
            title: ("생산계획대비실적", "Plan vs actual"),
            columns: PLAN_COLUMNS,
            rows: store
                .plan_vs_actual(*first, *last)
                .await?
                .into_iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.day.to_string()),
                        Cell::Text(
                            r.operator_name
                                .unwrap_or_else(|| pick("(미배정)", "(unassigned)")),
                        ),
                        n(r.planned),
                        n(r.finished_on_plan),
                        n(r.finished),
                        n(r.planned_qty),
                        n(r.good_qty),
                        n(r.ng_qty),
                    ]
                })
                .collect(),
        },
        ReportGrid::MonthlyOrders { year } => Sheet {
            title: ("월별수주현황", "Monthly orders"),
            columns: ORDERS_COLUMNS,
            rows: monthly(*year)
                .await?
                .into_iter()
                .map(|m| {
                    vec![
                        n(m.month.into()),
                        n(m.domestic_orders),
                        n(m.domestic_amount),
                        n(m.export_orders),
                        n(m.export_amount),
                        n(m.domestic_orders + m.export_orders),
                        n(m.domestic_amount + m.export_amount),
                    ]
                })
                .collect(),
        },
        ReportGrid::MonthlyOutsourcing { year } => Sheet {
            title: ("외주관리현황", "Monthly outsourcing"),
            columns: OUTSOURCING_COLUMNS,
            rows: monthly(*year)
                .await?
                .into_iter()
                .map(|m| {
                    vec![
                        n(m.month.into()),
                        n(m.outsourcing_orders),
                        n(m.outsourcing_received),
                        n(m.outsourcing_cost),
                    ]
                })
                .collect(),
        },
        ReportGrid::MonthlyShipments { year } => Sheet {
            title: ("제품출고현황", "Monthly shipments"),
            columns: SHIPMENT_COLUMNS,
            rows: monthly(*year)
                .await?
                .into_iter()
                .map(|m| vec![n(m.month.into()), n(m.shipments), n(m.shipped_amount)])
                .collect(),
        },
        ReportGrid::Cumulative { year } => Sheet {
            title: ("월별누계", "Year to date"),
            columns: CUMULATIVE_COLUMNS,
            rows: monthly(*year)
                .await?
                .into_iter()
                .map(|m| {
                    vec![
                        n(m.month.into()),
                        n(m.domestic_amount + m.export_amount),
                        n(m.ga_cost),
                        n(m.outsourcing_cost),
                        n(m.cumulative_amount),
                        n(m.cumulative_ga_cost),
                        n(m.cumulative_outsourcing),
                    ]
                })
                .collect(),
        },
        ReportGrid::Daily { day } => Sheet {
            title: ("일일생산보고서", "Daily production report"),
            columns: DAILY_COLUMNS,
            rows: store
                .daily_report(*day, &Local, Utc::now())
                .await?
                .rows
                .into_iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.work_order_no),
                        Cell::Text(r.item),
                        Cell::Text(r.process),
                        r.station.into(),
                        r.equipment.into(),
                        r.operator.into(),
                        n(r.planned_qty),
                        n(r.good),
                        n(r.ng),
                        pct(rate(r.ng, r.good + r.ng)),
                        minutes(r.downtime_seconds),
                        pct(r.oee.oee()),
                    ]
                })
                .collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_parse_as_the_window_sends_them() {
        let grid: ReportGrid = serde_json::from_str(
            r#"{"grid":"pareto","query":{"first":"2026-11-01","last":"2026-11-30",
                "stationId":null,"itemId":null,"processId":null,"defectType":null}}"#,
        )
        .unwrap();
        assert!(matches!(grid, ReportGrid::Pareto { .. }) && !grid.is_office());
        let money: ReportGrid = serde_json::from_str(r#"{"grid":"cumulative","year":2026}"#).unwrap();
        assert!(money.is_office());
        assert!(serde_json::from_str::<ReportGrid>(r#"{"grid":"everything"}"#).is_err());
    }

    #[test]
    fn rates_are_percent_with_two_decimals_and_times_minutes() {
        assert!(matches!(pct(Some(0.123456)), Cell::Number(v) if (v - 12.35).abs() < 1e-9));
        assert!(matches!(pct(None), Cell::Empty));
        assert!(matches!(minutes(1830.0), Cell::Number(v) if (v - 30.5).abs() < 1e-9));
        assert_eq!(rate(1, 0), None);
    }
}
