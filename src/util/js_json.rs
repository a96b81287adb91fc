//! JSON text of a value exactly as the browser's `JSON.stringify(JSON.parse(…))`
//! writes it, so a list, struct or map cell (and its place in the table order)
//! reads the same in the built page as after the runtime has run
//! (`docs/formatting.md`, "Table cells"; the runtime's `text()` in `theme/vcd.js`).
//!
//! Two things differ from serde_json's own printing: numbers are written as
//! JavaScript's `Number.prototype.toString` writes them (ECMA-262, "Number::toString":
//! `1` not `1.0`, `1e+21`, `1e-7`), and object keys that are array indices
//! (`"2"`, `"10"`) come first in ascending numeric order, as JavaScript orders
//! an object's own properties (ECMA-262, "OrdinaryOwnPropertyKeys").

use serde_json::Value as Json;

/// The largest array index, 2^32 − 2 (ECMA-262, "array index").
const MAX_ARRAY_INDEX: u64 = 4_294_967_294;

/// `v` as `JSON.stringify` writes it after the browser parsed vcd's JSON.
pub fn stringify(v: &Json) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

fn write_value(out: &mut String, v: &Json) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // The browser parses every JSON number into a double.
        Json::Number(n) => out.push_str(&number_text(n.as_f64().unwrap_or(f64::NAN))),
        // serde_json escapes strings as JSON.stringify does: `"`, `\`, \b \f \n \r \t,
        // other control characters as lowercase \u00xx, everything else as is.
        Json::String(s) => out.push_str(&Json::String(s.clone()).to_string()),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Json::Object(map) => {
            out.push('{');
            for (i, (key, value)) in js_key_order(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Json::String(key.clone()).to_string());
                out.push(':');
                write_value(out, value);
            }
            out.push('}');
        }
    }
}

/// The entries in JavaScript's property order: array indices ascending, then
/// the other keys in insertion order.
fn js_key_order(map: &serde_json::Map<String, Json>) -> Vec<(&String, &Json)> {
    let (mut indices, others): (Vec<_>, Vec<_>) = map.iter().partition(|(k, _)| array_index(k).is_some());
    indices.sort_by_key(|(k, _)| array_index(k));
    indices.extend(others);
    indices
}

/// The value of a key that is a canonical array index (`"0"`, `"10"`; not
/// `"01"`, `"-1"` or `"4294967295"`).
fn array_index(key: &str) -> Option<u64> {
    let canonical = key == "0" || (key.starts_with(|c: char| ('1'..='9').contains(&c)) && key.len() <= 10);
    if !canonical || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse().ok().filter(|&n| n <= MAX_ARRAY_INDEX)
}

/// A double as JavaScript's `String(n)` writes it (ECMA-262, "Number::toString"
/// with radix 10): the shortest round-trip digits; plain decimal when the point
/// falls within 21 digits and the number is at least 1e-6; otherwise one digit,
/// the rest after a point, and `e+N` / `e-N`. `-0` is `0`; JSON has no NaN or
/// infinity, which JSON.stringify writes as `null`.
pub fn number_text(n: f64) -> String {
    if !n.is_finite() {
        return "null".into();
    }
    if n == 0.0 {
        return "0".into();
    }
    // `{:e}` gives the shortest round-trip digits as `d.ddde±x`.
    let sci = format!("{:e}", n.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i64;
    // The position of the decimal point after the first digit: value = 0.digits × 10^point.
    let point = exp.parse::<i64>().unwrap_or(0) + 1;
    let sign = if n < 0.0 { "-" } else { "" };
    let body = if k <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - k) as usize))
    } else if 0 < point && point <= 21 {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let e = point - 1;
        let e = if e >= 0 { format!("+{e}") } else { e.to_string() };
        match digits.split_at(1) {
            (first, "") => format!("{first}e{e}"),
            (first, rest) => format!("{first}.{rest}e{e}"),
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_as_javascript_writes_them() {
        let cases: [(f64, &str); 16] = [
            (1.0, "1"),
            (2.5, "2.5"),
            (-0.0, "0"),
            (-12.75, "-12.75"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.5e21, "1.5e+21"),
            (-1e21, "-1e+21"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
            (0.1 + 0.2, "0.30000000000000004"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (123.456e-3, "0.123456"),
        ];
        for (n, want) in cases {
            assert_eq!(number_text(n), want, "{n:e}");
        }
    }

    #[test]
    fn index_keys_first_in_numeric_order_then_insertion_order() {
        let v: Json =
            serde_json::from_str(r#"{"b":1,"10":2,"a":3,"2":4,"01":5,"-1":6,"4294967294":7,"4294967295":8,"0":9}"#)
                .unwrap();
        assert_eq!(stringify(&v), r#"{"0":9,"2":4,"10":2,"4294967294":7,"b":1,"a":3,"01":5,"-1":6,"4294967295":8}"#);
    }

    #[test]
    fn nested_values_and_strings() {
        let v = json!({"z": [1.0, {"y": null, "3": true}], "q": "say \"hi\"\\ é😀\n\t\u{1}\u{7f}"});
        assert_eq!(
            stringify(&v),
            "{\"z\":[1,{\"3\":true,\"y\":null}],\"q\":\"say \\\"hi\\\"\\\\ é😀\\n\\t\\u0001\u{7f}\"}"
        );
        assert_eq!(stringify(&json!([])), "[]");
        assert_eq!(stringify(&json!({})), "{}");
    }
}
