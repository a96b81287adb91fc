//! `combo_chart()`: per x, the bars' and the line's figures are what SQL
//! gives over the rows the filters keep, each on its own axis; bad
//! arguments are named.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::Value;
use vcd::source::Source;

const PAGE: &str = "---\ntitle: Combo\n---\n# Combo\n\n\
{{ dropdown(\"platform\", options=\"platforms\", all=\"All platforms\", label=\"Platform\") }}\n\n\
{{ combo_chart(\"posts\", x=\"post_type\", bar=\"reach\", line=\"engagement_rate\", line_agg=\"mean\", \
   bar_title=\"Reach\", line_title=\"Engagement\", line_format=\"percent\") }}\n";

/// `(post type, sum of reach, mean engagement rate, values)` as SQL gives them.
fn expected(p: &TempProject, platform: Option<&str>) -> Vec<(String, f64, f64, f64)> {
    let db = crate::support::duck::open(&p.path("data"));
    let only = platform.map_or("TRUE".to_string(), |x| format!("platform = '{x}'"));
    let sql = format!(
        "SELECT post_type, sum(reach)::DOUBLE, avg(engagement_rate), count(engagement_rate)::DOUBLE \
         FROM posts WHERE {only} GROUP BY 1 ORDER BY 1"
    );
    let r = db.run(&sql, &[], usize::MAX).unwrap();
    let num = |v: &Value| v.as_f64().unwrap();
    r.rows.iter().map(|x| (x[0].as_str().unwrap().to_string(), num(&x[1]), num(&x[2]), num(&x[3]))).collect()
}

fn check(page: &Page, want: &[(String, f64, f64, f64)], case: &str) {
    let got = page.eval("document.querySelector('figure.vcd-chart').vcdShaped.map(r => Object.values(r))").unwrap();
    let got = got.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{case}");
    for (g, (x, bar, line, n)) in got.iter().zip(want) {
        assert_eq!(
            (g[0].as_str().unwrap(), g[1].as_f64().unwrap(), g[3].as_f64().unwrap()),
            (x.as_str(), *bar, *n),
            "{case}"
        );
        let mean = g[2].as_f64().unwrap();
        assert!((mean - line).abs() <= 1e-12 * line.abs(), "{case}: {x}: {mean} against {line}");
    }
}

#[test]
fn a_combo_charts_figures_are_what_sql_gives_under_each_filter() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("filters");
    p.write("pages/combo.md", PAGE);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let page = browser.open(&server.url("combo/")).unwrap();
    page.settle();
    check(&page, &expected(&p, None), "unfiltered");
    let text = page.eval("document.querySelector('figure.vcd-chart svg').textContent").unwrap();
    assert!(text.as_str().unwrap().contains("Bars: Reach (left axis) · line: Engagement (right axis)"), "{text}");
    let platform = page.choose("platform", "0");
    check(&page, &expected(&p, platform.as_str()), "one platform");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_combo_chart_takes_two_measures_and_an_x() {
    let p = TempProject::fixture("filters");
    p.refuses(&[
        ("combo_chart(\"posts\", x=\"platform\", bar=\"reach\")", "combo_chart needs line="),
        ("combo_chart(\"posts\", x=\"platform\", bar=\"reech\", line=\"saves\")", "did you mean 'reach'"),
        (
            "combo_chart(\"posts\", x=\"platform\", bar=\"reach\", line=\"caption\", line_agg=\"mean\")",
            "line_agg=\"mean\" needs a number column",
        ),
        (
            "combo_chart(\"posts\", x=\"platform\", bar=\"reach\", line=\"saves\", bar_agg=\"median\")",
            "bar_agg must be one of",
        ),
        (
            "combo_chart(\"posts\", x=\"platform\", bar=\"reach\", line=\"saves\", min_n=3)",
            "min_n= needs line_agg=\"mean\"",
        ),
        (
            "combo_chart(\"posts\", x=\"platform\", bar=\"reach\", line=\"saves\", colour=\"x\")",
            "has no argument 'colour'",
        ),
    ]);
}
