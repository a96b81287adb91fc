//! Results too big to hold (more than `max_rows` rows): the stage "spill",
//! which splits by key onto disk those the pages made from rows read in
//! slices, and the refusal of those no page reads at all.

use super::{Origin, Session};
use crate::query;
use crate::util::diag::{Diagnostic, Diagnostics};
use anyhow::Result;
use std::collections::BTreeSet;
use std::sync::Arc;

impl Session {
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
        let read: BTreeSet<&String> = self
            .outputs
            .values()
            .flat_map(|o| o.loads.whole.iter().chain(o.loads.slices.iter().map(|s| &s.query)))
            .collect();
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
