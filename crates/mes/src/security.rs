//! Install-wide security settings: how long a signed-in session may stay
//! idle before it ends. Changed by an administrator, audit-logged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Field, Result, Store,
    audit::{self, Action, Entry},
    auth::User,
    validate,
};

/// The longest idle time an administrator may set, in minutes (a day).
pub const MAX_IDLE_MINUTES: u32 = 1440;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SecuritySettings {
    /// A session with no activity for this many minutes ends (0: never).
    #[sqlx(rename = "idle_timeout_min")]
    pub idle_timeout_minutes: u32,
}

impl Store {
    pub async fn security_settings(&self) -> Result<SecuritySettings> {
        Ok(
            sqlx::query_as("SELECT idle_timeout_min FROM security_settings WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn set_security_settings(
        &self,
        new: SecuritySettings,
        actor: &User,
        machine: &str,
    ) -> Result<SecuritySettings> {
        validate::in_range(Field::IdleTimeout, new.idle_timeout_minutes, 0, MAX_IDLE_MINUTES)?;
        let now: DateTime<Utc> = Utc::now();
        let mut tx = self.write().await?;
        let before: SecuritySettings =
            sqlx::query_as("SELECT idle_timeout_min FROM security_settings WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;
        if before == new {
            return Ok(before);
        }
        sqlx::query("UPDATE security_settings SET idle_timeout_min = ?, updated_at = ? WHERE id = 1")
            .bind(new.idle_timeout_minutes)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        audit::write(
            &mut tx,
            now,
            Entry::change(
                actor,
                machine,
                Action::Update,
                "security_settings",
                1,
                Some(&before),
                &new,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, Rule, auth::NewAdmin, store::tests::temp_store};

    #[tokio::test]
    async fn idle_time_starts_at_half_an_hour_and_changes_are_checked_and_audited() {
        let (_dir, store) = temp_store().await;
        assert_eq!(store.security_settings().await.unwrap().idle_timeout_minutes, 30);
        let admin = store
            .create_first_admin(
                NewAdmin {
                    username: "boss".into(),
                    display_name: "관리자".into(),
                    password: "s3cret-pass".into(),
                },
                "pc1",
            )
            .await
            .unwrap();
        let ten = SecuritySettings {
            idle_timeout_minutes: 10,
        };
        store.set_security_settings(ten, &admin, "pc1").await.unwrap();
        assert_eq!(store.security_settings().await.unwrap(), ten);
        let entry = &store.audit_recent(1).await.unwrap()[0];
        assert_eq!(
            (entry.entity.as_str(), entry.before_json.as_deref()),
            ("security_settings", Some(r#"{"idleTimeoutMinutes":30}"#))
        );
        assert!(matches!(
            store
                .set_security_settings(
                    SecuritySettings {
                        idle_timeout_minutes: 5000
                    },
                    &admin,
                    "pc1"
                )
                .await,
            Err(Error::Invalid {
                field: Field::IdleTimeout,
                rule: Rule::OutOfRange { min: 0, max: 1440 }
            })
        ));
        assert_eq!(store.security_settings().await.unwrap(), ten);
    }
}
