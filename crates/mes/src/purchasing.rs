//! Purchase orders (발주): header and lines, outsourcing orders made from
//! sales-order lines, the lifecycle O01 ordered → O02 received (입고), and a
//! receipt completing the outsourced work of the sales order it serves.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::{
    Error, Field, Result, Rule, Store,
    audit::{self, Action, Entry},
    auth::User,
    inspections::stamp,
    master::{MAX_PAGE, MAX_ROWS, push_search},
    production::wrong_state,
    sales::{self, MAX_PRICE, SalesLineInput, SalesStatus, check_lines, next_no},
    validate,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum PurchaseStatus {
    /// O01 발주
    Ordered,
    /// O02 입고
    Received,
}

impl PurchaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ordered => "ordered",
            Self::Received => "received",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrder {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub no: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub supplier_id: i64,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub sales_order_id: Option<i64>,
    pub order_date: NaiveDate,
    pub due_date: NaiveDate,
    pub status: PurchaseStatus,
    pub received_on: Option<NaiveDate>,
    pub remarks: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub supplier_name: String,
    pub sales_order_no: Option<String>,
    /// 공급가액: Σ line amounts.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub supply: i64,
    /// 부가세: 10 % of the supply amount, rounded down to the won.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub vat: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderLine {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub po_id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub seq: i64,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub sales_order_line_id: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub item_id: Option<i64>,
    pub part_no: Option<String>,
    pub name: String,
    pub spec: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub unit_price: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub qty: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub amount: i64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderDetail {
    pub order: PurchaseOrder,
    pub lines: Vec<PurchaseOrderLine>,
}

/// A purchase order as its form sends it (materials, or any purchase not
/// made from sales-order lines).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderInput {
    pub supplier_id: i32,
    pub order_date: NaiveDate,
    pub due_date: NaiveDate,
    pub remarks: Option<String>,
    pub lines: Vec<SalesLineInput>,
}

/// One sales-order line to outsource, at the supplier's price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OutsourcedLine {
    pub sales_order_line_id: i32,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub unit_price: i64,
}

/// An outsourcing purchase order made from lines of one sales order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OutsourcingInput {
    pub sales_order_id: i32,
    pub supplier_id: i32,
    pub order_date: NaiveDate,
    pub due_date: NaiveDate,
    pub remarks: Option<String>,
    pub lines: Vec<OutsourcedLine>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderQuery {
    /// Part of the number, supplier or sales-order number.
    pub search: Option<String>,
    pub status: Option<PurchaseStatus>,
    pub supplier_id: Option<i32>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PurchaseTotals {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub supply: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub vat: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderPage {
    pub rows: Vec<PurchaseOrder>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub total: i64,
    pub totals: PurchaseTotals,
}

/// The supplier must be an active supplier (or both).
async fn check_supplier(conn: &mut SqliteConnection, id: i32) -> Result<()> {
    let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM partners WHERE id = ? AND active")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    match kind.as_deref() {
        Some("supplier" | "both") => Ok(()),
        _ => Err(Error::Invalid {
            field: Field::Supplier,
            rule: Rule::Unknown,
        }),
    }
}

fn check_dates(order_date: NaiveDate, due_date: NaiveDate) -> Result<()> {
    if due_date < order_date {
        return Err(Error::Invalid {
            field: Field::DueDate,
            rule: Rule::DateOrder,
        });
    }
    Ok(())
}

impl Store {
    /// Adds a purchase order with its lines (not from a sales order).
    pub async fn create_purchase_order(
        &self,
        input: PurchaseOrderInput,
        actor: &User,
        machine: &str,
    ) -> Result<PurchaseOrderDetail> {
        check_dates(input.order_date, input.due_date)?;
        let remarks = validate::optional(Field::Remarks, input.remarks.clone(), 500)?;
        let mut tx = self.write().await?;
        check_supplier(&mut tx, input.supplier_id).await?;
        let lines = check_lines(&mut tx, &input.lines).await?;
        let id = insert_header(
            &mut tx,
            input.supplier_id,
            None,
            input.order_date,
            input.due_date,
            remarks,
        )
        .await?;
        for (i, l) in lines.iter().enumerate() {
            insert_line(
                &mut tx,
                id,
                i as i64 + 1,
                None,
                l.item_id,
                (&l.part_no, &l.name, &l.spec),
                l.unit_price,
                l.qty,
                &l.note,
            )
            .await?;
        }
        let after = detail_in(&mut tx, id).await?;
        audit::write(
            &mut tx,
            Utc::now(),
            Entry::change(
                actor,
                machine,
                Action::Create,
                "purchase_order",
                id,
                None::<&()>,
                &after,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// An outsourcing purchase order from lines of a received or in-work
    /// sales order: each line is copied at the supplier's price and marked
    /// outsourced, and the sales order is in work (S03).
    pub async fn create_outsourcing_order(
        &self,
        input: OutsourcingInput,
        actor: &User,
        machine: &str,
    ) -> Result<PurchaseOrderDetail> {
        check_dates(input.order_date, input.due_date)?;
        let remarks = validate::optional(Field::Remarks, input.remarks.clone(), 500)?;
        if input.lines.is_empty() {
            return Err(Error::Invalid {
                field: Field::Lines,
                rule: Rule::Required,
            });
        }
        let mut tx = self.write().await?;
        check_supplier(&mut tx, input.supplier_id).await?;
        let order_id = i64::from(input.sales_order_id);
        let before = sales::detail_in(&mut tx, order_id).await?;
        if !matches!(before.order.status, SalesStatus::Received | SalesStatus::InWork) {
            return Err(wrong_state(
                "sales_order",
                order_id,
                before.order.status.as_str(),
                "outsource",
            ));
        }
        let id = insert_header(
            &mut tx,
            input.supplier_id,
            Some(order_id),
            input.order_date,
            input.due_date,
            remarks,
        )
        .await?;
        for (i, wanted) in input.lines.iter().enumerate() {
            let line = before
                .lines
                .iter()
                .find(|l| l.id == i64::from(wanted.sales_order_line_id))
                .ok_or(Error::Invalid {
                    field: Field::Lines,
                    rule: Rule::Unknown,
                })?;
            if line.work_order_nos.is_some() || input.lines[..i].contains(wanted) {
                return Err(Error::Invalid {
                    field: Field::Lines,
                    rule: Rule::Format,
                });
            }
            let price = validate::int_range(Field::Price, wanted.unit_price, 0, MAX_PRICE)?;
            insert_line(
                &mut tx,
                id,
                i as i64 + 1,
                Some(line.id),
                line.item_id,
                (&line.part_no, &line.name, &line.spec),
                price,
                line.qty,
                &line.note,
            )
            .await?;
            sqlx::query("UPDATE sales_order_lines SET outsourced = 1 WHERE id = ?")
                .bind(line.id)
                .execute(&mut *tx)
                .await?;
        }
        if before.order.status == SalesStatus::Received {
            sales::set_status(&mut tx, order_id, SalesStatus::InWork).await?;
        }
        sales::finish_change(&mut tx, order_id, &before, actor, machine).await?;
        let after = detail_in(&mut tx, id).await?;
        audit::write(
            &mut tx,
            Utc::now(),
            Entry::change(
                actor,
                machine,
                Action::Create,
                "purchase_order",
                id,
                None::<&()>,
                &after,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Goods receipt (입고): the order is received on `received_on` (O01 →
    /// O02), and the sales order it serves completes when that was its last
    /// open work.
    pub async fn receive_purchase_order(
        &self,
        id: i64,
        received_on: NaiveDate,
        actor: &User,
        machine: &str,
    ) -> Result<PurchaseOrderDetail> {
        let mut tx = self.write().await?;
        let before = detail_in(&mut tx, id).await?;
        if before.order.status != PurchaseStatus::Ordered {
            return Err(wrong_state(
                "purchase_order",
                id,
                before.order.status.as_str(),
                "receive",
            ));
        }
        if received_on < before.order.order_date {
            return Err(Error::Invalid {
                field: Field::ReceivedOn,
                rule: Rule::DateOrder,
            });
        }
        sqlx::query(
            "UPDATE purchase_orders SET status = 'received', received_on = ?, updated_at = ? WHERE id = ?",
        )
        .bind(received_on)
        .bind(stamp(Utc::now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(order) = before.order.sales_order_id {
            sales::complete_when_done(&mut tx, order).await?;
        }
        let after = detail_in(&mut tx, id).await?;
        audit::write(
            &mut tx,
            Utc::now(),
            Entry::change(
                actor,
                machine,
                Action::Update,
                "purchase_order",
                id,
                Some(&before),
                &after,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn purchase_order(&self, id: i64) -> Result<PurchaseOrderDetail> {
        let mut conn = self.pool.acquire().await?;
        detail_in(&mut conn, id).await
    }

    /// Purchase orders matching `query`, newest first, with the money totals
    /// of every match.
    pub async fn list_purchase_orders(&self, query: &PurchaseOrderQuery) -> Result<PurchaseOrderPage> {
        self.purchase_page(query, MAX_PAGE).await
    }

    /// Every purchase order `query` matches (up to [`MAX_ROWS`]), for an export.
    pub async fn export_purchase_orders(&self, query: &PurchaseOrderQuery) -> Result<PurchaseOrderPage> {
        let all = PurchaseOrderQuery {
            offset: 0,
            limit: MAX_ROWS,
            ..query.clone()
        };
        self.purchase_page(&all, MAX_ROWS).await
    }

    async fn purchase_page(&self, query: &PurchaseOrderQuery, max: u32) -> Result<PurchaseOrderPage> {
        let limit = validate::in_range(Field::Limit, query.limit, 1, max)?;
        let filters = |q: &mut QueryBuilder<Sqlite>| {
            q.push(" WHERE 1 = 1");
            if let Some(status) = query.status {
                q.push(" AND status = ").push_bind(status);
            }
            if let Some(supplier) = query.supplier_id {
                q.push(" AND supplier_id = ").push_bind(supplier);
            }
            if let Some(from) = query.from {
                q.push(" AND order_date >= ").push_bind(from);
            }
            if let Some(to) = query.to {
                q.push(" AND order_date <= ").push_bind(to);
            }
            if let Some(term) = validate::optional_text(query.search.clone()) {
                push_search(q, &["no", "supplier_name", "sales_order_no"], &term);
            }
        };
        let mut sums = QueryBuilder::<Sqlite>::new(
            "SELECT COUNT(*), COALESCE(SUM(supply), 0), COALESCE(SUM(vat), 0), COALESCE(SUM(total), 0)
             FROM purchase_orders_list",
        );
        filters(&mut sums);
        let (total, supply, vat, sum): (i64, i64, i64, i64) =
            sums.build_query_as().fetch_one(&self.pool).await?;
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM purchase_orders_list");
        filters(&mut q);
        q.push(" ORDER BY order_date DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(query.offset);
        let rows = q.build_query_as().fetch_all(&self.pool).await?;
        Ok(PurchaseOrderPage {
            rows,
            total,
            totals: PurchaseTotals {
                supply,
                vat,
                total: sum,
            },
        })
    }
}

async fn insert_header(
    tx: &mut SqliteConnection,
    supplier_id: i32,
    sales_order_id: Option<i64>,
    order_date: NaiveDate,
    due_date: NaiveDate,
    remarks: Option<String>,
) -> Result<i64> {
    let no = next_no(tx, "purchase_orders", "PO", order_date).await?;
    let now = stamp(Utc::now());
    Ok(sqlx::query_scalar(
        "INSERT INTO purchase_orders (no, supplier_id, sales_order_id, order_date, due_date, status, remarks,
                                      created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'ordered', ?, ?, ?) RETURNING id",
    )
    .bind(no)
    .bind(supplier_id)
    .bind(sales_order_id)
    .bind(order_date)
    .bind(due_date)
    .bind(remarks)
    .bind(&now)
    .bind(&now)
    .fetch_one(tx)
    .await?)
}

#[allow(clippy::too_many_arguments)]
async fn insert_line(
    tx: &mut SqliteConnection,
    po_id: i64,
    seq: i64,
    sales_order_line_id: Option<i64>,
    item_id: Option<i64>,
    (part_no, name, spec): (&Option<String>, &String, &Option<String>),
    unit_price: i64,
    qty: i64,
    note: &Option<String>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO purchase_order_lines (po_id, seq, sales_order_line_id, item_id, part_no, name, spec,
                                           unit_price, qty, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(po_id)
    .bind(seq)
    .bind(sales_order_line_id)
    .bind(item_id)
    .bind(part_no)
    .bind(name)
    .bind(spec)
    .bind(unit_price)
    .bind(qty)
    .bind(note)
    .execute(tx)
    .await?;
    Ok(())
}

async fn detail_in(conn: &mut SqliteConnection, id: i64) -> Result<PurchaseOrderDetail> {
    let order = sqlx::query_as("SELECT * FROM purchase_orders_list WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(Error::NotFound {
            entity: "purchase_order",
            id,
        })?;
    let lines = sqlx::query_as("SELECT * FROM purchase_order_lines WHERE po_id = ? ORDER BY seq")
        .bind(id)
        .fetch_all(conn)
        .await?;
    Ok(PurchaseOrderDetail { order, lines })
}
