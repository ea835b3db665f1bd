//! What every command can reach: the store, the settings, who is signed in.

use std::{
    path::PathBuf,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use linesight_mes::{
    Store,
    auth::{Role, User},
};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{
    error::{AppError, AppResult, ErrorCode},
    events::SessionChanged,
    settings::Settings,
    station::Stations,
    teach::Teaching,
};

pub fn images_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("images")
}

/// The signed-in user of this app window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub user: User,
    pub logged_in_at: DateTime<Utc>,
}

/// What the app opens at start-up, before anyone signs in.
pub struct Parts {
    pub store: Store,
    pub settings: Settings,
    pub machine: String,
    pub data_dir: PathBuf,
    pub exports_dir: PathBuf,
    pub stations: Stations,
    pub teaching: Arc<Teaching>,
}

pub struct AppState {
    pub store: Store,
    pub settings: Settings,
    /// Host name, recorded in every audit row.
    pub machine: String,
    pub data_dir: PathBuf,
    /// Where Excel exports are written: the user's Downloads folder.
    pub exports_dir: PathBuf,
    pub stations: Arc<Stations>,
    pub teaching: Arc<Teaching>,
    session: Mutex<Option<Active>>,
    /// Minutes a session may stay idle (0: never): the store's security
    /// setting, kept here so that every command can check it.
    idle_minutes: AtomicU32,
    app: tauri::AppHandle,
}

/// The signed-in session and when its user last did something.
struct Active {
    session: Session,
    last_seen: Instant,
}

impl AppState {
    /// The signed-out state of the app; `idle_minutes` comes from the store.
    pub fn new(parts: Parts, app: tauri::AppHandle, idle_minutes: u32) -> Self {
        Self {
            store: parts.store,
            settings: parts.settings,
            machine: parts.machine,
            data_dir: parts.data_dir,
            exports_dir: parts.exports_dir,
            stations: Arc::new(parts.stations),
            teaching: parts.teaching,
            session: Mutex::new(None),
            idle_minutes: AtomicU32::new(idle_minutes),
            app,
        }
    }

    /// Where stations keep their evidence images.
    pub fn images_dir(&self) -> PathBuf {
        images_dir(&self.data_dir)
    }

    /// The signed-in session, unless it has been idle too long.
    pub fn session(&self) -> Option<Session> {
        self.end_if_idle();
        self.session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|a| a.session.clone())
    }

    pub fn set_session(&self, session: Option<Session>) {
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = session.map(|session| Active {
            session,
            last_seen: Instant::now(),
        });
    }

    pub fn set_idle_minutes(&self, minutes: u32) {
        self.idle_minutes.store(minutes, Ordering::Relaxed);
    }

    /// Ends the session when it has been idle longer than the administrator
    /// allows: the window returns to the sign-in screen and the trail says so.
    pub fn end_if_idle(&self) {
        let minutes = self.idle_minutes.load(Ordering::Relaxed);
        let ended = {
            let mut guard = self.session.lock().unwrap_or_else(|p| p.into_inner());
            let idle = guard
                .as_ref()
                .is_some_and(|a| idle_too_long(a.last_seen.elapsed(), minutes));
            if idle { guard.take() } else { None }
        };
        if let Some(a) = ended {
            tracing::info!(user = %a.session.user.username, minutes, "signed out after idle time");
            let _ = tauri_specta::Event::emit(&SessionChanged { session: None }, &self.app);
            let (store, machine) = (self.store.clone(), self.machine.clone());
            tauri::async_runtime::spawn(async move {
                if let Err(e) = store.logout(&a.session.user, &machine).await {
                    tracing::error!("idle sign-out not audited: {e}");
                }
            });
        }
    }

    /// The signed-in session, or `not_signed_in`; counts as activity.
    pub fn require_session(&self) -> AppResult<Session> {
        self.end_if_idle();
        let mut guard = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let active = guard
            .as_mut()
            .ok_or_else(|| AppError::new(ErrorCode::NotSignedIn))?;
        active.last_seen = Instant::now();
        Ok(active.session.clone())
    }

    /// The signed-in session if its role is one of `roles`, else `forbidden`.
    pub fn require_role(&self, roles: &[Role]) -> AppResult<Session> {
        let session = self.require_session()?;
        if roles.contains(&session.user.role) {
            Ok(session)
        } else {
            Err(AppError::new(ErrorCode::Forbidden))
        }
    }
}

/// Whether a session unused for `idle` has outlived `minutes` (0: never).
fn idle_too_long(idle: Duration, minutes: u32) -> bool {
    minutes > 0 && idle > Duration::from_secs(u64::from(minutes) * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_only_after_the_whole_idle_time_and_never_at_zero() {
        let min = Duration::from_secs(60);
        assert!(!idle_too_long(min * 10, 10));
        assert!(idle_too_long(min * 10 + Duration::from_secs(1), 10));
        assert!(!idle_too_long(min * 100_000, 0));
    }
}
