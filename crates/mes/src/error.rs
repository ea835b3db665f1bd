use chrono::{DateTime, Utc};

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
}

/// Input fields that validation can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Username,
    DisplayName,
    Password,
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
}
