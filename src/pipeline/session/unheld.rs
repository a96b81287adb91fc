//! Results too big to hold (more than `max_rows` rows): the stage "spill",
//! which splits by key onto disk those the pages made from rows read in
//! slices, the stage "profile", which has the engine profile those a page
//! names, and the refusal of those no page reads at all.

use super::{Origin, Session};
use crate::query;
use crate::util::diag::{Diagnostic, Diagnostics};
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

impl Session {
    /// Stage "profile": each result too big to hold that has no profile yet
    /// ([`crate::query::unheld::Unheld`]) and that some page's text names is
    /// profiled by the engine. A page can only read a query by naming it, so
    /// one no page names, which will be refused, costs no pass; that pass
    /// would be a full scan of a result that may never end.
    pub(super) fn profile_oversize(&mut self) -> Result<()> {
        if self.oversize.values().all(|u| u.rows.is_some()) {
            return Ok(());
        }
        let mut bodies: BTreeMap<&std::path::Path, &str> = BTreeMap::new();
        for p in &self.pages {
            bodies.entry(&*p.source).or_insert(&p.body);
        }
        let unprofiled = |name: &str| self.oversize.get(name).is_some_and(|u| u.rows.is_none());
        let wanted: Vec<query::QueryFile> = self
            .queries
            .iter()
            .filter(|q| unprofiled(&q.name) && bodies.values().any(|b| super::reach::mentions(b, &q.name)))
            .cloned()
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let diags = Diagnostics::default();
        self.runner.profile(&wanted, &mut self.oversize, &diags)?;
        self.route(diags);
        Ok(())
    }

    /// Stage "spill": each result too big to hold that the pages made from
    /// rows can read in slices (it returns their key column and takes no
    /// parameters) is run again, split by key onto disk ([`crate::query::spill::Spill`]), once per
    /// result. One with parameters is an error (its variants would be read
    /// whole); one with no key column is judged after the pages render
    /// ([`Session::refuse_unread_oversize`]).
    pub(super) fn spill_oversize(&mut self) -> Result<()> {
        let keys: BTreeSet<String> = self.pages.iter().filter_map(|p| Some(p.row_key()?.0.to_string())).collect();
        let diags = Diagnostics::default();
        let mut wanted: Vec<(String, String)> = Vec::new();
        for (name, unheld) in &self.oversize {
            let columns = &unheld.columns;
            let Some(q) = self.queries.iter().find(|q| &q.name == name) else { continue };
            let found: Vec<&String> = keys.iter().filter(|k| columns.iter().any(|c| &c.name == *k)).collect();
            if !q.params.is_empty() {
                diags.push(query::over_max_rows(q, self.project.config.max_rows));
            }
            wanted.extend(found.into_iter().filter(|_| q.params.is_empty()).map(|k| (name.clone(), k.clone())));
        }
        self.spills.retain(|s| wanted.contains(&(s.query.clone(), s.key.clone())));
        for (name, key) in wanted {
            if self.spills.iter().any(|s| s.query == name && s.key == key) {
                continue;
            }
            let q = self.queries.iter().find(|q| q.name == name).expect("found above").clone();
            if let Some(spill) = self.runner.spill(&q, &key, &diags)? {
                self.spills.push(Arc::new(spill));
            }
        }
        self.errors.insert(Origin::Oversize, diags.into_sorted());
        Ok(())
    }

    /// A result too big to hold that no page reads, in slices or through
    /// rollups, is refused at its query (its whole file cannot be written).
    /// Only judged when every page rendered: a page that failed read nothing.
    pub(super) fn refuse_unread_oversize(&mut self) {
        let pages_failed = self.errors.iter().any(|(o, e)| matches!(o, Origin::Page(_)) && !e.is_empty());
        if pages_failed {
            return;
        }
        let read: BTreeSet<&String> = self.outputs.values().flat_map(|o| o.loads.queries()).collect();
        let max_rows = self.project.config.max_rows;
        let refused: Vec<Diagnostic> = self
            .queries
            .iter()
            .filter(|q| self.oversize.contains_key(&q.name) && q.params.is_empty() && !read.contains(&q.name))
            .map(|q| query::over_max_rows(q, max_rows))
            .collect();
        self.errors.entry(Origin::Oversize).or_default().extend(refused);
    }
}
