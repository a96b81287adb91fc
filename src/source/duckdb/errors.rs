//! DuckDB's error texts made into vcd's: the line and column of a `LINE n:`
//! excerpt, and plain words for what the offline engine leaves out.

use crate::source::SqlError;

/// Splits DuckDB's error text into the message and the position of its
/// `LINE n: ...` excerpt, whose caret marks the column.
pub fn sql_error(raw: &str, sql: &str) -> SqlError {
    let mut message_lines = Vec::new();
    let mut position = None;
    let mut lines = raw.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("LINE ") {
            if let Some((num, context)) = rest.split_once(": ") {
                if let Ok(n) = num.trim().parse::<usize>() {
                    let caret = lines.peek().and_then(|l| l.find('^'));
                    let col = caret.and_then(|c| column_from_caret(sql, n, line, context, c));
                    position = Some((n, col));
                    if caret.is_some() {
                        lines.next();
                    }
                    continue;
                }
            }
        }
        message_lines.push(line);
    }
    while message_lines.last().is_some_and(|l| l.trim().is_empty()) {
        message_lines.pop();
    }
    SqlError { message: message_lines.join("\n"), position }
}

/// What to do instead of a DuckDB extension that vcd leaves out.
const WITHOUT_EXTENSIONS: &str = "vcd's offline engine has DuckDB's core functions and its parquet, json and icu \
(time zone) extensions compiled in, and never downloads others: write this with those, or run the queries on \
PostgreSQL (source = \"postgres\" in vcd.toml)";

/// DuckDB's errors for what the offline engine leaves out, reworded: its own
/// advice (`INSTALL spatial; LOAD spatial;`) cannot work in a build that never
/// downloads, and a query reads the tables loaded from `data/`, not files.
/// `None` for any other error.
pub(super) fn offline_limit(raw: &str, sql: &str) -> Option<SqlError> {
    let first = raw.lines().next().unwrap_or("");
    // Catalog Error: Scalar Function with name "st_point" is not in the catalog, but it exists in the spatial extension.
    if let Some((head, ext)) = first.split_once(" is not in the catalog, but it exists in the ") {
        let ext = ext.trim_end_matches('.').trim_end_matches(" extension");
        let kind = head.split_once(": ").map_or(head, |(_, k)| k);
        let (kind, name) = kind.split_once(" with name ")?;
        let name = name.trim_matches('"');
        return Some(SqlError {
            message: format!(
                "{} {name}() needs DuckDB's {ext} extension, which vcd does not include; {WITHOUT_EXTENSIONS}",
                kind.to_lowercase()
            ),
            position: find_code(sql, name, true),
        });
    }
    let reads_outside = first.contains("requires the extension") && first.starts_with("Missing Extension Error: File");
    let refused = first.starts_with("Permission Error:") && first.contains("disabled");
    if !(reads_outside || refused) {
        return None;
    }
    let file = first.split('"').nth(1).filter(|_| reads_outside || first.contains("Cannot access file"));
    let position = file.and_then(|f| sql.find(f).map(|at| pos(sql, at))).or_else(|| {
        ["install", "load", "attach", "copy", "export", "import"].iter().find_map(|w| find_code(sql, w, false))
    });
    let message = match file {
        Some(f) => format!(
            "a query cannot read '{f}': queries read the tables vcd loads from data/ (one per file, named after it), \
             never files or URLs; put the file in data/ and query its table"
        ),
        None => format!(
            "queries cannot install, load or attach anything ({}); {WITHOUT_EXTENSIONS}",
            first.trim_start_matches("Permission Error: ")
        ),
    };
    Some(SqlError { message, position })
}

/// The line and column of the first `word` in `sql`'s code (not in a string or
/// comment), matched without case as a whole word; when `call`, only where a
/// `(` follows it.
fn find_code(sql: &str, word: &str, call: bool) -> Option<(usize, Option<usize>)> {
    let code = crate::util::sqltext::code_only(sql).to_ascii_lowercase();
    let word = word.to_ascii_lowercase();
    let b = code.as_bytes();
    let mut from = 0;
    while let Some(n) = code[from..].find(&word) {
        let (start, end) = (from + n, from + n + word.len());
        let bounded = (start == 0 || !crate::util::sqltext::is_ident_byte(b[start - 1]))
            && b.get(end).is_none_or(|&c| !crate::util::sqltext::is_ident_byte(c));
        if bounded && (!call || code[end..].trim_start().starts_with('(')) {
            return Some(pos(&code, start));
        }
        from = end;
    }
    None
}

fn pos(text: &str, at: usize) -> (usize, Option<usize>) {
    let (line, col) = crate::util::diag::line_col(text, at);
    (line, Some(col))
}

/// DuckDB prints a window of the line, possibly starting with "...": find that
/// window in the real line to turn the caret offset into a column.
fn column_from_caret(sql: &str, line_no: usize, excerpt_line: &str, context: &str, caret: usize) -> Option<usize> {
    let prefix_len = excerpt_line.len() - context.len();
    let offset_in_context = caret.checked_sub(prefix_len)?;
    let src_line = sql.lines().nth(line_no.checked_sub(1)?)?;
    let (shown, skipped) = match context.strip_prefix("...") {
        Some(rest) => (rest, 3),
        None => (context, 0),
    };
    let shown = shown.strip_suffix("...").unwrap_or(shown);
    let probe = &shown[..shown.len().min(20)];
    let start = if skipped == 0 { 0 } else { src_line.find(probe)? };
    Some(start + offset_in_context.checked_sub(skipped)? + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_error_position_is_mapped_to_line_and_column() {
        let sql = "SELECT a,\n  b FORM t";
        let raw = "Parser Error: syntax error at or near \"t\"\n\nLINE 2:   b FORM t\n                 ^";
        let e = sql_error(raw, sql);
        assert_eq!(e.message, "Parser Error: syntax error at or near \"t\"");
        assert_eq!(e.position, Some((2, Some(10))));
    }
}
