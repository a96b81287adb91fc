//! Whether a chart's aggregates can come from a rollup, and its spec rewritten
//! to draw the re-aggregated rows: each aggregated field becomes a plain field
//! holding the figure (`reach (mean)`), its title kept as Vega-Lite would give it.

use super::density::Data;
use super::fields::{aliases, column, escape, UNSUPPORTED};
use super::shaped;
use crate::query::rollup::{self, Measure, Op, Request};
use crate::source::value::Column;
use serde_json::{json, Map, Value as Json};

/// What a chart needs from its query.
#[derive(Debug)]
pub enum Need {
    /// It draws one mark per row (no aggregate): the rows themselves.
    Rows,
    /// Its aggregates, from a rollup: the request, the rewritten spec, and the
    /// name each measure's figure takes in the rows it draws.
    Rollup { request: Request, spec: Json, aliases: Vec<String> },
    /// It aggregates, but not in a way a rollup can answer: why, in words.
    Raw(String),
}

/// How a shaped chart asks for its rollup: from its query's name, its
/// `usermeta.vcd` entry and the query's columns, the request, or why none.
type ShapedRequest = fn(&str, &Json, &[Column]) -> Result<Request, String>;

/// The charts the runtime shapes from their figures rather than drawing
/// rows, by their key in `usermeta.vcd`, each with the rollup it asks for.
const SHAPED: &[(&str, ShapedRequest)] = &[
    ("box", shaped::box_counts),
    ("funnel", shaped::funnel_sums),
    ("calendar", shaped::calendar_days),
    ("sankey", shaped::sankey_paths),
    ("combo", shaped::combo_figures),
];

/// Whether the runtime shapes `spec` from its figures (a box plot, funnel,
/// calendar, Sankey diagram or combo chart), so it cannot draw rows instead.
pub fn is_shaped(spec: &Json) -> bool {
    SHAPED.iter().any(|(key, _)| spec.pointer(&format!("/usermeta/vcd/{key}")).is_some())
}

/// One channel definition as read: its column, aggregate and whether
/// Vega-Lite groups it further (a bin or a time unit).
struct Def {
    field: Option<String>,
    op: Option<Op>,
    regroups: bool,
}

/// Decides what `spec` (a checked chart spec) needs, and for a rollup,
/// rewrites it; `columns` gives a query's columns (`None` for one that did not run).
pub fn plan<'c>(spec: &Json, columns: impl Fn(&str) -> Option<&'c [Column]>) -> Need {
    let Some(obj) = spec.as_object() else { return Need::Rows };
    let Some(query) = obj.get("data").and_then(|d| d.get("name")).and_then(Json::as_str) else { return Need::Rows };
    let Some(columns) = columns(query) else { return Need::Rows };
    let Some(encoding) = obj.get("encoding").and_then(Json::as_object) else { return Need::Rows };
    // Charts the runtime shapes from their figures ask for them directly.
    let meta = obj.get("usermeta").and_then(|u| u.get("vcd"));
    let shaped = SHAPED.iter().find_map(|(key, request)| Some(request(query, meta?.get(*key)?, columns)));
    if let Some(request) = shaped {
        return request.map_or_else(Need::Raw, |r| rolled(spec.clone(), r));
    }
    let mut defs = Vec::new();
    for def in encoding.values().flat_map(|d| d.as_array().cloned().unwrap_or_else(|| vec![d.clone()])) {
        match read_def(&def) {
            Ok(Some(d)) => defs.push(d),
            Ok(None) => {}
            Err(why) => return aggregates_or_rows(encoding, why),
        }
    }
    let mut measures: Vec<Measure> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for d in &defs {
        match d.op {
            Some(op) => {
                let m = Measure { op, field: if op == Op::Count { None } else { d.field.clone() } };
                if !measures.contains(&m) {
                    measures.push(m);
                }
            }
            None => {
                if let Some(f) = d.field.as_ref().filter(|f| !keys.contains(f)) {
                    keys.push(f.clone());
                }
            }
        }
    }
    if measures.is_empty() {
        return Need::Rows;
    }
    if let Some((_, what)) = UNSUPPORTED.iter().find(|(k, _)| obj.contains_key(*k)) {
        return Need::Raw(format!("it has {what}"));
    }
    let regroups = defs.iter().any(|d| d.regroups);
    if regroups && measures.iter().any(|m| m.op == Op::Mean) {
        return Need::Raw("it takes a mean over bins or time units, which Vega-Lite would average again".into());
    }
    if let Some(k) = keys.iter().find(|k| !columns.iter().any(|c| &&c.name == k)) {
        return Need::Raw(format!("'{k}' is not a column of '{query}'"));
    }
    if let Some(why) = rollup::unsupported(columns, &measures) {
        return Need::Raw(why);
    }
    // A chart of means that shows how sure they are also needs, per group,
    // the count of values and, for an interval, their sum of squares.
    let uncertain = obj.get("usermeta").and_then(|u| u.pointer("/vcd/uncertainty")).and_then(|u| {
        let field = u.get("field").and_then(Json::as_str)?.to_string();
        let mean = Measure { op: Op::Mean, field: Some(field.clone()) };
        measures.contains(&mean).then(|| (mean, field, u.get("ci") == Some(&Json::Bool(true))))
    });
    if let Some((_, field, ci)) = &uncertain {
        measures.push(Measure { op: Op::Valid, field: Some(field.clone()) });
        if *ci {
            measures.push(Measure { op: Op::SumSquares, field: Some(field.clone()) });
        }
    }
    let aliases = aliases(&measures, &keys);
    let mut spec = spec.clone();
    if let Some((mean, field, _)) = &uncertain {
        let alias = |op: Op| {
            let m = Measure { op, field: Some(field.clone()) };
            measures.iter().position(|x| *x == m).map(|i| json!(aliases[i]))
        };
        let u = &mut spec["usermeta"]["vcd"]["uncertainty"];
        u["mean"] = alias(mean.op).unwrap_or_default();
        u["n"] = alias(Op::Valid).unwrap_or_default();
        if let Some(a) = alias(Op::SumSquares) {
            u["sum_squares"] = a;
        }
    }
    if let Some(enc) = spec.get_mut("encoding").and_then(Json::as_object_mut) {
        for def in enc.values_mut() {
            match def {
                Json::Array(items) => items.iter_mut().for_each(|d| rewrite(d, &measures, &aliases, regroups)),
                d => rewrite(d, &measures, &aliases, regroups),
            }
        }
    }
    let request = Request { query: query.to_string(), keys, bins: Vec::new(), days: Vec::new(), measures };
    Need::Rollup { request, spec, aliases }
}

/// A spec whose figures come from `request`, each under its alias.
fn rolled(spec: Json, request: Request) -> Need {
    let grain: Vec<String> = request
        .keys
        .iter()
        .cloned()
        .chain(request.bins.iter().map(|b| b.alias.clone()))
        .chain(request.days.iter().cloned())
        .collect();
    let aliases = aliases(&request.measures, &grain);
    Need::Rollup { request, spec, aliases }
}

/// A chart of means that shows how sure they are, a calendar, a Sankey
/// diagram or a combo chart, over rows the page ships whole (its own slice, a variant):
/// planned as a rollup would be, and marked `usermeta.vcd.local` (`{"keys",
/// "days", "measures": [[op, column or null]…]}`) so the runtime works out
/// each group's partials from the rows and regroups them as it does a
/// rollup's. Any other spec comes back as it was.
pub fn in_browser<'c>(spec: Json, columns: impl Fn(&str) -> Option<&'c [Column]>) -> Json {
    let regrouped = ["uncertainty", "calendar", "sankey", "combo"];
    if !regrouped.iter().any(|k| spec.pointer(&format!("/usermeta/vcd/{k}")).is_some()) {
        return spec;
    }
    match plan(&spec, columns) {
        Need::Rollup { request, mut spec, aliases } => {
            let measures: Vec<Json> = request.measures.iter().map(|m| json!([m.op, m.field])).collect();
            spec["usermeta"]["vcd"]["local"] =
                json!({"keys": request.keys, "days": request.days, "measures": measures});
            spec["usermeta"]["vcd"]["measures"] = aliases.into();
            spec
        }
        _ => spec,
    }
}

/// The limits a page's charts are held to (`vcd.toml`): the rows a page may
/// ship (`browser_rows`) and hold (`max_rows`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub browser_rows: usize,
    pub max_rows: usize,
}

/// How a chart reads `query` when its result is past what a page may ship
/// (`data` held, over `browser_rows`) or hold (`data` unheld, over
/// `max_rows`): its aggregates from a rollup, or, for one mark per row, a
/// density ([`super::density::density`]), which is a rollup too. Either way the answer is
/// [`Need::Rollup`]. `Err` is the build's message for a chart that can do
/// neither, saying why and what to do instead.
pub fn plan_past_limits(spec: &Json, query: &str, data: Data<'_>, limits: Limits) -> Result<Need, String> {
    if let Some(b) = spec.pointer("/usermeta/vcd/box") {
        // A box plot ships a row per distinct value in a box: about one per
        // row for a continuous column. Past browser_rows it reads the value
        // cut into BOX_BINS intervals instead (see `binned_boxes`).
        let fits = match data {
            Data::Held(result) => {
                let keys: Vec<usize> = b["keys"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .chain(std::iter::once(&b["value"]))
                    .filter_map(|k| k.as_str().and_then(|k| result.columns.iter().position(|c| c.name == k)))
                    .collect();
                let distinct: std::collections::HashSet<Vec<&Json>> =
                    result.rows.iter().map(|r| keys.iter().map(|&i| &r[i]).collect()).collect();
                distinct.len() <= limits.browser_rows
            }
            Data::Unheld(_) => false,
        };
        if !fits {
            let value = b["value"].as_str().unwrap_or_default();
            let (request, bins) = shaped::binned_boxes(query, b, data.columns(), data.extent(value).all)?;
            let mut spec = spec.clone();
            spec["usermeta"]["vcd"]["box"]["bins"] = bins;
            return Ok(rolled(spec, request));
        }
    }
    match plan(spec, |q| (q == query).then_some(data.columns())) {
        Need::Rows => match super::density::density(spec, data) {
            Ok((request, spec)) => {
                let aliases = spec["usermeta"]["vcd"]["measures"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|m| m.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                Ok(Need::Rollup { request, spec, aliases })
            }
            Err(why) => Err(match data {
                Data::Held(result) => format!(
                    "a chart draws one mark per row of query '{query}': {} rows ({} bytes of JSON), more than \
                     browser_rows = {} a page may ship, and it cannot be drawn as a density because {why}; \
                     aggregate (count, sum, mean, min, max on its encoding, computed by the engine), draw a scatter \
                     of two number columns (drawn as a density past browser_rows), filter the query in SQL, or \
                     raise browser_rows in vcd.toml",
                    result.rows.len(),
                    result.to_json_bytes().len(),
                    limits.browser_rows
                ),
                Data::Unheld(_) => format!(
                    "a chart draws one mark per row of query '{query}', which returns more than max_rows = {} rows, \
                     too many to hold, and it cannot be drawn as a density because {why}; draw a scatter of two \
                     number columns (drawn as a density), aggregate its encoding (count, sum, mean, min or max, \
                     computed by the engine), filter the query in SQL, or raise max_rows in vcd.toml",
                    limits.max_rows
                ),
            }),
        },
        Need::Raw(why) => Err(match data {
            Data::Held(result) => format!(
                "a chart aggregates query '{query}' in the browser because {why}, but '{query}' returns {} rows, \
                 more than browser_rows = {} a page may ship; use count, sum, mean, min or max on plain fields \
                 (these are computed by the engine at the grain of the page's filters), aggregate in the query's \
                 SQL, or raise browser_rows in vcd.toml",
                result.rows.len(),
                limits.browser_rows
            ),
            Data::Unheld(_) => format!(
                "a chart aggregates query '{query}', which returns more than max_rows = {} rows, too many to hold, \
                 and the engine cannot compute its figures because {why}; use count, sum, mean, min or max on plain \
                 fields, aggregate in the query's SQL, or raise max_rows in vcd.toml",
                limits.max_rows
            ),
        }),
        rollup => Ok(rollup),
    }
}

/// The columns a chart of one mark per row reads, when it says so: a single
/// view with no transform, whose every channel names a plain column and
/// whose marks show no tooltip of the whole row (`"tooltip": true`). `None`
/// when the chart may read any column: it gets every column.
pub fn projection(spec: &Json) -> Option<Vec<String>> {
    let obj = spec.as_object()?;
    if UNSUPPORTED.iter().any(|(k, _)| obj.contains_key(*k)) {
        return None;
    }
    // A tooltip of the whole row, on the mark or in the config, shows every column.
    let config_tooltip = obj.get("config").is_some_and(|c| c.to_string().contains("\"tooltip\""));
    if config_tooltip || obj.get("mark").and_then(|m| m.get("tooltip")).is_some() {
        return None;
    }
    let encoding = obj.get("encoding")?.as_object()?;
    let mut fields: Vec<String> = Vec::new();
    for def in encoding.values().flat_map(|d| d.as_array().cloned().unwrap_or_else(|| vec![d.clone()])) {
        if let Some(f) = read_def(&def).ok()?.and_then(|d| d.field) {
            if !fields.contains(&f) {
                fields.push(f);
            }
        }
    }
    Some(fields)
}

/// A chart the rollup cannot model still needs rows; it aggregates only when
/// some channel has an aggregate.
fn aggregates_or_rows(encoding: &Map<String, Json>, why: String) -> Need {
    let any = encoding
        .values()
        .flat_map(|d| d.as_array().cloned().unwrap_or_else(|| vec![d.clone()]))
        .any(|d| d.get("aggregate").is_some());
    if any {
        Need::Raw(why)
    } else {
        Need::Rows
    }
}

/// A channel definition's column and aggregate; `Ok(None)` for one with
/// neither (a constant value or datum), `Err` for what a rollup cannot answer.
fn read_def(def: &Json) -> Result<Option<Def>, String> {
    let Some(d) = def.as_object() else { return Ok(None) };
    if d.get("condition").is_some_and(|c| c.get("field").is_some()) {
        return Err("a channel takes a field under a condition".into());
    }
    if d.get("sort").is_some_and(|s| s.get("field").is_some() || s.get("op").is_some()) {
        return Err("a channel sorts by another field's aggregate".into());
    }
    let field = match d.get("field") {
        None => None,
        Some(Json::String(f)) => Some(column(f).ok_or_else(|| format!("the field '{f}' reads inside a value"))?),
        Some(_) => return Err("a channel names its field as an object".into()),
    };
    let op = match d.get("aggregate") {
        None => None,
        Some(Json::String(a)) => {
            Some(Op::parse(a).ok_or_else(|| format!("its aggregate '{a}' does not add up across groups"))?)
        }
        Some(_) => return Err("it takes an argmin or argmax".into()),
    };
    if field.is_none() && op.is_none() {
        return Ok(None);
    }
    if field.is_none() && op != Some(Op::Count) {
        return Err("an aggregate has no field".into());
    }
    let regroups = d.get("bin").is_some_and(|b| b != &Json::Bool(false)) || d.get("timeUnit").is_some();
    Ok(Some(Def { field, op, regroups }))
}

/// Points an aggregated channel at its measure's figure. Where Vega-Lite
/// still groups the rows (bins, time units) it adds the figures up (or takes
/// the extreme); otherwise each drawn row is one group and the aggregate goes.
fn rewrite(def: &mut Json, measures: &[Measure], aliases: &[String], regroups: bool) {
    let Some(d) = def.as_object_mut() else { return };
    let Some(op) = d.get("aggregate").and_then(Json::as_str).and_then(Op::parse) else { return };
    let field = d.get("field").and_then(Json::as_str).and_then(column);
    let m = Measure { op, field: if op == Op::Count { None } else { field.clone() } };
    let Some(i) = measures.iter().position(|x| *x == m) else { return };
    if !d.contains_key("title") {
        // Vega-Lite's own default title for the aggregate, which the alias would replace.
        let written = d.get("aggregate").and_then(Json::as_str).unwrap_or("count").to_string();
        let title = match &field {
            Some(f) if op != Op::Count => format!("{}{} of {f}", written[..1].to_uppercase(), &written[1..]),
            _ => "Count of Records".to_string(),
        };
        d.insert("title".into(), title.into());
    }
    d.insert("field".into(), escape(&aliases[i]).into());
    d.entry("type").or_insert_with(|| json!("quantitative"));
    if regroups {
        let again = match op {
            Op::Min => "min",
            Op::Max => "max",
            _ => "sum",
        };
        d.insert("aggregate".into(), again.into());
    } else {
        d.remove("aggregate");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column> {
        let col = |n: &str, t: &str| Column { name: n.into(), sql_type: t.into() };
        vec![col("month", "DATE"), col("platform", "VARCHAR"), col("reach", "BIGINT"), col("a.b", "DOUBLE")]
    }

    /// The columns of query `posts`.
    fn results() -> impl Fn(&str) -> Option<&'static [Column]> {
        let posts: &'static [Column] = Vec::leak(columns());
        move |q| (q == "posts").then_some(posts)
    }

    #[test]
    fn an_aggregated_chart_becomes_a_rollup_with_plain_fields() {
        let spec = json!({"data": {"name": "posts"}, "mark": "bar", "encoding": {
            "x": {"field": "month", "type": "temporal"},
            "y": {"field": "reach", "aggregate": "mean", "type": "quantitative"},
            "color": {"field": "platform", "type": "nominal"},
            "tooltip": [{"field": "a\\.b", "aggregate": "sum"}, {"aggregate": "count"}]}});
        let Need::Rollup { request, spec, aliases: names } = plan(&spec, results()) else { panic!() };
        assert_eq!(request.keys, vec!["month", "platform"]);
        assert_eq!(request.measures.len(), 3);
        assert_eq!(names, vec!["reach", "a.b", "count"]);
        assert_eq!(spec["encoding"]["y"], json!({"field": "reach", "type": "quantitative", "title": "Mean of reach"}));
        assert_eq!(spec["encoding"]["tooltip"][0]["field"], json!("a\\.b"));
        assert_eq!(
            aliases(
                &[Measure { op: Op::Sum, field: Some("x".into()) }, Measure { op: Op::Max, field: Some("x".into()) }],
                &[]
            ),
            vec!["x (sum)", "x (max)"]
        );
        assert_eq!(spec["encoding"]["tooltip"][1]["title"], json!("Count of Records"));
    }

    #[test]
    fn a_histogram_keeps_binning_and_adds_counts_up() {
        let spec = json!({"data": {"name": "posts"}, "mark": "bar", "encoding": {
            "x": {"field": "reach", "bin": {"maxbins": 10}}, "y": {"aggregate": "count"}}});
        let Need::Rollup { request, spec, .. } = plan(&spec, results()) else { panic!() };
        assert_eq!(request.keys, vec!["reach"]);
        assert_eq!(spec["encoding"]["y"]["aggregate"], json!("sum"));
    }

    #[test]
    fn what_a_rollup_cannot_answer_is_said() {
        let median = json!({"data": {"name": "posts"}, "mark": "bar",
            "encoding": {"x": {"field": "platform"}, "y": {"field": "reach", "aggregate": "median"}}});
        assert!(matches!(plan(&median, results()), Need::Raw(w) if w.contains("'median' does not add up")));
        let text = json!({"data": {"name": "posts"}, "mark": "bar",
            "encoding": {"x": {"field": "month"}, "y": {"field": "platform", "aggregate": "sum"}}});
        assert!(matches!(plan(&text, results()), Need::Raw(w) if w.contains("not a number column")));
        let binned_mean = json!({"data": {"name": "posts"}, "mark": "bar",
            "encoding": {"x": {"field": "month", "timeUnit": "year"}, "y": {"field": "reach", "aggregate": "mean"}}});
        assert!(matches!(plan(&binned_mean, results()), Need::Raw(_)));
        let points = json!({"data": {"name": "posts"}, "mark": "point",
            "encoding": {"x": {"field": "month"}, "y": {"field": "reach"}}});
        assert!(matches!(plan(&points, results()), Need::Rows));
    }

    #[test]
    fn a_per_row_chart_names_its_columns_unless_it_may_read_any() {
        let spec = |extra: serde_json::Value| {
            let mut s = json!({"data": {"name": "q"}, "mark": "point", "encoding": {
                "x": {"field": "a\\.b", "type": "quantitative"}, "y": {"field": "c", "type": "quantitative"},
                "tooltip": [{"field": "d"}, {"field": "c"}]}});
            s.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            s
        };
        assert_eq!(projection(&spec(json!({}))), Some(vec!["a.b".into(), "c".into(), "d".into()]));
        assert_eq!(projection(&spec(json!({"mark": {"type": "point", "tooltip": true}}))), None);
        assert_eq!(projection(&spec(json!({"config": {"point": {"tooltip": {"content": "data"}}}}))), None);
        assert_eq!(projection(&spec(json!({"transform": [{"calculate": "datum.e * 2", "as": "f"}]}))), None);
        let path = json!({"data": {"name": "q"}, "mark": "point", "encoding": {"x": {"field": "a.b"}}});
        assert_eq!(projection(&path), None, "a path into a value");
    }
}
