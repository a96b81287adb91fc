//! Any name a user has: columns named like Vega-Lite paths (`Petal.Width`,
//! `a[0]`), with spaces, SQL keywords, non-ASCII letters and JavaScript
//! built-ins (`__proto__`, `constructor`, `toString`, `hasOwnProperty`,
//! `valueOf`) in every component, and page files named with spaces, accents
//! and emoji, built and then drawn in real Chromium (fixture `tests/fixtures/names`).

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::serve::Serve;
use crate::support::static_server::StaticServer;
use serde_json::Value;
use std::time::Duration;

fn built() -> TempProject {
    let p = TempProject::fixture("names");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    p
}

/// Waits until every chart and table has been drawn by the runtime.
fn settle(page: &Page) {
    page.wait_for(
        "window.vcd && window.vcd.ready && Array.from(document.querySelectorAll('figure.vcd-chart'))\
           .every(f => ['rendered', 'error'].includes(f.getAttribute('data-status')))",
        Duration::from_secs(30),
    )
    .expect("charts settle");
    page.eval("window.vcd.ready.then(() => true)").expect("the runtime finishes");
}

fn eval(page: &Page, js: &str) -> Value {
    page.eval(js).unwrap_or_else(|e| panic!("{js}: {e}"))
}

/// `[status, data marks]` of every chart, in page order.
fn charts(page: &Page) -> Vec<(String, u64)> {
    let v = eval(
        page,
        "Array.from(document.querySelectorAll('figure.vcd-chart')).map(f => [f.getAttribute('data-status'),\
           f.querySelectorAll('svg g.role-mark:not(.mark-group) > *').length])",
    );
    v.as_array().unwrap().iter().map(|c| (c[0].as_str().unwrap().into(), c[1].as_u64().unwrap())).collect()
}

/// The cells' text and the links' `href` attributes of the first query-bound
/// table, row by row, as the document holds them now.
const TABLE: &str = "(doc => Array.from(doc.querySelectorAll('figure.vcd-table')[0].querySelectorAll('tbody tr'))\
    .map(tr => Array.from(tr.cells).map(td => { const a = td.querySelector('a');\
      return a ? td.textContent + ' -> ' + a.getAttribute('href') : td.textContent; })))";

/// The same page as the build wrote it, before any script ran.
fn as_built(page: &Page, what: &str) -> Value {
    eval(
        page,
        &format!(
            "fetch(location.href).then(r => r.text()).then(t => {what}(new DOMParser().parseFromString(t, 'text/html')))"
        ),
    )
}

fn kpis(page: &Page) -> Vec<String> {
    let v = eval(page, "Array.from(document.querySelectorAll('.kpi .kpi-value')).map(k => k.textContent.trim())");
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

fn table_rows(page: &Page) -> Vec<Vec<String>> {
    serde_json::from_value(eval(page, &format!("{TABLE}(document)"))).unwrap()
}

/// `html` with numeric character references (`&#61;`, which the build writes
/// for Markdown punctuation) and `&amp;` decoded, as a browser reads them.
fn unref(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e < 10);
        let decoded = end.and_then(|e| match &rest[1..e] {
            "amp" => Some('&'),
            r => r.strip_prefix('#').and_then(|n| n.parse().ok()).and_then(char::from_u32),
        });
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out + rest
}

#[test]
fn odd_column_names_build_with_escaped_fields_and_links() {
    let p = built();
    let html = unref(&p.read("site/index.html"));
    // Shorthands escape Vega-Lite's path characters (JSON: "Petal\\.Width").
    for field in [r#""field":"Petal\\.Width""#, r#""field":"a\\[0\\]""#, r#""field":"Store Name""#] {
        assert!(html.contains(field), "built page lacks {field}");
    }
    assert!(!html.contains(r#""field":"Petal.Width""#), "an unescaped path would draw nothing");
    // The first page of each table, with links filled from names with spaces,
    // brackets, dots and built-in names.
    for link in [
        "href=\"stores/?name=Store%20A\"",
        "href=\"stores/?name=C%C3%B4t%C3%A9%20Sud\"",
        "href=\"stores/?name=Store%2C%20D\"",
        "href=\"p/p1/10\"",
        "href=\"c/c2/?w=2.25\"",
        "href=\"c/c1/?w=0.75\"",
    ] {
        assert!(html.contains(link), "built page lacks {link}");
    }
    assert!(html.contains("First store: Store A, proto p1, constructor c1."), "template access by any name");
}

#[test]
fn odd_column_names_draw_filter_and_link_in_chromium() {
    let Some(browser) = Browser::for_test() else { return };
    let p = built();
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open(&server.url("")).unwrap();
    settle(&page);
    let drawn = charts(&page);
    assert_eq!(drawn.len(), 11, "10 charts and one sparkline: {drawn:?}");
    for (i, (status, marks)) in drawn.iter().enumerate() {
        assert_eq!(status, "rendered", "chart {i} of {drawn:?}");
        assert!(*marks > 0, "chart {i} drew no marks: {drawn:?}");
    }
    assert_eq!(page.console_errors(), Vec::<String>::new());

    // KPI cards read every kind of name, and agree with the build.
    assert_eq!(kpis(&page), ["7.50", "14", "8.5", "40"]);
    let built_kpis =
        as_built(&page, "(doc => Array.from(doc.querySelectorAll('.kpi .kpi-value')).map(k => k.textContent.trim()))");
    assert_eq!(built_kpis, serde_json::json!(kpis(&page)), "built and hydrated KPI cards differ");

    // The query-bound table after the runtime redrew it: the same cells and links as built.
    let rows = table_rows(&page);
    assert_eq!(rows.len(), 4);
    assert_eq!(serde_json::json!(rows), as_built(&page, TABLE), "built and redrawn tables differ");
    let store_a = rows.iter().find(|r| r[0].starts_with("Store A")).expect("a row for Store A");
    assert_eq!(
        store_a,
        &[
            "Store A -> stores/?name=Store%20A",
            "1.5",
            "10",
            "open",
            "2024",
            "p1 -> p/p1/10",
            "c1 -> c/c1/?w=1.5",
            "3",
            "h1",
            "7"
        ]
    );

    // Chart data tables name the real columns, and cells hold their values.
    let heads = eval(
        &page,
        "Array.from(document.querySelectorAll('figure.vcd-chart:not(.vcd-spark)')).map(f =>\
           Array.from(f.querySelectorAll('details.vcd-chart-data th')).map(th => th.textContent))",
    );
    let sorted = |v: &Value| {
        let mut names: Vec<String> = serde_json::from_value(v.clone()).unwrap();
        names.sort();
        names
    };
    assert_eq!(sorted(&heads[0]), ["Petal.Width", "Store Name"]);
    assert_eq!(sorted(&heads[1]), ["__proto__", "a[0]", "constructor"]);
    assert_eq!(sorted(&heads[2]), ["Petal.Width", "hasOwnProperty", "toString", "valueOf"]);
    let cells = eval(
        &page,
        "Array.from(document.querySelectorAll('figure.vcd-chart:not(.vcd-spark)')[1]\
           .querySelectorAll('details.vcd-chart-data td')).map(td => td.textContent)",
    );
    let cells: Vec<String> = serde_json::from_value(cells).unwrap();
    for value in ["c1", "c2", "c3", "p1", "p4", "10", "40"] {
        assert!(cells.iter().any(|c| c == value), "{value} in the data table of chart 2: {cells:?}");
    }
    // Aliased fields keep their real names in axis titles.
    let texts = eval(&page, "Array.from(document.querySelectorAll('figure.vcd-chart:not(.vcd-spark)')[9].querySelectorAll('svg text')).map(t => t.textContent)");
    let texts: Vec<&str> = texts.as_array().unwrap().iter().filter_map(Value::as_str).collect();
    // (A title that is exactly such a name carries a zero-width space, or Vega-Lite fails.)
    assert!(texts.contains(&"constructor\u{200b}"), "{texts:?}");
    assert!(!texts.iter().any(|t| t.ends_with("constructor_") || t.contains("__proto___")), "{texts:?}");

    // A dropdown on `Store Name`, restored from the URL with a search on `__proto__`.
    page.select("#in-store", "2").unwrap();
    settle(&page);
    assert_eq!(kpis(&page)[0], "2.25");
    assert_eq!(table_rows(&page).len(), 1);
    let url = eval(&page, "location.search");
    assert_eq!(url, "?store=Store+B");
    page.navigate(&server.url("?store=C%C3%B4t%C3%A9+Sud&q=p3")).unwrap();
    settle(&page);
    assert_eq!(kpis(&page), ["0.75", "2", "9.0", "30"]);
    assert_eq!(table_rows(&page).len(), 1);
    page.navigate(&server.url("?q=p9")).unwrap();
    settle(&page);
    assert_eq!(table_rows(&page).len(), 0, "no __proto__ holds p9");

    // A multiselect on `constructor`, and a cross-filter on it from a chart's data table.
    page.navigate(&server.url("")).unwrap();
    settle(&page);
    page.click("fieldset[data-input=kind] input[value='0']").unwrap();
    settle(&page);
    assert_eq!(table_rows(&page).len(), 2, "c1 is on two rows");
    assert_eq!(eval(&page, "location.search"), "?kind=c1");
    // A click on a category goes through the input on that field when there is
    // one (the multiselect on `constructor`), else filters rows by the column.
    let click = |chart: usize| {
        eval(
            &page,
            &format!(
                "document.querySelectorAll('figure.vcd-chart:not(.vcd-spark)')[{chart}].querySelector('button.vcd-select').click()"
            ),
        );
        settle(&page);
    };
    page.navigate(&server.url("")).unwrap();
    settle(&page);
    click(9);
    assert_eq!(eval(&page, "location.search"), "?kind=c1");
    assert_eq!(table_rows(&page).len(), 2);
    page.navigate(&server.url("")).unwrap();
    settle(&page);
    click(7);
    assert_eq!(eval(&page, "decodeURIComponent(location.search)"), "?filter.hasOwnProperty=h1");
    let kept = table_rows(&page);
    assert_eq!(kept.len(), 2, "h1 is on two rows: {kept:?}");
    assert!(kept.iter().all(|r| r[8] == "h1"), "{kept:?}");
    assert_eq!(kpis(&page)[0], "2.25", "0.75 + 1.5");
    page.navigate(&server.url("?filter.hasOwnProperty=h2")).unwrap();
    settle(&page);
    assert_eq!(table_rows(&page).len(), 2, "the cross-filter is restored from the URL");
    assert_eq!(kpis(&page)[0], "5.25", "2.25 + 3");
    // Sorting redraws the links from the rows with the same encoding.
    page.click("figure.vcd-table button.vcd-sort").unwrap();
    settle(&page);
    for row in table_rows(&page) {
        assert!(row[0].contains(" -> stores/?name="), "{row:?}");
    }
    assert_eq!(page.console_errors(), Vec::<String>::new());
}

/// The folder URL (relative to the site root) the sidebar links to, for each page title.
const PAGES: &[(&str, &str)] = &[
    ("Odd names", ""),
    ("Qui sommes-nous ?", "Qui%20sommes-nous/"),
    ("Bilan 2024 ✨", "Bilan%202024%20%E2%9C%A8/"),
    ("Año nuevo", "A%C3%B1o%20nuevo/"),
    ("Été à Montréal", "A%C3%B1o%20nuevo/%C3%89t%C3%A9%20%C3%A0%20Montr%C3%A9al/"),
    ("Stores", "stores/"),
];

#[test]
fn page_files_named_with_spaces_accents_and_emoji_are_written_where_linked() {
    let p = built();
    for dir in ["Qui sommes-nous", "Bilan 2024 ✨", "Año nuevo", "Año nuevo/Été à Montréal"] {
        assert!(p.path(&format!("site/{dir}/index.html")).is_file(), "site/{dir}/index.html");
    }
    let home = p.read("site/index.html");
    for (title, url) in PAGES.iter().skip(1) {
        assert!(home.contains(&format!("href=\"{url}\">{title}</a>")), "sidebar link to {title} at {url}");
    }
    let deep = p.read("site/Año nuevo/Été à Montréal/index.html");
    assert!(deep.contains("href=\"../../Qui%20sommes-nous/\""), "links are relative from two folders down");
    assert!(deep.contains("Deux mots: été, Montréal"), "the quoted description");
}

#[test]
fn named_pages_work_at_any_base_path_in_chromium() {
    let Some(browser) = Browser::for_test() else { return };
    let p = built();
    for base in ["/", "/dash/"] {
        let server = StaticServer::start(&p.path("site"), base);
        let page = browser.open(&server.url("")).unwrap();
        for (title, url) in PAGES {
            // Follow the sidebar, as a reader would.
            let href = eval(
                &page,
                &format!(
                    "Array.from(document.querySelectorAll('nav.vcd-sidebar li a')).find(a => a.textContent === {})?.href",
                    serde_json::json!(title)
                ),
            );
            assert_eq!(href, server.url(url).as_str(), "{base}: sidebar link to {title}");
            page.navigate(href.as_str().unwrap()).unwrap();
            let h1 = eval(&page, "document.querySelector('main h1').textContent");
            assert_eq!(h1, *title, "{base}{url}");
            let current = eval(&page, "document.querySelector('[aria-current=page]')?.textContent");
            assert_eq!(current, *title, "{base}{url}: the sidebar marks the page");
        }
        let failures: Vec<_> = server.failures().into_iter().filter(|(p, _)| p != "/favicon.ico").collect();
        assert!(failures.is_empty(), "{base}: {failures:?}");
        assert_eq!(page.console_errors(), Vec::<String>::new(), "{base}");
    }
}

#[test]
fn named_pages_are_served_by_the_preview() {
    let p = TempProject::fixture("names");
    let server = Serve::start(&p.root);
    for (title, url) in PAGES {
        let (status, _, body) = server.get(&format!("/{url}"));
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "/{url}");
        assert!(
            body.contains(&format!("<h1>{title}</h1>")) || body.contains(&format!(">{title}</h1>")),
            "/{url}: {body}"
        );
    }
}

/// Builds the fixture with extra pages and returns stderr, expecting failure.
fn fails_with(files: &[(&str, &str)]) -> String {
    let p = TempProject::fixture("names");
    for (path, text) in files {
        p.write(path, text);
    }
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1, "expected the build to fail:\n{}", r.stderr);
    r.stderr
}

#[test]
fn two_page_files_sharing_a_url_are_an_error_naming_both() {
    // Composed and decomposed spellings of one name (macOS saves the second).
    let e = fails_with(&[("pages/Ma\u{f1}ana.md", "# a\n"), ("pages/Man\u{303}ana.md", "# b\n")]);
    assert!(e.contains("pages/Ma\u{f1}ana.md") && e.contains("pages/Man\u{303}ana.md"), "{e}");
    assert!(e.contains("would share the URL"), "{e}");
    // Letter case only.
    let e = fails_with(&[("pages/About us.md", "# a\n"), ("pages/about US.md", "# b\n")]);
    assert!(e.contains("pages/About us.md") && e.contains("pages/about US.md"), "{e}");
    // A page and a folder's index page.
    let e = fails_with(&[("pages/Été.md", "# a\n"), ("pages/Été/index.md", "# b\n")]);
    assert!(e.contains("pages/Été.md") && e.contains("pages/Été/index.md"), "{e}");
}

#[test]
fn unusable_page_names_and_bad_front_matter_name_file_and_line() {
    let e = fails_with(&[("pages/tab\there.md", "# a\n")]);
    assert!(
        e.contains("pages/tab\there.md: 'tab\there' cannot be part of a URL: it contains a control character"),
        "{e}"
    );
    let e = fails_with(&[("pages/bad.md", "---\ntitle: ok   # fine\ndescription: [unclosed\n---\n# Bad\n")]);
    assert!(e.contains("pages/bad.md:3: front matter is not valid YAML"), "{e}");
    let e = fails_with(&[("pages/bad.md", "\u{feff}---\ntitle: ok\norder: second\n---\n# Bad\n")]);
    assert!(e.contains("pages/bad.md:3: 'order' must be an integer, found 'second'"), "{e}");
    let e = fails_with(&[("pages/bad.md", "---\ntitle: x\nqueries:\n  - odd\n  - nope\n---\n# Bad\n")]);
    assert!(e.contains("pages/bad.md:5:") && e.contains("nope"), "an unknown query names its own line: {e}");
}

#[test]
fn a_byte_order_mark_before_front_matter_is_ignored() {
    let p = TempProject::fixture("names");
    p.write(
        "pages/bom.md",
        "\u{feff}---\r\ntitle: Avec BOM   # Windows editors write one\r\norder: 3\r\n---\r\n# BOM\r\n",
    );
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = p.read("site/bom/index.html");
    assert!(html.contains("<title>Avec BOM"), "{html}");
    assert!(!html.contains('\u{feff}'), "the mark is not content");
}
