//! A page per row gets only its row: each page made from a bracketed file
//! carries its own rows of the queries keyed like it (checked against
//! independent SQL), odd key values each find their own rows, a result read
//! only that way is not written whole, `vcd serve` keeps each page's rows
//! current, and in the browser a post page draws its rows and fetches no
//! data file at all.

use crate::support::browser::{Browser, Page};
use crate::support::project::page_urls;
use crate::support::project::TempProject;
use crate::support::serve::Serve;
use crate::support::static_server::StaticServer;
use serde_json::Value;
use std::time::Duration;
use vcd::source::Source;

/// The manifest a built page carries for the runtime (`<script id="vcd-page">`).
fn manifest(p: &TempProject, url: &str) -> Value {
    let html = p.read(&format!("site/{url}index.html"));
    let start = html.find("id=\"vcd-page\">").map(|i| i + "id=\"vcd-page\">".len());
    let Some(start) = start else { return Value::Null };
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// The page's own rows of `query`, as it carries them
/// (`<script type="application/json" class="vcd-rows" data-query="…">`), if it does.
fn carried(p: &TempProject, url: &str, query: &str) -> Option<Value> {
    let html = p.read(&format!("site/{url}index.html"));
    let tag = format!("<script type=\"application/json\" class=\"vcd-rows\" data-query=\"{query}\">");
    let start = html.find(&tag)? + tag.len();
    let end = start + html[start..].find("</script>").unwrap();
    Some(serde_json::from_str(&html[start..end]).unwrap())
}

/// The page's own rows of `query`; panics if it carries none.
fn own_rows(p: &TempProject, url: &str, query: &str) -> Value {
    carried(p, url, query).unwrap_or_else(|| panic!("{url}: no rows of its own of {query}"))
}

/// The data files of a built site, relative to `site/data`.
fn data_files(p: &TempProject) -> Vec<String> {
    let data = p.path("site/data");
    walkdir::WalkDir::new(&data)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(&data).unwrap().to_string_lossy().into_owned())
        .collect()
}

/// An in-memory DuckDB over the project's `data/`, for independent SQL.
fn duckdb(p: &TempProject) -> impl Fn(&str) -> Value {
    let source = crate::support::duck::open(&p.path("data"));
    move |sql: &str| {
        let r = source.run(sql, &[], usize::MAX).unwrap_or_else(|e| panic!("{}\n{sql}", e.message));
        serde_json::from_slice(&r.to_json_bytes()).unwrap()
    }
}

/// Every page whose manifest reads `query` without carrying rows of its own.
fn whole_readers(p: &TempProject, query: &str) -> Vec<String> {
    page_urls(&p.path("site"), "")
        .into_iter()
        .filter(|url| manifest(p, url)["queries"][query].is_object() && carried(p, url, query).is_none())
        .collect()
}

#[test]
fn each_demo_post_page_gets_only_its_own_daily_rows() {
    let demo = TempProject::demo();
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sql = duckdb(&demo);
    let posts = page_urls(&demo.path("site"), "posts");
    assert!(posts.len() >= 100, "{posts:?}");
    for url in &posts {
        let id: i64 = url.trim_start_matches("posts/").trim_end_matches('/').parse().unwrap();
        let rows = own_rows(&demo, url, "post_daily");
        let want = sql(&format!(
            "SELECT post_id, metric_date, impressions, reach, likes, comments, shares, saves \
             FROM social_media_metrics WHERE post_id = {id} ORDER BY metric_date"
        ));
        assert!(!want.as_array().unwrap().is_empty(), "post {id} has daily rows");
        assert_eq!(rows, want, "{url}");
        // One file per post: its page, with its rows inside.
        let folder = demo.path(&format!("site/{url}"));
        assert_eq!(std::fs::read_dir(folder).unwrap().count(), 1, "{url}");
    }
    // No dashboard page reads post_daily whole, so no file of it is written at all.
    assert_eq!(whole_readers(&demo, "post_daily"), Vec::<String>::new());
    let files = data_files(&demo);
    assert!(files.iter().all(|f| !f.starts_with("post_daily")), "{files:?}");
    // A query whose rows dashboard pages load is written whole, as before.
    assert!(demo.path("site/data/post_facts.json").is_file());
}

#[test]
fn odd_key_values_each_get_their_own_rows() {
    let p = TempProject::fixture("slices");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sql = duckdb(&p);
    let things = page_urls(&p.path("site"), "things");
    assert_eq!(things, ["things/007/", "things/17/", "things/Año ✨ nuevo/", "things/plain/", "things/with space/"]);
    for url in &things {
        let id = url.trim_start_matches("things/").trim_end_matches('/');
        let rows = own_rows(&p, url, "events");
        // The SQL compares text with text: '17' is not 17, '007' is not '7'.
        let want = sql(&format!("SELECT id, day, amount FROM events WHERE id = '{id}' ORDER BY id, day"));
        assert_eq!(rows, want, "{url}");
        // The build-time table and KPI show the same rows as the browser will.
        let html = p.read(&format!("site/{url}index.html"));
        let table = &html[html.find("<figure class=\"vcd-table").unwrap()..];
        let shown = table[..table.find("</tbody>").unwrap()].matches("<tr>").count() - 1;
        assert_eq!(shown, want.as_array().unwrap().len(), "{url}: {table}");
        let total: i64 = want.as_array().unwrap().iter().map(|r| r["amount"].as_i64().unwrap()).sum();
        assert!(html.contains(&format!("data-value=\"{total}\"")), "{url}: KPI {total}");
    }
    assert_eq!(own_rows(&p, "things/007/", "events"), serde_json::json!([]), "a key with no rows: an empty list");

    let accounts = page_urls(&p.path("site"), "accounts");
    assert_eq!(accounts.len(), 4, "{accounts:?}");
    for url in &accounts {
        let id = url.trim_start_matches("accounts/").trim_end_matches('/');
        let rows = own_rows(&p, url, "payments");
        // Beyond 2^53 the JSON holds the digits as text; SQL compares the exact integers.
        let want = sql(&format!("SELECT account_id, day, amount FROM payments WHERE account_id = {id} ORDER BY day"));
        assert_eq!(rows, want, "{url}");
        assert_eq!(rows.as_array().unwrap().len(), if id == "9007199254740993" { 2 } else { 1 }, "{url}");
    }

    // Whole files only where a page reads them whole; no file per page.
    assert!(!p.path("site/data/events.json").exists(), "no page reads events whole");
    assert_eq!(whole_readers(&p, "payments"), [""], "the home page reads payments whole");
    assert!(p.path("site/data/payments.json").is_file());
    let files = data_files(&p);
    assert!(files.iter().all(|f| !f.contains('/') && !f.starts_with("events")), "{files:?}");
    assert!(
        manifest(&p, "things/17/")["queries"]["accounts"].is_object()
            && carried(&p, "things/17/", "accounts").is_none(),
        "a query without the key column is read whole"
    );
}

#[test]
fn a_key_column_of_another_type_is_an_error() {
    let p = TempProject::fixture("slices");
    p.write("queries/account_names.sql", "SELECT CAST(account_id AS VARCHAR) AS account_id, name FROM accounts\n");
    p.write(
        "pages/named/[account_id].md",
        "---\nrows: account_names\n---\n# {{ row.name }}\n\n{{ table(\"payments\") }}\n",
    );
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "pages/named/[account_id].md:6: each page made from this file loads only the rows of 'payments' whose \
             'account_id' equals its own, but 'account_id' is BIGINT in 'payments' and VARCHAR in 'account_names', \
             so no row would match; cast one to the other's type in SQL"
        ),
        "{}",
        r.stderr
    );
}

/// Waits until the page's runtime has drawn everything.
fn settle(page: &Page) {
    page.wait_for("window.vcd && window.vcd.ready && window.vcd.ready.then(() => true)", Duration::from_secs(30))
        .unwrap();
    page.wait_for(
        "Array.from(document.querySelectorAll('figure.vcd-chart')).every(f => \
           ['rendered', 'error'].includes(f.getAttribute('data-status')))",
        Duration::from_secs(30),
    )
    .unwrap();
}

/// The data files the server was asked for since `from`, as requested.
fn data_requests(server: &StaticServer, from: usize) -> Vec<String> {
    server.requests()[from..].iter().filter(|(path, _)| path.contains("/data/")).map(|(p, _)| p.clone()).collect()
}

#[test]
fn in_the_browser_a_post_page_draws_its_own_rows_and_fetches_no_data_file() {
    let Some(browser) = Browser::for_test() else { return };
    let demo = TempProject::demo();
    assert_eq!(demo.vcd(&["build"]).code, 0);
    let sql = duckdb(&demo);
    let server = StaticServer::start(&demo.path("site"), "/");
    let page = browser.open("about:blank").unwrap();
    let posts = page_urls(&demo.path("site"), "posts");
    for url in [&posts[0], &posts[posts.len() / 2], &posts[posts.len() - 1]] {
        let id = url.trim_start_matches("posts/").trim_end_matches('/');
        let from = server.requests().len();
        page.navigate(&server.url(url)).unwrap();
        settle(&page);
        let chart = page
            .eval(
                "(f => [f.getAttribute('data-status'), f.getAttribute('data-rows'), \
                   f.querySelectorAll('svg g.role-mark:not(.mark-group) > *').length])\
                 (document.querySelector('figure.vcd-chart'))",
            )
            .unwrap();
        let n = sql(&format!("SELECT count(*) AS n FROM social_media_metrics WHERE post_id = {id}"))[0]["n"].clone();
        assert_eq!(chart[0], "rendered", "{url}");
        assert_eq!(chart[1].as_str().unwrap(), n.to_string(), "{url}: the chart holds its post's rows");
        assert!(chart[2].as_u64().unwrap() > 0, "{url}: marks drawn");
        assert_eq!(data_requests(&server, from), Vec::<String>::new(), "{url} carries its own rows");
        assert!(page.console_errors().is_empty(), "{url}: {:?}", page.console_errors());
    }
}

#[test]
fn in_the_browser_odd_keys_filters_and_empty_own_rows_work() {
    let Some(browser) = Browser::for_test() else { return };
    let p = TempProject::fixture("slices");
    assert_eq!(p.vcd(&["build"]).code, 0);
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open("about:blank").unwrap();
    let state = "[document.querySelector('figure.vcd-chart').getAttribute('data-status'), \
                  document.querySelector('figure.vcd-chart').getAttribute('data-rows'), \
                  document.querySelector('.kpi-value').textContent, \
                  document.querySelectorAll('figure.vcd-table')[0].querySelectorAll('tbody tr').length, \
                  Array.from(document.querySelectorAll('figure.vcd-table')).map(f => !!f.querySelector('.vcd-unfiltered'))]";
    let cases = [
        ("things/17/", "", serde_json::json!(["rendered", "2", "13", 2, [false, false]])),
        ("things/Año ✨ nuevo/", "", serde_json::json!(["rendered", "2", "9", 2, [false, false]])),
        ("things/with space/", "", serde_json::json!(["rendered", "1", "3", 1, [false, false]])),
        // No rows: the chart draws empty, the sum is 0, nothing fails.
        ("things/007/", "", serde_json::json!(["rendered", "0", "0", 0, [false, false]])),
        // The page's filters apply to its slice, and say so where they cannot.
        ("things/17/", "?days=2024-01-03..", serde_json::json!(["rendered", "1", "7", 1, [false, true]])),
        ("things/17/", "?filter.amount=6", serde_json::json!(["rendered", "1", "6", 1, [false, true]])),
    ];
    for (url, query, want) in cases {
        let from = server.requests().len();
        let href = format!("{}{query}", vcd::page::href(url));
        page.navigate(&server.url(&href)).unwrap();
        settle(&page);
        assert_eq!(page.eval(state).unwrap(), want, "{url}{query}");
        let fetched = data_requests(&server, from);
        assert!(fetched.iter().all(|f| !f.contains("events")), "{url}: {fetched:?}");
        assert!(page.console_errors().is_empty(), "{url}{query}: {:?}", page.console_errors());
    }
    // Every link from the home page's table of things lands on its page.
    page.navigate(&server.url("")).unwrap();
    settle(&page);
    let links = page.eval("Array.from(document.querySelectorAll('main table a')).map(a => a.href)").unwrap();
    assert!(links.as_array().unwrap().len() >= 5, "{links}");
    for link in links.as_array().unwrap() {
        let path = link.as_str().unwrap().trim_start_matches(&server.origin()).to_string();
        page.navigate(link.as_str().unwrap()).unwrap();
        let status = server.requests().into_iter().rfind(|(p, _)| *p == path).map(|(_, s)| s);
        assert_eq!(status, Some(200), "{path}");
    }
    assert!(server.failures().into_iter().all(|(p, _)| p == "/favicon.ico"), "{:?}", server.failures());
}

#[test]
fn serve_rewrites_a_changed_querys_own_rows_and_removes_stale_pages() {
    let p = TempProject::fixture("slices");
    let s = Serve::start(&p.root);
    let wait = Duration::from_secs(60);
    assert_eq!(own_rows(&p, "things/plain/", "events").as_array().unwrap().len(), 2);

    // A changed query: every page's own rows are rewritten from the new result.
    let mut events = s.events();
    p.write("queries/events.sql", "SELECT id, day, amount * 100 AS amount FROM events ORDER BY id, day\n");
    events.wait_for("event: reload", wait);
    assert_eq!(
        own_rows(&p, "things/17/", "events"),
        serde_json::json!([{"id": "17", "day": "2024-01-02", "amount": 600},
        {"id": "17", "day": "2024-01-03", "amount": 700}])
    );

    // A row gone: its page goes too.
    let mut events = s.events();
    p.write("queries/things.sql", "SELECT id, label FROM things WHERE id <> 'plain' ORDER BY label\n");
    events.wait_for("event: reload", wait);
    s.eventually("the page of 'plain' removed", wait, || !p.path("site/things/plain/index.html").exists());

    // A page reading events whole: the whole file appears; gone again, it goes.
    assert!(!p.path("site/data/events.json").exists());
    let mut events = s.events();
    p.write("pages/all.md", "# All events\n\n{{ table(\"events\") }}\n");
    events.wait_for("event: reload", wait);
    s.eventually("events.json written", wait, || p.path("site/data/events.json").is_file());
    let mut events = s.events();
    p.remove("pages/all.md");
    events.wait_for("event: reload", wait);
    s.eventually("events.json removed", wait, || !p.path("site/data/events.json").exists());

    // The pages made from accounts go, and the home page still reads payments whole.
    let mut events = s.events();
    p.remove("pages/accounts/[account_id].md");
    events.wait_for("event: reload", wait);
    s.eventually("the account pages removed", wait, || {
        !p.path("site/accounts").exists() || page_urls(&p.path("site"), "accounts").is_empty()
    });
    assert!(p.path("site/data/payments.json").is_file(), "the home page still reads it whole");
}

#[test]
fn a_result_over_max_rows_is_spilled_by_key_and_every_page_gets_the_same_bytes() {
    // `events` has 10 rows; ordered by day, each id's rows come back apart,
    // so the spill reads each value's rows back from several runs.
    for order in ["id, day", "day, id"] {
        let p = TempProject::fixture("slices");
        p.write("queries/events.sql", &format!("SELECT id, day, amount FROM events ORDER BY {order}\n"));
        let r = p.vcd(&["build"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let held = p.site_files();
        // At 6 rows a query may hold, `events` is too big to hold; the pages
        // made from `things` rows read it in slices, so it is spilled by `id`.
        p.write("vcd.toml", "max_rows = 6\n");
        let r = p.vcd(&["build", "--no-cache"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let spilled = p.site_files();
        assert_eq!(held.len(), spilled.len(), "order {order}");
        for ((path, a), (_, b)) in held.iter().zip(&spilled) {
            assert!(a == b, "order {order}: {} differs", path.display());
        }
        // From the cache too: a held result over the limit is treated the same.
        p.write("vcd.toml", "");
        assert_eq!(p.vcd(&["build"]).code, 0);
        p.write("vcd.toml", "max_rows = 6\n");
        let r = p.vcd(&["build"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(p.site_files() == spilled, "order {order}: cached and spilled differ");
    }
}

#[test]
fn a_page_reading_a_result_over_max_rows_whole_is_an_error_naming_its_line() {
    let p = TempProject::fixture("slices");
    p.write("vcd.toml", "max_rows = 6\n");
    assert_eq!(p.vcd(&["build"]).code, 0);
    let before = p.site_files();
    let index = p.read("pages/index.md");
    let table = "{{ table(\"events\", columns=[\"day\"]) }}\n";
    let chart = "```vega-lite\n{\"data\": {\"name\": \"events\"}, \"mark\": \"point\",\n \"encoding\": {\"x\": {\"field\": \"day\", \"type\": \"temporal\"}}}\n```\n";
    for (added, what) in [(table, "table: query 'events'"), (chart, "query 'events'")] {
        p.write("pages/index.md", &format!("{index}\n{added}"));
        let r = p.vcd(&["build"]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        let line = index.lines().count() + 2;
        assert!(r.stderr.contains(&format!("pages/index.md:{line}")), "{}", r.stderr);
        assert!(r.stderr.contains(what) && r.stderr.contains("more than max_rows = 6 rows"), "{}", r.stderr);
        assert!(p.site_files() == before, "a failed build leaves the site as it was");
    }
    // A result too big to hold that no page made from rows can read in slices
    // is refused at the query, as before.
    p.write("pages/index.md", &index);
    p.write("queries/amounts.sql", "SELECT day, amount FROM events\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("queries/amounts.sql: query returns more than max_rows = 6 rows"), "{}", r.stderr);
    assert!(!r.stderr.contains("queries/events.sql"), "events is spilled: {}", r.stderr);
}
