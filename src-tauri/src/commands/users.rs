//! Users and passwords: administrators manage accounts; everyone changes
//! their own password.

use linesight_mes::{
    auth::Role,
    security::SecuritySettings,
    users::{NewUser, UserRow, UserUpdate},
};
use tauri::State;

use crate::{error::AppResult, state::AppState};

const MANAGES_USERS: [Role; 1] = [Role::Admin];

#[tauri::command]
#[specta::specta]
pub async fn list_users(state: State<'_, AppState>) -> AppResult<Vec<UserRow>> {
    state.require_role(&MANAGES_USERS)?;
    Ok(state.store.list_users().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_user(state: State<'_, AppState>, user: NewUser) -> AppResult<UserRow> {
    let session = state.require_role(&MANAGES_USERS)?;
    Ok(state
        .store
        .create_user(user, &session.user, &state.machine)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_user(state: State<'_, AppState>, id: i32, update: UserUpdate) -> AppResult<UserRow> {
    let session = state.require_role(&MANAGES_USERS)?;
    Ok(state
        .store
        .update_user(id as i64, update, &session.user, &state.machine)
        .await?)
}

/// Sets a new password for a user who forgot theirs, and lifts a lockout.
#[tauri::command]
#[specta::specta]
pub async fn reset_password(state: State<'_, AppState>, id: i32, password: String) -> AppResult<()> {
    let session = state.require_role(&MANAGES_USERS)?;
    Ok(state
        .store
        .reset_password(id as i64, password, &session.user, &state.machine)
        .await?)
}

/// A badge number and its new PIN for the terminal.
#[derive(Debug, Clone, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Badge {
    pub badge: String,
    pub pin: String,
}

/// Gives a user a badge and PIN for the terminal, or (`None`) takes it away.
#[tauri::command]
#[specta::specta]
pub async fn set_badge(state: State<'_, AppState>, id: i32, badge: Option<Badge>) -> AppResult<UserRow> {
    let session = state.require_role(&MANAGES_USERS)?;
    Ok(state
        .store
        .set_badge(
            id as i64,
            badge.map(|b| (b.badge, b.pin)),
            &session.user,
            &state.machine,
        )
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn change_own_password(
    state: State<'_, AppState>,
    current: String,
    password: String,
) -> AppResult<()> {
    let session = state.require_session()?;
    Ok(state
        .store
        .change_own_password(&session.user, current, password, &state.machine)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_security_settings(state: State<'_, AppState>) -> AppResult<SecuritySettings> {
    state.require_role(&MANAGES_USERS)?;
    Ok(state.store.security_settings().await?)
}

/// How long a session may stay idle before it ends; applies at once.
#[tauri::command]
#[specta::specta]
pub async fn set_security_settings(
    state: State<'_, AppState>,
    settings: SecuritySettings,
) -> AppResult<SecuritySettings> {
    let session = state.require_role(&MANAGES_USERS)?;
    let saved = state
        .store
        .set_security_settings(settings, &session.user, &state.machine)
        .await?;
    state.set_idle_minutes(saved.idle_timeout_minutes);
    Ok(saved)
}
