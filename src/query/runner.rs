//! Runs a build's queries: from the result cache where the SQL, its parameters
//! and the data are unchanged, otherwise from the engine, which is opened (and
//! its data loaded) only when some result is missing, and then only once.

use crate::project::config::SourceKind;
use crate::project::Project;
use crate::query::cache::Cache;
use crate::query::spill::Spill;
use crate::query::unheld::Unheld;
use crate::query::{self, QueryFile, Results};
use crate::source::duckdb::DuckSource;
use crate::source::postgres::{self, PgSource};
use crate::source::value::{Column, QueryResult};
use crate::source::{Limited, Source};
use crate::util::diag::Diagnostics;
use anyhow::Result;
use rayon::prelude::*;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Whether the pipeline writes the site (`build`) or only verifies (`check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Build,
    Check,
}

/// What [`Runner::base`] found.
pub struct Base {
    pub results: Results,
    /// The queries with more rows than `max_rows`, by name, with their
    /// columns and the distinct counts of their text columns.
    pub oversize: BTreeMap<String, Unheld>,
    /// How many results came from the cache.
    pub cached: usize,
}

/// One job's outcome.
enum Ran {
    Held(Arc<QueryResult>),
    /// More rows than `max_rows`; the result's columns.
    Oversize(Vec<Column>),
    /// Its error is a diagnostic.
    Failed,
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

    /// Every query with its parameters bound to NULL: the results and how many
    /// came from the cache, and the queries with more than `max_rows` rows
    /// (each with its columns), which are not held (see [`crate::query::spill`]).
    pub fn base(&mut self, queries: &[QueryFile], diags: &Diagnostics) -> Result<Base> {
        let jobs: Vec<(&QueryFile, Vec<Json>)> = queries.iter().map(|q| (q, Vec::new())).collect();
        let (found, cached) = self.run_jobs(&jobs, diags, true)?;
        let mut base = Base { results: Results::new(), oversize: BTreeMap::new(), cached };
        for (q, ran) in queries.iter().zip(found) {
            match ran {
                Ran::Held(r) => {
                    base.results.insert(q.name.clone(), r);
                }
                Ran::Oversize(columns) => {
                    base.oversize.insert(q.name.clone(), Unheld::new(columns));
                }
                Ran::Failed => {}
            }
        }
        Ok(base)
    }

    /// Profiles each of `queries` that is in `oversize` ([`Unheld::profile_query`]):
    /// one engine pass each, cached like any result. For a huge result the
    /// pass is a full scan, so the caller picks the queries a page may read
    /// through the engine. A profile that fails is a diagnostic, and leaves
    /// its query unprofiled.
    pub fn profile(
        &mut self,
        queries: &[QueryFile],
        oversize: &mut BTreeMap<String, Unheld>,
        diags: &Diagnostics,
    ) -> Result<()> {
        let profiles: Vec<(&QueryFile, QueryFile)> =
            queries.iter().filter_map(|q| Some((q, oversize.get(&q.name)?.profile_query(q)))).collect();
        let jobs: Vec<(&QueryFile, Vec<Json>)> = profiles.iter().map(|(_, c)| (c, Vec::new())).collect();
        let (found, _) = self.run(&jobs, diags)?;
        for ((q, _), result) in profiles.iter().zip(found) {
            if let (Some(u), Some(r)) = (oversize.get_mut(&q.name), result) {
                u.set_profile(&r);
            }
        }
        Ok(())
    }

    /// Each job's result, `None` where it failed (its error is a diagnostic;
    /// more than `max_rows` rows is one), and how many came from the cache.
    pub fn run(
        &mut self,
        jobs: &[(&QueryFile, Vec<Json>)],
        diags: &Diagnostics,
    ) -> Result<(Vec<Option<Arc<QueryResult>>>, usize)> {
        let (found, cached) = self.run_jobs(jobs, diags, false)?;
        let held = found
            .into_iter()
            .map(|r| match r {
                Ran::Held(r) => Some(r),
                _ => None,
            })
            .collect();
        Ok((held, cached))
    }

    /// [`Runner::run`], where a result over `max_rows` is an error, or with
    /// `oversize`, [`Ran::Oversize`] (never cached: only its first rows were read).
    fn run_jobs(
        &mut self,
        jobs: &[(&QueryFile, Vec<Json>)],
        diags: &Diagnostics,
        oversize: bool,
    ) -> Result<(Vec<Ran>, usize)> {
        let max_rows = self.project.config.max_rows;
        let mut out: Vec<Ran> = Vec::with_capacity(jobs.len());
        let mut misses = Vec::new();
        for (i, (q, bindings)) in jobs.iter().enumerate() {
            let hit = self.cache.as_ref().and_then(|c| c.get(&q.cache_key(bindings)));
            match hit {
                Some(r) => out.push(settle(q, Limited::of(r, max_rows), max_rows, oversize, diags)),
                None => {
                    out.push(Ran::Failed);
                    misses.push(i);
                }
            }
        }
        let cached = out.iter().filter(|r| matches!(r, Ran::Held(_))).count();
        if misses.is_empty() {
            return Ok((out, cached));
        }
        let source = self.source(diags)?;
        let progress = crate::util::progress::Progress::new("queries run:", misses.len());
        let fresh: Vec<(usize, Ran)> = misses
            .par_iter()
            .map(|&i| {
                let (q, bindings) = &jobs[i];
                let outcome = query::run_unchecked(q, bindings, source, max_rows);
                progress.tick();
                let ran = match outcome {
                    Ok(r) => settle(q, r, max_rows, oversize, diags),
                    Err(d) => {
                        diags.push(d);
                        Ran::Failed
                    }
                };
                (i, ran)
            })
            .collect();
        for (i, ran) in fresh {
            if let (Some(cache), Ran::Held(r), true, Mode::Build) = (&self.cache, &ran, self.data_clean, self.mode) {
                let (q, bindings) = &jobs[i];
                cache.put(&q.cache_key(bindings), r);
            }
            out[i] = ran;
        }
        Ok((out, cached))
    }

    /// Whether the cache holds `q`'s result (without parameters).
    pub fn is_cached(&self, q: &QueryFile) -> bool {
        self.cache.as_ref().is_some_and(|c| c.has(&q.cache_key(&[])))
    }

    /// Keeps `q`'s result (without parameters) in the engine as the table
    /// `name` ([`Source::keep`]); `false` where the engine keeps none or the
    /// statement failed (then the statements that would read it run `q`
    /// themselves, and report its error).
    pub fn keep(&mut self, name: &str, q: &QueryFile, diags: &Diagnostics) -> Result<bool> {
        let source = self.source(diags)?;
        Ok(source.keep(name, crate::query::rollup::strip_terminator(&q.run_sql), q.timeout).unwrap_or(false))
    }

    /// `q`'s result (run without parameters) split by its `key` column onto
    /// disk, for a result too big to hold; `None` where it failed (its error
    /// is a diagnostic).
    pub fn spill(&mut self, q: &QueryFile, key: &str, diags: &Diagnostics) -> Result<Option<Spill>> {
        let source = self.source(diags)?;
        Ok(Spill::run(source, q, key).map_err(|d| diags.push(d)).ok())
    }

    /// The engine, opened on first need.
    fn source(&mut self, diags: &Diagnostics) -> Result<&dyn Source> {
        if self.source.is_none() {
            let _t = crate::util::timings::stage("load data");
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

/// A result, just run or from the cache, checked ([`query::check_result`]):
/// held, or with `oversize`, over `max_rows` and let go but for its columns
/// (checked like any result's).
fn settle(q: &QueryFile, r: Limited, max_rows: usize, oversize: bool, diags: &Diagnostics) -> Ran {
    let checked = match r {
        Limited::Within(r) => query::check_result(q, &r, max_rows).map(|()| Ran::Held(Arc::new(r))),
        Limited::Over(columns) if oversize => {
            // Only its columns are checked: its rows were never all read.
            let r = QueryResult { columns, rows: Vec::new() };
            query::check_result(q, &r, max_rows).map(|()| Ran::Oversize(r.columns))
        }
        Limited::Over(_) => Err(query::over_max_rows(q, max_rows)),
    };
    checked.unwrap_or_else(|d| {
        diags.push(d);
        Ran::Failed
    })
}

/// The configured engine, loaded or connected. Data file problems are diagnostics;
/// an unreachable server is an error, since nothing can be checked without it.
pub fn open_source(project: &Project, diags: &Diagnostics) -> Result<Box<dyn Source>> {
    Ok(match project.config.source {
        SourceKind::Duckdb => {
            let display = |p: &std::path::Path| project.display_path(p);
            let memory = project.config.duckdb_memory.as_u64();
            Box::new(DuckSource::open(&project.data_dir(), project.config.timezone, memory, &display, diags)?)
        }
        SourceKind::Postgres => {
            let target =
                postgres::target(project.config.database_url.as_deref(), &project.config.postgres_tls(&project.root))?;
            Box::new(PgSource::open(target, project.config.timezone)?)
        }
    })
}
