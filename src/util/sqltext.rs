//! Lexical facts about SQL text that vcd reads without an engine: where string
//! literals, quoted identifiers and comments begin and end (in the dialect both
//! PostgreSQL and DuckDB accept), and which views a schema defines.
//!
//! The rules follow PostgreSQL's lexer (its documentation, "Lexical
//! Structure"), which DuckDB shares for these tokens:
//! - `'…'` with `''` for a quote; `E'…'` (or `e'…'`) also takes backslash escapes (`\'`);
//! - `"…"` is an identifier, with `""` for a quote;
//! - `$$…$$` and `$tag$…$tag$` are dollar-quoted strings (a tag is an identifier
//!   without `$`; `$1` is a placeholder, not a tag);
//! - `-- …` runs to the end of the line, and `/* … */` comments nest.

/// What a non-code token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string literal of any form (standard, escape or dollar-quoted).
    String,
    /// A double-quoted identifier.
    QuotedIdent,
    /// A line or block comment.
    Comment,
}

/// Whether `b` can continue an identifier (letters, digits, `_`, any byte of a
/// non-ASCII character); a `$` after one is part of the identifier, not a placeholder.
pub fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The token that starts at byte `i` of `sql` when it is a string, quoted
/// identifier or comment: its kind and the byte just past it (the end of the
/// text when it is never closed). `None` when `i` starts ordinary code.
pub fn skip(sql: &str, i: usize) -> Option<(Kind, usize)> {
    let b = sql.as_bytes();
    let at = |k: usize| b.get(k).copied();
    match b[i] {
        b'\'' => {
            let escapes =
                i > 0 && matches!(b[i - 1], b'E' | b'e') && !(i > 1 && (is_ident_byte(b[i - 2]) || b[i - 2] == b'$'));
            Some((Kind::String, quoted_end(b, i, b'\'', escapes)))
        }
        b'"' => Some((Kind::QuotedIdent, quoted_end(b, i, b'"', false))),
        b'-' if at(i + 1) == Some(b'-') => Some((Kind::Comment, sql[i..].find('\n').map_or(b.len(), |n| i + n))),
        b'/' if at(i + 1) == Some(b'*') => Some((Kind::Comment, block_comment_end(b, i))),
        b'$' => dollar_quote_end(sql, i).map(|end| (Kind::String, end)),
        _ => None,
    }
}

/// Past the closing `quote` of a token opening at `start`; a doubled quote is
/// part of the token, and with `escapes` a backslash takes the next byte.
fn quoted_end(b: &[u8], start: usize, quote: u8, escapes: bool) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if escapes => i += 2,
            q if q == quote && b.get(i + 1) == Some(&quote) => i += 2,
            q if q == quote => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// Past the `*/` that closes the comment opening at `start`, counting nested ones.
fn block_comment_end(b: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < b.len() {
        match (b[i], b[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// Past the closing tag of a dollar-quoted string opening at `start`, or
/// `None` when the `$` there does not open one (a `$name` or `$1`, or a `$`
/// inside an identifier such as `a$b`).
fn dollar_quote_end(sql: &str, start: usize) -> Option<usize> {
    let b = sql.as_bytes();
    if start > 0 && is_ident_byte(b[start - 1]) {
        return None;
    }
    let tag_len = b[start + 1..].iter().take_while(|c| is_ident_byte(**c)).count();
    let tag_end = start + 1 + tag_len;
    if b.get(tag_end) != Some(&b'$') || b.get(start + 1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let tag = &sql[start..=tag_end];
    Some(sql[tag_end + 1..].find(tag).map_or(b.len(), |n| tag_end + 1 + n + tag.len()))
}

/// `sql` with every string literal and comment replaced by spaces (line breaks
/// kept), so words inside them are not taken for code; quoted identifiers stay.
pub fn code_only(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    let mut copied = 0;
    while i < sql.len() {
        match skip(sql, i) {
            Some((Kind::QuotedIdent, end)) => i = end,
            Some((_, end)) => {
                out.push_str(&sql[copied..i]);
                out.extend(sql[i..end].chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
                copied = end;
                i = end;
            }
            None => i += sql[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out.push_str(&sql[copied..]);
    out
}

/// The statements of `sql`, split at semicolons outside strings, comments and quoted identifiers.
pub fn statements(sql: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut i, mut start) = (0, 0);
    while i < sql.len() {
        if let Some((_, end)) = skip(sql, i) {
            i = end;
        } else if sql.as_bytes()[i] == b';' {
            out.push(&sql[start..i]);
            i += 1;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&sql[start..]);
    out.retain(|s| !s.trim().is_empty());
    out
}

/// The views `schema` creates, as (name, the statement's code in lower case):
/// `CREATE [OR REPLACE] [TEMP | TEMPORARY] [MATERIALIZED | RECURSIVE] VIEW
/// [IF NOT EXISTS] name …`, in any case, the name bare, quoted or qualified
/// by a schema (the last part is the name). Comments and string literals are
/// not read, so a view mentioned only there creates nothing and reads nothing.
pub fn views(schema: &str) -> Vec<(String, String)> {
    let code = code_only(schema);
    statements(&code).into_iter().filter_map(|stmt| Some((view_name(stmt)?, stmt.to_ascii_lowercase()))).collect()
}

/// The name a `CREATE … VIEW` statement gives, lower-cased as both engines
/// fold a bare name (a quoted one is kept as written, then compared ignoring case).
fn view_name(stmt: &str) -> Option<String> {
    let mut words = Words { rest: stmt };
    if !words.next()?.eq_ignore_ascii_case("create") {
        return None;
    }
    let mut word = words.next()?;
    if word.eq_ignore_ascii_case("or") {
        words.next().filter(|w| w.eq_ignore_ascii_case("replace"))?;
        word = words.next()?;
    }
    while ["temp", "temporary", "materialized", "recursive"].iter().any(|k| word.eq_ignore_ascii_case(k)) {
        word = words.next()?;
    }
    if !word.eq_ignore_ascii_case("view") {
        return None;
    }
    let mut name = words.next()?;
    if name.eq_ignore_ascii_case("if") {
        for expected in ["not", "exists"] {
            words.next().filter(|w| w.eq_ignore_ascii_case(expected))?;
        }
        name = words.next()?;
    }
    // `schema.name`: the part after the last dot outside quotes.
    while words.rest.starts_with('.') {
        words.rest = &words.rest[1..];
        name = words.next()?;
    }
    Some(
        match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
            Some(quoted) => quoted.replace("\"\"", "\""),
            None => name.to_string(),
        }
        .to_ascii_lowercase(),
    )
}

/// Words of SQL code: bare identifiers and keywords, or whole quoted identifiers.
struct Words<'a> {
    rest: &'a str,
}

impl<'a> Words<'a> {
    fn next(&mut self) -> Option<&'a str> {
        self.rest = self.rest.trim_start();
        let len = if self.rest.starts_with('"') {
            quoted_end(self.rest.as_bytes(), 0, b'"', false)
        } else {
            self.rest.bytes().take_while(|b| is_ident_byte(*b) || *b == b'$').count()
        };
        if len == 0 {
            return None;
        }
        let (word, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<(Kind, &str)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < sql.len() {
            match skip(sql, i) {
                Some((k, end)) => {
                    out.push((k, &sql[i..end]));
                    i = end;
                }
                None => i += 1,
            }
        }
        out
    }

    #[test]
    fn tokens_end_where_each_dialect_rule_says() {
        use Kind::*;
        assert_eq!(kinds("a 'it''s' b"), vec![(String, "'it''s'")]);
        assert_eq!(kinds(r"E'don\'t' x"), vec![(String, r"'don\'t'")]);
        assert_eq!(kinds(r"e'a\\' 'b'"), vec![(String, r"'a\\'"), (String, "'b'")]);
        // A standard string ends at the quote after a backslash; `name'…'` is no E-string.
        assert_eq!(kinds(r"'a\' 'b'"), vec![(String, r"'a\'"), (String, "'b'")]);
        assert_eq!(kinds(r"type'a\' 'b'"), vec![(String, r"'a\'"), (String, "'b'")]);
        assert_eq!(kinds("\"col$x\" \"a\"\"b\""), vec![(QuotedIdent, "\"col$x\""), (QuotedIdent, "\"a\"\"b\"")]);
        assert_eq!(kinds("$$ a $x $$ b"), vec![(String, "$$ a $x $$")]);
        assert_eq!(kinds("$fn$ $$ $fn$ c"), vec![(String, "$fn$ $$ $fn$")]);
        assert_eq!(kinds("x -- c 'q\ny"), vec![(Comment, "-- c 'q")]);
        assert_eq!(kinds("/* a /* b */ c */ d"), vec![(Comment, "/* a /* b */ c */")]);
        assert_eq!(kinds("/* unclosed /* */"), vec![(Comment, "/* unclosed /* */")]);
        // Placeholders and identifiers with `$` are code.
        assert!(kinds("$1 $a a$b$ $1$").is_empty());
        assert_eq!(kinds("'open"), vec![(String, "'open")]);
    }

    #[test]
    fn statements_split_outside_strings_and_comments() {
        assert_eq!(
            statements("a; 'x;y'; -- ;\n\"c;d\"; /* ; */ e;"),
            vec!["a", " 'x;y'", " -- ;\n\"c;d\"", " /* ; */ e"]
        );
        assert_eq!(code_only("a 'b' /* c\nd */ \"e\" f -- g"), "a         \n     \"e\" f     ");
        assert_eq!(code_only("x $$ é $$ 'ü'"), format!("x{}", " ".repeat(12)));
    }

    #[test]
    fn every_form_of_create_view_is_found() {
        let names = |schema: &str| views(schema).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(names("CREATE VIEW a AS SELECT 1"), vec!["a"]);
        assert_eq!(names("create or replace view B as select 1"), vec!["b"]);
        assert_eq!(names("CREATE VIEW IF NOT EXISTS c AS SELECT 1"), vec!["c"]);
        assert_eq!(names("CREATE TEMP VIEW d AS SELECT 1; create temporary view e as select 1"), vec!["d", "e"]);
        assert_eq!(names("CREATE OR REPLACE TEMPORARY VIEW IF NOT EXISTS f AS SELECT 1"), vec!["f"]);
        assert_eq!(names("CREATE MATERIALIZED VIEW g AS SELECT 1"), vec!["g"]);
        assert_eq!(names("CREATE RECURSIVE VIEW h (n) AS SELECT 1"), vec!["h"]);
        assert_eq!(names("CREATE VIEW \"Post Metrics\" AS SELECT 1"), vec!["post metrics"]);
        assert_eq!(names("CREATE VIEW main.i AS SELECT 1; CREATE VIEW \"s\".\"J\"(x) AS SELECT 1"), vec!["i", "j"]);
        assert_eq!(names("CREATE\n  VIEW\tk\nAS SELECT 1"), vec!["k"]);
        // Not views, or views only in a comment or string.
        assert!(names("CREATE TABLE view_log (id INT); CREATE INDEX v ON t (x)").is_empty());
        assert!(
            names("-- CREATE VIEW x AS SELECT 1\n/* CREATE VIEW y AS SELECT 1 */ SELECT 'CREATE VIEW z'").is_empty()
        );
        assert!(names("CREATE OR VIEW x AS SELECT 1").is_empty());
    }

    #[test]
    fn a_views_body_is_its_code_without_comments() {
        let v = views("CREATE VIEW a AS SELECT * FROM Posts /* metrics */ WHERE x = 'orders'");
        assert_eq!(v.len(), 1);
        assert!(v[0].1.contains("from posts"));
        assert!(!v[0].1.contains("metrics") && !v[0].1.contains("orders"), "{}", v[0].1);
    }
}
