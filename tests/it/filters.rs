//! Browser tests of the page filters: inputs swap in pre-computed query variants
//! and filter rows, clicks on marks cross-filter, and the URL keeps the state.
//! Every figure the page shows is compared with the same figure computed by SQL
//! in the test, over the fixture's data.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::{json, Value};
use std::time::Duration;
use vcd::source::Source;

/// The `filters` fixture, built and served.
fn site() -> (TempProject, StaticServer) {
    let p = TempProject::fixture("filters");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/");
    (p, server)
}

/// One row of a query run by DuckDB over the fixture's data, in the test.
fn sql(p: &TempProject, query: &str) -> Vec<Value> {
    let source = crate::support::duck::open(&p.path("data"));
    let result = source.run(query, &[], usize::MAX).unwrap();
    result.rows.into_iter().next().unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Waits until the runtime has applied the latest change to every component.
fn settle(page: &Page) {
    page.wait_for("window.vcd && window.vcd.ready && window.vcd.ready.then(() => true)", Duration::from_secs(20))
        .unwrap();
    let errors = page.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// The raw value of the KPI card labelled `label`.
fn kpi(page: &Page, label: &str) -> f64 {
    let v = page
        .eval(&format!(
            "Array.from(document.querySelectorAll('.kpi')).find(k => k.querySelector('.kpi-label').textContent === {label:?})\
               .querySelector('.kpi-value').getAttribute('data-value')"
        ))
        .unwrap();
    num(&v)
}

/// Each chart's id and the number of rows its main dataset holds after filtering.
fn chart_rows(page: &Page) -> Vec<(String, u64)> {
    let v = page
        .eval(
            "Array.from(document.querySelectorAll('figure.vcd-chart:not(.vcd-spark)'))\
               .map(f => [f.id, +f.getAttribute('data-rows')])",
        )
        .unwrap();
    v.as_array().unwrap().iter().map(|c| (c[0].as_str().unwrap().to_string(), c[1].as_u64().unwrap())).collect()
}

fn search(page: &Page) -> String {
    page.eval("location.search").unwrap().as_str().unwrap().to_string()
}

#[test]
fn a_dropdown_swaps_in_exact_results_for_every_chart_table_and_kpi() {
    let Some(browser) = Browser::for_test() else { return };
    let (p, server) = site();
    let page = browser.open(&server.url("")).unwrap();
    settle(&page);
    let all = sql(&p, "select count(*), sum(reach) from posts");
    assert_eq!(kpi(&page, "Posts"), num(&all[0]));
    assert_eq!(kpi(&page, "Reach"), num(&all[1]));

    // Options are sorted by the query: instagram is 0, tiktok 1.
    page.select("select[data-input=platform]", "1").unwrap();
    settle(&page);
    let tiktok = sql(
        &p,
        "select count(*), sum(reach), sum(saves), avg(engagement_rate), \
           (select count(*) from (select distinct post_type from posts where platform = 'tiktok')) \
         from posts where platform = 'tiktok'",
    );
    // From the pre-computed variant: exactly what SQL says.
    assert_eq!(kpi(&page, "Posts"), num(&tiktok[0]));
    assert_eq!(kpi(&page, "Reach"), num(&tiktok[1]));
    // From the rows, filtered in the browser.
    assert_eq!(kpi(&page, "Saves in view"), num(&tiktok[2]));
    let mean = kpi(&page, "Mean engagement");
    assert!((mean - num(&tiktok[3])).abs() < 1e-12, "mean {mean} vs SQL {}", tiktok[3]);
    let rows = chart_rows(&page);
    assert_eq!(rows[0].1 as f64, num(&tiktok[4]), "bar chart: one row per type, tiktok only");
    assert_eq!(rows[1].1 as f64, num(&tiktok[0]), "line chart: every tiktok post");
    assert_eq!(rows[2].1 as f64, num(&tiktok[0]), "scatter: every tiktok post");
    let info = page.eval("document.querySelector('.vcd-table-info').textContent").unwrap();
    assert_eq!(info, json!(format!("1–5 of {}", num(&tiktok[0]))));
    assert!(search(&page).contains("platform=tiktok"), "{}", search(&page));
    let chip = page.eval("document.querySelector('.vcd-active').innerText").unwrap();
    assert!(chip.as_str().unwrap().contains("Platform: tiktok"), "{chip}");
}

#[test]
fn a_date_range_filters_every_chart_on_the_page() {
    let Some(browser) = Browser::for_test() else { return };
    let (p, server) = site();
    let page = browser.open(&server.url("dates/")).unwrap();
    settle(&page);
    let total = num(&sql(&p, "select count(*) from posts")[0]);
    let rows = chart_rows(&page);
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|(_, n)| *n as f64 == total), "{rows:?}");

    page.set_dates("posted", "2025-02-01", "2025-03-31");
    settle(&page);
    let within = sql(
        &p,
        "select count(*), sum(saves) from posts where posted_at between date '2025-02-01' and date '2025-03-31'",
    );
    assert!(num(&within[0]) > 0.0 && num(&within[0]) < total);
    for (id, n) in chart_rows(&page) {
        assert_eq!(n as f64, num(&within[0]), "{id} was not filtered to the date range");
    }
    assert_eq!(kpi(&page, "Saves"), num(&within[1]));
    let notes = page.eval("document.querySelectorAll('.vcd-unfiltered').length").unwrap();
    assert_eq!(notes, json!(0), "every component here has the date column");
    assert!(search(&page).contains("posted=2025-02-01..2025-03-31"), "{}", search(&page));

    // On a page where one query has no date column, that chart says so instead of ignoring the filter.
    page.navigate(&server.url("?posted=2025-02-01..2025-03-31")).unwrap();
    settle(&page);
    let note = page.eval("document.querySelector('#chart-1 .vcd-unfiltered').textContent").unwrap();
    assert!(note.as_str().unwrap().starts_with("Not filtered by Posted"), "{note}");
}

/// Clicks the first bar of chart `id` and waits for the page to follow.
fn click_first_bar(page: &Page, id: &str) {
    page.wait_for(
        &format!("document.querySelector('#{id}').getAttribute('data-status') === 'rendered'"),
        Duration::from_secs(10),
    )
    .unwrap();
    page.click(&format!("#{id} svg .mark-rect path")).unwrap();
    settle(page);
}

#[test]
fn clicking_a_bar_cross_filters_the_page_and_the_filter_clears() {
    let Some(browser) = Browser::for_test() else { return };
    let (p, server) = site();
    let page = browser.open(&server.url("dates/")).unwrap();
    settle(&page);
    click_first_bar(&page, "chart-1");
    let qs = search(&page);
    let platform = qs.split("filter.platform=").nth(1).expect("the click set a filter").split('&').next().unwrap();
    let count = num(&sql(&p, &format!("select count(*) from posts where platform = '{platform}'"))[0]);
    let total = num(&sql(&p, "select count(*) from posts")[0]);
    let rows = chart_rows(&page);
    assert_eq!(rows[0].1 as f64, total, "the clicked chart keeps every bar and highlights one");
    for (id, n) in &rows[1..] {
        assert_eq!(*n as f64, count, "{id} was not cross-filtered to {platform}");
    }
    page.click(".vcd-active .vcd-clear").unwrap();
    settle(&page);
    assert!(chart_rows(&page).iter().skip(1).all(|(_, n)| *n as f64 == total));
    assert!(!search(&page).contains("filter."), "{}", search(&page));

    // Where an input filters the same field, the click sets that input (an exact variant).
    page.navigate(&server.url("")).unwrap();
    settle(&page);
    click_first_bar(&page, "chart-1");
    let chosen = page.eval("document.querySelector('select[data-input=platform]').selectedOptions[0].text").unwrap();
    let chosen = chosen.as_str().unwrap();
    assert!(["instagram", "tiktok"].contains(&chosen), "{chosen}");
    let posts = num(&sql(&p, &format!("select count(*) from posts where platform = '{chosen}'"))[0]);
    assert_eq!(kpi(&page, "Posts"), posts);
}

#[test]
fn the_url_restores_every_filter_and_keyboard_drives_them() {
    let Some(browser) = Browser::for_test() else { return };
    let (p, server) = site();
    let page =
        browser.open(&server.url("?platform=tiktok&posted=2025-02-01..2025-04-30&type=photo,video&q=1")).unwrap();
    settle(&page);
    let shown = page
        .eval(
            "[document.querySelector('select[data-input=platform]').value, \
              document.querySelector('[data-end=from]').value, document.querySelector('[data-end=to]').value, \
              Array.from(document.querySelectorAll('[data-input=type] input:checked')).map(b => b.parentNode.textContent.trim()), \
              document.querySelector('[data-input=q]').value]",
        )
        .unwrap();
    assert_eq!(shown, json!(["1", "2025-02-01", "2025-04-30", ["photo", "video"], "1"]));
    let filtered = sql(
        &p,
        "select count(*), sum(saves) from posts where platform = 'tiktok' and posted_at between date '2025-02-01' \
         and date '2025-04-30' and post_type in ('photo', 'video') and caption ilike '%1%'",
    );
    assert_eq!(kpi(&page, "Saves in view"), num(&filtered[1]));
    assert_eq!(chart_rows(&page)[1].1 as f64, num(&filtered[0]));
    assert_eq!(kpi(&page, "Posts"), num(&sql(&p, "select count(*) from posts where platform = 'tiktok'")[0]));

    // From the keyboard: a chart's data table offers each category as a button,
    // and the dropdown moves with the arrow keys.
    page.navigate(&server.url("")).unwrap();
    settle(&page);
    // A closed data table is filled by the first drawing; after a filter
    // change it waits, empty, for the reader to open it, then shows the
    // rows the chart draws now.
    let table_rows = "document.querySelectorAll('#chart-3 .vcd-chart-data tbody tr').length";
    let drawn = "document.getElementById('chart-3').vcdRows.length";
    assert_eq!(page.eval(table_rows).unwrap(), page.eval(drawn).unwrap());
    page.select("select[data-input=platform]", "1").unwrap();
    settle(&page);
    let rows = page.eval(drawn).unwrap().as_u64().unwrap();
    assert_eq!(page.eval(table_rows).unwrap(), json!(0), "closed, it is not built on a redraw");
    let summary = page.eval("document.querySelector('#chart-3 .vcd-chart-data summary').textContent").unwrap();
    assert_eq!(summary, json!(format!("Data ({rows} rows)")));
    page.eval("document.querySelector('#chart-3 .vcd-chart-data').open = true").unwrap();
    page.wait_for(&format!("{table_rows} === {}", rows.min(500)), Duration::from_secs(10)).unwrap();
    page.navigate(&server.url("")).unwrap();
    settle(&page);
    page.eval("document.querySelector('#chart-3 .vcd-chart-data').open = true").unwrap();
    let first = page.eval("document.querySelector('#chart-3 .vcd-select').textContent").unwrap();
    page.eval("document.querySelector('#chart-3 .vcd-select').focus()").unwrap();
    for kind in ["keyDown", "keyUp"] {
        let code = json!({"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"});
        page.cdp("Input.dispatchKeyEvent", code).unwrap();
    }
    settle(&page);
    let first = first.as_str().unwrap();
    assert!(search(&page).contains(&format!("platform={first}")), "{}", search(&page));
    let count = |platform: &str| num(&sql(&p, &format!("select count(*) from posts where platform = '{platform}'"))[0]);
    assert_eq!(kpi(&page, "Posts"), count(first));

    page.click(".vcd-active .vcd-clear").unwrap();
    settle(&page);
    assert!(!search(&page).contains("platform="), "{}", search(&page));
    page.eval("document.querySelector('select[data-input=platform]').focus()").unwrap();
    for kind in ["rawKeyDown", "keyUp"] {
        let code = json!({"type": kind, "key": "ArrowDown", "code": "ArrowDown", "windowsVirtualKeyCode": 40});
        page.cdp("Input.dispatchKeyEvent", code).unwrap();
    }
    settle(&page);
    assert!(search(&page).contains("platform=instagram"), "{}", search(&page));
    assert_eq!(kpi(&page, "Posts"), count("instagram"));
}

#[test]
fn one_page_per_row_exists_and_the_table_links_to_it() {
    let Some(browser) = Browser::for_test() else { return };
    let (p, server) = site();
    let posts = num(&sql(&p, "select count(*) from posts")[0]) as usize;
    let pages = std::fs::read_dir(p.path("site/posts"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("index.html").is_file())
        .count();
    assert_eq!(pages, posts);
    let page = browser.open(&server.url("?platform=tiktok")).unwrap();
    settle(&page);
    let link = page.eval("document.querySelector('.vcd-table tbody a').textContent").unwrap();
    page.click(".vcd-table tbody a").unwrap();
    page.wait_for(
        "location.pathname.startsWith('/posts/') && document.readyState === 'complete' && document.querySelector('h1')",
        Duration::from_secs(10),
    )
    .unwrap();
    let h1 = page.eval("document.querySelector('h1').textContent").unwrap();
    assert_eq!(h1, link);
    let id = page.eval("location.pathname.split('/')[2]").unwrap();
    let row = sql(&p, &format!("select caption, platform from posts where post_id = {}", id.as_str().unwrap()));
    assert_eq!((row[0].clone(), row[1].clone()), (link, json!("tiktok")));
}
