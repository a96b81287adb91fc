//! `value()`: a figure inline in prose, the same at build time and after the
//! scripts run, following the page's filters, and what SQL gives; and
//! "data as of", the time the build's data was current.

use crate::support::browser::Browser;
use crate::support::project::TempProject;
use crate::support::static_server::StaticServer;
use serde_json::json;
use vcd::source::Source;

const PAGE: &str = "---\ntitle: Prose\n---\n# Prose\n\n\
{{ dropdown(\"platform\", options=\"platforms\", all=\"All platforms\", label=\"Platform\") }}\n\n\
The posts reached {{ value(\"posts\", \"reach\") }} people over {{ value(\"posts\", \"post_id\", agg=\"count\") }} posts, \
engaging {{ value(\"posts\", \"engagement_rate\", agg=\"mean\", format=\"percent\", decimals=2) }} of them.\n";

/// The three figures as SQL gives them for `platform` (all when `None`), formatted as the page formats them.
fn expected(p: &TempProject, platform: Option<&str>) -> Vec<String> {
    use vcd::util::format::{format, Num, Style};
    let db = crate::support::duck::open(&p.path("data"));
    let only = platform.map_or(String::new(), |x| format!("WHERE platform = '{x}'"));
    let sql = format!("SELECT sum(reach), count(*), avg(engagement_rate) FROM posts {only}");
    let r = db.run(&sql, &[], 1).unwrap_or_else(|e| panic!("{}", e.message));
    let n = |i: usize| Num::from_json(&r.rows[0][i]).unwrap();
    vec![format(&n(0), Style::Number, 0), format(&n(1), Style::Number, 0), format(&n(2), Style::Percent, 2)]
}

/// The text of each inline value's figure in built HTML, character references decoded.
fn built_values(html: &str) -> Vec<String> {
    let open = "<span class=\"kpi-value\"";
    html.match_indices(open)
        .map(|(i, _)| {
            let rest = &html[i..];
            let text = &rest[rest.find('>').unwrap() + 1..rest.find("</span>").unwrap()];
            let mut out = String::new();
            let mut parts = text.split("&#");
            out.push_str(parts.next().unwrap_or_default());
            for part in parts {
                let (code, tail) = part.split_once(';').unwrap();
                out.push(char::from_u32(code.parse().unwrap()).unwrap());
                out.push_str(tail);
            }
            out
        })
        .collect()
}

const READ: &str = "Array.from(document.querySelectorAll('p .vcd-value .kpi-value')).map(v => v.textContent)";

#[test]
fn an_inline_value_reads_as_sql_gives_it_before_and_after_the_scripts_and_under_a_filter() {
    let p = TempProject::fixture("filters");
    p.write("pages/prose.md", PAGE);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = p.read("site/prose/index.html");
    let want = expected(&p, None);
    assert_eq!(built_values(&html), want, "the build writes what SQL gives");
    assert!(!html.contains("<p>The posts reached <div"), "no block inside the paragraph");
    let Some(browser) = Browser::for_test() else { return };
    let server = StaticServer::start(&p.path("site"), "/");
    let page = browser.open(&server.url("prose/")).unwrap();
    page.settle();
    assert_eq!(page.eval(READ).unwrap(), json!(want), "the runtime writes what the build wrote");
    let platform = page.choose("platform", "1");
    assert_eq!(page.eval(READ).unwrap(), json!(expected(&p, platform.as_str())), "under {platform}");
    let errors = page.console_errors();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_bad_value_is_named() {
    let p = TempProject::fixture("filters");
    p.write("pages/bad.md", "# Bad\n\nReach: {{ value(\"posts\", \"rech\") }}\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("pages/bad.md:3") && r.stderr.contains("'rech'"), "{}", r.stderr);
    assert!(r.stderr.contains("did you mean 'reach'"), "{}", r.stderr);
    p.write("pages/bad.md", "# Bad\n\nReach: {{ value(\"posts\", \"reach\", agg=\"median\") }}\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("value agg must be one of first, sum, mean, min, max, count, got 'median'"),
        "{}",
        r.stderr
    );
}

/// "Data as of": offline, the newest change to `data/`, in the project's time
/// zone, in every page's footer and from `last_refreshed()`; the same for two
/// builds of the same files; `SOURCE_DATE_EPOCH` stands for it when set.
#[test]
fn data_as_of_is_the_newest_change_to_the_data_files() {
    let p = TempProject::fixture("filters");
    p.write("vcd.toml", "timezone = \"America/Toronto\"\n");
    p.write("pages/as-of.md", "# As of\n\nFigures as of {{ last_refreshed() }}.\n");
    let at = |secs: u64| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    for entry in std::fs::read_dir(p.path("data")).unwrap().flatten() {
        let file = std::fs::File::options().write(true).open(entry.path()).unwrap();
        file.set_modified(at(1_700_000_000)).unwrap(); // 2023-11-14T22:13:20Z
    }
    std::fs::File::options()
        .write(true)
        .open(p.path("data/posts.csv"))
        .unwrap()
        .set_modified(at(1_796_065_509))
        .unwrap();
    // Unset: the data files' time (the tests' builds otherwise share a fixed one).
    let mtime: &[(&str, &str)] = &[("SOURCE_DATE_EPOCH", "")];
    let r = p.vcd_env(&["build"], mtime);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let time = "<time class=\"vcd-as-of\" datetime=\"2026-11-30T14:05:09-05:00\">Nov 30, 2026, 14:05 EST</time>";
    let page = p.read("site/as-of/index.html");
    assert!(page.contains(&format!("Figures as of {time}.")), "{page}");
    let footer = "<footer class=\"vcd-footer\">Data as of <time datetime=\"2026-11-30T14:05:09-05:00\">Nov 30, 2026, 14:05 EST</time></footer>";
    assert!(p.read("site/index.html").contains(footer), "every page's footer says it");
    let first = p.site_files();
    assert_eq!(p.vcd_env(&["build"], mtime).code, 0);
    assert!(first == p.site_files(), "two builds of the same files write the same bytes");
    let r = p.vcd_env(&["build"], &[("SOURCE_DATE_EPOCH", "1700000000")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(p
        .read("site/as-of/index.html")
        .contains("datetime=\"2023-11-14T17:13:20-05:00\">Nov 14, 2023, 17:13 EST</time>"));
}
