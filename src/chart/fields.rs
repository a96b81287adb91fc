//! Field names as Vega-Lite reads them, the names a rollup's figures take in
//! the rows a chart draws, and the views a rollup does not model: shared by
//! the rollup planning (`chart::rollup`) and the density view (`chart::density`).

use crate::query::rollup::{Measure, Op};

/// Views and transforms a rollup does not model: such charts get their rows.
pub(super) const UNSUPPORTED: &[(&str, &str)] = &[
    ("transform", "a transform"),
    ("layer", "layers"),
    ("concat", "concatenated views"),
    ("hconcat", "concatenated views"),
    ("vconcat", "concatenated views"),
    ("facet", "facets"),
    ("repeat", "a repeat"),
    ("spec", "a nested spec"),
];

/// The column a Vega-Lite field names (`a\.b` is the column `a.b`); `None`
/// for a path into a value (`a.b`, `a[0]`).
pub(super) fn column(field: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '.' | '[' => return None,
            _ => out.push(c),
        }
    }
    Some(out)
}

/// The field each measure's figure is drawn from: the column's own name
/// when only one measure reads it (so data tables and tooltips name the
/// column, as before the rollup), else `reach (mean)`; a count is `count`.
/// Never the name of a key or of another measure.
pub(super) fn aliases(measures: &[Measure], keys: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in measures {
        let shared = measures.iter().filter(|x| x.field == m.field).count() > 1;
        let mut name = match &m.field {
            Some(f) if !shared && !keys.contains(f) => f.clone(),
            Some(f) => format!("{f} ({})", op_name(m.op)),
            None => "count".to_string(),
        };
        while keys.contains(&name) || out.contains(&name) {
            name.push('_');
        }
        out.push(name);
    }
    out
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Count => "count",
        Op::Valid => "valid",
        Op::Sum => "sum",
        Op::Mean => "mean",
        Op::Min => "min",
        Op::Max => "max",
        Op::SumSquares => "sum of squares",
    }
}

/// A column name as a Vega-Lite field (`.`, `[`, `]` and `\` escaped).
pub(super) fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '.' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
