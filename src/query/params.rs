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

/// Finds `$name` placeholders in code: never inside string literals (`'…'`,
/// `E'…'` with backslash escapes, `$$…$$`, `$tag$…$tag$`), quoted identifiers
/// or comments (`--`, nested `/* … */`), whose lexing is [`crate::util::sqltext`]'s.
/// `$1`-style positional placeholders are left alone (they would have nothing
/// to bind), and so is a `$` inside an identifier (`a$b`).
///
/// Each `$name` becomes `$n` padded to the same width, so an engine's error
/// column points into the file. (`$n` is wider than `$name` only for a
/// one-letter name among ten or more parameters; later columns on that line
/// then shift by one.)
pub fn parse(sql: &str) -> Parameterised {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut names: Vec<String> = Vec::new();
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if let Some((_, end)) = crate::util::sqltext::skip(sql, i) {
            i = end;
            continue;
        }
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let end = start + sql[start..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        let name = &sql[start..end];
        let preceded_by_ident = i > 0 && crate::util::sqltext::is_ident_byte(bytes[i - 1]);
        if !preceded_by_ident && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
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
        }
        i = end.max(i + 1);
    }
    out.push_str(&sql[copied..]);
    Parameterised { sql: out, names }
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

    /// The names `parse` finds in `sql`.
    fn names(sql: &str) -> Vec<String> {
        parse(sql).names
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
    fn no_literal_or_comment_form_hides_or_invents_a_parameter() {
        let cases: &[(&str, &[&str])] = &[
            // Standard strings: a doubled quote does not end them.
            ("select 'it''s $x', $y", &["y"]),
            ("select '''$x''', $y", &["y"]),
            // E-strings: a backslash escapes the quote, in either case of E.
            (r"select E'don\'t $x', $y", &["y"]),
            (r"select e'a\\', $y, e'\'$z'", &["y"]),
            // In a standard string a backslash is a character: the string ends at the quote.
            (r"select 'C:\', $y", &["y"]),
            // Dollar quotes, with and without a tag, holding quotes and other tags.
            ("select $$ $x ' $$, $y", &["y"]),
            ("select $body$ $x $$ $inner$ $body$, $y", &["y"]),
            ("select $a$ $x $a$ || $a, $b", &["a", "b"]),
            // Comments: to the end of the line; block comments nest.
            ("select 1 -- $x ' \n, $y", &["y"]),
            ("select /* /* */ $x */ $y", &["y"]),
            ("select /* a /* b /* c */ $x */ $x */ $y /* $z */", &["y"]),
            ("select 1 /* unclosed $x", &[]),
            // Quoted identifiers, with a doubled quote inside.
            ("select \"col$x\", \"a\"\"$x\", $y", &["y"]),
            // Identifiers with `$`, positional placeholders, casts and operators.
            ("select a$x, café$x, $1, $2::int, $y::date, ($z)+1, -$w", &["y", "z", "w"]),
            ("where a=$p and b<>$q or c=$p", &["p", "q"]),
            ("select $_under, $x1", &["_under", "x1"]),
        ];
        for (sql, expected) in cases {
            assert_eq!(names(sql), expected.to_vec(), "{sql}");
        }
    }

    #[test]
    fn error_columns_still_line_up() {
        let sql = "select $platform as p, -- $not\n  'x''$y' || $day_count::int AS n,\n  bogus + $platform\nfrom t";
        let p = parse(sql);
        assert_eq!(p.names, vec!["platform", "day_count"]);
        // Line by line, every byte that is not part of a placeholder stays where it was.
        assert_eq!(p.sql.lines().count(), sql.lines().count());
        for (a, b) in sql.lines().zip(p.sql.lines()) {
            assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
        }
        let col = |s: &str, word: &str| s.lines().nth(2).unwrap().find(word).unwrap();
        assert_eq!(col(&p.sql, "bogus"), col(sql, "bogus"));
        assert_eq!(p.sql.lines().nth(1).unwrap(), "  'x''$y' || $2        ::int AS n,");
    }

    #[test]
    fn no_parameters_leaves_sql_unchanged() {
        let sql = "select 1 as \"$x\"";
        assert_eq!(parse(sql), Parameterised { sql: sql.into(), names: vec![] });
    }
}
