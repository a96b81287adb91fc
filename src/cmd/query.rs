//! `vcd query NAME|SQL`: runs one query against the configured source and
//! prints its rows as a table, with the row count and the time it took.

use crate::cmd::cli::QueryArgs;
use crate::project::Project;
use crate::query::{self, QueryFile};
use crate::source::value::QueryResult;
use crate::util::diag::Diagnostics;
use anyhow::{anyhow, bail, Result};
use serde_json::Value as Json;
use std::time::Instant;

/// Widest a printed cell gets before it is cut with `…`.
const MAX_WIDTH: usize = 40;

pub fn run(project: Project, args: &QueryArgs) -> Result<u8> {
    let q = resolve(&project, &args.query)?;
    let bindings = bindings(&q, &args.params)?;
    let diags = Diagnostics::default();
    let t = Instant::now();
    let source = crate::query::runner::open_source(&project, &diags)?;
    let loaded = t.elapsed();
    if !diags.is_empty() {
        for d in diags.into_sorted() {
            eprintln!("error: {d}");
        }
        return Ok(super::EXIT_ERRORS);
    }
    let t = Instant::now();
    let result = match query::run_one(&q, &bindings, source.as_ref(), project.config.max_rows) {
        Ok(r) => r,
        Err(d) => {
            eprintln!("error: {d}");
            return Ok(super::EXIT_ERRORS);
        }
    };
    let ran = t.elapsed();
    print!("{}", table(&result, args.limit));
    let n = result.rows.len();
    let shown =
        if n > args.limit { format!(" (first {} shown; --limit to see more)", args.limit) } else { String::new() };
    eprintln!(
        "{n} row{}{shown} in {:.1} ms (loading the data took {:.1} ms)",
        if n == 1 { "" } else { "s" },
        ran.as_secs_f64() * 1e3,
        loaded.as_secs_f64() * 1e3
    );
    Ok(0)
}

/// `queries/NAME.sql` when NAME is a query's name, otherwise the text as SQL.
fn resolve(project: &Project, text: &str) -> Result<QueryFile> {
    let path = project.queries_dir().join(format!("{text}.sql"));
    if query::is_valid_name(text) && path.is_file() {
        let sql = std::fs::read_to_string(&path)?;
        let timeout = project.config.statement_timeout;
        return QueryFile::read(text.to_string(), project.display_path(&path), sql, timeout)
            .map_err(|d| anyhow!("{d}"));
    }
    if query::is_valid_name(text) {
        let known: Vec<String> = std::fs::read_dir(project.queries_dir())
            .map(|d| {
                d.flatten().filter_map(|e| e.path().file_stem().map(|s| s.to_string_lossy().into_owned())).collect()
            })
            .unwrap_or_default();
        bail!(
            "no query named '{text}' in queries/{}; to run SQL, pass it as text (e.g. \"SELECT 1\")",
            crate::util::diag::suggestion(text, known.iter().map(String::as_str))
        );
    }
    let mut q = QueryFile::new("command_line".into(), "(command line)".into(), text.to_string());
    q.timeout = project.config.statement_timeout;
    Ok(q)
}

/// `--param name=value` values in the query's parameter order; the rest bind NULL.
fn bindings(q: &QueryFile, given: &[String]) -> Result<Vec<Json>> {
    let mut out = vec![Json::Null; q.params.len()];
    for pair in given {
        let Some((name, value)) = pair.split_once('=') else { bail!("--param takes NAME=VALUE, got '{pair}'") };
        let Some(i) = q.params.iter().position(|p| p == name) else {
            let list: Vec<String> = q.params.iter().map(|p| format!("${p}")).collect();
            bail!(
                "the query has no parameter ${name}{}",
                if list.is_empty() {
                    String::from(" (it takes none)")
                } else {
                    format!(" (it takes {})", list.join(", "))
                }
            );
        };
        out[i] = Json::String(value.to_string());
    }
    Ok(out)
}

/// The rows as an aligned text table under the column names and their engine
/// types (`BIGINT`, `VARCHAR`, `int8`…): numbers to the right, long cells cut.
pub fn table(result: &QueryResult, limit: usize) -> String {
    let text = |v: &Json| -> String {
        let s = match v {
            Json::Null => "NULL".to_string(),
            Json::String(s) => s.replace(['\n', '\r', '\t'], " "),
            other => other.to_string(),
        };
        if s.chars().count() > MAX_WIDTH {
            format!("{}…", s.chars().take(MAX_WIDTH - 1).collect::<String>())
        } else {
            s
        }
    };
    let rows: Vec<Vec<String>> = result.rows.iter().take(limit).map(|r| r.iter().map(text).collect()).collect();
    let numeric: Vec<bool> = (0..result.columns.len())
        .map(|i| result.rows.iter().take(limit).all(|r| r[i].is_number() || r[i].is_null()))
        .collect();
    let widths: Vec<usize> = result
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cells = rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
            cells.max(c.name.chars().count()).max(c.sql_type.chars().count())
        })
        .collect();
    let line = |cells: Vec<&str>, align: &dyn Fn(usize) -> bool| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = " ".repeat(widths[i] - c.chars().count());
                if align(i) {
                    format!("{pad}{c}")
                } else {
                    format!("{c}{pad}")
                }
            })
            .collect();
        format!("{}\n", parts.join(" │ ").trim_end())
    };
    let mut out = line(result.columns.iter().map(|c| c.name.as_str()).collect(), &|i| numeric[i]);
    out.push_str(&line(result.columns.iter().map(|c| c.sql_type.as_str()).collect(), &|i| numeric[i]));
    out.push_str(&format!("{}\n", widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("─┼─")));
    for r in &rows {
        out.push_str(&line(r.iter().map(String::as_str).collect(), &|i| numeric[i]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::value::Column;

    #[test]
    fn a_table_aligns_numbers_and_cuts_long_text() {
        let result = QueryResult {
            columns: vec![
                Column { name: "platform".into(), sql_type: "VARCHAR".into() },
                Column { name: "posts".into(), sql_type: "BIGINT".into() },
            ],
            rows: vec![vec![Json::from("instagram"), Json::from(76)], vec![Json::from("x".repeat(50)), Json::Null]],
        };
        let t = table(&result, 10);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], format!("platform{} │  posts", " ".repeat(32)));
        assert_eq!(lines[1], format!("VARCHAR{} │ BIGINT", " ".repeat(33)));
        assert_eq!(lines[3], format!("instagram{} │     76", " ".repeat(31)));
        assert!(lines[4].starts_with(&format!("{}…", "x".repeat(39))), "{}", lines[4]);
        assert!(lines[4].ends_with(" NULL"));
        assert_eq!(table(&result, 1).lines().count(), 4);
    }
}
