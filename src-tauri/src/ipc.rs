//! The IPC surface: every command and event, registered once. The same
//! builder serves the app and writes ui/src/bindings.ts.

use tauri::Wry;
use tauri_specta::{Builder, ErrorHandlingMode, collect_commands, collect_events};

use crate::{commands, events};

pub fn builder() -> Builder<Wry> {
    Builder::<Wry>::new()
        .error_handling(ErrorHandlingMode::Throw)
        // One TypeScript type per Rust type, whichever way it travels.
        .disable_serde_phases()
        .commands(collect_commands![
            commands::app::app_info,
            commands::auth::setup_admin,
            commands::auth::login,
            commands::auth::login_badge,
            commands::auth::logout,
            commands::auth::current_session,
            commands::settings::get_settings,
            commands::settings::set_language,
            commands::stations::list_stations,
            commands::stations::create_station,
            commands::stations::update_station,
            commands::stations::set_counting_line,
            commands::stations::list_models,
            commands::stations::cameras,
            commands::stations::camera_formats,
            commands::stations::list_recordings,
            commands::stations::start_station,
            commands::stations::stop_station,
            commands::stations::inspect_now,
            commands::stations::recent_ng,
            commands::stations::open_alarms,
            commands::stations::acknowledge_alarm,
            commands::inspections::list_inspections,
            commands::inspections::relabel_inspection,
            commands::inspections::inspection_image,
            commands::inspections::inspection_thumbnail,
            commands::inspections::export_inspections,
            commands::teach::teach_status,
            commands::teach::collect_good_images,
            commands::teach::import_good_image,
            commands::teach::clear_teaching_set,
            commands::teach::start_teaching,
            commands::teach::cancel_teaching,
            commands::teach::activate_model,
            commands::users::list_users,
            commands::users::create_user,
            commands::users::update_user,
            commands::users::reset_password,
            commands::users::set_badge,
            commands::users::change_own_password,
            commands::users::get_security_settings,
            commands::users::set_security_settings,
            commands::audit::list_audit,
            commands::audit::export_audit,
            commands::master::list_partners,
            commands::master::save_partner,
            commands::master::export_partners,
            commands::master::list_items,
            commands::master::save_item,
            commands::master::export_items,
            commands::master::list_processes,
            commands::master::save_process,
            commands::master::export_processes,
            commands::master::list_equipment,
            commands::master::save_equipment,
            commands::master::export_equipment,
            commands::master::list_code_groups,
            commands::master::save_code_group,
            commands::master::export_code_groups,
            commands::master::list_codes,
            commands::master::save_code,
            commands::master::export_codes,
            commands::master::list_defect_codes,
            commands::master::save_defect_code,
            commands::master::export_defect_codes,
            commands::master::list_downtime_reasons,
            commands::master::save_downtime_reason,
            commands::master::export_downtime_reasons,
            commands::master::import_partners,
            commands::master::import_items,
            commands::master::list_routings,
            commands::master::get_routing,
            commands::master::save_routing,
            commands::master::export_routings,
            commands::master::list_maintenance,
            commands::master::add_maintenance,
            commands::master::get_lead_times,
            commands::master::save_lead_times,
            commands::attachments::list_attachments,
            commands::attachments::add_attachment,
            commands::attachments::save_attachment_copy,
            commands::attachments::attachment_preview,
            commands::attachments::remove_attachment,
            commands::production::propose_plan,
            commands::production::create_work_order,
            commands::production::update_work_order,
            commands::production::release_work_order,
            commands::production::cancel_work_order,
            commands::production::complete_work_order,
            commands::production::list_work_orders,
            commands::production::get_work_order,
            commands::production::work_centers,
            commands::production::open_operations,
            commands::production::terminal_codes,
            commands::production::start_operation,
            commands::production::pause_operation,
            commands::production::resume_operation,
            commands::production::report_quantities,
            commands::production::finish_operation,
            commands::production::list_downtimes,
            commands::production::classify_downtime,
            commands::production::list_lots,
            commands::production::lot_trace,
            commands::production::oee,
            commands::production::plan_vs_actual,
            commands::reports::month_summary,
            commands::reports::monthly_figures,
            commands::reports::order_progress,
            commands::reports::line_status,
            commands::reports::quality,
            commands::reports::daily_report,
            commands::reports::daily_report_pdf,
            commands::reports::export_report,
            commands::detectors::list_crossings,
            commands::detectors::list_fire_events,
            commands::detectors::event_snapshot,
            commands::detectors::export_crossings,
            commands::detectors::export_fire_events,
            commands::sales::list_sales_orders,
            commands::sales::get_sales_order,
            commands::sales::save_sales_order,
            commands::sales::confirm_sales_order,
            commands::sales::issue_work_orders,
            commands::sales::ship_sales_orders,
            commands::sales::export_sales_orders,
            commands::sales::list_purchase_orders,
            commands::sales::get_purchase_order,
            commands::sales::create_purchase_order,
            commands::sales::create_outsourcing_order,
            commands::sales::receive_purchase_order,
            commands::sales::export_purchase_orders,
            commands::sales::purchase_order_pdf,
            commands::sales::import_sales_lines,
            commands::sales::export_sales_order_lines,
            commands::company::get_company,
            commands::company::company_seal,
            commands::company::save_company,
        ])
        .events(collect_events![
            events::SessionChanged,
            events::SettingsChanged,
            events::StationVerdict,
            events::StationPreview,
            events::StationAlarm,
            events::StationCrossing,
            events::StationHealthChanged,
            events::TeachProgress,
            events::TeachFinished,
            events::ProductionChanged,
            events::SalesChanged
        ])
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use specta_typescript::Typescript;

    /// Fails when ui/src/bindings.ts no longer matches the Rust declarations.
    /// `npm run bindings` (UPDATE_BINDINGS=1) rewrites the file.
    #[test]
    fn bindings_are_fresh() {
        let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("bindings.ts");
        super::builder()
            .export(Typescript::default().header("// @ts-nocheck\n// Generated by `npm run bindings` from src-tauri/src/ipc.rs. Do not edit.\n"), &fresh)
            .unwrap();
        let fresh = std::fs::read_to_string(&fresh).unwrap();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&checked_in, &fresh).unwrap();
        }
        let current = std::fs::read_to_string(&checked_in).unwrap_or_default();
        assert!(
            current == fresh,
            "ui/src/bindings.ts is stale: run `npm run bindings` and commit the result"
        );
    }
}
