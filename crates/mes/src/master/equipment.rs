//! Equipment (설비): machines with their supplier, dates, price and
//! calibration, and a maintenance history that is only ever added to.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Master, Val};
use crate::{
    Error, Field, Result, Rule, Store,
    audit::{self, Action, Entry},
    auth::User,
    validate,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Equipment {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub maker: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub supplier_id: Option<i64>,
    pub delivered_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub manager: Option<String>,
    /// Won.
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub price: Option<i64>,
    /// Needs periodic calibration.
    pub calibration: bool,
    pub calibration_due: Option<NaiveDate>,
    pub remarks: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub supplier_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EquipmentInput {
    pub code: String,
    pub name: String,
    pub maker: Option<String>,
    pub supplier_id: Option<i32>,
    pub delivered_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub manager: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub price: Option<i64>,
    pub calibration: bool,
    pub calibration_due: Option<NaiveDate>,
    pub remarks: Option<String>,
    pub active: bool,
}

/// The dearest machine a plant enters: ten trillion won.
const MAX_PRICE: i64 = 10_000_000_000_000;

impl Master for Equipment {
    type Input = EquipmentInput;
    const ENTITY: &'static str = "equipment";
    const TABLE: &'static str = "equipment";
    const VIEW: &'static str = "equipment_list";
    const COLUMNS: &'static [&'static str] = &[
        "code",
        "name",
        "maker",
        "supplier_id",
        "delivered_on",
        "installed_on",
        "manager",
        "price",
        "calibration",
        "calibration_due",
        "remarks",
        "active",
    ];
    const SEARCH: &'static [&'static str] = &["code", "name", "maker", "manager", "supplier_name"];
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("code", "code COLLATE NOCASE"),
        ("name", "name COLLATE NOCASE"),
        ("installedOn", "installed_on"),
        ("calibrationDue", "calibration_due"),
        ("price", "price"),
    ];
    const UNIQUE: Field = Field::Code;

    fn values(e: EquipmentInput) -> Result<Vec<Val>> {
        let date = |d: Option<NaiveDate>| Val::Text(d.map(|d| d.to_string()));
        if e.calibration && e.calibration_due.is_none() {
            return Err(Error::Invalid {
                field: Field::CalibrationDue,
                rule: Rule::Required,
            });
        }
        let price = e
            .price
            .map(|p| validate::int_range(Field::Price, p, 0, MAX_PRICE))
            .transpose()?;
        Ok(vec![
            Val::Text(Some(validate::code(Field::Code, &e.code)?)),
            Val::Text(Some(validate::text(Field::Name, &e.name, 1, 100)?)),
            Val::Text(validate::optional(Field::Maker, e.maker, 100)?),
            Val::Int(e.supplier_id.map(i64::from)),
            date(e.delivered_on),
            date(e.installed_on),
            Val::Text(validate::optional(Field::Manager, e.manager, 50)?),
            Val::Int(price),
            Val::Bool(e.calibration),
            date(e.calibration_due.filter(|_| e.calibration)),
            Val::Text(validate::optional(Field::Remarks, e.remarks, 500)?),
            Val::Bool(e.active),
        ])
    }
}

/// One entry of a machine's maintenance history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Maintenance {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub equipment_id: i64,
    pub done_on: NaiveDate,
    pub text: String,
    /// Who entered it.
    pub display_name: String,
    pub created_at: DateTime<Utc>,
}

/// Maintenance rows with the name of who entered them.
macro_rules! maintenance_select {
    () => {
        "SELECT m.id, m.equipment_id, m.done_on, m.text, u.display_name, m.created_at
         FROM equipment_maintenance m JOIN users u ON u.id = m.user_id"
    };
}

impl Store {
    /// A machine's maintenance history, newest first.
    pub async fn list_maintenance(&self, equipment_id: i64) -> Result<Vec<Maintenance>> {
        Ok(sqlx::query_as(concat!(
            maintenance_select!(),
            " WHERE m.equipment_id = ? ORDER BY m.done_on DESC, m.id DESC"
        ))
        .bind(equipment_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records maintenance done on a machine, by the signed-in user.
    pub async fn add_maintenance(
        &self,
        equipment_id: i64,
        done_on: NaiveDate,
        text: &str,
        actor: &User,
        machine: &str,
    ) -> Result<Maintenance> {
        let mut tx = self.write().await?;
        let row = add_maintenance_in(&mut tx, equipment_id, done_on, text, actor, machine).await?;
        tx.commit().await?;
        Ok(row)
    }
}

/// [`Store::add_maintenance`] in `tx`'s transaction.
pub(crate) async fn add_maintenance_in(
    tx: &mut sqlx::SqliteConnection,
    equipment_id: i64,
    done_on: NaiveDate,
    text: &str,
    actor: &User,
    machine: &str,
) -> Result<Maintenance> {
    let text = validate::text(Field::MaintenanceText, text, 1, 1000)?;
    let now = Utc::now();
    super::get_in::<Equipment>(tx, equipment_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO equipment_maintenance (equipment_id, done_on, text, user_id, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(equipment_id)
    .bind(done_on)
    .bind(&text)
    .bind(actor.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let row: Maintenance = sqlx::query_as(concat!(maintenance_select!(), " WHERE m.id = ?"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let entry = Entry::change(
        actor,
        machine,
        Action::Create,
        "equipment_maintenance",
        id,
        None::<&Maintenance>,
        &row,
    );
    audit::write(tx, now, entry).await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        master::{
            partners::{Partner, PartnerInput, PartnerKind},
            tests::{actor, page},
        },
        store::tests::temp_store,
    };

    fn press(supplier_id: Option<i32>) -> EquipmentInput {
        EquipmentInput {
            code: "EQ-PRS-01".into(),
            name: "유압 프레스 200톤".into(),
            maker: Some("화천기계".into()),
            supplier_id,
            delivered_on: NaiveDate::from_ymd_opt(2024, 3, 2),
            installed_on: NaiveDate::from_ymd_opt(2024, 3, 10),
            manager: Some("박설비".into()),
            price: Some(185_000_000),
            calibration: true,
            calibration_due: NaiveDate::from_ymd_opt(2027, 3, 1),
            remarks: None,
            active: true,
        }
    }

    #[tokio::test]
    async fn equipment_with_supplier_calibration_and_history() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        let supplier = store
            .save::<Partner>(
                None,
                PartnerInput {
                    kind: PartnerKind::Supplier,
                    name: "한국기계상사".into(),
                    biz_no: None,
                    ceo: None,
                    phone: None,
                    fax: None,
                    address: None,
                    remarks: None,
                    active: true,
                },
                &admin,
                "pc",
            )
            .await
            .unwrap();
        let eq = store
            .save::<Equipment>(None, press(Some(supplier.id as i32)), &admin, "pc")
            .await
            .unwrap();
        assert_eq!(eq.supplier_name.as_deref(), Some("한국기계상사"));
        assert_eq!(eq.price, Some(185_000_000));

        let no_due = EquipmentInput {
            calibration_due: None,
            ..press(None)
        };
        assert!(matches!(
            store.save::<Equipment>(Some(eq.id), no_due, &admin, "pc").await,
            Err(Error::Invalid {
                field: Field::CalibrationDue,
                rule: Rule::Required
            })
        ));
        let unknown = press(Some(999));
        assert!(matches!(
            store.save::<Equipment>(Some(eq.id), unknown, &admin, "pc").await,
            Err(Error::Invalid {
                field: Field::Reference,
                rule: Rule::Unknown
            })
        ));
        assert_eq!(
            store.get::<Equipment>(eq.id).await.unwrap(),
            eq,
            "nothing half-written"
        );

        let day = |d| NaiveDate::from_ymd_opt(2025, 6, d).unwrap();
        store
            .add_maintenance(eq.id, day(1), "유압유 교체", &admin, "pc")
            .await
            .unwrap();
        store
            .add_maintenance(eq.id, day(20), "실린더 씰 교체", &admin, "pc")
            .await
            .unwrap();
        assert!(matches!(
            store.add_maintenance(eq.id, day(21), "  ", &admin, "pc").await,
            Err(Error::Invalid {
                field: Field::MaintenanceText,
                rule: Rule::Required
            })
        ));
        assert!(matches!(
            store.add_maintenance(999, day(21), "x", &admin, "pc").await,
            Err(Error::NotFound {
                entity: "equipment",
                id: 999
            })
        ));
        let history = store.list_maintenance(eq.id).await.unwrap();
        let texts: Vec<_> = history
            .iter()
            .map(|m| (m.done_on, m.text.as_str(), m.display_name.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                (day(20), "실린더 씰 교체", "관리자"),
                (day(1), "유압유 교체", "관리자")
            ]
        );
        let audited = store.audit_recent(20).await.unwrap();
        assert_eq!(
            audited
                .iter()
                .filter(|r| r.entity == "equipment_maintenance")
                .count(),
            2
        );
        let q = crate::master::ListQuery {
            search: Some("한국기계".into()),
            ..page()
        };
        assert_eq!(
            store.list::<Equipment>(&q).await.unwrap().total,
            1,
            "found by supplier name"
        );
    }
}
