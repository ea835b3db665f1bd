//! Lots (로트): each finished operation's good output is one lot, fed by the
//! lot of the operation before it and the material lots the operator named.
//! Genealogy reads both ways: what went into a lot (backward) and where it
//! went (forward), with the operators, equipment, inspections and NG images
//! of the operation that made it.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::SqliteConnection;

use super::{Operation, terminal::operation_in};
use crate::{
    Error, Result, Store,
    inspections::{InspectionFilter, InspectionRow, Verdict, stamp},
    master::Page,
    validate,
};

/// The NG images a trace shows at most.
const TRACE_IMAGES: u32 = 24;
/// How far a trace follows lots back or forward.
const TRACE_DEPTH: i64 = 50;

/// A lot as listed and as linked in a trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Lot {
    pub lot_no: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub qty: i64,
    pub created_at: DateTime<Utc>,
    pub work_order_no: String,
    pub process_name: String,
    pub part_no: String,
    pub item_name: String,
}

/// One link of a genealogy: a lot, or a material lot (only `material` set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LotLink {
    /// 1: directly; 2: one lot between; …
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub depth: i64,
    pub material: Option<String>,
    pub lot_no: Option<String>,
    pub work_order_no: Option<String>,
    pub process_name: Option<String>,
    pub part_no: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub qty: Option<i64>,
}

/// NG parts of one defect code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DefectCount {
    pub code: String,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub qty: i64,
}

/// The serial numbers of a lot: `count` of them from `first` to `last`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SerialRange {
    pub first: String,
    pub last: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub count: i64,
}

/// Everything known about how a lot was made and where it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LotTrace {
    pub lot: Lot,
    /// The operation that made it: operator, equipment, times, quantities.
    pub operation: Operation,
    pub defects: Vec<DefectCount>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub inspected_ok: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub inspected_ng: i64,
    /// The newest NG inspections with their images.
    pub ng_inspections: Vec<InspectionRow>,
    /// The lot's serial numbers, first and last, when its item is tracked part by part.
    pub serials: Option<SerialRange>,
    /// What went in, nearest first.
    pub backward: Vec<LotLink>,
    /// Where it went, nearest first.
    pub forward: Vec<LotLink>,
}

const LOT_SELECT: &str =
    "SELECT l.lot_no, l.qty, l.created_at, o.work_order_no, o.process_name, o.part_no, o.item_name
    FROM lots l JOIN operations_list o ON o.id = l.operation_id";

impl Store {
    /// Lots whose number, or a material lot that went into them, contains
    /// `search`, or that hold the serial number `search`; newest first.
    pub async fn list_lots(&self, search: Option<String>, offset: u32, limit: u32) -> Result<Page<Lot>> {
        let limit = validate::in_range(crate::Field::Limit, limit, 1, crate::master::MAX_PAGE)?;
        let exact = validate::optional_text(search).unwrap_or_default();
        let like = crate::master::like_pattern(&exact);
        let filter = " WHERE l.lot_no LIKE ?1 ESCAPE '\\'
            OR EXISTS (SELECT 1 FROM lot_inputs i WHERE i.lot_id = l.id AND i.material_lot LIKE ?1 ESCAPE '\\')
            OR l.id = (SELECT s.lot_id FROM serials s WHERE s.serial_no = ?4)";
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM lots l{filter}"
        )))
        .bind(&like)
        .bind(0)
        .bind(0)
        .bind(&exact)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{LOT_SELECT}{filter} ORDER BY l.created_at DESC, l.id DESC LIMIT ?2 OFFSET ?3"
        )))
        .bind(&like)
        .bind(limit)
        .bind(offset)
        .bind(&exact)
        .fetch_all(&self.pool)
        .await?;
        Ok(Page { rows, total })
    }

    /// The genealogy of the lot numbered `lot_no`.
    pub async fn lot_trace(&self, lot_no: &str) -> Result<LotTrace> {
        let mut conn = self.pool.acquire().await?;
        let found: Option<(i64, i64)> = sqlx::query_as("SELECT id, operation_id FROM lots WHERE lot_no = ?")
            .bind(lot_no.trim())
            .fetch_optional(&mut *conn)
            .await?;
        let (lot_id, operation_id) = found.ok_or(Error::NotFound { entity: "lot", id: 0 })?;
        let lot = sqlx::query_as(sqlx::AssertSqlSafe(format!("{LOT_SELECT} WHERE l.id = ?")))
            .bind(lot_id)
            .fetch_one(&mut *conn)
            .await?;
        let operation = operation_in(&mut conn, operation_id).await?;
        let defects = sqlx::query_as(
            "SELECT c.code, c.name, SUM(d.qty) AS qty FROM report_defects d
             JOIN operation_reports r ON r.id = d.report_id
             JOIN defect_codes c ON c.id = d.defect_code_id
             WHERE r.operation_id = ? GROUP BY c.id ORDER BY qty DESC, c.code",
        )
        .bind(operation_id)
        .fetch_all(&mut *conn)
        .await?;
        let (inspected_ok, inspected_ng): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(verdict = 'ok'), 0), COALESCE(SUM(verdict = 'ng'), 0)
             FROM inspections WHERE work_order_op_id = ?",
        )
        .bind(operation_id)
        .fetch_one(&mut *conn)
        .await?;
        let backward = sqlx::query_as(
            "WITH RECURSIVE up (input_lot_id, material_lot, depth) AS (
                 SELECT input_lot_id, material_lot, 1 FROM lot_inputs WHERE lot_id = ?1
                 UNION ALL
                 SELECT i.input_lot_id, i.material_lot, up.depth + 1 FROM lot_inputs i
                 JOIN up ON i.lot_id = up.input_lot_id WHERE up.depth < ?2)
             SELECT up.depth, up.material_lot AS material, l.lot_no, o.work_order_no, o.process_name, o.part_no,
                    l.qty
             FROM up LEFT JOIN lots l ON l.id = up.input_lot_id
             LEFT JOIN operations_list o ON o.id = l.operation_id
             ORDER BY up.depth, l.lot_no, up.material_lot",
        )
        .bind(lot_id)
        .bind(TRACE_DEPTH)
        .fetch_all(&mut *conn)
        .await?;
        let forward = sqlx::query_as(
            "WITH RECURSIVE down (lot_id, depth) AS (
                 SELECT lot_id, 1 FROM lot_inputs WHERE input_lot_id = ?1
                 UNION ALL
                 SELECT i.lot_id, down.depth + 1 FROM lot_inputs i
                 JOIN down ON i.input_lot_id = down.lot_id WHERE down.depth < ?2)
             SELECT down.depth, NULL AS material, l.lot_no, o.work_order_no, o.process_name, o.part_no, l.qty
             FROM down JOIN lots l ON l.id = down.lot_id
             JOIN operations_list o ON o.id = l.operation_id
             ORDER BY down.depth, l.lot_no",
        )
        .bind(lot_id)
        .bind(TRACE_DEPTH)
        .fetch_all(&mut *conn)
        .await?;
        let serials = sqlx::query_as(
            "SELECT MIN(serial_no) AS first, MAX(serial_no) AS last, COUNT(*) AS count
             FROM serials WHERE lot_id = ? HAVING COUNT(*) > 0",
        )
        .bind(lot_id)
        .fetch_optional(&mut *conn)
        .await?;
        drop(conn);
        let ng_inspections = self
            .list_inspections(InspectionFilter {
                work_order_op_id: Some(operation_id),
                verdict: Some(Verdict::Ng),
                limit: TRACE_IMAGES,
                ..InspectionFilter::default()
            })
            .await?;
        Ok(LotTrace {
            lot,
            operation,
            defects,
            inspected_ok,
            inspected_ng,
            ng_inspections,
            serials,
            backward,
            forward,
        })
    }
}

/// The lot of a finished operation: numbered after its order and step,
/// holding its good parts, fed by the lot of the nearest earlier step of
/// the same order and by the material lots named.
pub(crate) async fn make_lot(
    tx: &mut SqliteConnection,
    op: &Operation,
    materials: &BTreeSet<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    let lot_no = format!("{}-{:02}", op.work_order_no, op.seq);
    let lot_id: i64 = sqlx::query_scalar(
        "INSERT INTO lots (lot_no, operation_id, item_id, qty, created_at)
         SELECT ?, o.id, w.item_id, o.good_qty, ? FROM operations o JOIN work_orders w ON w.id = o.work_order_id
         WHERE o.id = ? RETURNING id",
    )
    .bind(&lot_no)
    .bind(stamp(now))
    .bind(op.id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO lot_inputs (lot_id, input_lot_id)
         SELECT ?, l.id FROM lots l JOIN operations o ON o.id = l.operation_id
         WHERE o.work_order_id = ? AND o.seq < ? ORDER BY o.seq DESC LIMIT 1",
    )
    .bind(lot_id)
    .bind(op.work_order_id)
    .bind(op.seq)
    .execute(&mut *tx)
    .await?;
    for material in materials {
        sqlx::query("INSERT INTO lot_inputs (lot_id, material_lot) VALUES (?, ?)")
            .bind(lot_id)
            .bind(material)
            .execute(&mut *tx)
            .await?;
    }
    let last_of_serialized: bool = sqlx::query_scalar(
        "SELECT i.serialized AND o.seq = (SELECT MAX(seq) FROM operations WHERE work_order_id = o.work_order_id)
         FROM operations o JOIN work_orders w ON w.id = o.work_order_id JOIN items i ON i.id = w.item_id
         WHERE o.id = ?",
    )
    .bind(op.id)
    .fetch_one(&mut *tx)
    .await?;
    if last_of_serialized {
        let good: i64 = sqlx::query_scalar("SELECT good_qty FROM operations WHERE id = ?")
            .bind(op.id)
            .fetch_one(&mut *tx)
            .await?;
        add_serials(tx, lot_id, &lot_no, good).await?;
    }
    Ok(())
}

/// Serial numbers `{lot_no}-0001`… for the `count` parts of a lot; returns how many.
pub(crate) async fn add_serials(
    tx: &mut SqliteConnection,
    lot_id: i64,
    lot_no: &str,
    count: i64,
) -> Result<usize> {
    let added = sqlx::query(
        "WITH RECURSIVE n (i) AS (SELECT 1 WHERE ?3 >= 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?3)
         INSERT INTO serials (serial_no, lot_id, seq) SELECT printf('%s-%04d', ?1, i), ?2, i FROM n",
    )
    .bind(lot_no)
    .bind(lot_id)
    .bind(count)
    .execute(tx)
    .await?;
    Ok(added.rows_affected() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        inspections::NewInspection,
        production::{
            terminal::FinishInput,
            tests::{order, plant},
        },
    };

    #[tokio::test]
    async fn a_lot_traces_back_to_its_inputs_and_forward_to_where_it_went() {
        let (_dir, store, admin, item) = plant().await;
        let wo = store
            .create_work_order(order(item, 5, &["2026-11-02"; 3]), &admin, "pc")
            .await
            .unwrap();
        let ops = store
            .release_work_order(wo.work_order.id, &admin, "pc")
            .await
            .unwrap()
            .operations;
        // The inspection step's station judges two parts of the last operation.
        let station = store
            .create_station(
                crate::inspections::NewStation {
                    name: "검사기".into(),
                    config_json: "{}".into(),
                },
                &admin,
                "pc",
            )
            .await
            .unwrap();
        for (i, op) in ops.iter().enumerate() {
            store.start_operation(op.id, &admin, "pc").await.unwrap();
            if i == 2 {
                for verdict in [Verdict::Ok, Verdict::Ng] {
                    store
                        .record_inspection(NewInspection {
                            station_id: station.id,
                            at: Utc::now(),
                            day: Utc::now().date_naive(),
                            model_version: "1".into(),
                            score: 0.5,
                            threshold: 0.4,
                            verdict,
                            defect_type: None,
                            image_path: Some("ng/1.jpg".into()),
                            heatmap_path: None,
                            work_order_op_id: Some(op.id),
                            lot: None,
                        })
                        .await
                        .unwrap();
                }
            }
            let materials = if i == 0 {
                vec!["COIL-A1".into(), "COIL-A1".into()]
            } else {
                vec![]
            };
            store
                .finish_operation(
                    op.id,
                    FinishInput {
                        material_lots: materials,
                        ..FinishInput::default()
                    },
                    &admin,
                    "pc",
                )
                .await
                .unwrap();
        }
        let last = store.lot_trace("WO-261102-001-03").await.unwrap();
        assert_eq!(last.operation.id, ops[2].id);
        assert_eq!((last.inspected_ok, last.inspected_ng), (1, 1));
        assert_eq!(last.ng_inspections.len(), 1);
        let back: Vec<_> = last
            .backward
            .iter()
            .map(|l| (l.depth, l.lot_no.clone().or(l.material.clone()).unwrap()))
            .collect();
        assert_eq!(
            back,
            [
                (1, "WO-261102-001-02".to_string()),
                (2, "WO-261102-001-01".to_string()),
                (3, "COIL-A1".to_string())
            ],
            "a material named twice is one input"
        );
        assert!(last.forward.is_empty());
        let first = store.lot_trace("WO-261102-001-01").await.unwrap();
        let forward: Vec<_> = first
            .forward
            .iter()
            .map(|l| (l.depth, l.lot_no.clone().unwrap()))
            .collect();
        assert_eq!(
            forward,
            [
                (1, "WO-261102-001-02".to_string()),
                (2, "WO-261102-001-03".to_string())
            ]
        );
        // Found by the material that went in, and by its own number.
        let by_material = store.list_lots(Some("coil-a1".into()), 0, 10).await.unwrap();
        assert_eq!(by_material.rows.len(), 1);
        assert_eq!(by_material.rows[0].lot_no, "WO-261102-001-01");
        assert_eq!(store.list_lots(None, 0, 10).await.unwrap().total, 3);
        assert!(matches!(
            store.lot_trace("NOPE").await,
            Err(Error::NotFound { .. })
        ));
    }

    #[tokio::test]
    async fn a_serialized_item_gets_a_serial_per_good_part_of_its_last_step() {
        use crate::master::items::{Item, ItemInput};
        let (_dir, store, admin, item) = plant().await;
        let input = ItemInput {
            part_no: "BR-100".into(),
            name: "브래킷".into(),
            spec: None,
            unit: "EA".into(),
            remarks: None,
            active: true,
            serialized: true,
        };
        assert!(
            store
                .save::<Item>(Some(item), input, &admin, "pc")
                .await
                .unwrap()
                .serialized
        );
        let wo = store
            .create_work_order(order(item, 3, &["2026-11-02"; 3]), &admin, "pc")
            .await
            .unwrap();
        let ops = store
            .release_work_order(wo.work_order.id, &admin, "pc")
            .await
            .unwrap()
            .operations;
        for op in &ops {
            store.start_operation(op.id, &admin, "pc").await.unwrap();
            let finish = FinishInput {
                report: crate::production::terminal::QuantityReport {
                    good: 3,
                    ..Default::default()
                },
                ..FinishInput::default()
            };
            store.finish_operation(op.id, finish, &admin, "pc").await.unwrap();
        }
        // Only the last step's lot holds serials.
        assert_eq!(store.lot_trace("WO-261102-001-02").await.unwrap().serials, None);
        let last = store.lot_trace("WO-261102-001-03").await.unwrap();
        assert_eq!(
            last.serials,
            Some(SerialRange {
                first: "WO-261102-001-03-0001".into(),
                last: "WO-261102-001-03-0003".into(),
                count: 3
            })
        );
        let found = store
            .list_lots(Some("WO-261102-001-03-0002".into()), 0, 10)
            .await
            .unwrap();
        assert_eq!(
            found.rows.iter().map(|l| l.lot_no.as_str()).collect::<Vec<_>>(),
            ["WO-261102-001-03"]
        );
    }
}
