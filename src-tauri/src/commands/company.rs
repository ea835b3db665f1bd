//! The company's own details and seal, printed on its forms. Administrators
//! and managers change them; everyone signed in reads them.

use base64::Engine;
use linesight_mes::{
    auth::Role,
    company::{Company, MAX_SEAL_BYTES, SealChange},
};
use serde::Deserialize;
use specta::Type;
use tauri::State;

use crate::{
    error::{AppError, AppResult, ErrorCode},
    state::AppState,
};

const READS: [Role; 4] = [Role::Admin, Role::Manager, Role::Operator, Role::Viewer];
const EDITS: [Role; 2] = [Role::Admin, Role::Manager];

#[tauri::command]
#[specta::specta]
pub async fn get_company(state: State<'_, AppState>) -> AppResult<Company> {
    state.require_role(&READS)?;
    Ok(state.store.company().await?)
}

/// The seal image as a data URL to show; none when there is none.
#[tauri::command]
#[specta::specta]
pub async fn company_seal(state: State<'_, AppState>) -> AppResult<Option<String>> {
    state.require_role(&READS)?;
    Ok(state.store.company_seal().await?.map(|png| {
        format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        )
    }))
}

/// What to do with the seal: keep it, remove it, or a new PNG (base64).
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SealInput {
    Keep,
    Remove,
    Png { base64: String },
}

#[tauri::command]
#[specta::specta]
pub async fn save_company(state: State<'_, AppState>, input: Company, seal: SealInput) -> AppResult<Company> {
    let session = state.require_role(&EDITS)?;
    let seal = match seal {
        SealInput::Keep => SealChange::Keep,
        SealInput::Remove => SealChange::Remove,
        SealInput::Png { base64 } => SealChange::Set(checked_png(&base64)?),
    };
    Ok(state
        .store
        .save_company(input, seal, &session.user, &state.machine)
        .await?)
}

/// A seal must be a PNG image (read to the end) of at most 1 MB.
fn checked_png(base64: &str) -> AppResult<Vec<u8>> {
    let refused = || {
        AppError::with_message(
            ErrorCode::InvalidInput,
            "직인은 1 MB 이하의 PNG 이미지여야 합니다.",
            "The seal must be a PNG image of at most 1 MB.",
        )
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|_| refused())?;
    if bytes.len() > MAX_SEAL_BYTES {
        return Err(refused());
    }
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).map_err(|_| refused())?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_png_images_are_seals() {
        let mut png = Vec::new();
        image::RgbaImage::new(4, 4)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        assert_eq!(checked_png(&b64(&png)).unwrap(), png);
        assert!(checked_png(&b64(b"\x89PNG not really")).is_err());
        assert!(checked_png("not base64!").is_err());
    }
}
