//! The one error type of every command: `{ code, message }`, with a stable
//! code for the UI to branch on and a message in the machine's language.

use chrono::Local;
use linesight_mes::{Error as MesError, Field, Rule, master::RowProblem};
use serde::Serialize;
use specta::Type;

use crate::{
    settings::{Language, current_language},
    station::settings::Invalid,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A form field broke a rule; the message names the field.
    InvalidInput,
    AlreadySetUp,
    InvalidCredentials,
    AccountLocked,
    /// The command needs a signed-in user.
    NotSignedIn,
    /// The signed-in user's role may not do this.
    Forbidden,
    /// The per-machine settings file could not be read or written.
    Settings,
    /// The database refused or failed; details are in the log.
    Database,
    /// The record asked for does not exist (any more).
    NotFound,
    /// A station could not start or serve; the message says why.
    Station,
    StationNotRunning,
    /// Settings of a running station cannot change: stop it first.
    StationRunning,
    StationInactive,
    /// An export file could not be written; the message says why.
    Export,
    /// Teaching a model failed or was refused; the message says why.
    Teaching,
    /// The station's model is already being taught.
    TeachingBusy,
    /// The only active administrator cannot be demoted or switched off.
    LastAdmin,
    /// A review that does not fit the verdict (false alarm on an OK part…).
    RelabelNotAllowed,
    /// An import file had bad rows and nothing was stored; the message lists every one.
    ImportRefused,
    /// An import file is not an Excel file in the list's layout.
    ImportFile,
    /// The record's state does not allow this (finishing a finished operation…);
    /// the message names the state. The screen was stale: reload it.
    WrongState,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        let message = message(code, current_language());
        Self { code, message }
    }

    /// A station failure, with the technical reason after the localised text.
    pub fn station(detail: String) -> Self {
        Self::detailed(ErrorCode::Station, detail)
    }

    /// An export that failed, with the technical reason after the localised text.
    pub fn export(detail: String) -> Self {
        Self::detailed(ErrorCode::Export, detail)
    }

    /// Teaching that failed or was refused, with the technical reason.
    pub fn teaching(detail: String) -> Self {
        Self::detailed(ErrorCode::Teaching, detail)
    }

    /// The code's localised text, then the technical reason in brackets.
    fn detailed(code: ErrorCode, detail: String) -> Self {
        let (ko, en) = (message(code, Language::Ko), message(code, Language::En));
        Self::with_message(code, format!("{ko} ({detail})"), format!("{en} ({detail})"))
    }

    /// An import file that lacks one of its list's columns.
    pub fn import_header(ko: &str, en: &str) -> Self {
        Self::with_message(
            ErrorCode::ImportFile,
            format!("파일 첫 행에 '{ko}' 열이 없습니다. 내보낸 파일의 양식을 쓰세요."),
            format!("The file's first row has no '{en}' column. Use the layout of an exported file."),
        )
    }

    pub fn station_not_running() -> Self {
        Self::new(ErrorCode::StationNotRunning)
    }

    /// `code` with its own sentence in each language.
    pub fn with_message(code: ErrorCode, ko: impl Into<String>, en: impl Into<String>) -> Self {
        let message = match current_language() {
            Language::Ko => ko.into(),
            Language::En => en.into(),
        };
        Self { code, message }
    }
}

/// The message for codes whose text needs no details.
fn message(code: ErrorCode, lang: Language) -> String {
    let (ko, en) = match code {
        ErrorCode::InvalidInput => ("입력값이 올바르지 않습니다.", "The input is not valid."),
        ErrorCode::AlreadySetUp => (
            "관리자 계정이 이미 있습니다. 로그인하세요.",
            "The administrator account already exists. Please sign in.",
        ),
        ErrorCode::InvalidCredentials => (
            "아이디 또는 비밀번호가 올바르지 않습니다.",
            "Wrong user ID or password.",
        ),
        ErrorCode::AccountLocked => ("계정이 잠겼습니다.", "The account is locked."),
        ErrorCode::NotSignedIn => ("먼저 로그인하세요.", "Please sign in first."),
        ErrorCode::Forbidden => ("이 작업을 할 권한이 없습니다.", "You are not allowed to do this."),
        ErrorCode::Settings => (
            "이 PC의 설정을 읽거나 저장하지 못했습니다.",
            "This machine's settings could not be read or saved.",
        ),
        ErrorCode::Database => (
            "데이터베이스 오류가 발생했습니다. 잠시 후 다시 시도하세요.",
            "A database error occurred. Please try again.",
        ),
        ErrorCode::Internal => (
            "내부 오류가 발생했습니다. 로그를 확인하세요.",
            "An internal error occurred. See the log.",
        ),
        ErrorCode::NotFound => ("찾는 항목이 없습니다.", "The record does not exist."),
        ErrorCode::Station => (
            "검사 스테이션 오류가 발생했습니다.",
            "The inspection station failed.",
        ),
        ErrorCode::StationNotRunning => (
            "검사 스테이션이 실행 중이 아닙니다.",
            "The inspection station is not running.",
        ),
        ErrorCode::StationRunning => (
            "실행 중인 검사 스테이션의 설정은 바꿀 수 없습니다. 먼저 정지하세요.",
            "A running station's settings cannot change. Stop it first.",
        ),
        ErrorCode::Export => ("파일로 내보내지 못했습니다.", "The export could not be written."),
        ErrorCode::LastAdmin => (
            "마지막 관리자는 역할을 바꾸거나 사용 중지할 수 없습니다. 다른 관리자를 먼저 만드세요.",
            "The last administrator cannot lose the role or be switched off. Make another administrator first.",
        ),
        ErrorCode::Teaching => ("모델을 학습하지 못했습니다.", "The model could not be taught."),
        ErrorCode::TeachingBusy => (
            "이 스테이션의 모델을 이미 학습하고 있습니다.",
            "This station's model is already being taught.",
        ),
        ErrorCode::StationInactive => (
            "사용하지 않는 검사 스테이션입니다. 설정에서 사용으로 바꾸세요.",
            "This station is not in use. Switch it on in its settings.",
        ),
        ErrorCode::ImportRefused => (
            "파일에 잘못된 행이 있어 아무것도 가져오지 않았습니다.",
            "The file has bad rows, so nothing was imported.",
        ),
        ErrorCode::ImportFile => (
            "엑셀(.xlsx) 파일이 아니거나 열 구성이 다릅니다. 내보낸 파일의 양식을 쓰세요.",
            "Not an Excel (.xlsx) file in this list's layout. Use the layout of an exported file.",
        ),
        ErrorCode::WrongState => (
            "지금 상태에서는 할 수 없는 작업입니다. 화면을 새로 고치세요.",
            "This cannot be done in the record's current state. Reload the screen.",
        ),
        ErrorCode::RelabelNotAllowed => (
            "오검출은 불량 판정에만, 미검출은 양품 판정에만 지정할 수 있습니다.",
            "A false alarm applies to rejected parts only, an escape to passed parts only.",
        ),
    };
    match lang {
        Language::Ko => ko,
        Language::En => en,
    }
    .to_owned()
}

fn field_name(field: Field) -> (&'static str, &'static str) {
    match field {
        Field::Username => ("아이디", "User ID"),
        Field::DisplayName => ("이름", "Name"),
        Field::Password => ("비밀번호", "Password"),
        Field::StationName => ("스테이션 이름", "Station name"),
        Field::StationConfig => ("스테이션 설정", "Station settings"),
        Field::Score => ("점수", "Score"),
        Field::Threshold => ("임계값", "Threshold"),
        Field::ImagePath => ("이미지 경로", "Image path"),
        Field::HeatmapPath => ("히트맵 경로", "Heatmap path"),
        Field::Limit => ("조회 건수", "Page size"),
        Field::IdleTimeout => ("자동 로그아웃 시간(분)", "Idle sign-out (minutes)"),
        Field::Badge => ("사원증 번호", "Badge number"),
        Field::Pin => ("PIN 자릿수", "PIN length"),
        Field::Code => ("코드", "Code"),
        Field::Name => ("이름", "Name"),
        Field::Kind => ("구분", "Type"),
        Field::BizNo => ("사업자등록번호", "Business registration number"),
        Field::Ceo => ("대표자", "CEO"),
        Field::Phone => ("전화번호", "Phone"),
        Field::Fax => ("팩스번호", "Fax"),
        Field::Address => ("주소", "Address"),
        Field::Remarks => ("비고", "Remarks"),
        Field::PartNo => ("품번", "Part number"),
        Field::Spec => ("규격", "Spec"),
        Field::Unit => ("단위", "Unit"),
        Field::Category => ("분류", "Category"),
        Field::Maker => ("제조사", "Maker"),
        Field::Manager => ("관리자", "Manager"),
        Field::Price => ("가격", "Price"),
        Field::CalibrationDue => ("검교정 예정일", "Calibration due"),
        Field::Order => ("순서", "Order"),
        Field::Attribute => ("속성", "Attribute"),
        Field::WorkCenter => ("작업장", "Work centre"),
        Field::CycleSeconds => ("표준 사이클 타임(초)", "Standard cycle time (s)"),
        Field::Steps => ("공정 순서", "Routing steps"),
        Field::MaintenanceText => ("보전 내용", "Maintenance text"),
        Field::MaxDays => ("최대 리드타임(일)", "Max lead (days)"),
        Field::DayOffset => ("착수 일수", "Day offset"),
        Field::Active => ("사용 여부", "In use"),
        Field::Serialized => ("일련번호 관리", "Serial numbers"),
        Field::FileName => ("파일 이름", "File name"),
        Field::Reference => ("선택한 항목", "The chosen record"),
        Field::Quantity => ("수량", "Quantity"),
        Field::OrderDate => ("지시일", "Order date"),
        Field::DueDate => ("납기일", "Due date"),
        Field::PlanDate => ("계획일", "Plan date"),
        Field::Reason => ("사유", "Reason"),
        Field::Defects => ("불량 유형별 수량", "Defect quantities"),
        Field::Scrap => ("폐기 수량", "Scrap quantity"),
        Field::MaterialLot => ("자재 로트", "Material lot"),
        Field::Operations => ("공정 계획", "Operation plan"),
        Field::Customer => ("고객(거래처)", "Customer"),
        Field::Supplier => ("공급처(거래처)", "Supplier"),
        Field::Lines => ("품목 행", "Lines"),
        Field::ShipDate => ("출고일", "Ship date"),
        Field::ReceivedOn => ("입고일", "Receipt date"),
        Field::Seal => ("직인 이미지", "Seal image"),
        Field::Period => ("조회 기간(일)", "Period (days)"),
        Field::Year => ("연도", "Year"),
    }
}

fn invalid(field: Field, rule: Rule) -> AppError {
    invalid_named(field_name(field), rule)
}

/// A rule broken by the field called `(ko, en)`, in the user's language.
fn invalid_named(name: (&str, &str), rule: Rule) -> AppError {
    let (ko, en) = invalid_texts(name, rule);
    AppError::with_message(ErrorCode::InvalidInput, ko, en)
}

/// The Korean and English sentences for a rule broken by the field called `(ko, en)`.
fn invalid_texts((ko, en): (&str, &str), rule: Rule) -> (String, String) {
    match rule {
        Rule::Required => (
            format!("{}{} 입력하세요.", ko, josa(ko, "을", "를")),
            format!("{en} is required."),
        ),
        Rule::TooShort { min } => (
            format!("{}{} {min}자 이상이어야 합니다.", ko, josa(ko, "은", "는")),
            format!("{en} must be at least {min} characters."),
        ),
        Rule::TooLong { max } => (
            format!("{}{} {max}자 이하여야 합니다.", ko, josa(ko, "은", "는")),
            format!("{en} must be at most {max} characters."),
        ),
        Rule::Charset => (
            format!("{ko}에는 영문, 숫자, '.', '-', '_'만 쓸 수 있습니다."),
            format!("{en} may contain only letters, digits, '.', '-' and '_'."),
        ),
        Rule::Taken => (
            format!("같은 {ko}{} 이미 있습니다.", josa(ko, "이", "가")),
            format!("{en} is already in use."),
        ),
        Rule::NotJsonObject => (
            format!("{ko} 형식이 올바르지 않습니다."),
            format!("{en} is not in the expected format."),
        ),
        Rule::NotFinite => (
            format!("{ko}{} 숫자가 아닙니다.", josa(ko, "이", "가")),
            format!("{en} is not a number."),
        ),
        Rule::NotRelativePath => (
            format!("{ko}{} 올바르지 않습니다.", josa(ko, "이", "가")),
            format!("{en} is not valid."),
        ),
        Rule::OutOfRange { min, max } => (
            format!("{ko}{} {min}에서 {max} 사이여야 합니다.", josa(ko, "은", "는")),
            format!("{en} must be between {min} and {max}."),
        ),
        Rule::Format => (
            format!("{ko}{} 올바르지 않습니다.", josa(ko, "이", "가")),
            format!("{en} is not valid."),
        ),
        Rule::Unknown => (
            format!("{ko}{} 없습니다. 목록에서 다시 고르세요.", josa(ko, "이", "가")),
            format!("{en} does not exist. Choose again from the list."),
        ),
        Rule::Repeated => (
            format!("같은 {ko}{} 두 번 있습니다.", josa(ko, "이", "가")),
            format!("{en} appears twice."),
        ),
        Rule::InUse => (
            format!("{ko}에 연결된 작업지시나 발주가 있어 지울 수 없습니다."),
            format!("{en} still have work orders or purchase orders and cannot be removed."),
        ),
        Rule::Sum => (
            format!("{ko}의 합이 불량 수량과 같아야 합니다."),
            format!("{en} must add up to the NG quantity."),
        ),
        Rule::DateOrder => (
            format!(
                "{ko}{} 날짜 순서에 맞지 않습니다 (지시일 ≤ 계획일 ≤ 납기일).",
                josa(ko, "이", "가")
            ),
            format!("{en} is out of order: order date ≤ plan date ≤ due date."),
        ),
    }
}

/// The Korean particle that fits the word: `after_consonant` when its last
/// syllable ends in a final consonant (받침), else `after_vowel`.
fn josa(word: &str, after_consonant: &'static str, after_vowel: &'static str) -> &'static str {
    let has_final = word
        .chars()
        .last()
        .filter(|c| ('가'..='힣').contains(c))
        .is_some_and(|c| !(c as u32 - '가' as u32).is_multiple_of(28));
    if has_final { after_consonant } else { after_vowel }
}

impl From<MesError> for AppError {
    fn from(err: MesError) -> Self {
        match err {
            MesError::Invalid { field, rule } => invalid(field, rule),
            MesError::AlreadySetUp => AppError::new(ErrorCode::AlreadySetUp),
            MesError::InvalidCredentials => AppError::new(ErrorCode::InvalidCredentials),
            MesError::AccountLocked { until } => {
                let at = until.with_timezone(&Local).format("%H:%M");
                AppError::with_message(
                    ErrorCode::AccountLocked,
                    format!("로그인에 여러 번 실패하여 계정이 잠겼습니다. {at} 이후에 다시 시도하세요."),
                    format!("Too many failed sign-ins: the account is locked until {at}."),
                )
            }
            MesError::Database(_) | MesError::Migrate(_) => {
                tracing::error!("{err}");
                AppError::new(ErrorCode::Database)
            }
            MesError::PasswordHash(_) => {
                tracing::error!("{err}");
                AppError::new(ErrorCode::Internal)
            }
            MesError::StationNotFound { .. }
            | MesError::InspectionNotFound { .. }
            | MesError::AlarmNotFound { .. }
            | MesError::UserNotFound { .. }
            | MesError::NotFound { .. } => {
                tracing::warn!("{err}");
                AppError::new(ErrorCode::NotFound)
            }
            MesError::RelabelNotAllowed { .. } => AppError::new(ErrorCode::RelabelNotAllowed),
            MesError::WrongState {
                entity,
                status,
                action,
                ..
            } => wrong_state(entity, status, action),
            MesError::LastAdmin => AppError::new(ErrorCode::LastAdmin),
            MesError::ImportRefused { problems } => import_refused(&problems),
        }
    }
}

/// "이 공정은 이미 '완료' 상태라서 완료할 수 없습니다."
fn wrong_state(entity: &str, status: &str, action: &str) -> AppError {
    let status = match (entity, status) {
        ("purchase_order", "received") => ("입고", "received"),
        ("sales_order", "received") => ("수주", "received"),
        ("sales_order", "in_work") => ("작업지시", "in work"),
        ("sales_order", "quotation") => ("견적", "a quotation"),
        ("sales_order", "shipped") => ("출고", "shipped"),
        ("purchase_order", "ordered") => ("발주", "ordered"),
        (_, "waiting") => ("대기", "waiting"),
        (_, "running") => ("진행 중", "running"),
        (_, "paused") => ("중지", "paused"),
        (_, "finished") => ("완료", "finished"),
        (_, "planned") => ("계획", "planned"),
        (_, "in_work") => ("작업중", "in work"),
        (_, "completed") => ("작업완료", "completed"),
        (_, "cancelled") => ("취소", "cancelled"),
        (_, other) => (other, other),
    };
    let entity = match entity {
        "operation" => ("공정", "operation"),
        "work_order" => ("작업지시", "work order"),
        "sales_order" => ("수주", "sales order"),
        "purchase_order" => ("발주", "purchase order"),
        other => (other, other),
    };
    let action = match action {
        "start" => ("시작", "started"),
        "pause" => ("중지", "paused"),
        "resume" => ("재개", "resumed"),
        "report" => ("실적 입력", "reported on"),
        "finish" => ("완료", "finished"),
        "release" => ("확정", "released"),
        "update" => ("수정", "changed"),
        "cancel" => ("취소", "cancelled"),
        "complete" => ("완료 처리", "completed"),
        "confirm" => ("수주 확정", "confirmed"),
        "issue" => ("작업지시", "issued work orders"),
        "outsource" => ("외주 발주", "outsourced"),
        "ship" => ("출고", "shipped"),
        "receive" => ("입고", "received"),
        other => (other, other),
    };
    AppError::with_message(
        ErrorCode::WrongState,
        format!(
            "이 {}{} 이미 '{}' 상태라서 {}할 수 없습니다. 화면을 새로 고치세요.",
            entity.0,
            josa(entity.0, "은", "는"),
            status.0,
            action.0
        ),
        format!(
            "This {} is {}, so it cannot be {}. Reload the screen.",
            entity.1, status.1, action.1
        ),
    )
}

/// Every bad row of a refused import, one line each: "3행: 이름을 입력하세요."
fn import_refused(problems: &[RowProblem]) -> AppError {
    let lines = |lang: Language| -> String {
        problems
            .iter()
            .map(|p| {
                let (ko, en) = invalid_texts(field_name(p.field), p.rule);
                match lang {
                    Language::Ko => format!("{}행: {ko}", p.row),
                    Language::En => format!("Row {}: {en}", p.row),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    AppError::with_message(
        ErrorCode::ImportRefused,
        format!(
            "파일에 잘못된 행이 있어 아무것도 가져오지 않았습니다.\n{}",
            lines(Language::Ko)
        ),
        format!(
            "The file has bad rows, so nothing was imported.\n{}",
            lines(Language::En)
        ),
    )
}

impl From<Invalid> for AppError {
    fn from(err: Invalid) -> Self {
        match err {
            Invalid::Format(s) => invalid_named(s.name(), Rule::NotJsonObject),
            Invalid::Range(s, min, max) => invalid_named(s.name(), Rule::OutOfRange { min, max }),
            Invalid::Roi(s, w, h) => {
                let (ko, en) = s.name();
                AppError::with_message(
                    ErrorCode::InvalidInput,
                    format!("{ko}{} {w} × {h} 영상 안에 있어야 합니다.", josa(ko, "은", "는")),
                    format!("{en} must lie inside the {w} × {h} frame."),
                )
            }
            Invalid::Sensitivity => AppError::with_message(
                ErrorCode::InvalidInput,
                "민감도는 -0.5에서 0.5 사이여야 합니다.",
                "Sensitivity must be between -0.5 and 0.5.",
            ),
            Invalid::UnknownModel => AppError::with_message(
                ErrorCode::InvalidInput,
                "선택한 검사 모델이 설치되어 있지 않습니다.",
                "The chosen inspection model is not installed.",
            ),
            Invalid::CountingLine => AppError::with_message(
                ErrorCode::InvalidInput,
                "계수선의 두 끝은 영상 안에 있고 서로 떨어져 있어야 합니다.",
                "The counting line's ends must lie inside the frame, apart from each other.",
            ),
        }
    }
}

impl From<tauri_plugin_store::Error> for AppError {
    fn from(err: tauri_plugin_store::Error) -> Self {
        tracing::error!("settings store: {err}");
        AppError::new(ErrorCode::Settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::set_current_language;

    #[test]
    fn serialises_as_code_and_message() {
        let err = AppError {
            code: ErrorCode::InvalidCredentials,
            message: "Wrong user ID or password.".into(),
        };
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            serde_json::json!({ "code": "invalid_credentials", "message": "Wrong user ID or password." })
        );
        let codes = [
            (ErrorCode::InvalidInput, "invalid_input"),
            (ErrorCode::AlreadySetUp, "already_set_up"),
            (ErrorCode::AccountLocked, "account_locked"),
            (ErrorCode::NotSignedIn, "not_signed_in"),
            (ErrorCode::Forbidden, "forbidden"),
            (ErrorCode::Settings, "settings"),
            (ErrorCode::Database, "database"),
            (ErrorCode::Internal, "internal"),
        ];
        for (code, text) in codes {
            assert_eq!(serde_json::to_value(code).unwrap(), text);
        }
    }

    #[test]
    fn a_refused_import_names_every_bad_row() {
        let _turn = LANGUAGE.lock().unwrap_or_else(|p| p.into_inner());
        set_current_language(Language::Ko);
        let err = AppError::from(MesError::ImportRefused {
            problems: vec![
                RowProblem {
                    row: 3,
                    field: Field::Name,
                    rule: Rule::Required,
                },
                RowProblem {
                    row: 7,
                    field: Field::BizNo,
                    rule: Rule::Format,
                },
            ],
        });
        assert_eq!(err.code, ErrorCode::ImportRefused);
        assert_eq!(
            err.message,
            "파일에 잘못된 행이 있어 아무것도 가져오지 않았습니다.\n3행: 이름을 입력하세요.\n7행: 사업자등록번호가 올바르지 않습니다."
        );
    }

    #[test]
    fn a_refused_state_change_says_what_state_the_record_is_in() {
        let _turn = LANGUAGE.lock().unwrap_or_else(|p| p.into_inner());
        set_current_language(Language::Ko);
        let err = AppError::from(MesError::WrongState {
            entity: "operation",
            id: 3,
            status: "finished",
            action: "finish",
        });
        assert_eq!(err.code, ErrorCode::WrongState);
        assert_eq!(
            err.message,
            "이 공정은 이미 '완료' 상태라서 완료할 수 없습니다. 화면을 새로 고치세요."
        );
        set_current_language(Language::En);
        let err = AppError::from(MesError::WrongState {
            entity: "work_order",
            id: 3,
            status: "cancelled",
            action: "release",
        });
        assert_eq!(
            err.message,
            "This work order is cancelled, so it cannot be released. Reload the screen."
        );
        set_current_language(Language::Ko);
    }

    #[test]
    fn korean_particles_follow_the_last_syllable() {
        assert_eq!(josa("아이디", "을", "를"), "를");
        assert_eq!(josa("이름", "을", "를"), "을");
        assert_eq!(josa("비밀번호", "은", "는"), "는");
    }

    /// The language is one per process: tests that switch it take turns.
    static LANGUAGE: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn messages_follow_the_machine_language() {
        let _turn = LANGUAGE.lock().unwrap_or_else(|p| p.into_inner());
        let err = || {
            AppError::from(MesError::Invalid {
                field: Field::Password,
                rule: Rule::TooShort { min: 8 },
            })
        };
        set_current_language(Language::En);
        assert_eq!(err().message, "Password must be at least 8 characters.");
        set_current_language(Language::Ko);
        assert_eq!(err().message, "비밀번호는 8자 이상이어야 합니다.");
        assert_eq!(err().code, ErrorCode::InvalidInput);
    }

    #[test]
    fn station_settings_errors_name_the_setting_in_the_users_language() {
        use crate::station::settings::Setting;
        let _turn = LANGUAGE.lock().unwrap_or_else(|p| p.into_inner());
        set_current_language(Language::Ko);
        let err = AppError::from(Invalid::Roi(Setting::Roi, 640, 360));
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert_eq!(err.message, "검사 영역은 640 × 360 영상 안에 있어야 합니다.");
        let err = AppError::from(Invalid::Range(Setting::Fps, 1, 240));
        assert_eq!(err.message, "초당 프레임은 1에서 240 사이여야 합니다.");
        set_current_language(Language::En);
        let err = AppError::from(Invalid::Format(Setting::Device));
        assert_eq!(err.message, "Camera device is not in the expected format.");
        set_current_language(Language::Ko);
    }
}
