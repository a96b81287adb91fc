//! Watching a project for `vcd serve --watch`: file events become classified
//! [`Changes`], gathered over a short quiet period so a burst of saves (or an
//! editor's write-then-rename) is one rebuild.

use crate::pipeline::session::Changes;
use crate::project::config::CONFIG_FILE;
use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// The folders whose files are sources; the output folder is never among them.
pub const SOURCE_DIRS: &[&str] = &["pages", "queries", "theme", "data"];

/// How long events must pause before a rebuild starts, counted from the
/// first event that matters, and the longest a steady stream of events can
/// hold it back. An editor's save (vim: rename the old file away, write the new
/// one) must fit in one quiet period even on a busy machine, or the rebuild in
/// between sees the page missing.
const QUIET: Duration = Duration::from_millis(50);
const LONGEST: Duration = Duration::from_millis(500);

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
        for dir in SOURCE_DIRS {
            watch_dir(&mut watcher, &root, dir);
        }
        Ok(ProjectWatcher { watcher, events, root })
    }

    /// Waits for the next batch of changes; `None` once the watcher is gone.
    /// A batch is never empty: events that change nothing a build reads
    /// (scratch files, the output folder) neither start nor extend one.
    pub fn wait(&mut self) -> Option<Changes> {
        let ProjectWatcher { watcher, events, root } = self;
        next_batch(events, QUIET, LONGEST, |event| absorb(watcher, root, event))
    }
}

/// Watches a source folder recursively. Watching the same folder twice is
/// harmless; a vanished one fails quietly (its parent's events bring it back).
fn watch_dir(watcher: &mut notify::RecommendedWatcher, root: &Path, dir: &str) {
    let path = root.join(dir);
    if path.is_dir() {
        let _ = watcher.watch(&path, RecursiveMode::Recursive);
    }
}

/// What one file event changes; a source folder made again is watched again.
fn absorb(watcher: &mut notify::RecommendedWatcher, root: &Path, event: notify::Result<notify::Event>) -> Changes {
    let mut changes = Changes::default();
    let Ok(event) = event else { return changes };
    if matches!(event.kind, notify::EventKind::Access(_)) {
        return changes;
    }
    for path in event.paths {
        let Ok(rel) = path.strip_prefix(root) else { continue };
        if rel.components().count() == 1 {
            if let Some(dir) = SOURCE_DIRS.iter().find(|d| rel == Path::new(d)) {
                watch_dir(watcher, root, dir);
            }
        }
        changes.merge(classify(rel));
    }
    changes
}

/// Gathers one batch from `events`: blocks until an event that changes
/// something arrives, then takes what follows until events pause for `quiet`
/// or `longest` has passed since that first event. `None` when the sender is
/// gone and nothing is left to report.
pub fn next_batch<E>(
    events: &Receiver<E>,
    quiet: Duration,
    longest: Duration,
    mut classify: impl FnMut(E) -> Changes,
) -> Option<Changes> {
    let mut changes = Changes::default();
    while changes.is_empty() {
        changes.merge(classify(events.recv().ok()?));
    }
    let started = Instant::now();
    loop {
        let left = longest.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Some(changes);
        }
        match events.recv_timeout(quiet.min(left)) {
            Ok(e) => changes.merge(classify(e)),
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return Some(changes),
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

    /// Feeds `script` (a pause in ms, then an event: `None` ends the feed) to
    /// `next_batch` from another thread and returns the batches it made.
    fn batches(script: Vec<(u64, Option<&'static str>)>) -> Vec<Changes> {
        let (tx, rx) = channel::<&'static str>();
        let feeder = std::thread::spawn(move || {
            for (pause, event) in script {
                std::thread::sleep(Duration::from_millis(pause));
                match event {
                    Some(e) => tx.send(e).unwrap(),
                    None => return,
                }
            }
        });
        let mut out = Vec::new();
        while let Some(b) = next_batch(&rx, Duration::from_millis(100), Duration::from_millis(1000), |p| c(p)) {
            out.push(b);
        }
        feeder.join().unwrap();
        out
    }

    #[test]
    fn scratch_events_never_make_a_batch_nor_split_a_save() {
        // vim: probe file, swap file, then the save a little later; the swap
        // file is rewritten while typing long before.
        let got = batches(vec![
            (0, Some("pages/.dates.md.swp")),
            (0, Some("pages/4913")),
            (1200, Some("pages/.dates.md.swp")),
            (0, Some("pages/dates.md~")),
            (0, Some("pages/dates.md")),
            (30, Some("pages/dates.md")),
            (0, Some("pages/dates.md~")),
            (0, None),
        ]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].pages.iter().collect::<Vec<_>>(), vec![Path::new("pages/dates.md")]);
    }

    #[test]
    fn only_scratch_events_give_no_batch_at_all() {
        let got = batches(vec![(0, Some("pages/.x.swp")), (1200, Some("site/index.html")), (0, Some("README.md"))]);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn a_pause_separates_two_saves_and_a_stream_is_cut_at_the_longest_wait() {
        let got = batches(vec![(0, Some("pages/a.md")), (400, Some("queries/b.sql"))]);
        assert_eq!(got.len(), 2, "{got:?}");
        let mut steady = vec![(0, Some("pages/a.md"))];
        steady.extend((0..40).map(|_| (50, Some("pages/a.md"))));
        let got = batches(steady);
        assert!((2..=4).contains(&got.len()), "a 2 s stream of saves makes 2 to 4 batches: {}", got.len());
    }
}
