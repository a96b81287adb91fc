//! Tables over more rows than a page ships page through sorted chunks, and a
//! reader cannot tell: on the demo built twice, once shipping `post_facts`
//! whole (its 120 rows are under the default chunk of 500) and once with
//! `browser_rows = 50` (the tables read 24 chunks of 5 rows per order), every table on the home and
//! viral pages shows the same rows (with their bars and colours), the same
//! totals, the same counts and the same CSV under
//! sorts both ways, pages, searches, a platform, a date range and a
//! cross-filter.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::Value;

/// What every table of the page shows after each step of `steps` (JavaScript
/// run with `f`, the table's figure, then the table redrawn): its rows (cell
/// texts and link targets), `data-rows` and the pager's text, and the CSV.
fn walk(page: &Page, steps: &[&str]) -> Value {
    let steps: Vec<String> = steps.iter().map(|s| format!("f => {{ {s}; }}")).collect();
    let steps = format!("[{}]", steps.join(",\n"));
    page.eval(&format!(
        "(async () => {{
           const out = [];
           for (const f of document.querySelectorAll('figure.vcd-table')) {{
             const seen = async () => [
               Array.from(f.querySelectorAll('tbody tr, tfoot tr')).map(tr => Array.from(tr.cells).map(td =>
                 td.textContent + (td.querySelector('a') ? ' → ' + td.querySelector('a').getAttribute('href') : '') +
                 (td.getAttribute('style') ? ' ' + td.getAttribute('style') : ''))),
               f.getAttribute('data-rows'), f.querySelector('.vcd-table-info').textContent];
             const table = [await seen()];
             for (const step of {steps}) {{
               step(f);
               await f.vcdTable.refresh();
               table.push(await seen());
             }}
             table.push(await f.vcdTable.csv());
             out.push(table);
           }}
           return out;
         }})()"
    ))
    .unwrap()
}

fn settle(page: &Page) {
    crate::dashboard::settle(page);
    let errors = page.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[test]
fn a_table_paging_through_chunks_shows_what_the_whole_result_shows() {
    let Some(browser) = Browser::for_test() else { return };
    let whole = TempProject::demo();
    let chunked = TempProject::demo();
    chunked.write("vcd.toml", &format!("{}\nbrowser_rows = 50\n", chunked.read("vcd.toml")));
    for p in [&whole, &chunked] {
        let r = p.vcd(&["build"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let home = chunked.read("site/index.html");
    assert!(home.contains("\"paged\":{"), "past browser_rows the table pages");
    assert!(!whole.read("site/index.html").contains("\"paged\":{"), "at the demo's size it does not");
    // The tables of post_facts on / and /viral/ read the same chunk sets.
    let folders = |file: &str| {
        let html = chunked.read(file);
        let start = html.find("id=\"vcd-page\">").unwrap() + "id=\"vcd-page\">".len();
        let m: serde_json::Value =
            serde_json::from_str(&html[start..start + html[start..].find("</script>").unwrap()]).unwrap();
        let orders = m["tables"][0]["orders"].as_array().unwrap().clone();
        orders.iter().map(|o| o["folder"].as_str().unwrap().to_string()).collect::<std::collections::BTreeSet<_>>()
    };
    let home_sets = folders("site/index.html");
    assert!(home_sets.len() > 1 && home_sets.iter().all(|f| f.starts_with("post_facts.t")), "{home_sets:?}");
    assert_eq!(home_sets, folders("site/viral/index.html"), "one set per order, shared by both pages");

    // Header `n` (of a narrower table, counted round).
    let click = |n: usize| format!("const b = f.querySelectorAll('thead button'); b[{n} % b.length].click()");
    let search = |s: &str| {
        format!("const i = f.querySelector('.vcd-table-search'); i.value = {s:?}; i.dispatchEvent(new Event('input'))")
    };
    let next = "f.querySelector('.vcd-table-pager button:last-child').click()";
    let prev = "f.querySelector('.vcd-table-pager button:first-child').click()";
    let steps: Vec<String> = vec![
        next.into(),
        next.into(),
        click(0),
        click(0),
        next.into(),
        click(4),
        next.into(),
        click(4),
        prev.into(),
        click(6),
        search("vintage"),
        next.into(),
        search("VINTAGE"),
        click(0),
        search("no such post anywhere"),
        search(""),
    ];
    let steps: Vec<&str> = steps.iter().map(String::as_str).collect();
    let (a, b) = (StaticServer::start(&whole.path("site"), "/"), StaticServer::start(&chunked.path("site"), "/"));
    let page = browser.open("about:blank").unwrap();
    let mut compared = 0;
    for url in ["", "viral/"] {
        for filters in ["", "?platform=tiktok", "?period=2024-03-01..2024-06-30", "?filter.platform=instagram"] {
            let shown = |server: &StaticServer| {
                page.navigate(&server.url(&format!("{url}{filters}"))).unwrap();
                settle(&page);
                walk(&page, &steps)
            };
            let (want, got) = (shown(&a), shown(&b));
            let (want, got) = (want.as_array().unwrap(), got.as_array().unwrap());
            assert_eq!(want.len(), got.len());
            for (t, (w, g)) in want.iter().zip(got).enumerate() {
                for (i, (w, g)) in w.as_array().unwrap().iter().zip(g.as_array().unwrap()).enumerate() {
                    let at =
                        || format!("/{url}{filters}, table {t}, after {:?}", i.checked_sub(1).map(|i| steps.get(i)));
                    if let (Some(w), Some(g)) = (w.as_array(), g.as_array()) {
                        assert_eq!(w[0], g[0], "{}: rows", at());
                        let searching = g[2].as_str().unwrap().contains("searched");
                        if !searching {
                            assert_eq!((&w[1], &w[2]), (&g[1], &g[2]), "{}: count", at());
                        }
                    } else {
                        assert_eq!(w, g, "{}: CSV", at());
                    }
                    compared += 1;
                }
            }
        }
    }
    assert!(compared >= 8 * (steps.len() + 2), "{compared}");
    let whole_file = b.requests().iter().filter(|(p, _)| p.ends_with("/data/post_facts.json")).count();
    assert_eq!(whole_file, 0, "the chunked site never loads the whole result");
    let chunks = b.requests().iter().filter(|(p, _)| p.contains("/data/post_facts.t")).count();
    assert!(chunks > 20, "it reads chunks: {chunks}");
}

#[test]
fn a_table_pages_once_its_rows_outgrow_one_chunk() {
    let demo = TempProject::demo();
    let first: Value = serde_json::from_str(&{
        assert_eq!(demo.vcd(&["build"]).code, 0);
        demo.read("site/data/post_facts.json")
    })
    .unwrap();
    let rows = first.as_array().unwrap().len();
    let config = demo.read("vcd.toml");
    // A chunk is browser_rows / 10 rows: exactly the result's rows, then one fewer.
    for (browser_rows, paged) in [(rows * 10, false), (rows * 10 - 10, true)] {
        demo.write("vcd.toml", &format!("{config}\nbrowser_rows = {browser_rows}\n"));
        let r = demo.vcd(&["build"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let home = demo.read("site/index.html");
        assert_eq!(home.contains("\"paged\":{"), paged, "browser_rows = {browser_rows}, {rows} rows");
        let folders = std::fs::read_dir(demo.path("site/data"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("post_facts.t"))
            .count();
        assert_eq!(folders > 0, paged, "chunk folders written only when a table pages");
    }
}
