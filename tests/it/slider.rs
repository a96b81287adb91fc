//! `slider()`: a range of a number column filters every component on the
//! page as SQL's `WHERE lo <= x AND x < hi` does (the top end open past
//! `max`), through rollups and rows alike, from a link, the mouse or the
//! keyboard; bad ranges are named.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::{json, Value};
use std::time::Duration;
use vcd::source::Source;

const PAGE: &str = "---\ntitle: Reach\n---\n# Reach\n\n\
{{ slider(\"reach\", min=0, max=5000, step=500, label=\"Reach\") }}\n\n\
<div class=\"kpis\">\n{{ kpi(\"Posts\", \"post_id\", data=\"posts\", agg=\"count\") }}\n</div>\n\n\
{{ bar_chart(\"posts\", x=\"platform\", y=\"saves\", agg=\"sum\") }}\n\n\
{{ scatter_chart(\"posts\", x=\"reach\", y=\"saves\") }}\n\n\
{{ table(\"posts\", columns=[\"post_id\", \"reach\"]) }}\n";

/// (posts, [[platform, saves]…]) as SQL gives them for reach in [lo, hi) (`None`: open).
fn expected(p: &TempProject, lo: Option<u32>, hi: Option<u32>) -> (f64, Value) {
    let db = crate::support::duck::open(&p.path("data"));
    let mut w = vec!["reach IS NOT NULL".to_string()];
    w.extend(lo.map(|x| format!("reach >= {x}")));
    w.extend(hi.map(|x| format!("reach < {x}")));
    let w = w.join(" AND ");
    let n =
        db.run(&format!("SELECT count(*)::DOUBLE FROM posts WHERE {w}"), &[], 1).unwrap().rows[0][0].as_f64().unwrap();
    let sums = db
        .run(&format!("SELECT platform, sum(saves)::DOUBLE FROM posts WHERE {w} GROUP BY 1 ORDER BY 1"), &[], 9)
        .unwrap();
    (n, json!(sums.rows))
}

/// What the page shows: the card, the bars (platform, saves), the scatter's and the table's rows.
fn shown(page: &Page) -> (f64, Value, Vec<f64>) {
    page.settle();
    let card = page.eval("document.querySelector('.kpi .kpi-value').textContent").unwrap();
    let bars = page
        .eval("document.querySelectorAll('figure.vcd-chart')[0].vcdRows.map(r => [r.platform, r.saves]).sort((a, b) => a[0] < b[0] ? -1 : 1)")
        .unwrap();
    let rows = page
        .eval("[document.querySelectorAll('figure.vcd-chart')[1].getAttribute('data-rows'), document.querySelector('figure.vcd-table').getAttribute('data-rows')]")
        .unwrap();
    let rows = rows.as_array().unwrap().iter().map(|r| r.as_str().unwrap().parse().unwrap()).collect();
    (card.as_str().unwrap().replace(',', "").parse().unwrap(), bars, rows)
}

fn check(page: &Page, p: &TempProject, lo: Option<u32>, hi: Option<u32>, case: &str) {
    let (n, sums) = expected(p, lo, hi);
    let (card, bars, rows) = shown(page);
    assert_eq!(card, n, "{case}: the card");
    let bars: Vec<Value> = bars.as_array().unwrap().iter().map(|b| json!([b[0], b[1].as_f64().unwrap()])).collect();
    assert_eq!(json!(bars), sums, "{case}: the bars");
    assert_eq!(rows, vec![n, n], "{case}: the scatter's and the table's rows");
}

#[test]
fn a_slider_filters_rollups_and_rows_as_sql_does() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("filters");
    p.write("pages/reach.md", PAGE);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let page = browser.open(&server.url("reach/?reach=1000..3000")).unwrap();
    check(&page, &p, Some(1000), Some(3000), "from a link");
    let chip = page.eval("document.querySelector('.vcd-active').innerText").unwrap();
    assert!(chip.as_str().unwrap().contains("Reach: 1,000 to 3,000"), "{chip}");
    // The top end open: everything from 2,500 up, past max.
    page.eval(
        "(() => { const f = document.querySelector('[data-input=reach]'); \
           f.querySelector('[data-end=from]').value = 5; f.querySelector('[data-end=to]').value = 10; \
           f.querySelector('[data-end=to]').dispatchEvent(new Event('change', {bubbles: true})); })()",
    )
    .unwrap();
    page.wait_for("location.search.indexOf('reach=2500..') >= 0", Duration::from_secs(5)).unwrap();
    check(&page, &p, Some(2500), None, "2,500 or more");
    // From the keyboard: the lower end one step down.
    page.eval("document.querySelector('[data-input=reach] [data-end=from]').focus()").unwrap();
    page.press("ArrowLeft").unwrap();
    page.wait_for("location.search.indexOf('reach=2000..') >= 0", Duration::from_secs(5)).unwrap();
    check(&page, &p, Some(2000), None, "after ArrowLeft");
    let said = page
        .eval("document.querySelector('[data-input=reach] [data-end=from]').getAttribute('aria-valuetext')")
        .unwrap();
    assert_eq!(said, json!("2,000"));
    let errors = page.console_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_sliders_range_is_checked() {
    let p = TempProject::fixture("filters");
    p.refuses(&[
        ("slider(\"reach\")", "slider 'reach' needs min= and max=, or data="),
        ("slider(\"reach\", min=5, max=1)", "max must be more than min"),
        ("slider(\"reach\", min=0, max=100000, step=1)", "100000 steps, more than 200; take a larger step"),
        ("slider(\"reach\", min=0, max=10, step=-1)", "step must be a positive number"),
        ("slider(\"reach\", data=\"posts\", field=\"reech\")", "did you mean 'reach'"),
        ("slider(\"reach\", min=0, max=10, format=\"dollars\")", "slider format must be one of"),
    ]);
}
