//! Page front matter: a small, strict YAML subset between `---` lines at the top of a page.
//!
//! Supported: `key: value` lines whose value is a string (bare or quoted), an
//! integer, or a `[a, b]` list of strings; `#` comment lines. Anything else is an
//! error with its line, so a typo never silently drops a setting.

use crate::diag::{suggestion, Diagnostic};
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Position in the sidebar among its siblings (lower first; then by title).
    pub order: Option<i64>,
    /// Queries the page declares it uses; checked to exist.
    pub queries: Vec<(String, usize)>,
    /// For a bracketed page (`[post_id].md`): the query with one page per row, and its line.
    pub rows: Option<(String, usize)>,
}

const KEYS: &[&str] = &["title", "description", "order", "queries", "rows"];

/// Splits a page into front matter and body. The body keeps its original line
/// numbering: the front matter lines are replaced by empty lines.
pub fn split(text: &str, file: &Path) -> Result<(FrontMatter, String), Vec<Diagnostic>> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.clone().next().unwrap_or("");
    if first.trim_end() != "---" {
        return Ok((FrontMatter::default(), text.to_string()));
    }
    lines.next();
    let mut fm = FrontMatter::default();
    let mut errors = Vec::new();
    let mut consumed = 1;
    let mut closed = false;
    for (i, raw) in lines.by_ref().enumerate() {
        let line_no = i + 2;
        consumed += 1;
        let line = raw.trim_end();
        if line == "---" {
            closed = true;
            break;
        }
        if let Err(msg) = parse_line(line, line_no, &mut fm) {
            errors.push(Diagnostic::in_file(file, msg).at(line_no, None));
        }
    }
    if !closed {
        return Err(vec![Diagnostic::in_file(
            file,
            "front matter starts with '---' on line 1 but has no closing '---'",
        )
        .at(1, None)]);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let body = "\n".repeat(consumed) + &lines.collect::<String>();
    Ok((fm, body))
}

fn parse_line(line: &str, line_no: usize, fm: &mut FrontMatter) -> Result<(), String> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(());
    }
    let Some((key, value)) = trimmed.split_once(':') else {
        return Err(format!("expected 'key: value' in front matter, found '{trimmed}'"));
    };
    let (key, value) = (key.trim(), value.trim());
    match key {
        "title" => fm.title = Some(scalar(value)?),
        "description" => fm.description = Some(scalar(value)?),
        "order" => {
            fm.order = Some(value.parse().map_err(|_| format!("'order' must be an integer, found '{value}'"))?);
        }
        "queries" => fm.queries = list(value)?.into_iter().map(|q| (q, line_no)).collect(),
        "rows" => fm.rows = Some((scalar(value)?, line_no)),
        other => {
            return Err(format!(
                "unknown front matter key '{other}'{}; known keys: {}",
                suggestion(other, KEYS.iter().copied()),
                KEYS.join(", ")
            ))
        }
    }
    Ok(())
}

fn scalar(value: &str) -> Result<String, String> {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q) {
            return inner
                .strip_suffix(q)
                .map(|s| if q == '"' { s.replace("\\\"", "\"") } else { s.replace("''", "'") })
                .ok_or_else(|| format!("unterminated quoted string {value}"));
        }
    }
    Ok(value.to_string())
}

fn list(value: &str) -> Result<Vec<String>, String> {
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .ok_or_else(|| format!("expected a list like [a, b], found '{value}'"))?;
    inner.split(',').map(str::trim).filter(|s| !s.is_empty()).map(scalar).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_and_keeps_line_numbers() {
        let text = "---\ntitle: \"Viral: posts\"\norder: 2\nqueries: [a, b]\n---\n# Hi\n";
        let (fm, body) = split(text, Path::new("p.md")).unwrap();
        assert_eq!(fm.title.as_deref(), Some("Viral: posts"));
        assert_eq!(fm.order, Some(2));
        assert_eq!(fm.queries, vec![("a".to_string(), 4), ("b".to_string(), 4)]);
        assert_eq!(body.lines().position(|l| l == "# Hi"), Some(5));
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let errs = split("---\ntitel: x\n---\n", Path::new("p.md")).unwrap_err();
        assert_eq!(errs[0].to_string(), "p.md:2: unknown front matter key 'titel' (did you mean 'title'?); known keys: title, description, order, queries, rows");
    }

    #[test]
    fn no_front_matter_is_fine() {
        let (fm, body) = split("# Hi\n", Path::new("p.md")).unwrap();
        assert_eq!(fm, FrontMatter::default());
        assert_eq!(body, "# Hi\n");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        assert!(split("---\ntitle: x\n", Path::new("p.md")).is_err());
    }
}
