//! The site's files as a session holds them: planning which data files
//! the pages need (stage "plan data files"), making each file's bytes from
//! the results, and writing them, whole ([`Session::write_all`]) or the ones
//! changed ([`Session::write_pending`]).

use super::Session;
use crate::pipeline::slices;
use crate::query::chunks::{self, ChunkSet, Sorter};
use crate::query::projection::Projection;
use crate::query::sparks::SparkSet;
use crate::site::{self, Staging};
use crate::source::value::QueryResult;
use crate::util::timings;
use anyhow::Result;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// What a data file of the site holds: a result whole (`data/<query>.json`),
/// a chunk of a sorted copy of one (`Some(k)`) or that copy's index (`None`;
/// see [`crate::query::chunks`]), some of its columns
/// ([`crate::query::projection`]), or a shard of a table's sparklines over
/// it ([`crate::query::sparks`]).
/// Variants are kept apart.
#[derive(Debug, Clone)]
pub(super) enum DataFile {
    Whole(String),
    Chunk(Arc<ChunkSet>, Option<usize>),
    Projection(Projection),
    Spark(Arc<SparkSet>, usize),
}

impl DataFile {
    pub(super) fn query(&self) -> &str {
        match self {
            DataFile::Whole(q) => q,
            DataFile::Chunk(set, _) => &set.query,
            DataFile::Projection(p) => &p.query,
            DataFile::Spark(set, _) => &set.query,
        }
    }
}

impl Session {
    /// Stage "plan data files": each result whole when a page loads it whole
    /// or none reads it, and the chunks, projections and sparkline shards pages read (see
    /// [`slices::needs`]); marks the files that came or went.
    pub(super) fn plan_data_files(&mut self) {
        let needs = slices::needs(self.results.keys(), self.outputs.values().map(|o| &o.loads));
        let data = Path::new("data");
        let mut next: BTreeMap<PathBuf, DataFile> = BTreeMap::new();
        for q in needs.whole {
            next.insert(data.join(format!("{q}.json")), DataFile::Whole(q));
        }
        for p in needs.projections {
            next.insert(data.join(p.file()), DataFile::Projection(p));
        }
        for set in needs.chunks {
            let Some(result) = self.results.get(&set.query) else { continue };
            let chunks = self.sorter.order(&set.query, set.order.as_deref(), result).chunks(set.rows);
            let folder = data.join(set.folder());
            let set = Arc::new(set);
            next.insert(folder.join("index.json"), DataFile::Chunk(set.clone(), None));
            for k in 0..chunks {
                next.insert(folder.join(format!("{k}.json")), DataFile::Chunk(set.clone(), Some(k)));
            }
        }
        for set in needs.sparks {
            let Some(result) = self.results.get(&set.query) else { continue };
            let shards = self.sparker.lines(&set, result).shards.len();
            let folder = data.join(set.folder());
            let set = Arc::new(set);
            for n in 0..shards {
                next.insert(folder.join(format!("{n}.json")), DataFile::Spark(set.clone(), n));
            }
        }
        // A query that failed keeps the files it had, as a page that failed keeps its page.
        let failed = |q: &str| {
            !self.results.contains_key(q) && !self.oversize.contains_key(q) && self.queries.iter().any(|f| f.name == q)
        };
        for (path, f) in &self.data_files {
            if failed(f.query()) {
                next.entry(path.clone()).or_insert_with(|| f.clone());
            }
        }
        let gone = self.data_files.keys().filter(|p| !next.contains_key(*p));
        let new = next.keys().filter(|p| !self.data_files.contains_key(*p));
        let changed: Vec<PathBuf> = gone.chain(new).cloned().collect();
        self.dirty.extend(changed);
        self.data_files = next;
        // Splits and orders of old results, or of queries no page reads that way any more, are dropped.
        let own: BTreeSet<&str> = self.outputs.values().flat_map(|o| &o.loads.own).map(String::as_str).collect();
        let mut orders: BTreeSet<(&str, String)> = BTreeSet::new();
        for f in self.data_files.values() {
            if let DataFile::Chunk(set, None) = f {
                orders.insert((set.query.as_str(), Sorter::key(set.order.as_deref())));
            }
        }
        let results = &self.results;
        let current = |q: &str, r: &Arc<QueryResult>| results.get(q).is_some_and(|now| Arc::ptr_eq(now, r));
        self.slicer.retain(|q, _, split| own.contains(q) && current(q, split));
        self.sorter.retain(|q, k, r| orders.contains(&(q, k.to_string())) && current(q, r));
        let sparks: BTreeSet<(&str, String)> = self
            .data_files
            .values()
            .filter_map(|f| match f {
                DataFile::Spark(set, 0) => Some((set.query.as_str(), set.memo_key())),
                _ => None,
            })
            .collect();
        self.sparker.retain(|q, k, r| sparks.contains(&(q, k.to_string())) && current(q, r));
    }

    /// Every file of the site, as `vcd build` writes it, by path in the site
    /// (its bytes come from [`Session::file_bytes`]).
    pub(super) fn site_paths(&self) -> Vec<PathBuf> {
        let data = Path::new("data");
        let mut paths: Vec<PathBuf> = self.data_files.keys().cloned().collect();
        paths.extend(self.variants.keys().map(|file| data.join(file)));
        paths.extend(self.rollups.keys().map(|file| data.join(file)));
        paths.extend(self.theme.assets.keys().map(|path| Path::new("assets").join(path)));
        paths.extend(self.outputs.keys().cloned());
        paths
    }

    /// The bytes the session holds for a site file (a page, a result whole or
    /// in slices, a variant, a theme asset), or `None` if it holds none.
    /// Errors when a spilled result's file cannot be read back.
    pub(super) fn file_bytes(&self, rel: &Path) -> Result<Option<Cow<'_, [u8]>>> {
        if let Some(o) = self.outputs.get(rel) {
            return Ok(o.html.as_deref().map(|h| Cow::Borrowed(h.as_bytes())));
        }
        if let Some(f) = self.data_files.get(rel) {
            return Ok(self.data_bytes(f).map(Cow::Owned));
        }
        let Some(name) = rel.strip_prefix("data").ok().and_then(Path::to_str) else {
            let asset = rel.strip_prefix("assets").ok().and_then(Path::to_str);
            return Ok(asset.and_then(|a| self.theme.assets.get(a)).map(|b| Cow::Borrowed(b.as_slice())));
        };
        if let Some(bytes) = self.rollups.get(name) {
            return Ok(Some(Cow::Borrowed(bytes.as_slice())));
        }
        Ok(self.variants.get(name).map(|r| Cow::Owned(r.to_json_bytes())))
    }

    /// A result file's bytes: written straight from the result's rows.
    fn data_bytes(&self, f: &DataFile) -> Option<Vec<u8>> {
        match f {
            DataFile::Whole(q) => Some(self.results.get(q)?.to_json_bytes()),
            DataFile::Projection(p) => Some(p.bytes(self.results.get(&p.query)?)),
            DataFile::Spark(set, n) => Some(self.sparker.lines(set, self.results.get(&set.query)?).shard_bytes(*n)),
            DataFile::Chunk(set, k) => {
                let result = self.results.get(&set.query)?;
                let order = self.sorter.order(&set.query, set.order.as_deref(), result);
                Some(match k {
                    Some(k) => chunks::chunk_bytes(result, set, &order, *k),
                    None => chunks::index_bytes(result, set, &order),
                })
            }
        }
    }

    /// Writes the whole site atomically (what `vcd build` does when there are
    /// no errors): every file made and written in parallel, one at a time each,
    /// so no second copy of the site is held in memory. The pages a
    /// [`Session::build`] wrote as it went are already there.
    pub fn write_all(&mut self) -> Result<PathBuf> {
        let target = self.project.output_dir();
        let staging = match self.staging.take() {
            Some(staging) => staging,
            None => Staging::new(&target)?,
        };
        let paths = self.site_paths();
        let t = timings::stage("write files");
        let progress = crate::util::progress::Progress::new("files written:", paths.len());
        paths.par_iter().try_for_each(|rel| {
            crate::util::interrupt::check()?;
            if let Some(bytes) = self.file_bytes(rel)? {
                staging.write(rel, &bytes)?;
            }
            progress.tick();
            anyhow::Ok(())
        })?;
        drop(progress);
        drop(t);
        let _t = timings::stage("replace the old site");
        crate::util::interrupt::check()?;
        staging.commit()?;
        self.pending.clear();
        self.dirty.clear();
        Ok(target)
    }

    /// Writes the files changed since the last write into the existing site,
    /// one by one; what failed keeps its previous file. Returns how many files
    /// really changed: one rebuilt with the same bytes is left alone, so a save
    /// that changes nothing reloads no browser.
    pub fn write_pending(&mut self) -> Result<usize> {
        let target = self.project.output_dir();
        let pending = std::mem::take(&mut self.pending);
        let mut changed = 0;
        for (rel, bytes) in &pending {
            changed += usize::from(write_if_changed(&target, rel, bytes.as_deref())?);
        }
        let dirty = std::mem::take(&mut self.dirty);
        let count = AtomicUsize::new(changed);
        dirty.par_iter().try_for_each(|rel| {
            let bytes = self.file_bytes(rel)?;
            if write_if_changed(&target, rel, bytes.as_deref())? {
                count.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(())
        })?;
        // A folder of chunks no page loads any more goes too (it fails, harmlessly, while not empty).
        let folders: BTreeSet<&Path> =
            dirty.iter().filter(|p| !self.data_files.contains_key(*p)).filter_map(|p| p.parent()).collect();
        for folder in folders.into_iter().filter(|f| f.starts_with("data") && *f != Path::new("data")) {
            let _ = std::fs::remove_dir(target.join(folder));
        }
        Ok(count.into_inner())
    }
}

/// Writes one file of the site in place (`None` removes it) unless it already
/// holds those bytes; returns whether it changed.
fn write_if_changed(target: &Path, rel: &Path, bytes: Option<&[u8]>) -> Result<bool> {
    let now = std::fs::read(target.join(rel)).ok();
    if now.as_deref() == bytes {
        return Ok(false);
    }
    site::write_in_place(target, rel, bytes)?;
    Ok(true)
}
