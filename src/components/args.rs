//! What every component does with its arguments: refuse the ones it does not
//! take (with a did-you-mean), and read numbers exactly.

use crate::util::format::{Decimal, Num};
use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Error, ErrorKind};

/// Rejects keyword arguments a component did not read, naming the function and
/// suggesting the closest argument it takes (`known`).
pub fn finish_args(kwargs: &Kwargs, function: &str, known: &[&str]) -> Result<(), Error> {
    kwargs.assert_all_used().map_err(|e| {
        let detail = e.detail().unwrap_or_default().to_string();
        let Some(key) = detail.split('\'').nth(1) else { return e };
        Error::new(
            ErrorKind::TooManyArguments,
            format!(
                "{function} has no argument '{key}'{}; it takes: {}",
                crate::util::diag::suggestion(key, known.iter().copied()),
                known.join(", ")
            ),
        )
    })
}

/// The numeric value of a template value: a number, or a string in JSON's
/// number grammar (large integers and exact decimals arrive as strings; see the
/// JSON type mapping), read exactly. `None` for anything else.
pub fn as_num(v: &Value) -> Option<Num> {
    if let Some(s) = v.as_str() {
        return Decimal::parse(s).map(Num::Finite);
    }
    if v.is_integer() {
        // i64, u64 and i128 values print their exact digits.
        return Decimal::parse(&v.to_string()).map(Num::Finite);
    }
    if v.is_number() {
        return f64::try_from(v.clone()).ok().map(Num::from_f64);
    }
    None
}

/// A map argument (`ref_y={"query": …, "column": …}`, `sparkline={…}`) whose
/// keys were checked against those it takes; `what` names it in messages
/// ("bar_chart: ref_y", "table sparkline").
pub struct MapArg<'a> {
    value: &'a Value,
    what: &'a str,
}

impl<'a> MapArg<'a> {
    /// Checks that `value` is a map whose keys are all among `known`;
    /// errors name the first other key with a did-you-mean, or say that
    /// `value` is not a map (`shape` shows one).
    pub fn new(value: &'a Value, what: &'a str, known: &[&str], shape: &str) -> Result<MapArg<'a>, Error> {
        if value.kind() != ValueKind::Map {
            return Err(Error::new(ErrorKind::InvalidOperation, format!("{what} must be a map like {shape}")));
        }
        for key in value.try_iter()? {
            let key = key.to_string();
            if !known.contains(&key.as_str()) {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!(
                        "{what} has no key '{key}'{}; it takes {}",
                        crate::util::diag::suggestion(&key, known.iter().copied()),
                        known.join(", ")
                    ),
                ));
            }
        }
        Ok(MapArg { value, what })
    }

    /// The value under `key`; `None` when it is missing or none.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.value.get_attr(key).ok().filter(|x| !x.is_undefined() && !x.is_none())
    }

    /// The text under `key`; `None` when it is missing, an error when it is not text.
    pub fn text(&self, key: &str) -> Result<Option<String>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(x) => x.as_str().map(|s| Some(s.to_string())).ok_or_else(|| {
                Error::new(ErrorKind::InvalidOperation, format!("{} {key} must be text, got {x}", self.what))
            }),
        }
    }
}
