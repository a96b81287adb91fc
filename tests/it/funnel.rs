//! `funnel()`: each stage's total is what SQL adds up over the rows the
//! page's filters keep, with its share of the first stage and of the one
//! before; bad stages are named.

use crate::support::browser::Browser;
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::{json, Value};
use vcd::source::Source;

const PAGE: &str = "---\ntitle: Funnel\n---\n# Funnel\n\n\
{{ dropdown(\"platform\", options=\"platforms\", all=\"All platforms\", label=\"Platform\") }}\n\n\
{{ funnel(\"posts\", stages=[\"reach\", \"saves\"], labels=[\"Reached\", \"Saved\"]) }}\n";

/// `[[stage, total, share of the first, kept from the stage before]…]` as SQL gives them.
fn expected(p: &TempProject, platform: Option<&str>) -> Value {
    let db = crate::support::duck::open(&p.path("data"));
    let only = platform.map_or(String::new(), |x| format!("WHERE platform = '{x}'"));
    let r = db.run(&format!("SELECT sum(reach)::DOUBLE, sum(saves)::DOUBLE FROM posts {only}"), &[], 1).unwrap();
    let (reach, saves) = (r.rows[0][0].as_f64().unwrap(), r.rows[0][1].as_f64().unwrap());
    json!([["Reached", reach, 1.0, null], ["Saved", saves, saves / reach, saves / reach]])
}

/// Every number as a double, so 1 and 1.0 compare equal.
fn doubles(v: Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(a) => Value::Array(a.into_iter().map(doubles).collect()),
        other => other,
    }
}

const READ: &str = "document.querySelector('figure.vcd-chart').vcdShaped.map(s => \
    [s['stage'], s['total'], s['share of the first'], s['kept from the stage before']])";

#[test]
fn a_funnels_stages_are_what_sql_adds_up_under_each_filter() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("filters");
    p.write("pages/funnel.md", PAGE);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let page = browser.open(&server.url("funnel/")).unwrap();
    page.settle();
    assert_eq!(doubles(page.eval(READ).unwrap()), doubles(expected(&p, None)));
    let text = page.eval("document.querySelector('figure.vcd-chart svg').textContent").unwrap();
    assert!(text.as_str().unwrap().contains("100.00%"), "each bar is labelled with its share: {text}");
    let platform = page.choose("platform", "0");
    assert_eq!(doubles(page.eval(READ).unwrap()), doubles(expected(&p, platform.as_str())), "under {platform}");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_funnels_stages_are_number_columns_with_a_label_each() {
    let p = TempProject::fixture("filters");
    p.refuses(&[
        ("funnel(\"posts\", stages=[\"reach\", \"platform\"])", "funnel stage must be a number column, got 'platform'"),
        ("funnel(\"posts\", stages=[\"reach\", \"savs\"])", "did you mean 'saves'"),
        ("funnel(\"posts\", stages=[\"reach\"])", "funnel needs two stages or more, got 1"),
        ("funnel(\"posts\", stages=[\"reach\", \"saves\"], labels=[\"Reached\"])", "funnel has 2 stages but 1 labels"),
    ]);
}
