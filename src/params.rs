//! Named query parameters: `$platform` in a query's SQL becomes a positional
//! placeholder both engines bind (`$1`), so input values never enter the SQL text.

/// A query's SQL with its named parameters replaced by positional ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameterised {
    /// The SQL to run; each `$name` became `$n` padded with spaces to the same
    /// width, so positions in engine errors still point into the file.
    pub sql: String,
    /// Parameter names in positional order (`$1` is `names[0]`).
    pub names: Vec<String>,
}

/// Finds `$name` placeholders outside string literals, quoted identifiers,
/// comments and PostgreSQL dollar-quoted strings. `$1`-style positional
/// placeholders are left alone (they would have nothing to bind).
pub fn parse(sql: &str) -> Parameterised {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut names: Vec<String> = Vec::new();
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => i = skip_quoted(bytes, i),
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..].find("*/").map_or(bytes.len(), |n| i + 2 + n + 2);
            }
            b'$' => {
                let start = i + 1;
                let end = start + sql[start..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
                let name = &sql[start..end];
                let preceded_by_ident = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
                if bytes.get(end) == Some(&b'$') && !preceded_by_ident {
                    // `$tag$ … $tag$` (or `$$ … $$`) is a dollar-quoted string.
                    let tag = &sql[i..=end];
                    i = sql[end + 1..].find(tag).map_or(bytes.len(), |n| end + 1 + n + tag.len());
                } else if !preceded_by_ident && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                    let n = match names.iter().position(|x| x == name) {
                        Some(p) => p + 1,
                        None => {
                            names.push(name.to_string());
                            names.len()
                        }
                    };
                    out.push_str(&sql[copied..i]);
                    let placeholder = format!("${n}");
                    let width = end - i;
                    out.push_str(&format!("{placeholder:<width$}"));
                    copied = end;
                    i = end;
                } else {
                    i = end.max(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[copied..]);
    Parameterised { sql: out, names }
}

/// The index just past a `'…'` or `"…"` token starting at `start` (a doubled
/// quote inside is part of the token).
fn skip_quoted(bytes: &[u8], start: usize) -> usize {
    let q = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == q {
            if bytes.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_positions_of_the_same_width() {
        let p = parse("select * from posts where ($platform is null or platform = $platform) and n > $min_n");
        assert_eq!(p.names, vec!["platform", "min_n"]);
        assert_eq!(p.sql, "select * from posts where ($1        is null or platform = $1       ) and n > $2    ");
    }

    #[test]
    fn strings_comments_and_dollar_quotes_are_not_parameters() {
        let sql = "select '$a', \"$b\", 'it''s $c' -- $d\n/* $e */ , $$ $f $$, $tag$ $g $tag$, x$h, $1, $i";
        let p = parse(sql);
        assert_eq!(p.names, vec!["i"]);
        assert!(p.sql.ends_with("$1, $1"), "{}", p.sql);
        assert_eq!(p.sql.len(), sql.len());
    }

    #[test]
    fn no_parameters_leaves_sql_unchanged() {
        let sql = "select 1 as \"$x\"";
        assert_eq!(parse(sql), Parameterised { sql: sql.into(), names: vec![] });
    }
}
