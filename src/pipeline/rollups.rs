//! Planning a page's rollups: each component's request gets the columns the
//! page's filters test added to its grain (dates at day grain), requests on the
//! same query and grain share one file, and the page manifest tells the
//! runtime which file holds which measures. (A chart that must aggregate
//! rows in the browser past `browser_rows` is refused as the page renders:
//! `chart::rollup::plan_past_limits`.)

use crate::components::inputs::Input;
use crate::components::scope::{Catalog, Kind};
use crate::query::rollup::{Bin, Measure, Request, Rollup};
use crate::render::RenderedPage;
use crate::source::value::ColumnKind;
use crate::util::hash::Fnv;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

/// The rollups a build needs: file name → rollup.
pub type Jobs = BTreeMap<String, Rollup>;

/// The file a rollup is written to: `<query>.r<hash of its definition>.json`.
pub fn file_name(r: &Rollup) -> String {
    let mut h = Fnv::new();
    h.write(format!("{:?}", (&r.keys, &r.bins, &r.days, &r.measures)).as_bytes());
    format!("{}.r{:016x}.json", r.query, h.finish())
}

/// The manifest's `rollups` (each file with its grain and measures, each
/// measure as `[op, column or null]`) and
/// `requests` (per component number: `full`, its rollup at the page's
/// grain; `undated`, the same without the date range's day column; `base`,
/// at its own grain for when no filter applies; each with where its measures
/// are in it; and the keys it groups them by, then its own day columns). Adds the rollups to compute to `jobs`.
pub fn plan(rendered: &RenderedPage, catalog: &Catalog, jobs: &mut Jobs) -> (Json, Json) {
    let mut rollups: Vec<Rollup> = Vec::new();
    let mut requests = Vec::new();
    for request in &rendered.rollups {
        let Some(columns) = catalog.columns(&request.query) else {
            requests.push(Json::Null);
            continue;
        };
        let has = |c: &str| columns.iter().any(|x| x.name == c);
        // A slider's steps are a number's: a query whose column of that name is
        // not one is left out of it (and says so, as for a missing column).
        let number = |c: &str| columns.iter().any(|x| x.name == c && x.kind() == ColumnKind::Number);
        let (keys, bins, days) = grain(request, &rendered.inputs, &rendered.selects, has, number);
        // Three files, the smallest that answers the filters in force is read:
        // unfiltered, the component's own grain (what the page's first load
        // reads); with no date range, that and the other filters' columns;
        // with a date range, the full grain, by day.
        let own_days: Vec<String> = request.days.iter().filter(|d| !request.keys.contains(d)).cloned().collect();
        let mid_days: Vec<String> = days.iter().filter(|d| own_days.contains(d)).cloned().collect();
        let mid = place(&mut rollups, request, keys.clone(), bins.clone(), mid_days);
        let full = place(&mut rollups, request, keys, bins, days);
        let base = place(&mut rollups, request, request.keys.clone(), request.bins.clone(), own_days.clone());
        // A component grouping by day (a calendar) groups by its own day columns too.
        let group: Vec<&String> =
            request.keys.iter().chain(request.bins.iter().map(|b| &b.alias)).chain(&own_days).collect();
        requests.push(json!({"full": full, "undated": mid, "base": base, "group": group}));
    }
    let entries: Vec<Json> = rollups
        .into_iter()
        .map(|r| {
            let file = file_name(&r);
            let measures: Vec<Json> = r.measures.iter().map(|m| json!([m.op, m.field])).collect();
            // To the runtime a bin's number is one more key column.
            let keys: Vec<&String> = r.keys.iter().chain(r.bins.iter().map(|b| &b.alias)).collect();
            let entry = json!({"file": file, "keys": keys, "days": r.days, "measures": measures});
            jobs.entry(file).or_insert(r);
            entry
        })
        .collect();
    (Json::from(entries), Json::from(requests))
}

/// The rollup of `request`'s query at this grain (shared with the page's
/// other requests at the same grain, whatever the order of its columns:
/// the runtime finds them by name) with its measures added: `{"rollup":
/// index, "measures": [index in the rollup's measures…]}`.
fn place(rollups: &mut Vec<Rollup>, request: &Request, keys: Vec<String>, bins: Vec<Bin>, days: Vec<String>) -> Json {
    let same_set = |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|x| b.contains(x));
    let same =
        |r: &Rollup| r.query == request.query && same_set(&r.keys, &keys) && r.bins == bins && same_set(&r.days, &days);
    let at = match rollups.iter().position(same) {
        Some(i) => i,
        None => {
            rollups.push(Rollup { query: request.query.clone(), keys, bins, days, measures: Vec::new() });
            rollups.len() - 1
        }
    };
    let measures: Vec<usize> = request.measures.iter().map(|m| position(&mut rollups[at].measures, m)).collect();
    json!({"rollup": at, "measures": measures})
}

/// Where `m` is in `list`, adding it at the end when it is not there.
fn position(list: &mut Vec<Measure>, m: &Measure) -> usize {
    list.iter().position(|x| x == m).unwrap_or_else(|| {
        list.push(m.clone());
        list.len() - 1
    })
}

/// A request's grain on its page: its own keys, then each column the
/// runtime's filters test on this query (as `predicate` in theme/vcd.js picks
/// it: an input's first field the query returns; every such field of a
/// search; each cross-filter column); its own bins, then a slider's steps of
/// its column; then the days: a date range's column and the request's own
/// day columns, unless already a key (a raw value holds its day).
fn grain(
    request: &Request,
    inputs: &[Input],
    selects: &[String],
    has: impl Fn(&str) -> bool,
    number: impl Fn(&str) -> bool,
) -> (Vec<String>, Vec<Bin>, Vec<String>) {
    let mut keys = request.keys.clone();
    let mut bins = request.bins.clone();
    let mut days: Vec<String> = Vec::new();
    let key = |f: &String, keys: &mut Vec<String>| {
        if !keys.contains(f) {
            keys.push(f.clone());
        }
    };
    for input in inputs {
        let mut present = input.fields.iter().filter(|f| has(f));
        match input.kind {
            Kind::Search => present.for_each(|f| key(f, &mut keys)),
            Kind::DateRange => days.extend(present.next().cloned()),
            Kind::Slider => {
                if let (Some(f), Some(range)) = (present.next().filter(|f| number(f)), &input.range) {
                    let bin = range.bin(f);
                    if !bins.iter().any(|b| b.alias == bin.alias) {
                        bins.push(bin);
                    }
                }
            }
            _ => {
                if let Some(f) = present.next() {
                    key(f, &mut keys);
                }
            }
        }
    }
    for f in selects.iter().filter(|f| has(f)) {
        key(f, &mut keys);
    }
    days.extend(request.days.iter().cloned());
    let mut unique: Vec<String> = Vec::new();
    for d in days {
        if !keys.contains(&d) && !unique.contains(&d) {
            unique.push(d);
        }
    }
    (keys, bins, unique)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::scope::Choice;
    use crate::query::rollup::Op;

    fn input(name: &str, kind: Kind, fields: &[&str]) -> Input {
        Input {
            name: name.into(),
            kind,
            label: name.into(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            options: vec![Choice { value: json!("a"), label: "a".into() }],
            all: Some("All".into()),
            default: None,
            options_query: None,
            range: None,
        }
    }

    #[test]
    fn the_grain_adds_what_the_page_filters_on() {
        let request = Request {
            query: "q".into(),
            keys: vec!["month".into()],
            bins: vec![],
            days: vec!["posted_at".into()],
            measures: vec![Measure { op: Op::Sum, field: Some("reach".into()) }],
        };
        let inputs = vec![
            input("platform", Kind::Dropdown, &["platform"]),
            input("period", Kind::DateRange, &["posted_at", "month"]),
            input("missing", Kind::Checkbox, &["nowhere"]),
        ];
        let has = |c: &str| ["month", "platform", "posted_at", "post_type", "reach"].contains(&c);
        let (keys, _, days) = grain(&request, &inputs, &["post_type".into()], has, |_| true);
        assert_eq!(keys, vec!["month", "platform", "post_type"]);
        assert_eq!(days, vec!["posted_at"]);
    }

    #[test]
    fn requests_at_the_same_grain_in_another_order_share_a_rollup() {
        let request = |key: &str, op: Op| Request {
            query: "q".into(),
            keys: vec![key.into()],
            bins: vec![],
            days: vec![],
            measures: vec![Measure { op, field: Some("reach".into()) }],
        };
        let mut rollups = Vec::new();
        let keys = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
        let first = place(&mut rollups, &request("platform", Op::Sum), keys("platform", "post_type"), vec![], vec![]);
        let second = place(&mut rollups, &request("post_type", Op::Max), keys("post_type", "platform"), vec![], vec![]);
        assert_eq!(rollups.len(), 1, "{rollups:?}");
        assert_eq!(rollups[0].keys, keys("platform", "post_type"));
        assert_eq!((first, second), (json!({"rollup": 0, "measures": [0]}), json!({"rollup": 0, "measures": [1]})));
        place(&mut rollups, &request("platform", Op::Sum), keys("platform", "post_type"), vec![], vec!["day".into()]);
        assert_eq!(rollups.len(), 2, "another grain is another rollup");
    }

    #[test]
    fn a_slider_adds_its_steps_on_a_number_column_only() {
        use crate::components::scope::SliderRange;
        let range = SliderRange {
            min: 0.0,
            max: 100.0,
            step: 10.0,
            count: 10,
            alias: "vcd slider r".into(),
            format: "number".into(),
        };
        let slider = Input { range: Some(range), ..input("r", Kind::Slider, &["reach"]) };
        let request =
            Request { query: "q".into(), keys: vec!["platform".into()], bins: vec![], days: vec![], measures: vec![] };
        let (keys, bins, _) = grain(&request, std::slice::from_ref(&slider), &[], |_| true, |c| c == "reach");
        assert_eq!(keys, vec!["platform"], "a slider's column is not a key");
        assert_eq!(
            bins.iter().map(|b| (b.alias.as_str(), b.step, b.count)).collect::<Vec<_>>(),
            [("vcd slider r", 10.0, 10)]
        );
        let (_, bins, _) = grain(&request, &[slider], &[], |_| true, |_| false);
        assert!(bins.is_empty(), "a column of that name that is not a number takes no steps");
    }

    #[test]
    fn a_date_filter_on_a_key_needs_no_day_column() {
        let request =
            Request { query: "q".into(), keys: vec!["month".into()], bins: vec![], days: vec![], measures: vec![] };
        let inputs = vec![input("period", Kind::DateRange, &["month"])];
        let (keys, _, days) = grain(&request, &inputs, &[], |_| true, |_| true);
        assert_eq!((keys, days), (vec!["month".to_string()], Vec::<String>::new()));
    }
}
