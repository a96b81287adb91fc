//! Box plots: each box's figures in the runtime's data table are what SQL's
//! `quantile_cont` (linear between the closest ranks, as Vega-Lite draws them)
//! and Tukey's whiskers give over the rows, unfiltered and under a filter.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::Value;
use vcd::source::Source;

const PAGE: &str = "---\ntitle: Spread\n---\n# Spread\n\n\
{{ dropdown(\"platform\", options=\"platforms\", all=\"All platforms\", label=\"Platform\") }}\n\n\
{{ box_plot(\"posts\", x=\"post_type\", y=\"engagement_rate\", color=\"platform\", title=\"Engagement\") }}\n";

/// Per (post type, platform): values, lower whisker, Q1, median, Q3, upper whisker, outliers.
fn expected(p: &TempProject, platform: Option<&str>) -> Vec<(String, String, Vec<f64>)> {
    let db = crate::support::duck::open(&p.path("data"));
    let only = platform.map_or("TRUE".to_string(), |x| format!("platform = '{x}'"));
    let sql = format!(
        "WITH v AS (SELECT post_type, platform, engagement_rate AS x FROM posts WHERE x IS NOT NULL AND {only}), \
         q AS (SELECT post_type, platform, quantile_cont(x, 0.25) AS q1, quantile_cont(x, 0.5) AS med, \
               quantile_cont(x, 0.75) AS q3 FROM v GROUP BY 1, 2) \
         SELECT post_type, platform, count(*)::DOUBLE, \
           min(x) FILTER (WHERE x >= q1 - 1.5 * (q3 - q1)), any_value(q1), any_value(med), any_value(q3), \
           max(x) FILTER (WHERE x <= q3 + 1.5 * (q3 - q1)), \
           count(*) FILTER (WHERE x < q1 - 1.5 * (q3 - q1) OR x > q3 + 1.5 * (q3 - q1))::DOUBLE \
         FROM v JOIN q USING (post_type, platform) GROUP BY 1, 2 ORDER BY 1, 2"
    );
    let r = db.run(&sql, &[], usize::MAX).unwrap_or_else(|e| panic!("{}\n{sql}", e.message));
    r.rows
        .iter()
        .map(|row| {
            let text = |v: &Value| v.as_str().unwrap().to_string();
            (text(&row[0]), text(&row[1]), row[2..].iter().map(|v| v.as_f64().unwrap()).collect())
        })
        .collect()
}

/// Checks each box against SQL's figures, exactly.
fn check(page: &Page, want: &[(String, String, Vec<f64>)], case: &str) {
    check_within(page, want, case, 0.0);
}

/// Checks each box's count and quartiles against SQL's, the quartiles within
/// `within` (0: exact, and the whiskers and outliers too).
fn check_within(page: &Page, want: &[(String, String, Vec<f64>)], case: &str, within: f64) {
    page.settle();
    let boxes = page.eval("document.querySelector('figure.vcd-chart').vcdShaped").unwrap();
    let boxes = boxes.as_array().unwrap();
    assert_eq!(boxes.len(), want.len(), "{case}: {boxes:?}");
    let names = ["values", "lower whisker", "Q1", "median", "Q3", "upper whisker", "outliers"];
    for (t, platform, figures) in want {
        let b = boxes
            .iter()
            .find(|b| b["post_type"] == t.as_str() && b["platform"] == platform.as_str())
            .unwrap_or_else(|| panic!("{case}: no box for {t} {platform}"));
        for (name, want) in names.iter().zip(figures) {
            // Read from intervals, a fence moves with the quartiles and a
            // value near it may fall either side: only the quartiles are bounded.
            if within > 0.0 && matches!(*name, "lower whisker" | "upper whisker" | "outliers") {
                continue;
            }
            // The count of values is exact either way.
            let slack = if *name == "values" { 0.0 } else { within };
            let got = b[name].as_f64().unwrap();
            assert!(
                (got - want).abs() <= slack + 1e-12 * want.abs().max(1.0),
                "{case} {t} {platform} {name}: {got} against {want}"
            );
        }
    }
    let marks = page.eval(
        "document.querySelectorAll('figure.vcd-chart g.mark-rect path, figure.vcd-chart g.mark-bar path').length",
    );
    assert!(marks.unwrap().as_u64().unwrap() > 0, "{case}: boxes drawn");
    let table =
        page.eval("document.querySelector('figure.vcd-chart details.vcd-chart-data summary').textContent").unwrap();
    assert_eq!(table, Value::from(format!("Data ({} rows)", want.len())), "{case}: one row per box");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "{case}: {errors:?}");
}

#[test]
fn each_box_is_what_sql_gives_under_each_filter() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("filters");
    p.write("pages/spread.md", PAGE);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let page = browser.open(&server.url("spread/")).unwrap();
    check(&page, &expected(&p, None), "all platforms");
    let platform = page.choose("platform", "1");
    check(&page, &expected(&p, platform.as_str()), "one platform");
}

#[test]
fn a_box_plot_takes_numbers_and_a_positive_extent() {
    let p = TempProject::fixture("filters");
    p.write("pages/bad.md", "# Bad\n\n{{ box_plot(\"posts\", x=\"post_type\", y=\"platform\") }}\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("pages/bad.md:3:4") && r.stderr.contains("box_plot: y must be a number column"),
        "{}",
        r.stderr
    );
    p.write("pages/bad.md", "# Bad\n\n{{ box_plot(\"posts\", y=\"reach\", extent=0) }}\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("box_plot: extent must be a positive number"), "{}", r.stderr);
}

#[test]
fn past_browser_rows_each_box_is_within_one_interval_of_sql_and_says_so() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("filters");
    // Only this page: the fixture's others draw rows past so low a limit.
    std::fs::remove_dir_all(p.path("pages")).unwrap();
    p.write("pages/spread.md", PAGE);
    p.write("vcd.toml", "browser_rows = 20\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = p.read("site/spread/index.html");
    let step =
        html.split("\"step\":").nth(1).and_then(|t| t.split([',', '}']).next()).and_then(|t| t.parse::<f64>().ok());
    let step = step.expect("the box plot reads intervals of the value");
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open(&server.url("spread/")).unwrap();
    check_within(&page, &expected(&p, None), "all platforms, in intervals", step);
    let subtitle = page.eval("document.querySelector('figure.vcd-chart svg').textContent").unwrap();
    assert!(subtitle.as_str().unwrap().contains("Quartiles to within"), "{subtitle}");
    let platform = page.choose("platform", "0");
    check_within(&page, &expected(&p, platform.as_str()), "one platform, in intervals", step);
}
