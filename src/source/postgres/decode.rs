//! PostgreSQL's binary wire format decoded into the shared JSON rules of [`crate::source::value`],
//! so a PostgreSQL result serialises exactly as the same DuckDB result does.

use crate::source::value;
use postgres::types::{FromSql, Kind, Type};
use serde_json::Value as Json;
use std::error::Error;

type BoxError = Box<dyn Error + Sync + Send>;

/// Microseconds and days between 1970-01-01 and PostgreSQL's epoch, 2000-01-01.
const EPOCH_MICROS: i64 = 946_684_800_000_000;
const EPOCH_DAYS: i64 = 10_957;

/// One column value as it came off the wire, decoded by its type.
pub struct Cell(pub Json);

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        decode(ty, raw).map(Cell)
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Cell(Json::Null))
    }

    fn accepts(_: &Type) -> bool {
        // Every type is accepted here; unsupported ones fail in `decode` with a clear message.
        true
    }
}

fn decode(ty: &Type, raw: &[u8]) -> Result<Json, BoxError> {
    match ty.kind() {
        Kind::Array(elem) => return array(elem, raw),
        Kind::Domain(base) => return decode(base, raw),
        Kind::Enum(_) => return Ok(Json::String(std::str::from_utf8(raw)?.to_string())),
        _ => {}
    }
    Ok(match *ty {
        Type::BOOL => Json::Bool(raw.first().copied().unwrap_or(0) != 0),
        Type::INT2 => Json::from(i16::from_be_bytes(fixed(raw)?)),
        Type::INT4 => Json::from(i32::from_be_bytes(fixed(raw)?)),
        Type::INT8 => value::integer(i64::from_be_bytes(fixed(raw)?).into()),
        Type::OID => Json::from(u32::from_be_bytes(fixed(raw)?)),
        Type::FLOAT4 => value::float(f32::from_be_bytes(fixed(raw)?).into()),
        Type::FLOAT8 => value::float(f64::from_be_bytes(fixed(raw)?)),
        Type::NUMERIC => numeric(raw)?,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::CHAR => {
            Json::String(std::str::from_utf8(raw)?.to_string())
        }
        Type::DATE => match i32::from_be_bytes(fixed(raw)?) {
            i32::MAX | i32::MIN => Json::Null,
            d => value::date_from_days(i64::from(d) + EPOCH_DAYS),
        },
        Type::TIMESTAMP | Type::TIMESTAMPTZ => match i64::from_be_bytes(fixed(raw)?) {
            i64::MAX | i64::MIN => Json::Null,
            t => value::timestamp_from_micros(t + EPOCH_MICROS, *ty == Type::TIMESTAMPTZ),
        },
        Type::TIME => value::time_from_micros(i64::from_be_bytes(fixed(raw)?)),
        Type::INTERVAL => {
            let micros = i64::from_be_bytes(fixed(&raw[..8.min(raw.len())])?);
            let days = i32::from_be_bytes(fixed(raw.get(8..12).unwrap_or_default())?);
            let months = i32::from_be_bytes(fixed(raw.get(12..16).unwrap_or_default())?);
            value::interval(months.into(), days.into(), micros)
        }
        Type::UUID => {
            let b: [u8; 16] = fixed(raw)?;
            value::uuid(&b)
        }
        Type::JSON => serde_json::from_slice(raw)?,
        // jsonb's binary form is a version byte (1) followed by the JSON text.
        Type::JSONB => serde_json::from_slice(raw.get(1..).unwrap_or_default())?,
        Type::BYTEA => value::bytes(raw),
        _ => {
            return Err(
                format!("column type {} is not supported; cast it in SQL (for example to text)", ty.name()).into()
            )
        }
    })
}

fn fixed<const N: usize>(raw: &[u8]) -> Result<[u8; N], BoxError> {
    raw.try_into().map_err(|_| format!("expected {N} bytes, got {}", raw.len()).into())
}

/// NUMERIC: digit count, weight, sign and display scale, then base-10000 digits.
/// Rebuilt as exact decimal text, then converted like DuckDB's DECIMAL.
fn numeric(raw: &[u8]) -> Result<Json, BoxError> {
    let word = |i: usize| -> Result<i16, BoxError> {
        Ok(i16::from_be_bytes(fixed(raw.get(i * 2..i * 2 + 2).unwrap_or_default())?))
    };
    let ndigits = word(0)? as usize;
    let weight = word(1)? as i32;
    let sign = word(2)? as u16;
    let dscale = word(3)? as usize;
    match sign {
        0x0000 | 0x4000 => {}
        _ => return Ok(Json::Null), // NaN and ±Infinity have no JSON number
    }
    let digits: Vec<i16> = (0..ndigits).map(|i| word(4 + i)).collect::<Result<_, _>>()?;
    let mut int = String::new();
    for w in 0..=weight.max(-1) {
        let d = digits.get(w as usize).copied().unwrap_or(0);
        if int.is_empty() {
            if d != 0 {
                int = d.to_string();
            }
        } else {
            int.push_str(&format!("{d:04}"));
        }
    }
    if int.is_empty() {
        int.push('0');
    }
    let mut frac = String::new();
    let mut i = weight + 1;
    while frac.len() < dscale {
        let d = if i >= 0 { digits.get(i as usize).copied().unwrap_or(0) } else { 0 };
        frac.push_str(&format!("{d:04}"));
        i += 1;
    }
    frac.truncate(dscale);
    let text = format!("{}{int}{}{frac}", if sign == 0x4000 { "-" } else { "" }, if dscale > 0 { "." } else { "" });
    Ok(value::decimal_text(&text))
}

/// A (possibly multi-dimensional) array: header, dimensions, then length-prefixed elements.
fn array(elem: &Type, raw: &[u8]) -> Result<Json, BoxError> {
    let int = |at: usize| -> Result<i32, BoxError> {
        Ok(i32::from_be_bytes(fixed(raw.get(at..at + 4).unwrap_or_default())?))
    };
    let ndim = int(0)? as usize;
    if ndim == 0 {
        return Ok(Json::Array(Vec::new()));
    }
    let dims: Vec<usize> = (0..ndim).map(|d| int(12 + d * 8).map(|n| n as usize)).collect::<Result<_, _>>()?;
    let mut at = 12 + ndim * 8;
    let mut flat = Vec::new();
    for _ in 0..dims.iter().product::<usize>() {
        let len = int(at)?;
        at += 4;
        if len < 0 {
            flat.push(Json::Null);
        } else {
            let end = at + len as usize;
            flat.push(decode(elem, raw.get(at..end).ok_or("truncated array")?)?);
            at = end;
        }
    }
    Ok(nest(&mut flat.into_iter(), &dims))
}

fn nest(items: &mut impl Iterator<Item = Json>, dims: &[usize]) -> Json {
    match dims {
        [] => items.next().unwrap_or(Json::Null),
        [n, rest @ ..] => Json::Array((0..*n).map(|_| nest(items, rest)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_bytes(ndigits: i16, weight: i16, sign: u16, dscale: i16, digits: &[i16]) -> Vec<u8> {
        let mut v = Vec::new();
        for w in [ndigits, weight, sign as i16, dscale] {
            v.extend_from_slice(&w.to_be_bytes());
        }
        for d in digits {
            v.extend_from_slice(&d.to_be_bytes());
        }
        v
    }

    #[test]
    fn numeric_decodes_exactly() {
        // 12345.67 = 1|2345|6700 with weight 1, scale 2
        assert_eq!(numeric(&numeric_bytes(3, 1, 0, 2, &[1, 2345, 6700])).unwrap(), Json::from(12345.67));
        // -0.05 = 500 at weight -1
        assert_eq!(numeric(&numeric_bytes(1, -1, 0x4000, 2, &[500])).unwrap(), Json::from(-0.05));
        // 10000 = 1 at weight 1, no digits after: an integer, written as one
        assert_eq!(numeric(&numeric_bytes(1, 1, 0, 0, &[1])).unwrap(), Json::from(10000));
        // 12345678901234567890 = 1234|5678|9012|3456|7890 at weight 4: beyond a double, kept as digits
        let big = numeric_bytes(5, 4, 0, 0, &[1234, 5678, 9012, 3456, 7890]);
        assert_eq!(numeric(&big).unwrap(), Json::from("12345678901234567890"));
        assert_eq!(numeric(&numeric_bytes(0, 0, 0xC000, 0, &[])).unwrap(), Json::Null);
    }

    #[test]
    fn dates_and_timestamps_shift_epochs() {
        assert_eq!(decode(&Type::DATE, &0i32.to_be_bytes()).unwrap(), Json::from("2000-01-01"));
        assert_eq!(
            decode(&Type::TIMESTAMPTZ, &1_500_000i64.to_be_bytes()).unwrap(),
            Json::from("2000-01-01T00:00:01.5Z")
        );
    }
}
