//! A result too big to hold (more than `max_rows` rows), as the pages see it:
//! its columns and a profile the engine computes in one pass: how many rows,
//! how many distinct values each text column holds (a chart lays out few
//! categories differently from many), and the extent of each number column
//! (where a scatter drawn as a density cuts its grid), so these read the
//! same whether or not the rows are held.

use crate::query::QueryFile;
use crate::source::value::{Column, ColumnKind, QueryResult};
use crate::util::format::Num;
use serde_json::Value as Json;

/// The finite values of a number column as doubles: the least and greatest,
/// and the least and greatest of those above zero (what a log scale can
/// show); `None` where there is none.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Extent {
    pub all: Option<(f64, f64)>,
    pub positive: Option<(f64, f64)>,
}

impl Extent {
    /// The extent of some values, as the held rows give them: each number
    /// (a JSON number or a numeric string) read as a double; nulls, text,
    /// NaN and infinities left out.
    pub fn of<'a>(values: impl Iterator<Item = &'a Json>) -> Extent {
        let widen = |e: Option<(f64, f64)>, v: f64| Some(e.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
        let mut out = Extent::default();
        // Read as a table's bars and colours read a cell: one rule for a number's double.
        for v in values.filter_map(crate::util::cellscale::value) {
            out.all = widen(out.all, v);
            if v > 0.0 {
                out.positive = widen(out.positive, v);
            }
        }
        out
    }
}

/// A result of more than `max_rows` rows: what components may know of it
/// without its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Unheld {
    pub columns: Vec<Column>,
    /// How many rows it has; `None` when the profile did not run.
    pub rows: Option<u64>,
    /// Per column, how many distinct values it holds, a null counting as
    /// one; `None` for a column that is not text or boolean
    /// ([`ColumnKind::Category`]), or when the profile did not run.
    pub distinct: Vec<Option<u64>>,
    /// Per column, its [`Extent`]; `None` for a column that is not a number
    /// column ([`ColumnKind::Number`]), or when the profile did not run.
    pub extents: Vec<Option<Extent>>,
}

impl Unheld {
    /// Profile not known yet.
    pub fn new(columns: Vec<Column>) -> Unheld {
        let n = columns.len();
        Unheld { columns, rows: None, distinct: vec![None; n], extents: vec![None; n] }
    }

    /// The query that profiles `base`'s result: one row, `n` (its rows),
    /// `d<i>` (distinct values of text column `i`), and `lo<i>`, `hi<i>`,
    /// `plo<i>`, `phi<i>` (least and greatest finite values of number
    /// column `i`, all and above zero). Runs unchanged on DuckDB and
    /// PostgreSQL (`FILTER` is standard SQL; NaN sorts above every double on both).
    pub fn profile_query(&self, base: &QueryFile) -> QueryFile {
        let mut parts = vec!["count(*) AS \"n\"".to_string()];
        for (i, c) in self.columns.iter().enumerate() {
            let column = crate::source::sql_ident(&c.name);
            match c.kind() {
                ColumnKind::Category => parts.push(format!(
                    "count(DISTINCT {column}) + coalesce(max(CASE WHEN {column} IS NULL THEN 1 ELSE 0 END), 0) AS \"d{i}\""
                )),
                ColumnKind::Number => {
                    let finite = if crate::query::rollup::is_float(&c.sql_type) {
                        format!(
                            "{column} > CAST('-Infinity' AS DOUBLE PRECISION) AND {column} < CAST('Infinity' AS DOUBLE PRECISION)"
                        )
                    } else {
                        format!("{column} IS NOT NULL")
                    };
                    for (name, op, filter) in [
                        ("lo", "min", finite.clone()),
                        ("hi", "max", finite.clone()),
                        ("plo", "min", format!("{finite} AND {column} > 0")),
                        ("phi", "max", format!("{finite} AND {column} > 0")),
                    ] {
                        parts.push(format!("{op}({column}) FILTER (WHERE {filter}) AS \"{name}{i}\""));
                    }
                }
                _ => {}
            }
        }
        let sql = format!(
            "SELECT {} FROM (\n{}\n) AS vcd_profile",
            parts.join(", "),
            crate::query::rollup::strip_terminator(&base.run_sql)
        );
        QueryFile {
            name: base.name.clone(),
            path: base.path.clone(),
            sql: format!("-- vcd profile\n{sql}\n-- of:\n{}", base.sql),
            run_sql: sql,
            params: Vec::new(),
            timeout: base.timeout,
        }
    }

    /// Takes the profile from the result of [`Unheld::profile_query`].
    pub fn set_profile(&mut self, profile: &QueryResult) {
        let Some(row) = profile.rows.first() else { return };
        let count = |v: &Json| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
        let mut ends: Vec<[Option<f64>; 4]> = vec![[None; 4]; self.columns.len()];
        for (c, value) in profile.columns.iter().zip(row) {
            if c.name == "n" {
                self.rows = count(value);
                continue;
            }
            let split = c.name.find(|ch: char| ch.is_ascii_digit()).unwrap_or(c.name.len());
            let (what, at) = c.name.split_at(split);
            let Ok(at) = at.parse::<usize>() else { continue };
            if at >= self.columns.len() {
                continue;
            }
            let end = match Num::from_json(value) {
                Some(Num::Finite(d)) => Some(d.to_f64()).filter(|v| v.is_finite()),
                _ => None,
            };
            match what {
                "d" => self.distinct[at] = count(value),
                "lo" => ends[at][0] = end,
                "hi" => ends[at][1] = end,
                "plo" => ends[at][2] = end,
                "phi" => ends[at][3] = end,
                _ => {}
            }
        }
        for (at, [lo, hi, plo, phi]) in ends.into_iter().enumerate() {
            if self.columns[at].kind() == ColumnKind::Number {
                self.extents[at] = Some(Extent { all: lo.zip(hi), positive: plo.zip(phi) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    fn col(n: &str, t: &str) -> Column {
        Column { name: n.into(), sql_type: t.into() }
    }

    #[test]
    fn the_profile_counts_rows_and_text_values_and_spans_number_columns() {
        let mut u = Unheld::new(vec![col("n", "BIGINT"), col("pla\"tform", "VARCHAR"), col("r", "DOUBLE")]);
        let base = QueryFile::new("q".into(), PathBuf::from("queries/q.sql"), "select * from t;\n".into());
        let q = u.profile_query(&base);
        assert_eq!(
            q.run_sql,
            "SELECT count(*) AS \"n\", \
             min(\"n\") FILTER (WHERE \"n\" IS NOT NULL) AS \"lo0\", max(\"n\") FILTER (WHERE \"n\" IS NOT NULL) AS \"hi0\", \
             min(\"n\") FILTER (WHERE \"n\" IS NOT NULL AND \"n\" > 0) AS \"plo0\", \
             max(\"n\") FILTER (WHERE \"n\" IS NOT NULL AND \"n\" > 0) AS \"phi0\", \
             count(DISTINCT \"pla\"\"tform\") + coalesce(max(CASE WHEN \"pla\"\"tform\" IS NULL THEN 1 ELSE 0 END), 0) AS \"d1\", \
             min(\"r\") FILTER (WHERE \"r\" > CAST('-Infinity' AS DOUBLE PRECISION) AND \"r\" < CAST('Infinity' AS DOUBLE PRECISION)) AS \"lo2\", \
             max(\"r\") FILTER (WHERE \"r\" > CAST('-Infinity' AS DOUBLE PRECISION) AND \"r\" < CAST('Infinity' AS DOUBLE PRECISION)) AS \"hi2\", \
             min(\"r\") FILTER (WHERE \"r\" > CAST('-Infinity' AS DOUBLE PRECISION) AND \"r\" < CAST('Infinity' AS DOUBLE PRECISION) AND \"r\" > 0) AS \"plo2\", \
             max(\"r\") FILTER (WHERE \"r\" > CAST('-Infinity' AS DOUBLE PRECISION) AND \"r\" < CAST('Infinity' AS DOUBLE PRECISION) AND \"r\" > 0) AS \"phi2\" \
             FROM (\nselect * from t\n) AS vcd_profile"
        );
        let names = ["n", "lo0", "hi0", "plo0", "phi0", "d1", "lo2", "hi2", "plo2", "phi2"];
        let profile = QueryResult {
            columns: names.iter().map(|n| col(n, "BIGINT")).collect(),
            rows: vec![vec![
                json!(7),
                json!(-3),
                json!("12"),
                json!(2),
                json!(12),
                json!(3),
                Json::Null,
                Json::Null,
                Json::Null,
                Json::Null,
            ]],
        };
        u.set_profile(&profile);
        assert_eq!(u.rows, Some(7));
        assert_eq!(u.distinct, vec![None, Some(3), None]);
        assert_eq!(
            u.extents,
            vec![Some(Extent { all: Some((-3.0, 12.0)), positive: Some((2.0, 12.0)) }), None, Some(Extent::default())]
        );
    }

    /// The held rows' extent leaves out what the profile's filters leave out.
    #[test]
    fn an_extent_of_held_values_skips_nulls_text_and_non_finite_numbers() {
        let values =
            [json!(null), json!("x"), json!("NaN"), json!(f64::MAX), json!("-0.5"), json!(4), json!(0), json!("1e400")];
        let e = Extent::of(values.iter());
        assert_eq!(e, Extent { all: Some((-0.5, f64::MAX)), positive: Some((4.0, f64::MAX)) });
        assert_eq!(Extent::of([json!("a")].iter()), Extent::default());
    }
}
