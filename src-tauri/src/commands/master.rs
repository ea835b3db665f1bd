//! Master data (기준정보): lists with search, sort and paging, saving
//! (adding, changing, switching off), Excel export of every list, and
//! Excel import of partners and items. Office staff (admin, manager) edit;
//! viewers read; operators work from the terminal and have no access.

use base64::Engine;
use chrono::NaiveDate;
use linesight_mes::{
    auth::Role,
    master::{
        ListQuery, Page,
        equipment::{Equipment, EquipmentInput, Maintenance},
        items::{Item, ItemInput, Routing, RoutingDetail, RoutingInput},
        lead_times::LeadTimeRow,
        partners::{Partner, PartnerInput},
        reference::{
            Code, CodeGroup, CodeGroupInput, CodeInput, DefectCode, DefectCodeInput, DowntimeReason,
            DowntimeReasonInput, Process, ProcessInput,
        },
    },
};
use tauri::State;

use crate::{
    error::{AppError, AppResult, ErrorCode},
    export,
    sheets::{self, Import, Sheet},
    state::AppState,
};

const READS_MASTER: [Role; 3] = [Role::Admin, Role::Manager, Role::Viewer];
const EDITS_MASTER: [Role; 2] = [Role::Admin, Role::Manager];

/// Every row the query matches as an Excel file; returns its path.
async fn export_list<M: Sheet>(state: &AppState, query: ListQuery) -> AppResult<String> {
    let page = state.store.list_all::<M>(&query).await?;
    let truncated = page.total > page.rows.len() as i64;
    let rows = page.rows.into_iter().map(M::cells).collect();
    export::to_file(
        state.exports_dir.clone(),
        M::TITLE,
        M::TITLE,
        M::HEADERS,
        rows,
        truncated,
    )
    .await
}

/// Adds every row of an .xlsx file sent as base64, or none; returns how many.
async fn import_file<M: Import>(state: &AppState, file_base64: String) -> AppResult<u32> {
    let session = state.require_role(&EDITS_MASTER)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file_base64)
        .map_err(|_| AppError::new(ErrorCode::ImportFile))?;
    let rows = tokio::task::spawn_blocking(move || sheets::read::<M>(&bytes))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal))??;
    if rows.is_empty() {
        return Err(AppError::with_message(
            ErrorCode::ImportFile,
            "파일에 가져올 행이 없습니다. 첫 행 아래에 자료를 넣으세요.",
            "The file has no rows to import below its header.",
        ));
    }
    let count = state
        .store
        .import::<M>(rows, &session.user, &state.machine)
        .await?;
    Ok(count as u32)
}

/// The list and export commands of one kind of record.
macro_rules! list_commands {
    ($kind:ty, $list:ident, $export:ident) => {
        #[tauri::command]
        #[specta::specta]
        pub async fn $list(state: State<'_, AppState>, query: ListQuery) -> AppResult<Page<$kind>> {
            state.require_role(&READS_MASTER)?;
            Ok(state.store.list::<$kind>(&query).await?)
        }

        /// Every record the query matches as an Excel file; returns its path.
        #[tauri::command]
        #[specta::specta]
        pub async fn $export(state: State<'_, AppState>, query: ListQuery) -> AppResult<String> {
            state.require_role(&READS_MASTER)?;
            export_list::<$kind>(&state, query).await
        }
    };
}

/// List, save and export commands of one kind of record.
macro_rules! master_commands {
    ($kind:ty, $input:ty, $list:ident, $save:ident, $export:ident) => {
        list_commands!($kind, $list, $export);

        /// Adds a record (`id` null) or changes one; switching it off is a change.
        #[tauri::command]
        #[specta::specta]
        pub async fn $save(state: State<'_, AppState>, id: Option<i32>, input: $input) -> AppResult<$kind> {
            let session = state.require_role(&EDITS_MASTER)?;
            Ok(state
                .store
                .save::<$kind>(id.map(i64::from), input, &session.user, &state.machine)
                .await?)
        }
    };
}

master_commands!(
    Partner,
    PartnerInput,
    list_partners,
    save_partner,
    export_partners
);
master_commands!(Item, ItemInput, list_items, save_item, export_items);
master_commands!(
    Process,
    ProcessInput,
    list_processes,
    save_process,
    export_processes
);
master_commands!(
    Equipment,
    EquipmentInput,
    list_equipment,
    save_equipment,
    export_equipment
);
master_commands!(
    CodeGroup,
    CodeGroupInput,
    list_code_groups,
    save_code_group,
    export_code_groups
);
master_commands!(Code, CodeInput, list_codes, save_code, export_codes);
master_commands!(
    DefectCode,
    DefectCodeInput,
    list_defect_codes,
    save_defect_code,
    export_defect_codes
);
master_commands!(
    DowntimeReason,
    DowntimeReasonInput,
    list_downtime_reasons,
    save_downtime_reason,
    export_downtime_reasons
);

#[tauri::command]
#[specta::specta]
pub async fn import_partners(state: State<'_, AppState>, file_base64: String) -> AppResult<u32> {
    import_file::<Partner>(&state, file_base64).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_items(state: State<'_, AppState>, file_base64: String) -> AppResult<u32> {
    import_file::<Item>(&state, file_base64).await
}

// A routing is saved with its steps (save_routing below), not by the generic save.
list_commands!(Routing, list_routings, export_routings);

/// A routing with its steps in order.
#[tauri::command]
#[specta::specta]
pub async fn get_routing(state: State<'_, AppState>, id: i32) -> AppResult<RoutingDetail> {
    state.require_role(&READS_MASTER)?;
    Ok(state.store.routing(id.into()).await?)
}

/// Adds (`id` null) or changes a routing with all its steps.
#[tauri::command]
#[specta::specta]
pub async fn save_routing(
    state: State<'_, AppState>,
    id: Option<i32>,
    input: RoutingInput,
) -> AppResult<RoutingDetail> {
    let session = state.require_role(&EDITS_MASTER)?;
    Ok(state
        .store
        .save_routing(id.map(i64::from), input, &session.user, &state.machine)
        .await?)
}

/// A machine's maintenance history, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_maintenance(state: State<'_, AppState>, equipment_id: i32) -> AppResult<Vec<Maintenance>> {
    state.require_role(&READS_MASTER)?;
    Ok(state.store.list_maintenance(equipment_id.into()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_maintenance(
    state: State<'_, AppState>,
    equipment_id: i32,
    done_on: NaiveDate,
    text: String,
) -> AppResult<Maintenance> {
    let session = state.require_role(&EDITS_MASTER)?;
    Ok(state
        .store
        .add_maintenance(equipment_id.into(), done_on, &text, &session.user, &state.machine)
        .await?)
}

/// The lead-time planning table, shortest lead first.
#[tauri::command]
#[specta::specta]
pub async fn get_lead_times(state: State<'_, AppState>) -> AppResult<Vec<LeadTimeRow>> {
    state.require_role(&READS_MASTER)?;
    Ok(state.store.lead_times().await?)
}

/// Replaces the whole lead-time table.
#[tauri::command]
#[specta::specta]
pub async fn save_lead_times(
    state: State<'_, AppState>,
    rows: Vec<LeadTimeRow>,
) -> AppResult<Vec<LeadTimeRow>> {
    let session = state.require_role(&EDITS_MASTER)?;
    Ok(state
        .store
        .save_lead_times(rows, &session.user, &state.machine)
        .await?)
}
