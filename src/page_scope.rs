//! What components share while one page renders: the query results they may read,
//! and a record of the queries they use and the inputs they declare. The record
//! tells the build which query variants to pre-compute and what the browser
//! runtime must filter.

use crate::diag::suggestion;
use crate::inputs::Input;
use crate::query::Results;
use crate::value::QueryResult;
use minijinja::value::{Object, Value};
use minijinja::{Error, ErrorKind, State};
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
}

/// One page's scope; components find it with [`of`].
#[derive(Debug)]
pub struct PageScope {
    pub catalog: Arc<Catalog>,
    record: Mutex<Record>,
}

/// What the page's components declared and used, in page order.
#[derive(Debug, Default, Clone)]
pub struct Record {
    pub inputs: Vec<Input>,
    /// Queries read by components (charts, tables, KPIs), each once.
    pub uses: Vec<String>,
}

impl Object for PageScope {}

impl PageScope {
    pub fn new(catalog: Arc<Catalog>) -> PageScope {
        PageScope { catalog, record: Mutex::new(Record::default()) }
    }

    pub fn record(&self) -> Record {
        self.record.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The result of query `name` for a component, recorded as used by the page.
    pub fn read(&self, name: &str, component: &str) -> Result<Arc<QueryResult>, Error> {
        let result = self.peek(name, component)?;
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        if !record.uses.iter().any(|u| u == name) {
            record.uses.push(name.to_string());
        }
        Ok(result)
    }

    /// The result of query `name` without recording a use (input options).
    pub fn peek(&self, name: &str, component: &str) -> Result<Arc<QueryResult>, Error> {
        if let Some(r) = self.catalog.results.get(name) {
            return Ok(r.clone());
        }
        let message = if self.catalog.names.contains(name) {
            format!("{component}: query '{name}' failed; see the error for queries/{name}.sql")
        } else {
            let known = self.catalog.names.iter().map(String::as_str);
            format!("{component}: unknown query '{name}'{}", suggestion(name, known))
        };
        Err(Error::new(ErrorKind::InvalidOperation, message))
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
    if result.has_column(field) {
        return Ok(());
    }
    let cols: Vec<&str> = result.column_names().collect();
    Err(Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "{what} '{field}' is not a column of query '{query}'{} (it returns: {})",
            suggestion(field, cols.iter().copied()),
            cols.join(", ")
        ),
    ))
}
