//! In-cell bars and colour scales of table columns: where a value sits in its
//! column's range, written as CSS custom properties (`docs/formatting.md`,
//! "Cell scales"; the runtime's `barStyle` and `heatStyle` do the same, held
//! to it by `tests/format_vectors.json`).

use crate::util::format::{format, Num, Style};
use serde_json::Value as Json;

/// A cell's value as a double (its shortest decimal read as the nearest
/// double); `None` for null, text, anything else that is not a number, and
/// a number beyond a double's range.
pub fn value(v: &Json) -> Option<f64> {
    match Num::from_json(v)? {
        Num::Finite(d) => Some(d.to_f64()).filter(|x| x.is_finite()),
        _ => None,
    }
}

/// The least and greatest number among `values`, each read as [`value`]
/// reads it (`None` when there is none).
pub fn domain<'a>(values: impl Iterator<Item = &'a Json>) -> Option<(f64, f64)> {
    values.filter_map(value).fold(None, |range, v| Some(range.map_or((v, v), |(lo, hi)| (v.min(lo), v.max(hi)))))
}

fn percent(x: f64, decimals: u32) -> String {
    format(&Num::from_f64(x), Style::Number, decimals)
}

/// An in-cell bar: `--vcd-from:F%;--vcd-to:T%`, the bar running from zero to
/// the value across the column's range widened to take in zero, each end
/// with one decimal. `None` for a value that is not a number or a range of
/// zero width.
pub fn bar(v: &Json, (lo, hi): (f64, f64)) -> Option<String> {
    let v = value(v)?;
    let (a, b) = (lo.min(0.0), hi.max(0.0));
    if b <= a {
        return None;
    }
    let from = (v.min(0.0) - a) / (b - a) * 100.0;
    let to = (v.max(0.0) - a) / (b - a) * 100.0;
    Some(format!("--vcd-from:{}%;--vcd-to:{}%", percent(from, 1), percent(to, 1)))
}

/// A colour scale's cell: `--vcd-heat:T`, where the value sits from the
/// column's least (0) to its greatest (1), with two decimals; 0.5 for a
/// column of one value. `None` for a value that is not a number.
pub fn heat(v: &Json, (lo, hi): (f64, f64)) -> Option<String> {
    let v = value(v)?;
    let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
    Some(format!("--vcd-heat:{}", percent(t, 2)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bars_run_from_zero_and_colours_from_the_least() {
        assert_eq!(bar(&json!(25), (0.0, 100.0)).unwrap(), "--vcd-from:0.0%;--vcd-to:25.0%");
        assert_eq!(bar(&json!(-5), (-10.0, 30.0)).unwrap(), "--vcd-from:12.5%;--vcd-to:25.0%");
        assert_eq!(bar(&json!("12345678901234567890"), (0.0, 1e20)).unwrap(), "--vcd-from:0.0%;--vcd-to:12.3%");
        assert_eq!(bar(&json!(0), (0.0, 0.0)), None);
        assert_eq!(heat(&json!(3), (1.0, 5.0)).unwrap(), "--vcd-heat:0.50");
        assert_eq!(heat(&json!("n/a"), (1.0, 5.0)), None);
        assert_eq!(domain([json!(3), json!(null), json!("x"), json!(-1.5)].iter()), Some((-1.5, 3.0)));
    }
}
