//! Users, the first-run administrator, login and logout.

use std::sync::OnceLock;

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Error, Result, Store,
    audit::{self, Action, Entry},
    validate,
};

/// Failed logins in a row that lock an account.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT: Duration = Duration::minutes(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Operator,
    Viewer,
}

/// A user as every caller may see it: the password hash never leaves the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// The first administrator, entered on the first-run screen.
#[derive(Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewAdmin {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// Never prints the password.
impl std::fmt::Debug for NewAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAdmin")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[derive(sqlx::FromRow)]
struct Credentials {
    id: i64,
    username: String,
    display_name: String,
    role: Role,
    password_hash: String,
    active: bool,
    locked_until: Option<DateTime<Utc>>,
}

impl Credentials {
    fn user(&self) -> User {
        User {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
        }
    }
}

pub(crate) async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::PasswordHash(e.to_string()))
    })
    .await
    .map_err(|e| Error::PasswordHash(e.to_string()))?
}

pub(crate) async fn verify_password(password: String, hash: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| Error::PasswordHash(e.to_string()))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| Error::PasswordHash(e.to_string()))?
}

/// A hash no password matches, verified for unknown user names so that the
/// answer takes as long as for a known one and does not reveal which exist.
async fn dummy_hash() -> Result<String> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h.clone());
    }
    let h = hash_password("linesight-no-such-user".to_owned()).await?;
    Ok(DUMMY.get_or_init(|| h).clone())
}

impl Store {
    /// True until the first administrator has been created.
    pub async fn needs_setup(&self) -> Result<bool> {
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(users == 0)
    }

    /// Creates the first administrator. Refused once any user exists, so the
    /// first-run screen cannot be replayed to take over an installation.
    pub async fn create_first_admin(&self, new: NewAdmin, machine: &str) -> Result<User> {
        let username = validate::username(&new.username)?;
        let display_name = validate::display_name(&new.display_name)?;
        validate::password(&new.password)?;
        let hash = hash_password(new.password).await?;
        let now = Utc::now();

        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at)
             SELECT ?, ?, 'admin', ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM users)
             RETURNING id",
        )
        .bind(&username)
        .bind(&display_name)
        .bind(&hash)
        .bind(now)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let id = id.ok_or(Error::AlreadySetUp)?;
        let user = User {
            id,
            username,
            display_name,
            role: Role::Admin,
        };
        audit::write(
            &mut tx,
            now,
            Entry {
                user_id: Some(id),
                username: Some(&user.username),
                machine,
                action: Action::Create,
                entity: "user",
                entity_id: Some(id.to_string()),
                before: None,
                after: Some(serde_json::to_value(&user).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Checks a user name and password. Every attempt is audit-logged;
    /// [`MAX_FAILED_LOGINS`] failures in a row lock the account for [`LOCKOUT`].
    pub async fn login(&self, username: &str, password: &str, machine: &str) -> Result<User> {
        // What was typed goes into the audit trail: bounded, whatever was sent.
        let typed: String = username.trim().chars().take(64).collect();
        let found: Option<Credentials> = sqlx::query_as(
            "SELECT id, username, display_name, role, password_hash, active, locked_until
             FROM users WHERE username = ?",
        )
        .bind(&typed)
        .fetch_optional(&self.pool)
        .await?;
        self.sign_in(found, password, &typed, machine).await
    }

    /// Checks a badge number and PIN, as [`Store::login`] checks a password:
    /// the same audit trail and the same lockout.
    pub async fn login_badge(&self, badge: &str, pin: &str, machine: &str) -> Result<User> {
        let typed: String = badge.trim().chars().take(64).collect();
        let found: Option<Credentials> = sqlx::query_as(
            "SELECT id, username, display_name, role, pin_hash AS password_hash, active, locked_until
             FROM users WHERE badge = ? COLLATE NOCASE AND pin_hash IS NOT NULL",
        )
        .bind(&typed)
        .fetch_optional(&self.pool)
        .await?;
        self.sign_in(found, pin, &format!("badge:{typed}"), machine).await
    }

    async fn sign_in(
        &self,
        found: Option<Credentials>,
        secret: &str,
        typed: &str,
        machine: &str,
    ) -> Result<User> {
        let now = Utc::now();
        let Some(cred) = found else {
            verify_password(secret.to_owned(), dummy_hash().await?).await?;
            self.log_failed_login(None, typed, machine, now).await?;
            return Err(Error::InvalidCredentials);
        };
        if let Some(until) = cred.locked_until.filter(|until| *until > now) {
            self.log_failed_login(Some(cred.id), typed, machine, now).await?;
            return Err(Error::AccountLocked { until });
        }
        let matches = verify_password(secret.to_owned(), cred.password_hash.clone()).await?;

        let mut tx = self.pool.begin().await?;
        if !matches || !cred.active {
            // Counted in the database, so attempts made at the same time all count.
            let failed: i64 = sqlx::query_scalar(
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins",
            )
            .bind(cred.id)
            .fetch_one(&mut *tx)
            .await?;
            let lock = (failed >= MAX_FAILED_LOGINS).then(|| now + LOCKOUT);
            if let Some(until) = lock {
                sqlx::query("UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?")
                    .bind(until)
                    .bind(cred.id)
                    .execute(&mut *tx)
                    .await?;
            }
            audit::write(&mut tx, now, failed_login_entry(Some(cred.id), typed, machine)).await?;
            tx.commit().await?;
            return Err(match lock {
                Some(until) => Error::AccountLocked { until },
                None => Error::InvalidCredentials,
            });
        }
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?")
            .bind(cred.id)
            .execute(&mut *tx)
            .await?;
        let user = cred.user();
        audit::write(&mut tx, now, session_entry(&user, machine, Action::Login)).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn logout(&self, user: &User, machine: &str) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        audit::write(
            &mut conn,
            Utc::now(),
            session_entry(user, machine, Action::Logout),
        )
        .await
    }

    async fn log_failed_login(
        &self,
        user_id: Option<i64>,
        typed: &str,
        machine: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        audit::write(&mut conn, now, failed_login_entry(user_id, typed, machine)).await
    }
}

fn failed_login_entry<'a>(user_id: Option<i64>, typed: &'a str, machine: &'a str) -> Entry<'a> {
    Entry {
        user_id,
        username: Some(typed),
        machine,
        action: Action::LoginFailed,
        entity: "session",
        entity_id: None,
        before: None,
        after: None,
    }
}

fn session_entry<'a>(user: &'a User, machine: &'a str, action: Action) -> Entry<'a> {
    Entry {
        user_id: Some(user.id),
        username: Some(&user.username),
        machine,
        action,
        entity: "session",
        entity_id: None,
        before: None,
        after: None,
    }
}

#[cfg(test)]
mod tests {
    use crate::{Field, Rule, store::tests::temp_store};

    use super::*;

    fn admin(username: &str, password: &str) -> NewAdmin {
        NewAdmin {
            username: username.into(),
            display_name: "관리자".into(),
            password: password.into(),
        }
    }

    #[tokio::test]
    async fn first_admin_once_then_login() {
        let (_dir, store) = temp_store().await;
        assert!(store.needs_setup().await.unwrap());

        let user = store
            .create_first_admin(admin(" boss ", "s3cret-pass"), "pc1")
            .await
            .unwrap();
        assert_eq!(user.username, "boss");
        assert_eq!(user.role, Role::Admin);
        assert!(!store.needs_setup().await.unwrap());

        let again = store
            .create_first_admin(admin("other", "s3cret-pass"), "pc1")
            .await;
        assert!(matches!(again, Err(Error::AlreadySetUp)));

        // The stored hash is argon2id, never the password itself.
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains("s3cret-pass"));

        // User names are case-insensitive, passwords are not.
        assert_eq!(store.login("BOSS", "s3cret-pass", "pc1").await.unwrap(), user);
        assert!(matches!(
            store.login("boss", "S3CRET-PASS", "pc1").await,
            Err(Error::InvalidCredentials)
        ));
        assert!(matches!(
            store.login("nobody", "s3cret-pass", "pc1").await,
            Err(Error::InvalidCredentials)
        ));
        store.logout(&user, "pc1").await.unwrap();

        let actions: Vec<(String, Option<String>, String)> = store
            .audit_recent(10)
            .await
            .unwrap()
            .into_iter()
            .rev()
            .map(|r| (r.action, r.username, r.machine))
            .collect();
        let expected = [
            ("create", "boss"),
            ("login", "boss"),
            ("login_failed", "boss"),
            ("login_failed", "nobody"),
            ("logout", "boss"),
        ];
        assert_eq!(actions.len(), expected.len());
        for ((action, name, machine), (want_action, want_name)) in actions.iter().zip(expected) {
            assert_eq!(action, want_action);
            assert_eq!(name.as_deref(), Some(want_name));
            assert_eq!(machine, "pc1");
        }
    }

    #[tokio::test]
    async fn setup_rejects_bad_input_and_stores_nothing() {
        let (_dir, store) = temp_store().await;
        let short = store.create_first_admin(admin("boss", "short"), "pc1").await;
        assert!(matches!(
            short,
            Err(Error::Invalid {
                field: Field::Password,
                rule: Rule::TooShort { min: 8 }
            })
        ));
        let bad_name = store
            .create_first_admin(admin("보스관리", "long-enough"), "pc1")
            .await;
        assert!(matches!(
            bad_name,
            Err(Error::Invalid {
                field: Field::Username,
                rule: Rule::Charset
            })
        ));
        assert!(store.needs_setup().await.unwrap());
        assert!(store.audit_recent(10).await.unwrap().is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn failures_at_the_same_time_all_count() {
        let (_dir, store) = temp_store().await;
        store
            .create_first_admin(admin("boss", "s3cret-pass"), "pc1")
            .await
            .unwrap();
        let mut attempts = tokio::task::JoinSet::new();
        for _ in 0..MAX_FAILED_LOGINS {
            let store = store.clone();
            attempts.spawn(async move { store.login("boss", "wrong-pass", "pc1").await });
        }
        while let Some(result) = attempts.join_next().await {
            assert!(result.unwrap().is_err());
        }
        // The fifth concurrent failure locked the account.
        assert!(matches!(
            store.login("boss", "s3cret-pass", "pc1").await,
            Err(Error::AccountLocked { .. })
        ));
        assert!(!format!("{:?}", admin("boss", "s3cret-pass")).contains("s3cret"));
    }

    #[tokio::test]
    async fn five_failures_lock_the_account() {
        let (_dir, store) = temp_store().await;
        store
            .create_first_admin(admin("boss", "s3cret-pass"), "pc1")
            .await
            .unwrap();
        for _ in 1..MAX_FAILED_LOGINS {
            assert!(matches!(
                store.login("boss", "wrong-pass", "pc1").await,
                Err(Error::InvalidCredentials)
            ));
        }
        let locked = store.login("boss", "wrong-pass", "pc1").await;
        let Err(Error::AccountLocked { until }) = locked else {
            panic!("expected a lock, got {locked:?}");
        };
        assert!(until > Utc::now() + Duration::minutes(4));
        // While locked even the right password is refused.
        assert!(matches!(
            store.login("boss", "s3cret-pass", "pc1").await,
            Err(Error::AccountLocked { .. })
        ));
        // Once the lock has passed the right password works again.
        sqlx::query("UPDATE users SET locked_until = ?")
            .bind(Utc::now() - Duration::seconds(1))
            .execute(&store.pool)
            .await
            .unwrap();
        assert!(store.login("boss", "s3cret-pass", "pc1").await.is_ok());
    }
}
