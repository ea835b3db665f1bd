//! The company's own details, printed on its forms (the purchase-order
//! form's orderer block), and its seal image (직인).

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::{
    Field, Result, Store,
    audit::{self, Action, Entry},
    auth::User,
    inspections::stamp,
    validate,
};

/// The largest seal image kept, in bytes.
pub const MAX_SEAL_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Company {
    pub name: String,
    pub biz_no: Option<String>,
    pub ceo: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    /// Whether a seal image is stored (the bytes travel on their own).
    pub has_seal: bool,
}

/// What happens to the seal image on a save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealChange {
    Keep,
    Remove,
    /// PNG bytes, already checked to be an image.
    Set(Vec<u8>),
}

impl Store {
    /// The company's details; an empty name until someone saves them.
    pub async fn company(&self) -> Result<Company> {
        Ok(sqlx::query_as(
            "SELECT name, biz_no, ceo, address, phone, fax, seal_png IS NOT NULL AS has_seal FROM company WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?
        .unwrap_or_default())
    }

    pub async fn company_seal(&self) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar("SELECT seal_png FROM company WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .flatten())
    }

    /// Saves the details (and the seal as asked) with one audit row; the
    /// audit row tells whether the seal changed, not its bytes.
    pub async fn save_company(
        &self,
        input: Company,
        seal: SealChange,
        actor: &User,
        machine: &str,
    ) -> Result<Company> {
        let name = validate::text(Field::Name, &input.name, 1, 100)?;
        let biz_no = validate::biz_no(input.biz_no)?;
        let ceo = validate::optional(Field::Ceo, input.ceo, 50)?;
        let address = validate::optional(Field::Address, input.address, 200)?;
        let phone = validate::phone(Field::Phone, input.phone)?;
        let fax = validate::phone(Field::Fax, input.fax)?;
        if let SealChange::Set(bytes) = &seal {
            validate::in_range(Field::Seal, bytes.len() as u32, 1, MAX_SEAL_BYTES as u32)?;
        }
        let mut tx = self.write().await?;
        let before: Option<Company> = sqlx::query_as(
            "SELECT name, biz_no, ceo, address, phone, fax, seal_png IS NOT NULL AS has_seal FROM company WHERE id = 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let kept: Option<Vec<u8>> = sqlx::query_scalar("SELECT seal_png FROM company WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
        let seal_png = match seal {
            SealChange::Keep => kept,
            SealChange::Remove => None,
            SealChange::Set(bytes) => Some(bytes),
        };
        sqlx::query(
            "INSERT INTO company (id, name, biz_no, ceo, address, phone, fax, seal_png, updated_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET name = ?1, biz_no = ?2, ceo = ?3, address = ?4, phone = ?5, fax = ?6,
                                            seal_png = ?7, updated_at = ?8",
        )
        .bind(name)
        .bind(biz_no)
        .bind(ceo)
        .bind(address)
        .bind(phone)
        .bind(fax)
        .bind(seal_png)
        .bind(stamp(Utc::now()))
        .execute(&mut *tx)
        .await?;
        let after: Company = sqlx::query_as(
            "SELECT name, biz_no, ceo, address, phone, fax, seal_png IS NOT NULL AS has_seal FROM company WHERE id = 1",
        )
        .fetch_one(&mut *tx)
        .await?;
        let action = if before.is_some() {
            Action::Update
        } else {
            Action::Create
        };
        audit::write(
            &mut tx,
            Utc::now(),
            Entry::change(actor, machine, action, "company", 1, before.as_ref(), &after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{master::tests::actor, store::tests::temp_store};

    #[tokio::test]
    async fn details_and_seal_are_kept_removed_or_replaced() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        assert_eq!(store.company().await.unwrap().name, "");
        let input = Company {
            name: "(주)라인사이트정밀".into(),
            biz_no: Some("134-85-26014".into()),
            ceo: Some("박대표".into()),
            address: Some("경기도 안산시 단원구 산단로 1".into()),
            phone: Some("031-111-2222".into()),
            fax: None,
            has_seal: false,
        };
        let saved = store
            .save_company(
                input.clone(),
                SealChange::Set(vec![0x89, b'P', b'N', b'G']),
                &admin,
                "pc",
            )
            .await
            .unwrap();
        assert!(saved.has_seal);
        assert_eq!(saved.biz_no.as_deref(), Some("1348526014"));
        let kept = store
            .save_company(input.clone(), SealChange::Keep, &admin, "pc")
            .await
            .unwrap();
        assert!(kept.has_seal);
        assert_eq!(store.company_seal().await.unwrap().unwrap().len(), 4);
        let removed = store
            .save_company(input.clone(), SealChange::Remove, &admin, "pc")
            .await
            .unwrap();
        assert!(!removed.has_seal);
        assert!(store.company_seal().await.unwrap().is_none());
        let bad = Company {
            biz_no: Some("123-45-67890".into()),
            ..input
        };
        assert!(
            store
                .save_company(bad, SealChange::Keep, &admin, "pc")
                .await
                .is_err()
        );
        let audit = store.audit_recent(10).await.unwrap();
        assert_eq!(audit.iter().filter(|r| r.entity == "company").count(), 3);
        assert!(
            audit
                .iter()
                .all(|r| !r.after_json.clone().unwrap_or_default().contains("seal_png"))
        );
    }
}
