//! Planning what a page's tables and per-row charts load of a result: each
//! table over more rows than a chunk gets one chunk set per order a reader
//! can choose (`query::chunks`), holding the columns it shows and links with
//! and those the page's filters test, with an index of the filter columns;
//! each chart of one mark per row that names its columns gets those and the
//! filter columns (`query::projection`). The page manifest's `tables` and
//! `projections` tell the runtime where they are.
//!
//! The paged tables over one query on the pages planned together (a batch of
//! the build, dashboards first) share their chunk sets: each set holds every
//! column any of them shows or filters on. The demo's tables of `post_facts`
//! on `/` and `/viral/` show the same columns under different filters; as
//! sets of their own they were 14 copies of the result, 2.5 GB at 1,000,000
//! posts, where 7 serve both (and a reader going from one page to the other
//! finds the chunks cached).

use crate::components::scope::Catalog;
use crate::query::chunks::{chunk_rows, ChunkSet};
use crate::query::projection::Projection;
use crate::render::RenderedPage;
use crate::source::value::QueryResult;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

/// Per query, the columns the chunk sets of the paged tables over it hold,
/// and those their index summarizes, in result order ([`shared`]).
pub type Shared = BTreeMap<String, (Vec<String>, Vec<String>)>;

/// The chunk columns the paged tables of `pages` share: per query, the union
/// of what each table would hold on its own (see the module's text).
pub fn shared<'a>(pages: impl Iterator<Item = &'a RenderedPage>, catalog: &Catalog) -> Shared {
    let mut wanted: BTreeMap<&str, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for rendered in pages {
        for t in &rendered.tables {
            let Some(result) = catalog.results.get(&t.query) else { continue };
            let entry = wanted.entry(t.query.as_str()).or_default();
            entry.0.extend(with_filters(rendered, result, &t.columns));
            entry.1.extend(with_filters(rendered, result, &[]));
        }
    }
    let in_result_order = |result: &QueryResult, columns: &[String]| -> Vec<String> {
        result.column_names().filter(|c| columns.iter().any(|x| x == c)).map(String::from).collect()
    };
    wanted
        .into_iter()
        .filter_map(|(query, (fields, filters))| {
            let result = catalog.results.get(query)?;
            Some((query.to_string(), (in_result_order(result, &fields), in_result_order(result, &filters))))
        })
        .collect()
}

/// The manifest's `tables` (per table number: `fields`, the columns of each
/// chunk; `filters`, the columns the index summarizes; `size`, rows per
/// chunk; `orders`, each `{column, folder, values, nulls}`: the sort column
/// or null, the set's folder under `data/`, and how many rows hold a value
/// of it and how many a null) and the chunk sets to write. The columns are
/// those `shared` gives the table's query (made from pages that include
/// this one), or else the table's own.
pub fn plan(rendered: &RenderedPage, catalog: &Catalog, shared: &Shared) -> (Json, Vec<ChunkSet>) {
    let mut sets = Vec::new();
    let tables = rendered
        .tables
        .iter()
        .map(|t| {
            let Some(result) = catalog.results.get(&t.query) else { return Json::Null };
            let (fields, filters) = match shared.get(&t.query) {
                Some((fields, filters)) => (fields.clone(), filters.clone()),
                None => (with_filters(rendered, result, &t.columns), with_filters(rendered, result, &[])),
            };
            let orders: Vec<Json> = t
                .orders
                .iter()
                .map(|column| {
                    let set = ChunkSet {
                        query: t.query.clone(),
                        fields: fields.clone(),
                        order: column.clone(),
                        filters: filters.clone(),
                        rows: chunk_rows(catalog.browser_rows),
                    };
                    let order = catalog.sorter.order(&t.query, column.as_deref(), result);
                    let entry = json!({"column": column, "folder": set.folder(),
                        "values": order.values.len(), "nulls": order.nulls.len()});
                    sets.push(set);
                    entry
                })
                .collect();
            json!({"fields": fields, "filters": filters, "size": chunk_rows(catalog.browser_rows), "orders": orders})
        })
        .collect();
    (tables, sets)
}

/// The manifest's `projections` (per chart number, the file it loads) and
/// the projections to write.
pub fn projections(rendered: &RenderedPage, catalog: &Catalog) -> (Json, Vec<Projection>) {
    let mut out = Vec::new();
    let files = rendered
        .projections
        .iter()
        .map(|(query, columns)| {
            let Some(result) = catalog.results.get(query) else { return Json::Null };
            let p = Projection { query: query.clone(), fields: with_filters(rendered, result, columns) };
            let file = Json::from(p.file());
            out.push(p);
            file
        })
        .collect();
    (files, out)
}

/// The columns of `result` among `columns` or tested by one of the page's
/// inputs or cross-filters (any of an input's fields: the runtime picks the
/// first the query returns, as `predicate` does), in result order.
fn with_filters(rendered: &RenderedPage, result: &QueryResult, columns: &[String]) -> Vec<String> {
    let tested = |c: &str| {
        rendered.inputs.iter().any(|i| i.fields.iter().any(|f| f == c)) || rendered.selects.iter().any(|s| s == c)
    };
    result.column_names().filter(|c| tested(c) || columns.iter().any(|x| x == c)).map(String::from).collect()
}
