//! A KPI card's figure: one number from a column of rows (`first`, `sum`,
//! `mean`, `min`, `max`, `count`), exact wherever exact arithmetic is possible,
//! and marked approximate where it is not (`docs/formatting.md`, "Exact values").
//! The runtime (`theme/vcd.js`, `kpiAggregate`) computes the same figures by the
//! same rules, with BigInt where this uses i128, so a card reads the same before
//! and after the scripts run.

use crate::util::format::{Decimal, Num};
use serde_json::Value as Json;

/// An aggregate's value and whether every digit of it is right.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub num: Num,
    /// False when a double had to stand in for a value it cannot hold (an
    /// integer beyond ±2^53 mixed with fractions, a mean of such integers, a
    /// sum beyond the i128 range): the card then shows `≈` before the figure.
    pub exact: bool,
}

impl Figure {
    fn exact(d: Decimal) -> Figure {
        Figure { num: Num::Finite(d), exact: true }
    }

    /// A double result; exact when `holds` (its inputs all fit a double).
    fn double(n: f64, holds: bool) -> Figure {
        Figure { num: Num::from_f64(n), exact: holds }
    }

    /// The value as the nearest double.
    pub fn to_f64(&self) -> f64 {
        match &self.num {
            Num::Finite(d) => d.to_f64(),
            Num::NaN => f64::NAN,
            Num::Infinite { negative } => {
                if *negative {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
        }
    }

    /// The exact decimal text of the value (`data-value` of a card); empty when not finite.
    pub fn text(&self) -> String {
        match &self.num {
            Num::Finite(d) => d.to_string(),
            _ => String::new(),
        }
    }
}

/// Whether a double holds a decimal and shows it with the same digits: its
/// nearest double's shortest decimal is the decimal itself (every integer within
/// ±2^53 and `0.1` do; `9007199254740993` and `12345678901234567.89` do not).
fn fits_double(d: &Decimal) -> bool {
    Decimal::from_f64(d.to_f64()).as_ref() == Some(d)
}

/// [`fits_double`] for a figure (a non-finite one never fits).
fn figure_fits(f: &Figure) -> bool {
    matches!(&f.num, Num::Finite(d) if fits_double(d))
}

/// The sum of exact decimals: exact as integers when all are integers and the
/// sum stays within i128, otherwise the double sum in row order.
fn sum(values: &[Decimal]) -> Figure {
    if values.iter().all(Decimal::is_integer) {
        let exact = values.iter().try_fold(0i128, |s, d| s.checked_add(d.to_i128()?));
        if let Some(s) = exact {
            return Figure::exact(Decimal::from_i128(s));
        }
    }
    let total = values.iter().fold(0.0, |s, d| s + d.to_f64());
    Figure::double(total, values.iter().all(fits_double))
}

/// `agg` over a column's values; nulls and text are skipped, and `None` when
/// no value is left (except `count`, which counts rows, and `sum`, which is 0).
pub fn aggregate<'a>(agg: &str, values: impl Iterator<Item = &'a Json>) -> Option<Figure> {
    let all: Vec<&Json> = values.collect();
    if agg == "count" {
        return Some(Figure::exact(Decimal::from_i128(all.len() as i128)));
    }
    let numbers: Vec<Decimal> = all
        .iter()
        .filter_map(|v| match Num::from_json(v) {
            Some(Num::Finite(d)) => Some(d),
            _ => None,
        })
        .collect();
    match agg {
        "first" => match all.first().map(|v| Num::from_json(v)) {
            Some(Some(Num::Finite(d))) => Some(Figure::exact(d)),
            _ => None,
        },
        "sum" => Some(sum(&numbers)),
        "mean" if !numbers.is_empty() => {
            let s = sum(&numbers);
            let mean = s.to_f64() / numbers.len() as f64;
            Some(Figure::double(mean, s.exact && figure_fits(&s)))
        }
        "min" => numbers.into_iter().min().map(Figure::exact),
        "max" => numbers.into_iter().max().map(Figure::exact),
        _ => None,
    }
}

/// One rollup row as a KPI reads it: the partials of its measure (see
/// [`crate::query::rollup::Op`]'s partials; a mean's are its sum and its
/// count of values) and the row count of its group.
pub struct Partials<'a> {
    pub rows: u64,
    pub first: &'a Json,
    pub second: Option<&'a Json>,
}

/// `op` over a KPI's rollup rows: the figure [`aggregate`] gives over the
/// rows they stand for, by the rules of the runtime's `kpiRollup`. A count
/// adds the groups' row counts; a sum adds the partial sums as [`aggregate`]
/// adds values (exact integers in i128, else doubles); a mean divides that sum
/// by the added counts; min and max take the extreme partial. `None` where
/// there is no value (a mean, min or max of no values).
pub fn from_partials<'a>(op: crate::query::rollup::Op, rows: impl Iterator<Item = Partials<'a>>) -> Option<Figure> {
    use crate::query::rollup::Op;
    let rows: Vec<Partials> = rows.collect();
    if op == Op::Count {
        let n: u64 = rows.iter().map(|r| r.rows).sum();
        return Some(Figure::exact(Decimal::from_i128(i128::from(n))));
    }
    let mut count = 0.0;
    let mut numbers = Vec::new();
    for r in &rows {
        if let Some(Num::Finite(d)) = Num::from_json(r.first) {
            numbers.push(d);
            count += r.second.and_then(Num::from_json).map_or(0.0, |n| Figure { num: n, exact: true }.to_f64());
        }
    }
    match op {
        Op::Sum => Some(sum(&numbers)),
        Op::Mean if !numbers.is_empty() => {
            let s = sum(&numbers);
            Some(Figure::double(s.to_f64() / count, s.exact && figure_fits(&s)))
        }
        Op::Min => numbers.into_iter().min().map(Figure::exact),
        Op::Max => numbers.into_iter().max().map(Figure::exact),
        _ => None,
    }
}

/// `now − before`: exact for two exact integers (within i128), else in doubles.
pub fn difference(now: &Figure, before: &Figure) -> Figure {
    if let (Num::Finite(a), Num::Finite(b)) = (&now.num, &before.num) {
        if let (Some(x), Some(y)) = (a.to_i128(), b.to_i128()) {
            if let Some(d) = x.checked_sub(y) {
                return Figure { num: Num::Finite(Decimal::from_i128(d)), exact: now.exact && before.exact };
            }
        }
    }
    let exact = now.exact && before.exact && figure_fits(now) && figure_fits(before);
    Figure::double(now.to_f64() - before.to_f64(), exact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn agg(a: &str, rows: Json) -> Figure {
        aggregate(a, rows.as_array().unwrap().iter()).unwrap()
    }

    #[test]
    fn integer_sums_are_exact_beyond_two_to_the_53() {
        let f = agg("sum", json!(["9007199254740993", 2, null, "x"]));
        assert_eq!((f.text(), f.exact), ("9007199254740995".to_string(), true));
        let f = agg("sum", json!(["-9223372036854775808", "-9223372036854775808"]));
        assert_eq!(f.text(), "-18446744073709551616");
        let f = agg("max", json!(["170141183460469231731687303715884105727", 1]));
        assert_eq!((f.text(), f.exact), ("170141183460469231731687303715884105727".to_string(), true));
    }

    #[test]
    fn inexact_figures_say_so() {
        assert!(!agg("sum", json!(["9007199254740993", 0.5])).exact);
        assert!(!agg("mean", json!(["9007199254740993", 2])).exact, "the sum 9007199254740995 is not a double");
        assert!(agg("mean", json!(["9007199254740993", 1])).exact, "the sum 9007199254740994 is a double");
        assert!(!agg("sum", json!(["170141183460469231731687303715884105727", 1])).exact);
        assert!(agg("mean", json!([1, 2])).exact);
        assert_eq!(agg("mean", json!([1, 2])).text(), "1.5");
        assert_eq!(agg("sum", json!([0.1, 0.2])).text(), "0.30000000000000004");
    }

    #[test]
    fn partials_give_the_figure_of_the_rows_they_stand_for() {
        use crate::query::rollup::Op;
        // Two groups' partials, as the engine computes them: [row count, sum, count of values].
        let groups = [
            (json!(["9007199254740993", 1, null]), json!([3, "9007199254740994", 2])),
            (json!([4, -2]), json!([2, 2, 2])),
        ];
        let rows: Vec<Json> = groups.iter().flat_map(|(r, _)| r.as_array().unwrap().clone()).collect();
        for (op, name) in
            [(Op::Count, "count"), (Op::Sum, "sum"), (Op::Mean, "mean"), (Op::Min, "min"), (Op::Max, "max")]
        {
            let parts: Vec<Json> = groups
                .iter()
                .map(|(r, p)| match op {
                    Op::Min | Op::Max => {
                        let f = aggregate(name, r.as_array().unwrap().iter()).unwrap();
                        json!([p[0], f.text()])
                    }
                    _ => p.clone(),
                })
                .collect();
            let partials =
                parts.iter().map(|p| Partials { rows: p[0].as_u64().unwrap(), first: &p[1], second: p.get(2) });
            assert_eq!(from_partials(op, partials), aggregate(name, rows.iter()), "{name}");
        }
        let none: [Partials; 0] = [];
        assert_eq!(from_partials(Op::Mean, none.into_iter()), None);
    }

    #[test]
    fn differences_of_integers_are_exact() {
        let a = agg("first", json!(["9007199254740995"]));
        let b = agg("first", json!(["9007199254740993"]));
        assert_eq!(difference(&a, &b).text(), "2");
    }
}
