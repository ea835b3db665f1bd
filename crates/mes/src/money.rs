//! Money: integer won (KRW has no minor unit), VAT, and amounts in Korean
//! words as forms write them (금 일백이십삼만사천오백 원정).

/// Value-added tax: 10 % of the supply amount, rounded down to the won (절사),
/// as Korean tax invoices compute it.
pub fn vat(supply: i64) -> i64 {
    supply / 10
}

const DIGITS: [&str; 10] = ["영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"];
/// Places within a group of four digits: 천, 백, 십, and ones.
const PLACES: [&str; 4] = ["천", "백", "십", ""];
/// Groups of four digits: ones, 만 (10⁴), 억 (10⁸), 조 (10¹²), 경 (10¹⁶).
const GROUPS: [&str; 5] = ["", "만", "억", "조", "경"];

/// An amount in Korean words, every digit named as formal documents do
/// (일백, not 백): 1 234 500 → "일백이십삼만사천오백"; 0 → "영";
/// a negative amount starts with "마이너스".
pub fn korean_words(amount: i64) -> String {
    if amount == 0 {
        return DIGITS[0].to_owned();
    }
    let mut n = amount.unsigned_abs();
    let mut groups = Vec::new();
    while n > 0 {
        groups.push((n % 10_000) as usize);
        n /= 10_000;
    }
    let mut words = String::new();
    if amount < 0 {
        words.push_str("마이너스 ");
    }
    for (g, &value) in groups.iter().enumerate().rev() {
        if value == 0 {
            continue;
        }
        let digits = [value / 1000, value / 100 % 10, value / 10 % 10, value % 10];
        for (digit, place) in digits.into_iter().zip(PLACES) {
            if digit > 0 {
                words.push_str(DIGITS[digit]);
                words.push_str(place);
            }
        }
        words.push_str(GROUPS[g]);
    }
    words
}

/// The total line of a form: "금 일백이십삼만사천오백 원정".
pub fn korean_total(amount: i64) -> String {
    format!("금 {} 원정", korean_words(amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_across_units_and_zeros() {
        let cases = [
            (0, "영"),
            (1, "일"),
            (10, "일십"),
            (11, "일십일"),
            (105, "일백오"),
            (1_000, "일천"),
            (1_001, "일천일"),
            (10_000, "일만"),
            (10_010, "일만일십"),
            (100_000, "일십만"),
            (1_234_500, "일백이십삼만사천오백"),
            (20_000_000, "이천만"),
            (100_000_000, "일억"),
            (100_000_001, "일억일"),
            (305_000_070, "삼억오백만칠십"),
            (1_000_000_000_000, "일조"),
            (1_000_100_000_000, "일조일억"),
            (
                9_999_999_999_999_999,
                "구천구백구십구조구천구백구십구억구천구백구십구만구천구백구십구",
            ),
            (-5_500, "마이너스 오천오백"),
        ];
        for (amount, words) in cases {
            assert_eq!(korean_words(amount), words, "{amount}");
        }
        assert_eq!(korean_total(1_234_500), "금 일백이십삼만사천오백 원정");
        // The largest amounts still have words.
        assert!(korean_words(i64::MAX).starts_with("구백이십이경"));
        assert!(korean_words(i64::MIN).starts_with("마이너스 구백이십이경"));
    }

    #[test]
    fn vat_is_a_tenth_rounded_down() {
        assert_eq!(vat(1_234_500), 123_450);
        assert_eq!(vat(1_234_509), 123_450);
        assert_eq!(vat(9), 0);
    }
}
