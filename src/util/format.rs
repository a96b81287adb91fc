//! The one number formatter of vcd, specified in `docs/formatting.md` and
//! implemented a second time, rule for rule, in the runtime (`theme/vcd.js`,
//! section "Formatting"); `tests/format_vectors.json` holds both to the same text.
//!
//! Numbers are formatted from their *decimal* value: a double is first written
//! as its shortest round-trip decimal (what `{}` prints in Rust and `String(n)`
//! in JavaScript), a numeric string (large integers arrive as strings, see
//! `value.rs`) is read digit by digit, and every later step (rounding half away
//! from zero, ×100 for a percentage, ÷1000 for K/M/B/T) works on those digits,
//! so no step can lose or invent a digit.

use serde_json::Value as Json;
use std::cmp::Ordering;

/// An exact decimal number: `digits × 10^exp`, with a sign.
///
/// `digits` holds ASCII digits without leading zeros; zero has no digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exp: i64,
}

/// A value the formatter accepts: an exact decimal, or a non-finite result of a
/// computation (JSON itself has no NaN or infinity).
#[derive(Debug, Clone, PartialEq)]
pub enum Num {
    Finite(Decimal),
    NaN,
    Infinite { negative: bool },
}

/// The number styles of templates, KPI cards, table cells and chart labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style<'a> {
    /// `1,234.50`: thousands grouped with commas.
    Number,
    /// `12.3%`: the value is a ratio, shown ×100.
    Percent,
    /// `-$5.50`: the sign before the symbol.
    Currency(&'a str),
    /// `1.2M`: K, M, B, T chosen after rounding, trailing zeros dropped.
    Compact,
}

/// Shown for a missing value (null) or NaN in a formatted figure.
pub const MISSING: &str = "–";

/// The compact units, largest first: (power of ten, suffix).
const UNITS: [(i64, &str); 4] = [(12, "T"), (9, "B"), (6, "M"), (3, "K")];

impl Decimal {
    /// Reads a number written in JSON's number grammar (`-12.5`, `1e21`,
    /// `9007199254740993`; no leading zeros, no `+`, no spaces), exactly.
    /// `None` for anything else, so `"00501"` or `" 12"` stay text.
    pub fn parse(s: &str) -> Option<Decimal> {
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (mantissa, exp) = match body.find(['e', 'E']) {
            Some(at) => (&body[..at], parse_exponent(&body[at + 1..])?),
            None => (body, 0),
        };
        let (int, frac) = match mantissa.split_once('.') {
            Some((i, f)) if !f.is_empty() => (i, f),
            Some(_) => return None,
            None => (mantissa, ""),
        };
        let valid_int = int == "0" || (int.starts_with(|c: char| c.is_ascii_digit() && c != '0'));
        if !valid_int || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
        Some(Decimal::new(negative, digits, exp - frac.len() as i64))
    }

    /// The shortest decimal that reads back as `n` (Rust's `{}` and
    /// JavaScript's `String(n)` print the same digits). `None` when not finite.
    pub fn from_f64(n: f64) -> Option<Decimal> {
        if !n.is_finite() {
            return None;
        }
        // `{}` never uses an exponent for f64, and `-0` parses as zero.
        Decimal::parse(&format!("{n}"))
    }

    /// An exact integer.
    pub fn from_i128(n: i128) -> Decimal {
        Decimal::new(n < 0, n.unsigned_abs().to_string().into_bytes(), 0)
    }

    /// Normalises: no leading zeros, no trailing zeros (moved into `exp`), zero unsigned.
    fn new(negative: bool, mut digits: Vec<u8>, mut exp: i64) -> Decimal {
        let lead = digits.iter().take_while(|&&d| d == b'0').count();
        digits.drain(..lead);
        while digits.last() == Some(&b'0') {
            digits.pop();
            exp += 1;
        }
        if digits.is_empty() {
            return Decimal { negative: false, digits, exp: 0 };
        }
        Decimal { negative, digits, exp }
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Whether the value has no fractional part.
    pub fn is_integer(&self) -> bool {
        self.exp >= 0
    }

    /// The value × 10^`by` (exact).
    pub fn shift(&self, by: i64) -> Decimal {
        if self.is_zero() {
            return self.clone();
        }
        Decimal { exp: self.exp + by, ..self.clone() }
    }

    /// The absolute value.
    pub fn abs(&self) -> Decimal {
        Decimal { negative: false, ..self.clone() }
    }

    /// Digits before the point (the position of the leading digit + 1); 0 for |x| < 1.
    fn int_len(&self) -> i64 {
        if self.is_zero() {
            0
        } else {
            self.digits.len() as i64 + self.exp
        }
    }

    /// Rounded to `decimals` places, half away from zero on the decimal digits.
    pub fn round(&self, decimals: u32) -> Decimal {
        let keep_exp = -(decimals as i64);
        if self.exp >= keep_exp {
            return self.clone();
        }
        let drop = (keep_exp - self.exp) as usize;
        if drop > self.digits.len() {
            return Decimal::new(false, Vec::new(), 0);
        }
        let kept = self.digits.len() - drop;
        let mut digits = self.digits[..kept].to_vec();
        if self.digits[kept] >= b'5' {
            increment(&mut digits);
        }
        Decimal::new(self.negative, digits, keep_exp)
    }

    /// Fixed-point text with exactly `decimals` places and grouped thousands,
    /// after rounding; no minus sign when the rounded value is zero.
    pub fn fixed(&self, decimals: u32) -> String {
        let r = self.round(decimals);
        let (int, frac) = r.unsigned_parts(decimals as usize);
        let mut out = String::new();
        if r.negative {
            out.push('-');
        }
        out.push_str(&group_digits(&int));
        if decimals > 0 {
            out.push('.');
            out.push_str(&frac);
        }
        out
    }

    /// The integer digits and `places` fraction digits of |self| (already rounded).
    fn unsigned_parts(&self, places: usize) -> (String, String) {
        let total = self.digits.len() as i64 + self.exp + places as i64;
        // All digits of value × 10^places, zero-padded on the left to at least places + 1.
        let mut all = String::from_utf8(self.digits.clone()).unwrap_or_default();
        let trailing = (self.exp + places as i64).max(0) as usize;
        all.push_str(&"0".repeat(trailing));
        let width = (total.max(0) as usize).max(places + 1);
        let all = format!("{all:0>width$}");
        let (int, frac) = all.split_at(all.len() - places);
        (int.to_string(), frac.to_string())
    }

    /// The value as the nearest double (for arithmetic where exactness is not needed).
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// The value as an i128 when it is an integer in range.
    pub fn to_i128(&self) -> Option<i128> {
        if !self.is_integer() {
            return None;
        }
        self.to_string().parse().ok()
    }
}

/// Plain decimal text without grouping or exponent (`-1234.5`).
impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let places = (-self.exp).max(0) as usize;
        let (int, frac) = self.unsigned_parts(places);
        let sign = if self.negative { "-" } else { "" };
        if places == 0 {
            write!(f, "{sign}{int}")
        } else {
            write!(f, "{sign}{int}.{frac}")
        }
    }
}

/// Exact numeric order.
impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        let magnitude = |a: &Decimal, b: &Decimal| {
            match (a.is_zero(), b.is_zero()) {
                (true, true) => return Ordering::Equal,
                (true, false) => return Ordering::Less,
                (false, true) => return Ordering::Greater,
                _ => {}
            }
            a.int_len().cmp(&b.int_len()).then_with(|| a.digits.cmp(&b.digits))
        };
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => magnitude(self, other),
            (true, true) => magnitude(other, self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn parse_exponent(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Adds one unit in the last place of a digit string (`199` → `200`, `99` → `100`).
fn increment(digits: &mut Vec<u8>) {
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return;
        }
    }
    digits.insert(0, b'1');
}

/// `1234567` → `1,234,567` for a string of ASCII digits.
pub fn group_digits(int: &str) -> String {
    let mut out = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Num {
    /// A double; NaN and infinities are kept as such.
    pub fn from_f64(n: f64) -> Num {
        match Decimal::from_f64(n) {
            Some(d) => Num::Finite(d),
            None if n.is_nan() => Num::NaN,
            None => Num::Infinite { negative: n < 0.0 },
        }
    }

    /// A JSON value as a number: a JSON number, or a string in JSON's number
    /// grammar (how large integers and exact decimals arrive). `None` otherwise.
    pub fn from_json(v: &Json) -> Option<Num> {
        match v {
            // serde_json prints numbers in shortest round-trip form; integers exactly.
            Json::Number(n) => Decimal::parse(&n.to_string()).map(Num::Finite),
            Json::String(s) => Decimal::parse(s).map(Num::Finite),
            _ => None,
        }
    }
}

/// Formats a number in `style` with `decimals` places (see `docs/formatting.md`).
pub fn format(n: &Num, style: Style<'_>, decimals: u32) -> String {
    let d = match n {
        Num::Finite(d) => d,
        Num::NaN => return MISSING.into(),
        Num::Infinite { negative } => return if *negative { "-∞".into() } else { "∞".into() },
    };
    match style {
        Style::Number => d.fixed(decimals),
        Style::Percent => format!("{}%", d.shift(2).fixed(decimals)),
        Style::Currency(symbol) => {
            let body = d.abs().fixed(decimals);
            let sign = if d.round(decimals).is_negative() { "-" } else { "" };
            format!("{sign}{symbol}{body}")
        }
        Style::Compact => compact(d, decimals),
    }
}

/// K, M, B or T, chosen after rounding: 999,999 → `1M`, never `1000K`.
fn compact(d: &Decimal, decimals: u32) -> String {
    // The unit the value needs before rounding, then a larger one while the
    // rounded figure reaches 1,000 of it.
    let mut unit = UNITS.iter().position(|(p, _)| d.int_len() > *p).map(|i| i as i64);
    loop {
        let (power, suffix) = match unit {
            Some(i) => UNITS[i as usize],
            None => (0, ""),
        };
        let r = d.shift(-power).round(decimals);
        let next = match unit {
            None => Some(UNITS.len() as i64 - 1),
            Some(0) => None,
            Some(i) => Some(i - 1),
        };
        if r.int_len() > 3 && next.is_some() {
            unit = next;
            continue;
        }
        // Trailing zeros after the point carry nothing in a compact figure.
        let places = (-r.exp).max(0) as u32;
        return format!("{}{suffix}", r.fixed(places));
    }
}

/// The formats a table column takes (`table(formats=…)`).
pub const CELL_FORMATS: &[&str] = &["text", "number", "percent", "currency", "compact", "date"];

/// A table cell's text: null is empty; `number` shows integers without and
/// other values with 2 decimals; `percent` 1, `currency` 2 (`$`), `compact` 1;
/// `date` the calendar day (`May 1, 2024`); a value that is not a number in a
/// number format, and every `text` cell, shows as text.
pub fn cell(v: &Json, fmt: &str) -> String {
    if v.is_null() {
        return String::new();
    }
    if fmt == "date" {
        if let Some(day) = v.as_str().and_then(calendar_day) {
            return day;
        }
    }
    let styled = match fmt {
        "number" => Some((Style::Number, None)),
        "percent" => Some((Style::Percent, Some(1))),
        "currency" => Some((Style::Currency("$"), Some(2))),
        "compact" => Some((Style::Compact, Some(1))),
        _ => None,
    };
    match (styled, Num::from_json(v)) {
        (Some((style, decimals)), Some(Num::Finite(d))) => {
            let decimals = decimals.unwrap_or(if d.is_integer() { 0 } else { 2 });
            format(&Num::Finite(d), style, decimals)
        }
        _ => text(v),
    }
}

/// A value as plain text: strings as they are, a number as its plain decimal,
/// booleans, lists and objects as the JSON the browser's `JSON.stringify`
/// writes for them (see `js_json`), as the runtime's `cellText()` shows them.
pub fn text(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        // A DOUBLE 3.0 arrives in the browser as 3, and 1e21 shows all its digits.
        Json::Number(n) => Decimal::parse(&n.to_string()).map_or_else(|| n.to_string(), |d| d.to_string()),
        other => crate::util::js_json::stringify(other),
    }
}

/// `May 1, 2024` for a value starting with an ISO date (`2024-05-01…`): the
/// calendar day as written, whatever the reader's time zone.
pub fn calendar_day(s: &str) -> Option<String> {
    let day = chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    let rest = &s[10..];
    if !(rest.is_empty() || rest.starts_with(['T', ' '])) {
        return None;
    }
    Some(day.format("%b %-d, %Y").to_string())
}

/// The table order (`docs/formatting.md`, "Sorting"): nulls last in both
/// directions; numbers (JSON numbers and numeric strings) by exact value,
/// before any text; text (and booleans, arrays, objects as their JSON text) by
/// Unicode code points. Returns the ascending order of two non-null values.
pub fn compare(a: &Json, b: &Json) -> Ordering {
    OrderKey::of(a).cmp_to(&OrderKey::of(b))
}

/// A value's place in the table order, worked out once: a sort compares each
/// value many times, and reading a decimal is the costly part.
pub struct OrderKey {
    num: Option<Num>,
    text: String,
}

impl OrderKey {
    /// The key of a non-null value (a null has no place: it goes last).
    pub fn of(v: &Json) -> OrderKey {
        OrderKey { num: Num::from_json(v), text: text(v) }
    }

    /// How two values compare in the table order ([`compare`]).
    pub fn cmp_to(&self, other: &OrderKey) -> Ordering {
        match (&self.num, &other.num) {
            (Some(Num::Finite(x)), Some(Num::Finite(y))) => x.cmp(y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            _ => self.text.cmp(&other.text),
        }
    }
}

/// Positions `0..n` in the ascending table order of `value(i)`: the non-null
/// values (ties in position order: the sort is stable), then the positions
/// of the nulls, in order. Tables page through a large result in this order
/// (`query::chunks`), reading the first list backwards for descending.
pub fn ascending<'v>(n: usize, value: impl Fn(usize) -> &'v Json) -> (Vec<usize>, Vec<usize>) {
    let (mut values, nulls): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| !value(i).is_null());
    let mut keys: Vec<(usize, OrderKey)> = values.iter().map(|&i| (i, OrderKey::of(value(i)))).collect();
    keys.sort_by(|a, b| a.1.cmp_to(&b.1));
    values = keys.into_iter().map(|(i, _)| i).collect();
    (values, nulls)
}

/// Positions `0..n` sorted by `value(i)` in a direction (1 ascending, -1
/// descending): descending is the ascending order of the non-null values
/// reversed (ties in reverse position order), nulls last either way, in
/// position order.
pub fn table_order<'v>(n: usize, value: impl Fn(usize) -> &'v Json, dir: i32) -> Vec<usize> {
    let (mut values, nulls) = ascending(n, value);
    if dir < 0 {
        values.reverse();
    }
    values.extend(nulls);
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Num {
        Num::Finite(Decimal::parse(s).unwrap())
    }

    #[test]
    fn decimals_read_json_numbers_only() {
        for ok in ["0", "-0", "12", "1.5", "1e21", "1.5E-7", "-9223372036854775808", "0.0325"] {
            assert!(Decimal::parse(ok).is_some(), "{ok}");
        }
        for bad in ["", "-", "00501", "01", " 12", "1.", ".5", "+1", "1e", "NaN", "Infinity", "0x10", "1_000"] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(Decimal::parse("1.50e2").unwrap().to_string(), "150");
        assert_eq!(Decimal::parse("-0.00").unwrap().to_string(), "0");
        assert_eq!(Decimal::from_f64(1e-7).unwrap().to_string(), "0.0000001");
    }

    #[test]
    fn rounding_is_half_away_from_zero_on_the_decimal() {
        assert_eq!(format(&Num::from_f64(1.005), Style::Number, 2), "1.01");
        assert_eq!(format(&Num::from_f64(2.5), Style::Number, 0), "3");
        assert_eq!(format(&Num::from_f64(-2.5), Style::Number, 0), "-3");
        assert_eq!(format(&Num::from_f64(0.0325), Style::Percent, 1), "3.3%");
        assert_eq!(format(&n("-0.004"), Style::Number, 2), "0.00");
        assert_eq!(format(&n("999.995"), Style::Number, 2), "1,000.00");
    }

    #[test]
    fn compact_units_come_after_rounding() {
        assert_eq!(format(&n("999999"), Style::Compact, 1), "1M");
        assert_eq!(format(&n("999950000"), Style::Compact, 1), "1B");
        assert_eq!(format(&n("999.96"), Style::Compact, 1), "1K");
        assert_eq!(format(&n("0.5"), Style::Compact, 1), "0.5");
        assert_eq!(format(&n("-1234567"), Style::Compact, 1), "-1.2M");
    }

    #[test]
    fn exact_order_of_decimals() {
        let mut v: Vec<Decimal> = ["10", "-1", "0", "9007199254740993", "9007199254740992", "-0.5", "2e3"]
            .iter()
            .map(|s| Decimal::parse(s).unwrap())
            .collect();
        v.sort();
        let s: Vec<String> = v.iter().map(Decimal::to_string).collect();
        assert_eq!(s, ["-1", "-0.5", "0", "10", "2000", "9007199254740992", "9007199254740993"]);
    }
}
