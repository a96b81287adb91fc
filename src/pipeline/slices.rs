//! A page per row gets only its row: each page made from a bracketed file
//! (`pages/posts/[post_id].md`) carries, of every query its charts, tables
//! and KPIs read that returns the key column, only the rows whose key equals
//! its own, so a post page weighs the same with a hundred posts or 100,000.
//!
//! Such a query still runs once, like any other; its result is split by key
//! value in one pass (`query::partition`, or `query::spill` for one too big
//! to hold), and each page carries its rows in its HTML, in a script
//! element per query (`render::rows_script`), rather than a file of their
//! own: one file per post page instead of two, which at 100,000 posts is
//! much of what writing the site costs, and one request fewer for the reader. Values compare by their JSON text: the number `17`
//! and the text `"17"` are two values, as they are to a chart's `filter`.
//! The page's components read the same rows at build time
//! (`components::scope::PageScope::own_rows`).

use crate::components::scope::Catalog;
use crate::page::Page;
use crate::query::chunks::ChunkSet;
use crate::query::projection::Projection;
use crate::query::sparks::SparkSet;
use crate::render::RenderedPage;
use crate::source::value::ColumnKind;
use crate::util::diag::{excerpt, Diagnostic};
use std::collections::BTreeSet;

/// What one page loads (each query once, in the order the page first uses
/// it; lists, not sets, since a build may hold a million of these): the
/// queries whose rows it loads whole
/// (`data/<query>.json`, or the variants of a query with parameters), the
/// chunks and projections it reads, and the queries it carries its own rows of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loads {
    pub whole: Vec<String>,
    /// The queries its components read only through rollups, sorted chunks
    /// or projections: never their rows whole.
    pub indirect: Vec<String>,
    /// The queries it carries its own rows of, in its HTML.
    pub own: Vec<String>,
    /// The sorted chunks its paged tables read (`pipeline::tables`).
    pub chunks: Vec<ChunkSet>,
    /// The columns its charts of one mark per row read (`pipeline::tables`).
    pub projections: Vec<Projection>,
    /// The sparkline columns its tables read (`query::sparks`).
    pub sparks: Vec<SparkSet>,
}

impl Loads {
    /// Every query the page's components read, in any way.
    pub fn queries(&self) -> impl Iterator<Item = &String> {
        self.whole.iter().chain(&self.indirect).chain(&self.own)
    }
}

/// What a rendered page loads. A page made from a bracketed file carries its
/// own rows of each query its components read that returns its key column;
/// it loads the rows of every other query whole when some component reads
/// its rows ([`RenderedPage::row_loads`]), as every other page does. A query
/// with `$parameters` is never sliced ([`Catalog::sliced`]): the browser
/// swaps in its pre-computed variants, each a whole result (and a `rows:`
/// query, the one pages are made from, cannot take parameters; see
/// [`crate::page::expand`]).
///
/// Errors when a sliced query's key column holds another kind of value than
/// the `rows:` query's (text against numbers, say): since values compare as
/// JSON, no row would ever match, and every chart would be silently empty.
pub fn loads(page: &Page, rendered: &RenderedPage, catalog: &Catalog) -> Result<Loads, Diagnostic> {
    let mut loads = Loads::default();
    for (query, line) in &rendered.uses {
        if rendered.own.contains(query) {
            let (key, _) = page.row_key().expect("only a page made from a row has rows of its own");
            check_kinds(page, query, key, catalog)
                .map_err(|d| d.at(*line, None).with_detail(excerpt(&page.body, *line, None)))?;
            loads.own.push(query.clone());
        } else if rendered.row_loads.contains(query) {
            loads.whole.push(query.clone());
        } else {
            loads.indirect.push(query.clone());
        }
    }
    Ok(loads)
}

/// Whether `query`'s `key` column can hold the values of the `rows:` query's.
fn check_kinds(page: &Page, query: &str, key: &str, catalog: &Catalog) -> Result<(), Diagnostic> {
    let Some((rows, _)) = &page.front.rows else { return Ok(()) };
    let column = |q: &str| catalog.columns(q)?.iter().find(|c| c.name == key).cloned();
    let (Some(theirs), Some(ours)) = (column(query), column(rows)) else { return Ok(()) };
    let (a, b) = (theirs.kind(), ours.kind());
    if a == b || a == ColumnKind::Other || b == ColumnKind::Other {
        return Ok(());
    }
    Err(Diagnostic::in_file(
        &page.source,
        format!(
            "each page made from this file loads only the rows of '{query}' whose '{key}' equals its own, but \
             '{key}' is {} in '{query}' and {} in '{rows}', so no row would match; cast one to the other's type \
             in SQL",
            theirs.sql_type, ours.sql_type
        ),
    ))
}

/// The data files a site needs: results written whole, chunk sets,
/// projections and sparkline shards.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Needs {
    pub whole: BTreeSet<String>,
    pub chunks: BTreeSet<ChunkSet>,
    pub projections: BTreeSet<Projection>,
    pub sparks: BTreeSet<SparkSet>,
}

/// The data files for the results of `queries` and pages loading `pages`:
/// every chunk set, projection and sparkline set a page loads, and each result whole that
/// some page loads whole or that no page reads at all (a dashboard page
/// drawing the rows of `post_daily` keeps `post_daily.json`; a query pages
/// read only as their own rows, or in chunks, projections or rollups, has no
/// whole file, which at 1,000,000 posts would be hundreds of megabytes no
/// reader fetches).
pub fn needs<'a>(queries: impl Iterator<Item = &'a String>, pages: impl Iterator<Item = &'a Loads> + Clone) -> Needs {
    let read_whole: BTreeSet<&String> = pages.clone().flat_map(|l| &l.whole).collect();
    let read: BTreeSet<&String> = pages.clone().flat_map(|l| l.queries()).collect();
    let chunks: BTreeSet<ChunkSet> = pages.clone().flat_map(|l| l.chunks.iter().cloned()).collect();
    let projections: BTreeSet<Projection> = pages.clone().flat_map(|l| l.projections.iter().cloned()).collect();
    let sparks: BTreeSet<SparkSet> = pages.flat_map(|l| l.sparks.iter().cloned()).collect();
    let whole = queries.filter(|q| read_whole.contains(q) || !read.contains(q)).cloned().collect();
    Needs { whole, chunks, projections, sparks }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn list(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_result_read_only_as_own_rows_or_rolled_up_is_not_written_whole() {
        let names: Vec<String> = ["daily", "facts", "other"].map(String::from).to_vec();
        let post = Loads { whole: list(&["facts"]), own: list(&["daily"]), ..Loads::default() };
        let n = needs(names.iter(), [post.clone(), post.clone()].iter());
        assert_eq!(n.whole, set(&["facts", "other"]), "a query no page reads is written whole");

        let dashboard = Loads { whole: list(&["daily"]), ..Loads::default() };
        assert_eq!(needs(names.iter(), [post, dashboard].iter()).whole, set(&["daily", "facts", "other"]));

        // Read only through a rollup (or chunks, or a projection): no page fetches it whole.
        let rolled = Loads { indirect: list(&["facts"]), ..Loads::default() };
        assert_eq!(needs(names.iter(), [rolled].iter()).whole, set(&["daily", "other"]));
    }
}
