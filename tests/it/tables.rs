//! A table's totals row, in-cell bars, colour scales and column groups: the
//! totals are what SQL computes over the rows the filters keep, formatted as
//! the column's cells; each bar and colour is placed by the column's range
//! over those rows (`util::cellscale`); bad arguments are named.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::{json, Value};
use vcd::source::Source;

const PAGE: &str = "---\ntitle: Table\n---\n# Table\n\n\
{{ dropdown(\"platform\", options=\"platforms\", all=\"All platforms\", label=\"Platform\") }}\n\n\
{{ table(\"posts\", columns=[\"post_id\", \"platform\", \"reach\", \"saves\", \"engagement_rate\"], \
   formats={\"reach\": \"number\", \"saves\": \"number\", \"engagement_rate\": \"percent\"}, \
   totals={\"reach\": \"sum\", \"saves\": \"max\", \"engagement_rate\": \"mean\"}, bars=[\"reach\"], \
   colors=[\"engagement_rate\"], groups={\"Counts\": [\"reach\", \"saves\"]}, sort=\"post_id\", page_size=5) }}\n";

/// What the table should show under `filter`: its totals row and the first
/// page's reach bars and engagement colours, from SQL and `util::cellscale`.
fn expected(p: &TempProject, filter: &str) -> Value {
    let db = crate::support::duck::open(&p.path("data"));
    let run = |sql: &str| db.run(sql, &[], usize::MAX).unwrap_or_else(|e| panic!("{}\n{sql}", e.message)).rows;
    let t = &run(&format!(
        "SELECT sum(reach), max(saves), avg(engagement_rate), min(reach)::DOUBLE, max(reach)::DOUBLE, \
         min(engagement_rate), max(engagement_rate) FROM posts WHERE {filter}"
    ))[0];
    let cell = |v: &Value, f: &str| vcd::util::format::cell(v, f);
    let totals = json!([
        "Summary",
        "",
        cell(&t[0], "number"),
        format!("greatest {}", cell(&t[1], "number")),
        format!("mean {}", cell(&t[2], "percent"))
    ]);
    let (reach, rate) =
        ((t[3].as_f64().unwrap(), t[4].as_f64().unwrap()), (t[5].as_f64().unwrap(), t[6].as_f64().unwrap()));
    let first = run(&format!("SELECT reach, engagement_rate FROM posts WHERE {filter} ORDER BY post_id LIMIT 5"));
    let styles: Vec<Value> = first
        .iter()
        .map(|r| json!([vcd::util::cellscale::bar(&r[0], reach), vcd::util::cellscale::heat(&r[1], rate)]))
        .collect();
    json!({"totals": totals, "styles": styles})
}

const READ: &str = "(() => { const t = document.querySelector('figure.vcd-table table'); return { \
    totals: Array.from(t.querySelectorAll('tfoot tr > *')).map(c => c.textContent), \
    styles: Array.from(t.querySelectorAll('tbody tr')).map(tr => [tr.cells[2].getAttribute('style'), \
      tr.cells[4].getAttribute('style')]) }; })()";

fn check(page: &Page, p: &TempProject, filter: &str, case: &str) {
    assert_eq!(page.eval(READ).unwrap(), expected(p, filter), "{case}");
}

#[test]
fn totals_bars_and_colours_follow_the_filters_whether_the_table_ships_whole_or_pages() {
    let Some(browser) = Browser::for_test() else { return };
    for paged in [false, true] {
        let p = TempProject::fixture("filters");
        // This page alone: the fixture's charts of one mark per post do not fit 20 rows.
        std::fs::remove_dir_all(p.path("pages")).unwrap();
        p.write("pages/table.md", PAGE);
        if paged {
            // Chunks of 2 rows: the table pages, and its totals and ranges come from a rollup.
            p.write("vcd.toml", "browser_rows = 20\n");
        }
        let r = p.vcd(&["build"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let html = p.read("site/table/index.html");
        assert_eq!(html.contains("\"paged\":{"), paged, "paged: {paged}");
        assert!(
            html.contains("<th scope=\"colgroup\" colspan=\"2\">Counts</th>"),
            "the group's heading spans its columns"
        );
        let server = StaticServer::start(&p.path("site"), "/dash/");
        let built = browser.open("about:blank").unwrap();
        built.cdp("Emulation.setScriptExecutionDisabled", json!({"value": true})).unwrap();
        built.navigate(&server.url("table/")).unwrap();
        check(&built, &p, "TRUE", "as built");
        let page = browser.open(&server.url("table/")).unwrap();
        page.settle();
        check(&page, &p, "TRUE", &format!("paged {paged}, unfiltered"));
        let platform = page.choose("platform", "1");
        check(
            &page,
            &p,
            &format!("platform = '{}'", platform.as_str().unwrap()),
            &format!("paged {paged}, {platform}"),
        );
        let errors = page.console_errors();
        assert!(errors.is_empty(), "{errors:?}");
    }
}

#[test]
fn a_tables_extras_name_shown_columns() {
    let p = TempProject::fixture("filters");
    let cases: Vec<(String, &str)> = [
        (
            "totals={\"reach\": \"median\"}",
            "table totals for 'reach' must be one of sum, mean, min, max, count, got 'median'",
        ),
        ("totals={\"reech\": \"sum\"}", "table totals column 'reech' is not a shown column (did you mean 'reach'?)"),
        ("bars=[\"caption\"]", "table bars column 'caption' is not a shown column"),
        ("colors=[\"sves\"]", "did you mean 'saves'"),
        ("groups={\"A\": [\"platform\", \"saves\"]}", "the columns of 'A' must stand side by side"),
        ("groups={\"A\": [\"reach\"], \"B\": [\"reach\", \"saves\"]}", "column 'reach' is in two groups"),
        ("total={\"reach\": \"sum\"}", "table has no argument 'total' (did you mean 'totals'?)"),
    ]
    .into_iter()
    .map(|(args, says)| (format!("table(\"posts\", columns=[\"platform\", \"reach\", \"saves\"], {args})"), says))
    .collect();
    p.refuses(&cases.iter().map(|(call, says)| (call.as_str(), *says)).collect::<Vec<_>>());
}
