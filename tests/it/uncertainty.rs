//! How sure a figure is: the 95 % intervals of `docs/uncertainty.md` from the
//! Rust side and the runtime against `tests/uncertainty_vectors.json` (and
//! each other, exactly); a chart of means over a variant's rows shows the
//! intervals and small samples SQL gives, under a filter too; and `ci=` and
//! `min_n=` are refused where they mean nothing.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::{json, Value};
use std::time::Duration;
use vcd::source::Source;
use vcd::util::interval::{interval, t975, Method};

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/uncertainty_vectors.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn method(v: &Value) -> Method {
    if v["method"] == "wilson" {
        Method::Wilson
    } else {
        Method::T
    }
}

/// `got` is within 1e-7 of the interval's width from `want` (and within
/// rounding of it for an interval of no width).
fn close(got: f64, want: f64, width: f64) -> bool {
    (got - want).abs() <= 1e-7 * width + 1e-15 * want.abs()
}

/// The Rust results for every vector: `[[low, high] or null…]` and the t quantiles.
fn rust_results(v: &Value) -> Value {
    let intervals: Vec<Value> = v["interval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let f = |k: &str| c[k].as_f64().unwrap();
            interval(method(c), f("n"), f("sum"), f("sum_squares")).map_or(Value::Null, |(lo, hi)| json!([lo, hi]))
        })
        .collect();
    let t: Vec<Value> = v["t975"].as_array().unwrap().iter().map(|c| json!(t975(c["df"].as_f64().unwrap()))).collect();
    json!({"interval": intervals, "t975": t})
}

/// Every way `got` misses the vectors.
fn misses(v: &Value, got: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (c, g) in v["interval"].as_array().unwrap().iter().zip(got["interval"].as_array().unwrap()) {
        match (c["low"].as_f64(), c["high"].as_f64(), g.as_array()) {
            (None, None, None) => {}
            (Some(lo), Some(hi), Some(g)) => {
                let (glo, ghi) = (g[0].as_f64().unwrap(), g[1].as_f64().unwrap());
                if !close(glo, lo, hi - lo) || !close(ghi, hi, hi - lo) {
                    out.push(format!("{}: got [{glo}, {ghi}], want [{lo}, {hi}]", c["note"]));
                }
            }
            _ => out.push(format!("{}: got {g}, want [{}, {}]", c["note"], c["low"], c["high"])),
        }
    }
    for (c, g) in v["t975"].as_array().unwrap().iter().zip(got["t975"].as_array().unwrap()) {
        let (want, g) = (c["t"].as_f64().unwrap(), g.as_f64().unwrap());
        if (g - want).abs() > 5e-8 * want {
            out.push(format!("t975({}): got {g}, want {want}", c["df"]));
        }
    }
    out
}

#[test]
fn the_interval_meets_every_vector() {
    let v = vectors();
    assert!(v["interval"].as_array().unwrap().len() >= 10);
    let bad = misses(&v, &rust_results(&v));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_runtime_interval_meets_every_vector_and_the_rust_one_exactly() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("basic");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open(&server.url("")).unwrap();
    page.wait_for("window.vcd && window.vcd.interval", Duration::from_secs(20)).unwrap();
    let v = vectors();
    let got = page
        .eval(&format!(
            "(function (v) {{ return {{\
               interval: v.interval.map(c => window.vcd.interval(c.method, c.n, c.sum, c.sum_squares)),\
               t975: v.t975.map(c => window.vcd.t975(c.df)) }}; }})({v})"
        ))
        .unwrap();
    let bad = misses(&v, &got);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The same arithmetic in the same order: the same doubles (JSON writes 5 and 5.0 alike).
    let doubles = |x: &Value| -> Vec<Option<f64>> {
        let mut out = Vec::new();
        for i in x["interval"].as_array().unwrap() {
            match i.as_array() {
                Some(a) => out.extend(a.iter().map(Value::as_f64)),
                None => out.push(None),
            }
        }
        out.extend(x["t975"].as_array().unwrap().iter().map(Value::as_f64));
        out
    };
    assert_eq!(doubles(&got), doubles(&rust_results(&v)), "the runtime and Rust differ");
}

/// The chart of mean reach by post type over the `reach_by_type` variant
/// (one row per type and platform), with intervals and small samples of 3.
const PAGE: &str = "---\ntitle: Sure\n---\n# How sure\n\n\
{{ dropdown(\"platform\", options=\"platforms\", all=\"All platforms\", label=\"Platform\") }}\n\n\
{{ bar_chart(\"reach_by_type\", x=\"post_type\", y=\"reach\", agg=\"mean\", ci=true, min_n=2, sort=\"-y\", title=\"Mean reach\") }}\n";

/// What SQL says of each post type's mean reach, per row of the variant for
/// `platform` (all when `None`): `{type: (n, low, high)}`, by Student's t
/// from DuckDB's own standard deviation.
fn expected(p: &TempProject, platform: Option<&str>) -> std::collections::BTreeMap<String, (u64, Option<(f64, f64)>)> {
    let db = crate::support::duck::open(&p.path("data"));
    let only = platform.map_or(String::new(), |x| format!("WHERE platform = '{x}'"));
    let sql = format!(
        "SELECT post_type, count(reach), avg(reach), stddev_samp(reach) FROM \
         (SELECT post_type, platform, sum(reach) AS reach FROM posts {only} GROUP BY 1, 2) GROUP BY 1"
    );
    let r = db.run(&sql, &[], usize::MAX).unwrap_or_else(|e| panic!("{}", e.message));
    r.rows
        .iter()
        .map(|row| {
            let n = row[1].as_u64().unwrap();
            let mean = row[2].as_f64().unwrap();
            let iv = row[3].as_f64().map(|sd| {
                let h = t975((n - 1) as f64) * sd / (n as f64).sqrt();
                (mean - h, mean + h)
            });
            (row[0].as_str().unwrap().to_string(), (n, iv))
        })
        .collect()
}

fn check_chart(page: &Page, want: &std::collections::BTreeMap<String, (u64, Option<(f64, f64)>)>, case: &str) {
    page.settle();
    let rows = page.eval("document.querySelector('figure.vcd-chart').vcdRows").unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), want.len(), "{case}: groups {rows:?}");
    for r in rows {
        let (n, iv) = want[r["post_type"].as_str().unwrap()];
        assert_eq!(r["small sample"], json!(n < 2), "{case}: {r}");
        let sample = r["Sample"].as_str().unwrap();
        assert!(sample.starts_with(&format!("{n} value")), "{case}: {sample}");
        match iv {
            Some((lo, hi)) => {
                let (glo, ghi) = (r["95% low"].as_f64().unwrap(), r["95% high"].as_f64().unwrap());
                let tol = 1e-9 * (hi - lo).abs().max(1.0);
                assert!((glo - lo).abs() <= tol && (ghi - hi).abs() <= tol, "{case}: {r} against [{lo}, {hi}]");
            }
            None => assert!(r["95% low"].is_null() && r["95% high"].is_null(), "{case}: {r}"),
        }
    }
    let bars = page.eval(
        "document.querySelectorAll('figure.vcd-chart g.mark-rule path, figure.vcd-chart g.mark-rule line').length",
    );
    assert!(
        bars.unwrap().as_u64().unwrap() > 0 || want.values().all(|(_, iv)| iv.is_none()),
        "{case}: error bars drawn"
    );
    // sort="-y" holds with the error bars: the x axis lists the types by mean, highest first.
    let axis = page.eval(
        "document.querySelector('figure.vcd-chart g.role-axis[aria-label^=\"X-axis\"]').getAttribute('aria-label')",
    );
    let axis = axis.unwrap();
    let axis = axis.as_str().unwrap();
    let mut by_mean: Vec<(f64, &str)> =
        rows.iter().map(|r| (r["reach (mean)"].as_f64().unwrap_or(0.0), r["post_type"].as_str().unwrap())).collect();
    by_mean.sort_by(|a, b| b.0.total_cmp(&a.0));
    let at: Vec<usize> =
        by_mean.iter().map(|(_, t)| axis.find(t).unwrap_or_else(|| panic!("{case}: {t} in {axis}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{case}: the axis is not in descending order of the mean: {axis}");
    let subtitle = page.eval("document.querySelector('figure.vcd-chart svg').textContent").unwrap();
    assert!(subtitle.as_str().unwrap().contains("95% intervals (Student's t)"), "{case}: {subtitle}");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "{case}: {errors:?}");
}

#[test]
fn a_chart_of_means_over_a_variant_shows_the_intervals_sql_gives_under_a_filter_too() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("filters");
    p.write("pages/sure.md", PAGE);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let page = browser.open(&server.url("sure/")).unwrap();
    check_chart(&page, &expected(&p, None), "all platforms");
    let platform = page.choose("platform", "1");
    check_chart(&page, &expected(&p, platform.as_str()), "one platform");
}

/// Builds the `filters` fixture with `page` added: the failed build's stderr.
fn refused(page: &str) -> String {
    let p = TempProject::fixture("filters");
    p.write("pages/bad.md", page);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    r.stderr
}

#[test]
fn ci_and_min_n_need_a_mean() {
    let e = refused("# Bad\n\n{{ bar_chart(\"posts\", x=\"platform\", y=\"reach\", agg=\"sum\", ci=true) }}\n");
    assert!(
        e.contains("pages/bad.md:3:4: invalid operation: bar_chart: ci=true needs agg=\"mean\"")
            && e.contains("got agg=\"sum\""),
        "{e}"
    );
    let e = refused("# Bad\n\n{{ line_chart(\"posts\", x=\"posted_at\", y=\"reach\", min_n=5) }}\n");
    assert!(e.contains("line_chart: min_n= needs agg=\"mean\"") && e.contains("got no agg"), "{e}");
    let e = refused(
        "# Bad\n\n{{ bar_chart(\"posts\", x=\"post_type\", y=\"reach\", agg=\"mean\", color=\"platform\", ci=true) }}\n",
    );
    assert!(e.contains("ci=true with color= needs mode=\"grouped\""), "{e}");
    let e = refused(
        "# Bad\n\n{{ area_chart(\"posts\", x=\"post_type\", y=\"reach\", agg=\"mean\", color=\"platform\", ci=true) }}\n",
    );
    assert!(e.contains("ci=true with color= needs mode=\"overlap\""), "{e}");
    let e = refused("# Bad\n\n{{ scatter_chart(\"posts\", x=\"reach\", y=\"saves\", ci=true) }}\n");
    assert!(e.contains("scatter_chart has no argument 'ci'"), "{e}");
}

/// A page of two cards over the `filters` fixture's posts: a mean with its
/// interval, and one whose every sample is small.
const CARDS: &str = "---\ntitle: Cards\n---\n# Cards\n\n\
{{ dropdown(\"platform\", options=\"platforms\", all=\"All platforms\", label=\"Platform\") }}\n\n\
<div class=\"kpis\">\n\
{{ kpi(\"Mean engagement\", \"engagement_rate\", data=\"posts\", agg=\"mean\", format=\"percent\", ci=true) }}\n\
{{ kpi(\"Mean saves\", \"saves\", data=\"posts\", agg=\"mean\", min_n=1000) }}\n\
</div>\n";

/// The cards' lines as SQL makes them for `platform` (all when `None`):
/// the t-interval's half width in points from DuckDB's standard deviation,
/// and the count of values.
fn card_lines(p: &TempProject, platform: Option<&str>) -> Vec<String> {
    use vcd::util::format::{format, Num, Style};
    let db = crate::support::duck::open(&p.path("data"));
    let only = platform.map_or(String::new(), |x| format!("WHERE platform = '{x}'"));
    let sql = format!("SELECT count(engagement_rate), stddev_samp(engagement_rate), count(saves) FROM posts {only}");
    let r = db.run(&sql, &[], 1).unwrap_or_else(|e| panic!("{}", e.message));
    let n = r.rows[0][0].as_u64().unwrap();
    let half = t975((n - 1) as f64) * r.rows[0][1].as_f64().unwrap() / (n as f64).sqrt();
    let points = format(&Num::from_f64(half * 100.0), Style::Number, 1);
    vec![format!("± {points} pts · {n} values"), format!("{} values: a small sample", r.rows[0][2])]
}

const READ_LINES: &str =
    "Array.from(document.querySelectorAll('.kpi')).map(k => (k.querySelector('.kpi-sure') || {}).textContent)";

#[test]
fn a_cards_interval_and_sample_read_as_sql_gives_them_before_and_after_the_scripts_and_under_a_filter() {
    let p = TempProject::fixture("filters");
    p.write("pages/cards.md", CARDS);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = p.read("site/cards/index.html");
    let want = card_lines(&p, None);
    for line in &want {
        let escaped = vcd::util::html::escape_for_markdown(line);
        assert!(html.contains(&format!(">{escaped}</div>")), "the build writes {line:?}:\n{html}");
    }
    let Some(browser) = Browser::for_test() else { return };
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open(&server.url("cards/")).unwrap();
    page.settle();
    assert_eq!(page.eval(READ_LINES).unwrap(), json!(want), "the runtime writes what the build wrote");
    let platform = page.choose("platform", "0");
    assert_eq!(page.eval(READ_LINES).unwrap(), json!(card_lines(&p, platform.as_str())), "under {platform}");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_cards_ci_needs_a_mean() {
    let e = refused("# Bad\n\n{{ kpi(\"Reach\", \"reach\", data=\"posts\", agg=\"sum\", ci=true) }}\n");
    assert!(e.contains("kpi ci=true needs data= and agg=\"mean\"") && e.contains("got agg=\"sum\""), "{e}");
}

/// An area of means takes the same band a line does, over the same figures:
/// each post type's interval is SQL's t-interval of its rows' reach.
#[test]
fn an_area_of_means_shows_the_intervals_sql_gives() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("filters");
    p.write(
        "pages/area.md",
        "# Area\n\n{{ area_chart(\"posts\", x=\"post_type\", y=\"reach\", agg=\"mean\", ci=true, min_n=12) }}\n",
    );
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open(&server.url("area/")).unwrap();
    page.settle();
    let db = crate::support::duck::open(&p.path("data"));
    let want = db
        .run("SELECT post_type, count(reach), avg(reach), stddev_samp(reach) FROM posts GROUP BY 1", &[], 99)
        .unwrap();
    let rows = page.eval("document.querySelector('figure.vcd-chart').vcdRows").unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), want.rows.len());
    for w in &want.rows {
        let r = rows.iter().find(|r| r["post_type"] == w[0]).unwrap();
        let n = w[1].as_u64().unwrap();
        let (mean, sd) = (w[2].as_f64().unwrap(), w[3].as_f64().unwrap());
        let h = t975((n - 1) as f64) * sd / (n as f64).sqrt();
        let (lo, hi) = (r["95% low"].as_f64().unwrap(), r["95% high"].as_f64().unwrap());
        assert!((lo - (mean - h)).abs() <= 1e-9 * h && (hi - (mean + h)).abs() <= 1e-9 * h, "{r} against {mean} ± {h}");
        assert_eq!(r["small sample"], json!(n < 12), "{r}");
    }
    let marks = page
        .eval(
            "[document.querySelectorAll('figure.vcd-chart g.mark-area path').length, \
               document.querySelectorAll('figure.vcd-chart g.mark-symbol path').length]",
        )
        .unwrap();
    assert_eq!(marks, json!([2, rows.len()]), "the area and its band, and a point per figure");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "{errors:?}");
}
