//! Settings a query file gives itself in `-- vcd: key=value` comment lines (today: `statement_timeout`).

use std::time::Duration;

/// The keys a `-- vcd:` line may set.
const KEYS: [&str; 1] = ["statement_timeout"];

/// What a query file's `-- vcd:` lines set.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Directives {
    /// `statement_timeout`: `Some(None)` for `0` (no limit, as in PostgreSQL).
    pub statement_timeout: Option<Option<Duration>>,
}

/// Reads every line of `sql` that is a comment starting `vcd:`
/// (`-- vcd: statement_timeout = 30s`); other comments are the author's own.
///
/// Errors: the 1-based line and what is wrong with it (an unknown key, with
/// the closest known one; a value that is not a duration).
pub fn parse(sql: &str) -> Result<Directives, (usize, String)> {
    let mut d = Directives::default();
    for (i, line) in sql.lines().enumerate() {
        let Some(rest) = line.trim().strip_prefix("--").map(str::trim_start) else { continue };
        let Some(setting) = rest.strip_prefix("vcd:") else { continue };
        let (key, value) = setting.split_once('=').map(|(k, v)| (k.trim(), v.trim())).ok_or_else(|| {
            (i + 1, format!("'-- vcd:{setting}' needs key=value, e.g. -- vcd: statement_timeout=30s"))
        })?;
        match key {
            "statement_timeout" => {
                d.statement_timeout = Some(crate::util::duration::parse(value).map_err(|m| (i + 1, m))?)
            }
            _ => {
                return Err((
                    i + 1,
                    format!(
                        "unknown setting '{key}' in a -- vcd: line{}",
                        crate::util::diag::suggestion(key, KEYS.iter().copied())
                    ),
                ))
            }
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcd_lines_set_the_limit_and_other_comments_are_left_alone() {
        let sql = "-- the slow one\n--vcd: statement_timeout = 2min\nSELECT 1 -- vcd is great\n";
        assert_eq!(parse(sql).unwrap().statement_timeout, Some(Some(Duration::from_secs(120))));
        assert_eq!(parse("  -- vcd: statement_timeout=0\n").unwrap().statement_timeout, Some(None));
        assert_eq!(parse("SELECT 1").unwrap(), Directives::default());
    }

    #[test]
    fn bad_lines_are_named_with_what_to_write() {
        let (line, m) = parse("SELECT 1\n-- vcd: statment_timeout=3s\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(m.contains("unknown setting 'statment_timeout'") && m.contains("statement_timeout"), "{m}");
        let (line, m) = parse("-- vcd: statement_timeout=soon\n").unwrap_err();
        assert_eq!(line, 1);
        assert!(m.contains("'soon' is not a duration"), "{m}");
        let (_, m) = parse("-- vcd: statement_timeout\n").unwrap_err();
        assert!(m.contains("needs key=value"), "{m}");
    }
}
