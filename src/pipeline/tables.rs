//! Planning a page's paged tables: each table over more rows than a page may
//! ship gets one chunk set per order a reader can choose (`query::chunks`),
//! holding the columns it shows and links with and those the page's filters
//! test, with an index of the filter columns; the page manifest's `tables`
//! tells the runtime where they are.

use crate::components::scope::Catalog;
use crate::query::chunks::{chunk_rows, ChunkSet};
use crate::render::RenderedPage;
use serde_json::{json, Value as Json};

/// The manifest's `tables` (per table number: `fields`, the columns of each
/// chunk; `filters`, the columns the index summarizes; `size`, rows per
/// chunk; `orders`, each `{column, folder, values, nulls}`: the sort column
/// or null, the set's folder under `data/`, and how many rows hold a value
/// of it and how many a null) and the chunk sets to write.
pub fn plan(rendered: &RenderedPage, catalog: &Catalog) -> (Json, Vec<ChunkSet>) {
    let mut sets = Vec::new();
    let tables = rendered
        .tables
        .iter()
        .map(|t| {
            let Some(result) = catalog.results.get(&t.query) else { return Json::Null };
            // Every column an input or a cross-filter of the page may test (the
            // runtime picks among an input's fields as `predicate` does).
            let tested = |c: &str| {
                rendered.inputs.iter().any(|i| i.fields.iter().any(|f| f == c)) || rendered.selects.iter().any(|s| s == c)
            };
            let filters: Vec<String> = result.column_names().filter(|c| tested(c)).map(String::from).collect();
            let fields: Vec<String> =
                result.column_names().filter(|c| tested(c) || t.columns.iter().any(|x| x == c)).map(String::from).collect();
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
