//! The build pipeline: find and run queries, render pages, plan and run their
//! variants, lay them out, write the site. [`session::Session::open`] runs the
//! stages in order (and lists them); `vcd serve` keeps the session alive and
//! repeats the stages a change reaches; [`run`] is `vcd build` and `vcd check`.

mod figures;
pub mod rollups;
pub mod session;
pub mod slices;
mod stages;
pub mod tables;
pub mod variants;

use crate::pipeline::session::Session;
use crate::project::Project;
use crate::util::diag::Diagnostic;
use anyhow::Result;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use crate::query::runner::Mode;

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
    let mut session = match mode {
        Mode::Build => Session::build(project.clone())?,
        Mode::Check => Session::open(project.clone(), mode)?,
    };
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
