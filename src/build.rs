//! The build pipeline: load data, run queries, render pages, write the site.

use crate::cache::Cache;
use crate::config::SourceKind;
use crate::diag::{Diagnostic, Diagnostics};
use crate::layout::Layout;
use crate::page;
use crate::project::Project;
use crate::query::{self, Results};
use crate::render::{self, RenderContext};
use crate::site::Staging;
use crate::source::duckdb::DuckSource;
use crate::source::postgres::{self, PgSource};
use crate::source::Source;
use crate::template;
use crate::theme::Theme;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::BTreeSet;
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
    let diags = Diagnostics::default();
    let root = &project.root;

    let queries = query::discover(&project.queries_dir(), root, &diags);
    let pages = page::discover(&project.pages_dir(), root, &diags);
    let env = template::environment();
    let queries: Vec<_> = queries.into_iter().filter(|q| !reserved_name(q, &env, &diags)).collect();

    let (results, cached) = run_queries(project, mode, &queries, &diags)?;
    let query_names: BTreeSet<String> = queries.iter().map(|q| q.name.clone()).collect();
    let pages = page::expand(pages, &results, &query_names, &diags);

    let theme = Theme::load(&project.theme_dir())?;
    let ctx = RenderContext::new(&env, &query_names, &results, &project.config.title);
    let layout = Layout::new(&theme, &project.config.title, &pages);
    let rendered: Vec<(PathBuf, String)> = pages
        .par_iter()
        .filter_map(|p| {
            let html = render::render_page(p, &ctx).and_then(|r| layout.render(p, &r).map_err(|d| vec![d]));
            match html {
                Ok(html) => Some((p.out_file(), html)),
                Err(errs) => {
                    errs.into_iter().for_each(|d| diags.push(d));
                    None
                }
            }
        })
        .collect();

    let mut report = Report {
        diagnostics: Vec::new(),
        pages: pages.len(),
        queries: queries.len(),
        cached,
        elapsed: Duration::ZERO,
        written: None,
    };
    if diags.is_empty() && mode == Mode::Build {
        write_site(project, &theme, &results, &rendered)?;
        report.written = Some(project.output_dir());
    }
    report.diagnostics = diags.into_sorted();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Results for every query: from the cache where the SQL and the data are
/// unchanged, otherwise from the engine, which is opened (and its data loaded)
/// only when some query missed. Returns the results and how many were cached.
fn run_queries(
    project: &Project,
    mode: Mode,
    queries: &[query::QueryFile],
    diags: &Diagnostics,
) -> Result<(Results, usize)> {
    let cache = (project.config.cache && project.config.source == SourceKind::Duckdb)
        .then(|| Cache::offline(&project.root, &project.data_dir()));
    let max_rows = project.config.max_rows;
    let mut results = Results::new();
    let mut misses = Vec::new();
    for q in queries {
        match cache.as_ref().and_then(|c| c.get(&q.sql)) {
            Some(r) => match query::check_result(q, &r, max_rows) {
                Ok(()) => {
                    results.insert(q.name.clone(), std::sync::Arc::new(r));
                }
                Err(d) => diags.push(d),
            },
            None => misses.push(q.clone()),
        }
    }
    let cached = results.len();
    if !misses.is_empty() {
        let before = diags.len();
        let source = open_source(project, diags)?;
        // Results are stored only when the data loaded cleanly, or a later build
        // served from the cache would skip the data errors this one reported.
        let data_clean = diags.len() == before;
        let fresh = query::run_all(&misses, source.as_ref(), max_rows, diags);
        if let (Some(cache), true, Mode::Build) = (&cache, data_clean, mode) {
            for q in &misses {
                if let Some(r) = fresh.get(&q.name) {
                    cache.put(&q.sql, r);
                }
            }
        }
        results.extend(fresh);
    }
    if let (Some(cache), Mode::Build) = (&cache, mode) {
        cache.prune();
    }
    Ok((results, cached))
}

/// The configured engine, loaded or connected. Data file problems are diagnostics;
/// an unreachable server is an error, since nothing can be checked without it.
fn open_source(project: &Project, diags: &Diagnostics) -> Result<Box<dyn Source>> {
    Ok(match project.config.source {
        SourceKind::Duckdb => {
            let display = |p: &std::path::Path| project.display_path(p);
            Box::new(DuckSource::open(&project.data_dir(), &display, diags)?)
        }
        SourceKind::Postgres => {
            let config = postgres::config(project.config.database_url.as_deref())?;
            Box::new(PgSource::open(config)?)
        }
    })
}

/// A query named like a template global would be shadowed or shadow it.
fn reserved_name(q: &query::QueryFile, env: &minijinja::Environment<'static>, diags: &Diagnostics) -> bool {
    let taken = render::PAGE_GLOBALS.contains(&q.name.as_str()) || template::builtin_names(env).contains(&q.name);
    if taken {
        diags.push(Diagnostic::in_file(
            &q.path,
            format!("query name '{}' is reserved for templates; rename the file", q.name),
        ));
    }
    taken
}

fn write_site(project: &Project, theme: &Theme, results: &Results, pages: &[(PathBuf, String)]) -> Result<()> {
    let staging = Staging::new(&project.output_dir())?;
    for (name, result) in results {
        staging.write(&PathBuf::from("data").join(format!("{name}.json")), &result.to_json_bytes())?;
    }
    for (path, bytes) in &theme.assets {
        staging.write(&PathBuf::from("assets").join(path), bytes)?;
    }
    for (out, html) in pages {
        staging.write(out, html.as_bytes())?;
    }
    staging.commit()
}
