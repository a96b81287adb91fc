//! `calendar_heatmap()`: each day's figure is what SQL gives for that
//! calendar day over the rows the filters keep, every day sits in the same
//! cell in every time zone, and bad arguments are named.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::{json, Value};
use vcd::source::Source;

const PAGE: &str = "---\ntitle: Days\n---\n# Days\n\n\
{{ dropdown(\"platform\", options=\"platforms\", all=\"All platforms\", label=\"Platform\") }}\n\
{{ date_range(\"posted\", fields=[\"posted_at\"], label=\"Posted\") }}\n\n\
{{ calendar_heatmap(\"posts\", date=\"posted_at\", value=\"reach\", value_title=\"Reach\") }}\n\n\
{{ calendar_heatmap(\"posts\", date=\"posted_at\", value=\"engagement_rate\", agg=\"mean\", min_n=2, format=\"percent\") }}\n";

/// `[[day, rows, sum of reach, mean engagement rate]…]` by calendar day, as SQL gives them.
fn expected(p: &TempProject, filter: &str) -> Vec<(String, f64, f64, f64)> {
    let db = crate::support::duck::open(&p.path("data"));
    let sql = format!(
        "SELECT strftime(posted_at, '%Y-%m-%d'), count(*)::DOUBLE, sum(reach)::DOUBLE, avg(engagement_rate) \
         FROM posts WHERE {filter} GROUP BY 1 ORDER BY 1"
    );
    let r = db.run(&sql, &[], usize::MAX).unwrap_or_else(|e| panic!("{}\n{sql}", e.message));
    r.rows
        .iter()
        .map(|row| {
            (
                row[0].as_str().unwrap().to_string(),
                row[1].as_f64().unwrap(),
                row[2].as_f64().unwrap(),
                row[3].as_f64().unwrap(),
            )
        })
        .collect()
}

/// Each calendar's data table (the days with rows) against SQL's days.
fn check(page: &Page, want: &[(String, f64, f64, f64)], case: &str) {
    let got = page
        .eval("Array.from(document.querySelectorAll('figure.vcd-chart')).map(f => f.vcdShaped.map(r => Object.values(r)))")
        .unwrap();
    let (sums, means) = (got[0].as_array().unwrap(), got[1].as_array().unwrap());
    assert_eq!(sums.len(), want.len(), "{case}: days with posts");
    for ((s, m), (day, n, reach, rate)) in sums.iter().zip(means).zip(want) {
        let num = |v: &Value| v.as_f64().unwrap();
        assert_eq!((&s[0], num(&s[1]), num(&s[2])), (&json!(day), *n, *reach), "{case}: {day}");
        assert_eq!((&m[0], num(&m[1])), (&json!(day), *n), "{case}: {day}");
        let mean = m[2].as_f64().unwrap();
        assert!((mean - rate).abs() <= 1e-12 * rate.abs(), "{case}: {day} mean {mean} against {rate}");
    }
}

/// Every cell the first calendar draws: `[day, year, week, weekday, figure]`.
const CELLS: &str = "(() => { const v = document.querySelector('figure.vcd-chart').vcdView; \
    const name = v.getState({data: n => n === 'posts'}).data ? 'posts' : null; \
    return v.data(name).map(r => [r.day, r.year, r.week, r.weekday, r.value]); })()";

#[test]
fn a_calendars_days_are_what_sql_gives_under_each_filter_in_any_time_zone() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("filters");
    p.write("pages/days.md", PAGE);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let mut cells = Vec::new();
    for zone in ["Pacific/Kiritimati", "America/Los_Angeles"] {
        let page = browser.open("about:blank").unwrap();
        page.cdp("Emulation.setTimezoneOverride", json!({"timezoneId": zone})).unwrap();
        page.navigate(&server.url("days/")).unwrap();
        page.settle();
        check(&page, &expected(&p, "TRUE"), zone);
        cells.push(page.eval(CELLS).unwrap());
        let errors = page.console_errors();
        assert!(errors.is_empty(), "{zone}: {errors:?}");
    }
    assert_eq!(cells[0], cells[1], "the same cells in both time zones");
    let cells = cells[0].as_array().unwrap();
    assert_eq!(cells.len(), 365, "every day of 2025, the fixture's year");
    // 2025-01-01 was a Wednesday; 2025-01-06 the Monday of the second week.
    assert_eq!(cells[0].as_array().unwrap()[..4], json!(["2025-01-01", "2025", 0, 2]).as_array().unwrap()[..]);
    assert_eq!(cells[5].as_array().unwrap()[..4], json!(["2025-01-06", "2025", 1, 0]).as_array().unwrap()[..]);
    let blank = cells.iter().filter(|c| c[4] == Value::Null).count();
    assert_eq!(365 - blank, expected(&p, "TRUE").len(), "days without posts are blank");

    let page = browser.open(&server.url("days/")).unwrap();
    page.settle();
    let platform = page.choose("platform", "0");
    let only = format!("platform = '{}'", platform.as_str().unwrap());
    check(&page, &expected(&p, &only), "under the platform");
    page.set_dates("posted", "2025-02-01", "2025-03-31");
    let dated = format!("{only} AND posted_at BETWEEN DATE '2025-02-01' AND DATE '2025-03-31'");
    check(&page, &expected(&p, &dated), "under the platform and the dates");
    let faded = page.eval("document.querySelectorAll('figure.vcd-chart')[1].querySelector('svg').textContent").unwrap();
    assert!(faded.as_str().unwrap().contains("Faded: fewer than 2 values"), "{faded}");
}

#[test]
fn a_calendar_takes_a_date_and_a_number() {
    let p = TempProject::fixture("filters");
    p.refuses(&[
        ("calendar_heatmap(\"posts\", value=\"reach\")", "calendar_heatmap needs date="),
        ("calendar_heatmap(\"posts\", date=\"platform\")", "date must be a date or timestamp column, got 'platform'"),
        ("calendar_heatmap(\"posts\", date=\"posted_on\")", "did you mean 'posted_at'"),
        ("calendar_heatmap(\"posts\", date=\"posted_at\", value=\"caption\")", "value must be a number column"),
        ("calendar_heatmap(\"posts\", date=\"posted_at\", agg=\"sum\")", "agg=\"sum\" needs value="),
        ("calendar_heatmap(\"posts\", date=\"posted_at\", value=\"reach\", agg=\"median\")", "agg must be one of"),
        ("calendar_heatmap(\"posts\", date=\"posted_at\", value=\"reach\", min_n=3)", "min_n= needs agg=\"mean\""),
        ("calendar_heatmap(\"posts\", date=\"posted_at\", colour=\"reach\")", "has no argument 'colour'"),
    ]);
}
