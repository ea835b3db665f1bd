//! The audit trail: one row per login, logout, failed login and change.
//! Rows are written inside the transaction of the action they record and
//! cannot be changed afterwards (triggers in the schema refuse it).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::SqliteConnection;

use crate::{Result, auth::User};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Login,
    Logout,
    LoginFailed,
    Create,
    Update,
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::Logout => "logout",
            Action::LoginFailed => "login_failed",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// One audit row before it is written.
#[derive(Debug)]
pub struct Entry<'a> {
    pub user_id: Option<i64>,
    pub username: Option<&'a str>,
    pub machine: &'a str,
    pub action: Action,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Entry<'a> {
    /// A user's create, update or delete of one record, with the record
    /// before (none for a create) and after, as JSON.
    pub(crate) fn change(
        actor: &'a User,
        machine: &'a str,
        action: Action,
        entity: &'a str,
        id: i64,
        before: Option<&impl Serialize>,
        after: &impl Serialize,
    ) -> Entry<'a> {
        Entry {
            user_id: Some(actor.id),
            username: Some(&actor.username),
            machine,
            action,
            entity,
            entity_id: Some(id.to_string()),
            before: before.map(|b| serde_json::to_value(b).unwrap_or_default()),
            after: Some(serde_json::to_value(after).unwrap_or_default()),
        }
    }
}

pub(crate) async fn write(conn: &mut SqliteConnection, at: DateTime<Utc>, e: Entry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, username, machine, action, entity, entity_id, before_json, after_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(at)
    .bind(e.user_id)
    .bind(e.username)
    .bind(e.machine)
    .bind(e.action.as_str())
    .bind(e.entity)
    .bind(e.entity_id)
    .bind(e.before.map(|v| v.to_string()))
    .bind(e.after.map(|v| v.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

/// A written audit row, as the audit screen and tests read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub machine: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

impl crate::Store {
    /// The newest rows first.
    pub async fn audit_recent(&self, limit: i64) -> Result<Vec<Row>> {
        Ok(sqlx::query_as("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::tests::temp_store;

    use super::*;

    #[tokio::test]
    async fn rows_cannot_be_changed_or_deleted() {
        let (_dir, store) = temp_store().await;
        let mut conn = store.pool.acquire().await.unwrap();
        write(
            &mut conn,
            Utc::now(),
            Entry {
                user_id: None,
                username: Some("ghost"),
                machine: "test",
                action: Action::LoginFailed,
                entity: "session",
                entity_id: None,
                before: None,
                after: None,
            },
        )
        .await
        .unwrap();
        let update = sqlx::query("UPDATE audit_log SET username = 'x'")
            .execute(&mut *conn)
            .await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = sqlx::query("DELETE FROM audit_log").execute(&mut *conn).await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        drop(conn);
        let rows = store.audit_recent(10).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].username.as_deref(), Some("ghost"));
    }
}
