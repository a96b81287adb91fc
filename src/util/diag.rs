//! Diagnostics: errors that name a file, line and column, collected so one run reports them all.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One problem found while building, located in a project file where possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Path relative to the project root, as the user would type it.
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// Extra lines shown under the message (a source excerpt, a hint).
    pub detail: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic { file: None, line: None, column: None, message: message.into(), detail: None }
    }

    pub fn in_file(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic { file: Some(file.as_ref().to_path_buf()), ..Diagnostic::new(message) }
    }

    pub fn at(mut self, line: usize, column: Option<usize>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        if !detail.trim().is_empty() {
            self.detail = Some(detail);
        }
        self
    }

    /// `file:line:col` (as much of it as is known), the prefix editors can jump to.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        let mut loc = file.display().to_string();
        if let Some(line) = self.line {
            loc.push_str(&format!(":{line}"));
            if let Some(col) = self.column {
                loc.push_str(&format!(":{col}"));
            }
        }
        Some(loc)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location() {
            Some(loc) => write!(f, "{loc}: {}", self.message)?,
            None => write!(f, "{}", self.message)?,
        }
        if let Some(detail) = &self.detail {
            for line in detail.trim_end().lines() {
                write!(f, "\n    {line}")?;
            }
        }
        Ok(())
    }
}

/// A thread-safe sink for diagnostics, so parallel query runs can report into one list.
#[derive(Default)]
pub struct Diagnostics {
    items: Mutex<Vec<Diagnostic>>,
}

impl Diagnostics {
    pub fn push(&self, d: Diagnostic) {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).push(d);
    }

    pub fn len(&self) -> usize {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
    }

    /// All diagnostics, ordered by file then line so the report reads top to bottom.
    pub fn into_sorted(self) -> Vec<Diagnostic> {
        let mut items = self.items.into_inner().unwrap_or_else(|e| e.into_inner());
        items.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        items.dedup();
        items
    }
}

/// The closest candidate to `wanted`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 3).max(1);
    candidates
        .into_iter()
        // Optimal string alignment: swapping two adjacent characters counts as
        // one edit, since transpositions are the commonest typo.
        .map(|c| (strsim::osa_distance(wanted, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// " (did you mean 'x'?)" or nothing, for appending to a message.
pub fn suggestion<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(wanted, candidates).map(|c| format!(" (did you mean '{c}'?)")).unwrap_or_default()
}

/// 1-based line and column of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The source line `line` with a caret under `column`, for showing under a message.
pub fn excerpt(text: &str, line: usize, column: Option<usize>) -> String {
    let Some(src) = text.lines().nth(line.saturating_sub(1)) else { return String::new() };
    let gutter = format!("{line} | ");
    let mut out = format!("{gutter}{src}");
    if let Some(col) = column {
        let pad: String = src.chars().take(col.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        out.push_str(&format!("\n{}{pad}^", " ".repeat(gutter.len())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["top_posts", "kpis", "posts_by_month"];
        assert_eq!(did_you_mean("top_post", names), Some("top_posts"));
        assert_eq!(did_you_mean("kpi", names), Some("kpis"));
        assert_eq!(did_you_mean("revenue", names), None);
        assert_eq!(did_you_mean("titel", ["title", "order"]), Some("title"));
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn display_puts_location_first() {
        let d = Diagnostic::in_file("pages/a.md", "boom").at(3, Some(7)).with_detail("x\ny");
        assert_eq!(d.to_string(), "pages/a.md:3:7: boom\n    x\n    y");
    }
}
