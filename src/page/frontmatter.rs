//! Page front matter: YAML between `---` lines at the top of a page.
//!
//! The YAML is read by saphyr (YAML 1.2), so comments, quoting and block or
//! flow lists work as people write them. The known keys are then read from
//! the parsed mapping, each with its line, so a typo, a wrong type or invalid
//! YAML is an error at its real line in the page file, never a setting
//! silently dropped.

use crate::util::diag::{suggestion, Diagnostic};
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Position in the sidebar among its siblings (lower first; then by title).
    pub order: Option<i64>,
    /// Queries the page declares it uses, each with its line; checked to exist.
    pub queries: Vec<(String, usize)>,
    /// For a bracketed page (`[post_id].md`): the query with one page per row, and its line.
    pub rows: Option<(String, usize)>,
}

const KEYS: &[&str] = &["title", "description", "order", "queries", "rows"];

/// The byte-order mark some editors (Notepad, Excel exports) put before the first line.
const BOM: char = '\u{FEFF}';

/// Splits a page into front matter and body. The body keeps its original line
/// numbering: the front matter lines are replaced by empty lines. A UTF-8
/// byte-order mark before the opening `---` is ignored.
///
/// Errors: no closing `---`, invalid YAML, a top level that is not a mapping,
/// an unknown key or a value of the wrong type; each names `file` and the line.
pub fn split(text: &str, file: &Path) -> Result<(FrontMatter, String), Vec<Diagnostic>> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.clone().next().unwrap_or("");
    if first.trim_end() != "---" {
        return Ok((FrontMatter::default(), text.to_string()));
    }
    lines.next();
    let mut yaml = String::new();
    let mut consumed = 1;
    let mut closed = false;
    for raw in lines.by_ref() {
        consumed += 1;
        if raw.trim_end() == "---" {
            closed = true;
            break;
        }
        yaml.push_str(raw);
    }
    if !closed {
        return Err(vec![Diagnostic::in_file(
            file,
            "front matter starts with '---' on line 1 but has no closing '---'",
        )
        .at(1, None)]);
    }
    let front = parse(&yaml).map_err(|errs| {
        errs.into_iter().map(|(line, msg)| Diagnostic::in_file(file, msg).at(line, None)).collect::<Vec<_>>()
    })?;
    let body = "\n".repeat(consumed) + &lines.collect::<String>();
    Ok((front, body))
}

/// A problem in the front matter: the page file's line (1-based) and the message.
type Problem = (usize, String);

/// The YAML's first line is the page's line 2 (line 1 is the opening `---`).
const FIRST_LINE: usize = 2;

fn line_of(node: &MarkedYaml) -> usize {
    node.span.start.line() + FIRST_LINE - 1
}

/// Reads the known keys out of the YAML text between the `---` lines.
fn parse(yaml: &str) -> Result<FrontMatter, Vec<Problem>> {
    let docs = MarkedYaml::load_from_str(yaml).map_err(|e| vec![yaml_error(yaml, &e)])?;
    let mut fm = FrontMatter::default();
    let Some(root) = docs.first() else { return Ok(fm) };
    let mapping = match &root.data {
        YamlData::Mapping(m) => m,
        // Only comments (or nothing) between the `---` lines.
        YamlData::Value(Scalar::Null) => return Ok(fm),
        _ => return Err(vec![(line_of(root), "front matter must be 'key: value' lines".to_string())]),
    };
    let mut problems = Vec::new();
    for (key, value) in mapping {
        if let Err(msg) = read_key(yaml, key, value, &mut fm) {
            problems.push((line_of(key), msg));
        }
    }
    if problems.is_empty() {
        Ok(fm)
    } else {
        Err(problems)
    }
}

/// A YAML syntax error at the line a reader must fix. The parser finds an
/// unclosed `[` or `{` only at the end of the text, so such an error points at
/// the line that opened it; a duplicate key names the key.
fn yaml_error(yaml: &str, e: &saphyr::ScanError) -> Problem {
    let mut line = e.marker().line();
    let mut message = format!("front matter is not valid YAML: {}", e.info());
    if e.info().contains("flow") {
        line = unclosed_flow_line(yaml).unwrap_or(line);
    } else if e.info().contains("duplicated key") {
        let key = yaml.lines().nth(line.saturating_sub(1)).and_then(|l| l.split(':').next()).unwrap_or("").trim();
        message = format!("front matter sets '{key}' twice");
    }
    (line + FIRST_LINE - 1, message)
}

/// The line (1-based, in `yaml`) whose `[` or `{` is never closed, if one is
/// not. Quotes and `#` comments are skipped, as YAML reads them.
fn unclosed_flow_line(yaml: &str) -> Option<usize> {
    let (mut depth, mut opened, mut quote) = (0usize, None, None);
    for (i, line) in yaml.lines().enumerate() {
        let mut prev = ' ';
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if prev.is_whitespace() => break,
                (None, '[' | '{') => {
                    if depth == 0 {
                        opened = Some(i + 1);
                    }
                    depth += 1;
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            prev = c;
        }
    }
    opened.filter(|_| depth > 0)
}

/// Stores one `key: value` pair in `fm`, or says why it cannot be.
fn read_key(yaml: &str, key: &MarkedYaml, value: &MarkedYaml, fm: &mut FrontMatter) -> Result<(), String> {
    let name = match &key.data {
        YamlData::Value(Scalar::String(s)) => s.to_string(),
        _ => return Err(format!("front matter keys are names, found '{}'", source_text(yaml, key))),
    };
    match name.as_str() {
        "title" => fm.title = text(yaml, value, "title")?,
        "description" => fm.description = text(yaml, value, "description")?,
        "order" => match &value.data {
            YamlData::Value(Scalar::Integer(n)) => fm.order = Some(*n),
            _ => return Err(format!("'order' must be an integer, found '{}'", source_text(yaml, value))),
        },
        "queries" => fm.queries = list(yaml, value, "queries")?,
        "rows" => {
            let query = text(yaml, value, "rows")?.ok_or("'rows' needs a query name")?;
            fm.rows = Some((query, line_of(value)));
        }
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

/// A text value. A number or boolean (`title: 2024`) is text as written; an
/// empty value (`title:`, `~`) is no value.
fn text(yaml: &str, node: &MarkedYaml, key: &str) -> Result<Option<String>, String> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Ok(Some(s.to_string())),
        YamlData::Value(Scalar::Null) => Ok(None),
        YamlData::Value(_) => Ok(Some(source_text(yaml, node))),
        _ => Err(format!(
            "'{key}' must be text, found '{}' (quote text that starts with [ or {{: \"{{{{ row.id }}}}\")",
            source_text(yaml, node)
        )),
    }
}

/// A list of names (`[a, b]` or one `- a` per line), each with its own line.
fn list(yaml: &str, node: &MarkedYaml, key: &str) -> Result<Vec<(String, usize)>, String> {
    let YamlData::Sequence(items) = &node.data else {
        return Err(format!("'{key}' must be a list like [a, b], found '{}'", source_text(yaml, node)));
    };
    items
        .iter()
        .map(|item| match text(yaml, item, key)? {
            Some(s) => Ok((s, line_of(item))),
            None => Err(format!("'{key}' has an empty entry")),
        })
        .collect()
}

/// The node as written in the YAML (spans count characters), for messages and
/// for scalars kept as text. A list or mapping is shown as the rest of the
/// line it starts on (its span ends before a closing bracket).
fn source_text(yaml: &str, node: &MarkedYaml) -> String {
    let start = node.span.start.index();
    let rest = yaml.chars().skip(start);
    let written: String = match node.data {
        YamlData::Sequence(_) | YamlData::Mapping(_) => rest.take_while(|&c| c != '\n').collect(),
        _ => rest.take(node.span.end.index().saturating_sub(start)).collect(),
    };
    written.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(text: &str) -> FrontMatter {
        split(text, Path::new("p.md")).unwrap_or_else(|e| panic!("{text:?}: {e:?}")).0
    }

    fn errors(text: &str) -> Vec<String> {
        split(text, Path::new("p.md")).unwrap_err().iter().map(ToString::to_string).collect()
    }

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
    fn readme_example_with_inline_comments() {
        let text = "---\ntitle: Viral content          # sidebar and <title>; default: first \"# heading\"\n\
                    description: Posts that took off\norder: 2                      # position among its siblings\n\
                    queries: [top_posts, kpis]    # optional; checked to exist\nrows: top_posts # only for a bracketed page\n---\n";
        let fm = front(text);
        assert_eq!(fm.title.as_deref(), Some("Viral content"));
        assert_eq!(fm.description.as_deref(), Some("Posts that took off"));
        assert_eq!(fm.order, Some(2));
        assert_eq!(fm.queries, vec![("top_posts".to_string(), 5), ("kpis".to_string(), 5)]);
        assert_eq!(fm.rows, Some(("top_posts".to_string(), 6)));
    }

    #[test]
    fn quoting_as_yaml_has_it() {
        assert_eq!(front("---\ntitle: 'It''s # not a comment'\n---\n").title.as_deref(), Some("It's # not a comment"));
        assert_eq!(front("---\ntitle: \"Tab\\there \\\"q\\\"\"\n---\n").title.as_deref(), Some("Tab\there \"q\""));
        assert_eq!(front("---\ntitle: Café # déjà vu\n---\n").title.as_deref(), Some("Café"));
        assert_eq!(front("---\ntitle: 2024\n---\n").title.as_deref(), Some("2024"));
        assert_eq!(front("---\ntitle: 1.50\n---\n").title.as_deref(), Some("1.50"));
        assert_eq!(front("---\ntitle: \"Post {{ row.id }}\"\n---\n").title.as_deref(), Some("Post {{ row.id }}"));
        assert_eq!(front("---\ndescription: >\n  folded\n  text\n---\n").description.as_deref(), Some("folded text\n"));
    }

    #[test]
    fn block_lists_carry_each_entry_line() {
        let fm = front("---\nqueries:\n  - a   # first\n  # a comment line\n  - \"b\"\n---\n");
        assert_eq!(fm.queries, vec![("a".to_string(), 3), ("b".to_string(), 5)]);
    }

    #[test]
    fn a_byte_order_mark_and_crlf_are_accepted() {
        let (fm, body) =
            split("\u{FEFF}---\r\ntitle: Hi\r\norder: -3\r\n---\r\n# Body\r\n", Path::new("p.md")).unwrap();
        assert_eq!((fm.title.as_deref(), fm.order), (Some("Hi"), Some(-3)));
        assert_eq!(body, "\n\n\n\n# Body\r\n");
        let (fm, body) = split("\u{FEFF}# No front matter\n", Path::new("p.md")).unwrap();
        assert_eq!((fm, body.as_str()), (FrontMatter::default(), "# No front matter\n"));
    }

    #[test]
    fn empty_or_comment_only_front_matter_is_fine() {
        assert_eq!(front("---\n---\n"), FrontMatter::default());
        assert_eq!(front("---\n# only a comment\n\n---\n"), FrontMatter::default());
        assert_eq!(front("---\ntitle:\n---\n").title, None);
    }

    #[test]
    fn invalid_yaml_is_an_error_at_its_line() {
        let flow = "front matter is not valid YAML: while parsing a flow sequence, expected ',' or ']'";
        assert_eq!(errors("---\ntitle: [unclosed\n---\n"), [format!("p.md:2: {flow}")]);
        assert_eq!(errors("---\ntitle: ok\norder: 1\nqueries: [unclosed\n\n\n---\n# x\n"), [format!("p.md:4: {flow}")]);
        let e = errors("---\ntitle: '[' # [\nqueries: [a, [b]\norder: 1\n---\n");
        assert!(e.len() == 1 && e[0].starts_with("p.md:3: front matter is not valid YAML"), "{e:?}");
        let e = errors("---\ntitle: a\n  bad: indent\n---\n");
        assert_eq!(e, ["p.md:3: front matter is not valid YAML: mapping values are not allowed in this context"]);
        let e = errors("---\ntitle: \"unterminated\n---\n");
        assert_eq!(
            e,
            ["p.md:2: front matter is not valid YAML: while scanning a quoted scalar, found unexpected end of stream"]
        );
        assert_eq!(errors("---\ntitle: a\norder: 1\ntitle: b\n---\n"), ["p.md:4: front matter sets 'title' twice"]);
    }

    #[test]
    fn wrong_types_are_errors_at_their_line() {
        assert_eq!(errors("---\ntitle: x\norder: first\n---\n"), ["p.md:3: 'order' must be an integer, found 'first'"]);
        assert_eq!(errors("---\norder: 2.5\n---\n"), ["p.md:2: 'order' must be an integer, found '2.5'"]);
        assert_eq!(
            errors("---\n\nqueries: kpis\n---\n"),
            ["p.md:3: 'queries' must be a list like [a, b], found 'kpis'"]
        );
        let quote = "(quote text that starts with [ or {: \"{{ row.id }}\")";
        assert_eq!(
            errors("---\ntitle: [a, b]\n---\n"),
            [format!("p.md:2: 'title' must be text, found '[a, b]' {quote}")]
        );
        assert_eq!(
            errors("---\ntitle: {{ row.x }}\n---\n"),
            [format!("p.md:2: 'title' must be text, found '{{{{ row.x }}}}' {quote}")]
        );
        assert_eq!(errors("---\n- a\n- b\n---\n"), ["p.md:2: front matter must be 'key: value' lines"]);
        assert_eq!(errors("---\nrows:\n---\n"), ["p.md:2: 'rows' needs a query name"]);
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let errs = errors("---\ntitel: x\n---\n");
        assert_eq!(errs[0], "p.md:2: unknown front matter key 'titel' (did you mean 'title'?); known keys: title, description, order, queries, rows");
        let errs = errors("---\ntitle: x\n# note\nordr: 1  # comment\nqueris: [a]\n---\n");
        assert_eq!(errs.len(), 2);
        assert!(errs[0].starts_with("p.md:4: unknown front matter key 'ordr' (did you mean 'order'?)"), "{errs:?}");
        assert!(errs[1].starts_with("p.md:5: unknown front matter key 'queris' (did you mean 'queries'?)"), "{errs:?}");
    }

    #[test]
    fn no_front_matter_is_fine() {
        let (fm, body) = split("# Hi\n", Path::new("p.md")).unwrap();
        assert_eq!(fm, FrontMatter::default());
        assert_eq!(body, "# Hi\n");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        assert_eq!(
            errors("---\ntitle: x\n"),
            ["p.md:1: front matter starts with '---' on line 1 but has no closing '---'"]
        );
    }
}
