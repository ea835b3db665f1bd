//! The audit trail: one row per login, logout, failed login and change.
//! Rows are written inside the transaction of the action they record and
//! cannot be changed afterwards (triggers in the schema refuse it).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub at: DateTime<Utc>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub machine: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// Which audit rows to list, newest first. Every filter is optional; pages
/// follow each other by `before_id`, the last id of the page before.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AuditFilter {
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
    /// The user name as recorded (as typed, for failed logins), any case.
    pub username: Option<String>,
    /// login, logout, login_failed, create, update or delete.
    pub action: Option<String>,
    /// What was changed: user, station, inspection, alarm, session…
    pub entity: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub before_id: Option<i64>,
    /// 1..=[`crate::inspections::MAX_PAGE`].
    pub limit: u32,
}

impl crate::Store {
    /// Audit rows matching `filter`, newest first. Rows are written in time
    /// order, so the id alone pages them.
    pub async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
        let limit =
            crate::validate::in_range(crate::Field::Limit, filter.limit, 1, crate::inspections::MAX_PAGE)?;
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT * FROM audit_log WHERE 1 = 1");
        if let Some(from) = filter.from {
            q.push(" AND at >= ").push_bind(from);
        }
        if let Some(until) = filter.until {
            q.push(" AND at < ").push_bind(until);
        }
        if let Some(name) = filter
            .username
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            q.push(" AND username = ")
                .push_bind(name.to_owned())
                .push(" COLLATE NOCASE");
        }
        if let Some(action) = &filter.action {
            q.push(" AND action = ").push_bind(action.clone());
        }
        if let Some(entity) = &filter.entity {
            q.push(" AND entity = ").push_bind(entity.clone());
        }
        if let Some(id) = filter.before_id {
            q.push(" AND id < ").push_bind(id);
        }
        q.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(limit));
        Ok(q.build_query_as().fetch_all(&self.pool).await?)
    }

    /// The newest rows first.
    pub async fn audit_recent(&self, limit: i64) -> Result<Vec<AuditRow>> {
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

    #[tokio::test]
    async fn the_trail_filters_by_time_user_action_and_entity_a_page_at_a_time() {
        let (_dir, store) = temp_store().await;
        let t0 = Utc::now() - chrono::Duration::hours(1);
        let mut conn = store.pool.acquire().await.unwrap();
        let rows = [
            (0, "kim", Action::Login, "session"),
            (1, "Kim", Action::LoginFailed, "session"),
            (2, "lee", Action::Create, "station"),
            (3, "kim", Action::Update, "station"),
            (4, "kim", Action::Logout, "session"),
        ];
        for (minutes, name, action, entity) in rows {
            let e = Entry {
                user_id: None,
                username: Some(name),
                machine: "pc",
                action,
                entity,
                entity_id: None,
                before: None,
                after: None,
            };
            write(&mut conn, t0 + chrono::Duration::minutes(minutes), e)
                .await
                .unwrap();
        }
        drop(conn);
        let list = |f: AuditFilter| {
            let store = store.clone();
            async move {
                store
                    .list_audit(&AuditFilter {
                        limit: f.limit.max(1),
                        ..f
                    })
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.id)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            list(AuditFilter {
                limit: 10,
                ..Default::default()
            })
            .await,
            [5, 4, 3, 2, 1]
        );
        assert_eq!(
            list(AuditFilter {
                username: Some("KIM".into()),
                limit: 10,
                ..Default::default()
            })
            .await,
            [5, 4, 2, 1]
        );
        assert_eq!(
            list(AuditFilter {
                entity: Some("station".into()),
                limit: 10,
                ..Default::default()
            })
            .await,
            [4, 3]
        );
        assert_eq!(
            list(AuditFilter {
                action: Some("login_failed".into()),
                limit: 10,
                ..Default::default()
            })
            .await,
            [2]
        );
        let window = AuditFilter {
            from: Some(t0 + chrono::Duration::minutes(1)),
            until: Some(t0 + chrono::Duration::minutes(3)),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(list(window).await, [3, 2]);
        let first = list(AuditFilter {
            limit: 2,
            ..Default::default()
        })
        .await;
        let next = list(AuditFilter {
            before_id: Some(first[1]),
            limit: 2,
            ..Default::default()
        })
        .await;
        assert_eq!((first, next), (vec![5, 4], vec![3, 2]));
        assert!(
            store.list_audit(&AuditFilter::default()).await.is_err(),
            "a page of 0 rows is refused"
        );
    }
}
