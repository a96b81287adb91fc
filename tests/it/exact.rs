//! Exact values: integers beyond 2^53 (BIGINT, HUGEINT, DECIMAL(38,0)) keep
//! every digit in template filters, table cells and KPI cards, before and after
//! the scripts run; a calendar day is the same day in every time zone on chart
//! axes, tooltips and tables; and column types come from the engine's schema.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::{json, Value};
use std::time::Duration;

const BIG_SQL: &str = "
SELECT * FROM (VALUES
  (1, CAST(9007199254740993 AS BIGINT), CAST(170141183460469231731687303715884105727 AS HUGEINT),
      CAST('99999999999999999999999999999999999999' AS DECIMAL(38,0)), CAST('12345678901234567.89' AS DECIMAL(38,2))),
  (2, CAST(9007199254740995 AS BIGINT), CAST(-170141183460469231731687303715884105727 AS HUGEINT),
      CAST('-12345678901234567890123456789' AS DECIMAL(38,0)), CAST('0.10' AS DECIMAL(38,2))),
  (3, CAST(-9223372036854775808 AS BIGINT), CAST(1 AS HUGEINT), CAST(5 AS DECIMAL(38,0)), NULL)
) AS t(n, id, huge, dec38, cents) ORDER BY n
";

const BIG_PAGE: &str = r#"---
title: Big
---
# Big

<p id="filters">{{ big[0].id | number }}|{{ big[1].id | number }}|{{ big[2].id | number }}|{{ big[0].huge | number }}|{{ big[0].dec38 | number }}|{{ big[0].cents | number(decimals=2) }}|{{ big[0].id | compact }}|{{ big[0].huge | currency(decimals=0) }}</p>

<div class="kpis">
{{ kpi("Sum of ids", "id", data="big", agg="sum") }}
{{ kpi("Max huge", "huge", data="big", agg="max") }}
{{ kpi("Sum of huge", "huge", data="big", agg="sum") }}
{{ kpi("Mean id", "id", data="big", agg="mean") }}
{{ kpi("First dec", "dec38", data="big") }}
{{ kpi("Sum of cents", "cents", data="big", agg="sum", format="currency") }}
</div>

{{ table("big", formats={"id": "number", "huge": "number", "dec38": "number", "cents": "number"}) }}
{{ table("big", columns=["id"], sort="-id") }}
"#;

fn settle(page: &Page) {
    page.wait_for("window.vcd && window.vcd.ready && window.vcd.ready.then(() => true)", Duration::from_secs(20))
        .unwrap();
    let errors = page.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

fn texts(page: &Page, css: &str) -> Vec<String> {
    let v =
        page.eval(&format!("Array.from(document.querySelectorAll({css:?})).map(e => e.textContent.trim())")).unwrap();
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// The cell texts of the page's `n`th data table, row by row.
fn table_cells(page: &Page, n: usize) -> Vec<String> {
    let v = page
        .eval(&format!(
            "Array.from(document.querySelectorAll('figure.vcd-table')[{n}].querySelectorAll('tbody td')).map(e => e.textContent)"
        ))
        .unwrap();
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

fn big_project() -> TempProject {
    let p = TempProject::fixture("basic");
    p.write("queries/big.sql", BIG_SQL);
    p.write("pages/big.md", BIG_PAGE);
    p
}

#[test]
fn big_integers_keep_every_digit_in_json_and_in_the_built_page() {
    let p = big_project();
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let data: Value = serde_json::from_str(&p.read("site/data/big.json")).unwrap();
    assert_eq!(data[0]["id"], json!("9007199254740993"));
    assert_eq!(data[0]["huge"], json!("170141183460469231731687303715884105727"));
    assert_eq!(data[0]["dec38"], json!("99999999999999999999999999999999999999"));
    assert_eq!(data[0]["cents"], json!("12345678901234567.89"));
    assert_eq!(data[1]["cents"], json!(0.1));
    assert_eq!(data[2]["id"], json!("-9223372036854775808"));
    assert_eq!(data[2]["dec38"], json!(5));
    let html = p.read("site/big/index.html");
    for want in [
        "9,007,199,254,740,993|9,007,199,254,740,995|-9,223,372,036,854,775,808",
        "170,141,183,460,469,231,731,687,303,715,884,105,727|99,999,999,999,999,999,999,999,999,999,999,999,999",
        "12,345,678,901,234,567.89|9,007.2T|$170,141,183,460,469,231,731,687,303,715,884,105,727",
    ] {
        let shown = html.replace("&#44;", ",").replace("&#46;", ".").replace("&#45;", "-").replace("&#124;", "|");
        assert!(shown.contains(want), "{want} not in the page:\n{shown}");
    }
}

#[test]
fn big_integers_read_the_same_after_the_scripts_run() {
    let Some(browser) = Browser::for_test() else { return };
    let p = big_project();
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/");
    let built = browser.open("about:blank").unwrap();
    built.cdp("Emulation.setScriptExecutionDisabled", json!({"value": true})).unwrap();
    built.navigate(&server.url("big/")).unwrap();
    let page = browser.open(&server.url("big/")).unwrap();
    settle(&page);
    let kpis = texts(&page, ".kpi-value");
    assert_eq!(
        kpis,
        [
            // 9007199254740993 + 9007199254740995 − 9223372036854775808, added exactly (BigInt).
            "-9,205,357,638,345,293,820",
            "170,141,183,460,469,231,731,687,303,715,884,105,727",
            // huge + (−huge) + 1: exact within the 128-bit range.
            "1",
            // A mean of values beyond 2^53 cannot be exact: it says so.
            // (−9205357638345293820 / 3 as a double, shown by its shortest decimal.)
            "≈-3,068,452,546,115,098,000",
            "99,999,999,999,999,999,999,999,999,999,999,999,999",
            // 12345678901234567.89 + 0.10 has more digits than a double: approximate.
            "≈$12,345,678,901,234,568.00",
        ]
    );
    assert_eq!(texts(&built, ".kpi-value"), kpis, "the built cards say the same");
    let title = page.eval("document.querySelectorAll('.kpi-value')[3].title").unwrap();
    assert!(title.as_str().unwrap().contains("Approximate"), "{title}");
    let cells = table_cells(&page, 0);
    assert_eq!(
        &cells[..5],
        [
            "1",
            "9,007,199,254,740,993",
            "170,141,183,460,469,231,731,687,303,715,884,105,727",
            "99,999,999,999,999,999,999,999,999,999,999,999,999",
            "12,345,678,901,234,567.89"
        ]
    );
    assert_eq!(texts(&built, "figure.vcd-table tbody td"), texts(&page, "figure.vcd-table tbody td"));
    // Sorted by exact value, descending: ...995 before ...993, the most negative last.
    let sorted = table_cells(&page, 1);
    assert_eq!(sorted, ["9007199254740995", "9007199254740993", "-9223372036854775808"]);
}

#[test]
fn column_types_come_from_the_schema_and_vcd_query_shows_them() {
    let p = TempProject::fixture("basic");
    p.write(
        "queries/zips.sql",
        "SELECT * FROM (VALUES ('00501', 3, DATE '2024-05-01', CAST(7 AS HUGEINT)), ('10001', 5, DATE '2024-05-02', 8), \
         ('90210', 4, DATE '2024-05-03', 9)) AS t(zip, n, day, big)",
    );
    p.write(
        "pages/zips.md",
        "# Zips\n\n{{ bar_chart('zips', x='zip', y='n') }}\n\n{{ line_chart('zips', x='day', y='big') }}\n",
    );
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = p.read("site/zips/index.html");
    let specs: Vec<Value> = html
        .split("<script type=\"application/json\" class=\"vcd-spec\">")
        .skip(1)
        .map(|s| serde_json::from_str(s.split("</script>").next().unwrap()).unwrap())
        .collect();
    assert_eq!(specs.len(), 2, "{html}");
    assert_eq!(specs[0]["encoding"]["x"]["type"], "nominal", "a VARCHAR of digits is a category: {}", specs[0]);
    assert_eq!(specs[0]["encoding"]["y"]["type"], "quantitative");
    assert_eq!(specs[1]["encoding"]["x"]["type"], "temporal");
    assert_eq!(specs[1]["encoding"]["x"]["scale"]["type"], "utc", "a day is drawn on a UTC scale: {}", specs[1]);
    assert_eq!(specs[1]["encoding"]["y"]["type"], "quantitative");
    let r = p.vcd(&["query", "zips"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let types = r.stdout.lines().nth(1).unwrap_or_default().to_string();
    for t in ["VARCHAR", "INTEGER", "DATE", "HUGEINT"] {
        assert!(types.contains(t), "vcd query shows the type {t}: {}", r.stdout);
    }
    let r = p.vcd(&[
        "query",
        "SELECT CAST(1 AS DECIMAL(38,0)) AS d, [1, 2] AS l, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS t",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for t in ["DECIMAL(38,0)", "INTEGER[]", "TIMESTAMP WITH TIME ZONE"] {
        assert!(r.stdout.contains(t), "vcd query shows the type {t}: {}", r.stdout);
    }
}

const DAYS_SQL: &str = "
SELECT * FROM (VALUES (DATE '2024-05-01', 10, TIMESTAMP '2024-05-01 00:00:00'),
                      (DATE '2024-05-02', 20, TIMESTAMP '2024-05-02 00:00:00'),
                      (DATE '2024-05-03', 30, TIMESTAMP '2024-05-03 00:00:00')) AS t(day, n, month_start)
";

const DAYS_PAGE: &str = r#"# Days

{{ bar_chart("days", x="day", y="n", x_format="%b %-d", select=false) }}

{{ line_chart("days", x="month_start", y="n", x_format="%b %-d") }}

{{ table("days", formats={"day": "date", "month_start": "date"}) }}
"#;

/// Axis labels, the first bar's tooltip and the table's day cells, read under a time zone.
fn read_days(browser: &Browser, url: &str, zone: &str) -> Value {
    let page = browser.open("about:blank").unwrap();
    page.cdp("Emulation.setTimezoneOverride", json!({"timezoneId": zone})).unwrap();
    page.navigate(url).unwrap();
    settle(&page);
    let offset = page.eval("new Date(2024, 4, 1).getTimezoneOffset()").unwrap();
    let labels = page
        .eval(
            "Array.from(document.querySelectorAll('figure.vcd-chart')).map(f => \
               Array.from(f.querySelectorAll('.role-axis-label text')).map(t => t.textContent))",
        )
        .unwrap();
    // Hover the first bar and read Vega's tooltip.
    let at = page
        .eval(
            "(() => { const r = document.querySelector('figure.vcd-chart .mark-rect path').getBoundingClientRect(); \
               return [r.x + r.width / 2, r.y + r.height / 2]; })()",
        )
        .unwrap();
    let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
    for (kind, dx) in [("mouseMoved", -3.0), ("mouseMoved", 0.0)] {
        page.cdp("Input.dispatchMouseEvent", json!({"type": kind, "x": x + dx, "y": y})).unwrap();
    }
    page.wait_for(
        "(document.getElementById('vg-tooltip-element') || {}).textContent && \
         document.getElementById('vg-tooltip-element').classList.contains('visible')",
        Duration::from_secs(10),
    )
    .unwrap();
    let tooltip = page.eval("document.getElementById('vg-tooltip-element').textContent").unwrap();
    let cells = page
        .eval("Array.from(document.querySelectorAll('figure.vcd-table tbody tr')).map(r => [r.cells[0].textContent, r.cells[2].textContent])")
        .unwrap();
    json!({"offset": offset, "labels": labels, "tooltip": tooltip, "cells": cells})
}

#[test]
fn a_day_is_the_same_day_in_every_time_zone() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("basic");
    p.write("queries/days.sql", DAYS_SQL);
    p.write("pages/days.md", DAYS_PAGE);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/");
    let url = server.url("days/");
    let utc = read_days(&browser, &url, "UTC");
    let labels = utc["labels"].as_array().unwrap();
    for chart in labels {
        let x: Vec<&str> = chart.as_array().unwrap().iter().filter_map(|t| t.as_str()).collect();
        assert!(x.contains(&"May 1") && x.contains(&"May 3"), "the day axis names the days: {chart}");
    }
    // The tooltip takes the axis format (`%b %-d`): the first bar is May 1, not April 30.
    assert!(utc["tooltip"].as_str().unwrap().contains("May 1"), "{}", utc["tooltip"]);
    assert_eq!(
        utc["cells"],
        json!([["May 1, 2024", "May 1, 2024"], ["May 2, 2024", "May 2, 2024"], ["May 3, 2024", "May 3, 2024"]])
    );
    for zone in ["America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati"] {
        let there = read_days(&browser, &url, zone);
        assert_ne!(there["offset"], utc["offset"], "{zone} is not UTC in the browser");
        for key in ["labels", "tooltip", "cells"] {
            assert_eq!(there[key], utc[key], "{zone}: {key} differ from UTC");
        }
    }
}
