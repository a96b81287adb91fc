//! A table's sparkline column: each row's line is its key's series in the
//! second query (its points and figures what SQL finds), the same as built
//! and after the scripts redraw it, found in its shard after sorting,
//! paging and filtering, whether the table ships whole or pages; bad
//! arguments are named.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use vcd::source::Source;

/// Four days a post, one reach left null, and no rows at all for post 5.
const SPARK_SQL: &str = "SELECT post_id, d AS day, \
    CASE WHEN post_id = 3 AND d = 2 THEN NULL ELSE (reach * d) % 997 END AS reach \
    FROM posts, range(1, 5) t(d) WHERE post_id <> 5 ORDER BY post_id DESC, d DESC";

const PAGE: &str = "---\ntitle: Sparks\n---\n# Sparks\n\n\
{{ dropdown(\"platform\", options=\"platforms\", all=\"All platforms\", label=\"Platform\") }}\n\n\
{{ table(\"posts\", columns=[\"post_id\", \"platform\", \"reach\"], formats={\"reach\": \"number\"}, \
   sparkline={\"query\": \"spark\", \"key\": \"post_id\", \"x\": \"day\", \"y\": \"reach\", \"label\": \"Reach\"}, \
   sort=\"post_id\", page_size=5) }}\n";

/// Per post id: the description of its line and its number of points, from SQL.
fn expected(p: &TempProject) -> BTreeMap<String, (String, usize)> {
    let db = crate::support::duck::open(&p.path("data"));
    let sql = format!(
        "WITH s AS ({SPARK_SQL}) SELECT post_id, count(*), min(day), max(day), arg_min(reach, day), \
         arg_max(reach, day), min(reach), max(reach) FROM s WHERE reach IS NOT NULL GROUP BY post_id"
    );
    let rows = db.run(&sql, &[], usize::MAX).unwrap_or_else(|e| panic!("{}", e.message)).rows;
    let n = |v: &Value| vcd::util::format::cell(v, "number");
    rows.iter()
        .map(|r| {
            let label = format!(
                "Reach, {} to {}: first {}, last {}, low {}, high {}",
                vcd::util::format::text(&r[2]),
                vcd::util::format::text(&r[3]),
                n(&r[4]),
                n(&r[5]),
                n(&r[6]),
                n(&r[7])
            );
            (vcd::util::format::text(&r[0]), (label, r[1].as_u64().unwrap() as usize))
        })
        .collect()
}

/// Each shown row: its post id, its sparkline cell's markup, its line's
/// description and its number of points.
const READ: &str = "Array.from(document.querySelectorAll('figure.vcd-table tbody tr')).map(tr => { \
    const td = tr.querySelector('td.vcd-spark'), svg = td.querySelector('svg'); \
    return [tr.cells[0].textContent, td.innerHTML, svg ? svg.getAttribute('aria-label') : null, \
      svg ? svg.querySelector('path').getAttribute('d').split(/[ML]/).length - 1 : 0]; })";

/// The rows shown, each line checked against SQL; returns them.
fn check(page: &Page, want: &BTreeMap<String, (String, usize)>, case: &str) -> Vec<Value> {
    let rows = page.eval(READ).unwrap();
    let rows = rows.as_array().unwrap().clone();
    assert!(!rows.is_empty(), "{case}: rows shown");
    for r in &rows {
        let id = r[0].as_str().unwrap();
        match want.get(id) {
            Some((label, points)) => {
                assert_eq!(r[2], json!(label), "{case}: post {id}'s line");
                assert_eq!(r[3], json!(points), "{case}: post {id}'s points");
            }
            None => assert_eq!(r[1], json!(""), "{case}: post {id} has no series, so no line"),
        }
    }
    rows
}

/// Waits for the table to show rows from number `first` on and their lines to be in.
fn wait(page: &Page, first: usize) {
    page.wait_for(
        &format!(
            "(() => {{ const f = document.querySelector('figure.vcd-table'); \
               return f.querySelector('.vcd-table-info').textContent.startsWith('{first}\\u2013') && \
                 (f.vcdSparks ? f.vcdSparks.then(() => true) : true); }})()"
        ),
        Duration::from_secs(10),
    )
    .unwrap();
}

#[test]
fn sparklines_are_each_rows_series_before_and_after_the_scripts_sorted_paged_and_filtered() {
    let Some(browser) = Browser::for_test() else { return };
    for paged in [false, true] {
        let p = TempProject::fixture("filters");
        std::fs::remove_dir_all(p.path("pages")).unwrap();
        p.write("pages/sparks.md", PAGE);
        p.write(
            "pages/hidden.md",
            &PAGE
                .replace("columns=[\"post_id\", \"platform\", \"reach\"]", "columns=[\"platform\", \"reach\"]")
                .replace("sort=\"post_id\"", "sort=\"reach\""),
        );
        p.write("queries/spark.sql", SPARK_SQL);
        if paged {
            p.write("vcd.toml", "browser_rows = 20\n");
        }
        let r = p.vcd(&["build"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let html = p.read("site/sparks/index.html");
        assert_eq!(html.contains("\"paged\":{"), paged, "paged: {paged}");
        let want = expected(&p);
        assert_eq!(want.len(), 60 - 1, "every post but one has a line");
        // 59 keys, 32 a shard: two shard files, and no file of the query's rows.
        let data: Vec<String> = std::fs::read_dir(p.path("site/data"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.starts_with("spark"))
            .collect();
        assert_eq!(data.len(), 1, "{data:?}");
        assert!(data[0].starts_with("spark.s"), "{data:?}");
        assert_eq!(std::fs::read_dir(p.path(&format!("site/data/{}", data[0]))).unwrap().count(), 2);

        let server = StaticServer::start(&p.path("site"), "/dash/");
        let built = browser.open("about:blank").unwrap();
        built.cdp("Emulation.setScriptExecutionDisabled", json!({"value": true})).unwrap();
        built.navigate(&server.url("sparks/")).unwrap();
        let as_built = check(&built, &want, "as built");
        assert!(as_built.iter().any(|r| r[0] == "5"), "post 5, without a line, is on the first page");

        let page = browser.open(&server.url("sparks/")).unwrap();
        page.settle();
        wait(&page, 1);
        assert_eq!(check(&page, &want, "after the scripts"), as_built, "the same lines before and after the scripts");
        // Sorted back and forth by post_id: the first page again, its lines now made by the
        // runtime from the shards (a paged table shows the page the build wrote instead).
        page.click("figure.vcd-table thead tr:last-child th:nth-child(1) button").unwrap();
        page.click("figure.vcd-table thead tr:last-child th:nth-child(1) button").unwrap();
        wait(&page, 1);
        assert_eq!(check(&page, &want, "redrawn"), as_built, "the runtime's lines are the build's");
        if !paged {
            // The line takes the theme's accent, light and dark; on a phone the table scrolls in its box.
            let stroke = "getComputedStyle(document.querySelector('td.vcd-spark path')).stroke";
            page.set_color_scheme(false).unwrap();
            assert_eq!(page.eval(stroke).unwrap(), "rgb(138, 63, 252)");
            page.set_color_scheme(true).unwrap();
            assert_eq!(page.eval(stroke).unwrap(), "rgb(179, 146, 240)");
            page.set_viewport(390, 844).unwrap();
            let wide = "[document.documentElement.scrollWidth, \
                        document.querySelector('td.vcd-spark svg').getBoundingClientRect().width]";
            assert_eq!(page.eval(wide).unwrap(), json!([390, 100]), "the page stays a phone's width");
        }

        // Sorted by reach, descending, then the second page: other keys, other shards.
        page.click("figure.vcd-table thead tr:last-child th:nth-child(3) button").unwrap();
        page.click("figure.vcd-table thead tr:last-child th:nth-child(3) button").unwrap();
        page.click("figure.vcd-table .vcd-table-pager button:last-child").unwrap();
        wait(&page, 6);
        let second = check(&page, &want, &format!("paged {paged}, by reach, page 2"));
        assert_ne!(second[0][0], as_built[0][0]);

        // The filter keeps the table on its second page.
        let platform = page.choose("platform", "1");
        wait(&page, 6);
        let filtered = check(&page, &want, &format!("paged {paged}, {platform}"));
        let db = crate::support::duck::open(&p.path("data"));
        let ids = db
            .run(
                &format!(
                    "SELECT post_id FROM posts WHERE platform = '{}' ORDER BY reach DESC LIMIT 5 OFFSET 5",
                    platform.as_str().unwrap()
                ),
                &[],
                5,
            )
            .unwrap()
            .rows;
        let ids: Vec<Value> = ids.iter().map(|r| json!(vcd::util::format::text(&r[0]))).collect();
        assert_eq!(filtered.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), ids, "the filter's rows, by reach");
        let errors = page.console_errors();
        assert!(errors.is_empty(), "{errors:?}");
        let warnings = page.console_warnings();
        assert!(warnings.iter().all(|w| !w.contains("sparkline")), "{warnings:?}");

        // A paged table not showing its key column still finds each row's line.
        if paged {
            let hidden = browser.open(&server.url("hidden/")).unwrap();
            hidden.settle();
            hidden.click("figure.vcd-table .vcd-table-pager button:last-child").unwrap();
            wait(&hidden, 6);
            let labels = hidden
                .eval(
                    "Array.from(document.querySelectorAll('td.vcd-spark svg')).map(s => s.getAttribute('aria-label'))",
                )
                .unwrap();
            let labels = labels.as_array().unwrap();
            assert_eq!(labels.len(), 5, "a line in every row of page 2");
            for l in labels {
                assert!(want.values().any(|(w, _)| l == w), "{l} is a post's line");
            }
        }
    }
}

#[test]
fn a_sparklines_arguments_are_checked() {
    let p = TempProject::fixture("filters");
    p.write("queries/spark.sql", "SELECT post_id, posted_at, reach, caption, 'x' AS tag FROM posts");
    let call = |spark: &str| format!("table(\"posts\", columns=[\"post_id\", \"reach\"], sparkline={spark})");
    let cases: Vec<(String, &str)> = [
        (
            r#"{"qurey": "spark", "key": "post_id", "x": "posted_at", "y": "reach"}"#,
            "table sparkline has no key 'qurey' (did you mean 'query'?)",
        ),
        (r#"{"query": "spark", "key": "post_id", "x": "posted_at"}"#, "table sparkline needs 'y'"),
        (
            r#"{"query": "sprak", "key": "post_id", "x": "posted_at", "y": "reach"}"#,
            "unknown query 'sprak' (did you mean 'spark'?)",
        ),
        (r#"{"query": "spark", "key": "post_id", "x": "postd_at", "y": "reach"}"#, "did you mean 'posted_at'"),
        (
            r#"{"query": "spark", "key": "post_id", "x": "posted_at", "y": "caption"}"#,
            "table sparkline y must be a number column, got 'caption' (VARCHAR)",
        ),
        (
            r#"{"query": "spark", "key": "tag", "x": "posted_at", "y": "reach"}"#,
            "table sparkline key 'tag' is not a column of the table's rows",
        ),
        (
            r#"{"query": "spark", "key": "post_id", "x": "posted_at", "y": "reach", "format": "money"}"#,
            "table sparkline format must be one of",
        ),
        (r#"["spark"]"#, "table sparkline must be a map"),
        (
            r#"{"query": "spark", "key": "post_id", "x": "posted_at", "y": "reach", "label": 3}"#,
            "table sparkline label must be text, got 3",
        ),
    ]
    .into_iter()
    .map(|(spark, says)| (call(spark), says))
    .collect();
    p.refuses(&cases.iter().map(|(call, says)| (call.as_str(), *says)).collect::<Vec<_>>());
}
