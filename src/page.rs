//! Pages: `pages/**/*.md` found on disk, their front matter and where each is written.

use crate::diag::{Diagnostic, Diagnostics};
use crate::frontmatter::{self, FrontMatter};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level output folders that belong to vcd, so no page may be written there.
pub const RESERVED_DIRS: &[(&str, &str)] = &[("data", "query results"), ("assets", "theme files")];

#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the project root (`pages/viral.md`), for messages.
    pub source: PathBuf,
    /// Folder URL relative to the site root: `""` for the home page, `"viral/"`.
    pub url: String,
    pub front: FrontMatter,
    /// Template text: the file with its front matter blanked, so lines match the file.
    pub body: String,
}

impl Page {
    /// Output file relative to the site root.
    pub fn out_file(&self) -> PathBuf {
        PathBuf::from(&self.url).join("index.html")
    }

    /// How many folders deep the page's `index.html` sits, for relative links.
    pub fn depth(&self) -> usize {
        self.url.matches('/').count()
    }

    /// Title from front matter, else the first `# heading`, else the file name.
    pub fn title(&self) -> String {
        if let Some(t) = &self.front.title {
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
        let words: Vec<String> = stem
            .split(['-', '_'])
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut c = w.chars();
                c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
            })
            .collect();
        if words.is_empty() || stem == "pages" {
            "Home".into()
        } else {
            words.join(" ")
        }
    }
}

/// The site-relative folder URL for a page file, or why the name cannot be a URL.
pub fn url_for(rel: &Path) -> Result<String, String> {
    let mut parts = Vec::new();
    for comp in rel.with_extension("").components() {
        let part = comp.as_os_str().to_str().ok_or("file name is not valid UTF-8")?;
        if part.contains('[') || part.contains(']') {
            return Err("bracketed page names ([column].md) are not supported yet; rename the page".into());
        }
        if !part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) || part.starts_with('.') {
            return Err(format!("'{part}' cannot be part of a URL; use letters, digits, '-', '_' and '.'"));
        }
        parts.push(part.to_string());
    }
    if parts.last().is_some_and(|p| p == "index") {
        parts.pop();
    }
    Ok(parts.iter().map(|p| format!("{p}/")).collect())
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
        let url = match url_for(rel) {
            Ok(u) => u,
            Err(msg) => {
                diags.push(Diagnostic::in_file(&shown, msg));
                continue;
            }
        };
        if let Some((dir, holds)) = RESERVED_DIRS.iter().find(|(d, _)| url.split('/').next() == Some(*d)) {
            diags.push(Diagnostic::in_file(
                &shown,
                format!("this page would be written to site/{url}index.html, but site/{dir}/ holds {holds}; rename or move the page"),
            ));
            continue;
        }
        if let Some(other) = outputs.insert(url.clone(), shown.clone()) {
            diags.push(Diagnostic::in_file(
                &shown,
                format!("this page and {} would both be written to site/{url}index.html; rename one", other.display()),
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
            Ok((front, body)) => pages.push(Page { source: shown, url, front, body }),
            Err(errs) => errs.into_iter().for_each(|d| diags.push(d)),
        }
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_pages_tree() {
        assert_eq!(url_for(Path::new("index.md")).unwrap(), "");
        assert_eq!(url_for(Path::new("viral.md")).unwrap(), "viral/");
        assert_eq!(url_for(Path::new("a/index.md")).unwrap(), "a/");
        assert_eq!(url_for(Path::new("a/b.md")).unwrap(), "a/b/");
        assert!(url_for(Path::new("my page.md")).is_err());
    }
}
