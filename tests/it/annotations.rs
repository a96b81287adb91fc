//! Reference lines and bands on chart shorthands: fixed values and one line
//! per row of a query, labelled, the query's lines following the page's
//! filters; and the mistakes a reference can hold, each named at its line.

use crate::support::browser::Browser;
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::json;

const PAGE: &str = "---\ntitle: Targets\n---\n# Targets\n\n\
{{ dropdown(\"platform\", options=\"platforms\", all=\"All platforms\", label=\"Platform\") }}\n\n\
{{ bar_chart(\"posts\", x=\"post_type\", y=\"reach\", agg=\"mean\", min_n=0,\n\
     ref_y=[{\"value\": 1000, \"label\": \"goal\"}, {\"query\": \"targets\", \"column\": \"target\", \"label\": \"{platform} target\"}],\n\
     ref_band={\"from\": 200, \"to\": 400, \"label\": \"usual\"}) }}\n";

/// The labels the chart's reference layers drew, in order.
const LABELS: &str =
    "Array.from(document.querySelectorAll('figure.vcd-chart g.mark-text.role-mark text')).map(t => t.textContent)";

#[test]
fn reference_lines_and_bands_are_drawn_and_a_querys_follow_the_filters() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("filters");
    p.write(
        "queries/targets.sql",
        "select platform, avg(reach) as target from posts group by platform order by platform\n",
    );
    p.write("pages/targets.md", PAGE);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let page = browser.open(&server.url("targets/")).unwrap();
    page.settle();
    let mut labels: Vec<String> = serde_json::from_value(page.eval(LABELS).unwrap()).unwrap();
    labels.sort();
    assert_eq!(labels, ["goal", "instagram target", "tiktok target", "usual"], "every reference is labelled");
    let dashed = page
        .eval("document.querySelectorAll('figure.vcd-chart g.mark-rule.role-mark [stroke-dasharray]').length")
        .unwrap();
    assert_eq!(dashed, json!(3), "three dashed lines");
    let bands = page
        .eval("document.querySelectorAll('figure.vcd-chart g.mark-rect.role-mark path[opacity=\"0.12\"]').length")
        .unwrap();
    assert_eq!(bands, json!(1), "one band");

    assert_eq!(page.choose("platform", "1"), "tiktok");
    let mut labels: Vec<String> = serde_json::from_value(page.eval(LABELS).unwrap()).unwrap();
    labels.sort();
    assert_eq!(labels, ["goal", "tiktok target", "usual"], "the query's lines follow the filter");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

fn refused(call: &str) -> String {
    let p = TempProject::fixture("filters");
    p.write("pages/bad.md", &format!("# Bad\n\n{{{{ {call} }}}}\n"));
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("pages/bad.md:3:4"), "{}", r.stderr);
    r.stderr
}

#[test]
fn a_bad_reference_is_named() {
    let e = refused("bar_chart(\"posts\", x=\"post_type\", y=\"reach\", agg=\"sum\", ref_y={\"query\": \"posts\", \"colum\": \"reach\"})");
    assert!(e.contains("ref_y has no key 'colum' (did you mean 'column'?)"), "{e}");
    let e = refused("bar_chart(\"posts\", x=\"post_type\", y=\"reach\", agg=\"sum\", ref_y={\"query\": \"posts\", \"column\": \"rech\"})");
    assert!(e.contains("'rech'") && e.contains("did you mean 'reach'"), "{e}");
    let e = refused("bar_chart(\"posts\", x=\"post_type\", y=\"reach\", agg=\"sum\", ref_x=3)");
    assert!(e.contains("bar_chart: ref_x needs a number axis, and the x axis is not one"), "{e}");
    let e = refused("bar_chart(\"posts\", x=\"post_type\", y=\"reach\", agg=\"sum\", ref_band=[1, 2])");
    assert!(e.contains("ref_band takes {\"from\": 1, \"to\": 2}"), "{e}");
    let e = refused("line_chart(\"posts\", x=\"posted_at\", y=\"reach\", ref_y=\"high\")");
    assert!(e.contains("ref_y value must be a number, got high"), "{e}");
    let e = refused("scatter_chart(\"posts\", x=\"reach\", y=\"saves\", x_scale=\"loga\")");
    assert!(e.contains("x_scale must be linear, log, sqrt or symlog, got 'loga'"), "{e}");
}
