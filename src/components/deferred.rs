//! What a KPI card over a query too big to hold leaves for later: at render
//! time only its rollup request is known, so the page holds a marker where
//! its figures go, and this record of how to make them; the pipeline fills
//! them in once the engine has computed the rollup
//! (the stage "fill figures"; the figures are made in `components::kpi`).

use crate::query::rollup::Op;

/// How a card shows its figures: format, decimals, which way is good, and
/// the text after the change.
#[derive(Debug, Clone)]
pub struct Look {
    pub fmt: String,
    pub decimals: usize,
    pub up_is_good: bool,
    pub compare: Option<String>,
    /// For a card showing a mean: how sure it is shown to be.
    pub sure: Option<Sure>,
    /// An inline figure (`value()`) in prose: its parts are `span`s, not `div`s.
    pub inline: bool,
}

/// How a card's mean shows how sure it is (`docs/uncertainty.md`): a line
/// under the figure with its 95 % interval (`ci`, by `method`) and the
/// count of values, which a small sample (fewer than `min_n`) names as such.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sure {
    pub ci: bool,
    pub min_n: u32,
    pub method: crate::util::interval::Method,
}

/// A KPI card over a query too big to hold: at render time only its rollup
/// request is known, so its figures are a marker ([`DeferredKpi::marker`])
/// until the engine has computed the rollup; then `DeferredKpi::figures`
/// makes them from the rollup's file, by the rules the runtime uses
/// (`crate::components::kpi`).
#[derive(Debug, Clone)]
pub struct DeferredKpi {
    /// The card's rollup request, numbered on the page.
    pub rollup: usize,
    pub op: Op,
    /// The days of each window, for a period KPI.
    pub days: Option<i64>,
    /// Whether it shows a change against a `previous=` column (the request's second measure).
    pub previous: bool,
    /// Where its sum of squares is among the request's measures, for an interval.
    pub sum_squares: Option<usize>,
    pub look: Look,
}

/// A KPI's base rollup as its file holds it (`query::rollup::file_bytes`):
/// one array per column, the grain first (a period KPI's day), then the
/// row count, then the partials; `at` is where each of the card's measures
/// (value, then previous) starts after the grain.
pub struct RollupFile<'a> {
    pub columns: &'a [Vec<serde_json::Value>],
    pub grain: usize,
    pub at: Vec<usize>,
}

impl DeferredKpi {
    /// The marker of deferred card `n` in the page's HTML: a comment, which
    /// no query value can become (values are escaped).
    pub fn marker(n: usize) -> String {
        format!("<!--vcd-kpi {n}-->")
    }
}
