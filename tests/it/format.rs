//! One formatter, the same everywhere: the vectors of `tests/format_vectors.json`
//! (written from `docs/formatting.md`) against the Rust formatter, table order
//! and KPI figures, and against the runtime's in Chromium; and every demo page's
//! KPI cards and tables read the same in the built HTML as after the scripts ran.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::{json, Value};
use std::time::Duration;
use vcd::util::format::{Num, Style};

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/format_vectors.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn style<'a>(name: &str, symbol: Option<&'a str>) -> Style<'a> {
    match name {
        "percent" => Style::Percent,
        "currency" => Style::Currency(symbol.unwrap_or("$")),
        "compact" => Style::Compact,
        _ => Style::Number,
    }
}

/// A format vector through the page's own filter (`{{ v | percent(decimals=1) }}`),
/// the path a template's figures, nulls included, take at build time.
fn through_filter(t: &Value) -> String {
    let symbol = t["symbol"].as_str().map_or(String::new(), |s| format!(", symbol={}", json!(s)));
    let src = format!(
        "{{% autoescape false %}}{{{{ v | {}(decimals={}{symbol}) }}}}{{% endautoescape %}}",
        t["style"].as_str().unwrap(),
        t["decimals"]
    );
    let ctx = minijinja::context! { v => minijinja::Value::from(minijinja::value::Serde(&t["value"])) };
    vcd::render::template::environment().render_str(&src, ctx).unwrap_or_else(|e| panic!("{t}: {e}"))
}

/// What the Rust side makes of each vector, in the shape the browser returns.
/// A format vector goes through the template filter, and a number also
/// straight through `format()` (what KPI cards use); the two must agree.
fn rust_results(v: &Value) -> Value {
    let format: Vec<Value> = v["format"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let text = through_filter(t);
            if let Some(n) = Num::from_json(&t["value"]) {
                let direct = vcd::util::format::format(
                    &n,
                    style(t["style"].as_str().unwrap(), t["symbol"].as_str()),
                    t["decimals"].as_u64().unwrap() as u32,
                );
                if direct != text {
                    return json!(format!("the filter gives {text}, format() {direct}"));
                }
            }
            json!(text)
        })
        .collect();
    let cell: Vec<Value> = v["cell"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| json!(vcd::util::format::cell(&t["value"], t["format"].as_str().unwrap())))
        .collect();
    let sort: Vec<Value> = v["sort"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let keys = t["keys"].as_array().unwrap();
            json!(vcd::util::format::table_order(keys.len(), |i| &keys[i], t["dir"].as_i64().unwrap() as i32))
        })
        .collect();
    let kpi: Vec<Value> = v["kpi"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let f =
                vcd::components::figure::aggregate(t["agg"].as_str().unwrap(), t["values"].as_array().unwrap().iter());
            f.map_or(Value::Null, |f| json!({"text": f.text(), "exact": f.exact}))
        })
        .collect();
    let cell_scale: Vec<Value> = v["cell_scale"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let range = (t["low"].as_f64().unwrap(), t["high"].as_f64().unwrap());
            json!([vcd::util::cellscale::bar(&t["value"], range), vcd::util::cellscale::heat(&t["value"], range)])
        })
        .collect();
    let spark_shard: Vec<Value> = v["spark_shard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            json!(vcd::query::sparks::shard_of(t["key"].as_str().unwrap(), t["shards"].as_u64().unwrap() as usize))
        })
        .collect();
    json!({"format": format, "cell": cell, "sort": sort, "kpi": kpi, "cell_scale": cell_scale, "spark_shard": spark_shard})
}

/// The expected results, in the same shape.
fn expected(v: &Value) -> Value {
    let col = |k: &str| -> Vec<Value> { v[k].as_array().unwrap().iter().map(|t| t["expected"].clone()).collect() };
    let kpi: Vec<Value> = v["kpi"]
        .as_array()
        .unwrap()
        .iter()
        .map(
            |t| if t["expected"].is_null() { Value::Null } else { json!({"text": t["expected"], "exact": t["exact"]}) },
        )
        .collect();
    let cell_scale: Vec<Value> =
        v["cell_scale"].as_array().unwrap().iter().map(|t| json!([t["bar"], t["heat"]])).collect();
    json!({"format": col("format"), "cell": col("cell"), "sort": col("sort"), "kpi": kpi, "cell_scale": cell_scale,
        "spark_shard": col("spark_shard")})
}

/// Every mismatch between `got` and `want`, with the vector it came from.
fn mismatches(v: &Value, got: &Value, want: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for kind in ["format", "cell", "sort", "kpi", "cell_scale", "spark_shard"] {
        let (g, w) = (got[kind].as_array().unwrap(), want[kind].as_array().unwrap());
        assert_eq!(g.len(), w.len(), "{kind}: result count");
        for (i, (g, w)) in g.iter().zip(w).enumerate() {
            if g != w {
                out.push(format!("{kind} {}: got {g}, want {w}", v[kind][i]));
            }
        }
    }
    out
}

#[test]
fn the_rust_formatter_meets_every_vector() {
    let v = vectors();
    assert!(v["format"].as_array().unwrap().len() >= 80, "the vectors are there");
    let bad = mismatches(&v, &rust_results(&v), &expected(&v));
    assert!(bad.is_empty(), "{} mismatches:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn non_finite_results_read_as_missing_or_infinity() {
    for style in [Style::Number, Style::Percent, Style::Currency("$"), Style::Compact] {
        assert_eq!(vcd::util::format::format(&Num::from_f64(f64::NAN), style, 1), "–");
        assert_eq!(vcd::util::format::format(&Num::from_f64(f64::INFINITY), style, 1), "∞");
        assert_eq!(vcd::util::format::format(&Num::from_f64(f64::NEG_INFINITY), style, 1), "-∞");
    }
}

/// The runtime's results for every vector, computed in the page by `window.vcd`.
const BROWSER_RUN: &str = r#"(function (v) {
  var f = window.vcd;
  return {
    format: v.format.map(function (t) { return f.format(t.value, t.style, t.decimals, t.symbol); }),
    cell: v.cell.map(function (t) { return f.formatCell(t.value, t.format); }),
    sort: v.sort.map(function (t) {
      var order = t.keys.map(function (_, i) { return i; });
      return f.sortRows(order, function (i) { return t.keys[i]; }, t.dir);
    }),
    kpi: v.kpi.map(function (t) { return f.kpiFigure(t.agg, t.values); }),
    cell_scale: v.cell_scale.map(function (t) {
      return [f.barStyle(t.value, t.low, t.high), f.heatStyle(t.value, t.low, t.high)];
    }),
    spark_shard: v.spark_shard.map(function (t) { return f.sparkShard(t.key, t.shards); })
  };
})"#;

#[test]
fn the_runtime_formatter_meets_every_vector() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("basic");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open(&server.url("")).unwrap();
    page.wait_for("window.vcd && window.vcd.format", Duration::from_secs(20)).unwrap();
    let v = vectors();
    let got = page.eval(&format!("{BROWSER_RUN}({v})")).unwrap();
    let bad = mismatches(&v, &got, &expected(&v));
    assert!(bad.is_empty(), "{} mismatches:\n{}", bad.len(), bad.join("\n"));
    let nf = page.eval("[NaN, Infinity, -Infinity].map(function (n) { return window.vcd.format(n, 'compact', 1); })");
    assert_eq!(nf.unwrap(), json!(["–", "∞", "-∞"]));
    // Only the runtime draws charts: its times, as the UTC-scale instants Vega gets.
    let times = &v["chart_time"];
    let got = page
        .eval(&format!(
            "({times}).map(function (t) {{ return new Date(window.vcd.chartTime(t.value)).toISOString(); }})"
        ))
        .unwrap();
    let want: Vec<Value> = times.as_array().unwrap().iter().map(|t| t["expected"].clone()).collect();
    assert_eq!(got, json!(want), "chart times");
}

/// The text of every KPI card (value, change and how sure) and every table's
/// cells and totals, with each cell's classes and style (its bar and colour).
const READ_FIGURES: &str = "JSON.stringify({
  kpis: Array.from(document.querySelectorAll('.kpi, .vcd-value')).map(k => [
    k.querySelector('.kpi-value').textContent.trim(),
    (k.querySelector('.kpi-delta') || {textContent: ''}).textContent.trim(),
    (k.querySelector('.kpi-sure') || {textContent: ''}).textContent.trim()]),
  tables: Array.from(document.querySelectorAll('figure.vcd-table table')).map(t =>
    Array.from(t.querySelectorAll('tbody tr, tfoot tr')).map(tr => Array.from(tr.cells).map(td =>
      [td.textContent, td.className, td.getAttribute('style')])))
})";

fn figures(page: &Page) -> Value {
    serde_json::from_str(page.eval(READ_FIGURES).unwrap().as_str().unwrap()).unwrap()
}

/// The site's pages, as URL paths below the root: every top-level page and
/// the first few generated pages of each folder (the demo has a page per post).
fn pages(site: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![(site.to_path_buf(), String::new())];
    while let Some((dir, url)) = dirs.pop() {
        if dir.join("index.html").is_file() {
            out.push(url.clone());
        }
        let mut subs: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().filter(|e| e.path().is_dir()).collect();
        subs.sort_by_key(|e| e.file_name());
        let generated = !url.is_empty() && subs.len() > 10;
        for e in subs.into_iter().take(if generated { 5 } else { usize::MAX }) {
            let name = e.file_name().to_string_lossy().into_owned();
            if name == "data" || name == "assets" || name.starts_with('_') {
                continue;
            }
            dirs.push((e.path(), format!("{url}{name}/")));
        }
    }
    out.sort();
    out
}

#[test]
fn every_demo_page_reads_the_same_before_and_after_the_scripts_run() {
    let Some(browser) = Browser::for_test() else { return };
    let demo = TempProject::demo();
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&demo.path("site"), "/");
    let urls = pages(&demo.path("site"));
    assert!(urls.len() >= 8, "the demo's pages: {urls:?}");
    let built = browser.open("about:blank").unwrap();
    built.cdp("Emulation.setScriptExecutionDisabled", json!({"value": true})).unwrap();
    let live = browser.open("about:blank").unwrap();
    let (mut cards, mut cells, mut diffs) = (0, 0, Vec::new());
    for url in &urls {
        built.navigate(&server.url(url)).unwrap();
        live.navigate(&server.url(url)).unwrap();
        live.wait_for("window.vcd && window.vcd.ready && window.vcd.ready.then(() => true)", Duration::from_secs(30))
            .unwrap();
        let (before, after) = (figures(&built), figures(&live));
        cards += before["kpis"].as_array().unwrap().len();
        cells += before["tables"].as_array().unwrap().iter().flat_map(|t| t.as_array().unwrap()).count();
        for kind in ["kpis", "tables"] {
            if before[kind] != after[kind] {
                diffs.push(format!("/{url} {kind}:\n  built:    {}\n  hydrated: {}", before[kind], after[kind]));
            }
        }
        let errors = live.console_errors();
        assert!(errors.is_empty(), "/{url}: console errors {errors:#?}");
    }
    eprintln!("compared {} pages: {cards} KPI cards, {cells} table rows", urls.len());
    assert!(cards > 10 && cells > 10, "the demo has KPI cards ({cards}) and table rows ({cells})");
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

/// A period KPI over a text column whose days include ones that do not exist
/// (2024-02-30, 2024-04-31, 2023-02-29): the build leaves them out, and so must
/// the runtime, rather than roll them over into the next month.
#[test]
fn period_kpis_leave_out_impossible_days_in_the_browser_too() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("basic");
    p.write(
        "queries/daily.sql",
        "SELECT * FROM (VALUES ('2024-02-28', 1), ('2024-02-30', 10), ('2024-03-02T08:00:00', 100), \
         ('2024-04-31', 1000), ('2023-02-29', 10000), ('2024-02-27', 100000)) AS t(d, v)",
    );
    p.write(
        "pages/daily.md",
        "# Daily\n\n{{ kpi('Now', 'v', data='daily', agg='sum', period='d', days=3) }}\n\n\
         {{ kpi('Count', 'v', data='daily', agg='count', period='d', days=2) }}\n",
    );
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/");
    let built = browser.open("about:blank").unwrap();
    built.cdp("Emulation.setScriptExecutionDisabled", json!({"value": true})).unwrap();
    built.navigate(&server.url("daily/")).unwrap();
    let live = browser.open(&server.url("daily/")).unwrap();
    live.wait_for("window.vcd && window.vcd.ready && window.vcd.ready.then(() => true)", Duration::from_secs(20))
        .unwrap();
    let (before, after) = (figures(&built)["kpis"].clone(), figures(&live)["kpis"].clone());
    // Days Feb 29 – Mar 2 hold 100; the three days before, 1 + 100000 (so -99,901). Counting
    // over Mar 1 – Mar 2: one row, and Feb 28 – Feb 29 before it: one.
    assert_eq!(before[0][0], "100", "built: {before}");
    assert!(before[0][1].as_str().unwrap().starts_with("▼ -99,901"), "built: {before}");
    assert_eq!(before[1][0], "1", "built: {before}");
    assert_eq!(after, before, "hydrated vs built");
    assert!(live.console_errors().is_empty(), "{:?}", live.console_errors());
}

#[test]
fn chart_axes_use_the_runtime_formatter() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("basic");
    p.write(
        "queries/sizes.sql",
        "SELECT * FROM (VALUES ('a', 2500000000, 0.0325), ('b', 999999, 0.5), ('c', 0.5, 0.25)) AS t(k, v, r)",
    );
    p.write(
        "pages/sizes.md",
        "# Sizes\n\n{{ bar_chart('sizes', x='k', y='v', y_format='compact') }}\n\n\
         {{ bar_chart('sizes', x='k', y='r', y_format='percent:0') }}\n",
    );
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open(&server.url("sizes/")).unwrap();
    page.wait_for("window.vcd && window.vcd.ready && window.vcd.ready.then(() => true)", Duration::from_secs(20))
        .unwrap();
    assert!(page.console_errors().is_empty(), "{:?}", page.console_errors());
    let labels = page
        .eval(
            "Array.from(document.querySelectorAll('figure.vcd-chart')).map(f => \
               Array.from(f.querySelectorAll('[aria-label^=\"Y-axis\"] .role-axis-label text')).map(t => t.textContent))",
        )
        .unwrap();
    let compact: Vec<&str> = labels[0].as_array().unwrap().iter().filter_map(|t| t.as_str()).collect();
    let percent: Vec<&str> = labels[1].as_array().unwrap().iter().filter_map(|t| t.as_str()).collect();
    assert!(compact.contains(&"0") && compact.contains(&"1B") && compact.contains(&"2B"), "{compact:?}");
    for t in &compact {
        let unit = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',');
        assert!(["", "K", "M", "B"].contains(&unit), "a compact label uses K, M or B, never SI: {t} in {compact:?}");
    }
    assert!(percent.contains(&"0%") && percent.contains(&"50%"), "{percent:?}");
    assert!(percent.iter().all(|t| t.ends_with('%') && !t.contains('.')), "{percent:?}");
}
