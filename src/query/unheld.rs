//! A result too big to hold (more than `max_rows` rows), as the pages see it:
//! its columns, and how many distinct values each text column holds, counted
//! by the engine, since a chart lays out few categories differently from
//! many (the shorthand charts) whether or not its rows are held.

use crate::query::QueryFile;
use crate::source::value::{Column, ColumnKind, QueryResult};

/// A result of more than `max_rows` rows: what components may know of it
/// without its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Unheld {
    pub columns: Vec<Column>,
    /// Per column, how many distinct values it holds, a null counting as
    /// one; `None` for a column that is not text or boolean
    /// ([`ColumnKind::Category`]), or when the count did not run.
    pub distinct: Vec<Option<u64>>,
}

impl Unheld {
    /// Counts not known yet.
    pub fn new(columns: Vec<Column>) -> Unheld {
        let distinct = vec![None; columns.len()];
        Unheld { columns, distinct }
    }

    /// The query that counts the distinct values of the text columns of
    /// `base`'s result: one row, a column for each such column, named by
    /// position (`d3`); `None` when the result has none. Runs unchanged on
    /// DuckDB and PostgreSQL.
    pub fn count_query(&self, base: &QueryFile) -> Option<QueryFile> {
        let counts: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind() == ColumnKind::Category)
            .map(|(i, c)| {
                let column = crate::source::sql_ident(&c.name);
                format!(
                    "count(DISTINCT {column}) + coalesce(max(CASE WHEN {column} IS NULL THEN 1 ELSE 0 END), 0) AS \"d{i}\""
                )
            })
            .collect();
        if counts.is_empty() {
            return None;
        }
        let sql = format!(
            "SELECT {} FROM (\n{}\n) AS vcd_distinct",
            counts.join(", "),
            crate::query::rollup::strip_terminator(&base.run_sql)
        );
        Some(QueryFile {
            name: base.name.clone(),
            path: base.path.clone(),
            sql: format!("-- vcd distinct values\n{sql}\n-- of:\n{}", base.sql),
            run_sql: sql,
            params: Vec::new(),
        })
    }

    /// Takes the counts from the result of [`Unheld::count_query`].
    pub fn set_counts(&mut self, counts: &QueryResult) {
        let Some(row) = counts.rows.first() else { return };
        for (c, value) in counts.columns.iter().zip(row) {
            let at = c.name.strip_prefix('d').and_then(|i| i.parse::<usize>().ok());
            let n = value.as_u64().or_else(|| value.as_str().and_then(|s| s.parse().ok()));
            if let Some(slot) = at.and_then(|i| self.distinct.get_mut(i)) {
                *slot = n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn text_columns_are_counted_by_position_with_null_as_a_value() {
        let col = |n: &str, t: &str| Column { name: n.into(), sql_type: t.into() };
        let mut u = Unheld::new(vec![col("n", "BIGINT"), col("pla\"tform", "VARCHAR")]);
        let base = QueryFile::new("q".into(), PathBuf::from("queries/q.sql"), "select * from t;\n".into());
        let q = u.count_query(&base).unwrap();
        assert_eq!(
            q.run_sql,
            "SELECT count(DISTINCT \"pla\"\"tform\") + coalesce(max(CASE WHEN \"pla\"\"tform\" IS NULL THEN 1 ELSE 0 \
             END), 0) AS \"d1\" FROM (\nselect * from t\n) AS vcd_distinct"
        );
        let counts = QueryResult { columns: vec![col("d1", "BIGINT")], rows: vec![vec![3.into()]] };
        u.set_counts(&counts);
        assert_eq!(u.distinct, vec![None, Some(3)]);
        assert!(Unheld::new(vec![col("n", "BIGINT")]).count_query(&base).is_none());
    }
}
