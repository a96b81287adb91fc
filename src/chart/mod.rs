//! ```` ```vega-lite ```` blocks: found in a page, checked against the query results
//! they name, and turned into the HTML the browser runtime renders.

pub mod density;
mod fields;
pub mod rollup;
pub mod shaped;

use crate::query::Results;
use crate::util::diag::suggestion;
use serde_json::Value as Json;
use std::collections::BTreeSet;

/// A fenced `vega-lite` block found in a page body.
#[derive(Debug, Clone)]
pub struct ChartBlock {
    /// 1-based line of the opening fence in the page file.
    pub fence_line: usize,
}

/// Name of the template filter that turns a rendered block into a [`marker`].
pub const FILTER: &str = "vcd_chart";

/// Rewrites every `vega-lite` fenced block of `body` in place, line for line:
/// the fences become `{% filter vcd_chart(n) %}{% autoescape "json" %}` and its
/// end tags, so the block renders with the page (loop variables included),
/// values print as JSON, and every line keeps its number for messages.
pub fn wrap_blocks(body: &str) -> (String, Vec<ChartBlock>) {
    let mut out = String::with_capacity(body.len() + 128);
    let mut blocks = Vec::new();
    let mut fence: Option<(char, usize, bool)> = None; // (char, length, is_chart)
    for (i, raw) in body.split_inclusive('\n').enumerate() {
        let newline = if raw.ends_with('\n') { "\n" } else { "" };
        let line = raw.trim_end_matches(['\n', '\r']);
        match fence {
            None => match fence_open(line) {
                Some((ch, len, info)) if info.split_whitespace().next() == Some("vega-lite") => {
                    fence = Some((ch, len, true));
                    out.push_str(&format!(
                        "{{% filter {FILTER}({}) %}}{{% autoescape \"json\" %}}{newline}",
                        blocks.len()
                    ));
                    blocks.push(ChartBlock { fence_line: i + 1 });
                }
                Some((ch, len, _)) => {
                    fence = Some((ch, len, false));
                    out.push_str(raw);
                }
                None => out.push_str(raw),
            },
            Some((ch, len, is_chart)) => {
                if fence_close(line, ch, len) {
                    fence = None;
                    if is_chart {
                        out.push_str(&format!("{{% endautoescape %}}{{% endfilter %}}{newline}"));
                        continue;
                    }
                }
                out.push_str(raw);
            }
        }
    }
    // An unclosed chart fence runs to the end of the page, as in CommonMark.
    if let Some((_, _, true)) = fence {
        out.push_str("\n{% endautoescape %}{% endfilter %}");
    }
    (out, blocks)
}

/// Where a chart marker came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Fenced block `n` of the page, still to be parsed and checked.
    Block(usize),
    /// A chart shorthand, whose spec was built and checked already.
    Checked,
}

/// The rendered block `n` as an HTML comment on a line of its own: Markdown
/// passes it through untouched, and [`markers`] finds it afterwards. The JSON is
/// hex-encoded so nothing in it can end the comment or look like Markdown.
pub fn marker(n: usize, rendered: &str) -> String {
    hex_marker(&n.to_string(), rendered)
}

/// A shorthand chart's spec as a marker (see [`marker`]).
pub fn checked_marker(spec: &Json) -> String {
    hex_marker("c", &spec.to_string())
}

fn hex_marker(tag: &str, text: &str) -> String {
    let hex: String = text.bytes().map(|b| format!("{b:02x}")).collect();
    format!("\n<!--vcd-chart {tag} {hex}-->\n")
}

/// Every marker in `html`: its byte range, origin and rendered text.
pub fn markers(html: &str) -> Vec<(std::ops::Range<usize>, Origin, String)> {
    const OPEN: &str = "<!--vcd-chart ";
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = html[from..].find(OPEN).map(|i| i + from) {
        let Some(end) = html[start..].find("-->").map(|i| i + start + 3) else { break };
        let body = &html[start + OPEN.len()..end - 3];
        if let Some((n, hex)) = body.split_once(' ') {
            let bytes: Option<Vec<u8>> = (0..hex.len())
                .step_by(2)
                .map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
                .collect();
            let origin = if n == "c" { Some(Origin::Checked) } else { n.parse().ok().map(Origin::Block) };
            if let (Some(origin), Some(text)) = (origin, bytes.and_then(|b| String::from_utf8(b).ok())) {
                found.push((start..end, origin, text));
            }
        }
        from = end;
    }
    found
}

/// `(fence char, fence length, info string)` if `line` opens a code fence.
fn fence_open(line: &str) -> Option<(char, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let ch = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.chars().take_while(|c| *c == ch).count();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    if ch == '`' && info.contains('`') {
        return None;
    }
    Some((ch, len, info))
}

fn fence_close(line: &str, ch: char, len: usize) -> bool {
    let t = line.trim_start_matches(' ');
    line.len() - t.len() <= 3
        && t.chars().take_while(|c| *c == ch).count() >= len
        && t.trim_start_matches(ch).trim().is_empty()
}

/// Every problem with a parsed spec: data names that are not queries and encoded
/// fields their query does not return. Each is `(text to locate, message)`, the
/// text being what to search for in the block to find the offending line.
pub fn check(spec: &Json, results: &Results, query_names: &BTreeSet<String>) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let inline: BTreeSet<String> =
        spec.get("datasets").and_then(Json::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let mut ctx = Walk { results, query_names, inline: &inline, problems: &mut problems, saw_data: false };
    ctx.node(spec, &Scope::default());
    if !ctx.saw_data {
        problems.push(("{".into(), "chart has no data: name a query with \"data\": {\"name\": \"<query>\"}".into()));
    }
    problems
}

/// Which query's columns the fields of the current view refer to.
#[derive(Clone, Default)]
struct Scope {
    /// `Some(name)` when the data is a query whose columns are known.
    query: Option<String>,
    /// Fields created by transforms, which the query need not return.
    derived: BTreeSet<String>,
    /// Set when a transform makes the field set unknowable (pivot, lookup of all fields).
    unknown: bool,
}

struct Walk<'a> {
    results: &'a Results,
    query_names: &'a BTreeSet<String>,
    inline: &'a BTreeSet<String>,
    problems: &'a mut Vec<(String, String)>,
    saw_data: bool,
}

const NESTED_VIEWS: &[&str] = &["layer", "concat", "hconcat", "vconcat"];

impl Walk<'_> {
    fn node(&mut self, node: &Json, parent: &Scope) {
        let Some(obj) = node.as_object() else { return };
        let mut scope = parent.clone();
        if let Some(data) = obj.get("data") {
            self.saw_data = true;
            scope = self.data_scope(data);
        }
        if let Some(Json::Array(transforms)) = obj.get("transform") {
            for t in transforms {
                derive_fields(t, &mut scope);
            }
        }
        if let Some(enc) = obj.get("encoding").and_then(Json::as_object) {
            for def in enc.values() {
                self.channel(def, &scope);
            }
        }
        if let Some(facet) = obj.get("facet") {
            self.channel(facet, &scope);
            if let Some(f) = facet.as_object() {
                f.values().for_each(|v| self.channel(v, &scope));
            }
        }
        if let Some(repeat) = obj.get("repeat") {
            let fields: Vec<&Json> = match repeat {
                Json::Array(a) => a.iter().collect(),
                Json::Object(m) => m.values().filter_map(Json::as_array).flatten().collect(),
                _ => Vec::new(),
            };
            fields.into_iter().filter_map(Json::as_str).for_each(|f| self.field(f, &scope));
        }
        for key in NESTED_VIEWS {
            if let Some(Json::Array(views)) = obj.get(*key) {
                views.iter().for_each(|v| self.node(v, &scope));
            }
        }
        if let Some(inner) = obj.get("spec") {
            self.node(inner, &scope);
        }
    }

    fn data_scope(&mut self, data: &Json) -> Scope {
        let Some(name) = data.get("name").and_then(Json::as_str) else {
            // Inline values, a URL or a generator: fields cannot be checked here.
            return Scope { unknown: true, ..Scope::default() };
        };
        if self.inline.contains(name) {
            return Scope { unknown: true, ..Scope::default() };
        }
        if !self.query_names.contains(name) {
            let known = self.query_names.iter().map(String::as_str);
            self.problems.push((
                format!("\"{name}\""),
                format!("chart data names unknown query '{name}'{}", suggestion(name, known)),
            ));
            return Scope { unknown: true, ..Scope::default() };
        }
        // A query that failed has no result; its own error is already reported.
        let known = self.results.contains_key(name);
        Scope { query: Some(name.to_string()), derived: BTreeSet::new(), unknown: !known }
    }

    /// A channel definition, a list of them (tooltip), or a condition holding one.
    fn channel(&mut self, def: &Json, scope: &Scope) {
        match def {
            Json::Array(items) => items.iter().for_each(|d| self.channel(d, scope)),
            Json::Object(m) => {
                if let Some(f) = m.get("field").and_then(Json::as_str) {
                    self.field(f, scope);
                }
                if let Some(cond) = m.get("condition") {
                    self.channel(cond, scope);
                }
            }
            _ => {}
        }
    }

    fn field(&mut self, field: &str, scope: &Scope) {
        if scope.unknown {
            return;
        }
        let Some(query) = &scope.query else { return };
        let Some(result) = self.results.get(query) else { return };
        let base = field_base(field);
        if result.has_column(&base) || scope.derived.contains(&base) || scope.derived.contains(field) {
            return;
        }
        let cols: Vec<&str> = result.column_names().collect();
        self.problems.push((
            format!("\"{field}\""),
            format!(
                "chart field '{field}' is not returned by query '{query}'{} (it returns: {})",
                suggestion(&base, cols.iter().copied()),
                cols.join(", ")
            ),
        ));
    }
}

/// The top-level column a Vega-Lite field refers to: `a.b` and `a[0]` read
/// column `a`; `\.` escapes a dot that is part of the name.
fn field_base(field: &str) -> String {
    let mut out = String::new();
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '.' | '[' => break,
            _ => out.push(c),
        }
    }
    out
}

/// Records the fields a transform adds.
fn derive_fields(t: &Json, scope: &mut Scope) {
    let Some(obj) = t.as_object() else { return };
    if obj.contains_key("pivot")
        || (obj.contains_key("lookup") && !obj.contains_key("as"))
        || obj.contains_key("flatten")
    {
        scope.unknown = true;
    }
    let defaults: &[(&str, &[&str])] =
        &[("fold", &["key", "value"]), ("density", &["value", "density"]), ("quantile", &["prob", "value"])];
    for (op, names) in defaults {
        if obj.contains_key(*op) && !obj.contains_key("as") {
            scope.derived.extend(names.iter().map(|s| s.to_string()));
        }
    }
    collect_as(t, &mut scope.derived);
}

/// Every string under an `as` key, at any depth (aggregate and window nest them).
fn collect_as(v: &Json, out: &mut BTreeSet<String>) {
    match v {
        Json::Object(m) => {
            for (k, v) in m {
                if k == "as" {
                    match v {
                        Json::String(s) => {
                            out.insert(s.clone());
                        }
                        Json::Array(a) => out.extend(a.iter().filter_map(Json::as_str).map(String::from)),
                        _ => {}
                    }
                } else {
                    collect_as(v, out);
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|x| collect_as(x, out)),
        _ => {}
    }
}

/// The chart's HTML: a figure the runtime fills, with the spec as JSON that
/// cannot close its script element (`<`, `>` and `&` are written as `\u` escapes).
/// The spec's description (or title) is the figure's text for screen readers.
pub fn html(id: Option<usize>, class: &str, spec: &Json) -> String {
    let text = spec
        .get("description")
        .or_else(|| spec.get("title").and_then(|t| if t.is_object() { t.get("text") } else { Some(t) }))
        .and_then(Json::as_str)
        .map(|d| format!("<figcaption class=\"vcd-sr\">{}</figcaption>", crate::util::html::escape(d)))
        .unwrap_or_default();
    let id = id.map(|n| format!(" id=\"chart-{n}\"")).unwrap_or_default();
    format!(
        "<figure class=\"{class}\"{id}><div class=\"vcd-chart-view\"></div>{text}\
         <script type=\"application/json\" class=\"vcd-spec\">{}</script></figure>",
        script_json(spec)
    )
}

/// Every query a spec names as data, in the order found.
pub fn data_names(spec: &Json, out: &mut Vec<String>) {
    match spec {
        Json::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v.get("name").and_then(Json::as_str)) {
                    ("data", Some(name)) if !out.iter().any(|n| n == name) => out.push(name.to_string()),
                    ("datasets", _) => {}
                    _ => data_names(v, out),
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|v| data_names(v, out)),
        _ => {}
    }
}

/// JSON safe to embed in a `<script>` element.
pub fn script_json(v: &Json) -> String {
    script_safe(&serde_json::to_string(v).expect("JSON values serialise"))
}

/// JSON text made safe to embed in a `<script>` element: `<`, `>`, `&` and
/// the two JavaScript line separators, which JSON allows only inside
/// strings, written as `\u` escapes there (so no `</script>` or `<!--` can
/// end or change the element).
pub fn script_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Copies the runs between the characters to escape whole: every page's
    // manifest, specs and rows pass through here.
    let mut from = 0;
    for (i, c) in text.match_indices(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        out.push_str(&text[from..i]);
        out.push_str(match c {
            "<" => "\\u003c",
            ">" => "\\u003e",
            "&" => "\\u0026",
            "\u{2028}" => "\\u2028",
            _ => "\\u2029",
        });
        from = i + c.len();
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::value::{Column, QueryResult};
    use serde_json::json;
    use std::sync::Arc;

    fn results() -> (Results, BTreeSet<String>) {
        let r = QueryResult {
            columns: ["month", "platform", "posts"]
                .iter()
                .map(|n| Column { name: n.to_string(), sql_type: "X".into() })
                .collect(),
            rows: vec![],
        };
        let mut m = Results::new();
        m.insert("by_month".into(), Arc::new(r));
        let names = m.keys().cloned().collect();
        (m, names)
    }

    #[test]
    fn wrap_keeps_line_numbers() {
        let body = "a\n```vega-lite\n{\n}\n```\nb\n";
        let (out, blocks) = wrap_blocks(body);
        assert_eq!(out.lines().count(), body.lines().count());
        assert_eq!(out.lines().nth(1), Some("{% filter vcd_chart(0) %}{% autoescape \"json\" %}"));
        assert_eq!(out.lines().nth(4), Some("{% endautoescape %}{% endfilter %}"));
        assert_eq!(out.lines().nth(5), Some("b"));
        assert_eq!(blocks[0].fence_line, 2);
    }

    #[test]
    fn other_fences_are_left_alone() {
        let body = "````md\n```vega-lite\n{}\n```\n````\n";
        let (out, blocks) = wrap_blocks(body);
        assert!(blocks.is_empty());
        assert_eq!(out, body);
    }

    #[test]
    fn markers_round_trip() {
        let html = format!("<p>x</p>{}<p>y</p>", marker(3, "{\"a\": \"-->\"}"));
        let found = markers(&html);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].1, found[0].2.as_str()), (Origin::Block(3), "{\"a\": \"-->\"}"));
        assert_eq!(&html[found[0].0.clone()], marker(3, "{\"a\": \"-->\"}").trim());
    }

    #[test]
    fn unknown_fields_and_queries_are_reported() {
        let (r, names) = results();
        let spec = json!({"layer": [
            {"data": {"name": "by_month"}, "mark": "line", "encoding": {"x": {"field": "month"}, "y": {"field": "post"}}},
            {"data": {"name": "by_mnth"}, "mark": "point"}
        ]});
        let p = check(&spec, &r, &names);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].1.contains(
            "'post' is not returned by query 'by_month' (did you mean 'posts'?) (it returns: month, platform, posts)"
        ));
        assert!(p[1].1.contains("unknown query 'by_mnth' (did you mean 'by_month'?)"));
    }

    #[test]
    fn transform_fields_and_nested_paths_are_accepted() {
        let (r, names) = results();
        let spec = json!({"data": {"name": "by_month"},
            "transform": [{"calculate": "datum.posts * 2", "as": "double"}, {"aggregate": [{"op": "sum", "field": "posts", "as": "total"}], "groupby": ["platform"]}],
            "mark": "bar", "encoding": {"x": {"field": "double"}, "y": {"field": "total"}, "color": {"field": "platform.name"},
            "tooltip": [{"field": "month"}]}});
        assert_eq!(check(&spec, &r, &names), vec![]);
    }

    #[test]
    fn script_json_cannot_close_the_element() {
        let s = script_json(&json!({"t": "</script><!--"}));
        assert!(!s.contains("</") && !s.contains("<!"));
        assert_eq!(serde_json::from_str::<Json>(&s).unwrap(), json!({"t": "</script><!--"}));
        let text = "a&b>c<d\u{2028}e\u{2029}f ✨<";
        let s = script_json(&json!(text));
        assert_eq!(s, r#""a\u0026b\u003ec\u003cd\u2028e\u2029f ✨\u003c""#);
        assert_eq!(serde_json::from_str::<Json>(&s).unwrap(), json!(text));
    }
}
