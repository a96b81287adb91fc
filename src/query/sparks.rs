//! Sparklines for a table column: one small line per key of a second query's
//! result (`table(…, sparkline={…})`), drawn here as the parts of an SVG and
//! written in shards the browser fetches for the rows it shows.
//!
//! A set's folder is `data/<query>.s<h>/` (`<h>`: the FNV-1a hash of its
//! definition, 16 hex digits), holding `0.json` … `<shards − 1>.json`. A key
//! lives in shard [`shard_of`] of its text; each shard is
//! `{"<key text>": ["<path d>", "<cx>", "<cy>", "<label>"], …}`, keys in the
//! order they first appear in the result. The geometry is made here only:
//! the runtime places the parts into the same elements the build writes
//! (`components::table::spark`), so the lines are identical before and after
//! the scripts run.

use crate::query::memo::Memo;
use crate::source::value::{ColumnKind, QueryResult};
use crate::util::format::{cell, text};
use crate::util::hash::Fnv;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

/// The drawing's width in CSS pixels, and its viewBox's.
pub const WIDTH: f64 = 100.0;
/// The drawing's height in CSS pixels, and its viewBox's.
pub const HEIGHT: f64 = 24.0;
/// The space kept free on every side, so the line and its end dot are not cut.
pub const PAD: f64 = 2.0;

/// Keys per shard on average (a key's shard is chosen by its hash, so some
/// hold a few more): at 14 points a key, about 7 KB of JSON and 1 KB
/// gzipped, so a page of 25 rows reads at most 25 small files whatever the
/// result's size.
pub const KEYS_PER_SHARD: usize = 32;

/// One sparkline column's data: per value of `key` in `query`'s result, the
/// series of `y` over `x`, its figures written in `format` (a table cell
/// format) after `label` in the line's description.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SparkSet {
    pub query: String,
    pub key: String,
    pub x: String,
    pub y: String,
    pub format: String,
    pub label: String,
}

impl SparkSet {
    /// Its folder under `data/`: `post_daily.s<16 hex digits>`.
    pub fn folder(&self) -> String {
        format!("{}.s{:016x}", self.query, self.hash())
    }

    /// What a [`Sparker`] keeps its lines under.
    pub fn memo_key(&self) -> String {
        format!("{:016x}", self.hash())
    }

    fn hash(&self) -> u64 {
        let mut h = Fnv::new();
        h.write(format!("{:?}", (&self.key, &self.x, &self.y, &self.format, &self.label)).as_bytes());
        h.finish()
    }
}

/// One key's line: the path's `d` (in a `0 0 WIDTH HEIGHT` box, one decimal),
/// the centre of the dot on its last point, and what it shows in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Spark {
    pub d: String,
    pub cx: String,
    pub cy: String,
    pub label: String,
}

/// Every key's line, by shard.
#[derive(Debug, Default)]
pub struct Lines {
    /// Per shard (at least one), its keys' texts and lines, keys in order of
    /// first appearance: key `k` is in `shards[shard_of(k, shards.len())]`.
    pub shards: Vec<Vec<(String, Spark)>>,
    index: HashMap<String, (usize, usize)>,
}

impl Lines {
    /// The line of the key whose text is `key`, if it has one.
    pub fn get(&self, key: &str) -> Option<&Spark> {
        self.index.get(key).map(|&(s, i)| &self.shards[s][i].1)
    }

    /// Shard `n` as its file.
    pub fn shard_bytes(&self, n: usize) -> Vec<u8> {
        let map: Map<String, Json> = self
            .shards
            .get(n)
            .into_iter()
            .flatten()
            .map(|(k, s)| (k.clone(), Json::from(vec![s.d.as_str(), s.cx.as_str(), s.cy.as_str(), s.label.as_str()])))
            .collect();
        serde_json::to_vec(&map).expect("JSON values serialise")
    }
}

/// The shard holding a key: FNV-1a, 32-bit, of the key's text in UTF-8
/// (`text()`, the value as a cell shows it), modulo the number of shards.
/// The runtime's `sparkShard` computes the same (`tests/format_vectors.json`
/// `spark_shard`).
pub fn shard_of(key: &str, shards: usize) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for b in key.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h as usize % shards.max(1)
}

/// Lines of sets, each made once per result ([`Memo`]).
pub type Sparker = Memo<Lines>;

impl Memo<Lines> {
    /// The lines of `set` over `result`, the result of `set.query`.
    pub fn lines(&self, set: &SparkSet, result: &std::sync::Arc<QueryResult>) -> std::sync::Arc<Lines> {
        self.get(&set.query, &set.memo_key(), result, || lines(set, result))
    }
}

/// How a series places its points across: by number, by instant (a day or
/// a timestamp's wall-clock time, as charts read them) or one step apart.
#[derive(Clone, Copy)]
enum Across {
    Number,
    Time,
    Rank,
}

/// Seconds since 1970 of the wall-clock time a value starts with
/// (`2024-05-01`, `2024-05-01T18:30:00`, `2024-05-01 18:30:00+02`), its
/// offset dropped as `docs/formatting.md` "Days" says; `None` otherwise.
fn instant(v: &Json) -> Option<f64> {
    let s = v.as_str()?;
    let day = chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    let time = s
        .get(11..19)
        .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M:%S").ok())
        .unwrap_or(chrono::NaiveTime::MIN);
    Some(day.and_time(time).and_utc().timestamp() as f64)
}

/// A point of a line: its x and y values, and where they sit as numbers.
type Point<'a> = (&'a Json, f64, &'a Json, f64);

/// Draws every key's line: its points are the rows whose `x` is not null and
/// whose `y` is a number, in ascending table order of `x`. Across, they sit
/// by `x`'s value, on one scale for every key, so the lines of a table
/// compare (a key with fewer days is a shorter line, not a stretched one): a
/// number column by its number, a date or timestamp column by its wall-clock
/// time ([`instant`]; a value that is not one is left out), any other type
/// one step apart from the left. Up, each line runs between its own least
/// (bottom) and greatest `y` (a line of one value runs through the middle):
/// its description gives the figures. Keys match by their text, so a null
/// key and an empty text are one. Keys without a point have no line. A set
/// naming a column the result lacks has no lines (and one empty shard).
pub fn lines(set: &SparkSet, result: &QueryResult) -> Lines {
    let at = |c: &str| result.columns.iter().position(|x| x.name == c);
    let (Some(k), Some(xi), Some(yi)) = (at(&set.key), at(&set.x), at(&set.y)) else {
        return Lines { shards: vec![Vec::new()], index: HashMap::new() };
    };
    let across = match result.columns[xi].kind() {
        ColumnKind::Number => Across::Number,
        ColumnKind::Temporal => Across::Time,
        _ => Across::Rank,
    };
    // Rows by key, keys in order of first appearance, rows in x order.
    let (sorted, _) = crate::util::format::ascending(result.rows.len(), |i| &result.rows[i][xi]);
    let texts: Vec<String> = result.rows.iter().map(|r| text(&r[k])).collect();
    let mut keys: Vec<&String> = Vec::new();
    let mut rows: HashMap<&String, Vec<usize>> = HashMap::new();
    for t in &texts {
        rows.entry(t).or_insert_with(|| {
            keys.push(t);
            Vec::new()
        });
    }
    for &i in &sorted {
        rows.get_mut(&texts[i]).expect("every key was seen").push(i);
    }
    let series: Vec<(String, Vec<Point>)> =
        keys.into_iter().map(|key| (key.clone(), points(result, &rows[key], xi, yi, across))).collect();
    // One scale across for every key.
    let all = series.iter().flat_map(|(_, p)| p.iter().map(|p| p.1));
    let x_range = all.fold(None, |r: Option<(f64, f64)>, x| Some(r.map_or((x, x), |(lo, hi)| (lo.min(x), hi.max(x)))));
    let shards = series.len().div_ceil(KEYS_PER_SHARD).max(1);
    let mut out = Lines { shards: vec![Vec::new(); shards], index: HashMap::new() };
    for (key, points) in series {
        let Some(x_range) = x_range.filter(|_| !points.is_empty()) else { continue };
        let spark = draw(set, &points, x_range, across);
        let s = shard_of(&key, shards);
        out.index.insert(key.clone(), (s, out.shards[s].len()));
        out.shards[s].push((key, spark));
    }
    out
}

/// The points of one key from its rows (in x order).
fn points<'a>(result: &'a QueryResult, rows: &[usize], xi: usize, yi: usize, across: Across) -> Vec<Point<'a>> {
    rows.iter()
        .filter_map(|&i| {
            let (x, y) = (&result.rows[i][xi], &result.rows[i][yi]);
            let yv = crate::util::cellscale::value(y)?;
            Some((x, y, yv))
        })
        .enumerate()
        .filter_map(|(n, (x, y, yv))| {
            let xv = match across {
                Across::Number => crate::util::cellscale::value(x)?,
                Across::Time => instant(x)?,
                Across::Rank => n as f64,
            };
            Some((x, xv, y, yv))
        })
        .collect()
}

/// Where a value sits along a side of `size` between `lo` and `hi` (the
/// middle when they are one), `PAD` kept free at each end.
fn place(v: f64, (lo, hi): (f64, f64), size: f64) -> f64 {
    if hi > lo {
        PAD + (v - lo) / (hi - lo) * (size - 2.0 * PAD)
    } else {
        size / 2.0
    }
}

/// One key's line from its points (at least one), across on `x_range`.
fn draw(set: &SparkSet, points: &[Point], x_range: (f64, f64), across: Across) -> Spark {
    let y_range = points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.3), hi.max(p.3)));
    let px = |v: f64| place(v, x_range, WIDTH);
    let py = |v: f64| HEIGHT - place(v, y_range, HEIGHT);
    let mut d = String::new();
    for (n, p) in points.iter().enumerate() {
        d.push_str(&format!("{}{:.1},{:.1}", if n == 0 { 'M' } else { 'L' }, px(p.1), py(p.3)));
    }
    let (first, last) = (&points[0], &points[points.len() - 1]);
    let low = points.iter().min_by(|a, b| a.3.total_cmp(&b.3)).map_or(first.2, |p| p.2);
    let high = points.iter().max_by(|a, b| a.3.total_cmp(&b.3)).map_or(first.2, |p| p.2);
    let x_text = |v: &Json| cell(v, if matches!(across, Across::Time) { "date" } else { "text" });
    let y_text = |v: &Json| cell(v, &set.format);
    let label = format!(
        "{}, {} to {}: first {}, last {}, low {}, high {}",
        set.label,
        x_text(first.0),
        x_text(last.0),
        y_text(first.2),
        y_text(last.2),
        y_text(low),
        y_text(high)
    );
    Spark { d, cx: format!("{:.1}", px(last.1)), cy: format!("{:.1}", py(last.3)), label }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::value::Column;
    use serde_json::json;

    fn result(rows: Vec<Vec<Json>>) -> QueryResult {
        let col = |n: &str, t: &str| Column { name: n.into(), sql_type: t.into() };
        QueryResult { columns: vec![col("id", "BIGINT"), col("day", "DATE"), col("reach", "BIGINT")], rows }
    }

    fn set() -> SparkSet {
        SparkSet {
            query: "daily".into(),
            key: "id".into(),
            x: "day".into(),
            y: "reach".into(),
            format: "number".into(),
            label: "Reach".into(),
        }
    }

    #[test]
    fn a_line_runs_by_day_between_its_own_least_and_greatest() {
        let r = result(vec![
            vec![json!(1), json!("2024-05-03"), json!(30)],
            vec![json!(1), json!("2024-05-01"), json!(10)],
            vec![json!(2), json!("2024-05-01"), json!(5)],
            vec![json!(1), json!("2024-05-02"), json!(null)],
            vec![json!(1), json!("2024-05-05"), json!(20)],
        ]);
        let l = lines(&set(), &r);
        let one = l.get("1").unwrap();
        // 1 May at the left and bottom, 3 May halfway across at the top, 5 May at the right; the null skipped.
        assert_eq!(one.d, "M2.0,22.0L50.0,2.0L98.0,12.0");
        assert_eq!((one.cx.as_str(), one.cy.as_str()), ("98.0", "12.0"));
        assert_eq!(one.label, "Reach, May 1, 2024 to May 5, 2024: first 10, last 20, low 10, high 30");
        // One point, on 1 May: at the left (the days are every key's), in the middle up.
        assert_eq!(l.get("2").unwrap().d, "M2.0,12.0");
        assert!(l.get("3").is_none());
    }

    #[test]
    fn keys_are_found_in_their_shard() {
        let rows = (0..100).map(|i| vec![json!(i), json!("2024-05-01"), json!(i)]).collect();
        let l = lines(&set(), &result(rows));
        assert_eq!(l.shards.len(), 4, "100 keys, 32 a shard");
        for i in 0..100 {
            let key = i.to_string();
            let s = shard_of(&key, 4);
            assert!(l.shards[s].iter().any(|(k, _)| *k == key), "key {key} in shard {s}");
        }
        let bytes: Json = serde_json::from_slice(&l.shard_bytes(shard_of("7", 4))).unwrap();
        assert_eq!(bytes["7"][0], "M50.0,12.0", "every key on one day: the middle");
    }

    #[test]
    fn the_shard_hash_is_fnv_1a_32() {
        // FNV-1a 32 of "" is its offset basis, of "a" 0xe40c292c.
        assert_eq!(shard_of("", usize::MAX), 0x811c_9dc5);
        assert_eq!(shard_of("a", usize::MAX), 0xe40c_292c);
    }
}
