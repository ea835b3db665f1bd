//! Partners (거래처): customers and suppliers, with a checked business
//! registration number that no two partners share.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Master, Val};
use crate::{Field, Result, validate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum PartnerKind {
    Customer,
    Supplier,
    Both,
}

impl PartnerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerKind::Customer => "customer",
            PartnerKind::Supplier => "supplier",
            PartnerKind::Both => "both",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Partner {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub kind: PartnerKind,
    pub name: String,
    /// Ten digits, no dashes.
    pub biz_no: Option<String>,
    pub ceo: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub address: Option<String>,
    pub remarks: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PartnerInput {
    pub kind: PartnerKind,
    pub name: String,
    /// With or without dashes.
    pub biz_no: Option<String>,
    pub ceo: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub address: Option<String>,
    pub remarks: Option<String>,
    pub active: bool,
}

impl Master for Partner {
    type Input = PartnerInput;
    const ENTITY: &'static str = "partner";
    const TABLE: &'static str = "partners";
    const VIEW: &'static str = "partners_list";
    const COLUMNS: &'static [&'static str] = &[
        "kind", "name", "biz_no", "ceo", "phone", "fax", "address", "remarks", "active",
    ];
    const SEARCH: &'static [&'static str] = &["name", "biz_no", "ceo", "phone", "address"];
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "name COLLATE NOCASE"),
        ("kind", "kind"),
        ("bizNo", "biz_no"),
        ("ceo", "ceo COLLATE NOCASE"),
        ("updatedAt", "updated_at"),
    ];
    const FULL_TEXT: Option<&'static str> = Some("partners_fts");
    const UNIQUE: Field = Field::BizNo;

    fn values(p: PartnerInput) -> Result<Vec<Val>> {
        Ok(vec![
            Val::Text(Some(p.kind.as_str().into())),
            Val::Text(Some(validate::text(Field::Name, &p.name, 1, 100)?)),
            Val::Text(validate::biz_no(p.biz_no)?),
            Val::Text(validate::optional(Field::Ceo, p.ceo, 50)?),
            Val::Text(validate::phone(Field::Phone, p.phone)?),
            Val::Text(validate::phone(Field::Fax, p.fax)?),
            Val::Text(validate::optional(Field::Address, p.address, 200)?),
            Val::Text(validate::optional(Field::Remarks, p.remarks, 500)?),
            Val::Bool(p.active),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Error, Rule,
        master::tests::{actor, page},
        store::tests::temp_store,
    };

    pub fn partner(name: &str, biz_no: Option<&str>) -> PartnerInput {
        PartnerInput {
            kind: PartnerKind::Customer,
            name: name.into(),
            biz_no: biz_no.map(Into::into),
            ceo: Some("김대표".into()),
            phone: Some("02-555-0101".into()),
            fax: None,
            address: Some("경기도 시흥시 공단1대로 1".into()),
            remarks: None,
            active: true,
        }
    }

    #[tokio::test]
    async fn saved_with_audit_rows_and_switched_off_not_deleted() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        let p = store
            .save::<Partner>(None, partner("  대한정밀  ", Some("220-81-62517")), &admin, "pc")
            .await
            .unwrap();
        assert_eq!(p.name, "대한정밀");
        assert_eq!(p.biz_no.as_deref(), Some("2208162517"));

        // The same number again is refused, however it is written.
        let dup = store
            .save::<Partner>(None, partner("다른회사", Some("2208162517")), &admin, "pc")
            .await;
        assert!(matches!(
            dup,
            Err(Error::Invalid {
                field: Field::BizNo,
                rule: Rule::Taken
            })
        ));

        // Switched off: gone from the default list, still there when asked for.
        let off = PartnerInput {
            active: false,
            ..partner("대한정밀", Some("220-81-62517"))
        };
        store
            .save::<Partner>(Some(p.id), off, &admin, "pc")
            .await
            .unwrap();
        assert_eq!(store.list::<Partner>(&page()).await.unwrap().total, 0);
        let all = super::super::ListQuery {
            include_inactive: true,
            ..page()
        };
        assert_eq!(store.list::<Partner>(&all).await.unwrap().rows[0].id, p.id);

        // Saving it unchanged writes nothing.
        let again = PartnerInput {
            active: false,
            ..partner("대한정밀", Some("220-81-62517"))
        };
        store
            .save::<Partner>(Some(p.id), again, &admin, "pc")
            .await
            .unwrap();

        let audit = store.audit_recent(10).await.unwrap();
        let rows: Vec<_> = audit.iter().filter(|r| r.entity == "partner").collect();
        assert_eq!(rows.len(), 2, "one create, one update");
        assert_eq!(rows[0].action, "update");
        assert!(
            rows[0]
                .before_json
                .as_deref()
                .unwrap()
                .contains("\"active\":true")
        );
        assert!(
            rows[0]
                .after_json
                .as_deref()
                .unwrap()
                .contains("\"active\":false")
        );
        assert_eq!(rows[1].action, "create");
        assert_eq!(rows[1].before_json, None);
    }

    #[tokio::test]
    async fn search_sort_and_page() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        for name in ["가나상사", "다라기계", "마바산업", "가나다_50%"] {
            store
                .save::<Partner>(None, partner(name, None), &admin, "pc")
                .await
                .unwrap();
        }
        let q = |search: &str| super::super::ListQuery {
            search: Some(search.into()),
            ..page()
        };
        assert_eq!(store.list::<Partner>(&q("가나")).await.unwrap().total, 2);
        assert_eq!(
            store.list::<Partner>(&q("가나상")).await.unwrap().total,
            1,
            "full-text, 3+ characters"
        );
        assert_eq!(
            store.list::<Partner>(&q("555-01")).await.unwrap().total,
            4,
            "any searched column"
        );
        assert_eq!(
            store.list::<Partner>(&q("\"x")).await.unwrap().total,
            0,
            "quotes are text"
        );
        assert_eq!(
            store.list::<Partner>(&q("50%")).await.unwrap().total,
            1,
            "% is literal"
        );
        assert_eq!(
            store.list::<Partner>(&q("_")).await.unwrap().total,
            1,
            "_ is literal"
        );
        let sorted = super::super::ListQuery {
            sort: Some("name".into()),
            descending: true,
            offset: 1,
            limit: 2,
            ..page()
        };
        let got = store.list::<Partner>(&sorted).await.unwrap();
        assert_eq!(got.total, 4);
        let names: Vec<_> = got.rows.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["다라기계", "가나상사"]);

        // A renamed partner is found by its new name only.
        let first = got.rows[0].clone();
        store
            .save::<Partner>(Some(first.id), partner("라온테크", None), &admin, "pc")
            .await
            .unwrap();
        assert_eq!(store.list::<Partner>(&q("다라기")).await.unwrap().total, 0);
        assert_eq!(store.list::<Partner>(&q("라온테")).await.unwrap().total, 1);
    }

    #[tokio::test]
    async fn an_import_with_any_bad_row_stores_nothing_and_names_every_bad_row() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        store
            .save::<Partner>(None, partner("기존거래처", Some("124-81-00998")), &admin, "pc")
            .await
            .unwrap();
        let rows = vec![
            partner("새거래처1", Some("220-81-62517")),
            partner("", None),                          // row 3: no name
            partner("새거래처3", Some("124-81-00999")), // row 4: bad check digit
            partner("새거래처4", Some("1248100998")),   // row 5: already stored
            partner("새거래처5", Some("2208162517")),   // row 6: same as row 2
        ];
        let rows = (2..).zip(rows.into_iter().map(Ok)).collect();
        let Err(Error::ImportRefused { problems }) = store.import::<Partner>(rows, &admin, "pc").await else {
            panic!("the import must be refused");
        };
        let found: Vec<_> = problems.iter().map(|p| (p.row, p.field, p.rule)).collect();
        assert_eq!(
            found,
            [
                (3, Field::Name, Rule::Required),
                (4, Field::BizNo, Rule::Format),
                (5, Field::BizNo, Rule::Taken),
                (6, Field::BizNo, Rule::Taken),
            ]
        );
        assert_eq!(
            store.list::<Partner>(&page()).await.unwrap().total,
            1,
            "nothing stored"
        );

        let good = vec![
            (2, Ok(partner("새거래처1", Some("220-81-62517")))),
            (3, Ok(partner("새거래처2", None))),
        ];
        assert_eq!(store.import::<Partner>(good, &admin, "pc").await.unwrap(), 2);
        let cell_problem = vec![(
            2,
            Err(Error::Invalid {
                field: Field::Kind,
                rule: Rule::Format,
            }),
        )];
        assert!(matches!(
            store.import::<Partner>(cell_problem, &admin, "pc").await,
            Err(Error::ImportRefused { problems }) if problems[0].row == 2
        ));
        assert_eq!(store.list::<Partner>(&page()).await.unwrap().total, 3);
    }
}
