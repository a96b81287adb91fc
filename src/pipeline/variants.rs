//! Pre-computed query variants: a query with `$parameters` runs at build time
//! once for every combination of values its page's inputs can take, so the
//! browser swaps in exact results with no database. This module plans those
//! runs and writes what the runtime needs to pick one: the page manifest.

use crate::components::inputs::Input;
use crate::components::scope::Catalog;
use crate::page::Page;
use crate::render::RenderedPage;
use crate::util::diag::{excerpt, Diagnostic};
use crate::util::hash::Fnv;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

/// The runs a build needs: result file name → (query, bound values).
pub type Jobs = BTreeMap<String, (String, Vec<Json>)>;

/// The file holding a query's result for `bindings`. All-NULL bindings are the
/// query's base run, written as `<query>.json` like any query's result.
pub fn file_name(query: &str, bindings: &[Json]) -> String {
    if bindings.iter().all(Json::is_null) {
        return format!("{query}.json");
    }
    let mut h = Fnv::new();
    h.write(Json::from(bindings.to_vec()).to_string().as_bytes());
    format!("{query}.{:016x}.json", h.finish())
}

/// The manifest the browser runtime reads from the page: its inputs, and for
/// each query its components read, the columns it returns and, for a query
/// with parameters, the file of every combination of input values (keyed by
/// the inputs' value positions, e.g. `"0,2"`). Adds the runs it needs to `jobs`.
pub fn manifest(
    page: &Page,
    rendered: &RenderedPage,
    catalog: &Catalog,
    max_variants: usize,
    jobs: &mut Jobs,
) -> Result<Json, Diagnostic> {
    let mut queries = serde_json::Map::new();
    for (query, line) in &rendered.uses {
        let Some(columns) = catalog.columns(query) else { continue };
        let mut entry = json!({ "columns": columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>() });
        if let Some(params) = catalog.params.get(query) {
            let inputs: Vec<&Input> =
                params.iter().filter_map(|p| rendered.inputs.iter().find(|i| &i.name == p)).collect();
            let domains: Vec<Vec<Json>> = inputs.iter().filter_map(|i| i.domain()).collect();
            if domains.len() != params.len() {
                continue; // reported by the page's render
            }
            let count = domains.iter().try_fold(1usize, |n, d| n.checked_mul(d.len())).unwrap_or(usize::MAX);
            if count > max_variants {
                let sizes: Vec<String> =
                    inputs.iter().zip(&domains).map(|(i, d)| format!("'{}' ({} values)", i.name, d.len())).collect();
                return Err(Diagnostic::in_file(
                    &page.source,
                    format!(
                        "query '{query}' would be pre-computed {count} times, once per combination of inputs {}, \
                         more than max_variants = {max_variants}; filter some of them in the browser (field=) \
                         or raise max_variants in vcd.toml",
                        sizes.join(" × ")
                    ),
                )
                .at(*line, None)
                .with_detail(excerpt(&page.body, *line, None)));
            }
            let mut files = serde_json::Map::new();
            for combo in combinations(&domains) {
                let bindings: Vec<Json> = combo.iter().zip(&domains).map(|(&i, d)| d[i].clone()).collect();
                let file = file_name(query, &bindings);
                if !bindings.iter().all(Json::is_null) {
                    jobs.entry(file.clone()).or_insert_with(|| (query.clone(), bindings));
                }
                let key: Vec<String> = combo.iter().map(usize::to_string).collect();
                files.insert(key.join(","), file.into());
            }
            entry["params"] = json!(params);
            entry["files"] = Json::Object(files);
        }
        queries.insert(query.clone(), entry);
    }
    Ok(json!({ "inputs": rendered.inputs, "queries": queries }))
}

/// Every combination of one index per domain, the last varying fastest.
fn combinations(domains: &[Vec<Json>]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for d in domains {
        out =
            out.into_iter().flat_map(|prefix| (0..d.len()).map(move |i| [prefix.clone(), vec![i]].concat())).collect();
    }
    out
}

/// The manifest as the script element the runtime reads.
pub fn script(manifest: &Json) -> String {
    format!("<script type=\"application/json\" id=\"vcd-page\">{}</script>", crate::chart::script_json(manifest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_cover_every_choice_once() {
        let domains = vec![vec![Json::Null, json!("a"), json!("b")], vec![json!(false), json!(true)]];
        let c = combinations(&domains);
        assert_eq!(c.len(), 6);
        assert_eq!(c[0], vec![0, 0]);
        assert_eq!(c[5], vec![2, 1]);
    }

    #[test]
    fn all_null_bindings_are_the_base_file() {
        assert_eq!(file_name("kpis", &[Json::Null]), "kpis.json");
        let a = file_name("kpis", &[json!("instagram")]);
        assert!(a.starts_with("kpis.") && a.ends_with(".json") && a.len() == "kpis.".len() + 16 + 5, "{a}");
        assert_ne!(a, file_name("kpis", &[json!("tiktok")]));
    }
}
