//! Field rules shared by every form that writes users.

use crate::{Error, Field, Result, Rule};

fn invalid(field: Field, rule: Rule) -> Error {
    Error::Invalid { field, rule }
}

/// Trims and checks length in characters (not bytes: names are Korean).
pub fn text(field: Field, value: &str, min: usize, max: usize) -> Result<String> {
    let value = value.trim();
    let len = value.chars().count();
    if len == 0 {
        return Err(invalid(field, Rule::Required));
    }
    if len < min {
        return Err(invalid(field, Rule::TooShort { min }));
    }
    if len > max {
        return Err(invalid(field, Rule::TooLong { max }));
    }
    Ok(value.to_owned())
}

pub fn username(value: &str) -> Result<String> {
    let value = text(Field::Username, value, 3, 32)?;
    let ok = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !ok {
        return Err(invalid(Field::Username, Rule::Charset));
    }
    Ok(value)
}

pub fn display_name(value: &str) -> Result<String> {
    text(Field::DisplayName, value, 1, 50)
}

/// Passwords are not trimmed: every character counts.
pub fn password(value: &str) -> Result<()> {
    let len = value.chars().count();
    if len == 0 {
        return Err(invalid(Field::Password, Rule::Required));
    }
    if len < 8 {
        return Err(invalid(Field::Password, Rule::TooShort { min: 8 }));
    }
    if len > 128 {
        return Err(invalid(Field::Password, Rule::TooLong { max: 128 }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(r: Result<impl std::fmt::Debug>) -> Rule {
        match r {
            Err(Error::Invalid { rule, .. }) => rule,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn username_rules() {
        assert_eq!(username("  kim.op-1 ").unwrap(), "kim.op-1");
        assert_eq!(rule(username("")), Rule::Required);
        assert_eq!(rule(username("ab")), Rule::TooShort { min: 3 });
        assert_eq!(rule(username(&"a".repeat(33))), Rule::TooLong { max: 32 });
        assert_eq!(rule(username("김철수")), Rule::Charset);
        assert_eq!(rule(username("a b c")), Rule::Charset);
    }

    #[test]
    fn display_name_counts_characters_not_bytes() {
        assert_eq!(display_name(" 김철수 ").unwrap(), "김철수");
        assert!(display_name(&"가".repeat(50)).is_ok());
        assert_eq!(rule(display_name(&"가".repeat(51))), Rule::TooLong { max: 50 });
        assert_eq!(rule(display_name("   ")), Rule::Required);
    }

    #[test]
    fn password_rules() {
        assert!(password("correct horse").is_ok());
        assert_eq!(rule(password("")), Rule::Required);
        assert_eq!(rule(password("short")), Rule::TooShort { min: 8 });
        assert_eq!(rule(password(&"x".repeat(129))), Rule::TooLong { max: 128 });
    }
}
