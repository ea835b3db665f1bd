//! Management information by month (경영정보): orders received, domestic and
//! export (월별수주현황), outsourcing (외주관리현황), shipments (제품출고현황)
//! and their year-to-date sums (월별누계). One query per figure, each
//! grouped by month over an index on its date.
//!
//! An order's value is its final price (결정가) when one was agreed, else its
//! estimate (Σ line amounts). Quotations are not orders received. Outsourcing
//! is the supply amount of purchase orders placed for a sales order.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Field, Result, Store, validate};

/// One month of a year; every month is present, empty ones with zeros.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MonthFigures {
    /// 1..=12.
    pub month: u32,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub domestic_orders: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub export_orders: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub domestic_amount: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub export_amount: i64,
    /// 일반관리비 of the month's orders.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub ga_cost: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub outsourcing_orders: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub outsourcing_received: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub outsourcing_cost: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub shipments: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub shipped_amount: i64,
    /// Year to date, this month included.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub cumulative_amount: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub cumulative_ga_cost: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub cumulative_outsourcing: i64,
}

/// An order's value: its final price if agreed, else Σ its lines.
const ORDER_VALUE: &str = "COALESCE(s.final_price, (SELECT COALESCE(SUM(l.amount), 0) FROM sales_order_lines l WHERE l.order_id = s.id))";

impl Store {
    /// The twelve months of `year`.
    pub async fn monthly_figures(&self, year: i32) -> Result<Vec<MonthFigures>> {
        validate::int_range(Field::Year, i64::from(year), 2000, 2999)?;
        let (first, next) = (format!("{year}-01-01"), format!("{}-01-01", year + 1));
        let mut months: BTreeMap<u32, MonthFigures> = (1..=12)
            .map(|month| {
                (
                    month,
                    MonthFigures {
                        month,
                        ..MonthFigures::default()
                    },
                )
            })
            .collect();
        let month_of = |m: &str| m.parse::<u32>().ok();

        let orders: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT substr(s.order_date, 6, 2), s.export, COUNT(*), SUM({ORDER_VALUE}), SUM(s.ga_cost)
             FROM sales_orders s
             WHERE s.order_date >= ?1 AND s.order_date < ?2 AND s.status <> 'quotation'
             GROUP BY 1, 2"
        )))
        .bind(&first)
        .bind(&next)
        .fetch_all(&self.pool)
        .await?;
        for (m, export, count, amount, ga) in orders {
            let Some(f) = month_of(&m).and_then(|m| months.get_mut(&m)) else {
                continue;
            };
            if export == 1 {
                f.export_orders += count;
                f.export_amount += amount;
            } else {
                f.domestic_orders += count;
                f.domestic_amount += amount;
            }
            f.ga_cost += ga;
        }

        let outsourcing: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT substr(po.order_date, 6, 2), COUNT(*), SUM(po.status = 'received'),
                    SUM((SELECT COALESCE(SUM(l.amount), 0) FROM purchase_order_lines l WHERE l.po_id = po.id))
             FROM purchase_orders po
             WHERE po.order_date >= ?1 AND po.order_date < ?2 AND po.sales_order_id IS NOT NULL
             GROUP BY 1",
        )
        .bind(&first)
        .bind(&next)
        .fetch_all(&self.pool)
        .await?;
        for (m, count, received, cost) in outsourcing {
            if let Some(f) = month_of(&m).and_then(|m| months.get_mut(&m)) {
                (f.outsourcing_orders, f.outsourcing_received, f.outsourcing_cost) = (count, received, cost);
            }
        }

        let shipments: Vec<(String, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT substr(s.ship_date, 6, 2), COUNT(*), SUM({ORDER_VALUE})
             FROM sales_orders s
             WHERE s.ship_date >= ?1 AND s.ship_date < ?2
             GROUP BY 1"
        )))
        .bind(&first)
        .bind(&next)
        .fetch_all(&self.pool)
        .await?;
        for (m, count, amount) in shipments {
            if let Some(f) = month_of(&m).and_then(|m| months.get_mut(&m)) {
                (f.shipments, f.shipped_amount) = (count, amount);
            }
        }

        let (mut amount, mut ga, mut outsourcing) = (0, 0, 0);
        Ok(months
            .into_values()
            .map(|mut f| {
                amount += f.domestic_amount + f.export_amount;
                ga += f.ga_cost;
                outsourcing += f.outsourcing_cost;
                (
                    f.cumulative_amount,
                    f.cumulative_ga_cost,
                    f.cumulative_outsourcing,
                ) = (amount, ga, outsourcing);
                f
            })
            .collect())
    }
}
