//! What every command can reach: the store, the settings, who is signed in.

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
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
    session: Mutex<Option<Session>>,
}

impl AppState {
    pub fn new(
        store: Store,
        settings: Settings,
        machine: String,
        data_dir: PathBuf,
        exports_dir: PathBuf,
        stations: Stations,
        teaching: Arc<Teaching>,
    ) -> Self {
        Self {
            store,
            settings,
            machine,
            data_dir,
            exports_dir,
            stations: Arc::new(stations),
            teaching,
            session: Mutex::new(None),
        }
    }

    /// Where stations keep their evidence images.
    pub fn images_dir(&self) -> PathBuf {
        images_dir(&self.data_dir)
    }

    pub fn session(&self) -> Option<Session> {
        self.session.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_session(&self, session: Option<Session>) {
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = session;
    }

    /// The signed-in session, or `not_signed_in`.
    pub fn require_session(&self) -> AppResult<Session> {
        self.session()
            .ok_or_else(|| AppError::new(ErrorCode::NotSignedIn))
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
