//! The short code lists other records pick from: processes (공정), common
//! codes (공통코드) and their groups, defect codes and downtime reasons.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Master, Val};
use crate::{Field, Result, validate};

/// An operation of the plant: 제관, 용접, 가공, 조립, 검사…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Process {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Display order.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub seq: i64,
    /// An inspection step that a vision station may judge.
    pub inspection: bool,
    pub remarks: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProcessInput {
    pub code: String,
    pub name: String,
    pub seq: i32,
    pub inspection: bool,
    pub remarks: Option<String>,
    pub active: bool,
}

impl Master for Process {
    type Input = ProcessInput;
    const ENTITY: &'static str = "process";
    const TABLE: &'static str = "processes";
    const VIEW: &'static str = "processes_list";
    const COLUMNS: &'static [&'static str] = &["code", "name", "seq", "inspection", "remarks", "active"];
    const SEARCH: &'static [&'static str] = &["code", "name"];
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("seq", "seq"),
        ("code", "code COLLATE NOCASE"),
        ("name", "name COLLATE NOCASE"),
    ];
    const UNIQUE: Field = Field::Code;

    fn values(p: ProcessInput) -> Result<Vec<Val>> {
        Ok(vec![
            Val::Text(Some(validate::code(Field::Code, &p.code)?)),
            Val::Text(Some(validate::text(Field::Name, &p.name, 1, 30)?)),
            Val::Int(Some(validate::int_range(Field::Order, p.seq.into(), 0, 9999)?)),
            Val::Bool(p.inspection),
            Val::Text(validate::optional(Field::Remarks, p.remarks, 500)?),
            Val::Bool(p.active),
        ])
    }
}

/// A kind of defect an inspection or an operator records (스크래치, 찍힘…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DefectCode {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub code: String,
    pub name: String,
    /// 외관, 치수, 기능…
    pub category: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DefectCodeInput {
    pub code: String,
    pub name: String,
    pub category: String,
    pub active: bool,
}

impl Master for DefectCode {
    type Input = DefectCodeInput;
    const ENTITY: &'static str = "defect_code";
    const TABLE: &'static str = "defect_codes";
    const VIEW: &'static str = "defect_codes_list";
    const COLUMNS: &'static [&'static str] = &["code", "name", "category", "active"];
    const SEARCH: &'static [&'static str] = &["code", "name", "category"];
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("code", "code COLLATE NOCASE"),
        ("name", "name COLLATE NOCASE"),
        ("category", "category COLLATE NOCASE"),
    ];
    const UNIQUE: Field = Field::Code;

    fn values(d: DefectCodeInput) -> Result<Vec<Val>> {
        Ok(vec![
            Val::Text(Some(validate::code(Field::Code, &d.code)?)),
            Val::Text(Some(validate::text(Field::Name, &d.name, 1, 50)?)),
            Val::Text(Some(validate::text(Field::Category, &d.category, 1, 30)?)),
            Val::Bool(d.active),
        ])
    }
}

/// The OEE loss a stop counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum DowntimeCategory {
    /// Planned stops (breaks, planned maintenance): not production time at all.
    Planned,
    Availability,
    Performance,
    Quality,
}

impl DowntimeCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            DowntimeCategory::Planned => "planned",
            DowntimeCategory::Availability => "availability",
            DowntimeCategory::Performance => "performance",
            DowntimeCategory::Quality => "quality",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DowntimeReason {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub category: DowntimeCategory,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DowntimeReasonInput {
    pub code: String,
    pub name: String,
    pub category: DowntimeCategory,
    pub active: bool,
}

impl Master for DowntimeReason {
    type Input = DowntimeReasonInput;
    const ENTITY: &'static str = "downtime_reason";
    const TABLE: &'static str = "downtime_reasons";
    const VIEW: &'static str = "downtime_reasons_list";
    const COLUMNS: &'static [&'static str] = &["code", "name", "category", "active"];
    const SEARCH: &'static [&'static str] = &["code", "name"];
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("code", "code COLLATE NOCASE"),
        ("name", "name COLLATE NOCASE"),
        ("category", "category"),
    ];
    const UNIQUE: Field = Field::Code;

    fn values(d: DowntimeReasonInput) -> Result<Vec<Val>> {
        Ok(vec![
            Val::Text(Some(validate::code(Field::Code, &d.code)?)),
            Val::Text(Some(validate::text(Field::Name, &d.name, 1, 50)?)),
            Val::Text(Some(d.category.as_str().into())),
            Val::Bool(d.active),
        ])
    }
}

/// A group of common codes (공통코드 그룹): units, work centres, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CodeGroup {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub remarks: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub code_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CodeGroupInput {
    pub code: String,
    pub name: String,
    pub remarks: Option<String>,
    pub active: bool,
}

impl Master for CodeGroup {
    type Input = CodeGroupInput;
    const ENTITY: &'static str = "code_group";
    const TABLE: &'static str = "code_groups";
    const VIEW: &'static str = "code_groups_list";
    const COLUMNS: &'static [&'static str] = &["code", "name", "remarks", "active"];
    const SEARCH: &'static [&'static str] = &["code", "name"];
    const SORTS: &'static [(&'static str, &'static str)] =
        &[("code", "code COLLATE NOCASE"), ("name", "name COLLATE NOCASE")];
    const UNIQUE: Field = Field::Code;

    fn values(g: CodeGroupInput) -> Result<Vec<Val>> {
        Ok(vec![
            Val::Text(Some(validate::code(Field::Code, &g.code)?)),
            Val::Text(Some(validate::text(Field::Name, &g.name, 1, 50)?)),
            Val::Text(validate::optional(Field::Remarks, g.remarks, 500)?),
            Val::Bool(g.active),
        ])
    }
}

/// One code of a group, with three free attributes and a display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Code {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub group_id: i64,
    pub code: String,
    pub name: String,
    pub attr1: Option<String>,
    pub attr2: Option<String>,
    pub attr3: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub seq: i64,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub group_code: String,
    pub group_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CodeInput {
    pub group_id: i32,
    pub code: String,
    pub name: String,
    pub attr1: Option<String>,
    pub attr2: Option<String>,
    pub attr3: Option<String>,
    pub seq: i32,
    pub active: bool,
}

impl Master for Code {
    type Input = CodeInput;
    const ENTITY: &'static str = "code";
    const TABLE: &'static str = "codes";
    const VIEW: &'static str = "codes_list";
    const COLUMNS: &'static [&'static str] = &[
        "group_id", "code", "name", "attr1", "attr2", "attr3", "seq", "active",
    ];
    const SEARCH: &'static [&'static str] = &["code", "name", "group_code", "group_name"];
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("seq", "group_code COLLATE NOCASE, seq"),
        ("code", "code COLLATE NOCASE"),
        ("name", "name COLLATE NOCASE"),
        ("groupCode", "group_code COLLATE NOCASE"),
    ];
    const PARENT: Option<&'static str> = Some("group_id");
    const UNIQUE: Field = Field::Code;

    fn values(c: CodeInput) -> Result<Vec<Val>> {
        Ok(vec![
            Val::Int(Some(c.group_id.into())),
            Val::Text(Some(validate::code(Field::Code, &c.code)?)),
            Val::Text(Some(validate::text(Field::Name, &c.name, 1, 50)?)),
            Val::Text(validate::optional(Field::Attribute, c.attr1, 100)?),
            Val::Text(validate::optional(Field::Attribute, c.attr2, 100)?),
            Val::Text(validate::optional(Field::Attribute, c.attr3, 100)?),
            Val::Int(Some(validate::int_range(Field::Order, c.seq.into(), 0, 9999)?)),
            Val::Bool(c.active),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Error, Rule,
        master::{
            ListQuery,
            tests::{actor, page},
        },
        store::tests::temp_store,
    };

    #[tokio::test]
    async fn the_plants_processes_are_seeded_in_order() {
        let (_dir, store) = temp_store().await;
        let list = store.list::<Process>(&page()).await.unwrap();
        let names: Vec<_> = list.rows.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["제관", "용접", "가공", "조립", "검사"]);
        assert!(list.rows[4].inspection && !list.rows[0].inspection);
    }

    #[tokio::test]
    async fn codes_are_unique_per_kind_and_group() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        let p = ProcessInput {
            code: "p10".into(),
            name: "도장".into(),
            seq: 60,
            inspection: false,
            remarks: None,
            active: true,
        };
        let dup = store.save::<Process>(None, p, &admin, "pc").await;
        assert!(
            matches!(
                dup,
                Err(Error::Invalid {
                    field: Field::Code,
                    rule: Rule::Taken
                })
            ),
            "P10 exists, any case"
        );

        let group = |code: &str| CodeGroupInput {
            code: code.into(),
            name: "단위".into(),
            remarks: None,
            active: true,
        };
        let units = store
            .save::<CodeGroup>(None, group("UNIT"), &admin, "pc")
            .await
            .unwrap();
        let centres = store
            .save::<CodeGroup>(None, group("WC"), &admin, "pc")
            .await
            .unwrap();
        let code = |group_id: i64, code: &str| CodeInput {
            group_id: group_id as i32,
            code: code.into(),
            name: code.into(),
            attr1: None,
            attr2: None,
            attr3: None,
            seq: 1,
            active: true,
        };
        store
            .save::<Code>(None, code(units.id, "EA"), &admin, "pc")
            .await
            .unwrap();
        store
            .save::<Code>(None, code(centres.id, "EA"), &admin, "pc")
            .await
            .unwrap();
        let dup = store.save::<Code>(None, code(units.id, "ea"), &admin, "pc").await;
        assert!(matches!(
            dup,
            Err(Error::Invalid {
                field: Field::Code,
                rule: Rule::Taken
            })
        ));
        let orphan = store.save::<Code>(None, code(999, "X"), &admin, "pc").await;
        assert!(matches!(
            orphan,
            Err(Error::Invalid {
                field: Field::Reference,
                rule: Rule::Unknown
            })
        ));

        let of_units = ListQuery {
            parent_id: Some(units.id),
            ..page()
        };
        let list = store.list::<Code>(&of_units).await.unwrap();
        assert_eq!((list.total, list.rows[0].group_code.as_str()), (1, "UNIT"));
        let groups = store.list::<CodeGroup>(&page()).await.unwrap();
        assert_eq!(
            groups.rows.iter().map(|g| g.code_count).collect::<Vec<_>>(),
            [1, 1]
        );
    }

    #[tokio::test]
    async fn downtime_reasons_keep_their_loss_category() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        let r = store
            .save::<DowntimeReason>(
                None,
                DowntimeReasonInput {
                    code: "D01".into(),
                    name: "금형 교체".into(),
                    category: DowntimeCategory::Availability,
                    active: true,
                },
                &admin,
                "pc",
            )
            .await
            .unwrap();
        assert_eq!(
            store.get::<DowntimeReason>(r.id).await.unwrap().category,
            DowntimeCategory::Availability
        );
        let bad: std::result::Result<DowntimeReasonInput, _> =
            serde_json::from_str(r#"{"code":"D02","name":"x","category":"lunch","active":true}"#);
        assert!(bad.is_err(), "only the four OEE categories");
        assert!(matches!(
            store.get::<DefectCode>(42).await,
            Err(Error::NotFound {
                entity: "defect_code",
                id: 42
            })
        ));
    }
}
