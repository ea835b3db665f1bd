//! Files kept with a record: which record, the name the user gave, the
//! content hash the bytes are stored under, size and kind. The app writes
//! the bytes first, then the row; a removed file's row stays as history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Error, Field, Result, Rule, Store,
    audit::{self, Action, Entry},
    auth::User,
    master::{get_in, items::Item},
    validate,
};

/// The kinds of record that keep files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Owner {
    Item,
    SalesOrder,
    SalesOrderLine,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub owner: Owner,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub owner_id: i64,
    /// As the user named it; shown only.
    pub name: String,
    pub sha256: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub size: i64,
    pub media_type: String,
    /// Who added it.
    pub display_name: String,
    pub created_at: DateTime<Utc>,
}

/// A file the app has stored, to be recorded.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub owner: Owner,
    pub owner_id: i64,
    pub name: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
}

macro_rules! attachment_select {
    () => {
        "SELECT a.id, a.owner, a.owner_id, a.name, a.sha256, a.size, a.media_type, u.display_name, a.created_at
         FROM attachments a JOIN users u ON u.id = a.user_id"
    };
}

/// A file name as shown: its last part only, without control characters.
fn display_name(name: &str) -> Result<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    validate::text(Field::FileName, &clean, 1, 200)
}

impl Store {
    /// The files kept with a record, oldest first.
    pub async fn list_attachments(&self, owner: Owner, owner_id: i64) -> Result<Vec<Attachment>> {
        Ok(sqlx::query_as(concat!(
            attachment_select!(),
            " WHERE a.owner = ? AND a.owner_id = ? AND a.removed_at IS NULL ORDER BY a.id"
        ))
        .bind(owner)
        .bind(owner_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One kept file (not removed).
    pub async fn attachment(&self, id: i64) -> Result<Attachment> {
        sqlx::query_as(concat!(
            attachment_select!(),
            " WHERE a.id = ? AND a.removed_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound {
            entity: "attachment",
            id,
        })
    }

    /// Records a stored file with the record it belongs to, audit-logged.
    pub async fn add_attachment(
        &self,
        new: NewAttachment,
        actor: &User,
        machine: &str,
    ) -> Result<Attachment> {
        let name = display_name(&new.name)?;
        let sha_ok = new.sha256.len() == 64 && new.sha256.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
        if !sha_ok || new.size <= 0 {
            return Err(Error::Invalid {
                field: Field::FileName,
                rule: Rule::Format,
            });
        }
        let now = Utc::now();
        let mut tx = self.write().await?;
        let exists: bool = match new.owner {
            Owner::Item => get_in::<Item>(&mut tx, new.owner_id).await.map(|_| true)?,
            Owner::SalesOrder => {
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sales_orders WHERE id = ?)")
                    .bind(new.owner_id)
                    .fetch_one(&mut *tx)
                    .await?
            }
            Owner::SalesOrderLine => {
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sales_order_lines WHERE id = ?)")
                    .bind(new.owner_id)
                    .fetch_one(&mut *tx)
                    .await?
            }
        };
        if !exists {
            return Err(Error::NotFound {
                entity: "attachment owner",
                id: new.owner_id,
            });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO attachments (owner, owner_id, name, sha256, size, media_type, user_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(new.owner)
        .bind(new.owner_id)
        .bind(&name)
        .bind(&new.sha256)
        .bind(new.size)
        .bind(&new.media_type)
        .bind(actor.id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let row: Attachment = sqlx::query_as(concat!(attachment_select!(), " WHERE a.id = ?"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let entry = Entry::change(
            actor,
            machine,
            Action::Create,
            "attachment",
            id,
            None::<&Attachment>,
            &row,
        );
        audit::write(&mut tx, now, entry).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Hides a kept file; its row stays, and the audit trail says who removed it.
    pub async fn remove_attachment(&self, id: i64, actor: &User, machine: &str) -> Result<()> {
        let now = Utc::now();
        let mut tx = self.write().await?;
        let before: Attachment = sqlx::query_as(concat!(
            attachment_select!(),
            " WHERE a.id = ? AND a.removed_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound {
            entity: "attachment",
            id,
        })?;
        sqlx::query("UPDATE attachments SET removed_at = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let entry = Entry {
            user_id: Some(actor.id),
            username: Some(&actor.username),
            machine,
            action: Action::Delete,
            entity: "attachment",
            entity_id: Some(id.to_string()),
            before: serde_json::to_value(&before).ok(),
            after: None,
        };
        audit::write(&mut tx, now, entry).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        master::{items::ItemInput, tests::actor},
        store::tests::temp_store,
    };

    fn drawing(owner_id: i64, name: &str) -> NewAttachment {
        NewAttachment {
            owner: Owner::Item,
            owner_id,
            name: name.into(),
            sha256: "ab".repeat(32),
            size: 1234,
            media_type: "application/pdf".into(),
        }
    }

    #[tokio::test]
    async fn files_belong_to_a_record_and_removal_keeps_history() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        let item = store
            .save::<Item>(
                None,
                ItemInput {
                    part_no: "BRK-1".into(),
                    name: "브래킷".into(),
                    spec: None,
                    unit: "EA".into(),
                    remarks: None,
                    active: true,
                    serialized: false,
                },
                &admin,
                "pc",
            )
            .await
            .unwrap();
        let a = store
            .add_attachment(drawing(item.id, "C:\\도면\\BRK-1 rev.B.pdf"), &admin, "pc")
            .await
            .unwrap();
        assert_eq!(
            a.name, "BRK-1 rev.B.pdf",
            "only the last part of a path is kept, as a name"
        );
        assert!(matches!(
            store.add_attachment(drawing(999, "x.pdf"), &admin, "pc").await,
            Err(Error::NotFound { entity: "item", .. })
        ));
        let bad_hash = NewAttachment {
            sha256: "../../etc/passwd".into(),
            ..drawing(item.id, "x.pdf")
        };
        assert!(store.add_attachment(bad_hash, &admin, "pc").await.is_err());
        assert_eq!(
            store.list_attachments(Owner::Item, item.id).await.unwrap(),
            vec![a.clone()]
        );

        store.remove_attachment(a.id, &admin, "pc").await.unwrap();
        assert!(
            store
                .list_attachments(Owner::Item, item.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.attachment(a.id).await.is_err());
        assert!(store.remove_attachment(a.id, &admin, "pc").await.is_err(), "once");
        let trail = store.audit_recent(5).await.unwrap();
        assert_eq!(trail[0].action, "delete");
        assert!(
            trail[0]
                .before_json
                .as_deref()
                .unwrap()
                .contains("BRK-1 rev.B.pdf")
        );
    }
}
