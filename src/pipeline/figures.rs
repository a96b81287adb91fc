//! Stage "fill figures": a KPI card over a query too big to hold gets its
//! build-time figures from the rollup file its page reads, once the engine
//! has computed it, so the card reads the same before and after the scripts
//! run ([`crate::components::deferred`]).

use crate::components::deferred::{DeferredKpi, RollupFile};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Replaces each deferred card's marker in `content` with its figures.
/// `files` and `requests` are the page manifest's `rollups` and `requests`
/// ([`crate::pipeline::rollups::plan`]); `made` holds the rollup files by
/// name. A card reads its request's `base` rollup: the one at its own grain.
pub fn fill(
    content: &mut String,
    deferred: &[DeferredKpi],
    files: &Json,
    requests: &Json,
    made: &BTreeMap<String, Arc<Vec<u8>>>,
) {
    for (n, kpi) in deferred.iter().enumerate() {
        let base = &requests[kpi.rollup]["base"];
        let rollup = base["rollup"].as_u64().map_or(&Json::Null, |i| &files[i as usize]);
        let parsed: Option<Vec<Vec<Json>>> =
            rollup["file"].as_str().and_then(|f| made.get(f)).and_then(|bytes| serde_json::from_slice(bytes).ok());
        let file = parsed.as_ref().map(|columns| RollupFile {
            columns,
            grain: count(&rollup["keys"]) + count(&rollup["days"]),
            at: starts(rollup, base),
        });
        let html = kpi.figures(file.as_ref());
        let marker = DeferredKpi::marker(n);
        if let Some(i) = content.find(&marker) {
            content.replace_range(i..i + marker.len(), &html);
        }
    }
}

fn count(list: &Json) -> usize {
    list.as_array().map_or(0, Vec::len)
}

/// Where each of a request's measures starts among its rollup's columns
/// after the grain: the row count comes first, and a mean takes two
/// partials (as the runtime's `requestRows` counts them).
fn starts(rollup: &Json, base: &Json) -> Vec<usize> {
    let mut at = Vec::new();
    let mut next = 1;
    for m in rollup["measures"].as_array().into_iter().flatten() {
        at.push(next);
        next += if m[0] == "mean" { 2 } else { 1 };
    }
    base["measures"].as_array().into_iter().flatten().filter_map(|i| at.get(i.as_u64()? as usize).copied()).collect()
}
