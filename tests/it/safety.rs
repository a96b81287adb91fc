//! Nothing from data becomes code or a trap: script URLs never become links (at
//! build time, by `src/urlsafe.rs`, and after the runtime redraws a table, by
//! `safeUrl` in `theme/vcd.js`, both against one set of vectors), a CSV download
//! opens in a spreadsheet as text with no formula, and multiselect values holding
//! commas survive a shared link. Fixture: `tests/fixtures/safety`.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use vcd::util::urlsafe::{refused_scheme, UrlKind};

/// The shared vectors: (url, allowed as a link, allowed as an image source).
fn vectors() -> Vec<(String, bool, bool)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/safety/url_vectors.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let allowed = |v: &Value| match v.as_str() {
        Some("allowed") => true,
        Some("refused") => false,
        other => panic!("expected allowed or refused, got {other:?}"),
    };
    doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let link = allowed(&v["link"]);
            let image = if v.get("image").is_some() { allowed(&v["image"]) } else { link };
            (v["url"].as_str().unwrap().to_string(), link, image)
        })
        .collect()
}

#[test]
fn the_url_rule_gives_every_shared_vector_its_expected_verdict() {
    let vectors = vectors();
    assert!(vectors.len() >= 70, "{} vectors", vectors.len());
    assert!(vectors.iter().filter(|v| !v.1).count() >= 40 && vectors.iter().filter(|v| v.1).count() >= 25);
    let wrong: Vec<String> = vectors
        .iter()
        .filter(|(url, link, image)| {
            refused_scheme(url, UrlKind::Link).is_none() != *link
                || refused_scheme(url, UrlKind::Image).is_none() != *image
        })
        .map(|(url, link, image)| format!("{url:?}: expected link allowed={link}, image allowed={image}"))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The `safety` fixture with pages that put script URLs from data (and from the
/// page's own text) into links, images, a generated page and a table template.
fn hostile_project() -> TempProject {
    let p = TempProject::fixture("safety");
    p.write(
        "queries/bad_links.sql",
        "SELECT * FROM (VALUES\n\
         (1, 'JavaScript:alert(1)'),\n\
         (2, ' java' || chr(9) || 'script:alert(2)'),\n\
         (3, 'vbscript:msgbox(3)'),\n\
         (4, 'data:text/html,<script>alert(4)</script>'),\n\
         (5, '&#106;avascript:alert(5)'),\n\
         (6, 'https://example.com/6')\n\
         ) AS t(id, url) ORDER BY id\n",
    );
    p.write(
        "pages/markdown.md",
        "# Markdown\n\n{% for l in bad_links %}\n[open {{ l.id }}]({{ l.url }})\n{% endfor %}\n",
    );
    p.write(
        "pages/raw.md",
        "# Raw\n\n{% for l in bad_links %}<a class=\"x\" href=\"{{ l.url }}\">{{ l.id }}</a> <img alt=\"i\" src=\"{{ l.url }}\">\n{% endfor %}\n",
    );
    p.write("pages/go/[id].md", "---\nrows: bad_links\n---\n# Go\n\n<p><a href=\"{{ row.url }}\">go</a></p>\n");
    p.write(
        "pages/literal.md",
        "# Literal\n\nPrint: <a href=\"javascript:window.print()\">print</a>\n\n<vbscript:x>\n",
    );
    p.write("pages/template.md", "# Table\n\n{{ table(bad_links, links={\"url\": \" JavaScript:go({id})\"}) }}\n");
    p
}

#[test]
fn script_urls_fail_the_build_naming_page_query_and_row() {
    let p = hostile_project();
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!p.path("site").exists(), "a failed build writes nothing");
    let err = &r.stderr;
    let expect = |needle: &str| assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    // Markdown links: rows 1, 3 and 4. Row 2 holds a tab, so Markdown makes no
    // link of it; row 5 prints as the text `&#106;…` (escaped once), a relative URL.
    expect(
        "pages/markdown.md:4: <a href> \"JavaScript:alert(1)\" is a javascript: URL, which can run script; \
         the link was dropped (from query 'bad_links', row 1, id = 1, column 'url'): keep such values out of links, \
         e.g. CASE WHEN url LIKE 'https://%' THEN url END",
    );
    expect("pages/markdown.md:4: <a href> \"vbscript:msgbox(3)\" is a vbscript: URL");
    expect("<a href> \"data:text/html,<script>alert(4)</script>\" is a data: URL");
    expect("(from query 'bad_links', row 4, id = 4, column 'url')");
    // Raw HTML: the tab inside row 2's scheme does not save it, and an image
    // source may not be a data: document either.
    expect("pages/raw.md:3: <a href> \" java\\tscript:alert(2)\" is a javascript: URL");
    expect("pages/raw.md:3: <img src> \" java\\tscript:alert(2)\" is a javascript: URL");
    expect("pages/raw.md:3: <img src> \"data:text/html,<script>alert(4)</script>\" is a data: URL");
    // One page per row: the page is named too.
    expect(
        "pages/go/[id].md:6: <a href> \"vbscript:msgbox(3)\" is a vbscript: URL, which can run script; \
            the link was dropped (page go/3/) (from query 'bad_links', row 3, id = 3, column 'url')",
    );
    // Written by the author, not by data.
    expect(
        "pages/literal.md:3: <a href> \"javascript:window.print()\" is a javascript: URL, which can run script; \
            the link was dropped (written in the page): vcd writes no script links",
    );
    expect("<a href> \"vbscript:x\" is a vbscript: URL");
    expect("pages/template.md:3:");
    expect("table link for 'url' starts with javascript:, which runs script");
    for quiet in ["alert(5)", "example.com/6", "go/5/", "go/6/"] {
        assert!(!err.contains(quiet), "{quiet} is safe, yet reported:\n{err}");
    }
    // 3 Markdown links, 4 rows × (link + image), 4 generated pages, 2 literal, 1 table.
    expect("build failed with 18 errors");
}

#[test]
fn each_script_url_is_reported_once_per_place_and_fixing_the_data_fixes_the_build() {
    let p = TempProject::fixture("safety");
    p.write("queries/links.sql", "SELECT 7 AS id, 'javascript:alert(7)' AS url\n");
    p.write("pages/one.md", "# One\n\n{% for l in links %}[a]({{ l.url }}){% endfor %}\n");
    let r = p.vcd(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.matches("is a javascript: URL").count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("row 1, id = 7, column 'url'"), "{}", r.stderr);
    // The query keeps only web links: the page builds, with its link.
    p.write(
        "queries/links.sql",
        "SELECT 7 AS id, CASE WHEN url LIKE 'https://%' THEN url END AS url \
         FROM (SELECT 'javascript:alert(7)' AS url UNION ALL SELECT 'https://example.com/7') ORDER BY url NULLS LAST\n",
    );
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = p.read("site/one/index.html");
    assert!(html.contains("<a href=\"https://example.com/7\">a</a>"), "{html}");
}

// ---- In the browser ----

fn built() -> (TempProject, StaticServer) {
    let p = TempProject::fixture("safety");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/");
    (p, server)
}

fn settle(page: &Page) {
    page.wait_for("window.vcd && window.vcd.ready && window.vcd.ready.then(() => true)", Duration::from_secs(20))
        .unwrap();
    let errors = page.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[test]
fn the_runtime_url_rule_gives_every_shared_vector_its_expected_verdict() {
    let Some(browser) = Browser::for_test() else { return };
    let (_p, server) = built();
    let page = browser.open(&server.url("")).unwrap();
    settle(&page);
    let vectors = vectors();
    let urls: Vec<&str> = vectors.iter().map(|v| v.0.as_str()).collect();
    let got = page.eval(&format!("{}.map(u => window.vcd.safeUrl(u))", json!(urls))).unwrap();
    let wrong: Vec<String> = vectors
        .iter()
        .zip(got.as_array().unwrap())
        .filter(|((_, link, _), got)| got.as_bool() != Some(*link))
        .map(|((url, link, _), got)| format!("{url:?}: expected allowed={link}, runtime said {got}"))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn links_from_data_keep_their_safe_targets_in_the_browser() {
    let Some(browser) = Browser::for_test() else { return };
    let (_p, server) = built();
    let page = browser.open(&server.url("")).unwrap();
    settle(&page);
    let hrefs = page.eval("Array.from(document.querySelectorAll('a.store-link')).map(a => a.getAttribute('href'))");
    assert_eq!(
        hrefs.unwrap(),
        json!([
            "https://example.com/cote?x=1#top",
            "mailto:owner@example.com",
            "tel:+14165550100",
            "?city=Ottawa#stores",
            "stores/5/",
            "../stores/6/"
        ])
    );
    let markdown = page.eval(
        "Array.from(document.querySelectorAll('main p a:not(.store-link)')).map(a => [a.textContent, a.getAttribute('href')])",
    );
    assert_eq!(
        markdown.unwrap(),
        json!([
            ["Site", "https://example.com/"],
            ["Mail", "mailto:owner@example.com"],
            ["Call", "tel:+14165550100"],
            ["Top", "#top"],
            ["Ottawa", "?city=Ottawa"]
        ])
    );
}

#[test]
fn a_script_link_in_a_table_spec_is_dropped_when_the_runtime_redraws() {
    let Some(browser) = Browser::for_test() else { return };
    let (p, server) = built();
    // The build refuses such a template; a hand-edited or foreign spec must not get through either.
    let html = p.read("site/index.html");
    let tampered = html.replace("\"link\":\"stores/{id}/\"", "\"link\":\" Java&#x09;Script:alert({id})\"");
    assert_ne!(html, tampered, "the table spec names its link template");
    p.write("site/index.html", &tampered);
    let page = browser.open(&server.url("")).unwrap();
    settle(&page);
    let cells = page
        .eval(
            "Array.from(document.querySelectorAll('figure.vcd-table')[0].querySelectorAll('tbody tr'))\
               .map(tr => [tr.children[1].textContent, tr.children[1].querySelectorAll('a').length])",
        )
        .unwrap();
    assert_eq!(cells.as_array().unwrap().len(), 6, "{cells}");
    assert!(cells.as_array().unwrap().iter().all(|c| c[1] == 0), "no cell is a link: {cells}");
    assert_eq!(cells[0][0], "Côté Vintage");
    assert_eq!(page.eval("document.querySelectorAll('a[href*=\"cript\" i]').length").unwrap(), 0);
    let warnings = page.console_warnings();
    assert_eq!(warnings.iter().filter(|w| w.contains("link dropped")).count(), 6, "{warnings:#?}");
    assert!(page.events("Page.javascriptDialogOpening").is_empty());
}

/// Clicks the table's "Download CSV" button in a real download and returns the file's bytes.
fn download_csv(page: &Page, table: usize, dir: &Path) -> Vec<u8> {
    let dir = dir.join(table.to_string());
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("table.csv");
    let params = json!({"behavior": "allow", "downloadPath": dir.to_str().unwrap()});
    page.cdp("Browser.setDownloadBehavior", params).unwrap();
    let button = format!(
        "document.querySelectorAll('figure.vcd-table')[{table}].querySelector('.vcd-table-csv').id = 'csv-{table}'"
    );
    page.eval(&button).unwrap();
    page.click(&format!("#csv-{table}")).unwrap();
    let started = Instant::now();
    loop {
        if let Ok(bytes) = std::fs::read(&file) {
            if !bytes.is_empty() {
                return bytes;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no download in {}", dir.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_csv_download_is_utf8_with_a_bom_and_has_no_formulas() {
    let Some(browser) = Browser::for_test() else { return };
    let (p, server) = built();
    let page = browser.open(&server.url("")).unwrap();
    settle(&page);
    let dir = p.path("downloads");
    let bytes = download_csv(&page, 1, &dir);
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte-order mark first");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(
        text,
        "id,label,formula,amount,amount_text\r\n\
         1,Côté,'=1+2,-12.5,-12.5\r\n\
         2,plus,'+1 416 555 0100,3,+7\r\n\
         3,minus,'-2+3,-0.25,-1e5\r\n\
         4,at,'@SUM(A1:A2),0,12\r\n\
         5,tab,'\ttabbed,1,'- 1\r\n\
         6,return,\"'\rreturned\",2,-9007199254740995\r\n\
         7,\"quote \"\"q\"\", comma\",a=b,-1,'=\r\n"
    );
    // The stores table: a cell from data that looks like a formula, and negative numbers.
    let stores = String::from_utf8(download_csv(&page, 0, &dir)[3..].to_vec()).unwrap();
    assert_eq!(
        stores,
        "city,name,revenue\r\n\"Toronto, ON\",Côté Vintage,1200.5\r\n\"Ottawa, ON\",Queen St Annex,-12.5\r\n\
         \"Toronto, ON\",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\",300\r\n\
         \"Montréal, QC\",'@SUM(A1:A9),-40\r\nOttawa,'+1 416 555 0100,7\r\n\"Ottawa, ON\",'-2+3,0.25\r\n"
    );
}

/// The city checkboxes that are ticked, by label, and the stores table's row count.
fn city_state(page: &Page) -> Value {
    page.eval(
        "[Array.from(document.querySelectorAll('[data-input=city] input:checked')).map(b => b.parentNode.textContent.trim()),\
          +document.querySelector('figure.vcd-table').getAttribute('data-rows'),\
          Array.from(document.querySelectorAll('figure.vcd-table')[0].querySelectorAll('tbody tr')).map(tr => tr.children[1].textContent)]",
    )
    .unwrap()
}

#[test]
fn multiselect_values_with_commas_survive_a_shared_link() {
    let Some(browser) = Browser::for_test() else { return };
    let (_p, server) = built();
    let page = browser.open(&server.url("")).unwrap();
    settle(&page);
    // Options in order: Montréal, QC · Ottawa · Ottawa, ON · Toronto, ON.
    page.click("[data-input=city] input[value='3']").unwrap();
    settle(&page);
    page.click("[data-input=city] input[value='1']").unwrap();
    settle(&page);
    let search = page.eval("location.search").unwrap();
    assert_eq!(search, "?city=Ottawa&city=Toronto%2C+ON");
    let chosen = json!([
        ["Ottawa", "Toronto, ON"],
        3,
        ["Côté Vintage", "=HYPERLINK(\"http://evil.example\",\"Click\")", "+1 416 555 0100"]
    ]);
    assert_eq!(city_state(&page), chosen);

    // The shared link, opened afresh, shows the same choice and the same rows.
    let shared = server.url(&search.as_str().unwrap().to_string());
    let fresh = browser.open(&shared).unwrap();
    settle(&fresh);
    assert_eq!(city_state(&fresh), chosen);

    // Links written before values had their own keys (joined with commas) still read.
    for (query, cities, rows) in [
        ("?city=Ottawa%2C%20ON%2CToronto%2C%20ON", json!(["Ottawa, ON", "Toronto, ON"]), 4),
        ("?city=Ottawa,Montr%C3%A9al,%20QC", json!(["Montréal, QC", "Ottawa"]), 2),
        ("?city=Toronto%2C+ON&city=Nowhere", json!(["Toronto, ON"]), 2),
    ] {
        fresh.navigate(&server.url(query)).unwrap();
        settle(&fresh);
        let got = city_state(&fresh);
        assert_eq!((&got[0], got[1].as_u64()), (&cities, Some(rows)), "{query}: {got}");
    }
}
