//! Rollups against the rows: on the demo at 10,000 posts, every chart and KPI
//! card that reads a rollup shows, unfiltered, for one platform, for a date
//! range and under a cross-filter, what SQL computes from its query's rows
//! with the same filters; so does each table paging through chunks (its row
//! count and first page). And the threshold: a chart whose aggregate cannot be
//! rolled up builds over a small result and is refused over a big one.

use crate::support::browser::{Browser, Page};
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::Value;
use vcd::source::Source;

fn settle(page: &Page) {
    crate::dashboard::settle(page);
    let errors = page.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// Two figures agree: both missing, or equal to 1e-9 relative.
fn same(a: &Value, b: &Value) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        (None, None) => a == b,
        _ => false,
    }
}

/// The SQL aggregate for a rollup measure `[op, column]`.
fn aggregate(m: &Value) -> String {
    let op = m[0].as_str().unwrap();
    match (op, m[1].as_str()) {
        ("count", _) => "count(*)".into(),
        ("valid", Some(f)) => format!("count({})", ident(f)),
        ("mean", Some(f)) => format!("avg({})", ident(f)),
        ("sum_squares", Some(f)) => format!("sum(CAST({0} AS DOUBLE) * CAST({0} AS DOUBLE))", ident(f)),
        (op, Some(f)) => format!("{op}({})", ident(f)),
        other => panic!("measure {other:?}"),
    }
}

/// The filters of a case as SQL over a query with these columns.
fn conditions(case: &Case, columns: &[String], date_field: Option<&str>) -> String {
    let mut out = vec!["TRUE".to_string()];
    if let Some(p) = case.platform {
        if columns.iter().any(|c| c == "platform") {
            out.push(format!("platform = '{p}'"));
        }
    }
    if let (Some((from, to)), Some(f)) = (case.dates, date_field) {
        out.push(format!("CAST({} AS DATE) BETWEEN DATE '{from}' AND DATE '{to}'", ident(f)));
    }
    out.join(" AND ")
}

/// A query's columns, from the page manifest, and the column the page's date
/// range filters it on (its first field the query returns), if any.
fn columns_and_date(manifest: &Value, date_input: Option<&Value>, query: &str) -> (Vec<String>, Option<String>) {
    let columns: Vec<String> = serde_json::from_value(manifest["queries"][query]["columns"].clone()).unwrap();
    let field = date_input.and_then(|i| {
        let fields = i["fields"].as_array().unwrap().iter().filter_map(Value::as_str);
        fields.into_iter().find(|f| columns.iter().any(|c| c == f)).map(String::from)
    });
    (columns, field)
}

struct Case {
    url: &'static str,
    platform: Option<&'static str>,
    dates: Option<(&'static str, &'static str)>,
}

#[test]
fn rolled_up_charts_and_cards_equal_sql_over_the_rows_under_every_filter() {
    let Some(browser) = Browser::for_test() else { return };
    let demo = TempProject::demo();
    let g = demo.vcd(&["generate", "--posts", "10000"]);
    assert_eq!(g.code, 0, "{}", g.stderr);
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let source = crate::support::duck::open(&demo.path("data"));
    let server = StaticServer::start(&demo.path("site"), "/");
    let page = browser.open("about:blank").unwrap();
    let cases = [
        Case { url: "", platform: None, dates: None },
        Case { url: "?platform=tiktok", platform: Some("tiktok"), dates: None },
        Case { url: "?period=2024-03-01..2024-06-30", platform: None, dates: Some(("2024-03-01", "2024-06-30")) },
        // From a link, a cross-filter applies to every component.
        Case { url: "?filter.platform=instagram", platform: Some("instagram"), dates: None },
    ];
    let mut checked = (0, 0, 0);
    for url in ["", "viral/", "platforms/", "audience/", "timing/", "business/"] {
        for case in &cases {
            let url = format!("{url}{}", case.url);
            page.navigate(&server.url(&url)).unwrap();
            settle(&page);
            let manifest = page.eval("JSON.parse(document.getElementById('vcd-page').textContent)").unwrap();
            let date_input = manifest["inputs"].as_array().unwrap().iter().find(|i| i["kind"] == "date_range").cloned();
            let charts = page
                .eval(
                    "Array.from(document.querySelectorAll('figure.vcd-chart:not(.vcd-spark)')).map(f => {\
                       const s = JSON.parse(f.querySelector('script.vcd-spec').textContent);\
                       return [f.id, s, f.vcdRows]; })",
                )
                .unwrap();
            for chart in charts.as_array().unwrap() {
                let spec = &chart[1];
                let Some(id) = spec.pointer("/usermeta/vcd/rollup").and_then(Value::as_u64) else { continue };
                let query = spec["data"]["name"].as_str().unwrap();
                let request = &manifest["requests"][id as usize];
                let rollup = &manifest["rollups"][request["full"]["rollup"].as_u64().unwrap() as usize];
                let (columns, date_field) = columns_and_date(&manifest, date_input.as_ref(), query);
                let date_field = date_field.as_deref();
                let group: Vec<String> = serde_json::from_value(request["group"].clone()).unwrap();
                if group.iter().any(|g| !columns.contains(g)) {
                    continue; // a density's cells: see the test below
                }
                let aliases: Vec<String> = serde_json::from_value(spec["usermeta"]["vcd"]["measures"].clone()).unwrap();
                let measures: Vec<String> = request["full"]["measures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| aggregate(&rollup["measures"][i.as_u64().unwrap() as usize]))
                    .collect();
                // A calendar groups by a column's day.
                let days: Vec<String> = serde_json::from_value(rollup["days"].clone()).unwrap();
                let keys: Vec<String> = group
                    .iter()
                    .map(|g| {
                        if days.contains(g) {
                            format!("CAST(CAST({0} AS DATE) AS VARCHAR)", ident(g))
                        } else {
                            ident(g)
                        }
                    })
                    .collect();
                let sql = format!(
                    "SELECT {} FROM ({}) AS q WHERE {}{}",
                    keys.iter().cloned().chain(measures).collect::<Vec<_>>().join(", "),
                    demo.read(&format!("queries/{query}.sql")).trim().trim_end_matches(';'),
                    conditions(case, &columns, date_field),
                    if keys.is_empty() {
                        String::new()
                    } else {
                        format!(" GROUP BY {}", (1..=keys.len()).map(|i| i.to_string()).collect::<Vec<_>>().join(", "))
                    }
                );
                let want = source.run(&sql, &[], usize::MAX).unwrap_or_else(|e| panic!("{}\n{sql}", e.message));
                let shown = chart[2].as_array().unwrap_or_else(|| panic!("/{url} {}: no rows", chart[0]));
                assert_eq!(shown.len(), want.rows.len(), "/{url} {} ({query}): groups\n{sql}", chart[0]);
                for row in &want.rows {
                    let found = shown.iter().find(|s| group.iter().enumerate().all(|(i, g)| same(&s[g], &row[i])));
                    let found =
                        found.unwrap_or_else(|| panic!("/{url} {}: no group {:?}", chart[0], &row[..group.len()]));
                    for (j, alias) in aliases.iter().enumerate() {
                        assert!(
                            same(&found[alias], &row[group.len() + j]),
                            "/{url} {}: {alias} is {} for {:?}, SQL says {}",
                            chart[0],
                            found[alias],
                            &row[..group.len()],
                            row[group.len() + j]
                        );
                    }
                }
                checked.0 += 1;
            }
            // Tables paging through chunks: the rows the filters keep, and the first page's posts in order.
            let tables = page
                .eval(
                    "Array.from(document.querySelectorAll('figure.vcd-table')).map(f => \
                       [JSON.parse(f.querySelector('script.vcd-table-spec').textContent), f.getAttribute('data-rows'), \
                        Array.from(f.querySelectorAll('tbody a')).map(a => a.getAttribute('href'))])",
                )
                .unwrap();
            for table in tables.as_array().unwrap() {
                let spec = &table[0];
                if spec["paged"].is_null() {
                    continue;
                }
                let query = spec["query"].as_str().unwrap();
                let (columns, date_field) = columns_and_date(&manifest, date_input.as_ref(), query);
                let (sort, dir) = (spec["sort"]["column"].as_str().unwrap(), spec["sort"]["dir"].as_i64().unwrap());
                let sql = format!(
                    "SELECT post_id, count(*) OVER () FROM ({}) AS q WHERE {} ORDER BY {} {} NULLS LAST LIMIT {}",
                    demo.read(&format!("queries/{query}.sql")).trim().trim_end_matches(';'),
                    conditions(case, &columns, date_field.as_deref()),
                    ident(sort),
                    if dir < 0 { "DESC" } else { "ASC" },
                    spec["page_size"]
                );
                let want = source.run(&sql, &[], usize::MAX).unwrap_or_else(|e| panic!("{}\n{sql}", e.message));
                let count = want.rows.first().map_or(0, |r| r[1].as_u64().unwrap());
                assert_eq!(
                    table[1].as_str().map(|n| n.parse::<u64>().unwrap()),
                    Some(count),
                    "/{url}: rows of {query}"
                );
                let posts: Vec<String> = want.rows.iter().map(|r| format!("posts/{}/", r[0])).collect();
                let shown: Vec<String> = serde_json::from_value(table[2].clone()).unwrap();
                let shown: Vec<String> = shown.iter().map(|h| h.trim_start_matches("../").to_string()).collect();
                assert_eq!(shown, posts, "/{url}: the first page of {query} by {sort}\n{sql}");
                checked.2 += 1;
            }
            let cards = page
                .eval(
                    "Array.from(document.querySelectorAll('.kpi')).filter(k => k.querySelector('script.vcd-kpi-spec'))\
                       .map(k => [JSON.parse(k.querySelector('script.vcd-kpi-spec').textContent), \
                                  k.querySelector('.kpi-value').getAttribute('data-value')])",
                )
                .unwrap();
            for card in cards.as_array().unwrap() {
                let spec = &card[0];
                if spec["rollup"].is_null() || !spec["period"].is_null() {
                    continue; // period cards: the dashboard test checks their windows
                }
                let query = spec["query"].as_str().unwrap();
                let (columns, date_field) = columns_and_date(&manifest, date_input.as_ref(), query);
                let date_field = date_field.as_deref();
                let agg = spec["agg"].as_str().unwrap();
                let value = spec["value"].as_str().unwrap();
                let sql = format!(
                    "SELECT {} FROM ({}) AS q WHERE {}",
                    aggregate(&serde_json::json!([agg, value])),
                    demo.read(&format!("queries/{query}.sql")).trim().trim_end_matches(';'),
                    conditions(case, &columns, date_field)
                );
                let want = source.run(&sql, &[], usize::MAX).unwrap_or_else(|e| panic!("{}\n{sql}", e.message));
                let mut expected = want.rows[0][0].clone();
                if agg == "sum" && expected.is_null() {
                    expected = 0.into(); // a sum over no rows shows 0, as Vega-Lite's does
                }
                assert!(same(&card[1], &expected), "/{url}: {agg}({value}) shows {}, SQL says {expected}", card[1]);
                checked.1 += 1;
            }
        }
    }
    eprintln!("checked {} rolled-up charts, {} cards and {} paged tables", checked.0, checked.1, checked.2);
    assert!(checked.0 >= 60 && checked.1 >= 40 && checked.2 >= 12, "{checked:?}");
}

#[test]
fn an_aggregate_that_cannot_roll_up_builds_under_browser_rows_and_is_refused_over_it() {
    let demo = TempProject::demo();
    demo.write(
        "pages/median.md",
        "# Median\n\n```vega-lite\n{\"data\": {\"name\": \"post_facts\"}, \"mark\": \"bar\",\n \
         \"encoding\": {\"x\": {\"field\": \"platform\"}, \"y\": {\"field\": \"reach\", \"aggregate\": \"median\"}}}\n```\n",
    );
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "the demo's rows are under the default browser_rows: {}", r.stderr);
    let first: Value = serde_json::from_str(&demo.read("site/data/post_facts.json")).unwrap();
    let rows = first.as_array().unwrap().len();
    demo.write("vcd.toml", &format!("{}\nbrowser_rows = {rows}\n", demo.read("vcd.toml")));
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "at the threshold the rows ship: {}", r.stderr);
    demo.write(
        "vcd.toml",
        &demo.read("vcd.toml").replace(&format!("browser_rows = {rows}"), &format!("browser_rows = {}", rows - 1)),
    );
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("pages/median.md:3:")
            && r.stderr.contains("a chart aggregates query 'post_facts' in the browser because its aggregate 'median' does not add up across groups")
            && r.stderr.contains(&format!("returns {rows} rows, more than browser_rows = {}", rows - 1)),
        "{}",
        r.stderr
    );
}

#[test]
fn a_scatter_over_browser_rows_is_drawn_as_a_density_with_exact_counts() {
    let Some(browser) = Browser::for_test() else { return };
    let demo = TempProject::demo();
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first: Value = serde_json::from_str(&demo.read("site/data/post_facts.json")).unwrap();
    let rows = first.as_array().unwrap().len();
    let config = demo.read("vcd.toml");
    // The viral page's scatter: one dot per post at the threshold, a density past it.
    let scatter = |html: &str| -> Value {
        let at = html.find("Scatter plot of engagement rate").expect("the scatter");
        let start = html[..at].rfind("<figure").unwrap();
        let json = &html[start..];
        let json = &json[json.find("class=\"vcd-spec\">").unwrap() + 17..];
        serde_json::from_str(&json[..json.find("</script>").unwrap()]).unwrap()
    };
    demo.write("vcd.toml", &format!("{config}\nbrowser_rows = {rows}\n"));
    assert_eq!(demo.vcd(&["build"]).code, 0);
    let spec = scatter(&demo.read("site/viral/index.html"));
    assert_eq!(spec["mark"]["type"], "point", "at browser_rows the rows ship: {spec}");
    assert!(spec.pointer("/usermeta/vcd/rollup").is_none());

    demo.write("vcd.toml", &format!("{config}\nbrowser_rows = {}\n", rows - 1));
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let spec = scatter(&demo.read("site/viral/index.html"));
    assert_eq!(spec["mark"]["type"], "circle", "{spec}");
    assert!(spec["title"]["subtitle"].as_str().unwrap().starts_with(&format!("Density of {rows} rows")), "{spec}");
    let id = spec.pointer("/usermeta/vcd/rollup").and_then(Value::as_u64).expect("read from a rollup");

    let server = StaticServer::start(&demo.path("site"), "/");
    let page = browser.open("about:blank").unwrap();
    for (query, platform) in [("", None), ("?platform=tiktok", Some("tiktok"))] {
        page.navigate(&server.url(&format!("viral/{query}"))).unwrap();
        settle(&page);
        let got = page
            .eval(&format!(
                "(() => {{ const f = Array.from(document.querySelectorAll('figure.vcd-chart')).find(f => \
                   JSON.parse(f.querySelector('script.vcd-spec').textContent).usermeta?.vcd?.rollup === {id}); \
                   return [+f.getAttribute('data-rows'), f.vcdRows.reduce((t, r) => t + r.count, 0), f.vcdRows.length, \
                           f.querySelectorAll('.vcd-chart-view path, .vcd-chart-view circle, .vcd-chart-view symbol').length]; }})()"
            ))
            .unwrap();
        let want = first.as_array().unwrap().iter().filter(|r| platform.is_none_or(|p| r["platform"] == p)).count();
        assert_eq!(got[0].as_u64().unwrap() as usize, want, "{query}: rows behind the density");
        assert_eq!(got[1].as_u64().unwrap() as usize, want, "{query}: the cells' counts add up to the rows");
        assert!(got[2].as_u64().unwrap() > 1 && got[3].as_u64().unwrap() > 1, "{query}: cells drawn: {got}");
    }
}

/// A scatter over a query too big to hold (one row over `max_rows`) is the
/// density it is over one row past `browser_rows`: the same page and rollup
/// files byte for byte, its grid cut where the engine's profile of the
/// result says its values lie (a log axis over the positive ones). A scatter
/// that cannot be a density, past either limit, and a chart whose aggregate
/// does not add up, are each refused once, naming their own line.
#[test]
fn a_scatter_over_a_query_too_big_to_hold_is_the_same_density() {
    let demo = TempProject::demo();
    for entry in std::fs::read_dir(demo.path("queries")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name != "post_facts.sql" {
            demo.remove(&format!("queries/{name}"));
        }
    }
    for entry in std::fs::read_dir(demo.path("pages")).unwrap() {
        let path = entry.unwrap().path();
        let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
    }
    let page = "# Density\n\n\
        {{ scatter_chart(\"post_facts\", x=\"impressions\", y=\"shares\", color=\"platform\", size=\"saves\") }}\n\n\
        ```vega-lite\n\
        {\"data\": {\"name\": \"post_facts\"}, \"mark\": \"point\", \"encoding\": {\
        \"x\": {\"field\": \"engagement_rate\", \"type\": \"quantitative\", \"scale\": {\"type\": \"log\"}}, \
        \"y\": {\"field\": \"attributed_revenue\", \"type\": \"quantitative\"}}}\n\
        ```\n";
    demo.write("pages/index.md", page);
    let config = demo.read("vcd.toml");
    let sql_rows = crate::support::duck::row_count(&demo.path(""), "post_facts");
    demo.write("vcd.toml", &format!("{config}\nbrowser_rows = {}\n", sql_rows - 1));
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let held = demo.site_files();
    let html = demo.read("site/index.html");
    assert_eq!(html.matches(&format!("\"subtitle\":\"Density of {sql_rows} rows")).count(), 2, "both charts: {html}");
    // A shorthand chart past browser_rows that cannot be a density names its
    // own line, though the query is named on earlier lines too.
    let bad = "{{ scatter_chart(\"post_facts\", x=\"platform\", y=\"shares\") }}\n";
    demo.write("pages/index.md", &format!("{page}\n{bad}"));
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("pages/index.md:{}", page.lines().count() + 2))
            && r.stderr.contains(&format!(
                "scatter_chart: a chart draws one mark per row of query 'post_facts': {sql_rows} rows"
            ))
            && r.stderr.contains("it cannot be drawn as a density because its x 'platform' is not a number column"),
        "{}",
        r.stderr
    );
    demo.write("pages/index.md", page);

    demo.write("vcd.toml", &format!("{config}\nmax_rows = {}\n", sql_rows - 1));
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let unheld = demo.site_files();
    same_site(&held, &unheld);

    let lines = page.lines().count();
    demo.write("pages/index.md", &format!("{page}\n{bad}"));
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("pages/index.md:{}", lines + 2))
            && r.stderr.contains(
                "scatter_chart: a chart draws one mark per row of query 'post_facts', which returns more than max_rows"
            )
            && r.stderr.contains("it cannot be drawn as a density because its x 'platform' is not a number column"),
        "{}",
        r.stderr
    );
    let median =
        page.replace("\"type\": \"quantitative\"}}}", "\"type\": \"quantitative\", \"aggregate\": \"median\"}}}");
    assert_ne!(median, page);
    demo.write("pages/index.md", &median);
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.matches("error:").count(), 1, "one error for the chart: {}", r.stderr);
    assert!(
        r.stderr.contains("pages/index.md:5")
            && r.stderr
                .contains("the engine cannot compute its figures because its aggregate 'median' does not add up"),
        "{}",
        r.stderr
    );
    assert!(demo.site_files() == unheld, "a failed build leaves the site as it was");
}

/// The demo's KPI cards and charts over `featured_sales` when the query
/// returns one row more than `max_rows`: the engine computes their rollups,
/// the cards take their build-time figures from them, and the site is byte
/// for byte the one built with the rows held (its pages read the query only
/// through rollups, so neither has its whole file); the page reads the same
/// after its scripts run and asks for no file that is not there. A card whose aggregate does not add
/// up (`first`) is refused, naming its line.
#[test]
fn a_query_too_big_to_hold_feeds_the_cards_and_charts_that_aggregate_it() {
    let demo = TempProject::demo();
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let held = demo.site_files();
    assert!(!demo.path("site/data/featured_sales.json").exists(), "no page loads its rows whole");
    let rows = crate::support::duck::row_count(&demo.path(""), "featured_sales");
    let config = demo.read("vcd.toml");
    demo.write("vcd.toml", &format!("{config}\nmax_rows = {}\n", rows - 1));
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let unheld = demo.site_files();
    same_site(&held, &unheld);
    let html = demo.read("site/business/index.html");
    assert!(html.contains("Items featured") && !html.contains("<!--vcd-kpi"), "the figures are filled in");

    if let Some(browser) = Browser::for_test() {
        let server = StaticServer::start(&demo.path("site"), "/");
        let page = browser.open(&server.url("business/")).unwrap();
        settle(&page);
        let shown = page
            .eval("Array.from(document.querySelectorAll('.kpi')).map(k => k.querySelector('.kpi-value').textContent)")
            .unwrap();
        let built: Vec<String> = html
            .split("<div class=\"kpi-value\"")
            .skip(1)
            .map(|s| {
                let text = &s[s.find('>').unwrap() + 1..];
                unescape(&text[..text.find("</div>").unwrap()])
            })
            .collect();
        assert_eq!(shown, serde_json::json!(built), "the cards read the same after the scripts run");
    }

    let business = demo.read("pages/business.md");
    let first = "{{ kpi(\"First sale\", \"sales_after_post\", data=\"featured_sales\", agg=\"first\") }}\n";
    demo.write("pages/business.md", &format!("{business}\n{first}"));
    let r = demo.vcd(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = business.lines().count() + 2;
    assert!(
        r.stderr.contains(&format!("pages/business.md:{line}"))
            && r.stderr.contains("its agg='first' cannot be computed by the engine because 'first' does not add up"),
        "{}",
        r.stderr
    );
    assert!(demo.site_files() == unheld, "a failed build leaves the site as it was");
}

/// The site built with a query's rows held and the one built without them
/// are byte for byte the same, file for file: pages that read the query only
/// through rollups load no file of its rows either way.
fn same_site(held: &[(std::path::PathBuf, Vec<u8>)], unheld: &[(std::path::PathBuf, Vec<u8>)]) {
    let paths = |files: &[(std::path::PathBuf, Vec<u8>)]| files.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(paths(held), paths(unheld), "the same files");
    for ((path, a), (_, b)) in held.iter().zip(unheld) {
        assert!(a == b, "{} differs", path.display());
    }
}

/// Text with its character references (`&#46;`, `&amp;`) read back.
fn unescape(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').map(|j| i + j).unwrap();
        let name = &rest[i + 1..end];
        let c = match name.strip_prefix('#') {
            Some(n) => char::from_u32(n.parse().unwrap()).unwrap(),
            None => [("amp", '&'), ("lt", '<'), ("gt", '>'), ("quot", '"')].iter().find(|(k, _)| *k == name).unwrap().1,
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out + rest
}
