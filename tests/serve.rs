//! `vcd serve --watch` end to end: edits reach the browser as reload events with
//! the new content, errors show over the last good page and go when fixed,
//! requests outside the site are refused, and editors' habits do not upset it.

#[path = "support/browser.rs"]
mod browser;
#[path = "support/project.rs"]
mod project;
#[path = "support/serve.rs"]
mod serve;

use browser::Browser;
use project::TempProject;
use serve::Serve;
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
    let (status, _, body) =
        s.request(&format!("GET /{js} HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"));
    assert_eq!((status, body.len()), (304, 0));
    let (status, _, _) = s.request("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 405);
}

#[test]
fn it_survives_what_editors_and_people_do() {
    let (p, s) = start();
    let mut events = s.events();
    let page = p.read("pages/dates.md");

    // An editor's atomic save: write a scratch file, rename it over the page.
    let before = rebuilds(&s);
    p.write("pages/.dates.md.tmp", &page.replace("# Every chart", "# Saved by rename. Every chart"));
    std::fs::rename(p.path("pages/.dates.md.tmp"), p.path("pages/dates.md")).unwrap();
    events.wait_for("event: reload", WAIT);
    assert!(s.text("/dates/").contains("Saved by rename."));
    s.eventually("the rebuild report", WAIT, || rebuilds(&s) > before);

    // Swap files alone rebuild nothing.
    let n = rebuilds(&s);
    p.write("pages/.dates.md.swp", "swap");
    p.write("pages/dates.md~", "backup");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(rebuilds(&s), n, "{:?}", s.log());

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
