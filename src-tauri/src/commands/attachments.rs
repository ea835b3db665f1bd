//! Files kept with a record (an item's drawings): list, add, save a copy,
//! preview images, remove. The file's bytes come from the window as
//! base64; their kind is read from the content.

use base64::Engine;
use linesight_mes::{
    attachments::{Attachment, NewAttachment, Owner},
    auth::Role,
};
use tauri::State;

use crate::{
    attachments::{self, Refused},
    error::{AppError, AppResult, ErrorCode},
    export,
    state::AppState,
};

const READS: [Role; 3] = [Role::Admin, Role::Manager, Role::Viewer];
const EDITS: [Role; 2] = [Role::Admin, Role::Manager];

fn root(state: &AppState) -> std::path::PathBuf {
    state.data_dir.join("attachments")
}

fn io_error(e: std::io::Error) -> AppError {
    tracing::error!("attachment file: {e}");
    AppError::new(ErrorCode::Internal)
}

async fn read_bytes(state: &AppState, a: &Attachment) -> AppResult<Vec<u8>> {
    let path =
        attachments::path_of(&root(state), &a.sha256).ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
    tokio::fs::read(path).await.map_err(|e| {
        tracing::warn!("attachment {}: {e}", a.id);
        AppError::new(ErrorCode::NotFound)
    })
}

#[tauri::command]
#[specta::specta]
pub async fn list_attachments(
    state: State<'_, AppState>,
    owner: Owner,
    owner_id: i32,
) -> AppResult<Vec<Attachment>> {
    state.require_role(&READS)?;
    Ok(state.store.list_attachments(owner, owner_id.into()).await?)
}

/// Keeps a file with a record: PDF, PNG, JPEG, TIFF, DWG, DXF or STEP, up to 20 MB.
#[tauri::command]
#[specta::specta]
pub async fn add_attachment(
    state: State<'_, AppState>,
    owner: Owner,
    owner_id: i32,
    name: String,
    data_base64: String,
) -> AppResult<Attachment> {
    let session = state.require_role(&EDITS)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data_base64)
        .map_err(|_| AppError::new(ErrorCode::InvalidInput))?;
    let (sha256, media_type) = attachments::check(&bytes).map_err(AppError::attachment)?;
    let size = bytes.len() as i64;
    // The bytes first, then the row: a row never names a missing file.
    let (dir, hash) = (root(&state), sha256.clone());
    tokio::task::spawn_blocking(move || attachments::store(&dir, &hash, &bytes))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))?
        .map_err(io_error)?;
    let new = NewAttachment {
        owner,
        owner_id: owner_id.into(),
        name,
        sha256,
        size,
        media_type: media_type.into(),
    };
    Ok(state
        .store
        .add_attachment(new, &session.user, &state.machine)
        .await?)
}

/// Saves a copy of a kept file in the exports folder under its own name; returns the path.
#[tauri::command]
#[specta::specta]
pub async fn save_attachment_copy(state: State<'_, AppState>, id: i32) -> AppResult<String> {
    state.require_role(&READS)?;
    let a = state.store.attachment(id.into()).await?;
    let bytes = read_bytes(&state, &a).await?;
    let ext = attachments::kind_of(&bytes).map_or("bin", |(_, ext)| ext);
    let (base, ext) = attachments::copy_name(&a.name, ext);
    let dir = state.exports_dir.clone();
    let path = tokio::task::spawn_blocking(move || export::create_unique(&dir, &base, &ext, &bytes))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))?
        .map_err(|e| AppError::export(e.to_string()))?;
    Ok(path.display().to_string())
}

/// A kept image as a data URL to show; none for other kinds.
#[tauri::command]
#[specta::specta]
pub async fn attachment_preview(state: State<'_, AppState>, id: i32) -> AppResult<Option<String>> {
    state.require_role(&READS)?;
    let a = state.store.attachment(id.into()).await?;
    if !matches!(a.media_type.as_str(), "image/png" | "image/jpeg") {
        return Ok(None);
    }
    let bytes = read_bytes(&state, &a).await?;
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    Ok(Some(format!("data:{};base64,{data}", a.media_type)))
}

/// Removes a kept file from its record (the audit trail keeps who and when).
#[tauri::command]
#[specta::specta]
pub async fn remove_attachment(state: State<'_, AppState>, id: i32) -> AppResult<()> {
    let session = state.require_role(&EDITS)?;
    Ok(state
        .store
        .remove_attachment(id.into(), &session.user, &state.machine)
        .await?)
}

impl AppError {
    fn attachment(why: Refused) -> Self {
        let (ko, en) = match why {
            Refused::Empty => ("빈 파일입니다.", "The file is empty."),
            Refused::TooLarge => ("파일이 20MB보다 큽니다.", "The file is larger than 20 MB."),
            Refused::Kind => (
                "PDF, PNG, JPEG, TIFF, DWG, DXF, STEP 파일만 첨부할 수 있습니다.",
                "Only PDF, PNG, JPEG, TIFF, DWG, DXF and STEP files can be attached.",
            ),
        };
        AppError::with_message(ErrorCode::InvalidInput, ko, en)
    }
}
