use chrono::{DateTime, Utc};

use crate::inspections::{Relabel, Verdict};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the store can refuse. The app turns each variant into a
/// stable code and a message in the user's language.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the first administrator already exists")]
    AlreadySetUp,
    #[error("invalid {field:?}: {rule:?}")]
    Invalid { field: Field, rule: Rule },
    #[error("wrong user name or password")]
    InvalidCredentials,
    #[error("account locked until {until}")]
    AccountLocked { until: DateTime<Utc> },
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    #[error("station {id} does not exist")]
    StationNotFound { id: i64 },
    #[error("inspection {id} does not exist")]
    InspectionNotFound { id: i64 },
    #[error("alarm {id} does not exist")]
    AlarmNotFound { id: i64 },
    #[error("user {id} does not exist")]
    UserNotFound { id: i64 },
    #[error("{entity} {id} does not exist")]
    NotFound { entity: &'static str, id: i64 },
    /// An import with bad rows: nothing of it was stored.
    #[error("import refused: {} bad rows", problems.len())]
    ImportRefused {
        problems: Vec<crate::master::RowProblem>,
    },
    /// The only active administrator cannot be demoted or switched off.
    #[error("the last active administrator must stay one")]
    LastAdmin,
    /// The record's state does not allow the action (finishing a finished
    /// operation, releasing a cancelled order…): someone else got there first,
    /// or the screen was stale.
    #[error("{entity} {id} is {status}: cannot {action}")]
    WrongState {
        entity: &'static str,
        id: i64,
        status: &'static str,
        action: &'static str,
    },
    /// A false alarm is only a rejected part, an escape only a passed one.
    #[error("{relabel:?} does not apply to an inspection judged {verdict:?}")]
    RelabelNotAllowed { relabel: Relabel, verdict: Verdict },
}

impl Error {
    /// `field` is already used when the database refused a duplicate
    /// (a UNIQUE index), an unknown reference when it refused a foreign
    /// key; any other failure as it is.
    pub(crate) fn taken(err: sqlx::Error, field: Field) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Error::Invalid {
                field,
                rule: Rule::Taken,
            },
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Error::Invalid {
                field: Field::Reference,
                rule: Rule::Unknown,
            },
            _ => err.into(),
        }
    }
}

/// Input fields that validation can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Username,
    DisplayName,
    Password,
    StationName,
    StationConfig,
    Score,
    Threshold,
    ImagePath,
    HeatmapPath,
    /// The page size of a list.
    Limit,
    /// Minutes a session may stay idle.
    IdleTimeout,
    Badge,
    Pin,
    // Master data.
    Code,
    Name,
    Kind,
    BizNo,
    Ceo,
    Phone,
    Fax,
    Address,
    Remarks,
    PartNo,
    Spec,
    Unit,
    Category,
    Maker,
    Manager,
    Price,
    CalibrationDue,
    Order,
    Attribute,
    WorkCenter,
    CycleSeconds,
    Steps,
    MaintenanceText,
    MaxDays,
    DayOffset,
    /// An attached file's name.
    FileName,
    /// Whether a record is in use (an import's 사용 column).
    Active,
    /// Whether an item gets serial numbers.
    Serialized,
    // Production.
    Quantity,
    OrderDate,
    DueDate,
    PlanDate,
    /// Why an order was completed early or cancelled, or a stop's note.
    Reason,
    /// The defect quantities of a report, which must add up to its NG.
    Defects,
    Scrap,
    MaterialLot,
    /// A work order's planned operations, one per routing step.
    Operations,
    // Sales and purchasing.
    Customer,
    Supplier,
    /// The lines of an order or purchase order.
    Lines,
    ShipDate,
    ReceivedOn,
    /// The company's seal image.
    Seal,
    /// A record this one refers to (a supplier, a process…) that does not exist.
    Reference,
    // Reports.
    /// A report's range of days, as a count of days after its first.
    Period,
    Year,
}

/// What a field broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Required,
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    /// Only letters, digits, dot, dash and underscore.
    Charset,
    /// Already used by another record (names are compared without case).
    Taken,
    /// Not a JSON object (`{ ... }`).
    NotJsonObject,
    /// Not a finite number.
    NotFinite,
    /// Not a path inside its folder: absolute, or with `.`/`..` or empty parts.
    NotRelativePath,
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// Not in the expected form (a business number's check digit, a phone number…).
    Format,
    /// Names a record that does not exist.
    Unknown,
    /// The same value twice in one list.
    Repeated,
    /// Parts that must add up to a whole do not (defect counts and NG).
    Sum,
    /// Still referred to (a line with work orders or purchase orders).
    InUse,
    /// Dates out of order: an order date ≤ each plan date ≤ the due date.
    DateOrder,
}
