//! A build kept in memory: the queries, their results, the pages and what each
//! rendered to, so a change to one file redoes only what depends on it (`vcd
//! serve --watch`). `vcd build` and `vcd check` run it once from scratch.

mod files;
mod reach;
mod unheld;

use crate::components::scope::Catalog;
use crate::page::{self, Page};
use crate::pipeline::rollups;
use crate::pipeline::slices::Loads;
use crate::pipeline::stages::{fill_figures, lay_out, plan_variants, render_pages, run_rollups, run_variants};
use crate::pipeline::variants;
use crate::project::Project;
use crate::query::chunks::Sorter;
use crate::query::partition::Slicer;
use crate::query::runner::Mode;
use crate::query::runner::Runner;
use crate::query::sparks::Sparker;
use crate::query::spill::Spill;
use crate::query::unheld::Unheld;
use crate::query::{self, QueryFile, Results};
use crate::render::template;
use crate::render::{self, RenderContext};
use crate::site::layout::Layout;
use crate::site::theme::Theme;
use crate::site::{self, Staging};
use crate::source::value::QueryResult;
use crate::util::diag::{Diagnostic, Diagnostics};
use crate::util::interrupt;
use crate::util::progress::Progress;
use crate::util::timings;
use anyhow::Result;
use files::DataFile;
use minijinja::Environment;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What produced a diagnostic, so redoing that piece replaces exactly its messages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    Project,
    /// Finding the pages and making a bracketed page's rows into pages.
    Pages,
    Data,
    Query(String),
    Page(PathBuf),
    /// Results too big to hold: which are spilled, and the ones that cannot be.
    Oversize,
}

/// How many pages are rendered and laid out at a time: enough to keep both
/// cores busy, few enough that their drafts (a few KB each) stay small.
const BATCH: usize = 10_000;

/// One rendered page.
struct Output {
    /// The page file it came from (several outputs share a bracketed page's file).
    source: Arc<Path>,
    /// Its HTML; `None` once a one-shot build has written it ([`Session::build`]).
    html: Option<String>,
    reads: BTreeSet<String>,
    /// The data files it loads.
    loads: Loads,
}

/// What changed on disk since the last step, as the watcher classified it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    pub config: bool,
    pub theme: bool,
    /// Data files (`data/posts.csv`, `data/schema.sql`), relative to the project.
    pub data: BTreeSet<PathBuf>,
    /// Query names whose file was written, created or removed.
    pub queries: BTreeSet<String>,
    /// Page files written, created or removed, relative to the project.
    pub pages: BTreeSet<PathBuf>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    pub fn merge(&mut self, other: Changes) {
        self.config |= other.config;
        self.theme |= other.theme;
        self.data.extend(other.data);
        self.queries.extend(other.queries);
        self.pages.extend(other.pages);
    }
}

/// What one step redid, for the terminal.
#[derive(Debug, Default)]
pub struct Step {
    pub queries_run: usize,
    pub pages_rendered: usize,
    pub files_written: usize,
}

pub struct Session {
    pub project: Project,
    mode: Mode,
    env: Environment<'static>,
    runner: Runner,
    queries: Vec<QueryFile>,
    results: Results,
    /// The queries with more rows than `max_rows`, with their columns: not held.
    oversize: BTreeMap<String, Unheld>,
    /// Those of them the pages made from rows read, split by key onto disk.
    spills: Vec<Arc<Spill>>,
    /// Pre-computed variants by file name (`kpis.<hash>.json`).
    variants: BTreeMap<String, Arc<QueryResult>>,
    /// Rollup files by name (`post_facts.r<hash>.json`), as written.
    rollups: BTreeMap<String, Arc<Vec<u8>>>,
    /// The result, chunk and projection files the site holds, by path in the site.
    data_files: BTreeMap<PathBuf, DataFile>,
    /// The results split by key, for the slices (shared with the pages' components).
    slicer: Arc<Slicer>,
    /// The results in table order, for the chunks of tables that page (shared likewise).
    sorter: Arc<Sorter>,
    /// Tables' sparklines by key (shared likewise).
    sparker: Arc<Sparker>,
    /// Every page, bracketed ones expanded.
    pages: Vec<Page>,
    theme: Theme,
    /// Rendered pages by output file.
    outputs: BTreeMap<PathBuf, Output>,
    errors: BTreeMap<Origin, Vec<Diagnostic>>,
    /// Results served from the cache in the last full run.
    pub cached: usize,
    /// Site files changed since the last write: new bytes, or `None` when removed.
    pending: BTreeMap<PathBuf, Option<Vec<u8>>>,
    /// Site files changed since the last write whose bytes the session holds
    /// (pages, results, slices): written from it then, or removed if it no
    /// longer has them. Rendering 100,000 pages keeps no second copy of each.
    dirty: BTreeSet<PathBuf>,
    /// A one-shot build's new site, written as pages are laid out ([`Session::build`]).
    staging: Option<Staging>,
    step: Step,
    /// When the data was current, as of the last queries run (`project::as_of`):
    /// a page edit keeps it; a change to it re-renders every page's footer.
    as_of: Option<crate::project::as_of::AsOf>,
}

impl Session {
    /// Runs the whole pipeline once, its stages in order:
    ///
    /// 1. **find queries** (`queries/*.sql`, their `$name` parameters);
    /// 2. **load data and run queries**: the engine opens (and DuckDB loads
    ///    `data/`) only when a query misses the result cache; a result over
    ///    `max_rows` is not held, only its columns;
    /// 3. **find pages** (`pages/**/*.md`, a page per row of a `rows:` query),
    ///    then **spill** the results too big to hold that those pages read
    ///    in slices ([`Session::spill_oversize`]);
    /// 4. **render pages**: template, components, charts, Markdown;
    /// 5. **plan variants, rollups and slices**: the pre-computed results each
    ///    page's inputs need, the rollups its charts and KPI cards read, and
    ///    the slice of each query a page made from a row loads;
    /// 6. **run variants and rollups**;
    /// 7. **lay out**: each page in the theme's layout;
    /// 8. **plan data files**: each result whole, or split into the slices pages load;
    /// 9. **write**: [`Session::write_all`] (`vcd build`) or
    ///    [`Session::write_pending`] (`vcd serve`, after [`Session::apply`]
    ///    repeats the stages a change reaches).
    pub fn open(project: Project, mode: Mode) -> Result<Session> {
        Session::start(project, mode, None)
    }

    /// Runs the pipeline once for `vcd build`: as [`Session::open`], but each
    /// page goes into the new site as it is laid out instead of being held,
    /// so memory does not grow with the number of pages.
    /// [`Session::write_all`] then writes the rest and swaps the site in;
    /// dropping the session without it leaves the old site as it was.
    ///
    /// # Errors
    /// The output folder is not vcd's, or its sibling cannot be created, as
    /// well as those of [`Session::open`].
    pub fn build(project: Project) -> Result<Session> {
        let staging = Staging::new(&project.output_dir())?;
        Session::start(project, Mode::Build, Some(staging))
    }

    fn start(project: Project, mode: Mode, staging: Option<Staging>) -> Result<Session> {
        let theme = Theme::load(&project.theme_dir())?;
        let runner = Runner::new(&project, mode);
        let mut s = Session {
            env: template::environment(),
            runner,
            project,
            mode,
            queries: Vec::new(),
            results: Results::new(),
            oversize: BTreeMap::new(),
            spills: Vec::new(),
            variants: BTreeMap::new(),
            rollups: BTreeMap::new(),
            data_files: BTreeMap::new(),
            slicer: Arc::default(),
            sorter: Arc::default(),
            sparker: Arc::default(),
            pages: Vec::new(),
            theme,
            outputs: BTreeMap::new(),
            as_of: None,
            errors: BTreeMap::new(),
            cached: 0,
            pending: BTreeMap::new(),
            dirty: BTreeSet::new(),
            staging,
            step: Step::default(),
        };
        s.discover_queries(); // 1
        let names: BTreeSet<String> = s.queries.iter().map(|q| q.name.clone()).collect();
        s.cached = {
            let _t = timings::stage("load data, run queries");
            s.run(&names)?
        }; // 2
        interrupt::check()?;
        s.render(|_, _| true)?; // 3 to 8
        s.runner.finish();
        Ok(s)
    }

    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self.errors.values().flatten().cloned().collect();
        all.sort_by(|a, b| (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message)));
        all
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    pub fn query_count(&self) -> usize {
        self.queries.len()
    }

    /// Redoes what `changes` affect. A change to the settings starts over.
    pub fn apply(&mut self, changes: &Changes) -> Result<Step> {
        self.step = Step::default();
        let as_of_before = self.as_of.as_ref().map(|a| a.iso());
        if changes.config {
            let project = Project::open_with(&self.project.root, self.project.overrides.clone())?;
            *self = Session::open(project, self.mode)?;
            self.pending.clear();
            self.dirty = self.site_paths().into_iter().collect();
            self.step.pages_rendered = self.pages.len();
            self.step.queries_run = self.queries.len();
            return Ok(std::mem::take(&mut self.step));
        }
        let mut rerun: BTreeSet<String> = BTreeSet::new();
        if !changes.queries.is_empty() {
            let before: BTreeMap<String, String> =
                self.queries.iter().map(|q| (q.name.clone(), q.sql.clone())).collect();
            self.discover_queries();
            let after: BTreeMap<String, String> =
                self.queries.iter().map(|q| (q.name.clone(), q.sql.clone())).collect();
            for name in before.keys().chain(after.keys()) {
                if before.get(name) != after.get(name) || changes.queries.contains(name) {
                    rerun.insert(name.clone());
                }
            }
        }
        if !changes.data.is_empty() {
            self.runner.data_changed();
            self.errors.remove(&Origin::Data);
            rerun.extend(self.queries_reading(&changes.data));
        }
        self.run(&rerun)?;

        let mut render_all = false;
        if changes.theme {
            self.theme = Theme::load(&self.project.theme_dir())?;
            for (path, bytes) in &self.theme.assets {
                self.pending.insert(PathBuf::from("assets").join(path), Some(bytes.clone()));
            }
            render_all = true;
        }
        let nav_before = self.nav_signature();
        let pages_changed = &changes.pages;
        self.render(|p, reads| {
            render_all
                || pages_changed.contains(&*p.source)
                || reads.is_none_or(|r| r.iter().any(|q| rerun.contains(q)))
        })?;
        if self.nav_signature() != nav_before || self.as_of.as_ref().map(|a| a.iso()) != as_of_before {
            // A page came, went or was renamed: every sidebar shows it; or
            // the data's time changed: every footer shows it.
            self.render(|_, _| true)?;
        }
        // The result cache is pruned only after a full run, which knows every entry it needs.
        Ok(std::mem::take(&mut self.step))
    }

    /// Reads `queries/`, replacing the project-level messages about its files.
    fn discover_queries(&mut self) {
        let diags = Diagnostics::default();
        let found = query::discover(
            &self.project.queries_dir(),
            &self.project.root,
            self.project.config.statement_timeout,
            &diags,
        );
        let env = &self.env;
        self.queries = found.into_iter().filter(|q| !reserved_name(q, env, &diags)).collect();
        let names: BTreeSet<&String> = self.queries.iter().map(|q| &q.name).collect();
        self.results.retain(|k, _| names.contains(k));
        self.errors.retain(|o, _| !matches!(o, Origin::Query(q) if !names.contains(q)));
        self.errors.remove(&Origin::Project);
        self.route(diags);
    }

    /// Runs the named queries (bound to NULL), replacing their results, messages
    /// and variants. Returns how many came from the cache.
    fn run(&mut self, names: &BTreeSet<String>) -> Result<usize> {
        if names.is_empty() {
            return Ok(0);
        }
        let jobs: Vec<QueryFile> = self.queries.iter().filter(|q| names.contains(&q.name)).cloned().collect();
        for name in names {
            self.errors.remove(&Origin::Query(name.clone()));
            self.results.remove(name);
            self.oversize.remove(name);
            self.spills.retain(|s| &s.query != name);
            let prefix = format!("{name}.");
            self.variants.retain(|file, _| !file.starts_with(&prefix));
            self.rollups.retain(|file, _| !file.starts_with(&prefix));
        }
        let diags = Diagnostics::default();
        let base = self.runner.base(&jobs, &diags)?;
        // Its files are rewritten from the new result (the stage "plan data
        // files" adds and removes files); one that failed keeps its files.
        let ran: BTreeSet<&str> = base.results.keys().chain(base.oversize.keys()).map(String::as_str).collect();
        self.dirty.extend(self.data_files.iter().filter(|(_, f)| ran.contains(f.query())).map(|(p, _)| p.clone()));
        self.results.extend(base.results);
        self.oversize.extend(base.oversize);
        self.step.queries_run += jobs.len();
        self.route(diags);
        let config = &self.project.config;
        self.as_of = crate::project::as_of::AsOf::of_build(
            config.source,
            &self.project.data_dir(),
            config.timezone,
            chrono::Utc::now(),
        );
        Ok(base.cached)
    }

    /// Renders the pages `select` picks (given each page and, for a page rendered
    /// before, the queries it read), and the variants their inputs need: the
    /// page stages of the pipeline, in order.
    fn render(&mut self, select: impl Fn(&Page, Option<&BTreeSet<String>>) -> bool) -> Result<()> {
        let names: BTreeSet<String> = self.queries.iter().map(|q| q.name.clone()).collect();
        let chosen = {
            let _t = timings::stage("find pages");
            self.find_pages(&names, select)
        };
        {
            let _t = timings::stage("spill big results");
            self.spill_oversize()?;
        }
        {
            let _t = timings::stage("profile big results");
            self.profile_oversize()?;
        }
        let catalog = Catalog {
            results: self.results.clone(),
            names: names.clone(),
            params: self.params(),
            slicer: self.slicer.clone(),
            sorter: self.sorter.clone(),
            sparker: self.sparker.clone(),
            browser_rows: self.project.config.browser_rows,
            oversize: self.oversize.clone(),
            max_rows: self.project.config.max_rows,
            spills: self.spills.clone(),
        };
        let mut ctx = RenderContext::new(&self.env, &names, &self.results, catalog, &self.project.config.title);
        ctx.data_as_of = self.as_of.clone();
        // Pages made from rows come after the others, so the dashboards' rollups
        // of one query fall in one batch and share its kept table.
        let mut chosen: Vec<&Page> = chosen.iter().map(|&i| &self.pages[i]).collect();
        chosen.sort_by_key(|p| p.row.is_some());
        let layout =
            Layout::new(&self.theme, &self.project.config.title, &self.pages).with_data_as_of(ctx.data_as_of.clone());
        let progress = Progress::new("pages rendered:", chosen.len());
        let vdiags = Diagnostics::default();
        let mut clocks = [
            timings::total("render pages"),
            timings::total("plan variants, rollups"),
            timings::total("run variants"),
            timings::total("run rollups"),
            timings::total("lay out"),
        ];
        // In batches, so memory holds one batch's drafts. A one-shot build
        // hands each page to a writer thread as it is laid out and keeps
        // none: the disk writes one batch while the cores render the next.
        let one_shot = self.staging.is_some();
        site::write_while(self.staging.as_ref(), BATCH, |write| {
            for batch in chosen.chunks(BATCH) {
                interrupt::check()?;
                let drafts = clocks[0].time(|| render_pages(batch, &ctx, &progress));
                let plan = clocks[1].time(|| plan_variants(drafts, &ctx, &self.project.config));
                for failed in &plan.failed {
                    // A page that failed may have failed on any query; any rerun retries it.
                    self.outputs.entry(failed.clone()).and_modify(|o| o.reads = names.clone());
                }
                let jobs: variants::Jobs =
                    plan.jobs.into_iter().filter(|(file, _)| !self.variants.contains_key(file)).collect();
                let made = clocks[2].time(|| run_variants(jobs, &self.queries, &mut self.runner, &vdiags))?;
                for (file, result) in made {
                    self.pending.insert(PathBuf::from("data").join(&file), Some(result.to_json_bytes()));
                    self.variants.insert(file, result);
                }
                let jobs: rollups::Jobs =
                    plan.rollups.into_iter().filter(|(file, _)| !self.rollups.contains_key(file)).collect();
                let (results, oversize) = (&self.results, &self.oversize);
                let columns = |q: &str| match results.get(q) {
                    Some(r) => Some(r.columns.as_slice()),
                    None => oversize.get(q).map(|u| u.columns.as_slice()),
                };
                let made = clocks[3].time(|| run_rollups(jobs, &self.queries, columns, &mut self.runner, &vdiags))?;
                for (file, bytes) in made {
                    self.pending.insert(PathBuf::from("data").join(&file), Some(bytes.to_vec()));
                    self.rollups.insert(file, bytes);
                }
                let mut finished = plan.finished;
                clocks[4].time(|| fill_figures(&mut finished, &self.rollups));
                let mut problems = plan.problems;
                // Once the build has an error it will not be written, nor will
                // its pages (1,000,000 of them take minutes to write and as
                // many to remove).
                let failed = !problems.is_empty() || !vdiags.is_empty() || self.errors.values().any(|e| !e.is_empty());
                for laid in clocks[4].time(|| lay_out(finished, &layout)) {
                    match laid.html {
                        Ok(html) => {
                            let out = laid.page.out_file();
                            let output = Output {
                                source: laid.page.source.clone(),
                                html: None,
                                reads: BTreeSet::new(),
                                loads: laid.loads,
                            };
                            self.step.pages_rendered += 1;
                            if !one_shot {
                                self.dirty.insert(out.clone());
                                let output = Output { html: Some(html), reads: laid.reads, ..output };
                                self.outputs.insert(out, output);
                                continue;
                            }
                            // A one-shot build neither holds the page, nor
                            // re-renders it, nor writes it again.
                            if !failed {
                                write(out.clone(), html.into_bytes());
                            }
                            self.outputs.insert(out, output);
                        }
                        Err(d) => problems.push(d),
                    }
                }
                for d in problems {
                    let origin = d.file.clone().map_or(Origin::Project, Origin::Page);
                    push_unique(self.errors.entry(origin).or_default(), d);
                }
            }
            Ok(())
        })?;
        drop(progress);
        drop(clocks);
        self.refuse_unread_oversize();
        self.route(vdiags);
        let _t = timings::stage("plan data files");
        self.plan_data_files();
        Ok(())
    }

    /// Each query's parameters, for the pages that bind them.
    fn params(&self) -> BTreeMap<String, Vec<String>> {
        self.queries.iter().filter(|q| !q.params.is_empty()).map(|q| (q.name.clone(), q.params.clone())).collect()
    }

    /// Finds `pages/` again (a page per row from its query's rows, `names` being
    /// the queries that exist), drops the
    /// outputs of pages that are gone, and returns the indices in `self.pages`
    /// of those `select` picks, their old messages cleared.
    fn find_pages(
        &mut self,
        names: &BTreeSet<String>,
        select: impl Fn(&Page, Option<&BTreeSet<String>>) -> bool,
    ) -> Vec<usize> {
        let diags = Diagnostics::default();
        let raw = page::discover(&self.project.pages_dir(), &self.project.root, &diags);
        // Pages are made from a result held whole; one too big to hold makes none.
        for p in raw.iter().filter(|p| p.key.is_some() && p.row.is_none()) {
            if let Some((query, line)) = p.front.rows.as_ref().filter(|(q, _)| self.oversize.contains_key(q)) {
                let message = format!(
                    "rows query '{query}' returns more than max_rows = {} rows, too many to hold, and pages \
                     are made from a result held whole; filter it in its SQL, or raise max_rows in vcd.toml",
                    self.project.config.max_rows
                );
                diags.push(Diagnostic::in_file(&p.source, message).at(*line, None));
            }
        }
        self.pages = page::expand(raw, &self.results, names, &self.params(), &diags);

        // Pages that no longer exist leave the site.
        let live: BTreeSet<PathBuf> = self.pages.iter().map(Page::out_file).collect();
        let gone: Vec<PathBuf> = self.outputs.keys().filter(|k| !live.contains(*k)).cloned().collect();
        for out in gone {
            if let Some(o) = self.outputs.remove(&out) {
                self.errors.remove(&Origin::Page(o.source.to_path_buf()));
            }
            self.pending.insert(out, None);
        }

        // Finding and expanding pages is redone in full each time, and so are its messages.
        self.errors.insert(Origin::Pages, diags.into_sorted());
        let chosen: Vec<usize> = (0..self.pages.len())
            .filter(|&i| {
                let p = &self.pages[i];
                select(p, self.outputs.get(&p.out_file()).map(|o| &o.reads))
            })
            .collect();
        let sources: BTreeSet<&Path> = chosen.iter().map(|&i| &*self.pages[i].source).collect();
        self.errors.retain(|o, _| !matches!(o, Origin::Page(s) if sources.contains(s.as_path())));
        chosen
    }

    /// Files the sidebar depends on: each page's URL and title, in order.
    fn nav_signature(&self) -> Vec<(String, String, Option<i64>)> {
        self.pages.iter().filter(|p| p.row.is_none()).map(|p| (p.url.clone(), p.title(), p.front.order)).collect()
    }

    /// Files each diagnostic under what produced it.
    fn route(&mut self, diags: Diagnostics) {
        for d in diags.into_sorted() {
            let origin = match &d.file {
                Some(f) if f.starts_with("queries") => {
                    Origin::Query(f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default())
                }
                Some(f) if f.starts_with("data") => Origin::Data,
                Some(f) if f.starts_with("pages") => Origin::Page(f.clone()),
                _ => Origin::Project,
            };
            push_unique(self.errors.entry(origin).or_default(), d);
        }
    }
}

fn push_unique(list: &mut Vec<Diagnostic>, d: Diagnostic) {
    if !list.iter().any(|x| x.to_string() == d.to_string()) {
        list.push(d);
    }
}

/// A query named like a template global would be shadowed or shadow it.
fn reserved_name(q: &QueryFile, env: &Environment<'static>, diags: &Diagnostics) -> bool {
    let taken = render::PAGE_GLOBALS.contains(&q.name.as_str()) || template::builtin_names(env).contains(&q.name);
    if taken {
        diags.push(Diagnostic::in_file(
            &q.path,
            format!("query name '{}' is reserved for templates; rename the file", q.name),
        ));
    }
    taken
}
