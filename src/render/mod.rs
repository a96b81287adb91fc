//! Rendering one page: template with query results in scope, chart blocks, Markdown.

pub mod markdown;
pub mod refusal;
pub mod template;

use crate::chart;
use crate::components::inputs::Input;
use crate::components::scope::{self, Catalog, PageScope};
use crate::page::Page;
use crate::query::rollup::Request;
use crate::query::Results;
use crate::util::diag::{excerpt, line_col, suggestion, Diagnostic};
use minijinja::value::Value;
use minijinja::Environment;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

/// What every page of a build renders against.
pub struct RenderContext<'a> {
    pub env: &'a Environment<'static>,
    /// Every query that exists, including ones whose run failed.
    pub query_names: &'a BTreeSet<String>,
    pub results: &'a Results,
    pub site_title: &'a str,
    /// Template globals (`range`, `dict`, …) and our own names (`page`, `site`).
    builtins: BTreeSet<String>,
    /// Each result converted to a template value once, on first use, and shared.
    values: BTreeMap<String, OnceLock<Value>>,
    /// What components read: results, query names and parameters, and
    /// `browser_rows` (past it a scatter is drawn as a density).
    pub catalog: Arc<Catalog>,
    /// When the build's data was current (`site.data_as_of`, `last_refreshed()`).
    pub data_as_of: Option<crate::project::as_of::AsOf>,
}

/// A page's main content, ready for the layout.
pub struct RenderedPage {
    pub content: String,
    pub has_charts: bool,
    pub has_h1: bool,
    /// The page's inputs, in page order.
    pub inputs: Vec<Input>,
    /// Queries its charts, tables and KPIs read, each with the line that first uses it.
    pub uses: Vec<(String, usize)>,
    /// Every query the page read, in its text or through components: what a
    /// change must re-render it for.
    pub reads: BTreeSet<String>,
    /// Those of `uses` whose rows the runtime loads whole (or as the page's
    /// slice or a variant): charts that read rows, KPI cards read from rows,
    /// tables that are not paged. The rest it reads only through rollups,
    /// sorted chunks or projections.
    pub row_loads: BTreeSet<String>,
    /// On a page made from a row, the queries of `uses` it gets only its own
    /// rows of ([`PageScope::own_rows`]), which `content` carries
    /// ([`rows_script`]; see `pipeline::slices`).
    pub own: Vec<String>,
    /// The rollups its components asked for, numbered by position (KPI cards
    /// first, then charts); each component's spec holds its number.
    pub rollups: Vec<Request>,
    /// The columns its charts cross-filter on (`usermeta.vcd.select`).
    pub selects: Vec<String>,
    /// Its tables that page through sorted chunks, numbered by position.
    pub tables: Vec<crate::components::scope::PagedTable>,
    /// Charts of one mark per row that read only some columns, numbered by
    /// position: (query, the columns they encode).
    pub projections: Vec<(String, Vec<String>)>,
    /// The sparkline columns of its tables, whose shards it reads.
    pub sparks: Vec<crate::query::sparks::SparkSet>,
    /// KPI cards whose figures wait for their rollups, numbered by position
    /// as their markers in `content` are.
    pub deferred: Vec<crate::components::deferred::DeferredKpi>,
}

/// Names pages may use besides queries.
pub const PAGE_GLOBALS: &[&str] = &["page", "site", "row", scope::VAR];

impl<'a> RenderContext<'a> {
    /// The context for rendering pages against `results`, the results
    /// `catalog` holds (see [`Catalog`] for the rest it shares with pages).
    pub fn new(
        env: &'a Environment<'static>,
        query_names: &'a BTreeSet<String>,
        results: &'a Results,
        catalog: Catalog,
        site_title: &'a str,
    ) -> Self {
        let mut builtins: BTreeSet<String> = crate::render::template::builtin_names(env).into_iter().collect();
        builtins.extend(PAGE_GLOBALS.iter().map(|s| s.to_string()));
        let values = results.keys().map(|k| (k.clone(), OnceLock::new())).collect();
        let catalog = Arc::new(catalog);
        RenderContext { env, query_names, results, site_title, builtins, values, catalog, data_as_of: None }
    }

    fn value(&self, name: &str) -> Option<Value> {
        let cell = self.values.get(name)?;
        let result = self.results.get(name)?;
        Some(cell.get_or_init(|| Value::from(minijinja::value::Serde(&**result))).clone())
    }
}

pub fn render_page(page: &Page, ctx: &RenderContext) -> Result<RenderedPage, Vec<Diagnostic>> {
    let name = page.source.display().to_string();
    let (body, blocks) = chart::wrap_blocks(&page.body);
    let template = ctx.env.template_from_named_str(&name, &body).map_err(|e| vec![template_error(page, &body, &e)])?;

    let mut errors = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for (q, line) in &page.front.queries {
        if ctx.query_names.contains(q) {
            used.insert(q.clone());
        } else {
            errors.push(unknown_query(page, q, ctx).at(*line, None));
        }
    }
    for var in template.undeclared_variables(false) {
        if ctx.builtins.contains(&var) {
            continue;
        }
        if let Some(params) = ctx.catalog.params.get(&var) {
            let line = word_line(&page.body, &var).unwrap_or(1);
            errors.push(
                param_query_in_text(page, &var, params).at(line, None).with_detail(excerpt(&page.body, line, None)),
            );
        } else if ctx.query_names.contains(&var) {
            used.insert(var);
        } else {
            let d = unknown_query(page, &var, ctx);
            errors.push(match word_line(&page.body, &var) {
                Some(l) => d.at(l, None).with_detail(excerpt(&page.body, l, None)),
                None => d,
            });
        }
    }
    // Read in the page's text, a result too big to hold has no rows to give.
    for q in used.iter().filter(|q| ctx.catalog.oversize.contains_key(*q)) {
        let d = Diagnostic::in_file(&page.source, ctx.catalog.oversize_message(q));
        errors.push(match word_line(&page.body, q) {
            Some(l) => d.at(l, None).with_detail(excerpt(&page.body, l, None)),
            None => d,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // A query that failed was reported already; this page cannot render without it.
    if used.iter().any(|q| !ctx.results.contains_key(q)) {
        return Err(Vec::new());
    }

    let mut scope: BTreeMap<&str, Value> = used.iter().filter_map(|q| Some((q.as_str(), ctx.value(q)?))).collect();
    scope.insert(
        "page",
        minijinja::context! {
            title => page.title(),
            description => page.front.description.clone(),
            // Percent-encoded, as it goes into a link (`Año nuevo/` → `A%C3%B1o%20nuevo/`).
            url => crate::page::href(&page.url),
            root => crate::page::nav::relative_root(&page.url),
        },
    );
    if let Some(row) = &page.row {
        scope.insert("row", Value::from(minijinja::value::Serde(&row.to_map())));
    }
    let as_of = ctx.data_as_of.as_ref().map(|a| minijinja::context! { iso => a.iso(), text => a.text() });
    scope.insert("site", minijinja::context! { title => ctx.site_title, data_as_of => as_of });
    let page_scope = Arc::new(PageScope::new(ctx.catalog.clone()).for_row(page.row_key()));
    scope.insert(scope::VAR, scope::value(page_scope.clone()));
    let markdown_text = template.render(Value::from(scope)).map_err(|e| vec![template_error(page, &body, &e)])?;
    let record = page_scope.record();

    // Charts come out of the template as markers; each becomes a checked spec.
    let mut html = markdown::to_html(&markdown_text);
    let mut charts = Vec::new();
    let mut uses: Vec<(String, usize)> = Vec::new();
    let mut use_query = |name: &str, line: Option<usize>| {
        if !uses.iter().any(|(n, _)| n == name) {
            uses.push((name.to_string(), line.or_else(|| quoted_line(&page.body, name)).unwrap_or(1)));
        }
    };
    for q in &record.uses {
        use_query(q, None);
    }
    // The queries whose rows components read (a query too big to hold may
    // only be read through rollups), with the line of the first.
    let mut row_reads: Vec<(String, Option<usize>)> =
        record.uses.iter().filter(|q| !record.engine_uses.contains(q)).map(|q| (q.clone(), None)).collect();
    let mut row_loads: BTreeSet<String> = record.row_loads.iter().cloned().collect();
    let mut rollups = record.rollups.clone();
    let mut selects: Vec<String> = Vec::new();
    let mut projections = Vec::new();
    for (range, origin, text) in chart::markers(&html) {
        let checked = match origin {
            chart::Origin::Block(n) => blocks.get(n).map(|b| (b.fence_line, spec(page, b, &text, ctx))),
            chart::Origin::Checked => serde_json::from_str(&text).ok().map(|s| (0, Ok(s))),
        };
        match checked {
            Some((line, Ok(spec))) => {
                let mut names = Vec::new();
                chart::data_names(&spec, &mut names);
                names.iter().for_each(|n| use_query(n, (line > 0).then_some(line)));
                if let Some(f) = spec.pointer("/usermeta/vcd/select").and_then(serde_json::Value::as_str) {
                    if !selects.iter().any(|s| s == f) {
                        selects.push(f.to_string());
                    }
                }
                // A chart past the limits that can read its query neither way has its own error.
                let mut refused_here = false;
                // A variant is exact and small already, and so is a page's own slice of rows.
                let spec = match names
                    .first()
                    .filter(|q| !ctx.catalog.params.contains_key(*q) && !page_scope.is_sliced(q))
                {
                    None => chart::rollup::in_browser(spec, |q| ctx.catalog.columns(q)),
                    Some(query) => match ctx.catalog.past_limits(query) {
                        Some(data) => match chart::rollup::plan_past_limits(&spec, query, data, ctx.catalog.limits()) {
                            Ok(chart::rollup::Need::Rollup { request, mut spec, aliases }) => {
                                spec["usermeta"]["vcd"]["rollup"] = rollups.len().into();
                                spec["usermeta"]["vcd"]["measures"] = aliases.into();
                                rollups.push(request);
                                spec
                            }
                            Ok(_) => spec,
                            Err(message) => {
                                let at = if line > 0 { line } else { quoted_line(&page.body, query).unwrap_or(1) };
                                errors.push(
                                    Diagnostic::in_file(&page.source, message)
                                        .at(at, None)
                                        .with_detail(excerpt(&page.body, at, None)),
                                );
                                refused_here = true;
                                spec
                            }
                        },
                        // Within the limits a chart whose aggregates a rollup cannot answer gets the rows.
                        None => match chart::rollup::plan(&spec, |q| ctx.catalog.columns(q)) {
                            chart::rollup::Need::Rollup { request, mut spec, aliases } => {
                                spec["usermeta"]["vcd"]["rollup"] = rollups.len().into();
                                spec["usermeta"]["vcd"]["measures"] = aliases.into();
                                rollups.push(request);
                                spec
                            }
                            // A chart the runtime shapes has no rows to fall back on.
                            chart::rollup::Need::Raw(why) if chart::rollup::is_shaped(&spec) => {
                                let at = if line > 0 { line } else { quoted_line(&page.body, query).unwrap_or(1) };
                                errors.push(
                                    Diagnostic::in_file(
                                        &page.source,
                                        format!("a chart of query '{query}' cannot read its figures: {why}"),
                                    )
                                    .at(at, None)
                                    .with_detail(excerpt(&page.body, at, None)),
                                );
                                refused_here = true;
                                spec
                            }
                            chart::rollup::Need::Raw(_) => spec,
                            // Only the columns it reads, when it says which.
                            chart::rollup::Need::Rows => match chart::rollup::projection(&spec) {
                                Some(fields) => {
                                    let mut spec = spec;
                                    spec["usermeta"]["vcd"]["projection"] = projections.len().into();
                                    projections.push((query.clone(), fields));
                                    spec
                                }
                                None => spec,
                            },
                        },
                    },
                };
                if spec.pointer("/usermeta/vcd/rollup").is_none() && !refused_here {
                    row_reads.extend(names.iter().map(|n| (n.clone(), (line > 0).then_some(line))));
                    // The runtime reads a projection for every name of a chart that has one.
                    if spec.pointer("/usermeta/vcd/projection").is_none() {
                        row_loads.extend(names.iter().cloned());
                    }
                }
                charts.push((range, spec));
            }
            Some((_, Err(mut e))) => errors.append(&mut e),
            None => {}
        }
    }
    let mut refused: BTreeSet<&str> = BTreeSet::new();
    for (query, line) in &row_reads {
        if ctx.catalog.oversize.contains_key(query) && !page_scope.is_sliced(query) && refused.insert(query) {
            let line = line.or_else(|| quoted_line(&page.body, query)).unwrap_or(1);
            let d = Diagnostic::in_file(&page.source, ctx.catalog.oversize_message(query));
            errors.push(d.at(line, None).with_detail(excerpt(&page.body, line, None)));
        }
    }
    errors.extend(check_filters(page, ctx, &record.inputs, &uses));
    let (mut own, mut carried) = (Vec::new(), String::new());
    for (query, line) in uses.iter().filter(|(q, _)| page_scope.is_sliced(q)) {
        match page_scope.own_rows(query, "page") {
            Ok(Some(rows)) => {
                carried.push_str(&rows_script(query, &rows));
                own.push(query.clone());
            }
            Ok(None) => {}
            Err(e) => errors.push(
                Diagnostic::in_file(&page.source, e.detail().unwrap_or_default().to_string())
                    .at(*line, None)
                    .with_detail(excerpt(&page.body, *line, None)),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Replace from the end so earlier ranges stay valid; ids follow page order.
    for (i, (range, spec)) in charts.into_iter().enumerate().rev() {
        html.replace_range(range, &chart::html(Some(i + 1), "vcd-chart", &spec));
    }
    let mut reads = used;
    reads.extend(uses.iter().map(|(q, _)| q.clone()));
    reads.extend(record.inputs.iter().flat_map(|i| i.options_query.clone()));
    reads.extend(record.sparks.iter().map(|s| s.query.clone()));
    let (html, refused) = crate::util::urlsafe::sanitize_html(&html);
    if !refused.is_empty() {
        return Err(refused.iter().map(|r| refused_url(page, ctx, &reads, r)).collect());
    }
    Ok(RenderedPage {
        has_charts: html.contains("<figure class=\"vcd-chart"),
        has_h1: html.contains("<h1"),
        content: {
            // Exactly sized: a batch of 10,000 pages' content waits in memory to be laid out.
            let mut content = String::with_capacity(html.len() + carried.len());
            content.push_str(&html);
            content.push_str(&carried);
            content
        },
        inputs: record.inputs,
        uses,
        reads,
        row_loads,
        own,
        rollups,
        selects,
        tables: record.tables,
        projections,
        sparks: record.sparks,
        deferred: record.deferred,
    })
}

/// The error for a URL that [`crate::util::urlsafe`] refused, naming the query cell it
/// came from: the queries the page read are searched first, then every other
/// (a generated page's `row` comes from its `rows:` query).
fn refused_url(
    page: &Page,
    ctx: &RenderContext,
    reads: &BTreeSet<String>,
    r: &crate::util::urlsafe::Refusal,
) -> Diagnostic {
    let read = reads.iter().filter_map(|q| Some((q.as_str(), &**ctx.results.get(q)?)));
    let others = ctx.results.iter().filter(|(q, _)| !reads.contains(*q)).map(|(q, v)| (q.as_str(), &**v));
    let origin = refusal::data_origin(r, read.chain(others));
    refusal::diagnostic(page, r, origin.as_ref())
}

/// Every way the page's inputs and the queries its components read can fail
/// to meet: a parameter with no input to bind it, an input that cannot bind a
/// parameter, and an input that filters nothing on the page.
fn check_filters(page: &Page, ctx: &RenderContext, inputs: &[Input], uses: &[(String, usize)]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let at = |line: usize, message: String| {
        Diagnostic::in_file(&page.source, message).at(line, None).with_detail(excerpt(&page.body, line, None))
    };
    for (query, line) in uses {
        for param in ctx.catalog.params.get(query).into_iter().flatten() {
            match inputs.iter().find(|i| &i.name == param) {
                None => errors.push(at(
                    *line,
                    format!(
                        "query '{query}' takes parameter ${param}, but this page has no input named '{param}' \
                         (add one, e.g. {{{{ dropdown(\"{param}\", options=…) }}}})"
                    ),
                )),
                Some(input) if input.domain().is_none() => errors.push(at(
                    input_line(&page.body, param).unwrap_or(*line),
                    format!(
                        "input '{param}' is a {} and cannot bind parameter ${param} of query '{query}': only a dropdown \
                         or a checkbox has a finite set of values to pre-compute; filter rows with field= instead",
                        input.kind.function()
                    ),
                )),
                Some(_) => {}
            }
        }
    }
    for input in inputs {
        let filters_something = uses.iter().any(|(q, _)| {
            ctx.catalog.params.get(q).is_some_and(|p| p.contains(&input.name))
                || ctx.results.get(q).is_some_and(|r| input.fields.iter().any(|f| r.has_column(f)))
        });
        let all_results = uses.iter().all(|(q, _)| ctx.results.contains_key(q));
        if !filters_something && all_results {
            errors.push(at(
                input_line(&page.body, &input.name).unwrap_or(1),
                format!(
                    "input '{}' filters nothing on this page: no chart, table or KPI here reads a query that takes \
                     ${} or returns a column {}",
                    input.name,
                    input.name,
                    input.fields.iter().map(|f| format!("'{f}'")).collect::<Vec<_>>().join(" or ")
                ),
            ));
        }
    }
    errors
}

fn param_query_in_text(page: &Page, name: &str, params: &[String]) -> Diagnostic {
    let list: Vec<String> = params.iter().map(|p| format!("${p}")).collect();
    Diagnostic::in_file(
        &page.source,
        format!(
            "query '{name}' takes parameters ({}), so its rows depend on the page's inputs; read it through a \
             chart, table(\"{name}\", …) or kpi(…, data=\"{name}\") so it follows them",
            list.join(", ")
        ),
    )
}

/// The first line naming `name` in quotes, where a component reads a query.
fn quoted_line(body: &str, name: &str) -> Option<usize> {
    let (a, b) = (format!("\"{name}\""), format!("'{name}'"));
    body.lines().position(|l| l.contains(&a) || l.contains(&b)).map(|i| i + 1)
}

/// The line of the call that declares input `name`.
fn input_line(body: &str, name: &str) -> Option<usize> {
    let (a, b) = (format!("(\"{name}\""), format!("('{name}'"));
    body.lines().position(|l| l.contains(&a) || l.contains(&b)).map(|i| i + 1)
}

/// Parses and checks one rendered chart block. Its text starts on the fence line,
/// so line `k` of the text is line `fence_line + k - 1` of the page.
fn spec(
    page: &Page,
    block: &chart::ChartBlock,
    text: &str,
    ctx: &RenderContext,
) -> Result<serde_json::Value, Vec<Diagnostic>> {
    let at = |line: usize, col: Option<usize>, message: String| {
        Diagnostic::in_file(&page.source, message).at(line, col).with_detail(excerpt(&page.body, line, col))
    };
    let spec: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        vec![at(
            block.fence_line + e.line().saturating_sub(1),
            Some(e.column()),
            format!("vega-lite block is not valid JSON: {e}"),
        )]
    })?;
    if !spec.is_object() {
        return Err(vec![at(
            block.fence_line + 1,
            None,
            "vega-lite block must hold a JSON object (a Vega-Lite spec)".into(),
        )]);
    }
    let problems = chart::check(&spec, ctx.results, ctx.query_names);
    if problems.is_empty() {
        return Ok(spec);
    }
    Err(problems
        .into_iter()
        .map(|(needle, message)| {
            let (l, c) = line_col(text, text.find(&needle).unwrap_or(0));
            at(block.fence_line + l - 1, Some(c), message)
        })
        .collect())
}

fn unknown_query(page: &Page, name: &str, ctx: &RenderContext) -> Diagnostic {
    let known = ctx.query_names.iter().map(String::as_str);
    Diagnostic::in_file(&page.source, format!("unknown query '{name}'{}", suggestion(name, known)))
}

/// The element that carries a page's own rows of `query`:
/// `<script type="application/json" class="vcd-rows" data-query="post_daily">[{…}, …]</script>`,
/// holding the objects `data/<query>.json` would list for them, in the
/// query's order (`[]` for a key with no rows, so the page draws an empty
/// chart). The runtime's `queryRows` reads them instead of a file.
fn rows_script(query: &str, rows: &crate::source::value::QueryResult) -> String {
    let json = String::from_utf8(rows.to_json_bytes()).expect("serde_json writes UTF-8");
    format!(
        "<script type=\"application/json\" class=\"vcd-rows\" data-query=\"{}\">{}</script>",
        crate::util::html::escape(query),
        chart::script_safe(&json)
    )
}

/// A minijinja error at its line in the page.
fn template_error(page: &Page, source: &str, e: &minijinja::Error) -> Diagnostic {
    let mut message = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    let range = e.range().filter(|r| r.end <= source.len());
    if let Some(r) = &range {
        if e.kind() == minijinja::ErrorKind::UndefinedError {
            message = format!("{message}: `{}` is not defined", source[r.clone()].trim());
        }
    }
    let d = Diagnostic::in_file(&page.source, message);
    let Some(line) = e.line() else { return d };
    let col = range.map(|r| line_col(source, r.start).1);
    d.at(line, col).with_detail(excerpt(&page.body, line, col))
}

/// The first line where `word` appears as a whole identifier inside a template tag.
fn word_line(body: &str, word: &str) -> Option<usize> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    body.lines()
        .position(|line| {
            line.match_indices(word).any(|(i, _)| {
                let before = line[..i].chars().next_back();
                let after = line[i + word.len()..].chars().next();
                // Inside a tag: an opening `{{` or `{%` before it that no `}}` or `%}` closes.
                let opened = ["{{", "{%"].iter().filter_map(|t| line[..i].rfind(t)).max();
                let closed = ["}}", "%}"].iter().filter_map(|t| line[..i].rfind(t)).max();
                let inside = opened.is_some_and(|o| closed.is_none_or(|c| c < o));
                inside && !before.is_some_and(is_ident) && !after.is_some_and(is_ident) && before != Some('.')
            })
        })
        .map(|i| i + 1)
}
