//! Watching a project for `vcd serve --watch`: file events become classified
//! [`Changes`], gathered over a short quiet period so a burst of saves (or an
//! editor's write-then-rename) is one rebuild.

use crate::config::CONFIG_FILE;
use crate::session::Changes;
use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// The folders whose files are sources; the output folder is never among them.
pub const SOURCE_DIRS: &[&str] = &["pages", "queries", "theme", "data"];

/// How long events must pause before a rebuild starts, and the longest a
/// steady stream of events can hold it back.
const QUIET: Duration = Duration::from_millis(15);
const LONGEST: Duration = Duration::from_millis(300);

/// Files editors write beside the real one: swap, backup and lock files.
fn is_scratch(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name == "4913" // vim's probe for whether it may write the folder
}

/// What a changed path (relative to the project root) means for the build.
pub fn classify(rel: &Path) -> Changes {
    let mut c = Changes::default();
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let mut parts = rel.components().map(|p| p.as_os_str().to_string_lossy().into_owned());
    let top = parts.next().unwrap_or_default();
    if is_scratch(name) {
        return c;
    }
    let is_dir_itself = rel.components().count() == 1;
    match top.as_str() {
        CONFIG_FILE if is_dir_itself => c.config = true,
        // A page, or a folder of pages that came or went.
        "pages" if rel.extension().is_none_or(|e| e == "md") => {
            c.pages.insert(rel.to_path_buf());
        }
        "queries" => {
            if rel.extension().is_some_and(|e| e == "sql") {
                c.queries.insert(rel.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
            } else if is_dir_itself {
                // The folder itself came or went: look at every query again.
                c.queries.insert("*".into());
            }
        }
        "theme" => c.theme = true,
        "data" => {
            c.data.insert(rel.to_path_buf());
        }
        _ => {}
    }
    c
}

/// A running watcher and the classified changes it reports.
pub struct ProjectWatcher {
    watcher: notify::RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    root: PathBuf,
}

impl ProjectWatcher {
    /// Watches the project's source folders (recursively) and its root (for
    /// `vcd.toml`, and for a source folder deleted and made again).
    pub fn start(root: &Path) -> Result<ProjectWatcher> {
        let root = root.canonicalize().with_context(|| format!("cannot watch {}", root.display()))?;
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(tx).context("cannot start watching files")?;
        watcher.watch(&root, RecursiveMode::NonRecursive).context("cannot watch the project folder")?;
        let mut w = ProjectWatcher { watcher, events, root };
        for dir in SOURCE_DIRS {
            w.watch_dir(dir);
        }
        Ok(w)
    }

    fn watch_dir(&mut self, dir: &str) {
        let path = self.root.join(dir);
        if path.is_dir() {
            // Watching the same folder twice is harmless; a vanished one fails quietly.
            let _ = self.watcher.watch(&path, RecursiveMode::Recursive);
        }
    }

    /// Waits for the next batch of changes: blocks for the first event, then
    /// collects until events pause for [`QUIET`] (or [`LONGEST`] passes).
    pub fn wait(&mut self) -> Option<Changes> {
        let mut changes = Changes::default();
        let first = self.events.recv().ok()?;
        self.absorb(first, &mut changes);
        let started = Instant::now();
        loop {
            let left = LONGEST.saturating_sub(started.elapsed());
            match self.events.recv_timeout(QUIET.min(left)) {
                Ok(e) => self.absorb(e, &mut changes),
                Err(RecvTimeoutError::Timeout) => {
                    if !changes.is_empty() || started.elapsed() >= LONGEST {
                        return Some(changes);
                    }
                    // Only scratch-file events so far: keep waiting for a real one.
                    let more = self.events.recv().ok()?;
                    self.absorb(more, &mut changes);
                }
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    fn absorb(&mut self, event: notify::Result<notify::Event>, changes: &mut Changes) {
        let Ok(event) = event else { return };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            let Ok(rel) = path.strip_prefix(&self.root) else { continue };
            let rel = rel.to_path_buf();
            if rel.components().count() == 1 {
                if let Some(dir) = SOURCE_DIRS.iter().find(|d| rel == Path::new(d)) {
                    self.watch_dir(dir);
                }
            }
            changes.merge(classify(&rel));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(path: &str) -> Changes {
        classify(Path::new(path))
    }

    #[test]
    fn each_kind_of_file_is_its_own_change() {
        assert!(c("vcd.toml").config);
        assert!(c("theme/style.css").theme);
        assert!(c("theme/vendor/vega.min.js").theme);
        assert_eq!(c("queries/top_posts.sql").queries.into_iter().collect::<Vec<_>>(), vec!["top_posts"]);
        assert_eq!(c("pages/viral.md").pages.into_iter().collect::<Vec<_>>(), vec![PathBuf::from("pages/viral.md")]);
        assert_eq!(c("pages/guide").pages.len(), 1, "a page folder");
        assert_eq!(c("data/posts.csv").data.into_iter().collect::<Vec<_>>(), vec![PathBuf::from("data/posts.csv")]);
        assert_eq!(c("queries").queries.into_iter().collect::<Vec<_>>(), vec!["*"]);
        assert!(c("queries/sedAb12Cd").is_empty(), "a temporary file of `sed -i`");
    }

    #[test]
    fn scratch_files_output_and_strangers_are_ignored() {
        for p in [
            "pages/.viral.md.swp",
            "pages/viral.md~",
            "pages/4913",
            "pages/.#viral.md",
            "queries/x.sql.tmp",
            "site/index.html",
            ".vcd-cache/abc.json",
            "README.md",
            "pages/notes.txt",
            "queries/readme.txt",
            "sub/vcd.toml",
        ] {
            assert!(c(p).is_empty(), "{p} should be ignored");
        }
    }
}
