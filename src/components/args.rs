//! What every component does with its arguments: refuse the ones it does not
//! take (with a did-you-mean), and read numbers exactly.

use crate::util::format::{Decimal, Num};
use minijinja::value::{Kwargs, Value};
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
