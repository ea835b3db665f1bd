//! The users an administrator manages: create, change name, role and
//! whether the account is in use, reset a password; and a user's change of
//! their own password. Passwords are only ever stored as argon2id hashes
//! and never appear in a result or an audit row. The last active
//! administrator cannot be demoted or switched off, so nobody is locked out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Error, Result, Store,
    audit::{self, Action, Entry},
    auth::{Role, User, hash_password, verify_password},
    validate,
};

/// A user as the users screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UserRow {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub locked_until: Option<DateTime<Utc>>,
    /// The badge number the user signs in with at the terminal, with a PIN.
    pub badge: Option<String>,
    pub has_pin: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user as the administrator enters one.
#[derive(Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
}

/// Never prints the password.
impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// What the administrator may change of a user (the user name stays).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UserUpdate {
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

/// The columns of a [`UserRow`], for `SELECT … FROM users`.
macro_rules! user_columns {
    () => {
        "id, username, display_name, role, active, locked_until, badge, pin_hash IS NOT NULL AS has_pin, created_at, updated_at"
    };
}

impl UserRow {
    /// The user as a session and the audit trail know them.
    pub fn user(&self) -> User {
        User {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
        }
    }
}

/// A new user's checked fields and password hash, before any transaction.
pub(crate) async fn checked_user(new: NewUser) -> Result<(NewUser, String)> {
    let checked = NewUser {
        username: validate::username(&new.username)?,
        display_name: validate::display_name(&new.display_name)?,
        role: new.role,
        password: String::new(),
    };
    validate::password(&new.password)?;
    let hash = hash_password(new.password).await?;
    Ok((checked, hash))
}

/// Adds a checked user with its audit row in `conn`'s transaction.
pub(crate) async fn insert_user(
    conn: &mut sqlx::SqliteConnection,
    new: &NewUser,
    hash: &str,
    actor: &User,
    machine: &str,
) -> Result<UserRow> {
    let now = Utc::now();
    let row: UserRow = sqlx::query_as(concat!(
        "INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         RETURNING ",
        user_columns!()
    ))
    .bind(&new.username)
    .bind(&new.display_name)
    .bind(new.role)
    .bind(hash)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| Error::taken(e, crate::Field::Username))?;
    audit::write(
        conn,
        now,
        Entry::change(
            actor,
            machine,
            Action::Create,
            "user",
            row.id,
            None::<&UserRow>,
            &row,
        ),
    )
    .await?;
    Ok(row)
}

impl Store {
    /// Every user, by user name.
    pub async fn list_users(&self) -> Result<Vec<UserRow>> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users ORDER BY username"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn create_user(&self, new: NewUser, actor: &User, machine: &str) -> Result<UserRow> {
        let (new, hash) = checked_user(new).await?;
        let mut tx = self.pool.begin().await?;
        let row = insert_user(&mut tx, &new, &hash, actor, machine).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Changes a user's name, role and whether the account is in use.
    /// Nothing is written when nothing changes.
    pub async fn update_user(
        &self,
        id: i64,
        update: UserUpdate,
        actor: &User,
        machine: &str,
    ) -> Result<UserRow> {
        let display_name = validate::display_name(&update.display_name)?;
        let now = Utc::now();
        // IMMEDIATE: the admin count and the row read are the ones replaced.
        let mut tx = self.write().await?;
        let before = user_in(&mut tx, id).await?;
        if before.display_name == display_name && before.role == update.role && before.active == update.active
        {
            return Ok(before);
        }
        let stays_admin = update.role == Role::Admin && update.active;
        if before.role == Role::Admin && before.active && !stays_admin {
            let admins: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1")
                    .fetch_one(&mut *tx)
                    .await?;
            if admins <= 1 {
                return Err(Error::LastAdmin);
            }
        }
        let after: UserRow = sqlx::query_as(concat!(
            "UPDATE users SET display_name = ?, role = ?, active = ?, updated_at = ? WHERE id = ?
             RETURNING ",
            user_columns!()
        ))
        .bind(&display_name)
        .bind(update.role)
        .bind(update.active)
        .bind(now)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        audit::write(
            &mut tx,
            now,
            Entry::change(actor, machine, Action::Update, "user", id, Some(&before), &after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// An administrator sets a new password for a user (who forgot theirs)
    /// and lifts a lockout. The audit row says so without the password.
    pub async fn reset_password(&self, id: i64, password: String, actor: &User, machine: &str) -> Result<()> {
        validate::password(&password)?;
        let hash = hash_password(password).await?;
        self.replace_password(id, &hash, actor, machine, "reset").await
    }

    /// A user changes their own password, proving they know the current one.
    pub async fn change_own_password(
        &self,
        user: &User,
        current: String,
        new_password: String,
        machine: &str,
    ) -> Result<()> {
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?")
            .bind(user.id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::UserNotFound { id: user.id })?;
        if !verify_password(current, hash).await? {
            return Err(Error::InvalidCredentials);
        }
        validate::password(&new_password)?;
        let hash = hash_password(new_password).await?;
        self.replace_password(user.id, &hash, user, machine, "changed")
            .await
    }

    /// Gives a user a badge number and a new PIN for the terminal, or takes
    /// the badge away (`None`). The PIN is stored hashed, like a password.
    pub async fn set_badge(
        &self,
        id: i64,
        badge: Option<(String, String)>,
        actor: &User,
        machine: &str,
    ) -> Result<UserRow> {
        let (badge, pin_hash) = match badge {
            Some((badge, pin)) => (
                Some(validate::badge(&badge)?),
                Some(hash_password(validate::pin(&pin)?).await?),
            ),
            None => (None, None),
        };
        let now = Utc::now();
        let mut tx = self.write().await?;
        let before = user_in(&mut tx, id).await?;
        let after: UserRow = sqlx::query_as(concat!(
            "UPDATE users SET badge = ?, pin_hash = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?
             RETURNING ",
            user_columns!()
        ))
        .bind(&badge)
        .bind(&pin_hash)
        .bind(now)
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| Error::taken(e, crate::Field::Badge))?;
        audit::write(
            &mut tx,
            now,
            Entry::change(actor, machine, Action::Update, "user", id, Some(&before), &after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn replace_password(
        &self,
        id: i64,
        hash: &str,
        actor: &User,
        machine: &str,
        how: &str,
    ) -> Result<()> {
        let now = Utc::now();
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?",
        )
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::UserNotFound { id });
        }
        audit::write(
            &mut tx,
            now,
            Entry::change(
                actor,
                machine,
                Action::Update,
                "user",
                id,
                None::<&()>,
                &serde_json::json!({ "password": how }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The user `id` as stored now, read inside the transaction that changes it.
async fn user_in(conn: &mut sqlx::SqliteConnection, id: i64) -> Result<UserRow> {
    sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::UserNotFound { id })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{auth::NewAdmin, store::tests::temp_store};

    async fn boss(store: &Store) -> User {
        let new = NewAdmin {
            username: "boss".into(),
            display_name: "관리자".into(),
            password: "s3cret-pass".into(),
        };
        store.create_first_admin(new, "pc1").await.unwrap()
    }

    fn new_user(username: &str, role: Role) -> NewUser {
        NewUser {
            username: username.into(),
            display_name: "작업자".into(),
            role,
            password: "floor-pass-1".into(),
        }
    }

    async fn audit_text(store: &Store) -> String {
        let rows: Vec<(Option<String>, Option<String>, Option<String>)> =
            sqlx::query_as("SELECT username, before_json, after_json FROM audit_log")
                .fetch_all(&store.pool)
                .await
                .unwrap();
        format!("{rows:?}")
    }

    #[tokio::test]
    async fn created_users_sign_in_with_their_role_and_no_hash_is_ever_shown() {
        let (_dir, store) = temp_store().await;
        let admin = boss(&store).await;
        let op = store
            .create_user(new_user("kim", Role::Operator), &admin, "pc1")
            .await
            .unwrap();
        assert_eq!((op.role, op.active), (Role::Operator, true));
        let signed_in = store.login("KIM", "floor-pass-1", "tablet").await.unwrap();
        assert_eq!((signed_in.id, signed_in.role), (op.id, Role::Operator));
        assert!(matches!(
            store
                .create_user(new_user("Kim", Role::Viewer), &admin, "pc1")
                .await,
            Err(Error::Invalid {
                field: crate::Field::Username,
                rule: crate::Rule::Taken
            })
        ));
        assert!(matches!(
            store
                .create_user(
                    NewUser {
                        password: "short".into(),
                        ..new_user("lee", Role::Viewer)
                    },
                    &admin,
                    "pc1"
                )
                .await,
            Err(Error::Invalid {
                field: crate::Field::Password,
                ..
            })
        ));
        let trail = audit_text(&store).await;
        assert!(
            !trail.contains("argon2") && !trail.contains("floor-pass-1"),
            "{trail}"
        );
        assert_eq!(store.list_users().await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn switched_off_users_cannot_sign_in_and_the_last_admin_stays() {
        let (_dir, store) = temp_store().await;
        let admin = boss(&store).await;
        let op = store
            .create_user(new_user("kim", Role::Operator), &admin, "pc1")
            .await
            .unwrap();
        let off = UserUpdate {
            display_name: "김작업".into(),
            role: Role::Operator,
            active: false,
        };
        let after = store.update_user(op.id, off, &admin, "pc1").await.unwrap();
        assert!(!after.active);
        assert!(matches!(
            store.login("kim", "floor-pass-1", "tablet").await,
            Err(Error::InvalidCredentials)
        ));

        let demote = UserUpdate {
            display_name: "관리자".into(),
            role: Role::Manager,
            active: true,
        };
        assert!(matches!(
            store.update_user(admin.id, demote.clone(), &admin, "pc1").await,
            Err(Error::LastAdmin)
        ));
        // With a second administrator, the first may step down.
        let second = store
            .create_user(new_user("park", Role::Admin), &admin, "pc1")
            .await
            .unwrap()
            .user();
        store.update_user(admin.id, demote, &second, "pc1").await.unwrap();
        let users = store.list_users().await.unwrap();
        assert_eq!(
            users.iter().filter(|u| u.role == Role::Admin && u.active).count(),
            1
        );
        assert!(matches!(
            store
                .update_user(
                    999,
                    UserUpdate {
                        display_name: "x".into(),
                        role: Role::Viewer,
                        active: true
                    },
                    &second,
                    "pc1"
                )
                .await,
            Err(Error::UserNotFound { id: 999 })
        ));
    }

    #[tokio::test]
    async fn a_reset_lifts_the_lock_and_only_the_new_password_works() {
        let (_dir, store) = temp_store().await;
        let admin = boss(&store).await;
        let op = store
            .create_user(new_user("kim", Role::Operator), &admin, "pc1")
            .await
            .unwrap();
        for _ in 0..crate::auth::MAX_FAILED_LOGINS {
            let _ = store.login("kim", "wrong-password", "tablet").await;
        }
        assert!(matches!(
            store.login("kim", "floor-pass-1", "tablet").await,
            Err(Error::AccountLocked { .. })
        ));
        store
            .reset_password(op.id, "new-floor-pass".into(), &admin, "pc1")
            .await
            .unwrap();
        assert!(store.login("kim", "floor-pass-1", "tablet").await.is_err());
        let me = store.login("kim", "new-floor-pass", "tablet").await.unwrap();

        assert!(matches!(
            store
                .change_own_password(&me, "not-mine".into(), "another-pass".into(), "tablet")
                .await,
            Err(Error::InvalidCredentials)
        ));
        store
            .change_own_password(&me, "new-floor-pass".into(), "another-pass".into(), "tablet")
            .await
            .unwrap();
        store.login("kim", "another-pass", "tablet").await.unwrap();
        let trail = audit_text(&store).await;
        assert!(
            trail.contains(r#"{\"password\":\"reset\"}"#) && trail.contains(r#"{\"password\":\"changed\"}"#),
            "{trail}"
        );
        assert!(!trail.contains("another-pass"));
    }

    #[tokio::test]
    async fn operators_sign_in_with_badge_and_pin_under_the_same_lockout() {
        let (_dir, store) = temp_store().await;
        let admin = boss(&store).await;
        let op = store
            .create_user(new_user("kim", Role::Operator), &admin, "pc1")
            .await
            .unwrap();
        let other = store
            .create_user(new_user("lee", Role::Operator), &admin, "pc1")
            .await
            .unwrap();
        let row = store
            .set_badge(op.id, Some(("B-1001".into(), "4321".into())), &admin, "pc1")
            .await
            .unwrap();
        assert_eq!((row.badge.as_deref(), row.has_pin), (Some("B-1001"), true));
        assert_eq!(
            store.login_badge("b-1001", "4321", "tablet").await.unwrap().id,
            op.id
        );
        assert!(matches!(
            store.login_badge("B-1001", "0000", "tablet").await,
            Err(Error::InvalidCredentials)
        ));
        assert!(matches!(
            store.login_badge("B-9999", "4321", "tablet").await,
            Err(Error::InvalidCredentials)
        ));
        assert!(matches!(
            store
                .set_badge(other.id, Some(("b-1001".into(), "1111".into())), &admin, "pc1")
                .await,
            Err(Error::Invalid {
                field: crate::Field::Badge,
                rule: crate::Rule::Taken
            })
        ));
        assert!(matches!(
            store
                .set_badge(other.id, Some(("B-2".into(), "12a4".into())), &admin, "pc1")
                .await,
            Err(Error::Invalid {
                field: crate::Field::Pin,
                ..
            })
        ));
        for _ in 0..crate::auth::MAX_FAILED_LOGINS {
            let _ = store.login_badge("B-1001", "9999", "tablet").await;
        }
        assert!(matches!(
            store.login_badge("B-1001", "4321", "tablet").await,
            Err(Error::AccountLocked { .. })
        ));
        // Taking the badge away ends badge sign-in; the password still works.
        store.set_badge(op.id, None, &admin, "pc1").await.unwrap();
        assert!(store.login_badge("B-1001", "4321", "tablet").await.is_err());
        store.login("kim", "floor-pass-1", "tablet").await.unwrap();
        let trail = audit_text(&store).await;
        assert!(
            // The PIN as a value (timestamps may hold its digits).
            !trail.contains("\"4321\"") && !trail.contains("pin_hash") && trail.contains("badge:B-1001"),
            "{trail}"
        );
    }
}
