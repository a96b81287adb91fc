//! Browser tests: build a project, serve `site/` from a local static server at `/`
//! and at `/dash/`, load every page in headless Chromium and check that every
//! chart drew marks, nothing failed to load and the console stayed free of errors.

use crate::support::browser::{Browser, Page};
use crate::support::project::{page_urls, TempProject};
use crate::support::static_server::StaticServer;
use std::time::Duration;

fn browser() -> Option<Browser> {
    Browser::for_test()
}

/// Waits for every chart to settle; returns each chart's id, status and data mark count.
fn chart_marks(page: &Page) -> Vec<(String, String, u64)> {
    page.wait_for(
        "!window.vcd || Array.from(document.querySelectorAll('figure.vcd-chart'))\
           .every(f => ['rendered', 'error'].includes(f.getAttribute('data-status')))",
        Duration::from_secs(30),
    )
    .expect("charts settle");
    let v = page
        .eval(
            "Array.from(document.querySelectorAll('figure.vcd-chart')).map(f => [f.id, f.getAttribute('data-status'),\
               f.querySelectorAll('svg g.role-mark:not(.mark-group) > *').length])",
        )
        .unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| (c[0].as_str().unwrap().to_string(), c[1].as_str().unwrap().to_string(), c[2].as_u64().unwrap()))
        .collect()
}

/// Loads every page of `project`'s site under `base` and checks charts, console and requests.
fn check_site(browser: &Browser, project: &TempProject, base: &str) -> usize {
    let server = StaticServer::start(&project.path("site"), base);
    let mut charts = 0;
    // One tab for the whole site: navigating is much cheaper than a new tab per page.
    let page = browser.open("about:blank").unwrap();
    for url in page_urls(&project.path("site"), "") {
        page.clear_console();
        page.navigate(&server.url(&url)).unwrap();
        let marks = chart_marks(&page);
        for (id, status, n) in &marks {
            assert_eq!(status, "rendered", "{base}{url} #{id} did not render");
            assert!(*n > 0, "{base}{url} #{id} rendered no marks");
        }
        charts += marks.len();
        let errors = page.console_errors();
        assert!(errors.is_empty(), "{base}{url}: console errors: {errors:#?}");
        let warnings = page.console_warnings();
        if !warnings.is_empty() {
            eprintln!("{base}{url}: console warnings: {warnings:#?}");
        }
    }
    let failures: Vec<_> = server.failures().into_iter().filter(|(p, _)| p != "/favicon.ico").collect();
    assert!(failures.is_empty(), "failed requests under {base}: {failures:?}");
    charts
}

#[test]
fn demo_charts_render_at_any_base_path() {
    let Some(browser) = browser() else { return };
    let demo = TempProject::demo();
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for base in ["/", "/dash/"] {
        let charts = check_site(&browser, &demo, base);
        assert!(charts >= 2, "the demo has at least two charts, saw {charts}");
    }
}

#[test]
fn every_chart_shorthand_draws_in_the_browser() {
    let Some(browser) = browser() else { return };
    let p = TempProject::fixture("filters");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Eighteen charts on one page (box plots, intervals on bars, lines and an
    // area, a calendar, a Sankey diagram and a combo chart among them), plus the filter pages: each must draw
    // marks with no console error, since vega_lite_4 writes the older schema.
    let charts = check_site(&browser, &p, "/");
    assert!(charts >= 18 + 3 + 5, "saw {charts} charts");
}

#[test]
fn every_chart_shorthand_draws_dark_on_a_phone_under_a_base_path() {
    let Some(browser) = browser() else { return };
    let p = TempProject::fixture("filters");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let page = browser.open("about:blank").unwrap();
    page.set_viewport(390, 844).unwrap();
    page.set_color_scheme(true).unwrap();
    page.navigate(&server.url("kinds/")).unwrap();
    let marks = chart_marks(&page);
    assert!(marks.len() >= 18, "saw {} charts", marks.len());
    for (id, status, n) in &marks {
        assert_eq!(status, "rendered", "#{id} did not render");
        assert!(*n > 0, "#{id} rendered no marks");
    }
    // The error bars take the dark theme's light stroke.
    let light = page.eval("document.querySelectorAll('figure.vcd-chart [stroke=\"#d0d7de\"]').length").unwrap();
    assert!(light.as_u64().unwrap() > 0, "no error bar drawn for the dark theme");
    let wide = page.eval("Math.max(...Array.from(document.querySelectorAll('figure.vcd-chart svg')).map(s => s.getBoundingClientRect().width))");
    assert!(wide.unwrap().as_f64().unwrap() <= 390.0, "a chart is wider than the phone");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[test]
fn tabs_show_one_panel_at_a_time_by_click_and_keys_and_its_chart_fills_the_width() {
    let Some(browser) = browser() else { return };
    let demo = TempProject::demo();
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = demo.read("site/timing/index.html");
    assert!(!html.contains(" hidden"), "without the runtime every panel shows");
    let server = StaticServer::start(&demo.path("site"), "/dash/");
    let page = browser.open(&server.url("timing/")).unwrap();
    chart_marks(&page);
    let state = "Array.from(document.querySelectorAll('.vcd-tabs [role=tab]')).map(t => \
                   [t.textContent, t.getAttribute('aria-selected'), document.getElementById(t.getAttribute('aria-controls')).hidden])";
    assert_eq!(
        page.eval(state).unwrap(),
        serde_json::json!([["Engagement", "true", false], ["Revenue", "false", true]])
    );
    page.click(".vcd-tabs [role=tab]:nth-child(2)").unwrap();
    assert_eq!(
        page.eval(state).unwrap(),
        serde_json::json!([["Engagement", "false", true], ["Revenue", "true", false]])
    );
    // The chart drawn while its panel was hidden takes the panel's width once shown.
    page.wait_for(
        "(() => { const p = document.querySelector('.vcd-tab:not([hidden])'); const s = p.querySelector('svg'); \
           return s && s.getBoundingClientRect().width > p.getBoundingClientRect().width * 0.8; })()",
        Duration::from_secs(10),
    )
    .unwrap();
    page.eval("document.querySelector('.vcd-tabs [aria-selected=true]').focus()").unwrap();
    page.press("ArrowLeft").unwrap();
    assert_eq!(
        page.eval(state).unwrap(),
        serde_json::json!([["Engagement", "true", false], ["Revenue", "false", true]])
    );
    assert_eq!(page.eval("document.activeElement.textContent").unwrap(), "Engagement", "focus follows the tab");
    page.press("End").unwrap();
    assert_eq!(page.eval("document.activeElement.textContent").unwrap(), "Revenue");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[test]
fn hostile_data_shows_as_text_in_the_browser() {
    let Some(browser) = browser() else { return };
    let p = TempProject::fixture("basic");
    assert_eq!(p.vcd(&["build"]).code, 0);
    assert_eq!(check_site(&browser, &p, "/"), 2);
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open(&server.url("")).unwrap();
    chart_marks(&page);
    let text = page.eval("document.querySelector('main').innerText").unwrap();
    let text = text.as_str().unwrap();
    assert!(text.contains("<script>alert(1)</script>"), "{text}");
    assert!(text.contains("[click](javascript:alert(1)) **bold**"), "{text}");
    assert!(page.events("Page.javascriptDialogOpening").is_empty(), "data ran as script");
    // The only links in the content are the table's links to the post pages
    // (and the charts' own export menus): none was made from data.
    let links = page
        .eval(
            "Array.from(document.querySelectorAll('main a:not(figure.vcd-chart a)')).map(a => a.getAttribute('href'))",
        )
        .unwrap();
    assert_eq!(links, serde_json::json!(["posts/1/", "posts/2/", "posts/3/", "posts/4/"]), "data made a link");
}

#[test]
fn theme_toggle_darkens_page_and_charts_and_is_remembered() {
    let Some(browser) = browser() else { return };
    let demo = TempProject::demo();
    assert_eq!(demo.vcd(&["build"]).code, 0);
    let server = StaticServer::start(&demo.path("site"), "/");
    let page = browser.open(&server.url("")).unwrap();
    page.set_color_scheme(false).unwrap();
    chart_marks(&page);
    let background = "getComputedStyle(document.body).backgroundColor";
    assert_eq!(page.eval(background).unwrap(), serde_json::json!("rgb(255, 255, 255)"));

    page.click(".vcd-sidebar .vcd-theme-toggle").unwrap();
    page.wait_for("document.documentElement.getAttribute('data-theme') === 'dark'", Duration::from_secs(5)).unwrap();
    let marks = chart_marks(&page);
    assert!(marks.iter().all(|(_, status, n)| status == "rendered" && *n > 0), "{marks:?}");
    assert_eq!(page.eval(background).unwrap(), serde_json::json!("rgb(13, 17, 23)"));
    // Vega's dark theme writes axis labels in white (the card behind stays the page's own).
    let label =
        page.eval("document.querySelector('figure.vcd-chart svg .role-axis-label text').getAttribute('fill')").unwrap();
    assert_eq!(label, serde_json::json!("#fff"), "charts were redrawn with the dark theme");

    page.navigate(&server.url("markets/")).unwrap();
    assert_eq!(page.eval("document.documentElement.getAttribute('data-theme')").unwrap(), serde_json::json!("dark"));
    chart_marks(&page);
    assert!(page.console_errors().is_empty(), "{:?}", page.console_errors());
}

/// The basic fixture plus `files`, built and served, with the table page at `url` open and ready.
/// The project and server are returned so they live as long as the page is used.
fn table_page(browser: &Browser, files: &[(&str, &str)], url: &str) -> (TempProject, StaticServer, Page) {
    let p = TempProject::fixture("basic");
    for (path, text) in files {
        p.write(path, text);
    }
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open(&server.url(url)).unwrap();
    page.wait_for("document.querySelector('figure.vcd-table').vcdTable", Duration::from_secs(10)).unwrap();
    (p, server, page)
}

#[test]
fn data_table_sorts_searches_pages_and_downloads_what_it_shows() {
    let Some(browser) = browser() else { return };
    let page_md = "# Table\n\n{{ table(posts, columns=['caption', 'platform', 'likes', 'like_rate'], formats={'likes': 'number', 'like_rate': 'percent'}, \
         links={'caption': 'posts/{post_id}/'}, labels={'like_rate': 'Like rate'}, page_size=2) }}\n";
    let (_p, _server, page) = table_page(&browser, &[("pages/table.md", page_md)], "table/");
    let rows = || {
        page.eval("Array.from(document.querySelectorAll('.vcd-table tbody tr')).map(tr => Array.from(tr.cells).map(td => td.textContent))").unwrap()
    };
    let info = || page.eval("document.querySelector('.vcd-table-info').textContent").unwrap();
    assert_eq!(
        rows(),
        serde_json::json!([
            ["Suede jacket", "instagram", "120", "12.0%"],
            ["<script>alert(1)</script>", "tiktok", "300", "12.0%"]
        ])
    );
    assert_eq!(info(), serde_json::json!("1–2 of 4"));

    page.click(".vcd-table-pager button:last-child").unwrap();
    assert_eq!(rows()[0][2], serde_json::json!("80"));
    assert_eq!(info(), serde_json::json!("3–4 of 4"));

    page.click(".vcd-table th:nth-child(3) button").unwrap();
    assert_eq!(
        rows(),
        serde_json::json!([
            ["[click](javascript:alert(1)) **bold**", "tiktok", "45", "6.4%"],
            ["Ends with </script> and \"quotes\"", "instagram", "80", "8.9%"]
        ])
    );
    page.click(".vcd-table th:nth-child(3) button").unwrap();
    assert_eq!(rows()[0][2], serde_json::json!("300"), "a second click sorts descending");

    page.type_text(".vcd-table-search", "tiktok").unwrap();
    assert_eq!(info(), serde_json::json!("1–2 of 2"));
    let csv = page.eval("document.querySelector('figure.vcd-table').vcdTable.csv()").unwrap();
    assert_eq!(
        csv,
        serde_json::json!("caption,platform,likes,Like rate\r\n<script>alert(1)</script>,tiktok,300,0.12\r\n[click](javascript:alert(1)) **bold**,tiktok,45,0.06428571428571428\r\n")
    );
    let href = page.eval("document.querySelector('.vcd-table tbody a').getAttribute('href')").unwrap();
    assert_eq!(href, serde_json::json!("../posts/2/"));
    assert!(page.events("Page.javascriptDialogOpening").is_empty());
    assert!(page.console_errors().is_empty(), "{:?}", page.console_errors());
}

#[test]
fn a_ten_thousand_row_table_draws_one_page_at_a_time() {
    let Some(browser) = browser() else { return };
    let files = [
        (
            "queries/many.sql",
            "SELECT i, 'item ' || CAST(i AS VARCHAR) AS label, (i * 7919) % 10007 AS score FROM range(10000) t(i)\n",
        ),
        ("pages/many.md", "# Many\n\n{{ table(many, formats={'score': 'number'}, page_size=50) }}\n"),
    ];
    let (_p, _server, page) = table_page(&browser, &files, "many/");
    let count = "document.querySelectorAll('.vcd-table tbody tr').length";
    assert_eq!(page.eval(count).unwrap(), serde_json::json!(50), "only one page of rows is in the document");
    page.click(".vcd-table th:nth-child(3) button").unwrap();
    page.click(".vcd-table th:nth-child(3) button").unwrap();
    // The largest score over 10,000 rows of (i * 7919) mod 10007 is 10,006.
    let top = page.eval("document.querySelector('.vcd-table tbody td:nth-child(3)').textContent").unwrap();
    assert_eq!(top, serde_json::json!("10,006"));
    page.type_text(".vcd-table-search", "item 999").unwrap();
    assert_eq!(
        page.eval("document.querySelector('.vcd-table-info').textContent").unwrap(),
        serde_json::json!("1–11 of 11")
    );
    assert!(page.console_errors().is_empty(), "{:?}", page.console_errors());
}

/// A chart of more than 500 marks is drawn on a canvas (much faster to
/// redraw than as many SVG elements); one of 500 or fewer stays SVG.
#[test]
fn a_chart_of_many_marks_is_drawn_on_a_canvas() {
    let Some(browser) = browser() else { return };
    let p = TempProject::fixture("basic");
    let chart = |query: &str| {
        format!(
            "```vega-lite\n{{\"data\": {{\"name\": \"{query}\"}}, \"mark\": \"point\",\n \"encoding\": {{\"x\": \
             {{\"field\": \"i\", \"type\": \"quantitative\"}}, \"y\": {{\"field\": \"score\", \"type\": \
             \"quantitative\"}}}}}}\n```\n"
        )
    };
    for (name, rows) in [("at_limit", 500), ("over_limit", 501)] {
        p.write(
            &format!("queries/{name}.sql"),
            &format!("SELECT i, (i * 7919) % 10007 AS score FROM range({rows}) t(i)\n"),
        );
    }
    p.write("pages/marks.md", &format!("# Marks\n\n{}\n{}", chart("at_limit"), chart("over_limit")));
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open(&server.url("marks/")).unwrap();
    let marks = chart_marks(&page);
    assert_eq!(marks.iter().map(|m| m.1.as_str()).collect::<Vec<_>>(), ["rendered", "rendered"]);
    assert_eq!(marks[0].2, 500, "500 marks are SVG elements");
    let drawn = page
        .eval("Array.from(document.querySelectorAll('figure.vcd-chart')).map(f => [!!f.querySelector('svg.marks'), !!f.querySelector('canvas.marks'), f.getAttribute('data-rows')])")
        .unwrap();
    assert_eq!(drawn, serde_json::json!([[true, false, "500"], [false, true, "501"]]));
    assert!(page.console_errors().is_empty(), "{:?}", page.console_errors());
}

/// Layout blocks in Chromium: Markdown renders inside a callout, a details
/// block opens from the keyboard, a grid puts its cells side by side (a
/// chart among them draws) and stacks them on a phone, and the callout
/// follows the dark theme; no console errors.
#[test]
fn layout_blocks_render_open_from_the_keyboard_and_stack_on_a_phone() {
    let Some(browser) = browser() else { return };
    let p = TempProject::fixture("basic");
    p.write(
        "pages/layout.md",
        "# Layout\n\n\
         {% filter warning(title=\"Small sample\") %}\n    Only **four** posts went out at night.\n{% endfilter %}\n\n\
         {% filter details(\"How likes are counted\") %}\nLikes on the day of the *last* snapshot.\n{% endfilter %}\n\n\
         {% filter grid(columns=3) %}\n\
         {{ kpi(\"Likes\", \"likes\", data=\"by_platform\", agg=\"sum\") }}\n\n\
         {% filter column %}\nTwo platforms.\n\nCompared by likes.\n{% endfilter %}\n\n\
         {{ bar_chart(\"by_platform\", x=\"platform\", y=\"likes\") }}\n\
         {% endfilter %}\n",
    );
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let page = browser.open(&server.url("layout/")).unwrap();
    page.set_color_scheme(false).unwrap();
    let marks = chart_marks(&page);
    assert!(marks.len() == 1 && marks[0].1 == "rendered" && marks[0].2 > 0, "{marks:?}");
    let text = |js: &str| page.eval(js).unwrap();
    assert_eq!(text("document.querySelector('aside.vcd-warning strong').textContent"), "four");
    assert_eq!(text("document.querySelector('aside.vcd-warning').getAttribute('aria-label')"), "Small sample");
    // Three cells to a row: the card row, the column of two paragraphs, the chart.
    let columns = "getComputedStyle(document.querySelector('.vcd-grid')).gridTemplateColumns.split(' ').length";
    assert_eq!(text("document.querySelector('.vcd-grid').children.length"), 3);
    assert_eq!(text(columns), 3);
    // The keyboard opens the details: its summary takes focus and Enter toggles it.
    assert_eq!(text("document.querySelector('details.vcd-details').open"), false);
    page.eval("document.querySelector('details.vcd-details > summary').focus()").unwrap();
    page.press("Enter").unwrap();
    page.wait_for("document.querySelector('details.vcd-details').open", Duration::from_secs(5)).unwrap();
    // Dark: the callout's panel follows the theme.
    let panel = "getComputedStyle(document.querySelector('aside.vcd-warning')).backgroundColor";
    assert_eq!(text(panel), "rgb(246, 248, 250)");
    page.set_color_scheme(true).unwrap();
    assert_eq!(text(panel), "rgb(22, 27, 34)");
    // A phone: the cells stack.
    page.set_viewport(390, 844).unwrap();
    page.wait_for(&format!("{columns} === 1"), Duration::from_secs(5)).unwrap();
    let errors = page.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// A button group is a dropdown shown as buttons: a click and the arrow keys
/// choose, the URL keeps the choice and restores it, and every figure is the
/// one the dropdown gives for the same choice.
#[test]
fn a_button_group_filters_as_the_dropdown_does_by_click_keyboard_and_link() {
    let Some(browser) = browser() else { return };
    let p = TempProject::fixture("basic");
    let args = "\"platform\", options=[\"instagram\", \"tiktok\"], all=\"Both\"";
    p.write("pages/buttons.md", &likes_under(&format!("button_group({args})")));
    p.write("pages/select.md", &likes_under(&format!("dropdown({args})")));
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let page = browser.open(&server.url("buttons/")).unwrap();
    let eval = |page: &Page, js: &str| page.eval(js).unwrap();
    let likes = "document.querySelector('.kpi-value').textContent";
    let chosen = "document.querySelector('fieldset.vcd-buttons input:checked').value";
    page.settle();
    assert_eq!(eval(&page, chosen), "", "all= is chosen at first");
    let both = eval(&page, likes);

    page.click("fieldset.vcd-buttons label:nth-child(3) span").unwrap();
    page.wait_for("location.search === '?platform=tiktok'", Duration::from_secs(5)).unwrap();
    page.settle();
    let tiktok = eval(&page, likes);
    assert_ne!(tiktok, both, "the choice filters the card");
    // The arrow keys move the choice along the row.
    page.eval("document.querySelector('fieldset.vcd-buttons input:checked').focus()").unwrap();
    page.press("ArrowLeft").unwrap();
    page.wait_for("location.search === '?platform=instagram'", Duration::from_secs(5)).unwrap();
    page.settle();
    let instagram = eval(&page, likes);

    // The dropdown gives the same figures for the same choices, and a link restores the buttons.
    let other = browser.open("about:blank").unwrap();
    for (query, figure) in [("", &both), ("?platform=tiktok", &tiktok), ("?platform=instagram", &instagram)] {
        other.navigate(&server.url(&format!("select/{query}"))).unwrap();
        other.settle();
        assert_eq!(&eval(&other, likes), figure, "dropdown at select/{query}");
        other.navigate(&server.url(&format!("buttons/{query}"))).unwrap();
        other.settle();
        assert_eq!(&eval(&other, likes), figure, "buttons at buttons/{query}");
        let value = query.strip_prefix("?platform=").map(|p| if p == "tiktok" { "1" } else { "0" }).unwrap_or("");
        assert_eq!(eval(&other, chosen), value, "the link restores the choice");
    }
    let errors = [page.console_errors(), other.console_errors()].concat();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// A date input is a date range of one day: the same figures as the range
/// from and to that day, by typing a day or by a link naming it once or as
/// a range, and its chip names the day.
#[test]
fn a_date_input_filters_as_a_one_day_range_does() {
    let Some(browser) = browser() else { return };
    let p = TempProject::fixture("basic");
    p.write("pages/day.md", &likes_under("date_input(\"day\", field=\"posted_at\")"));
    p.write("pages/range.md", &likes_under("date_range(\"day\", field=\"posted_at\")"));
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = StaticServer::start(&p.path("site"), "/dash/");
    let page = browser.open(&server.url("day/")).unwrap();
    let likes = "document.querySelector('.kpi-value').textContent";
    page.settle();
    let all = page.eval(likes).unwrap();
    page.eval(
        "const d = document.querySelector('input.vcd-date-input, .vcd-date-input input');\
         d.value = '2024-01-19'; d.dispatchEvent(new Event('change', { bubbles: true }))",
    )
    .unwrap();
    page.wait_for("location.search === '?day=2024-01-19..2024-01-19'", Duration::from_secs(5)).unwrap();
    page.settle();
    let one = page.eval(likes).unwrap();
    assert_ne!(one, all, "the day filters the card");
    let chip = page.eval("document.querySelector('.vcd-active').textContent").unwrap();
    let chip = chip.as_str().unwrap();
    assert!(chip.contains("2024-01-19") && !chip.contains(" to "), "the chip names the day once: {chip}");

    for url in ["range/?day=2024-01-19..2024-01-19", "day/?day=2024-01-19", "day/?day=2024-01-19..2024-01-19"] {
        page.navigate(&server.url(url)).unwrap();
        page.settle();
        assert_eq!(page.eval(likes).unwrap(), one, "{url}");
    }
    assert_eq!(page.eval("document.querySelector('.vcd-date-input input').value").unwrap(), "2024-01-19");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// A page of the basic fixture: the input `call` makes, over a card of the
/// posts' likes that follows it.
fn likes_under(call: &str) -> String {
    format!("# Likes\n\n{{{{ {call} }}}}\n\n{{{{ kpi(\"Likes\", \"likes\", data=\"posts\", agg=\"sum\") }}}}\n")
}
