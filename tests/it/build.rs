//! End-to-end tests of `vcd build` and `vcd check` on fixture projects: the
//! output a user gets, and the message, exit code and untouched site for each bad input.

use crate::support::project::{main_of, Run, TempProject};

#[test]
fn builds_pages_data_and_assets() {
    let p = TempProject::fixture("basic");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("built 7 pages from 4 queries"), "{}", r.stderr);
    insta::assert_snapshot!("basic_index_main", main_of(&p.read("site/index.html")));
    insta::assert_snapshot!("basic_details_main", main_of(&p.read("site/guide/details/index.html")));
    for f in [
        "site/guide/index.html",
        "site/data/posts.json",
        "site/assets/style.css",
        "site/assets/vendor/vega.min.js",
        "site/assets/vendor/LICENSE-vega.txt",
    ] {
        assert!(p.path(f).is_file(), "{f} missing");
    }
    let rows: serde_json::Value = serde_json::from_str(&p.read("site/data/by_platform.json")).unwrap();
    assert_eq!(
        rows,
        serde_json::json!([{"platform": "instagram", "posts": 2, "likes": 200}, {"platform": "tiktok", "posts": 2, "likes": 345}])
    );
}

#[test]
fn a_bracketed_page_makes_one_page_per_row() {
    let p = TempProject::fixture("basic");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for id in 1..=4 {
        let html = p.read(&format!("site/posts/{id}/index.html"));
        assert!(html.contains(&format!("<title>Post {id} · vcd</title>")), "{html}");
    }
    insta::assert_snapshot!("basic_post_2_main", main_of(&p.read("site/posts/2/index.html")));
    let index = p.read("site/index.html");
    assert!(index.contains("<a href=\"posts/3/\">3</a>"), "the table links to the generated page");
    assert!(!index.contains("Post 3</a>"), "generated pages stay out of the sidebar");
}

#[test]
fn bracketed_page_key_must_exist_and_be_unique() {
    let p = TempProject::fixture("basic");
    p.write("pages/platforms/[name].md", "---\nrows: by_platform\n---\n# {{ row.platform }}\n");
    p.write("queries/dups.sql", "SELECT platform FROM posts\n");
    p.write("pages/dups/[platform].md", "---\nrows: dups\n---\n# {{ row.platform }}\n");
    p.write("pages/norows/[post_id].md", "# No rows key\n");
    p.write("pages/typo/[post_id].md", "---\nrows: post\n---\n# {{ row.caption }}\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("error_bracketed_pages", r.stderr);
}

#[test]
fn json_types_follow_the_documented_mapping() {
    let p = TempProject::fixture("basic");
    assert_eq!(p.vcd(&["build"]).code, 0);
    insta::assert_snapshot!("basic_types_json", p.read("site/data/types.json"));
}

#[test]
fn urls_are_relative_so_any_base_path_works() {
    let p = TempProject::fixture("basic");
    assert_eq!(p.vcd(&["build"]).code, 0);
    for page in ["site/index.html", "site/guide/index.html", "site/guide/details/index.html"] {
        let html = p.read(page);
        for attr in ["href=\"/", "src=\"/", "href=\"http", "src=\"http"] {
            assert!(!html.contains(attr), "{page} has an absolute URL ({attr})");
        }
    }
    let details = p.read("site/guide/details/index.html");
    assert!(details.contains("href=\"../../assets/style.css?v="), "assets are reached relative to the page");
    assert!(details.contains("<a href=\"../../\">Basic fixture</a>"), "sidebar links are relative");
    assert!(details.contains("data-root=\"../../\""));
}

#[test]
fn data_from_queries_never_becomes_markup() {
    let p = TempProject::fixture("basic");
    assert_eq!(p.vcd(&["build"]).code, 0);
    let html = p.read("site/index.html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("javascript:alert(1)\""), "no link was made from data");
    assert!(!html.contains("<strong>bold"), "Markdown in data stays text");
    assert!(html.contains("Ends with &lt;/script&gt; and \"quotes\""));
    // Every script element closes where vcd closed it: none ends early inside JSON.
    let opens = html.matches("<script").count();
    let closes = html.matches("</script>").count();
    assert_eq!(opens, closes);
    for chunk in html.split("<script type=\"application/json\" class=\"vcd-spec\">").skip(1) {
        let json = &chunk[..chunk.find("</script>").unwrap()];
        serde_json::from_str::<serde_json::Value>(json).expect("each embedded spec is whole JSON");
    }
}

#[test]
fn check_verifies_without_writing() {
    let p = TempProject::fixture("basic");
    let r = p.vcd(&["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!p.path("site").exists());
    p.write("pages/oops.md", "{{ nope }}\n");
    let r = p.vcd(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("pages/oops.md:1: unknown query 'nope'"), "{}", r.stderr);
    assert!(!p.path("site").exists());
}

/// Builds the fixture, breaks it with `setup`, builds again: the second build
/// must fail with exit code 1 and leave the first build's site byte for byte.
fn broken(setup: impl Fn(&TempProject)) -> Run {
    let p = TempProject::fixture("basic");
    let first = p.vcd(&["build"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let before = p.site_files();
    setup(&p);
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1, "broken build must exit 1:\n{}", r.stderr);
    assert!(p.site_files() == before, "a failed build changed site/");
    let leftovers: Vec<_> = std::fs::read_dir(&p.root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".site."))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind: {leftovers:?}");
    r
}

fn break_sql(p: &TempProject) {
    p.write("queries/broken.sql", "SELECT post_id,\n       likes\nFORM posts\n");
}
fn break_unknown_query(p: &TempProject) {
    p.write("pages/unknown.md", "# Unknown\n\nTop: {{ post[0].caption }}\n");
}
fn break_json(p: &TempProject) {
    p.write(
        "pages/json.md",
        "# JSON\n\n```vega-lite\n{\n  \"data\": {\"name\": \"posts\"},\n  \"mark\": \"bar\",,\n}\n```\n",
    );
}
fn break_field(p: &TempProject) {
    p.write(
        "pages/field.md",
        "# Field\n\n```vega-lite\n{\n  \"data\": {\"name\": \"posts\"},\n  \"mark\": \"bar\",\n  \"encoding\": {\"x\": {\"field\": \"platfrom\"}}\n}\n```\n",
    );
}
fn break_syntax(p: &TempProject) {
    p.write("pages/syntax.md", "# Syntax\n\n{% for p in posts %}\n{{ p.caption }\n{% endfor %}\n");
}
fn break_undefined(p: &TempProject) {
    p.write("pages/undefined.md", "# Undefined\n\nLikes: {{ by_platform[0].likez }}\n");
}
fn break_csv(p: &TempProject) {
    p.write(
        "data/markets.csv",
        "market,city,fee\nQueen West Flea,Toronto,85.5\nLeslieville,Toronto,60,extra\nJunction,Toronto,70\n",
    );
}
fn break_collision(p: &TempProject) {
    p.write("pages/data.md", "# Data\n");
    p.write("pages/guide.md", "# Also the guide\n");
}

#[test]
fn sql_error_is_mapped_to_the_query_line() {
    let r = broken(break_sql);
    insta::assert_snapshot!("error_sql", r.stderr);
}

#[test]
fn unknown_query_suggests_a_name() {
    let r = broken(break_unknown_query);
    assert!(r.stderr.contains("pages/unknown.md:3: unknown query 'post' (did you mean 'posts'?)"), "{}", r.stderr);
    insta::assert_snapshot!("error_unknown_query", r.stderr);
}

#[test]
fn invalid_chart_json_names_its_line() {
    let r = broken(break_json);
    insta::assert_snapshot!("error_chart_json", r.stderr);
}

#[test]
fn chart_field_must_be_a_query_column() {
    let r = broken(break_field);
    insta::assert_snapshot!("error_chart_field", r.stderr);
}

#[test]
fn template_syntax_error_shows_the_line() {
    let r = broken(break_syntax);
    insta::assert_snapshot!("error_template_syntax", r.stderr);
}

#[test]
fn undefined_variable_is_an_error() {
    let r = broken(break_undefined);
    insta::assert_snapshot!("error_undefined", r.stderr);
}

#[test]
fn malformed_csv_names_file_and_line() {
    let r = broken(break_csv);
    assert!(r.stderr.contains("data/markets.csv:"), "{}", r.stderr);
    insta::assert_snapshot!("error_csv", r.stderr);
}

#[test]
fn page_output_collisions_are_errors() {
    let r = broken(break_collision);
    insta::assert_snapshot!("error_collision", r.stderr);
}

#[test]
fn missing_pages_folder_is_an_error() {
    let r = broken(|p| p.remove("pages"));
    insta::assert_snapshot!("error_no_pages", r.stderr);
}

#[test]
fn every_error_is_reported_in_one_run() {
    let all = [
        break_sql,
        break_unknown_query,
        break_json,
        break_field,
        break_syntax,
        break_undefined,
        break_csv,
        break_collision,
    ];
    let r = broken(|p| all.iter().for_each(|f| f(p)));
    for needle in [
        "queries/broken.sql:3",
        "pages/unknown.md:3",
        "pages/json.md:6",
        "pages/field.md:7",
        "pages/syntax.md:4",
        "pages/undefined.md:3",
        "data/markets.csv:",
        "pages/data.md",
        "pages/guide.md",
    ] {
        assert!(r.stderr.contains(needle), "missing {needle} in:\n{}", r.stderr);
    }
}

#[test]
fn usage_errors_exit_2() {
    let p = TempProject::fixture("basic");
    assert_eq!(p.vcd(&["buidl"]).code, 2);
    assert_eq!(p.vcd(&["build", "--bogus"]).code, 2);
    assert_eq!(p.vcd(&["-C", "no/such/folder", "build"]).code, 2);
    assert_eq!(p.vcd(&[]).code, 2);
}

#[test]
fn bad_config_names_the_key() {
    let p = TempProject::fixture("basic");
    p.write("vcd.toml", "title = \"x\"\noutptu = \"public\"\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("vcd.toml:2:1: unknown field `outptu`"), "{}", r.stderr);
}

#[test]
fn duckdb_memory_takes_sizes_and_refuses_too_little() {
    let p = TempProject::fixture("basic");
    p.write("vcd.toml", "duckdb_memory = \"512MiB\"\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    p.write("vcd.toml", "title = \"x\"\nduckdb_memory = \"lots\"\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("vcd.toml:2:17:"), "{}", r.stderr);
    p.write("vcd.toml", "duckdb_memory = \"50MB\"\n");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("`duckdb_memory` must be at least 100MB, got 50.0 MB"), "{}", r.stderr);
}

#[test]
fn foreign_output_folder_is_not_replaced() {
    let p = TempProject::fixture("basic");
    p.write("site/notes.txt", "mine");
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("refusing to replace"), "{}", r.stderr);
    assert_eq!(p.read("site/notes.txt"), "mine");
}

#[test]
fn query_level_mistakes_are_errors() {
    let p = TempProject::fixture("basic");
    p.write("vcd.toml", "max_rows = 3\n");
    p.write("queries/twice.sql", "SELECT 1 AS a, 2 AS a\n");
    p.write("queries/page.sql", "SELECT 1 AS x\n");
    p.write("queries/bad-name.sql", "SELECT 1 AS x\n");
    p.write("queries/empty.sql", "  \n");
    let r = p.vcd(&["check"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("error_queries", r.stderr);
}

#[test]
fn unchanged_queries_over_unchanged_data_come_from_the_cache() {
    let p = TempProject::fixture("basic");
    assert_eq!(p.vcd(&["check"]).code, 0);
    assert!(!p.path(".vcd-cache").exists(), "check writes nothing, not even the cache");
    assert_eq!(p.vcd(&["build"]).code, 0);
    let first = p.site_files();
    let r = p.vcd(&["build"]);
    assert!(r.stderr.contains("from 4 queries (4 cached)"), "{}", r.stderr);
    assert!(p.site_files() == first, "a build from the cache writes the same site");

    // A changed query runs again; the others still come from the cache.
    p.write(
        "queries/by_platform.sql",
        "SELECT platform, count(*) AS posts, sum(likes) AS likes FROM posts GROUP BY platform ORDER BY platform DESC\n",
    );
    let r = p.vcd(&["build"]);
    assert!(r.stderr.contains("(3 cached)"), "{}", r.stderr);
    assert!(p.read("site/data/by_platform.json").starts_with("[{\"platform\":\"tiktok\""));

    // Changed data invalidates every result.
    let csv = p.read("data/posts.csv").replace(
        "1,instagram,Suede jacket,2024-01-05 18:30:00,120,",
        "1,instagram,Suede jacket,2024-01-05 18:30:00,121,",
    );
    p.write("data/posts.csv", &csv);
    let r = p.vcd(&["build"]);
    assert!(r.stderr.contains("from 4 queries in"), "{}", r.stderr);
    assert!(p.read("site/data/by_platform.json").contains("\"likes\":201"), "new data, new result");
}
