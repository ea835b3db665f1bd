use chrono::Utc;
use linesight_mes::{
    auth::{NewAdmin, User},
    inspections::NewStation,
};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::{
    error::AppResult,
    events::SessionChanged,
    state::{AppState, Session},
    station::StationSettings,
};

fn start_session(app: &AppHandle, state: &AppState, user: User) -> Session {
    let session = Session {
        user,
        logged_in_at: Utc::now(),
    };
    state.set_session(Some(session.clone()));
    tracing::info!(user = %session.user.username, "signed in");
    let _ = SessionChanged {
        session: Some(session.clone()),
    }
    .emit(app);
    session
}

/// Creates the first administrator on an empty install, the demo station,
/// and with `demo_plant` the demo plant's master data, users (who sign in
/// with the administrator's password until they change it) and a year of
/// production history whose inspection steps the demo station watches. They
/// then sign in like anyone else, which proves the password was typed as meant.
#[tauri::command]
#[specta::specta]
pub async fn setup_admin(state: State<'_, AppState>, admin: NewAdmin, demo_plant: bool) -> AppResult<User> {
    let password = demo_plant.then(|| admin.password.clone());
    let user = state.store.create_first_admin(admin, &state.machine).await?;
    // A new install comes with the demo line: the generated conveyor and the
    // bundled model. The administrator exists either way; a failure here is logged.
    let demo = serde_json::to_string(&StationSettings::demo()).map(|config_json| NewStation {
        name: DEMO_STATION.into(),
        config_json,
    });
    let station = match demo {
        Ok(demo) => match state.store.create_station(demo, &user, &state.machine).await {
            Ok(station) => Some(station.id),
            Err(e) => {
                tracing::error!("demo station not created: {e}");
                None
            }
        },
        Err(e) => {
            tracing::error!("demo station settings: {e}");
            None
        }
    };
    if let Some(password) = password {
        // The administrator exists either way; a failure here is logged and
        // nothing of the demo plant is kept. Its inspection steps are watched
        // by the demo station.
        if let Err(e) = state
            .store
            .seed_demo_plant(&user, &password, &state.machine, station)
            .await
        {
            tracing::error!("demo plant not created: {e}");
        }
    }
    Ok(user)
}

/// The demo station's name, in both of the UI's languages.
pub const DEMO_STATION: &str = "데모 라인 (Demo line)";

#[tauri::command]
#[specta::specta]
pub async fn login(
    app: AppHandle,
    state: State<'_, AppState>,
    username: String,
    password: String,
) -> AppResult<Session> {
    let user = state.store.login(&username, &password, &state.machine).await?;
    Ok(start_session(&app, &state, user))
}

/// Sign-in at the shop-floor terminal: badge number and PIN.
#[tauri::command]
#[specta::specta]
pub async fn login_badge(
    app: AppHandle,
    state: State<'_, AppState>,
    badge: String,
    pin: String,
) -> AppResult<Session> {
    let user = state.store.login_badge(&badge, &pin, &state.machine).await?;
    Ok(start_session(&app, &state, user))
}

#[tauri::command]
#[specta::specta]
pub async fn logout(app: AppHandle, state: State<'_, AppState>) -> AppResult<()> {
    let session = state.require_session()?;
    // End the session first: a failed audit write must not leave a shared
    // terminal signed in.
    state.set_session(None);
    let _ = SessionChanged { session: None }.emit(&app);
    tracing::info!(user = %session.user.username, "signed out");
    Ok(state.store.logout(&session.user, &state.machine).await?)
}

/// The signed-in session, if any (the UI asks after a reload).
#[tauri::command]
#[specta::specta]
pub fn current_session(state: State<'_, AppState>) -> Option<Session> {
    state.session()
}
