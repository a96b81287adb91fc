//! What components share while one page renders: the query results they may read,
//! and a record of the queries they use and the inputs they declare. The record
//! tells the build which query variants to pre-compute and what the browser
//! runtime must filter.

use crate::query::chunks::Sorter;
use crate::query::partition::{self, Slicer};
use crate::query::rollup::Request;
use crate::query::sparks::{SparkSet, Sparker};
use crate::query::spill::Spill;
use crate::query::unheld::Unheld;
use crate::query::Results;
use crate::source::value::{Column, ColumnKind, QueryResult};
use crate::util::diag::suggestion;
use minijinja::value::{Object, Value};
use minijinja::{Error, ErrorKind, State};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// The template variable the scope travels in; a query of this name is refused
/// as reserved, so it cannot hide one.
pub const VAR: &str = "__vcd";

/// Everything a build's pages may read, shared by all of them.
#[derive(Debug, Default)]
pub struct Catalog {
    pub results: Results,
    /// Every query that exists, including ones whose run failed.
    pub names: BTreeSet<String>,
    /// Each query's named parameters, for the queries that have any.
    pub params: BTreeMap<String, Vec<String>>,
    /// The results split by key, for pages made from rows.
    pub slicer: Arc<Slicer>,
    /// The results in table order, for tables that page through them.
    pub sorter: Arc<Sorter>,
    /// The lines of tables' sparkline columns, by key.
    pub sparker: Arc<Sparker>,
    /// How many rows of a query a page may ship whole (`browser_rows` in
    /// `vcd.toml`); past it, charts read rollups and tables page through chunks.
    pub browser_rows: usize,
    /// The queries with more rows than `max_rows`, which are not in
    /// `results`, each with its columns: components that aggregate read them
    /// through rollups the engine computes.
    pub oversize: BTreeMap<String, Unheld>,
    pub max_rows: usize,
    /// Those of them split by a key column onto disk, for the pages made from rows.
    pub spills: Vec<Arc<Spill>>,
}

impl Catalog {
    /// Whether a page made from a row keyed by column `key` gets only its own
    /// rows of `query`: the query returns that column and takes no parameters
    /// (a query with parameters is pre-computed in variants, each read whole).
    pub fn sliced(&self, query: &str, key: &str) -> bool {
        let held = self.results.get(query).is_some_and(|r| r.has_column(key)) && !self.params.contains_key(query);
        held || self.spill(query, key).is_some()
    }

    /// `query` split by `key` onto disk, if it is too big to hold and was.
    pub fn spill(&self, query: &str, key: &str) -> Option<&Arc<Spill>> {
        self.spills.iter().find(|s| s.query == query && s.key == key)
    }

    /// A query's columns, whether its result is held or too big to hold.
    pub fn columns(&self, query: &str) -> Option<&[Column]> {
        match self.results.get(query) {
            Some(r) => Some(&r.columns),
            None => self.oversize.get(query).map(|u| u.columns.as_slice()),
        }
    }

    /// The limits charts are held to.
    pub fn limits(&self) -> crate::chart::rollup::Limits {
        crate::chart::rollup::Limits { browser_rows: self.browser_rows, max_rows: self.max_rows }
    }

    /// A query's result when it is past the limits: held with more than
    /// `browser_rows` rows, or too big to hold; `None` within them.
    pub fn past_limits(&self, query: &str) -> Option<crate::chart::density::Data<'_>> {
        match self.results.get(query) {
            Some(r) if r.rows.len() > self.browser_rows => Some(crate::chart::density::Data::Held(r)),
            Some(_) => None,
            None => self.oversize.get(query).map(crate::chart::density::Data::Unheld),
        }
    }

    /// The message for a page that reads whole a query too big to hold.
    pub fn oversize_message(&self, query: &str) -> String {
        format!(
            "query '{query}' returns more than max_rows = {} rows, too many to hold or ship whole; only pages \
             made from rows (`rows:`) can read its rows, each its own, when it returns their key column, and \
             only charts and KPI cards that aggregate it (count, sum, mean, min, max) can read the rest, \
             through rollups the engine computes; aggregate it in its SQL, or raise max_rows in vcd.toml",
            self.max_rows
        )
    }
}

/// What a component reads of a query: its rows, or, when they are too many
/// to hold, its columns, for the engine to aggregate.
#[derive(Debug)]
pub enum Source {
    Rows(Arc<QueryResult>),
    Engine(Unheld),
}

impl Source {
    pub fn columns(&self) -> &[Column] {
        match self {
            Source::Rows(r) => &r.columns,
            Source::Engine(u) => &u.columns,
        }
    }

    /// Whether column `field` holds shares' values, whose mean takes
    /// Wilson's interval (`docs/uncertainty.md`): it is of an integer type
    /// with every value 0 or 1 (its extent within [0, 1]). Types and extents
    /// are known alike for held rows and for a result too big to hold (its
    /// profile), and from either engine, so every build picks the same
    /// method. (A boolean column is a category: no mean is taken of it.)
    pub fn is_share(&self, field: &str) -> bool {
        use crate::query::unheld::Extent;
        const INTEGERS: &[&str] = &[
            "tinyint",
            "smallint",
            "integer",
            "int",
            "bigint",
            "hugeint",
            "utinyint",
            "usmallint",
            "uinteger",
            "ubigint",
            "uhugeint",
            "int2",
            "int4",
            "int8",
        ];
        let columns = self.columns();
        let Some(i) = columns.iter().position(|c| c.name == field) else { return false };
        let t = columns[i].sql_type.trim().to_ascii_lowercase();
        if !INTEGERS.contains(&t.as_str()) {
            return false;
        }
        let extent = match self {
            Source::Rows(r) => Extent::of(r.rows.iter().map(|row| &row[i])).all,
            Source::Engine(u) => u.extents.get(i).cloned().flatten().and_then(|e| e.all),
        };
        extent.is_some_and(|(lo, hi)| lo >= 0.0 && hi <= 1.0)
    }
}

/// One page's scope; components find it with [`of`].
#[derive(Debug)]
pub struct PageScope {
    pub catalog: Arc<Catalog>,
    /// For a page made from a row: its key column and value.
    row: Option<(String, Json)>,
    record: Mutex<Record>,
    /// Its own rows of each query it gets only those of, once read: several
    /// components read them, and a spilled result is read back from disk.
    own: Mutex<BTreeMap<String, Arc<QueryResult>>>,
}

/// What the page's components declared and used, in page order.
#[derive(Debug, Default, Clone)]
pub struct Record {
    pub inputs: Vec<Input>,
    /// Queries read by components (charts, tables, KPIs), each once.
    pub uses: Vec<String>,
    /// Those of them too big to hold, which components read only through
    /// rollups (charts and KPI cards that aggregate).
    pub engine_uses: Vec<String>,
    /// Those whose rows the runtime loads whole (`data/<query>.json`, a
    /// variant or the page's own rows) for a component other than a chart: a
    /// KPI card read from rows, a table that is not paged. (Render adds the
    /// charts that read rows.) A query read only through rollups, chunks or
    /// projections is not among them, and need not be written whole.
    pub row_loads: Vec<String>,
    /// KPI cards over those queries, numbered by position: their figures are
    /// filled in from their rollups once the engine has computed them.
    pub deferred: Vec<crate::components::deferred::DeferredKpi>,
    /// What components asked to have aggregated by a rollup, numbered by position.
    pub rollups: Vec<Request>,
    /// Tables that page through sorted chunks, numbered by position.
    pub tables: Vec<PagedTable>,
    /// The sparkline columns of its tables, each once.
    pub sparks: Vec<SparkSet>,
}

/// A table over more rows than a page may ship: it asks for its query's
/// result in sorted chunks (`query::chunks`), one set per column it can be
/// sorted by, holding the columns it shows and links with (the build adds
/// the columns the page's filters test).
#[derive(Debug, Clone, PartialEq)]
pub struct PagedTable {
    pub query: String,
    pub columns: Vec<String>,
    /// Each order a reader can choose: a column, or `None` for the query's own.
    pub orders: Vec<Option<String>>,
}

impl Object for PageScope {}

impl PageScope {
    pub fn new(catalog: Arc<Catalog>) -> PageScope {
        PageScope { catalog, row: None, record: Mutex::new(Record::default()), own: Mutex::default() }
    }

    /// The scope of a page made from a row whose `key` column holds `value`
    /// (`page.row_key()`): components read only its own rows of the queries
    /// sliced by that key, as the browser will.
    pub fn for_row(mut self, row: Option<(&str, &Json)>) -> PageScope {
        self.row = row.map(|(k, v)| (k.to_string(), v.clone()));
        self
    }

    pub fn record(&self) -> Record {
        self.record.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether components of this page read only the page's own rows of `query`.
    pub fn is_sliced(&self, query: &str) -> bool {
        self.row.as_ref().is_some_and(|(key, _)| self.catalog.sliced(query, key))
    }

    /// The result of query `name` for a component, recorded as used by the
    /// page: on a page made from a row, only its own rows of a query sliced by
    /// its key ([`Catalog::sliced`]).
    pub fn read(&self, name: &str, component: &str) -> Result<Arc<QueryResult>, Error> {
        if let Some(rows) = self.own_rows(name, component)? {
            self.record_use(name);
            return Ok(rows);
        }
        let result = self.peek(name, component)?;
        self.record_use(name);
        Ok(result)
    }

    /// On a page made from a row, its own rows of query `name` when it gets
    /// only those ([`Catalog::sliced`]: held and split by key in memory, or
    /// spilled to disk by key); `None` when it reads the query whole. Records
    /// no use. Errors when the query is unknown, failed or cannot be read back.
    pub fn own_rows(&self, name: &str, component: &str) -> Result<Option<Arc<QueryResult>>, Error> {
        let Some((key, value)) = &self.row else { return Ok(None) };
        if let Some(rows) = self.own.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
            return Ok(Some(rows.clone()));
        }
        let rows = if let Some(spill) = self.catalog.spill(name, key) {
            spill.rows_of(&partition::value_text(value)).map_err(|e| {
                let message = format!("{component}: cannot read the rows of '{name}' spilled to disk: {e}");
                Error::new(ErrorKind::InvalidOperation, message)
            })?
        } else {
            let result = self.peek(name, component)?;
            if !self.catalog.sliced(name, key) {
                return Ok(None);
            }
            let split = self.catalog.slicer.split(name, key, &result);
            partition::rows_of(&result, &split, &partition::value_text(value))
        };
        let rows = Arc::new(rows);
        self.own.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_string(), rows.clone());
        Ok(Some(rows))
    }

    fn record_use(&self, name: &str) {
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        if !record.uses.iter().any(|u| u == name) {
            record.uses.push(name.to_string());
        }
    }

    /// What a component that can aggregate in the engine reads of query
    /// `name`: its rows ([`PageScope::read`]), or, for a query too big to
    /// hold that this page does not get a slice of, its columns only, the
    /// use recorded as through the engine.
    pub fn read_or_columns(&self, name: &str, component: &str) -> Result<Source, Error> {
        match self.catalog.oversize.get(name) {
            Some(unheld) if !self.is_sliced(name) => {
                self.record_use(name);
                let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
                if !record.engine_uses.iter().any(|u| u == name) {
                    record.engine_uses.push(name.to_string());
                }
                Ok(Source::Engine(unheld.clone()))
            }
            _ => self.read(name, component).map(Source::Rows),
        }
    }

    /// Records that the runtime loads the rows of query `name` for a
    /// component (see [`Record::row_loads`]).
    pub fn load_rows(&self, name: &str) {
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        if !record.row_loads.iter().any(|u| u == name) {
            record.row_loads.push(name.to_string());
        }
    }

    /// Records a KPI card whose figures wait for its rollup; returns its number on the page.
    pub fn defer_kpi(&self, kpi: crate::components::deferred::DeferredKpi) -> usize {
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        record.deferred.push(kpi);
        record.deferred.len() - 1
    }

    /// The result of query `name` without recording a use (input options).
    pub fn peek(&self, name: &str, component: &str) -> Result<Arc<QueryResult>, Error> {
        if let Some(r) = self.catalog.results.get(name) {
            return Ok(r.clone());
        }
        let message = if self.catalog.oversize.contains_key(name) {
            format!("{component}: {}", self.catalog.oversize_message(name))
        } else if self.catalog.names.contains(name) {
            format!("{component}: query '{name}' failed; see the error for queries/{name}.sql")
        } else {
            let known = self.catalog.names.iter().map(String::as_str);
            format!("{component}: unknown query '{name}'{}", suggestion(name, known))
        };
        Err(Error::new(ErrorKind::InvalidOperation, message))
    }

    /// Records a component's rollup request; returns its number on the page.
    pub fn request_rollup(&self, request: Request) -> usize {
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        record.rollups.push(request);
        record.rollups.len() - 1
    }

    /// Records a table that pages through chunks; returns its number on the page.
    pub fn request_table(&self, table: PagedTable) -> usize {
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        record.tables.push(table);
        record.tables.len() - 1
    }

    /// Records a table's sparkline column, whose shards the site must hold.
    pub fn request_sparks(&self, set: SparkSet) {
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        if !record.sparks.contains(&set) {
            record.sparks.push(set);
        }
    }

    pub fn add_input(&self, input: Input) -> Result<(), Error> {
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        if record.inputs.iter().any(|i| i.name == input.name) {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("this page already has an input named '{}'; give each input its own name", input.name),
            ));
        }
        record.inputs.push(input);
        Ok(())
    }
}

/// The scope of the page being rendered.
pub fn of(state: &State) -> Result<Arc<PageScope>, Error> {
    state
        .lookup(VAR)
        .and_then(|v| v.downcast_object::<PageScope>())
        .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "components can only be used in pages (no page scope)"))
}

/// The scope as a template value.
pub fn value(scope: Arc<PageScope>) -> Value {
    Value::from_dyn_object(scope)
}

/// A `"field"` argument that must name a column of `result`.
pub fn check_column(result: &QueryResult, query: &str, field: &str, what: &str) -> Result<(), Error> {
    check_field(&result.columns, query, field, what)
}

/// [`check_column`] against a list of columns.
pub fn check_field(columns: &[Column], query: &str, field: &str, what: &str) -> Result<(), Error> {
    if columns.iter().any(|c| c.name == field) {
        return Ok(());
    }
    let cols: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    Err(Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "{what} '{field}' is not a column of query '{query}'{} (it returns: {})",
            suggestion(field, cols.iter().copied()),
            cols.join(", ")
        ),
    ))
}

/// [`check_field`], and that the column's engine type is of `kind` (a
/// number, or a date or timestamp): `what` names the argument
/// ("calendar_heatmap: value"). Errors: "calendar_heatmap: value must be a
/// number column, got 'caption' (VARCHAR)".
pub fn check_kind(columns: &[Column], query: &str, field: &str, what: &str, kind: ColumnKind) -> Result<(), Error> {
    check_field(columns, query, field, what)?;
    let column = columns.iter().find(|c| c.name == field).expect("check_field found it");
    if column.kind() == kind {
        return Ok(());
    }
    let noun = match kind {
        ColumnKind::Number => "number",
        ColumnKind::Temporal => "date or timestamp",
        ColumnKind::Category => "text",
        ColumnKind::Other => "list, struct or JSON",
    };
    Err(Error::new(
        ErrorKind::InvalidOperation,
        format!("{what} must be a {noun} column, got '{field}' ({})", column.sql_type),
    ))
}

/// The kinds of input, as the runtime names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Dropdown,
    Multiselect,
    DateRange,
    Search,
    Checkbox,
    /// A range of a number column, in steps (`inputs::slider`).
    Slider,
}

impl Kind {
    pub fn function(self) -> &'static str {
        match self {
            Kind::Dropdown => "dropdown",
            Kind::Multiselect => "multiselect",
            Kind::DateRange => "date_range",
            Kind::Search => "search",
            Kind::Checkbox => "checkbox",
            Kind::Slider => "slider",
        }
    }
}

/// A choice of a dropdown or multi-select.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: Json,
    pub label: String,
}

/// One input on a page.
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    pub name: String,
    pub kind: Kind,
    pub label: String,
    /// The columns it filters rows on, when a query does not take it as a parameter.
    pub fields: Vec<String>,
    pub options: Vec<Choice>,
    /// The label of the "all" choice of a dropdown, when it has one.
    pub all: Option<String>,
    /// The initial choice: an index into `options` for a dropdown (none = all).
    pub default: Option<usize>,
    /// The query its options came from, if any.
    #[serde(skip)]
    pub options_query: Option<String>,
    /// A slider's steps.
    pub range: Option<SliderRange>,
}

/// A slider's range: from `min` in `count` steps of `step` (so to `min +
/// count × step`, at or past `max`). Its filter keeps the rows whose value
/// falls in a chosen span of steps, the step a value falls in being the
/// rollup bin of [`SliderRange::bin`]: the runtime tests that bin's number in
/// a rollup's rows and works it out the same way from a query's rows. The two
/// ends of the slider reach past `min` and `max`, so the whole range filters
/// nothing (values below fall in the first step, above in the last).
#[derive(Debug, Clone, Serialize)]
pub struct SliderRange {
    /// Where the first step starts, in the column's units.
    pub min: f64,
    /// The greatest value the slider was made for (the last step reaches it).
    pub max: f64,
    /// Each step's width, in the column's units.
    pub step: f64,
    /// How many steps: `ceil((max − min) / step)`, at most `inputs::SLIDER_STEPS`.
    pub count: u32,
    /// The grain column holding a rollup row's step number.
    pub alias: String,
    /// How the ends are written: number, percent, currency or compact.
    pub format: String,
}

impl SliderRange {
    /// The rollup bin of `field` in this range's steps.
    pub fn bin(&self, field: &str) -> crate::query::rollup::Bin {
        crate::query::rollup::Bin {
            field: field.to_string(),
            alias: self.alias.clone(),
            start: self.min,
            step: self.step,
            count: self.count,
            log: false,
        }
    }
}

impl Input {
    /// An input with no options, of the given name and label (set the kind).
    pub(super) fn plain(name: String, label: String) -> Input {
        Input {
            name,
            kind: Kind::Search,
            label,
            fields: Vec::new(),
            options: Vec::new(),
            all: None,
            default: None,
            options_query: None,
            range: None,
        }
    }

    /// The values a SQL parameter bound to this input can take, in the order the
    /// runtime numbers them; `None` when the set is not finite.
    pub fn domain(&self) -> Option<Vec<Json>> {
        match self.kind {
            Kind::Dropdown => {
                let all = self.all.as_ref().map(|_| Json::Null);
                Some(all.into_iter().chain(self.options.iter().map(|c| c.value.clone())).collect())
            }
            Kind::Checkbox => Some(vec![Json::Bool(false), Json::Bool(true)]),
            _ => None,
        }
    }

    /// Where the domain starts out, the value the page shows before any choice.
    pub fn default_index(&self) -> usize {
        match (self.kind, self.default) {
            (Kind::Dropdown, Some(i)) => i + usize::from(self.all.is_some()),
            _ => 0,
        }
    }
}
