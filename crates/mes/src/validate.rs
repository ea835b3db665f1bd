//! Field rules shared by every form, and by the records stations write.

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

/// Badge numbers as printed on the card: letters, digits and dashes.
pub fn badge(value: &str) -> Result<String> {
    let value = text(Field::Badge, value, 3, 32)?;
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(invalid(Field::Badge, Rule::Charset));
    }
    Ok(value)
}

/// A PIN is 4 to 8 digits, typed on the terminal's keypad.
pub fn pin(value: &str) -> Result<String> {
    let len = value.chars().count();
    if !(4..=8).contains(&len) {
        return Err(invalid(Field::Pin, Rule::OutOfRange { min: 4, max: 8 }));
    }
    if !value.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(Field::Pin, Rule::Charset));
    }
    Ok(value.to_owned())
}

pub fn station_name(value: &str) -> Result<String> {
    text(Field::StationName, value, 1, 60)
}

/// The longest settings text a station keeps, in characters.
pub const MAX_CONFIG_CHARS: usize = 65_536;

/// JSON text that parses as an object. Kept as written: its content is the
/// caller's business.
pub fn json_object(field: Field, value: &str) -> Result<String> {
    if value.trim().is_empty() {
        return Err(invalid(field, Rule::Required));
    }
    if value.chars().count() > MAX_CONFIG_CHARS {
        return Err(invalid(
            field,
            Rule::TooLong {
                max: MAX_CONFIG_CHARS,
            },
        ));
    }
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::Object(_)) => Ok(value.to_owned()),
        _ => Err(invalid(field, Rule::NotJsonObject)),
    }
}

pub fn finite(field: Field, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(invalid(field, Rule::NotFinite))
    }
}

/// A path inside a folder, parts split by `/` or `\`: no root, drive, `.`,
/// `..` or empty parts, so that joining it to the folder stays inside.
pub fn relative_path(field: Field, value: Option<String>) -> Result<Option<String>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let inside = value
        .split(['/', '\\'])
        .all(|part| !matches!(part, "" | "." | "..") && !part.contains(':'));
    if inside {
        Ok(Some(value))
    } else {
        Err(invalid(field, Rule::NotRelativePath))
    }
}

/// A record's code (P10, DEF-SCR, …): letters, digits, '.', '-' and '_'.
pub fn code(field: Field, value: &str) -> Result<String> {
    let value = text(field, value, 1, 20)?;
    let ok = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !ok {
        return Err(invalid(field, Rule::Charset));
    }
    Ok(value)
}

/// Optional text: trimmed, blank is none, at most `max` characters.
pub fn optional(field: Field, value: Option<String>, max: usize) -> Result<Option<String>> {
    match optional_text(value) {
        Some(v) if v.chars().count() > max => Err(invalid(field, Rule::TooLong { max })),
        v => Ok(v),
    }
}

/// A telephone or fax number: digits, spaces, '-', '(', ')' and a leading '+'.
pub fn phone(field: Field, value: Option<String>) -> Result<Option<String>> {
    let value = optional(field, value, 20)?;
    if let Some(v) = &value {
        let ok = v
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0));
        if !ok || !v.chars().any(|c| c.is_ascii_digit()) {
            return Err(invalid(field, Rule::Format));
        }
    }
    Ok(value)
}

/// A Korean business registration number (사업자등록번호): ten digits,
/// dashes and spaces ignored, the last a check digit over the others.
/// Returned as the ten digits.
pub fn biz_no(value: Option<String>) -> Result<Option<String>> {
    let Some(value) = optional_text(value) else {
        return Ok(None);
    };
    let digits: Vec<u32> = value
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .ok_or(invalid(Field::BizNo, Rule::Format))?;
    if digits.len() != 10 {
        return Err(invalid(Field::BizNo, Rule::Format));
    }
    const WEIGHTS: [u32; 9] = [1, 3, 7, 1, 3, 7, 1, 3, 5];
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum::<u32>() + digits[8] * 5 / 10;
    if (10 - sum % 10) % 10 != digits[9] {
        return Err(invalid(Field::BizNo, Rule::Format));
    }
    Ok(Some(
        digits
            .iter()
            .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
            .collect(),
    ))
}

/// A whole number within `min..=max`.
pub fn int_range(field: Field, value: i64, min: i64, max: i64) -> Result<i64> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(field, Rule::OutOfRange { min, max }))
    }
}

/// Trimmed; blank is no value.
pub fn optional_text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

pub fn in_range(field: Field, value: u32, min: u32, max: u32) -> Result<u32> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(
            field,
            Rule::OutOfRange {
                min: min.into(),
                max: max.into(),
            },
        ))
    }
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

    #[test]
    fn station_name_and_config_rules() {
        assert_eq!(station_name("  라인1 검사기 ").unwrap(), "라인1 검사기");
        assert_eq!(rule(station_name(" ")), Rule::Required);
        assert!(station_name(&"가".repeat(60)).is_ok());
        assert_eq!(rule(station_name(&"가".repeat(61))), Rule::TooLong { max: 60 });

        let config = r#"{"camera": "/dev/video0", "roi": [0, 0, 64, 64]}"#;
        assert_eq!(json_object(Field::StationConfig, config).unwrap(), config);
        assert_eq!(rule(json_object(Field::StationConfig, "")), Rule::Required);
        for bad in ["[1, 2]", "42", "\"text\"", "null", "{", "{'a': 1}"] {
            assert_eq!(
                rule(json_object(Field::StationConfig, bad)),
                Rule::NotJsonObject,
                "{bad}"
            );
        }
        let huge = format!(r#"{{"x": "{}"}}"#, "a".repeat(MAX_CONFIG_CHARS));
        assert_eq!(
            rule(json_object(Field::StationConfig, &huge)),
            Rule::TooLong {
                max: MAX_CONFIG_CHARS
            }
        );
    }

    #[test]
    fn paths_stay_inside_their_folder() {
        let ok = |p: &str| relative_path(Field::ImagePath, Some(p.into()));
        assert_eq!(
            ok("2025-03-01/st1/123.png").unwrap().as_deref(),
            Some("2025-03-01/st1/123.png")
        );
        assert!(ok("2025-03-01\\st1\\123.png").is_ok());
        assert_eq!(relative_path(Field::ImagePath, None).unwrap(), None);
        for bad in [
            "",
            "/etc/passwd",
            "../x.png",
            "a/../../x.png",
            "a//b.png",
            "./a.png",
            "C:\\x.png",
            "\\\\srv\\x",
        ] {
            assert_eq!(rule(ok(bad)), Rule::NotRelativePath, "{bad}");
        }
    }

    #[test]
    fn business_numbers_carry_their_check_digit() {
        // Published numbers of real companies, with and without dashes.
        for ok in ["220-81-62517", "1248100998", " 104-81-43125 "] {
            assert!(biz_no(Some(ok.into())).unwrap().is_some(), "{ok}");
        }
        assert_eq!(
            biz_no(Some("220-81-62517".into())).unwrap().as_deref(),
            Some("2208162517")
        );
        assert_eq!(biz_no(Some("  ".into())).unwrap(), None);
        for bad in ["220-81-62518", "220-81-6251", "22O-81-62517", "2208162517 1"] {
            assert_eq!(rule(biz_no(Some(bad.into()))), Rule::Format, "{bad}");
        }
    }

    #[test]
    fn codes_and_phones() {
        assert_eq!(code(Field::Code, " P-10 ").unwrap(), "P-10");
        assert_eq!(rule(code(Field::Code, "공정")), Rule::Charset);
        assert_eq!(
            rule(code(Field::Code, &"A".repeat(21))),
            Rule::TooLong { max: 20 }
        );
        assert_eq!(
            phone(Field::Phone, Some("+82 (2) 555-0101".into()))
                .unwrap()
                .as_deref(),
            Some("+82 (2) 555-0101")
        );
        assert_eq!(phone(Field::Phone, None).unwrap(), None);
        for bad in ["02-555-O101", "--", "555+1"] {
            assert_eq!(rule(phone(Field::Phone, Some(bad.into()))), Rule::Format, "{bad}");
        }
        assert_eq!(
            rule(optional(Field::Remarks, Some("가".repeat(11)), 10)),
            Rule::TooLong { max: 10 }
        );
    }

    #[test]
    fn numbers_and_optional_text() {
        assert_eq!(finite(Field::Threshold, 0.5).unwrap(), 0.5);
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(rule(finite(Field::Threshold, bad)), Rule::NotFinite);
        }
        assert_eq!(in_range(Field::Limit, 500, 1, 500).unwrap(), 500);
        assert_eq!(
            rule(in_range(Field::Limit, 0, 1, 500)),
            Rule::OutOfRange { min: 1, max: 500 }
        );
        assert_eq!(
            optional_text(Some("  scratch ".into())).as_deref(),
            Some("scratch")
        );
        assert_eq!(optional_text(Some("   ".into())), None);
        assert_eq!(optional_text(None), None);
    }
}
