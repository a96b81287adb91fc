//! The build pipeline: load data, run queries, render pages, write the site.
//! The work itself lives in [`crate::session`], which `vcd serve` keeps alive.

use crate::diag::Diagnostic;
use crate::project::Project;
use crate::session::Session;
use anyhow::Result;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Whether the pipeline writes the site (`build`) or only verifies (`check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Build,
    Check,
}

/// What a run found and did.
#[derive(Debug)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub pages: usize,
    pub queries: usize,
    /// How many results came from the cache instead of the engine.
    pub cached: usize,
    pub elapsed: Duration,
    /// The folder written, when the build succeeded in `Build` mode.
    pub written: Option<PathBuf>,
}

/// Runs the whole pipeline. Problems in project files become diagnostics (all of
/// them, in one run); `Err` is kept for failures outside the project's content.
pub fn run(project: &Project, mode: Mode) -> Result<Report> {
    let started = Instant::now();
    let mut session = Session::open(project.clone(), mode)?;
    let diagnostics = session.diagnostics();
    let written = if diagnostics.is_empty() && mode == Mode::Build { Some(session.write_all()?) } else { None };
    Ok(Report {
        diagnostics,
        pages: session.page_count(),
        queries: session.query_count(),
        cached: session.cached,
        elapsed: started.elapsed(),
        written,
    })
}
