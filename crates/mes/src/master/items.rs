//! Items (품목) and their routings: each routing is an item's ordered
//! operations, one of them the default that work orders follow.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

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
pub struct Item {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub part_no: String,
    pub name: String,
    pub spec: Option<String>,
    pub unit: String,
    /// Set by marking one of the item's routings as its default.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub default_routing_id: Option<i64>,
    pub remarks: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Tracked part by part: each good part of its last step gets a serial number.
    pub serialized: bool,
    pub default_routing_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ItemInput {
    pub part_no: String,
    pub name: String,
    pub spec: Option<String>,
    pub unit: String,
    pub remarks: Option<String>,
    pub active: bool,
    pub serialized: bool,
}

impl Master for Item {
    type Input = ItemInput;
    const ENTITY: &'static str = "item";
    const TABLE: &'static str = "items";
    const VIEW: &'static str = "items_list";
    const COLUMNS: &'static [&'static str] = &[
        "part_no",
        "name",
        "spec",
        "unit",
        "remarks",
        "active",
        "serialized",
    ];
    const SEARCH: &'static [&'static str] = &["part_no", "name", "spec"];
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("partNo", "part_no COLLATE NOCASE"),
        ("name", "name COLLATE NOCASE"),
        ("updatedAt", "updated_at"),
    ];
    const FULL_TEXT: Option<&'static str> = Some("items_fts");
    const UNIQUE: Field = Field::PartNo;

    fn values(i: ItemInput) -> Result<Vec<Val>> {
        Ok(vec![
            Val::Text(Some(validate::text(Field::PartNo, &i.part_no, 1, 40)?)),
            Val::Text(Some(validate::text(Field::Name, &i.name, 1, 100)?)),
            Val::Text(validate::optional(Field::Spec, i.spec, 100)?),
            Val::Text(Some(validate::text(Field::Unit, &i.unit, 1, 10)?)),
            Val::Text(validate::optional(Field::Remarks, i.remarks, 500)?),
            Val::Bool(i.active),
            Val::Bool(i.serialized),
        ])
    }
}

/// A routing as listed: its item, how many steps and which processes in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Routing {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub item_id: i64,
    pub name: String,
    pub remarks: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub part_no: String,
    pub item_name: String,
    pub is_default: bool,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub step_count: i64,
    /// 제관 → 용접 → 검사
    pub summary: Option<String>,
}

/// One operation of a routing, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RoutingStep {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub seq: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub process_id: i64,
    pub process_name: String,
    pub work_center: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub equipment_id: Option<i64>,
    pub equipment_name: Option<String>,
    /// Standard cycle time per piece.
    pub cycle_seconds: f64,
    /// The vision station that inspects this step.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub station_id: Option<i64>,
    pub station_name: Option<String>,
}

/// A routing with its steps in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RoutingDetail {
    pub routing: Routing,
    pub steps: Vec<RoutingStep>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RoutingStepInput {
    pub process_id: i32,
    pub work_center: Option<String>,
    pub equipment_id: Option<i32>,
    pub cycle_seconds: f64,
    pub station_id: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RoutingInput {
    pub item_id: i32,
    pub name: String,
    pub remarks: Option<String>,
    pub active: bool,
    /// Make this the item's default routing.
    pub is_default: bool,
    /// In order: the first is step 1.
    pub steps: Vec<RoutingStepInput>,
}

/// The most steps a routing holds.
pub const MAX_STEPS: usize = 50;

impl Master for Routing {
    /// Only the routing's own columns; [`Store::save_routing`] writes the rest.
    type Input = RoutingInput;
    const ENTITY: &'static str = "routing";
    const TABLE: &'static str = "routings";
    const VIEW: &'static str = "routings_list";
    const COLUMNS: &'static [&'static str] = &["item_id", "name", "remarks", "active"];
    const SEARCH: &'static [&'static str] = &["name", "part_no", "item_name", "summary"];
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("partNo", "part_no COLLATE NOCASE, name COLLATE NOCASE"),
        ("name", "name COLLATE NOCASE"),
        ("updatedAt", "updated_at"),
    ];
    const PARENT: Option<&'static str> = Some("item_id");
    const UNIQUE: Field = Field::Name;

    fn values(r: RoutingInput) -> Result<Vec<Val>> {
        Ok(vec![
            Val::Int(Some(r.item_id.into())),
            Val::Text(Some(validate::text(Field::Name, &r.name, 1, 50)?)),
            Val::Text(validate::optional(Field::Remarks, r.remarks, 500)?),
            Val::Bool(r.active),
        ])
    }
}

/// A step's checked values: (process, work centre, equipment, cycle seconds, station).
type StepValues = (i64, Option<String>, Option<i64>, f64, Option<i64>);

fn check_steps(steps: &[RoutingStepInput]) -> Result<Vec<StepValues>> {
    if steps.is_empty() {
        return Err(Error::Invalid {
            field: Field::Steps,
            rule: Rule::Required,
        });
    }
    validate::in_range(Field::Steps, steps.len() as u32, 1, MAX_STEPS as u32)?;
    steps
        .iter()
        .map(|s| {
            let cycle = validate::finite(Field::CycleSeconds, s.cycle_seconds)?;
            if !(cycle > 0.0 && cycle <= 86_400.0) {
                return Err(Error::Invalid {
                    field: Field::CycleSeconds,
                    rule: Rule::OutOfRange { min: 0, max: 86_400 },
                });
            }
            Ok((
                s.process_id.into(),
                validate::optional(Field::WorkCenter, s.work_center.clone(), 30)?,
                s.equipment_id.map(i64::from),
                cycle,
                s.station_id.map(i64::from),
            ))
        })
        .collect()
}

async fn detail_in(conn: &mut SqliteConnection, id: i64) -> Result<RoutingDetail> {
    let routing: Routing = super::get_in(conn, id).await?;
    let steps = steps_in(conn, id).await?;
    Ok(RoutingDetail { routing, steps })
}

/// A routing's steps in order, with the names of what they refer to.
pub(crate) async fn steps_in(conn: &mut SqliteConnection, routing_id: i64) -> Result<Vec<RoutingStep>> {
    Ok(sqlx::query_as(
        "SELECT s.seq, s.process_id, p.name AS process_name, s.work_center, s.equipment_id,
                e.name AS equipment_name, s.cycle_seconds, s.station_id, st.name AS station_name
         FROM routing_steps s
         JOIN processes p ON p.id = s.process_id
         LEFT JOIN equipment e ON e.id = s.equipment_id
         LEFT JOIN stations st ON st.id = s.station_id
         WHERE s.routing_id = ? ORDER BY s.seq",
    )
    .bind(routing_id)
    .fetch_all(conn)
    .await?)
}

impl Store {
    pub async fn routing(&self, id: i64) -> Result<RoutingDetail> {
        let mut conn = self.pool.acquire().await?;
        detail_in(&mut conn, id).await
    }

    /// Adds (`id` none) or changes a routing with all its steps, and makes
    /// it the item's default when asked (or when the item has none yet), in
    /// one transaction with one audit row holding the routing before and after.
    pub async fn save_routing(
        &self,
        id: Option<i64>,
        input: RoutingInput,
        actor: &User,
        machine: &str,
    ) -> Result<RoutingDetail> {
        let mut tx = self.write().await?;
        let saved = save_routing_in(&mut tx, id, input, actor, machine).await?;
        tx.commit().await?;
        Ok(saved)
    }
}

/// [`Store::save_routing`] in `conn`'s transaction.
pub(crate) async fn save_routing_in(
    conn: &mut SqliteConnection,
    id: Option<i64>,
    input: RoutingInput,
    actor: &User,
    machine: &str,
) -> Result<RoutingDetail> {
    let steps = check_steps(&input.steps)?;
    let item_id = i64::from(input.item_id);
    let make_default = input.is_default;
    let values = Routing::values(input)?;
    let now = Utc::now();
    let before = match id {
        Some(id) => Some(detail_in(conn, id).await?),
        None => None,
    };
    if before.as_ref().is_some_and(|b| b.routing.item_id != item_id) {
        // A routing stays with its item: copying it is a new routing.
        return Err(Error::Invalid {
            field: Field::Reference,
            rule: Rule::Unknown,
        });
    }
    let id = match id {
        Some(id) => {
            super::update_in::<Routing>(conn, id, values).await?;
            id
        }
        None => super::insert_in::<Routing>(conn, values).await?,
    };
    sqlx::query("DELETE FROM routing_steps WHERE routing_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (seq, (process, centre, equipment, cycle, station)) in (1_i64..).zip(steps) {
        sqlx::query(
            "INSERT INTO routing_steps (routing_id, seq, process_id, work_center, equipment_id, cycle_seconds, station_id)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(seq)
        .bind(process)
        .bind(centre)
        .bind(equipment)
        .bind(cycle)
        .bind(station)
        .execute(&mut *conn)
        .await
        .map_err(|e| Error::taken(e, Field::Steps))?;
    }
    // The default: this one when asked or when the item has none; no
    // longer this one when unticked.
    sqlx::query(
        "UPDATE items SET default_routing_id = CASE
             WHEN ?1 OR default_routing_id IS NULL THEN ?2
             WHEN default_routing_id = ?2 THEN NULL
             ELSE default_routing_id END
         WHERE id = ?3",
    )
    .bind(make_default)
    .bind(id)
    .bind(item_id)
    .execute(&mut *conn)
    .await?;
    let after = detail_in(conn, id).await?;
    let action = if before.is_some() {
        Action::Update
    } else {
        Action::Create
    };
    let entry = Entry::change(
        actor,
        machine,
        action,
        Routing::ENTITY,
        id,
        before.as_ref(),
        &after,
    );
    audit::write(conn, now, entry).await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        master::{
            ListQuery,
            reference::Process,
            tests::{actor, page},
        },
        store::tests::temp_store,
    };

    fn bracket() -> ItemInput {
        ItemInput {
            part_no: "BRK-1001".into(),
            name: "브래킷 A".into(),
            spec: Some("SS400 t3.2".into()),
            unit: "EA".into(),
            remarks: None,
            active: true,
            serialized: false,
        }
    }

    fn step(process_id: i64, cycle_seconds: f64) -> RoutingStepInput {
        RoutingStepInput {
            process_id: process_id as i32,
            work_center: Some("1라인".into()),
            equipment_id: None,
            cycle_seconds,
            station_id: None,
        }
    }

    #[tokio::test]
    async fn an_item_with_routings_and_a_default() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        let item = store.save::<Item>(None, bracket(), &admin, "pc").await.unwrap();
        let dup = store
            .save::<Item>(
                None,
                ItemInput {
                    part_no: "brk-1001".into(),
                    ..bracket()
                },
                &admin,
                "pc",
            )
            .await;
        assert!(matches!(
            dup,
            Err(Error::Invalid {
                field: Field::PartNo,
                rule: Rule::Taken
            })
        ));

        let processes = store.list::<Process>(&page()).await.unwrap().rows;
        let (cut, weld, check) = (processes[0].id, processes[1].id, processes[4].id);
        let input = |name: &str, is_default, steps| RoutingInput {
            item_id: item.id as i32,
            name: name.into(),
            remarks: None,
            active: true,
            is_default,
            steps,
        };
        let main = store
            .save_routing(
                None,
                input(
                    "기본",
                    false,
                    vec![step(cut, 30.0), step(weld, 45.5), step(check, 5.0)],
                ),
                &admin,
                "pc",
            )
            .await
            .unwrap();
        assert_eq!(main.steps.iter().map(|s| s.seq).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(main.routing.summary.as_deref(), Some("제관 → 용접 → 검사"));
        assert!(
            main.routing.is_default,
            "the item's first routing becomes its default"
        );

        let alt = store
            .save_routing(
                None,
                input("대체", true, vec![step(cut, 20.0), step(check, 5.0)]),
                &admin,
                "pc",
            )
            .await
            .unwrap();
        assert!(alt.routing.is_default);
        assert!(!store.routing(main.routing.id).await.unwrap().routing.is_default);
        let listed = store.get::<Item>(item.id).await.unwrap();
        assert_eq!(listed.default_routing_name.as_deref(), Some("대체"));

        // Bad steps change nothing.
        for bad in [
            vec![],
            vec![step(cut, 0.0)],
            vec![step(cut, f64::NAN)],
            vec![step(999, 1.0)],
        ] {
            assert!(
                store
                    .save_routing(Some(alt.routing.id), input("대체", true, bad), &admin, "pc")
                    .await
                    .is_err()
            );
        }
        assert_eq!(store.routing(alt.routing.id).await.unwrap(), alt);

        // Reordering rewrites the steps.
        let swapped = store
            .save_routing(
                Some(alt.routing.id),
                input("대체", true, vec![step(check, 5.0), step(cut, 20.0)]),
                &admin,
                "pc",
            )
            .await
            .unwrap();
        assert_eq!(swapped.routing.summary.as_deref(), Some("검사 → 제관"));
        let of_item = ListQuery {
            parent_id: Some(item.id),
            ..page()
        };
        assert_eq!(store.list::<Routing>(&of_item).await.unwrap().total, 2);
        let audit = store.audit_recent(20).await.unwrap();
        let update = audit
            .iter()
            .find(|r| r.entity == "routing" && r.action == "update")
            .unwrap();
        assert!(update.before_json.as_deref().unwrap().contains("제관 → 검사"));
        assert!(update.after_json.as_deref().unwrap().contains("검사 → 제관"));
    }
}
