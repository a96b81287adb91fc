//! Pages: `pages/**/*.md` found on disk, their front matter and where each is written.

pub mod frontmatter;
pub mod nav;

use crate::page::frontmatter::FrontMatter;
use crate::query::Results;
use crate::source::value::QueryResult;
use crate::util::diag::{Diagnostic, Diagnostics};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Top-level output folders that belong to vcd, so no page may be written there.
pub const RESERVED_DIRS: &[(&str, &str)] = &[("data", "query results"), ("assets", "theme files")];

#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the project root (`pages/viral.md`), for messages.
    /// (Shared, like `front`, `body` and `key`, by every page made from a
    /// bracketed file: a build may make a million.)
    pub source: Arc<Path>,
    /// Folder URL relative to the site root: `""` for the home page, `"viral/"`.
    pub url: String,
    pub front: Arc<FrontMatter>,
    /// For a page made from a row: the front matter's title with the row
    /// filled in (`Post 17`).
    pub row_title: Option<String>,
    /// Template text: the file with its front matter blanked, so lines match
    /// the file. Shared by every page made from a bracketed file.
    pub body: Arc<str>,
    /// For a bracketed page (`[post_id].md`) and each page made from it, the
    /// column naming each generated page.
    pub key: Option<Arc<str>>,
    /// For a page generated from a bracketed one: its row, in scope as `row`.
    pub row: Option<Row>,
}

/// One row of a held result, for the page made from it: the result is
/// shared, so 100,000 pages hold 100,000 indices, not 100,000 copies.
#[derive(Debug, Clone)]
pub struct Row {
    result: Arc<QueryResult>,
    index: usize,
}

impl Row {
    /// The value in column `name`, if the result has that column.
    pub fn get(&self, name: &str) -> Option<&Json> {
        let i = self.result.columns.iter().position(|c| c.name == name)?;
        self.result.rows[self.index].get(i)
    }

    /// The row as a JSON object, column name to value (what templates see as `row`).
    pub fn to_map(&self) -> serde_json::Map<String, Json> {
        let values = &self.result.rows[self.index];
        self.result.columns.iter().zip(values).map(|(c, v)| (c.name.clone(), v.clone())).collect()
    }
}

impl Page {
    /// Output file relative to the site root.
    pub fn out_file(&self) -> PathBuf {
        PathBuf::from(&self.url).join("index.html")
    }

    /// For a page made from a bracketed file: its key column and its row's
    /// value there (`("post_id", 17)`).
    pub fn row_key(&self) -> Option<(&str, &Json)> {
        let key = self.key.as_deref()?;
        Some((key, self.row.as_ref()?.get(key)?))
    }

    /// How many folders deep the page's `index.html` sits, for relative links.
    pub fn depth(&self) -> usize {
        self.url.matches('/').count()
    }

    /// Title from front matter (for a page made from a row, rendered with its
    /// row: `row_title`), else the first `# heading`, else the file name.
    pub fn title(&self) -> String {
        if let Some(t) = self.row_title.as_ref().or(self.front.title.as_ref()) {
            return t.clone();
        }
        if let Some(h) = self.body.lines().find_map(|l| l.strip_prefix("# ")) {
            if !h.contains("{{") && !h.contains("{%") {
                return h.trim().to_string();
            }
        }
        let stem = self.source.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let stem = if stem == "index" {
            self.source.parent().and_then(|p| p.file_name()).and_then(|s| s.to_str()).unwrap_or("Home")
        } else {
            stem
        };
        if stem.contains(' ') {
            // Named as a title already (`Qui sommes-nous.md`): keep its hyphens.
            return capitalised(stem);
        }
        let words: Vec<String> = stem.split(['-', '_']).filter(|w| !w.is_empty()).map(capitalised).collect();
        if words.is_empty() || stem == "pages" {
            "Home".into()
        } else {
            words.join(" ")
        }
    }
}

/// `word` with its first letter in upper case (`año` → `Año`).
fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The site-relative folder URL for a page file, or why the name cannot be a URL.
/// A bracketed file name (`posts/[post_id].md`) gives its folder and the key column.
///
/// URL scheme: each folder and the file's stem become one URL segment each,
/// kept as written (spaces, accents and emoji included) in Unicode NFC, so
/// `Año nuevo.md` is written to `site/Año nuevo/index.html` and linked as
/// `A%C3%B1o%20nuevo/` (see [`href`]).
pub fn url_for(rel: &Path) -> Result<(String, Option<String>), String> {
    let mut parts = Vec::new();
    let stemmed = rel.with_extension("");
    let comps: Vec<_> = stemmed.components().collect();
    let mut key = None;
    for (i, comp) in comps.iter().enumerate() {
        let part = comp.as_os_str().to_str().ok_or("file name is not valid UTF-8")?;
        if let Some(col) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
            if i + 1 != comps.len() || !crate::query::is_valid_name(col) {
                return Err("only a file name can be bracketed, around a column name: pages/posts/[post_id].md".into());
            }
            key = Some(col.to_string());
            continue;
        }
        parts.push(segment(part).map_err(|why| format!("'{part}' cannot be part of a URL: {why}"))?);
    }
    if key.is_none() && parts.last().is_some_and(|p| p == "index") {
        parts.pop();
    }
    Ok((parts.iter().map(|p| format!("{p}/")).collect(), key))
}

/// One URL segment for a file or folder name: the text in NFC, or why it
/// cannot name a folder that every static host serves.
fn segment(part: &str) -> Result<String, &'static str> {
    use unicode_normalization::UnicodeNormalization;
    check_segment(part)?;
    Ok(part.nfc().collect())
}

/// Why `part` cannot name an output folder, if it cannot.
fn check_segment(part: &str) -> Result<(), &'static str> {
    if part.is_empty() {
        return Err("it is empty");
    }
    if part.starts_with('.') {
        return Err("it starts with '.', which hides it (and '..' means the folder above)");
    }
    if part.contains(['/', '\\']) {
        return Err("it contains a slash");
    }
    if part.chars().any(char::is_control) {
        return Err("it contains a control character");
    }
    Ok(())
}

/// A site-relative folder URL as it goes into an `href`: each byte outside
/// RFC 3986's unreserved characters (and `/`) percent-encoded, so
/// `Bilan 2024 ✨/` becomes `Bilan%202024%20%E2%9C%A8/`.
pub fn href(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The key under which two page URLs count as the same: letter case folded,
/// since a site copied to a case-insensitive disk or host (macOS, Windows)
/// would write both pages to one folder.
fn url_key(url: &str) -> String {
    url.to_lowercase()
}

/// Why `url` cannot be a page's output folder, if it cannot.
fn reserved(url: &str) -> Option<String> {
    RESERVED_DIRS.iter().find(|(d, _)| url.split('/').next() == Some(*d)).map(|(dir, holds)| {
        format!("this page would be written to site/{url}index.html, but site/{dir}/ holds {holds}; rename or move the page")
    })
}

/// Finds every page under `pages_dir`, reporting bad names, unreadable files,
/// front matter errors and output collisions.
pub fn discover(pages_dir: &Path, root: &Path, diags: &Diagnostics) -> Vec<Page> {
    let display = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    if !pages_dir.is_dir() {
        diags.push(Diagnostic::in_file(
            display(pages_dir),
            "no pages/ folder: a vcd project needs at least pages/index.md",
        ));
        return Vec::new();
    }
    let mut pages = Vec::new();
    let mut outputs: BTreeMap<String, PathBuf> = BTreeMap::new();
    let walker = walkdir::WalkDir::new(pages_dir).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.')) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(Diagnostic::in_file(display(e.path().unwrap_or(pages_dir)), format!("cannot read: {e}")));
                continue;
            }
        };
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let shown = display(path);
        let rel = path.strip_prefix(pages_dir).unwrap_or(path);
        let (url, key) = match url_for(rel) {
            Ok(u) => u,
            Err(msg) => {
                diags.push(Diagnostic::in_file(&shown, msg));
                continue;
            }
        };
        if let Some(msg) = reserved(&url).filter(|_| key.is_none()) {
            diags.push(Diagnostic::in_file(&shown, msg));
            continue;
        }
        if key.is_some() {
            // Its pages' URLs are known only once its query has run; see `expand`.
        } else if let Some(other) = outputs.insert(url_key(&url), shown.clone()) {
            diags.push(Diagnostic::in_file(
                &shown,
                format!(
                    "this page and {} would share the URL '{url}' (site/{url}index.html; names that differ only \
                     in letter case or Unicode normalisation count as one, as macOS and Windows disks keep one); \
                     rename one",
                    other.display()
                ),
            ));
            continue;
        }
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic::in_file(&shown, format!("cannot read: {e}")));
                continue;
            }
        };
        match frontmatter::split(&text, &shown) {
            Ok((front, _)) if key.is_some() && front.rows.is_none() => diags.push(
                Diagnostic::in_file(
                    &shown,
                    "a bracketed page needs `rows: <query>` in its front matter: the query with one page per row",
                )
                .at(1, None),
            ),
            Ok((front, body)) => pages.push(Page {
                source: shown.into(),
                url,
                front: Arc::new(front),
                row_title: None,
                body: body.into(),
                key: key.map(Arc::from),
                row: None,
            }),
            Err(errs) => errs.into_iter().for_each(|d| diags.push(d)),
        }
    }
    pages
}

/// Replaces each bracketed page with one page per row of its `rows` query, at
/// `<folder>/<key value>/`. Reports a missing key column, null, unusable or
/// duplicate key values, and URLs that collide with other pages.
pub fn expand(
    pages: Vec<Page>,
    results: &Results,
    query_names: &BTreeSet<String>,
    params: &BTreeMap<String, Vec<String>>,
    diags: &Diagnostics,
) -> Vec<Page> {
    let mut taken: BTreeMap<String, Arc<Path>> =
        pages.iter().filter(|p| p.key.is_none()).map(|p| (p.url.clone(), p.source.clone())).collect();
    let mut out = Vec::with_capacity(pages.len());
    for page in pages {
        let (Some(key), Some((query, line)), None) = (page.key.clone(), page.front.rows.clone(), &page.row) else {
            out.push(page);
            continue;
        };
        let fail = |msg: String| diags.push(Diagnostic::in_file(&page.source, msg).at(line, None));
        // The title template is read once for all the file's pages.
        let titles = minijinja::Environment::new();
        let title = page.front.title.as_deref().filter(|t| t.contains("{{"));
        let title = title.and_then(|t| titles.template_from_str(t).ok().map(|tmpl| (t, tmpl)));
        if params.contains_key(&query) {
            fail(format!(
                "rows query '{query}' takes parameters; pages are made at build time from a query without any"
            ));
            continue;
        }
        let Some(result) = results.get(&query) else {
            // A query that failed was reported already; an unknown one is reported here.
            if !query_names.contains(&query) {
                fail(format!(
                    "unknown query '{query}'{}",
                    crate::util::diag::suggestion(&query, query_names.iter().map(String::as_str))
                ));
            }
            continue;
        };
        let Some(col) = result.columns.iter().position(|c| *c.name == *key) else {
            let cols: Vec<&str> = result.column_names().collect();
            fail(format!(
                "rows query '{query}' has no column '{key}'{} (it returns: {})",
                crate::util::diag::suggestion(&key, cols.iter().copied()),
                cols.join(", ")
            ));
            continue;
        };
        for (index, values) in result.rows.iter().enumerate() {
            let segment = match &values[col] {
                Json::String(s) => s.clone(),
                Json::Number(n) => n.to_string(),
                other => {
                    fail(format!("column '{key}' of '{query}' has the value {other}, which cannot name a page"));
                    continue;
                }
            };
            // Kept exactly as the data has it: a table's `links=` template
            // percent-encodes the same value, which the server decodes back.
            if let Err(why) = check_segment(&segment) {
                fail(format!(
                    "column '{key}' of '{query}' has the value '{segment}', which cannot be part of a URL: {why}"
                ));
                continue;
            }
            let url = format!("{}{segment}/", page.url);
            if let Some(msg) = reserved(&url) {
                fail(msg);
                continue;
            }
            if let Some(other) = taken.insert(url.clone(), page.source.clone()) {
                if other == page.source {
                    fail(format!("column '{key}' of '{query}' has the value '{segment}' more than once; each page needs a distinct key"));
                } else {
                    fail(format!(
                        "the page for '{segment}' and {} would both be written to site/{url}index.html",
                        other.display()
                    ));
                }
                continue;
            }
            let row = Row { result: result.clone(), index };
            let row_title = title.as_ref().map(|(text, tmpl)| row_title(text, tmpl, &row));
            out.push(Page { url, row_title, row: Some(row), ..page.clone() });
        }
    }
    out
}

/// A front matter title may use the row: `title: "Post {{ row.post_id }}"`
/// (`text`, read as the template `tmpl`). One that fails to render stays as written.
fn row_title(text: &str, tmpl: &minijinja::Template, row: &Row) -> String {
    let row = row.to_map();
    tmpl.render(minijinja::context! { row => minijinja::Value::from(minijinja::value::Serde(&row)) })
        .unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_pages_tree() {
        let url = |p: &str| url_for(Path::new(p)).unwrap();
        assert_eq!(url("index.md"), ("".into(), None));
        assert_eq!(url("viral.md"), ("viral/".into(), None));
        assert_eq!(url("a/index.md"), ("a/".into(), None));
        assert_eq!(url("a/b.md"), ("a/b/".into(), None));
        assert_eq!(url("posts/[post_id].md"), ("posts/".into(), Some("post_id".into())));
        assert!(url_for(Path::new("[a]/b.md")).is_err());
    }

    #[test]
    fn any_file_name_is_a_url_kept_as_written() {
        let url = |p: &str| url_for(Path::new(p)).unwrap().0;
        assert_eq!(url("Qui sommes-nous.md"), "Qui sommes-nous/");
        assert_eq!(url("Bilan 2024 ✨.md"), "Bilan 2024 ✨/");
        assert_eq!(url("Año nuevo.md"), "Año nuevo/");
        assert_eq!(url("Año nuevo/index.md"), "Año nuevo/");
        assert_eq!(url("Résumé/100% #1?.md"), "Résumé/100% #1?/");
        // Decomposed (as macOS saves names) and composed give one URL.
        assert_eq!(url("An\u{0303}o.md"), "A\u{00f1}o/");
        for bad in ["a\u{7}b.md", "x/\tb.md", "a\\b.md"] {
            assert!(url_for(Path::new(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hrefs_are_percent_encoded_utf8() {
        assert_eq!(href("Qui sommes-nous/"), "Qui%20sommes-nous/");
        assert_eq!(href("Bilan 2024 ✨/"), "Bilan%202024%20%E2%9C%A8/");
        assert_eq!(href("Año nuevo/sub/"), "A%C3%B1o%20nuevo/sub/");
        assert_eq!(href("100% #1?/"), "100%25%20%231%3F/");
        assert_eq!(href("plain-name_1.2~/"), "plain-name_1.2~/");
        assert_eq!(href(""), "");
    }

    #[test]
    fn titles_from_file_names() {
        let title = |src: &str| {
            Page {
                source: Path::new(src).into(),
                url: String::new(),
                front: Arc::default(),
                row_title: None,
                body: "".into(),
                key: None,
                row: None,
            }
            .title()
        };
        assert_eq!(title("pages/Qui sommes-nous.md"), "Qui sommes-nous");
        assert_eq!(title("pages/año nuevo.md"), "Año nuevo");
        assert_eq!(title("pages/Bilan 2024 ✨.md"), "Bilan 2024 ✨");
        assert_eq!(title("pages/market-days_2024.md"), "Market Days 2024");
        assert_eq!(title("pages/Été/index.md"), "Été");
    }
}
