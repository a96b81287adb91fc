//! Bad component and filter input: each mistake fails the build with the page
//! and line, says what was expected, exits 1 and leaves the previous site alone.

use crate::support::project::TempProject;

/// Builds the `filters` fixture, adds `files`, builds again: returns stderr of
/// the failed second build, after checking its exit code and that `site/` is unchanged.
fn fails(files: &[(&str, &str)]) -> String {
    let p = TempProject::fixture("filters");
    let first = p.vcd(&["build"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let before = p.site_files();
    for (path, text) in files {
        p.write(path, text);
    }
    let r = p.vcd(&["build"]);
    assert_eq!(r.code, 1, "a broken page must fail the build:\n{}", r.stderr);
    assert!(p.site_files() == before, "a failed build changed site/");
    r.stderr
}

fn page(body: &str) -> String {
    fails(&[("pages/bad.md", body)])
}

#[track_caller]
fn says(stderr: &str, expected: &str) {
    assert!(stderr.contains(expected), "expected {expected:?} in:\n{stderr}");
}

#[test]
fn an_unknown_argument_names_the_closest_one() {
    let e = page("# Bad\n\n{{ bar_chart(\"posts\", x=\"platform\", y=\"reach\", colour=\"platform\") }}\n");
    says(&e, "pages/bad.md:3:4: too many arguments: bar_chart has no argument 'colour' (did you mean 'color'?); it takes: x, y,");
    let e = page("# Bad\n\n{{ kpi(\"Posts\", \"posts\", data=\"platform_totals\", formt=\"number\") }}\n");
    says(&e, "pages/bad.md:3:4: too many arguments: kpi has no argument 'formt' (did you mean 'format'?)");
}

#[test]
fn a_missing_argument_says_what_is_needed() {
    let e = page("# Bad\n\nText\n{{ line_chart(\"posts\", x=\"posted_at\") }}\n");
    says(&e, "pages/bad.md:4:4: missing argument: line_chart needs y= (a column of query 'posts')");
    let e = page("# Bad\n\n{{ dropdown(\"platform\") }}\n{{ table(\"posts\") }}\n");
    says(&e, "pages/bad.md:3:4: missing argument: dropdown needs options= (a query name or a list of values)");
}

#[test]
fn a_chart_field_must_be_a_column_of_its_query() {
    let e = page("# Bad\n\n{{ bar_chart(\"posts\", x=\"platfrom\", y=\"reach\") }}\n");
    says(
        &e,
        "pages/bad.md:3:4: invalid operation: bar_chart: x 'platfrom' is not a column of query 'posts' (did you mean 'platform'?) (it returns: post_id, platform,",
    );
    let e = page("# Bad\n\n{{ kpi(\"Reach\", \"reech\", data=\"posts\", agg=\"sum\") }}\n");
    says(&e, "pages/bad.md:3:4: invalid operation: kpi value 'reech' is not a column of query 'posts' (did you mean 'reach'?)");
}

#[test]
fn an_input_bound_to_a_missing_query_is_an_error() {
    let e = page("# Bad\n\n{{ dropdown(\"platform\", options=\"platfroms\") }}\n{{ table(\"posts\") }}\n");
    says(&e, "pages/bad.md:3:4: invalid operation: dropdown: unknown query 'platfroms' (did you mean 'platforms'?)");
}

#[test]
fn a_sql_parameter_needs_an_input_on_the_page() {
    let e = page("# Bad\n\nNo inputs here.\n\n{{ kpi(\"Posts\", \"posts\", data=\"platform_totals\") }}\n");
    says(
        &e,
        "pages/bad.md:5: query 'platform_totals' takes parameter $platform, but this page has no input named 'platform'",
    );
    let e = page(
        "# Bad\n\n{{ date_range(\"platform\", field=\"posted_at\") }}\n{{ kpi(\"Posts\", \"posts\", data=\"platform_totals\") }}\n",
    );
    says(&e, "pages/bad.md:3: input 'platform' is a date_range and cannot bind parameter $platform of query 'platform_totals'");
}

#[test]
fn a_parameterised_query_cannot_be_read_as_template_text() {
    let e =
        page("# Bad\n\n{{ dropdown(\"platform\", options=\"platforms\") }}\n\nPosts: {{ platform_totals[0].posts }}\n");
    says(
        &e,
        "pages/bad.md:5: query 'platform_totals' takes parameters ($platform), so its rows depend on the page's inputs",
    );
    let e = fails(&[("pages/by/[posts].md", "---\nrows: platform_totals\n---\n# {{ row.posts }}\n")]);
    says(&e, "pages/by/[posts].md:2: rows query 'platform_totals' takes parameters");
}

#[test]
fn too_many_variants_name_the_query_and_inputs() {
    let e = fails(&[
        ("vcd.toml", "max_variants = 2\n"),
        ("pages/bad.md", "# Bad\n\n{{ dropdown(\"platform\", options=\"platforms\", all=\"All\") }}\n\n{{ kpi(\"Posts\", \"posts\", data=\"platform_totals\") }}\n"),
    ]);
    says(
        &e,
        "pages/bad.md:5: query 'platform_totals' would be pre-computed 3 times, once per combination of inputs 'platform' (3 values), more than max_variants = 2",
    );
}

#[test]
fn an_input_that_filters_nothing_is_an_error() {
    let e = page("# Bad\n\n{{ search(\"q\", fields=[\"captoin\"]) }}\n\n{{ table(\"posts\") }}\n");
    says(&e, "pages/bad.md:3: input 'q' filters nothing on this page: no chart, table or KPI here reads a query that takes $q or returns a column 'captoin'");
}
