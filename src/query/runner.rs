//! Runs a build's queries: from the result cache where the SQL, its parameters
//! and the data are unchanged, otherwise from the engine, which is opened (and
//! its data loaded) only when some result is missing, and then only once.

use crate::project::config::SourceKind;
use crate::project::Project;
use crate::query::cache::Cache;
use crate::query::{self, QueryFile, Results};
use crate::source::duckdb::DuckSource;
use crate::source::postgres::{self, PgSource};
use crate::source::value::QueryResult;
use crate::source::Source;
use crate::util::diag::Diagnostics;
use anyhow::Result;
use rayon::prelude::*;
use serde_json::Value as Json;
use std::sync::Arc;

/// Whether the pipeline writes the site (`build`) or only verifies (`check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Build,
    Check,
}

pub struct Runner {
    project: Project,
    mode: Mode,
    cache: Option<Cache>,
    source: Option<Box<dyn Source>>,
    /// Whether the data loaded without problems; only then are results cached,
    /// or a later build served from the cache would skip the errors this one reported.
    data_clean: bool,
}

impl Runner {
    pub fn new(project: &Project, mode: Mode) -> Runner {
        let cache = (project.config.cache && project.config.source == SourceKind::Duckdb)
            .then(|| Cache::offline(&project.root, &project.data_dir(), project.config.timezone));
        Runner { project: project.clone(), mode, cache, source: None, data_clean: true }
    }

    /// Forgets the engine and the cache's view of the data, after a data file
    /// changed: the next miss loads the data again.
    pub fn data_changed(&mut self) {
        self.source = None;
        self.data_clean = true;
        if self.cache.is_some() {
            self.cache =
                Some(Cache::offline(&self.project.root, &self.project.data_dir(), self.project.config.timezone));
        }
    }

    /// Every query with its parameters bound to NULL. Returns the results and how
    /// many came from the cache.
    pub fn base(&mut self, queries: &[QueryFile], diags: &Diagnostics) -> Result<(Results, usize)> {
        let jobs: Vec<(&QueryFile, Vec<Json>)> = queries.iter().map(|q| (q, Vec::new())).collect();
        let (found, cached) = self.run(&jobs, diags)?;
        let results = queries.iter().zip(found).filter_map(|(q, r)| Some((q.name.clone(), r?))).collect();
        Ok((results, cached))
    }

    /// Each job's result, `None` where it failed (its error is a diagnostic),
    /// and how many came from the cache.
    pub fn run(
        &mut self,
        jobs: &[(&QueryFile, Vec<Json>)],
        diags: &Diagnostics,
    ) -> Result<(Vec<Option<Arc<QueryResult>>>, usize)> {
        let max_rows = self.project.config.max_rows;
        let mut out: Vec<Option<Arc<QueryResult>>> = Vec::with_capacity(jobs.len());
        let mut misses = Vec::new();
        for (i, (q, bindings)) in jobs.iter().enumerate() {
            let hit = self.cache.as_ref().and_then(|c| c.get(&q.cache_key(bindings)));
            match hit {
                Some(r) => match query::check_result(q, &r, max_rows) {
                    Ok(()) => out.push(Some(Arc::new(r))),
                    Err(d) => {
                        diags.push(d);
                        out.push(None);
                    }
                },
                None => {
                    out.push(None);
                    misses.push(i);
                }
            }
        }
        let cached = out.iter().filter(|r| r.is_some()).count();
        if misses.is_empty() {
            return Ok((out, cached));
        }
        let source = self.source(diags)?;
        let progress = crate::util::progress::Progress::new("queries run:", misses.len());
        let fresh: Vec<(usize, Option<QueryResult>)> = misses
            .par_iter()
            .map(|&i| {
                let (q, bindings) = &jobs[i];
                let outcome = query::run_one(q, bindings, source, max_rows);
                progress.tick();
                match outcome {
                    Ok(r) => (i, Some(r)),
                    Err(d) => {
                        diags.push(d);
                        (i, None)
                    }
                }
            })
            .collect();
        for (i, r) in fresh {
            if let (Some(cache), Some(r), true, Mode::Build) = (&self.cache, &r, self.data_clean, self.mode) {
                let (q, bindings) = &jobs[i];
                cache.put(&q.cache_key(bindings), r);
            }
            out[i] = r.map(Arc::new);
        }
        Ok((out, cached))
    }

    /// The engine, opened on first need.
    fn source(&mut self, diags: &Diagnostics) -> Result<&dyn Source> {
        if self.source.is_none() {
            let before = diags.len();
            let source = open_source(&self.project, diags)?;
            self.data_clean = diags.len() == before;
            self.source = Some(source);
        }
        Ok(self.source.as_deref().expect("opened above"))
    }

    /// Drops cache entries this build did not use.
    pub fn finish(&self) {
        if let (Some(cache), Mode::Build) = (&self.cache, self.mode) {
            cache.prune();
        }
    }
}

/// The configured engine, loaded or connected. Data file problems are diagnostics;
/// an unreachable server is an error, since nothing can be checked without it.
pub fn open_source(project: &Project, diags: &Diagnostics) -> Result<Box<dyn Source>> {
    Ok(match project.config.source {
        SourceKind::Duckdb => {
            let display = |p: &std::path::Path| project.display_path(p);
            Box::new(DuckSource::open(&project.data_dir(), project.config.timezone, &display, diags)?)
        }
        SourceKind::Postgres => {
            let config = postgres::config(project.config.database_url.as_deref())?;
            Box::new(PgSource::open(config, project.config.timezone)?)
        }
    })
}
