//! A link the safety pass took out of a page, traced back: the query cell it
//! came from, and the build error that names it.

use crate::page::Page;
use crate::source::value::QueryResult;
use crate::util::diag::Diagnostic;
use crate::util::urlsafe::{decode_references, ignorable, Refusal};

/// Where a refused value came from: a query's cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataOrigin {
    pub query: String,
    /// 1-based, in the query's result order.
    pub row: usize,
    pub column: String,
    /// The row's first column and value, to find the row by (when that is not the culprit).
    pub key: Option<(String, String)>,
}

/// The cell that put a refused URL into the page: the longest text cell that
/// holds the refused scheme with its colon and is part of the refused value
/// (both compared without ignorable characters and case). `queries` are
/// searched in order, so those a page reads come first.
pub fn data_origin<'a>(
    refusal: &Refusal,
    queries: impl IntoIterator<Item = (&'a str, &'a QueryResult)>,
) -> Option<DataOrigin> {
    let compact = |s: &str| -> String {
        decode_references(s).chars().filter(|c| !ignorable(*c)).collect::<String>().to_ascii_lowercase()
    };
    // Markdown writes a link's target percent-encoded (`<` as `%3C`): match either form.
    let values = [compact(&refusal.value), compact(&percent_decoded(&refusal.value))];
    let needle = format!("{}:", refusal.scheme);
    let mut best: Option<(usize, DataOrigin)> = None;
    for (query, result) in queries {
        let names: Vec<&str> = result.column_names().collect();
        for (r, row) in result.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let Some(text) = cell.as_str() else { continue };
                let cell = compact(text);
                if cell.len() <= best.as_ref().map_or(0, |(n, _)| *n)
                    || !cell.contains(&needle)
                    || !values.iter().any(|v| v.contains(&cell))
                {
                    continue;
                }
                let key = (c != 0 && !names.is_empty()).then(|| {
                    (names[0].to_string(), row[0].as_str().map_or_else(|| row[0].to_string(), str::to_string))
                });
                let origin = DataOrigin { query: query.to_string(), row: r + 1, column: names[c].to_string(), key };
                best = Some((cell.len(), origin));
            }
        }
    }
    best.map(|(_, o)| o)
}

/// `text` with its `%XX` escapes decoded (invalid UTF-8 becomes U+FFFD).
fn percent_decoded(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (b[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The error for a URL the pass took out of `page`: the value, the element, the
/// query, row and column it came from (or that the page's own text wrote it), at
/// the first line of the page that prints that column (or names the scheme).
pub fn diagnostic(page: &Page, refusal: &Refusal, origin: Option<&DataOrigin>) -> Diagnostic {
    let mut shown: String = refusal.value.chars().take(80).collect();
    if shown.len() < refusal.value.len() {
        shown.push('…');
    }
    let place = if page.row.is_some() { format!(" (page {})", page.url) } else { String::new() };
    let (from, fix) = match origin {
        Some(o) => {
            let key = o.key.as_ref().map(|(k, v)| format!(", {k} = {v}")).unwrap_or_default();
            (
                format!("from query '{}', row {}{key}, column '{}'", o.query, o.row, o.column),
                format!("keep such values out of links, e.g. CASE WHEN {0} LIKE 'https://%' THEN {0} END", o.column),
            )
        }
        None => {
            ("written in the page".to_string(), "vcd writes no script links; use a page or web address".to_string())
        }
    };
    let message = format!(
        "<{} {}> {shown:?} is a {}: URL, which can run script; the link was dropped{place} ({from}): {fix}",
        refusal.tag, refusal.attribute, refusal.scheme
    );
    let d = Diagnostic::in_file(&page.source, message);
    let line = match origin {
        Some(o) => page.body.lines().position(|l| l.contains("{{") && l.contains(o.column.as_str())),
        None => page.body.lines().position(|l| l.to_ascii_lowercase().contains(&refusal.scheme)),
    };
    match line {
        Some(i) => d.at(i + 1, None).with_detail(crate::util::diag::excerpt(&page.body, i + 1, None)),
        None => d,
    }
}
