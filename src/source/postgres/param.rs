//! Input values bound as PostgreSQL parameters, converted to the type the server
//! inferred for each placeholder (PostgreSQL checks binary parameter types strictly).

use postgres::types::{ToSql, Type};
use serde_json::Value as Json;

type Param = Box<dyn ToSql + Sync>;

/// `value` as a parameter of type `ty`; null binds as SQL NULL of any type.
pub fn bind(ty: &Type, value: &Json) -> Result<Param, String> {
    if value.is_null() {
        return Ok(Box::new(Null));
    }
    let text = match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    let bad = |what: &str| format!("cannot use {value} as {what}");
    Ok(match *ty {
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => Box::new(text),
        Type::BOOL => Box::new(value.as_bool().or_else(|| text.parse().ok()).ok_or_else(|| bad("boolean"))?),
        Type::INT2 => Box::new(text.parse::<i16>().map_err(|_| bad("smallint"))?),
        Type::INT4 => Box::new(text.parse::<i32>().map_err(|_| bad("integer"))?),
        Type::INT8 => Box::new(text.parse::<i64>().map_err(|_| bad("bigint"))?),
        Type::FLOAT4 => Box::new(text.parse::<f32>().map_err(|_| bad("real"))?),
        Type::FLOAT8 => Box::new(text.parse::<f64>().map_err(|_| bad("double precision"))?),
        Type::DATE => Box::new(chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| bad("date"))?),
        _ => {
            return Err(format!(
                "PostgreSQL expects type {ty} here, which input values cannot be bound as; \
                 cast the parameter in SQL, e.g. $name::text"
            ))
        }
    })
}

/// The type each value suggests, for a statement whose parameters the server
/// cannot type from the SQL alone: NULL and text are `text`.
pub fn types_of(values: &[Json]) -> Vec<Type> {
    values
        .iter()
        .map(|v| match v {
            Json::Bool(_) => Type::BOOL,
            Json::Number(n) if n.is_i64() => Type::INT8,
            Json::Number(_) => Type::FLOAT8,
            _ => Type::TEXT,
        })
        .collect()
}

/// SQL NULL for a parameter of any type.
#[derive(Debug)]
struct Null;

impl ToSql for Null {
    fn to_sql(
        &self,
        _: &Type,
        _: &mut postgres::types::private::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Ok(postgres::types::IsNull::Yes)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    postgres::types::to_sql_checked!();
}
