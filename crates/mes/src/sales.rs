//! Sales orders (수주): header and lines saved together, money computed by
//! the store, the lifecycle S01 quotation → S02 received → S03 in work →
//! S04 work completed → S05 shipped, work orders issued for lines, and the
//! order completing by itself when every line's work is done.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::{
    Error, Field, Result, Rule, Store,
    audit::{self, Action, Entry},
    auth::User,
    inspections::stamp,
    master::{ImportRows, MAX_PAGE, MAX_ROWS, RowProblem, push_search},
    production::{
        WorkOrderDetail,
        work_orders::{OperationPlanInput, WorkOrderInput, create_in},
        wrong_state,
    },
    validate,
};

/// The most lines one order or purchase order holds.
pub const MAX_LINES: usize = 200;
/// The largest unit price and the largest quantity a line takes.
pub const MAX_PRICE: i64 = 1_000_000_000_000;
pub const MAX_QTY: i64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum SalesStatus {
    /// S01 견적
    Quotation,
    /// S02 수주
    Received,
    /// S03 작업지시
    InWork,
    /// S04 작업완료
    Completed,
    /// S05 출고
    Shipped,
}

impl SalesStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Quotation => "quotation",
            Self::Received => "received",
            Self::InWork => "in_work",
            Self::Completed => "completed",
            Self::Shipped => "shipped",
        }
    }
}

/// A sales order as listed, with the money the store computes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SalesOrder {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub no: String,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub customer_id: i64,
    pub order_date: NaiveDate,
    pub due_date: NaiveDate,
    /// 수출 (else 국내).
    pub export: bool,
    /// 일반관리비, won.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub ga_cost: i64,
    /// 결정가, won.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub final_price: Option<i64>,
    pub status: SalesStatus,
    pub work_done_at: Option<DateTime<Utc>>,
    pub ship_date: Option<NaiveDate>,
    pub remarks: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub customer_name: String,
    /// 견적가: Σ line amounts.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub estimate: i64,
    /// 외주비: Σ the supply amounts of its purchase orders.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub outsourcing_cost: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub line_count: i64,
    pub work_started_at: Option<DateTime<Utc>>,
    pub work_finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SalesOrderLine {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub order_id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub seq: i64,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub item_id: Option<i64>,
    pub part_no: Option<String>,
    pub name: String,
    pub spec: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub unit_price: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub qty: i64,
    /// unit price × quantity.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub amount: i64,
    pub outsourced: bool,
    pub note: Option<String>,
    pub work_order_nos: Option<String>,
    pub purchase_order_nos: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SalesOrderDetail {
    pub order: SalesOrder,
    pub lines: Vec<SalesOrderLine>,
}

/// A line as the form or an import sends it. With an item, its part
/// number, name and spec come from the item master.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SalesLineInput {
    /// A stored line being kept (none: a new one).
    pub id: Option<i32>,
    pub item_id: Option<i32>,
    pub part_no: Option<String>,
    pub name: String,
    pub spec: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub unit_price: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub qty: i64,
    pub outsourced: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SalesOrderInput {
    pub name: String,
    pub customer_id: i32,
    pub order_date: NaiveDate,
    pub due_date: NaiveDate,
    pub export: bool,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub ga_cost: i64,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub final_price: Option<i64>,
    /// A new order starts as a quotation (S01) rather than received (S02).
    pub quotation: bool,
    pub remarks: Option<String>,
    /// In order: the first is line 1.
    pub lines: Vec<SalesLineInput>,
}

/// Which orders to list, newest order date first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SalesOrderQuery {
    /// Part of the number, name or customer.
    pub search: Option<String>,
    pub status: Option<SalesStatus>,
    /// Leave out quotations (견적): orders received only.
    #[serde(default)]
    pub received_only: bool,
    pub customer_id: Option<i32>,
    /// Order date on or after / on or before.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub offset: u32,
    pub limit: u32,
}

/// Money totals of every order a query matches (not only the page).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SalesTotals {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub estimate: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub final_price: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub outsourcing_cost: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub ga_cost: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SalesOrderPage {
    pub rows: Vec<SalesOrder>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub total: i64,
    pub totals: SalesTotals,
}

/// A line's checked values.
pub(crate) struct CheckedLine {
    pub id: Option<i64>,
    pub item_id: Option<i64>,
    pub part_no: Option<String>,
    pub name: String,
    pub spec: Option<String>,
    pub unit_price: i64,
    pub qty: i64,
    pub outsourced: bool,
    pub note: Option<String>,
}

/// Checks every line; with an item, its part number, name and spec are the item's.
pub(crate) async fn check_lines(
    conn: &mut SqliteConnection,
    lines: &[SalesLineInput],
) -> Result<Vec<CheckedLine>> {
    if lines.is_empty() {
        return Err(Error::Invalid {
            field: Field::Lines,
            rule: Rule::Required,
        });
    }
    validate::in_range(Field::Lines, lines.len() as u32, 1, MAX_LINES as u32)?;
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let (part_no, name, spec) = match l.item_id {
            Some(item) => {
                let found: Option<(String, String, Option<String>)> =
                    sqlx::query_as("SELECT part_no, name, spec FROM items WHERE id = ?")
                        .bind(item)
                        .fetch_optional(&mut *conn)
                        .await?;
                let (p, n, s) = found.ok_or(Error::Invalid {
                    field: Field::Reference,
                    rule: Rule::Unknown,
                })?;
                (Some(p), n, s)
            }
            None => (
                validate::optional(Field::PartNo, l.part_no.clone(), 40)?,
                validate::text(Field::Name, &l.name, 1, 100)?,
                validate::optional(Field::Spec, l.spec.clone(), 100)?,
            ),
        };
        out.push(CheckedLine {
            id: l.id.map(i64::from),
            item_id: l.item_id.map(i64::from),
            part_no,
            name,
            spec,
            unit_price: validate::int_range(Field::Price, l.unit_price, 0, MAX_PRICE)?,
            qty: validate::int_range(Field::Quantity, l.qty, 1, MAX_QTY)?,
            outsourced: l.outsourced,
            note: validate::optional(Field::Remarks, l.note.clone(), 200)?,
        });
    }
    Ok(out)
}

impl Store {
    /// Checks the lines of an import, all or none: a line whose part number
    /// is an item's becomes that item's line; any bad row refuses the file
    /// with every bad row named. Nothing is stored: the lines go to the form.
    pub async fn check_imported_lines(
        &self,
        rows: ImportRows<SalesLineInput>,
    ) -> Result<Vec<SalesLineInput>> {
        let mut conn = self.pool.acquire().await?;
        let mut lines = Vec::with_capacity(rows.len());
        let mut problems = Vec::new();
        if rows.len() > MAX_LINES {
            return Err(Error::Invalid {
                field: Field::Lines,
                rule: Rule::OutOfRange {
                    min: 1,
                    max: MAX_LINES as i64,
                },
            });
        }
        for (row, parsed) in rows {
            let checked = match parsed {
                Ok(mut line) => {
                    let item: Option<i64> = match &line.part_no {
                        Some(p) => {
                            sqlx::query_scalar("SELECT id FROM items WHERE part_no = ? AND active")
                                .bind(p.trim())
                                .fetch_optional(&mut *conn)
                                .await?
                        }
                        None => None,
                    };
                    line.item_id = item.map(|i| i as i32);
                    check_lines(&mut conn, std::slice::from_ref(&line))
                        .await
                        .map(|_| line)
                }
                Err(e) => Err(e),
            };
            match checked {
                Ok(line) => lines.push(line),
                Err(Error::Invalid { field, rule }) => problems.push(RowProblem { row, field, rule }),
                Err(other) => return Err(other),
            }
        }
        if !problems.is_empty() {
            return Err(Error::ImportRefused { problems });
        }
        Ok(lines)
    }
}

/// `PREFIX-YYMMDD-NNN`, the next number of the day in `table` (sales orders,
/// purchase orders, work orders).
pub(crate) async fn next_no(
    conn: &mut SqliteConnection,
    table: &str,
    prefix: &str,
    day: NaiveDate,
) -> Result<String> {
    // The highest number of the day, not the count: numbers may have gaps
    // (the demo's history numbers outsourcing orders after some sales
    // orders only), and a count would then hand out a number already taken.
    let prefix = format!("{prefix}-{}-", day.format("%y%m%d"));
    let highest: i64 = match table {
        "sales_orders" => sqlx::query_scalar(concat!(
            "SELECT COALESCE(MAX(CAST(substr(no, length(?1) + 1) AS INTEGER)), 0)",
            " FROM sales_orders WHERE no LIKE ?1 || '%'"
        )),
        "work_orders" => sqlx::query_scalar(concat!(
            "SELECT COALESCE(MAX(CAST(substr(no, length(?1) + 1) AS INTEGER)), 0)",
            " FROM work_orders WHERE no LIKE ?1 || '%'"
        )),
        _ => sqlx::query_scalar(concat!(
            "SELECT COALESCE(MAX(CAST(substr(no, length(?1) + 1) AS INTEGER)), 0)",
            " FROM purchase_orders WHERE no LIKE ?1 || '%'"
        )),
    }
    .bind(&prefix)
    .fetch_one(conn)
    .await?;
    Ok(format!("{prefix}{:03}", highest + 1))
}

impl Store {
    /// Adds (`id` none) or changes an order with all its lines in one
    /// transaction with one audit row. Lines keep their ids when sent back;
    /// lines left out are removed, unless work or a purchase order refers
    /// to them. Only a quotation or a received order may change.
    pub async fn save_sales_order(
        &self,
        id: Option<i64>,
        input: SalesOrderInput,
        actor: &User,
        machine: &str,
    ) -> Result<SalesOrderDetail> {
        let name = validate::text(Field::Name, &input.name, 1, 100)?;
        if input.due_date < input.order_date {
            return Err(Error::Invalid {
                field: Field::DueDate,
                rule: Rule::DateOrder,
            });
        }
        validate::int_range(Field::Price, input.ga_cost, 0, MAX_PRICE)?;
        if let Some(p) = input.final_price {
            validate::int_range(Field::Price, p, 0, MAX_PRICE)?;
        }
        let remarks = validate::optional(Field::Remarks, input.remarks.clone(), 500)?;
        let mut tx = self.write().await?;
        let customer: Option<String> =
            sqlx::query_scalar("SELECT kind FROM partners WHERE id = ? AND active")
                .bind(input.customer_id)
                .fetch_optional(&mut *tx)
                .await?;
        if !matches!(customer.as_deref(), Some("customer" | "both")) {
            return Err(Error::Invalid {
                field: Field::Customer,
                rule: Rule::Unknown,
            });
        }
        let lines = check_lines(&mut tx, &input.lines).await?;
        let now = Utc::now();
        let before = match id {
            Some(id) => {
                let before = detail_in(&mut tx, id).await?;
                let status = before.order.status;
                if !matches!(status, SalesStatus::Quotation | SalesStatus::Received) {
                    return Err(wrong_state("sales_order", id, status.as_str(), "update"));
                }
                sqlx::query(
                    "UPDATE sales_orders SET name = ?, customer_id = ?, order_date = ?, due_date = ?, export = ?,
                            ga_cost = ?, final_price = ?, remarks = ?, updated_at = ? WHERE id = ?",
                )
                .bind(&name)
                .bind(input.customer_id)
                .bind(input.order_date)
                .bind(input.due_date)
                .bind(input.export)
                .bind(input.ga_cost)
                .bind(input.final_price)
                .bind(&remarks)
                .bind(stamp(now))
                .bind(id)
                .execute(&mut *tx)
                .await?;
                Some(before)
            }
            None => None,
        };
        let order_id = match id {
            Some(id) => id,
            None => {
                let no = next_no(&mut tx, "sales_orders", "SO", input.order_date).await?;
                sqlx::query_scalar(
                    "INSERT INTO sales_orders (no, name, customer_id, order_date, due_date, export, ga_cost,
                                               final_price, status, remarks, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(&no)
                .bind(&name)
                .bind(input.customer_id)
                .bind(input.order_date)
                .bind(input.due_date)
                .bind(input.export)
                .bind(input.ga_cost)
                .bind(input.final_price)
                .bind(if input.quotation {
                    SalesStatus::Quotation
                } else {
                    SalesStatus::Received
                })
                .bind(&remarks)
                .bind(stamp(now))
                .bind(stamp(now))
                .fetch_one(&mut *tx)
                .await?
            }
        };
        save_lines(&mut tx, order_id, &lines).await?;
        let after = detail_in(&mut tx, order_id).await?;
        let action = if before.is_some() {
            Action::Update
        } else {
            Action::Create
        };
        let entry = Entry::change(
            actor,
            machine,
            action,
            "sales_order",
            order_id,
            before.as_ref(),
            &after,
        );
        audit::write(&mut tx, now, entry).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A quotation becomes a received order (S01 → S02).
    pub async fn confirm_sales_order(
        &self,
        id: i64,
        actor: &User,
        machine: &str,
    ) -> Result<SalesOrderDetail> {
        let mut tx = self.write().await?;
        let before = detail_in(&mut tx, id).await?;
        if before.order.status != SalesStatus::Quotation {
            return Err(wrong_state(
                "sales_order",
                id,
                before.order.status.as_str(),
                "confirm",
            ));
        }
        set_status(&mut tx, id, SalesStatus::Received).await?;
        let after = finish_change(&mut tx, id, &before, actor, machine).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Plans a work order for each chosen in-house line of an item that has
    /// none yet, with the lead-time rule on the order's dates; the order is
    /// then in work (S03). Returns the work orders made.
    pub async fn issue_work_orders(
        &self,
        order_id: i64,
        line_ids: &[i64],
        actor: &User,
        machine: &str,
    ) -> Result<Vec<WorkOrderDetail>> {
        let detail = self.sales_order(order_id).await?;
        let order = &detail.order;
        let chosen: Vec<&SalesOrderLine> = detail.lines.iter().filter(|l| line_ids.contains(&l.id)).collect();
        if chosen.is_empty() || chosen.len() != line_ids.iter().collect::<BTreeSet<_>>().len() {
            return Err(Error::Invalid {
                field: Field::Lines,
                rule: Rule::Required,
            });
        }
        // Plans first (they read the lead-time table), then one transaction.
        let mut plans = Vec::new();
        for line in &chosen {
            let item = match (line.item_id, line.outsourced, &line.work_order_nos) {
                (Some(item), false, None) => item,
                _ => {
                    return Err(Error::Invalid {
                        field: Field::Lines,
                        rule: Rule::Format,
                    });
                }
            };
            let plan = self
                .propose_plan(item, None, order.order_date, order.due_date)
                .await?;
            plans.push((line.id, item, line.qty, plan));
        }
        let mut tx = self.write().await?;
        let before = detail_in(&mut tx, order_id).await?;
        if !matches!(before.order.status, SalesStatus::Received | SalesStatus::InWork) {
            return Err(wrong_state(
                "sales_order",
                order_id,
                before.order.status.as_str(),
                "issue",
            ));
        }
        let mut made = Vec::new();
        for (line_id, item, qty, plan) in plans {
            let input = WorkOrderInput {
                item_id: item as i32,
                routing_id: Some(plan.routing_id as i32),
                quantity: qty as i32,
                order_date: order.order_date,
                due_date: order.due_date,
                customer_id: Some(order.customer_id as i32),
                remarks: Some(format!("{} {}", order.no, order.name)),
                operations: plan
                    .operations
                    .iter()
                    .map(|o| OperationPlanInput {
                        plan_date: o.plan_date,
                        equipment_id: o.step.equipment_id.map(|e| e as i32),
                        planned_qty: qty as i32,
                    })
                    .collect(),
            };
            made.push(create_in(&mut tx, input, Some(line_id), actor, machine).await?);
        }
        if before.order.status == SalesStatus::Received {
            set_status(&mut tx, order_id, SalesStatus::InWork).await?;
            finish_change(&mut tx, order_id, &before, actor, machine).await?;
        }
        tx.commit().await?;
        Ok(made)
    }

    /// Marks completed orders shipped on `ship_date` (S04 → S05), all or none.
    pub async fn ship_sales_orders(
        &self,
        ids: &[i64],
        ship_date: NaiveDate,
        actor: &User,
        machine: &str,
    ) -> Result<Vec<SalesOrderDetail>> {
        let mut tx = self.write().await?;
        let mut shipped = Vec::new();
        for &id in ids {
            let before = detail_in(&mut tx, id).await?;
            if before.order.status != SalesStatus::Completed {
                return Err(wrong_state(
                    "sales_order",
                    id,
                    before.order.status.as_str(),
                    "ship",
                ));
            }
            sqlx::query(
                "UPDATE sales_orders SET status = 'shipped', ship_date = ?, updated_at = ? WHERE id = ?",
            )
            .bind(ship_date)
            .bind(stamp(Utc::now()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            shipped.push(finish_change(&mut tx, id, &before, actor, machine).await?);
        }
        tx.commit().await?;
        Ok(shipped)
    }

    pub async fn sales_order(&self, id: i64) -> Result<SalesOrderDetail> {
        let mut conn = self.pool.acquire().await?;
        detail_in(&mut conn, id).await
    }

    /// Orders matching `query`, newest order date first, with the money
    /// totals of every matching order.
    pub async fn list_sales_orders(&self, query: &SalesOrderQuery) -> Result<SalesOrderPage> {
        self.sales_page(query, MAX_PAGE).await
    }

    /// Every order `query` matches (up to [`MAX_ROWS`]), for an export.
    pub async fn export_sales_orders(&self, query: &SalesOrderQuery) -> Result<SalesOrderPage> {
        let all = SalesOrderQuery {
            offset: 0,
            limit: MAX_ROWS,
            ..query.clone()
        };
        self.sales_page(&all, MAX_ROWS).await
    }

    async fn sales_page(&self, query: &SalesOrderQuery, max: u32) -> Result<SalesOrderPage> {
        let limit = validate::in_range(Field::Limit, query.limit, 1, max)?;
        let filters = |q: &mut QueryBuilder<Sqlite>| {
            q.push(" WHERE 1 = 1");
            if let Some(status) = query.status {
                q.push(" AND status = ").push_bind(status);
            }
            if query.received_only {
                q.push(" AND status <> 'quotation'");
            }
            if let Some(customer) = query.customer_id {
                q.push(" AND customer_id = ").push_bind(customer);
            }
            if let Some(from) = query.from {
                q.push(" AND order_date >= ").push_bind(from);
            }
            if let Some(to) = query.to {
                q.push(" AND order_date <= ").push_bind(to);
            }
            if let Some(term) = validate::optional_text(query.search.clone()) {
                push_search(q, &["no", "name", "customer_name"], &term);
            }
        };
        let mut sums = QueryBuilder::<Sqlite>::new(
            "SELECT COUNT(*), COALESCE(SUM(estimate), 0), COALESCE(SUM(final_price), 0),
                    COALESCE(SUM(outsourcing_cost), 0), COALESCE(SUM(ga_cost), 0) FROM sales_orders_list",
        );
        filters(&mut sums);
        let (total, estimate, final_price, outsourcing_cost, ga_cost): (i64, i64, i64, i64, i64) =
            sums.build_query_as().fetch_one(&self.pool).await?;
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM sales_orders_list");
        filters(&mut q);
        q.push(" ORDER BY order_date DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(query.offset);
        let rows = q.build_query_as().fetch_all(&self.pool).await?;
        Ok(SalesOrderPage {
            rows,
            total,
            totals: SalesTotals {
                estimate,
                final_price,
                outsourcing_cost,
                ga_cost,
            },
        })
    }
}

/// Writes the lines: kept ones by id (renumbered in the order given), new
/// ones inserted, the rest removed (refused when work refers to them).
async fn save_lines(tx: &mut SqliteConnection, order_id: i64, lines: &[CheckedLine]) -> Result<()> {
    let stored: Vec<i64> = sqlx::query_scalar("SELECT id FROM sales_order_lines WHERE order_id = ?")
        .bind(order_id)
        .fetch_all(&mut *tx)
        .await?;
    let kept: BTreeSet<i64> = lines.iter().filter_map(|l| l.id).collect();
    if kept.iter().any(|id| !stored.contains(id))
        || kept.len() != lines.iter().filter(|l| l.id.is_some()).count()
    {
        return Err(Error::Invalid {
            field: Field::Lines,
            rule: Rule::Unknown,
        });
    }
    for gone in stored.iter().filter(|id| !kept.contains(id)) {
        sqlx::query("DELETE FROM sales_order_lines WHERE id = ?")
            .bind(gone)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => Error::Invalid {
                    field: Field::Lines,
                    rule: Rule::InUse,
                },
                _ => e.into(),
            })?;
    }
    // Out of the way of the new numbering first (seq is unique per order).
    sqlx::query("UPDATE sales_order_lines SET seq = seq + 100000 WHERE order_id = ?")
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
    for (i, l) in lines.iter().enumerate() {
        let seq = i as i64 + 1;
        let q = match l.id {
            Some(id) => sqlx::query(
                "UPDATE sales_order_lines SET seq = ?, item_id = ?, part_no = ?, name = ?, spec = ?, unit_price = ?,
                        qty = ?, outsourced = ?, note = ? WHERE id = ? AND order_id = ?",
            )
            .bind(seq)
            .bind(l.item_id)
            .bind(&l.part_no)
            .bind(&l.name)
            .bind(&l.spec)
            .bind(l.unit_price)
            .bind(l.qty)
            .bind(l.outsourced)
            .bind(&l.note)
            .bind(id)
            .bind(order_id),
            None => sqlx::query(
                "INSERT INTO sales_order_lines (seq, item_id, part_no, name, spec, unit_price, qty, outsourced, note,
                                                order_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(seq)
            .bind(l.item_id)
            .bind(&l.part_no)
            .bind(&l.name)
            .bind(&l.spec)
            .bind(l.unit_price)
            .bind(l.qty)
            .bind(l.outsourced)
            .bind(&l.note)
            .bind(order_id),
        };
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

pub(crate) async fn set_status(tx: &mut SqliteConnection, id: i64, status: SalesStatus) -> Result<()> {
    sqlx::query("UPDATE sales_orders SET status = ?, updated_at = ? WHERE id = ?")
        .bind(status)
        .bind(stamp(Utc::now()))
        .bind(id)
        .execute(tx)
        .await?;
    Ok(())
}

/// Reads the order after a change and writes its audit row.
pub(crate) async fn finish_change(
    tx: &mut SqliteConnection,
    id: i64,
    before: &SalesOrderDetail,
    actor: &User,
    machine: &str,
) -> Result<SalesOrderDetail> {
    let after = detail_in(tx, id).await?;
    let entry = Entry::change(
        actor,
        machine,
        Action::Update,
        "sales_order",
        id,
        Some(before),
        &after,
    );
    audit::write(tx, Utc::now(), entry).await?;
    Ok(after)
}

pub(crate) async fn detail_in(conn: &mut SqliteConnection, id: i64) -> Result<SalesOrderDetail> {
    let order: SalesOrder = sqlx::query_as("SELECT * FROM sales_orders_list WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(Error::NotFound {
            entity: "sales_order",
            id,
        })?;
    let lines = sqlx::query_as("SELECT * FROM sales_order_lines_list WHERE order_id = ? ORDER BY seq")
        .bind(id)
        .fetch_all(conn)
        .await?;
    Ok(SalesOrderDetail { order, lines })
}

/// An order in work whose every line is done is work completed (S04): a
/// line is done when a work order for it completed, or when it is
/// outsourced and every purchase order for it was received. Called when
/// work orders complete and purchase orders are received.
pub(crate) async fn complete_when_done(conn: &mut SqliteConnection, order_id: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE sales_orders SET status = 'completed', work_done_at = ?1, updated_at = ?1
         WHERE id = ?2 AND status = 'in_work' AND NOT EXISTS (
             SELECT 1 FROM sales_order_lines l WHERE l.order_id = ?2 AND NOT (
                 EXISTS (SELECT 1 FROM work_orders w WHERE w.sales_order_line_id = l.id AND w.status = 'completed')
                 OR (l.outsourced
                     AND EXISTS (SELECT 1 FROM purchase_order_lines pl WHERE pl.sales_order_line_id = l.id)
                     AND NOT EXISTS (SELECT 1 FROM purchase_order_lines pl JOIN purchase_orders po ON po.id = pl.po_id
                                     WHERE pl.sales_order_line_id = l.id AND po.status <> 'received'))))",
    )
    .bind(stamp(Utc::now()))
    .bind(order_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The sales order a work order was issued for, completed when that was its last work.
pub(crate) async fn work_order_completed(conn: &mut SqliteConnection, work_order_id: i64) -> Result<()> {
    let order: Option<i64> = sqlx::query_scalar(
        "SELECT l.order_id FROM work_orders w JOIN sales_order_lines l ON l.id = w.sales_order_line_id WHERE w.id = ?",
    )
    .bind(work_order_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(order) = order {
        complete_when_done(conn, order).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        master::partners::{Partner, PartnerInput, PartnerKind},
        production::{
            WorkOrderStatus,
            terminal::FinishInput,
            tests::{day, plant},
        },
        purchasing::{OutsourcedLine, OutsourcingInput, PurchaseOrderQuery},
    };

    async fn partner(store: &Store, admin: &User, name: &str, kind: PartnerKind) -> i64 {
        let input = PartnerInput {
            kind,
            name: name.into(),
            biz_no: None,
            ceo: None,
            phone: None,
            fax: None,
            address: None,
            remarks: None,
            active: true,
        };
        store.save::<Partner>(None, input, admin, "pc").await.unwrap().id
    }

    fn line(item: Option<i64>, name: &str, price: i64, qty: i64) -> SalesLineInput {
        SalesLineInput {
            id: None,
            item_id: item.map(|i| i as i32),
            part_no: None,
            name: name.into(),
            spec: None,
            unit_price: price,
            qty,
            outsourced: false,
            note: None,
        }
    }

    fn order(customer: i64, lines: Vec<SalesLineInput>) -> SalesOrderInput {
        SalesOrderInput {
            name: "컨베이어 브래킷 납품".into(),
            customer_id: customer as i32,
            order_date: day("2026-11-02"),
            due_date: day("2026-11-20"),
            export: false,
            ga_cost: 50_000,
            final_price: Some(1_200_000),
            quotation: true,
            remarks: None,
            lines,
        }
    }

    #[tokio::test]
    async fn amounts_are_the_stores_and_a_failed_save_changes_nothing() {
        let (_dir, store, admin, item) = plant().await;
        let customer = partner(&store, &admin, "대한기계", PartnerKind::Customer).await;
        let saved = store
            .save_sales_order(
                None,
                order(
                    customer,
                    vec![
                        line(Some(item), "", 1_000, 3),
                        line(None, "특주 브래킷", 2_500, 2),
                    ],
                ),
                &admin,
                "pc",
            )
            .await
            .unwrap();
        assert_eq!(saved.order.no, "SO-261102-001");
        assert_eq!(saved.order.status, SalesStatus::Quotation);
        assert_eq!(saved.order.estimate, 8_000);
        assert_eq!(
            saved.lines.iter().map(|l| l.amount).collect::<Vec<_>>(),
            [3_000, 5_000]
        );
        // A line of an item takes the item's part number and name.
        assert_eq!(
            (saved.lines[0].part_no.as_deref(), saved.lines[0].name.as_str()),
            (Some("BR-100"), "브래킷")
        );

        // Saved twice (the form sends its id back): still one order, its lines kept by id.
        let mut again = order(
            customer,
            vec![
                line(None, "특주 브래킷", 2_500, 4),
                line(Some(item), "", 1_000, 3),
            ],
        );
        again.lines[0].id = Some(saved.lines[1].id as i32);
        again.lines[1].id = Some(saved.lines[0].id as i32);
        for _ in 0..2 {
            store
                .save_sales_order(Some(saved.order.id), again.clone(), &admin, "pc")
                .await
                .unwrap();
        }
        let page = store
            .list_sales_orders(&SalesOrderQuery {
                limit: 10,
                ..SalesOrderQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.totals.estimate, 13_000);
        assert_eq!(page.totals.final_price, 1_200_000);
        let stored = store.sales_order(saved.order.id).await.unwrap();
        assert_eq!(stored.lines[0].id, saved.lines[1].id, "reordered, same line");
        assert_eq!(stored.lines[0].seq, 1);

        // A bad second line: neither a new order nor a change to this one is stored.
        let bad = order(
            customer,
            vec![line(None, "좋은 줄", 100, 1), line(None, "나쁜 줄", 100, 0)],
        );
        assert!(matches!(
            store.save_sales_order(None, bad.clone(), &admin, "pc").await,
            Err(Error::Invalid {
                field: Field::Quantity,
                ..
            })
        ));
        assert!(
            store
                .save_sales_order(Some(saved.order.id), bad, &admin, "pc")
                .await
                .is_err()
        );
        assert_eq!(store.sales_order(saved.order.id).await.unwrap(), stored);
        let all = store
            .list_sales_orders(&SalesOrderQuery {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(all.total, 1);
        // A supplier is not a customer.
        let supplier = partner(&store, &admin, "정밀가공", PartnerKind::Supplier).await;
        assert!(matches!(
            store
                .save_sales_order(None, order(supplier, vec![line(None, "x", 1, 1)]), &admin, "pc")
                .await,
            Err(Error::Invalid {
                field: Field::Customer,
                ..
            })
        ));
    }

    #[tokio::test]
    async fn numbers_follow_the_highest_of_the_day_past_gaps() {
        let (_dir, store, admin, _item) = plant().await;
        let customer = partner(&store, &admin, "대한기계", PartnerKind::Customer).await;
        sqlx::query(
            "INSERT INTO sales_orders (no, name, customer_id, order_date, due_date, status, created_at, updated_at)
             VALUES ('SO-261102-002', '이전 주문', ?, '2026-11-02', '2026-11-20', 'received',
                     '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z')",
        )
        .bind(customer)
        .execute(&store.pool)
        .await
        .unwrap();
        let saved = store
            .save_sales_order(None, order(customer, vec![line(None, "x", 1, 1)]), &admin, "pc")
            .await
            .unwrap();
        assert_eq!(saved.order.no, "SO-261102-003");
        let mut other_day = order(customer, vec![line(None, "x", 1, 1)]);
        other_day.order_date = day("2026-11-03");
        let saved = store
            .save_sales_order(None, other_day, &admin, "pc")
            .await
            .unwrap();
        assert_eq!(saved.order.no, "SO-261103-001");
    }

    #[tokio::test]
    async fn an_order_runs_from_quotation_to_shipped_with_work_and_outsourcing() {
        let (_dir, store, admin, item) = plant().await;
        let customer = partner(&store, &admin, "대한기계", PartnerKind::Customer).await;
        let supplier = partner(&store, &admin, "정밀가공", PartnerKind::Supplier).await;
        let so = store
            .save_sales_order(
                None,
                order(
                    customer,
                    vec![
                        line(Some(item), "", 1_000, 3),
                        line(None, "도금 가공", 411_500, 3),
                    ],
                ),
                &admin,
                "pc",
            )
            .await
            .unwrap();
        let id = so.order.id;
        let (made_here, outsourced) = (so.lines[0].id, so.lines[1].id);

        // Illegal moves are refused.
        assert!(matches!(
            store.issue_work_orders(id, &[made_here], &admin, "pc").await,
            Err(Error::WrongState {
                status: "quotation",
                ..
            })
        ));
        assert!(matches!(
            store
                .ship_sales_orders(&[id], day("2026-11-21"), &admin, "pc")
                .await,
            Err(Error::WrongState {
                status: "quotation",
                action: "ship",
                ..
            })
        ));
        store.confirm_sales_order(id, &admin, "pc").await.unwrap();
        assert!(matches!(
            store.confirm_sales_order(id, &admin, "pc").await,
            Err(Error::WrongState {
                status: "received",
                ..
            })
        ));
        // A line without an item cannot get a work order.
        assert!(
            store
                .issue_work_orders(id, &[outsourced], &admin, "pc")
                .await
                .is_err()
        );

        let wos = store
            .issue_work_orders(id, &[made_here], &admin, "pc")
            .await
            .unwrap();
        assert_eq!(wos.len(), 1);
        assert_eq!(wos[0].work_order.quantity, 3);
        assert_eq!(wos[0].work_order.customer_id, Some(customer));
        let po = store
            .create_outsourcing_order(
                OutsourcingInput {
                    sales_order_id: id as i32,
                    supplier_id: supplier as i32,
                    order_date: day("2026-11-03"),
                    due_date: day("2026-11-15"),
                    remarks: None,
                    lines: vec![OutsourcedLine {
                        sales_order_line_id: outsourced as i32,
                        unit_price: 411_500,
                    }],
                },
                &admin,
                "pc",
            )
            .await
            .unwrap();
        assert_eq!(
            (po.order.supply, po.order.vat, po.order.total),
            (1_234_500, 123_450, 1_357_950)
        );
        let so = store.sales_order(id).await.unwrap();
        assert_eq!(so.order.status, SalesStatus::InWork);
        assert_eq!(so.order.outsourcing_cost, 1_234_500);
        assert!(so.lines[1].outsourced);
        // Once in work, the order's lines no longer change.
        assert!(matches!(
            store
                .save_sales_order(
                    Some(id),
                    order(customer, vec![line(None, "x", 1, 1)]),
                    &admin,
                    "pc"
                )
                .await,
            Err(Error::WrongState {
                status: "in_work",
                action: "update",
                ..
            })
        ));

        // The floor finishes the work order: the outsourced line is still out.
        let wo = store
            .release_work_order(wos[0].work_order.id, &admin, "pc")
            .await
            .unwrap();
        for op in &wo.operations {
            store.start_operation(op.id, &admin, "pc").await.unwrap();
            store
                .finish_operation(op.id, FinishInput::default(), &admin, "pc")
                .await
                .unwrap();
        }
        assert_eq!(
            store
                .work_order(wo.work_order.id)
                .await
                .unwrap()
                .work_order
                .status,
            WorkOrderStatus::Completed
        );
        assert_eq!(
            store.sales_order(id).await.unwrap().order.status,
            SalesStatus::InWork
        );

        // Goods receipt completes the outsourced line, and with it the order.
        assert!(matches!(
            store
                .receive_purchase_order(po.order.id, day("2026-11-01"), &admin, "pc")
                .await,
            Err(Error::Invalid {
                field: Field::ReceivedOn,
                ..
            })
        ));
        store
            .receive_purchase_order(po.order.id, day("2026-11-14"), &admin, "pc")
            .await
            .unwrap();
        assert!(matches!(
            store
                .receive_purchase_order(po.order.id, day("2026-11-14"), &admin, "pc")
                .await,
            Err(Error::WrongState {
                status: "received",
                ..
            })
        ));
        let done = store.sales_order(id).await.unwrap();
        assert_eq!(done.order.status, SalesStatus::Completed);
        assert!(done.order.work_started_at.is_some() && done.order.work_finished_at.is_some());

        let shipped = store
            .ship_sales_orders(&[id], day("2026-11-21"), &admin, "pc")
            .await
            .unwrap();
        assert_eq!(shipped[0].order.status, SalesStatus::Shipped);
        assert_eq!(shipped[0].order.ship_date, Some(day("2026-11-21")));
        let received = store
            .list_purchase_orders(&PurchaseOrderQuery {
                status: Some(crate::purchasing::PurchaseStatus::Received),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!((received.total, received.totals.total), (1, 1_357_950));
        let audit = store.audit_recent(100).await.unwrap();
        assert!(audit.iter().filter(|r| r.entity == "sales_order").count() >= 5);
        assert!(audit.iter().any(|r| r.entity == "purchase_order"));
    }

    #[tokio::test]
    async fn imported_lines_find_their_items_or_are_refused_row_by_row() {
        let (_dir, store, _admin, item) = plant().await;
        let ok = |part: Option<&str>, name: &str, qty| {
            Ok(SalesLineInput {
                part_no: part.map(Into::into),
                ..line(None, name, 1_000, qty)
            })
        };
        let lines = store
            .check_imported_lines(vec![(2, ok(Some("br-100"), "", 3)), (3, ok(None, "특주품", 1))])
            .await
            .unwrap();
        assert_eq!(
            lines[0].item_id,
            Some(item as i32),
            "found by its part number, any case"
        );
        assert_eq!(lines[1].item_id, None);
        let refused = store
            .check_imported_lines(vec![
                (2, ok(None, "좋은 행", 1)),
                (3, ok(None, "", 1)),
                (4, ok(None, "수량 없음", 0)),
                (
                    5,
                    Err(Error::Invalid {
                        field: Field::Price,
                        rule: Rule::Format,
                    }),
                ),
            ])
            .await;
        let Err(Error::ImportRefused { problems }) = refused else {
            panic!("{refused:?}")
        };
        assert_eq!(
            problems.iter().map(|p| (p.row, p.field)).collect::<Vec<_>>(),
            [(3, Field::Name), (4, Field::Quantity), (5, Field::Price)]
        );
    }

    #[tokio::test]
    async fn orders_and_their_lines_keep_drawings() {
        use crate::attachments::{NewAttachment, Owner};
        let (_dir, store, admin, item) = plant().await;
        let customer = partner(&store, &admin, "대한기계", PartnerKind::Customer).await;
        let so = store
            .save_sales_order(
                None,
                order(customer, vec![line(Some(item), "", 1, 1)]),
                &admin,
                "pc",
            )
            .await
            .unwrap();
        let file = |owner, owner_id| NewAttachment {
            owner,
            owner_id,
            name: "도면 A-100.pdf".into(),
            sha256: "a".repeat(64),
            size: 1_024,
            media_type: "application/pdf".into(),
        };
        store
            .add_attachment(file(Owner::SalesOrder, so.order.id), &admin, "pc")
            .await
            .unwrap();
        store
            .add_attachment(file(Owner::SalesOrderLine, so.lines[0].id), &admin, "pc")
            .await
            .unwrap();
        assert_eq!(
            store
                .list_attachments(Owner::SalesOrder, so.order.id)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store
                .list_attachments(Owner::SalesOrderLine, so.lines[0].id)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(matches!(
            store
                .add_attachment(file(Owner::SalesOrder, 999), &admin, "pc")
                .await,
            Err(Error::NotFound { .. })
        ));
    }
}
