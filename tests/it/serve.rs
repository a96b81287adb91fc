//! `vcd serve --watch` end to end: edits reach the browser as reload events with
//! the new content, errors show over the last good page and go when fixed,
//! requests outside the site are refused, and editors' habits do not upset it.

use crate::support::browser::Browser;
use crate::support::project::TempProject;
use crate::support::serve::Serve;
use std::time::Duration;

/// Generous: two cores shared by several servers, browsers and a deliberately slow query.
const WAIT: Duration = Duration::from_secs(60);

fn start() -> (TempProject, Serve) {
    let p = TempProject::fixture("filters");
    let s = Serve::start(&p.root);
    (p, s)
}

/// The server's latest rebuild report. It is printed before the reload event is
/// sent, but reaches the test through a pipe, so it is waited for.
fn last_rebuild(s: &Serve) -> String {
    s.eventually("the rebuild report", WAIT, || s.log().iter().any(|l| l.contains(" rendered, ")));
    s.log().into_iter().rfind(|l| l.contains(" rendered, ")).unwrap()
}

/// How many rebuilds the server has reported so far.
fn rebuilds(s: &Serve) -> usize {
    s.log().iter().filter(|l| l.contains(" rendered, ")).count()
}

#[test]
fn a_page_edit_reloads_the_browser_with_the_new_content_and_runs_no_query() {
    let (p, s) = start();
    let mut events = s.events();
    let page = p.read("pages/dates.md");
    p.write(
        "pages/dates.md",
        &page.replace("# Every chart follows the dates", "# Every chart follows the dates\n\nFresh words."),
    );
    events.wait_for("event: reload", WAIT);
    let html = s.text("/dates/");
    assert!(html.contains("Fresh words."), "{html}");
    assert!(html.contains("/__vcd/live.js"), "the served page carries the reload script");
    let on_disk = p.read("site/dates/index.html");
    assert!(on_disk.contains("Fresh words.") && !on_disk.contains("__vcd"), "the written site never has it");
    let last = last_rebuild(&s);
    assert!(last.starts_with("pages/dates.md: 0 queries run, 1 page rendered"), "{last}");
}

#[test]
fn a_query_edit_reruns_it_and_rerenders_only_its_pages() {
    let (p, s) = start();
    let mut events = s.events();
    let sql = p.read("queries/platform_totals.sql");
    p.write("queries/platform_totals.sql", &sql.replace("count(*) as posts", "count(*) + 1000 as posts"));
    events.wait_for("event: reload", WAIT);
    let data = String::from_utf8(s.get("/data/platform_totals.json").2).unwrap();
    assert!(data.contains("\"posts\":1060"), "{data}");
    let last = last_rebuild(&s);
    // Only the home page reads platform_totals; the other 62 pages are untouched.
    assert!(last.contains("1 query run, 1 page rendered"), "{last}");
}

#[test]
fn a_newer_edit_stops_a_rebuild_held_up_by_a_slow_query() {
    let (p, s) = start();
    let mut events = s.events();
    let sql = p.read("queries/platform_totals.sql");
    // An edit that would keep DuckDB busy for hours (10¹² rows on one thread)…
    p.write(
        "queries/platform_totals.sql",
        "SELECT 'all' AS platform, sum(a.range * b.range) AS posts FROM range(1000000) a, range(1000000) b\n",
    );
    // …is running when the author puts a fast query back: no waiting for it.
    std::thread::sleep(Duration::from_millis(1500));
    p.write("queries/platform_totals.sql", &sql.replace("count(*) as posts", "count(*) + 1000 as posts"));
    s.eventually("the slow rebuild to be stopped", WAIT, || {
        s.log().iter().any(|l| l == "queries/platform_totals.sql: stopped for a newer change")
    });
    events.wait_for("event: reload", WAIT);
    let data = String::from_utf8(s.get("/data/platform_totals.json").2).unwrap();
    assert!(data.contains("\"posts\":1060"), "{data}");
    let last = last_rebuild(&s);
    assert!(last.starts_with("queries/platform_totals.sql: 1 query run"), "{last}");
}

#[test]
fn a_broken_query_shows_its_error_over_the_last_good_page_until_fixed() {
    let (p, s) = start();
    let mut events = s.events();
    let good = p.read("queries/platform_totals.sql");
    let before = s.text("/");
    p.write("queries/platform_totals.sql", &good.replace("from posts", "form posts"));
    let seen = events.wait_for("queries/platform_totals.sql:3:1", WAIT);
    assert!(seen.contains("event: errors"), "{seen}");
    let errors = String::from_utf8(s.get("/__vcd/errors").2).unwrap();
    assert!(errors.contains("syntax error"), "{errors}");
    // The same page, served under the failed rebuild's count.
    let before = before.replace("data-build=\"0\"", "data-build=\"1\"");
    assert_eq!(s.text("/"), before, "the last good page is still served");

    p.write("queries/platform_totals.sql", &good);
    events.wait_for("event: reload", WAIT);
    assert_eq!(String::from_utf8(s.get("/__vcd/errors").2).unwrap(), "[]");
}

#[test]
fn the_error_overlay_appears_in_the_browser_and_goes_when_fixed() {
    let Some(browser) = Browser::for_test() else { return };
    browser.set_timeout(WAIT);
    let (p, s) = start();
    let page = browser.open(&format!("http://127.0.0.1:{}/dates/", s.port)).unwrap();
    page.wait_for("document.querySelector('figure.vcd-chart[data-status=rendered]')", WAIT).unwrap();
    let good = p.read("pages/dates.md");
    p.write("pages/dates.md", &good.replace("x=\"platform\"", "x=\"platfrom\""));
    page.wait_for(
        "(document.querySelector('#vcd-overlay') || {}).textContent && \
         document.querySelector('#vcd-overlay').textContent.includes(\"pages/dates.md:12:4\")",
        WAIT,
    )
    .unwrap();
    let text = page.eval("document.querySelector('#vcd-overlay').textContent").unwrap();
    assert!(text.as_str().unwrap().contains("did you mean 'platform'?"), "{text}");
    // A page opened after the failure shows it too, from the stream's first event.
    let late = browser.open(&format!("http://127.0.0.1:{}/", s.port)).unwrap();
    late.wait_for(
        "(document.querySelector('#vcd-overlay') || {}).textContent && \
         document.querySelector('#vcd-overlay').textContent.includes(\"pages/dates.md:12:4\")",
        WAIT,
    )
    .unwrap();
    drop(late);
    assert_eq!(
        page.eval("document.querySelectorAll('figure.vcd-chart').length").unwrap(),
        serde_json::json!(5),
        "the last good page stays under it"
    );
    p.write("pages/dates.md", &good);
    page.wait_for("!document.querySelector('#vcd-overlay') && document.readyState === 'complete'", WAIT).unwrap();
    page.wait_for("document.querySelector('figure.vcd-chart[data-status=rendered]')", WAIT).unwrap();
}

#[test]
fn a_browser_connecting_at_any_moment_hears_the_current_state_first() {
    let (p, s) = start();
    let page = s.text("/dates/");
    assert!(page.contains("data-build=\"0\""), "pages carry the rebuild they were served under");
    let mut events = s.events();
    let first = events.wait_for("event: state", WAIT) + &events.wait_for("\n\n", WAIT);
    assert!(first.contains("event: state\ndata: {\"build\":0,\"errors\":[]}"), "{first:?}");

    // A failure that happens while no browser listens is the first thing a late one hears.
    let good = p.read("pages/dates.md");
    p.write("pages/dates.md", &good.replace("x=\"platform\"", "x=\"platfrom\""));
    events.wait_for("event: errors", WAIT);
    let mut late = s.events();
    let first = late.wait_for("event: state", WAIT) + &late.wait_for("\n\n", WAIT);
    assert!(first.contains("event: state\ndata: {\"build\":1,\"errors\":[{"), "{first:?}");
    assert!(first.contains("pages/dates.md:12:4"), "{first:?}");

    // Fixed: every stream hears the errors go and a reload, and new pages carry the new count.
    p.write("pages/dates.md", &good);
    late.wait_for("event: errors\ndata: []", WAIT);
    late.wait_for("event: reload\ndata: 2", WAIT);
    assert!(s.text("/dates/").contains("data-build=\"2\""));
}

#[test]
fn a_broken_vcd_toml_shows_in_the_browser_until_fixed() {
    let (p, s) = start();
    let mut events = s.events();
    p.write("vcd.toml", "title = \"Shop\"\nmax_rows = \"many\"\n");
    let seen = events.wait_for("vcd.toml:2:", WAIT);
    assert!(seen.contains("event: errors"), "{seen}");
    // Other edits while it is broken keep the error on show.
    let page = p.read("pages/dates.md");
    p.write("pages/dates.md", &page.replace("# Every chart", "# Edited. Every chart"));
    events.wait_for("event: errors\ndata: [{", WAIT);
    assert!(String::from_utf8(s.get("/__vcd/errors").2).unwrap().contains("vcd.toml:2:"));
    p.write("vcd.toml", "title = \"Shop\"\n");
    events.wait_for("event: errors\ndata: []", WAIT);
    events.wait_for("event: reload", WAIT);
    let html = s.text("/dates/");
    assert!(html.contains("Edited.") && html.contains("Shop"), "{html}");
}

#[test]
fn folders_redirect_and_caching_follows_the_representation() {
    let (_p, s) = start();
    for (target, location) in [
        ("/dates", "/dates/"),
        ("/dates?platform=1", "/dates/?platform=1"),
        ("//dates", "/dates/"),
        ("/posts/1", "/posts/1/"),
    ] {
        let (status, head, _) = s.get(target);
        assert_eq!(status, 301, "{target}: {head}");
        assert!(
            head.contains(&format!("Location: {location}\r\n")) || head.ends_with(&format!("Location: {location}")),
            "{target}: {head}"
        );
    }
    let get = |target: &str, extra: &str| {
        s.request(&format!("GET {target} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n"))
    };
    let header =
        |head: &str, name: &str| head.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_string));
    // A page whose query string happens to hold `v=` is still revalidated.
    let (_, head, _) = get("/dates/?v=1a2b3c4d", "");
    assert_eq!(header(&head, "Cache-Control").as_deref(), Some("no-cache"), "{head}");
    // Each representation has its own validator, and both say they vary.
    let (_, plain, plain_body) = get("/dates/", "");
    let (_, zipped, zipped_body) = get("/dates/", "Accept-Encoding: gzip\r\n");
    let (_, refused, _) = get("/dates/", "Accept-Encoding: gzip;q=0, identity\r\n");
    assert!(header(&zipped, "Content-Encoding").as_deref() == Some("gzip") && zipped_body.len() < plain_body.len());
    assert_eq!(header(&plain, "Content-Encoding"), None);
    assert_eq!(header(&refused, "Content-Encoding"), None, "q=0 refuses gzip: {refused}");
    let (plain_tag, zipped_tag) = (header(&plain, "ETag").unwrap(), header(&zipped, "ETag").unwrap());
    assert_ne!(plain_tag, zipped_tag);
    for head in [&plain, &zipped, &refused] {
        assert_eq!(header(head, "Vary").as_deref(), Some("Accept-Encoding"), "{head}");
    }
    let (status, head, _) = get("/dates/", &format!("Accept-Encoding: gzip\r\nIf-None-Match: {zipped_tag}\r\n"));
    assert_eq!(status, 304, "{head}");
    assert_eq!(header(&head, "Vary").as_deref(), Some("Accept-Encoding"));
    let (status, _, _) = get("/dates/", &format!("If-None-Match: {zipped_tag}\r\n"));
    assert_eq!(status, 200, "the gzip validator does not stand for the plain body");
    let (status, _, _) = get("/dates/", &format!("If-None-Match: {plain_tag}\r\n"));
    assert_eq!(status, 304);
}

#[test]
fn requests_outside_the_site_are_refused_and_files_are_served_properly() {
    let (p, s) = start();
    std::os::unix::fs::symlink(p.path("data/posts.csv"), p.path("site/escape.csv")).unwrap();
    for target in [
        "/../vcd.toml",
        "/%2e%2e/vcd.toml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/..%2fvcd.toml",
        "/posts/../../vcd.toml",
        "/escape.csv",
        "/etc/passwd",
        "http://127.0.0.1/../vcd.toml",
        "/a%00b",
    ] {
        let (status, _, _) = s.get(target);
        assert!((400..500).contains(&status), "{target} answered {status}");
    }
    let (status, head, body) = s.get("/nowhere/");
    assert_eq!(status, 404);
    assert!(head.contains("text/html") && String::from_utf8_lossy(&body).contains("Page not found"));

    let (status, head, _) = s.get("/data/posts.json");
    assert_eq!(status, 200);
    assert!(head.contains("Content-Type: application/json"), "{head}");
    let html = s.text("/");
    let js =
        html.split("src=\"").find(|x| x.starts_with("assets/vendor/vega.min.js")).unwrap().split('"').next().unwrap();
    let (status, head, _) =
        s.request(&format!("GET /{js} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br\r\nConnection: close\r\n\r\n"));
    assert_eq!(status, 200);
    assert!(head.contains("Content-Type: text/javascript"), "{head}");
    assert!(head.contains("Content-Encoding: gzip"), "{head}");
    assert!(head.contains("max-age=31536000, immutable"), "a hashed asset URL is cached for good: {head}");
    let etag = head.lines().find_map(|l| l.strip_prefix("ETag: ")).unwrap().to_string();
    let (status, _, body) = s.request(&format!(
        "GET /{js} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!((status, body.len()), (304, 0));
    let (status, _, _) = s.request("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 405);
}

#[test]
fn it_survives_what_editors_and_people_do() {
    let (p, s) = start();
    let mut events = s.events();
    let page = p.read("pages/dates.md");

    // An editor's atomic save right after its swap file changed: write a
    // scratch file, rename it over the page. One save, one rebuild.
    let before = rebuilds(&s);
    p.write("pages/.dates.md.swp", "swap");
    std::thread::sleep(Duration::from_millis(30));
    p.write("pages/.dates.md.tmp", &page.replace("# Every chart", "# Saved by rename. Every chart"));
    std::fs::rename(p.path("pages/.dates.md.tmp"), p.path("pages/dates.md")).unwrap();
    events.wait_for("event: reload", WAIT);
    assert!(s.text("/dates/").contains("Saved by rename."));
    s.eventually("the rebuild report", WAIT, || rebuilds(&s) > before);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(rebuilds(&s), before + 1, "one rebuild per save: {:?}", s.log());

    // Swap and backup files alone rebuild nothing and reload nothing.
    events.clear();
    let n = rebuilds(&s);
    p.write("pages/.dates.md.swp", "swap again");
    p.write("pages/dates.md~", "backup");
    p.write("pages/4913", "");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(rebuilds(&s), n, "{:?}", s.log());
    // A save with the same bytes rebuilds the page but changes no file: no reload either.
    p.write("pages/dates.md", &p.read("pages/dates.md"));
    s.eventually("the rebuild report", WAIT, || rebuilds(&s) > n);
    std::thread::sleep(Duration::from_millis(500));
    assert!(last_rebuild(&s).contains(" 0 files written"), "{}", last_rebuild(&s));
    let heard = events.read_for(Duration::from_millis(300));
    assert!(!heard.contains("event: reload"), "a reload without a change: {heard:?}");

    // A burst of 100 saves in about a second: the last one wins, in far fewer rebuilds.
    let n = rebuilds(&s);
    for i in 0..100 {
        p.write("pages/dates.md", &page.replace("# Every chart", &format!("# Burst {i}. Every chart")));
        std::thread::sleep(Duration::from_millis(10));
    }
    s.eventually("the last save of the burst", WAIT, || s.text("/dates/").contains("Burst 99."));
    let during = rebuilds(&s) - n;
    assert!(during < 100, "{during} rebuilds for 100 saves");

    // A folder deleted and made again.
    let bracket = p.read("pages/posts/[post_id].md");
    std::fs::remove_dir_all(p.path("pages/posts")).unwrap();
    s.eventually("the row pages to go", WAIT, || s.get("/posts/1/").0 == 404);
    p.write("pages/posts/[post_id].md", &bracket.replace("Posted on", "Back: posted on"));
    s.eventually("the row pages to return", WAIT, || s.get("/posts/1/").0 == 200);
    assert!(s.text("/posts/1/").contains("Back: posted on"));

    // A page renamed: the new address works, the old one is gone, the sidebar follows.
    std::fs::rename(p.path("pages/dates.md"), p.path("pages/timeline.md")).unwrap();
    s.eventually("the renamed page", WAIT, || s.get("/timeline/").0 == 200 && s.get("/dates/").0 == 404);
    assert!(s.text("/").contains("href=\"timeline/\""), "the sidebar links the new name");

    // A slow query superseded by a newer edit: the newer result is what stays.
    let sql = p.read("queries/platform_totals.sql");
    p.write(
        "queries/platform_totals.sql",
        &sql.replace("from posts", "from posts, range(4000000) slow")
            .replace("count(*) as posts", "count(*) // 4000000 as posts"),
    );
    std::thread::sleep(Duration::from_millis(100));
    p.write("queries/platform_totals.sql", &sql.replace("count(*) as posts", "count(*) + 7000 as posts"));
    s.eventually("the newer query's result", WAIT, || {
        String::from_utf8(s.get("/data/platform_totals.json").2).unwrap().contains("\"posts\":7060")
    });
    std::thread::sleep(Duration::from_secs(2));
    let data = String::from_utf8(s.get("/data/platform_totals.json").2).unwrap();
    assert!(data.contains("\"posts\":7060"), "a superseded run overwrote the newer result: {data}");
}

#[test]
fn a_sparkline_querys_edit_rewrites_its_shards_and_its_page() {
    let p = TempProject::fixture("filters");
    // Ordered, so the page's first line and the shard's first are one platform's.
    p.write("queries/spark.sql", "SELECT platform, posted_at, reach FROM posts ORDER BY platform, posted_at");
    p.write(
        "queries/by_platform.sql",
        "SELECT platform, count(*) AS posts FROM posts GROUP BY platform ORDER BY platform",
    );
    p.write(
        "pages/spark.md",
        "# Spark\n\n{{ table(\"by_platform\", sparkline={\"query\": \"spark\", \"key\": \"platform\", \
         \"x\": \"posted_at\", \"y\": \"reach\", \"label\": \"Reach\"}) }}\n",
    );
    let s = Serve::start(&p.root);
    let folder = |html: &str| html.split("\"folder\":\"").nth(1).and_then(|r| r.split('"').next()).map(String::from);
    let html = s.text("/spark/");
    let shard = format!("/data/{}/0.json", folder(&html).expect("the table names its shards"));
    let before = String::from_utf8(s.get(&shard).2).unwrap();
    assert!(before.contains("\"instagram\":[\"M"), "{before}");

    let mut events = s.events();
    p.write(
        "queries/spark.sql",
        "SELECT platform, posted_at, reach * 1000 AS reach FROM posts ORDER BY platform, posted_at",
    );
    events.wait_for("event: reload", WAIT);
    let after = String::from_utf8(s.get(&shard).2).unwrap();
    assert_ne!(after, before, "the shard is made from the new result");
    assert!(after.contains("high "), "{after}");
    let html = s.text("/spark/");
    let high = |text: &str| text.split("high ").nth(1).map(|r| r.chars().take_while(|c| *c != '"').collect::<String>());
    assert_eq!(high(&html), high(&after).map(|h| h.replace(".", "&#46;")), "the page's first lines too");
    let last = last_rebuild(&s);
    assert!(last.contains("1 query run, 1 page rendered"), "{last}");
}
