//! Query results and the engine-independent rules for turning SQL values into JSON.
//!
//! Every source maps its native values through these helpers so DuckDB and
//! PostgreSQL produce byte-identical JSON for the same data.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value as Json;

/// The version of what a result holds (its JSON mapping and type names); part
/// of the result cache's key, so results cached under an older mapping are not reused.
pub const RESULT_FORMAT: &str = "3: exact decimals as strings, SQL type names, single-threaded DuckDB queries";

/// Largest integer a JavaScript number holds exactly (2^53 - 1).
pub const MAX_SAFE_INTEGER: i128 = 9_007_199_254_740_991;

/// One result column: its name and the engine's type name (`BIGINT`,
/// `DECIMAL(38,0)`, `VARCHAR` from DuckDB; `int8`, `numeric`, `text` from
/// PostgreSQL), which decides how charts measure it (see [`Column::kind`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub sql_type: String,
}

/// What a column holds, by its engine type (not by how its values look: a
/// `VARCHAR` of `00501` is text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Integers, decimals and floats.
    Number,
    /// Calendar days and timestamps (with or without a time zone).
    Temporal,
    /// Text, booleans, UUIDs, enums: categories.
    Category,
    /// Anything else (lists, structs, JSON, intervals, times of day, or a type
    /// name this does not know): measured from the values.
    Other,
}

impl Column {
    /// The kind of the column's engine type, for either engine's type names.
    pub fn kind(&self) -> ColumnKind {
        kind_of(&self.sql_type)
    }
}

/// Classifies a DuckDB or PostgreSQL type name.
pub fn kind_of(sql_type: &str) -> ColumnKind {
    let t = sql_type.trim().to_ascii_lowercase();
    let base = t.split(['(', ' ']).next().unwrap_or("");
    if t.ends_with("[]") {
        return ColumnKind::Other;
    }
    match base {
        "tinyint" | "smallint" | "integer" | "int" | "bigint" | "hugeint" | "utinyint" | "usmallint" | "uinteger"
        | "ubigint" | "uhugeint" | "float" | "real" | "double" | "decimal" | "numeric" | "int2" | "int4" | "int8"
        | "float4" | "float8" | "oid" => ColumnKind::Number,
        "date" | "timestamp" | "timestamptz" | "timestamp_s" | "timestamp_ms" | "timestamp_ns" => ColumnKind::Temporal,
        "varchar" | "text" | "char" | "bpchar" | "name" | "boolean" | "bool" | "uuid" | "enum" | "string" => {
            ColumnKind::Category
        }
        _ => ColumnKind::Other,
    }
}

/// The rows a query returned, column-ordered, ready to serialise as JSON objects.
#[derive(Debug, Clone, Default)]
pub struct QueryResult {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Json>>,
}

impl QueryResult {
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c.name == name)
    }

    /// The JSON written to `site/data/<name>.json`: an array of row objects.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("query results always serialise")
    }

    /// Some of the rows, by index in the order given, as the same JSON
    /// [`QueryResult::to_json_bytes`] writes for all of them (`[]` for none).
    /// Serialised straight from the rows, with no copy of them.
    /// Panics if an index is out of range.
    pub fn rows_to_json_bytes(&self, indices: &[usize]) -> Vec<u8> {
        let rows = Subset { columns: &self.columns, rows: &self.rows, indices };
        serde_json::to_vec(&rows).expect("query results always serialise")
    }
}

/// Some rows of a result, serialised like the whole of it.
struct Subset<'a> {
    columns: &'a [Column],
    rows: &'a [Vec<Json>],
    indices: &'a [usize],
}

impl Serialize for Subset<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.indices.len()))?;
        for &i in self.indices {
            seq.serialize_element(&RowRef { columns: self.columns, values: &self.rows[i] })?;
        }
        seq.end()
    }
}

/// Serialises as `[{"col": value, ...}, ...]`, the form Vega-Lite loads directly.
impl Serialize for QueryResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.rows.len()))?;
        for row in &self.rows {
            seq.serialize_element(&RowRef { columns: &self.columns, values: row })?;
        }
        seq.end()
    }
}

/// Appends one row as [`QueryResult::to_json_bytes`] writes each of its rows
/// (`{"col": value, ...}`), for files written row by row from a stream.
pub fn write_row_json(columns: &[Column], values: &[Json], out: &mut Vec<u8>) {
    serde_json::to_writer(out, &RowRef { columns, values }).expect("query results always serialise");
}

struct RowRef<'a> {
    columns: &'a [Column],
    values: &'a [Json],
}

impl Serialize for RowRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.columns.len()))?;
        for (col, value) in self.columns.iter().zip(self.values) {
            map.serialize_entry(&col.name, value)?;
        }
        map.end()
    }
}

/// An integer as JSON: a number when JavaScript can hold it exactly, otherwise
/// a string of its exact digits, so no value is silently rounded in the browser.
pub fn integer(v: i128) -> Json {
    if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&v) {
        Json::from(v as i64)
    } else {
        Json::String(v.to_string())
    }
}

/// An unsigned integer as JSON, by the same rule as [`integer`].
pub fn unsigned(v: u128) -> Json {
    match i128::try_from(v) {
        Ok(v) => integer(v),
        Err(_) => Json::String(v.to_string()),
    }
}

/// A float as JSON; NaN and infinities have no JSON form and become null.
pub fn float(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
}

/// A DECIMAL/NUMERIC given as its exact decimal text: a JSON number when
/// JavaScript reads back the same digits (an integer within ±(2^53 − 1), or a
/// fraction whose shortest double is itself, such as `12.5` or `0.1`),
/// otherwise a string of the exact digits (`"12345678901234567890"`,
/// `"0.12345678901234567891"`), without trailing zeros either way. NaN → null.
pub fn decimal_text(text: &str) -> Json {
    let Some(d) = crate::util::format::Decimal::parse(text.trim()) else { return Json::Null };
    if let Some(i) = d.to_i128() {
        return integer(i);
    }
    if d.is_integer() {
        return Json::String(d.to_string());
    }
    let f = d.to_f64();
    if crate::util::format::Decimal::from_f64(f).as_ref() == Some(&d) {
        float(f)
    } else {
        Json::String(d.to_string())
    }
}

/// `YYYY-MM-DD` for a day count since 1970-01-01.
pub fn date_from_days(days: i64) -> Json {
    match chrono::NaiveDate::from_ymd_opt(1970, 1, 1).and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(days)))
    {
        Some(d) => Json::String(d.format("%Y-%m-%d").to_string()),
        None => Json::Null,
    }
}

/// ISO-8601 timestamp for microseconds since the epoch. `utc` marks values that
/// carry a time zone (TIMESTAMPTZ), which are written in UTC with a `Z`.
/// Fractional seconds appear only when present, trimmed to their significant digits.
pub fn timestamp_from_micros(micros: i64, utc: bool) -> Json {
    let Some(dt) = chrono::DateTime::from_timestamp_micros(micros) else { return Json::Null };
    let naive = dt.naive_utc();
    let mut s = naive.format("%Y-%m-%dT%H:%M:%S").to_string();
    let frac = micros.rem_euclid(1_000_000);
    if frac != 0 {
        let digits = format!("{frac:06}");
        s.push('.');
        s.push_str(digits.trim_end_matches('0'));
    }
    if utc {
        s.push('Z');
    }
    Json::String(s)
}

/// `HH:MM:SS[.ffffff]` for microseconds since midnight.
pub fn time_from_micros(micros: i64) -> Json {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let mut s = format!("{:02}:{:02}:{:02}", secs / 3600, (secs / 60) % 60, secs % 60);
    if frac != 0 {
        s.push('.');
        s.push_str(format!("{frac:06}").trim_end_matches('0'));
    }
    Json::String(s)
}

/// An interval as an ISO-8601 duration (`P1Y2M3DT4H5M6.5S`); months, days and
/// time are kept apart, as both engines store them, rather than normalised.
pub fn interval(months: i64, days: i64, micros: i64) -> Json {
    let mut s = String::from("P");
    let (years, months) = (months / 12, months % 12);
    for (n, unit) in [(years, 'Y'), (months, 'M'), (days, 'D')] {
        if n != 0 {
            s.push_str(&format!("{n}{unit}"));
        }
    }
    if micros != 0 {
        s.push('T');
        let hours = micros / 3_600_000_000;
        let minutes = (micros / 60_000_000) % 60;
        let rest = micros % 60_000_000;
        if hours != 0 {
            s.push_str(&format!("{hours}H"));
        }
        if minutes != 0 {
            s.push_str(&format!("{minutes}M"));
        }
        if rest != 0 {
            let secs = rest / 1_000_000;
            let frac = (rest % 1_000_000).abs();
            if frac == 0 {
                s.push_str(&format!("{secs}S"));
            } else {
                let sign = if rest < 0 && secs == 0 { "-" } else { "" };
                s.push_str(&format!("{sign}{secs}.{}S", format!("{frac:06}").trim_end_matches('0')));
            }
        }
    }
    if s == "P" {
        s.push_str("T0S");
    }
    Json::String(s)
}

/// Bytes as PostgreSQL's hex text form (`\x0a1b`), which both engines can read back.
pub fn bytes(b: &[u8]) -> Json {
    let mut s = String::with_capacity(2 + 2 * b.len());
    s.push_str("\\x");
    for byte in b {
        s.push_str(&format!("{byte:02x}"));
    }
    Json::String(s)
}

/// A 16-byte UUID in its canonical hyphenated lowercase form.
pub fn uuid(b: &[u8; 16]) -> Json {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Json::String(format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn some_rows_serialise_like_all_of_them() {
        let col = |n: &str| Column { name: n.into(), sql_type: "BIGINT".into() };
        let r = QueryResult {
            columns: vec![col("a"), col("b")],
            rows: vec![vec![Json::from(1), Json::from(2)], vec![Json::from(3), Json::Null]],
        };
        assert_eq!(r.rows_to_json_bytes(&[0, 1]), r.to_json_bytes());
        assert_eq!(r.rows_to_json_bytes(&[1]), br#"[{"a":3,"b":null}]"#);
        assert_eq!(r.rows_to_json_bytes(&[]), b"[]");
    }

    #[test]
    fn integers_beyond_javascript_precision_become_strings() {
        assert_eq!(integer(42), Json::from(42));
        assert_eq!(integer(MAX_SAFE_INTEGER), Json::from(9_007_199_254_740_991i64));
        assert_eq!(integer(MAX_SAFE_INTEGER + 1), Json::from("9007199254740992"));
        assert_eq!(integer(-MAX_SAFE_INTEGER - 1), Json::from("-9007199254740992"));
        assert_eq!(unsigned(u128::MAX), Json::from(u128::MAX.to_string()));
    }

    #[test]
    fn timestamps_are_iso_8601() {
        assert_eq!(timestamp_from_micros(0, false), Json::from("1970-01-01T00:00:00"));
        assert_eq!(timestamp_from_micros(1_500_000, true), Json::from("1970-01-01T00:00:01.5Z"));
        assert_eq!(timestamp_from_micros(-1, false), Json::from("1969-12-31T23:59:59.999999"));
        assert_eq!(date_from_days(19_723), Json::from("2024-01-01"));
        assert_eq!(time_from_micros(3_723_000_001), Json::from("01:02:03.000001"));
    }

    #[test]
    fn intervals_are_iso_durations() {
        assert_eq!(interval(14, 3, 3_723_500_000), Json::from("P1Y2M3DT1H2M3.5S"));
        assert_eq!(interval(0, 0, 0), Json::from("PT0S"));
        assert_eq!(interval(0, -2, 0), Json::from("P-2D"));
    }

    #[test]
    fn non_finite_floats_are_null() {
        assert_eq!(float(f64::NAN), Json::Null);
        assert_eq!(decimal_text("NaN"), Json::Null);
    }

    #[test]
    fn decimals_keep_every_digit() {
        assert_eq!(decimal_text("12.50"), Json::from(12.5));
        assert_eq!(decimal_text("0.1"), Json::from(0.1));
        assert_eq!(decimal_text("-3.000"), Json::from(-3));
        assert_eq!(decimal_text("9007199254740991"), Json::from(9_007_199_254_740_991i64));
        assert_eq!(decimal_text("9007199254740993"), Json::from("9007199254740993"));
        let max38 = "99999999999999999999999999999999999999";
        assert_eq!(decimal_text(max38), Json::from(max38));
        assert_eq!(
            decimal_text("-99999999999999999999999999999999999999.5"),
            Json::from("-99999999999999999999999999999999999999.5")
        );
        assert_eq!(decimal_text("0.12345678901234567891"), Json::from("0.12345678901234567891"));
        assert_eq!(decimal_text("1234567.8900"), Json::from(1234567.89));
    }

    #[test]
    fn column_kinds_come_from_type_names() {
        for t in ["BIGINT", "HUGEINT", "DECIMAL(38,0)", "DOUBLE", "int8", "numeric", "float8", "UBIGINT"] {
            assert_eq!(kind_of(t), ColumnKind::Number, "{t}");
        }
        for t in ["DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "date", "timestamptz"] {
            assert_eq!(kind_of(t), ColumnKind::Temporal, "{t}");
        }
        for t in ["VARCHAR", "text", "bpchar", "BOOLEAN", "uuid"] {
            assert_eq!(kind_of(t), ColumnKind::Category, "{t}");
        }
        for t in ["INTEGER[]", "_int4", "STRUCT(a INTEGER)", "JSON", "INTERVAL", "X"] {
            assert_eq!(kind_of(t), ColumnKind::Other, "{t}");
        }
    }

    #[test]
    fn rows_serialise_as_objects_in_column_order() {
        let r = QueryResult {
            columns: vec![
                Column { name: "b".into(), sql_type: "INTEGER".into() },
                Column { name: "a".into(), sql_type: "VARCHAR".into() },
            ],
            rows: vec![vec![Json::from(1), Json::from("</script>")]],
        };
        assert_eq!(String::from_utf8(r.to_json_bytes()).unwrap(), r#"[{"b":1,"a":"</script>"}]"#);
    }
}
