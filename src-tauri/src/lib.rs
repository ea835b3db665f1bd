//! The Linesight desktop app: wires the store, settings, commands and events
//! to the window. Domain logic lives in crates/mes and crates/vision.

mod attachments;
mod commands;
mod error;
mod events;
mod export;
mod forms;
mod ipc;
mod logging;
mod paths;
mod report_sheets;
mod settings;
mod sheets;
mod state;
mod station;
mod teach;

use tauri::Manager;

use linesight_vision::models::Models;

use crate::{
    paths::DataDir,
    settings::Settings,
    state::AppState,
    station::{Bundles, Stations},
};

/// The shipped models: bundled as resources in an installed app; beside the
/// repository in a development build; or where `LINESIGHT_MODELS` says.
fn models_dir(app: &tauri::App) -> Option<std::path::PathBuf> {
    let bundled = app.path().resource_dir().ok().map(|d| d.join("models"));
    let found = Models::find(Models::candidates(bundled));
    if found.is_none() {
        tracing::error!("no inspection models found: stations cannot start");
    }
    found
}

/// Resolves the data dir, starts logging, opens the store and settings.
fn setup(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let override_dir =
        paths::data_dir_override(std::env::args_os().skip(1), std::env::var_os(paths::DATA_DIR_ENV));
    // A data dir given on the command line (a second line, a test) keeps its exports too.
    let (dirs, exports) = match override_dir {
        Some(root) => (
            DataDir {
                logs: root.join("logs"),
                root: root.clone(),
            },
            root.join("exports"),
        ),
        None => {
            let root = app.path().app_data_dir()?;
            let exports = app.path().download_dir().unwrap_or_else(|_| root.join("exports"));
            let logs = app.path().app_log_dir()?;
            (DataDir { root, logs }, exports)
        }
    };
    std::fs::create_dir_all(&dirs.root)?;
    logging::init(&dirs.logs)?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %dirs.root.display(), "starting");

    let store = tauri::async_runtime::block_on(linesight_mes::Store::open(&dirs.database()))?;
    let settings = Settings::open(app.handle(), &dirs.settings())?;
    let machine = gethostname::gethostname().to_string_lossy().into_owned();
    let bundles = Bundles {
        shipped: models_dir(app),
        taught: dirs.root.join("models"),
    };
    let teaching = std::sync::Arc::new(teach::Teaching::new(
        dirs.root.join("teach"),
        bundles.taught.clone(),
    ));
    let stations = Stations::open(
        bundles,
        teaching.clone(),
        &state::images_dir(&dirs.root),
        dirs.root.join("recordings"),
    )?;
    let idle_minutes = tauri::async_runtime::block_on(store.security_settings())?.idle_timeout_minutes;
    let parts = state::Parts {
        store,
        settings,
        machine,
        data_dir: dirs.root,
        exports_dir: exports,
        stations,
        teaching,
    };
    app.manage(AppState::new(parts, app.handle().clone(), idle_minutes));
    // An idle session ends on time even when nobody touches the app.
    let handle = app.handle().clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(15)).await;
            handle.state::<AppState>().end_if_idle();
        }
    });
    Ok(())
}

pub fn run() {
    let ipc = ipc::builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .invoke_handler(ipc.invoke_handler())
        .setup(move |app| {
            ipc.mount_events(app);
            setup(app).inspect_err(|e| {
                tracing::error!("start-up failed: {e}");
                eprintln!("Linesight could not start: {e}");
            })
        })
        .build(tauri::generate_context!())
        .map(|app| {
            app.run(|handle, event| {
                if let tauri::RunEvent::Exit = event {
                    // Finish the frame in hand and store its verdict before leaving.
                    if let Some(state) = handle.try_state::<AppState>() {
                        state.stations.stop_all();
                    }
                }
            })
        });
    if let Err(e) = result {
        tracing::error!("app stopped with an error: {e}");
        eprintln!("Linesight stopped with an error: {e}");
        std::process::exit(1);
    }
}
