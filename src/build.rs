//! The build pipeline: load data, run queries, render pages, write the site.

use crate::diag::{Diagnostic, Diagnostics};
use crate::layout::Layout;
use crate::page;
use crate::project::Project;
use crate::query::{self, Results};
use crate::render::{self, RenderContext};
use crate::runner::Runner;
use crate::site::Staging;
use crate::template;
use crate::theme::Theme;
use crate::value::QueryResult;
use crate::variants;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
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

    let mut runner = Runner::new(project, mode);
    let (results, cached) = runner.base(&queries, &diags)?;
    let query_names: BTreeSet<String> = queries.iter().map(|q| q.name.clone()).collect();
    let params: BTreeMap<String, Vec<String>> =
        queries.iter().filter(|q| !q.params.is_empty()).map(|q| (q.name.clone(), q.params.clone())).collect();
    let pages = page::expand(pages, &results, &query_names, &params, &diags);

    let theme = Theme::load(&project.theme_dir())?;
    let ctx = RenderContext::new(&env, &query_names, &results, params, &project.config.title);
    let drafts: Vec<(&page::Page, render::RenderedPage)> = pages
        .par_iter()
        .filter_map(|p| match render::render_page(p, &ctx) {
            Ok(r) => Some((p, r)),
            Err(errs) => {
                errs.into_iter().for_each(|d| diags.push(d));
                None
            }
        })
        .collect();

    // Each page's manifest names the variants it needs; they run once for all pages.
    let mut jobs = variants::Jobs::new();
    let mut finished = Vec::with_capacity(drafts.len());
    for (p, mut r) in drafts {
        match variants::manifest(p, &r, &ctx.catalog, project.config.max_variants, &mut jobs) {
            Ok(m) if !r.uses.is_empty() || !r.inputs.is_empty() => {
                r.content.push_str(&variants::script(&m));
                finished.push((p, r));
            }
            Ok(_) => finished.push((p, r)),
            Err(d) => diags.push(d),
        }
    }
    let variant_results = run_variants(&mut runner, &queries, &jobs, &diags)?;
    runner.finish();

    let layout = Layout::new(&theme, &project.config.title, &pages);
    let rendered: Vec<(PathBuf, String)> = finished
        .par_iter()
        .filter_map(|(p, r)| match layout.render(p, r) {
            Ok(html) => Some((p.out_file(), html)),
            Err(d) => {
                diags.push(d);
                None
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
        write_site(project, &theme, &results, &variant_results, &rendered)?;
        report.written = Some(project.output_dir());
    }
    report.diagnostics = diags.into_sorted();
    report.elapsed = started.elapsed();
    Ok(report)
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

/// Runs the planned variants; returns each result by its file name.
fn run_variants(
    runner: &mut Runner,
    queries: &[query::QueryFile],
    jobs: &variants::Jobs,
    diags: &Diagnostics,
) -> Result<BTreeMap<String, Arc<QueryResult>>> {
    let by_name: BTreeMap<&str, &query::QueryFile> = queries.iter().map(|q| (q.name.as_str(), q)).collect();
    let list: Vec<(&String, &query::QueryFile, &Vec<serde_json::Value>)> =
        jobs.iter().filter_map(|(file, (q, b))| Some((file, *by_name.get(q.as_str())?, b))).collect();
    let runs: Vec<(&query::QueryFile, Vec<serde_json::Value>)> =
        list.iter().map(|(_, q, b)| (*q, (*b).clone())).collect();
    let (found, _) = runner.run(&runs, diags)?;
    Ok(list.iter().zip(found).filter_map(|((file, _, _), r)| Some(((*file).clone(), r?))).collect())
}

fn write_site(
    project: &Project,
    theme: &Theme,
    results: &Results,
    variants: &BTreeMap<String, Arc<QueryResult>>,
    pages: &[(PathBuf, String)],
) -> Result<()> {
    let staging = Staging::new(&project.output_dir())?;
    for (name, result) in results {
        staging.write(&PathBuf::from("data").join(format!("{name}.json")), &result.to_json_bytes())?;
    }
    for (file, result) in variants {
        staging.write(&PathBuf::from("data").join(file), &result.to_json_bytes())?;
    }
    for (path, bytes) in &theme.assets {
        staging.write(&PathBuf::from("assets").join(path), bytes)?;
    }
    for (out, html) in pages {
        staging.write(out, html.as_bytes())?;
    }
    staging.commit()
}
