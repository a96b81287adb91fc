//! `sankey()`: each path's figure is what SQL sums over the rows the filters
//! keep, every node is labelled, and bad arguments are named.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::{json, Value};
use vcd::source::Source;

const PAGE: &str = "---\ntitle: Flows\n---\n# Flows\n\n\
{{ dropdown(\"platform\", options=\"platforms\", all=\"All platforms\", label=\"Platform\") }}\n\n\
{{ sankey(\"posts\", steps=[\"platform\", \"post_type\"], value=\"reach\", labels=[\"Platform\", \"Type\"]) }}\n";

/// `[[platform, post type, reach]…]` as SQL sums them, in the order the chart lists them.
fn expected(p: &TempProject, platform: Option<&str>) -> Vec<Value> {
    let db = crate::support::duck::open(&p.path("data"));
    let only = platform.map_or("TRUE".to_string(), |x| format!("platform = '{x}'"));
    let sql =
        format!("SELECT platform, post_type, sum(reach)::DOUBLE FROM posts WHERE {only} GROUP BY 1, 2 ORDER BY 1, 2");
    let r = db.run(&sql, &[], usize::MAX).unwrap();
    r.rows.iter().map(|row| json!([row[0], row[1], row[2]])).collect()
}

fn paths(page: &Page) -> Vec<Value> {
    let got = page
        .eval("document.querySelector('figure.vcd-chart').vcdShaped.map(r => Object.values(r).map(v => typeof v === 'number' ? v : String(v)))")
        .unwrap();
    let mut rows: Vec<Value> =
        got.as_array().unwrap().iter().map(|r| json!([r[0], r[1], r[2].as_f64().unwrap()])).collect();
    rows.sort_by_key(|r| (r[0].to_string(), r[1].to_string()));
    rows
}

#[test]
fn a_sankeys_paths_are_what_sql_sums_under_each_filter() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("filters");
    p.write("pages/flows.md", PAGE);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let page = browser.open(&server.url("flows/")).unwrap();
    page.settle();
    let want = expected(&p, None);
    assert_eq!(paths(&page), want);
    // A label on every node: each platform and each post type, with its figure.
    let text = page.eval("document.querySelector('figure.vcd-chart svg').textContent").unwrap();
    for row in &want {
        for name in [&row[0], &row[1]] {
            assert!(text.as_str().unwrap().contains(name.as_str().unwrap()), "no label for {name}: {text}");
        }
    }
    // The bands out of the first step add up to everything.
    let bands = page
        .eval(
            "(() => { const seen = new Map(); document.querySelector('figure.vcd-chart').vcdView.data('posts')\
                 .forEach(r => seen.set(r.band, r)); let first = 0; \
                 seen.forEach(r => { if (r.from === r.origin) first += r.value; }); return first; })()",
        )
        .unwrap();
    let total: f64 = want.iter().map(|r| r[2].as_f64().unwrap()).sum();
    assert!((bands.as_f64().unwrap() - total).abs() < 1e-6, "{bands} against {total}");
    let platform = page.choose("platform", "0");
    assert_eq!(paths(&page), expected(&p, platform.as_str()), "under {platform}");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_sankey_takes_two_steps_or_more_and_a_number() {
    let p = TempProject::fixture("filters");
    p.refuses(&[
        ("sankey(\"posts\", steps=[\"platform\"])", "sankey needs two steps or more, got 1"),
        ("sankey(\"posts\", steps=[\"platform\", \"platform\"])", "step 'platform' is named twice"),
        ("sankey(\"posts\", steps=[\"platform\", \"post_typ\"])", "did you mean 'post_type'"),
        ("sankey(\"posts\", steps=[\"platform\", \"post_type\"], value=\"caption\")", "value must be a number column"),
        ("sankey(\"posts\", steps=[\"platform\", \"post_type\"], labels=[\"A\"])", "sankey has 2 steps but 1 labels"),
        ("sankey(\"posts\", value=\"reach\")", "sankey needs steps=[…]"),
    ]);
}
