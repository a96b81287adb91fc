//! The page stages of a build, each over all the pages it is given, in
//! parallel where it can be: render, plan variants, rollups and slices, run
//! variants, run rollups, lay out. [`crate::pipeline::session`] calls them in
//! order and keeps what they produce.

use crate::page::Page;
use crate::pipeline::rollups;
use crate::pipeline::slices::{self, Loads};
use crate::pipeline::tables;
use crate::pipeline::variants;
use crate::query::runner::Runner;
use crate::query::QueryFile;
use crate::render::{self, RenderContext, RenderedPage};
use crate::site::layout::Layout;
use crate::source::value::{Column, QueryResult};
use crate::util::diag::{Diagnostic, Diagnostics};
use crate::util::progress::Progress;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

/// One page's rendering: its HTML body, or every problem it has.
pub(super) type Draft<'p> = (&'p Page, Result<RenderedPage, Vec<Diagnostic>>);

/// Stage "render pages": each page's template, charts and Markdown, in parallel.
pub(super) fn render_pages<'p>(pages: &[&'p Page], ctx: &RenderContext, progress: &Progress) -> Vec<Draft<'p>> {
    pages
        .par_iter()
        .map(|p| {
            let r = render::render_page(p, ctx);
            progress.tick();
            (*p, r)
        })
        .collect()
}

/// A page ready to lay out: what it rendered to and the data files it loads.
pub(super) struct Finished<'p> {
    pub(super) page: &'p Page,
    pub(super) rendered: RenderedPage,
    pub(super) loads: Loads,
    /// For a page with KPI cards that wait for their rollups: its manifest's
    /// `rollups` and `requests`, which say which file each card reads.
    pub(super) rollups: Option<(serde_json::Value, serde_json::Value)>,
}

/// What planning the variants of the rendered pages gave.
pub(super) struct Plan<'p> {
    /// Pages ready to lay out.
    pub(super) finished: Vec<Finished<'p>>,
    /// The variants they need, by file name.
    pub(super) jobs: variants::Jobs,
    /// The rollups they need, by file name.
    pub(super) rollups: rollups::Jobs,
    /// Output files of pages that failed.
    pub(super) failed: Vec<PathBuf>,
    pub(super) problems: Vec<Diagnostic>,
}

/// Stage "plan variants, rollups and slices": for each rendered page, the
/// pre-computed results its inputs need, the rollups its components read and
/// the slices it loads (its manifest, appended as a script), and the jobs to
/// make the variants and rollups.
pub(super) fn plan_variants<'p>(
    drafts: Vec<Draft<'p>>,
    ctx: &RenderContext,
    config: &crate::project::config::Config,
) -> Plan<'p> {
    let mut plan = Plan {
        finished: Vec::new(),
        jobs: variants::Jobs::new(),
        rollups: rollups::Jobs::new(),
        failed: Vec::new(),
        problems: Vec::new(),
    };
    let shared = tables::shared(drafts.iter().filter_map(|(_, r)| r.as_ref().ok()), &ctx.catalog);
    for (p, r) in drafts {
        match r {
            Ok(r) => match finish(p, r, ctx, config, &shared, &mut plan) {
                Ok(f) => plan.finished.push(f),
                Err(d) => plan.problems.push(d),
            },
            Err(errs) => {
                plan.problems.extend(errs);
                plan.failed.push(p.out_file());
            }
        }
    }
    plan
}

/// One rendered page with its manifest: the variants and rollups it needs
/// (added to `plan`) and the slices it loads.
pub(super) fn finish<'p>(
    p: &'p Page,
    mut r: RenderedPage,
    ctx: &RenderContext,
    config: &crate::project::config::Config,
    shared: &tables::Shared,
    plan: &mut Plan,
) -> Result<Finished<'p>, Diagnostic> {
    let mut m = variants::manifest(p, &r, &ctx.catalog, config.max_variants, &mut plan.jobs)?;
    let (files, requests) = rollups::plan(&r, &ctx.catalog, &mut plan.rollups);
    let deferred = (!r.deferred.is_empty()).then(|| (files.clone(), requests.clone()));
    if !r.rollups.is_empty() {
        m["rollups"] = files;
        m["requests"] = requests;
    }
    let (tables, chunks) = tables::plan(&r, &ctx.catalog, shared);
    if !r.tables.is_empty() {
        m["tables"] = tables;
    }
    let (files, projections) = tables::projections(&r, &ctx.catalog);
    if !r.projections.is_empty() {
        m["projections"] = files;
    }
    let mut loads = slices::loads(p, &r, &ctx.catalog)?;
    loads.chunks = chunks;
    loads.projections = projections;
    // A sparkline's query is read only through its shards, never whole.
    for s in &r.sparks {
        if !loads.queries().any(|q| *q == s.query) {
            loads.indirect.push(s.query.clone());
        }
    }
    loads.sparks = r.sparks.clone();
    if !r.uses.is_empty() || !r.inputs.is_empty() {
        let script = variants::script(&m);
        r.content.reserve_exact(script.len());
        r.content.push_str(&script);
    }
    if let Some(rows) = &p.front.rows {
        r.reads.insert(rows.0.clone());
    }
    Ok(Finished { page: p, rendered: r, loads, rollups: deferred })
}

/// Stage "run variants": each job's query with its bound values; the results
/// that ran, by file name (failures go to `diags`).
pub(super) fn run_variants(
    jobs: variants::Jobs,
    queries: &[QueryFile],
    runner: &mut Runner,
    diags: &Diagnostics,
) -> Result<Vec<(String, std::sync::Arc<QueryResult>)>> {
    let by_name: BTreeMap<&str, &QueryFile> = queries.iter().map(|q| (q.name.as_str(), q)).collect();
    let list: Vec<(String, &QueryFile, Vec<serde_json::Value>)> =
        jobs.into_iter().filter_map(|(file, (q, b))| Some((file, *by_name.get(q.as_str())?, b))).collect();
    let runs: Vec<(&QueryFile, Vec<serde_json::Value>)> = list.iter().map(|(_, q, b)| (*q, b.clone())).collect();
    let (found, _) = runner.run(&runs, diags)?;
    Ok(list.into_iter().zip(found).filter_map(|((file, _, _), r)| Some((file, r?))).collect())
}

/// Stage "run rollups": each rollup's query in the engine; the files that
/// ran, by name (failures go to `diags`, under the query's file).
/// `columns` gives each query's columns, whether it is held or too big to hold.
pub(super) fn run_rollups<'c>(
    jobs: rollups::Jobs,
    queries: &[QueryFile],
    columns: impl Fn(&str) -> Option<&'c [Column]>,
    runner: &mut Runner,
    diags: &Diagnostics,
) -> Result<Vec<(String, Arc<Vec<u8>>)>> {
    let by_name: BTreeMap<&str, &QueryFile> = queries.iter().map(|q| (q.name.as_str(), q)).collect();
    let planned: Vec<(String, crate::query::rollup::Rollup, &QueryFile, Vec<&str>)> = jobs
        .into_iter()
        .filter_map(|(file, r)| {
            let columns = columns(&r.query)?;
            let floats: Vec<&str> = columns
                .iter()
                .filter(|c| crate::query::rollup::is_float(&c.sql_type))
                .map(|c| c.name.as_str())
                .collect();
            let base = *by_name.get(r.query.as_str())?;
            Some((file, r, base, floats))
        })
        .collect();
    // A query that two rollups or more must run on is run once and kept in
    // the engine for them to read (DuckDB; 43 rollups of the demo's
    // post_facts would otherwise each run its joins again).
    let mut misses: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, r, base, floats) in &planned {
        if !runner.is_cached(&r.query_file(base, floats, None)) {
            *misses.entry(base.name.as_str()).or_default() += 1;
        }
    }
    let mut kept: BTreeMap<&str, String> = BTreeMap::new();
    for (name, _) in misses.into_iter().filter(|(_, n)| *n >= 2) {
        let table = format!("vcd_kept_{name}");
        if runner.keep(&table, by_name[name], diags)? {
            kept.insert(name, table);
        }
    }
    let list: Vec<(String, usize, QueryFile)> = planned
        .into_iter()
        .map(|(file, r, base, floats)| {
            let q = r.query_file(base, &floats, kept.get(base.name.as_str()).map(String::as_str));
            (file, r.grain().count(), q)
        })
        .collect();
    // A few at a time, each group's results made into files before the next
    // runs: at 1,000,000 posts a rollup by day holds hundreds of thousands of
    // rows, and 59 of them held at once took 3 GB.
    let mut files = Vec::with_capacity(list.len());
    for group in list.chunks(2 * rayon::current_num_threads()) {
        let runs: Vec<(&QueryFile, Vec<serde_json::Value>)> = group.iter().map(|(_, _, q)| (q, Vec::new())).collect();
        let (found, _) = runner.run(&runs, diags)?;
        files.par_extend(group.par_iter().zip(found).filter_map(|((file, grain, _), r)| {
            Some((file.clone(), Arc::new(crate::query::rollup::file_bytes(&*r?, *grain))))
        }));
    }
    Ok(files)
}

/// Stage "fill figures": each KPI card that waited for its rollup gets its
/// figures from the rollup files made (`made`, by name), in parallel.
pub(super) fn fill_figures(finished: &mut [Finished], made: &BTreeMap<String, Arc<Vec<u8>>>) {
    finished.par_iter_mut().for_each(|f| {
        if let Some((files, requests)) = &f.rollups {
            crate::pipeline::figures::fill(&mut f.rendered.content, &f.rendered.deferred, files, requests, made);
        }
    });
}

/// A page laid out: its HTML, the queries it read and the data files it loads.
pub(super) struct Laid<'p> {
    pub(super) page: &'p Page,
    pub(super) html: Result<String, Diagnostic>,
    pub(super) reads: BTreeSet<String>,
    pub(super) loads: Loads,
}

/// Stage "lay out": each finished page inside the theme's layout (sidebar,
/// scripts), in parallel.
pub(super) fn lay_out<'p>(finished: Vec<Finished<'p>>, layout: &Layout) -> Vec<Laid<'p>> {
    finished
        .into_par_iter()
        .map(|f| Laid {
            page: f.page,
            html: layout.render(f.page, &f.rendered),
            reads: f.rendered.reads,
            loads: f.loads,
        })
        .collect()
}
