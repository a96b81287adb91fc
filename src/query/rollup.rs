//! Rollups: a query's result aggregated by the engine at the grain of a page
//! (a component's own keys × the columns the page's filters test, dates at
//! day grain), with partial aggregates that the browser re-aggregates exactly
//! under any combination of filters: counts and sums add, min and max take the
//! extreme, a mean is Σsum ÷ Σcount. The page ships the rollup, not the rows.

use crate::query::QueryFile;
use crate::source::sql_ident as ident;
use crate::source::value::{Column, ColumnKind, QueryResult};
use serde::Serialize;
use serde_json::Value as Json;

/// An aggregate that decomposes into partials the browser can combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Rows (`count(*)`).
    Count,
    /// Non-null values (Vega-Lite's `valid`).
    Valid,
    Sum,
    /// The arithmetic mean of the non-null values.
    Mean,
    Min,
    Max,
    /// The sum of the squared non-null values, as doubles: with the mean's
    /// sum and count it gives the variance for a 95 % interval
    /// (`docs/uncertainty.md`). Only charts and cards with `ci=true` ask for it.
    SumSquares,
}

impl Op {
    /// The op for a Vega-Lite `aggregate` or a KPI `agg` name; `None` for one
    /// that does not decompose (median, distinct, quantiles, first…).
    pub fn parse(name: &str) -> Option<Op> {
        Some(match name {
            "count" => Op::Count,
            "valid" => Op::Valid,
            "sum" => Op::Sum,
            "mean" | "average" => Op::Mean,
            "min" => Op::Min,
            "max" => Op::Max,
            _ => return None,
        })
    }

    /// The partial aggregates of a measure, as SQL over one (quoted) column, in
    /// the order the file holds them: a mean is (sum, non-null count).
    /// A sum of floating-point values adds them in ascending order, so both
    /// engines (whatever order their rows come in) round the same way and
    /// write the same bytes.
    fn partials(self, column: &str, float: bool) -> Vec<String> {
        let sum = if float { format!("sum({column} ORDER BY {column})") } else { format!("sum({column})") };
        match self {
            Op::Count => vec!["count(*)".into()],
            Op::Valid => vec![format!("count({column})")],
            Op::Sum => vec![sum],
            Op::Mean => vec![sum, format!("count({column})")],
            Op::Min => vec![format!("min({column})")],
            Op::Max => vec![format!("max({column})")],
            // In doubles whatever the column's type (a square of a big
            // integer would overflow it), added in the column's order.
            Op::SumSquares => {
                let x = format!("CAST({column} AS DOUBLE PRECISION)");
                vec![format!("sum({x} * {x} ORDER BY {column})")]
            }
        }
    }

    /// Whether the column's values must be numbers for the engine to compute it.
    fn needs_number(self) -> bool {
        matches!(self, Op::Sum | Op::Mean | Op::SumSquares)
    }
}

/// One aggregate a component shows: an op over a column (none for a count of rows).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Measure {
    pub op: Op,
    pub field: Option<String>,
}

/// What a component asks of its query: its measures grouped by its own keys
/// (raw values), by `bins` (a number column cut into equal intervals) and by
/// `days` (columns it reads at day grain, e.g. a KPI's period column). The
/// page's filter columns are added when the page is planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub query: String,
    pub keys: Vec<String>,
    pub bins: Vec<Bin>,
    pub days: Vec<String>,
    pub measures: Vec<Measure>,
}

/// A number column cut into `count` equal intervals from `start`, each
/// `step` wide (on the natural log of the value when `log`, for a log
/// scale); the interval's number, 0 to count − 1, is a grain column named
/// `alias`. Values below the first interval fall in it and values above the
/// last in that one; nulls (and, on a log scale, zero or below) in none.
/// The bounds go into the SQL as Rust's shortest round-trip decimal, so the
/// engine reads back the same doubles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    pub field: String,
    pub alias: String,
    pub start: f64,
    pub step: f64,
    pub count: u32,
    pub log: bool,
}

// Bounds are finite (checked where a bin is made), so equality is total.
impl Eq for Bin {}

impl Bin {
    /// The interval's number as SQL, for DuckDB and PostgreSQL alike.
    fn sql(&self) -> String {
        let column = format!("CAST({} AS DOUBLE PRECISION)", ident(&self.field));
        let (value, inside) = if self.log {
            (format!("ln({column})"), format!("{column} > 0"))
        } else {
            (column.clone(), format!("{column} IS NOT NULL"))
        };
        let index = format!(
            "floor(({value} - CAST({} AS DOUBLE PRECISION)) / CAST({} AS DOUBLE PRECISION))",
            self.start, self.step
        );
        format!(
            "CASE WHEN {inside} THEN CAST(least(greatest({index}, 0), {}) AS INTEGER) END AS {}",
            self.count.saturating_sub(1),
            ident(&self.alias)
        )
    }

    /// Where interval `i` starts, in the column's units.
    pub fn lower(&self, i: u32) -> f64 {
        let at = self.start + self.step * f64::from(i);
        if self.log {
            at.exp()
        } else {
            at
        }
    }
}

/// Why a component's aggregates cannot come from a rollup of a query with these columns.
pub fn unsupported(columns: &[Column], measures: &[Measure]) -> Option<String> {
    for m in measures {
        let Some(field) = &m.field else { continue };
        let Some(col) = columns.iter().find(|c| &c.name == field) else {
            return Some(format!("'{field}' is not a column"));
        };
        if m.op.needs_number() && col.kind() != ColumnKind::Number {
            return Some(format!("'{field}' is not a number column ({})", col.sql_type));
        }
    }
    None
}

/// A rollup to compute: the grain (`keys` as raw values, then `days` as the
/// calendar day of each value, `YYYY-MM-DD`) and the measures, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollup {
    pub query: String,
    pub keys: Vec<String>,
    pub bins: Vec<Bin>,
    pub days: Vec<String>,
    pub measures: Vec<Measure>,
}

/// Whether an engine type (DuckDB's or PostgreSQL's name) is floating point.
pub fn is_float(sql_type: &str) -> bool {
    let t = sql_type.trim().to_ascii_lowercase();
    matches!(t.as_str(), "double" | "float" | "real" | "float4" | "float8" | "double precision")
}

impl Rollup {
    /// The grain's column names, keys, bins then days: the first columns of the file.
    pub fn grain(&self) -> impl Iterator<Item = &String> {
        self.keys.iter().chain(self.bins.iter().map(|b| &b.alias)).chain(&self.days)
    }

    /// The rollup as a query of its own: the query's SQL wrapped in a
    /// `GROUP BY` of the grain. Runs unchanged on DuckDB and PostgreSQL. A day
    /// is the first ten characters of the value as text, which is the local
    /// calendar day (the session's time zone is the project's), as the
    /// runtime's date filter reads it from the JSON value.
    /// `floats` are the query's floating-point columns (see [`is_float`]).
    /// `kept`: the table holding the base query's result, where the engine
    /// keeps one ([`crate::source::Source::keep`]); the rollup reads it
    /// instead of running the base query again. Its text, the cache's key,
    /// is the same either way.
    pub fn query_file(&self, base: &QueryFile, floats: &[&str], kept: Option<&str>) -> QueryFile {
        let mut select: Vec<String> = self.keys.iter().map(|k| ident(k)).collect();
        select.extend(self.bins.iter().map(Bin::sql));
        select
            .extend(self.days.iter().map(|d| format!("substr(CAST({} AS VARCHAR), 1, 10) AS {}", ident(d), ident(d))));
        let grain = select.len();
        select.push("count(*) AS \"n\"".into());
        for (i, m) in self.measures.iter().enumerate() {
            let column = m.field.as_deref().map(ident).unwrap_or_default();
            let float = m.field.as_deref().is_some_and(|f| floats.contains(&f));
            for (j, p) in m.op.partials(&column, float).into_iter().enumerate() {
                select.push(format!("{p} AS \"m{i}_{j}\""));
            }
        }
        let group = if grain == 0 {
            String::new()
        } else {
            format!(" GROUP BY {}", (1..=grain).map(|i| i.to_string()).collect::<Vec<_>>().join(", "))
        };
        let over = |inner: &str| format!("SELECT {} FROM (\n{inner}\n) AS vcd_rollup{group}", select.join(", "));
        let sql = over(strip_terminator(&base.run_sql));
        let run_sql = kept.map_or_else(|| sql.clone(), |t| over(&format!("SELECT * FROM {}", ident(t))));
        QueryFile {
            name: base.name.clone(),
            path: base.path.clone(),
            sql: format!("-- vcd rollup\n{sql}\n-- of:\n{}", base.sql),
            run_sql,
            params: Vec::new(),
            timeout: base.timeout,
        }
    }
}

/// The query's SQL without the semicolon that may end it (and whatever
/// whitespace or comments follow), so it can be wrapped as a subquery.
pub fn strip_terminator(sql: &str) -> &str {
    let statements = crate::util::sqltext::statements(sql);
    let first = statements.into_iter().find(|s| !crate::util::sqltext::code_only(s).trim().is_empty());
    first.unwrap_or(sql)
}

/// The rollup's result as its file: `[[column values]…]`, one array per
/// column (grain, `n`, then each measure's partials), rows sorted by the
/// grain (the table order of `docs/formatting.md`) so the file is the same
/// bytes from either engine.
pub fn file_bytes(result: &QueryResult, grain: usize) -> Vec<u8> {
    use crate::util::format::OrderKey;
    use std::cmp::Ordering;
    // Each grain value's key is worked out once (nulls have none: they go last).
    let keys: Vec<Vec<Option<OrderKey>>> = result
        .rows
        .iter()
        .map(|r| r[..grain].iter().map(|v| (!v.is_null()).then(|| OrderKey::of(v))).collect())
        .collect();
    let mut order: Vec<usize> = (0..result.rows.len()).collect();
    order.sort_by(|&a, &b| {
        keys[a]
            .iter()
            .zip(&keys[b])
            .map(|(x, y)| match (x, y) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(x), Some(y)) => x.cmp_to(y),
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    let rows: Vec<&Vec<Json>> = order.iter().map(|&i| &result.rows[i]).collect();
    let columns: Vec<Vec<&Json>> = (0..result.columns.len()).map(|c| rows.iter().map(|r| &r[c]).collect()).collect();
    serde_json::to_vec(&columns).expect("JSON values serialise")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn the_sql_groups_by_the_grain_and_names_partials_by_position() {
        let base = QueryFile::new("p".into(), PathBuf::from("queries/p.sql"), "select * from posts; -- done\n".into());
        let r = Rollup {
            query: "p".into(),
            keys: vec!["plat\"form".into()],
            bins: vec![],
            days: vec!["posted_at".into()],
            measures: vec![
                Measure { op: Op::Mean, field: Some("reach".into()) },
                Measure { op: Op::Count, field: None },
            ],
        };
        let q = r.query_file(&base, &["reach"], None);
        assert_eq!(
            q.run_sql,
            "SELECT \"plat\"\"form\", substr(CAST(\"posted_at\" AS VARCHAR), 1, 10) AS \"posted_at\", count(*) AS \"n\", \
             sum(\"reach\" ORDER BY \"reach\") AS \"m0_0\", count(\"reach\") AS \"m0_1\", count(*) AS \"m1_0\" FROM (\nselect * from posts\n) \
             AS vcd_rollup GROUP BY 1, 2"
        );
        assert!(q.sql.contains("select * from posts; -- done"), "the cache key holds the query's own text");
    }

    #[test]
    fn no_grain_is_one_row() {
        let base = QueryFile::new("p".into(), PathBuf::from("queries/p.sql"), "select 1 as x".into());
        let r = Rollup { query: "p".into(), keys: vec![], bins: vec![], days: vec![], measures: vec![] };
        assert_eq!(
            r.query_file(&base, &[], None).run_sql,
            "SELECT count(*) AS \"n\" FROM (\nselect 1 as x\n) AS vcd_rollup"
        );
    }

    #[test]
    fn files_are_columns_sorted_by_the_grain_nulls_last() {
        let result = QueryResult {
            columns: ["k", "n"]
                .iter()
                .map(|c| crate::source::value::Column { name: c.to_string(), sql_type: "X".into() })
                .collect(),
            rows: vec![
                vec![Json::Null, 1.into()],
                vec!["b".into(), 2.into()],
                vec![10.into(), 3.into()],
                vec!["a".into(), 4.into()],
            ],
        };
        assert_eq!(String::from_utf8(file_bytes(&result, 1)).unwrap(), r#"[[10,"a","b",null],[3,4,2,1]]"#);
    }
}
