//! The minijinja environment pages render in: strict undefined values, escaping that
//! keeps query data out of both HTML and Markdown syntax, and formatting filters.

use crate::components::args::as_num;
use crate::util::format::{Style, MISSING};
use minijinja::value::{Kwargs, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior};
use std::fmt::Write;

/// Names the environment itself defines, which a page may use without a query of that name.
pub fn builtin_names(env: &Environment<'_>) -> Vec<String> {
    env.globals().map(|(name, _)| name.to_string()).collect()
}

/// Builds the environment shared by every page of a build.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A typo in a column name must fail the build, not print an empty string.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Page bodies escape for HTML-inside-Markdown; chart specs (named *.json) escape as JSON.
    env.set_auto_escape_callback(|name| if name.ends_with(".json") { AutoEscape::Json } else { AutoEscape::Html });
    env.set_formatter(format_value);
    env.add_filter("number", number);
    env.add_filter("percent", percent);
    env.add_filter("currency", currency);
    env.add_filter("date", date);
    env.add_filter("compact", compact);
    env.add_function("kpi", crate::components::kpi);
    env.add_function("value", crate::components::value);
    env.add_function("funnel", crate::components::funnel::funnel);
    env.add_function("calendar_heatmap", crate::components::calendar::calendar_heatmap);
    env.add_function("sankey", crate::components::sankey::sankey);
    env.add_function("combo_chart", crate::components::shorthand::combo_chart);
    env.add_function("table", crate::components::table);
    env.add_function("dropdown", crate::components::inputs::dropdown);
    env.add_function("button_group", crate::components::inputs::button_group);
    env.add_function("multiselect", crate::components::inputs::multiselect);
    env.add_function("date_range", crate::components::inputs::date_range);
    env.add_function("date_input", crate::components::inputs::date_input);
    env.add_function("search", crate::components::inputs::search);
    env.add_function("checkbox", crate::components::inputs::checkbox);
    env.add_function("slider", crate::components::inputs::slider);
    env.add_function("last_refreshed", last_refreshed);
    crate::components::shorthand::register(&mut env);
    crate::components::layout::register(&mut env);
    env.add_filter(crate::chart::FILTER, |text: String, n: usize| {
        Value::from_safe_string(crate::chart::marker(n, &text))
    });
    env
}

/// Writes a value into page text. In HTML mode, anything not marked safe is escaped
/// so it renders as literal text after Markdown: HTML metacharacters and Markdown
/// punctuation become numeric character references, which Markdown decodes back
/// to plain text and never treats as syntax (a caption holding `[x](javascript:…)`
/// or `<script>` stays text). Null prints as an empty string.
fn format_value(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if *state.auto_escape() != AutoEscape::Html {
        return minijinja::escape_formatter(out, state, value);
    }
    if value.is_none() {
        return Ok(());
    }
    if value.is_safe() {
        return out.write_str(value.as_str().unwrap_or_default()).map_err(Error::from);
    }
    let text = match value.as_str() {
        Some(s) => s.to_string(),
        None => value.to_string(),
    };
    out.write_str(&crate::util::html::escape_for_markdown(&text)).map_err(Error::from)
}

fn not_a_number(filter: &str, v: &Value) -> Error {
    Error::new(ErrorKind::InvalidOperation, format!("the {filter} filter needs a number, got {} ({})", v, v.kind()))
}

/// What every number filter does: read `decimals` (at most 12), reject unknown
/// arguments, read the value as a number, and format it (`–` for null) by the
/// rules of `docs/formatting.md`.
fn figure(filter: &str, v: &Value, kwargs: &Kwargs, style: Style<'_>, default_decimals: u32) -> Result<String, Error> {
    let d: Option<u32> = kwargs.get("decimals")?;
    let d = d.unwrap_or(default_decimals).min(12);
    kwargs.assert_all_used()?;
    if v.is_none() {
        return Ok(MISSING.into());
    }
    let n = as_num(v).ok_or_else(|| not_a_number(filter, v))?;
    Ok(crate::util::format::format(&n, style, d))
}

/// `{{ x | number }}` → `1,234`; `{{ x | number(decimals=2) }}` → `1,234.50`.
fn number(v: Value, kwargs: Kwargs) -> Result<String, Error> {
    figure("number", &v, &kwargs, Style::Number, 0)
}

/// `{{ 0.1234 | percent }}` → `12.3%` (the value is a ratio, not already ×100).
fn percent(v: Value, kwargs: Kwargs) -> Result<String, Error> {
    figure("percent", &v, &kwargs, Style::Percent, 1)
}

/// `{{ x | currency }}` → `$1,234.50`; `currency(symbol="€", decimals=0)`.
fn currency(v: Value, kwargs: Kwargs) -> Result<String, Error> {
    let symbol: Option<String> = kwargs.get("symbol")?;
    figure("currency", &v, &kwargs, Style::Currency(symbol.as_deref().unwrap_or("$")), 2)
}

/// `{{ 1234567 | compact }}` → `1.2M`, for tight KPI cards.
fn compact(v: Value, kwargs: Kwargs) -> Result<String, Error> {
    figure("compact", &v, &kwargs, Style::Compact, 1)
}

/// `{{ "2024-05-01" | date }}` → `May 1, 2024`; `date(format="%Y-%m")` takes strftime codes.
fn date(v: Value, kwargs: Kwargs) -> Result<String, Error> {
    let format: Option<String> = kwargs.get("format")?;
    kwargs.assert_all_used()?;
    if v.is_none() {
        return Ok(MISSING.into());
    }
    let text = v.as_str().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("the date filter needs an ISO date string, got {v} ({})", v.kind()),
        )
    })?;
    let fmt = format.as_deref().unwrap_or("%b %-d, %Y");
    let dt = parse_datetime(text).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("the date filter cannot read '{text}' as an ISO date or timestamp"),
        )
    })?;
    let mut out = String::new();
    write!(out, "{}", dt.format(fmt))
        .map_err(|_| Error::new(ErrorKind::InvalidOperation, format!("invalid date format '{fmt}'")))?;
    Ok(out)
}

/// The date and wall-clock time as written: a UTC offset is read but not
/// applied, so `2024-05-01T20:00:00-05:00` is May 1 (its calendar day, as in a
/// table cell with the `date` format; `docs/formatting.md`, "Days"), not the
/// UTC day it falls on.
fn parse_datetime(text: &str) -> Option<chrono::NaiveDateTime> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.naive_local());
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"].iter().find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
}

/// `{{ last_refreshed() }}`: when the build's data was current, as
/// `<time datetime="2026-11-30T14:05:09-05:00">Nov 30, 2026, 14:05 EST</time>`
/// (`project::as_of`: offline the newest change to `data/`, on PostgreSQL the
/// build's run). An error when the build has no such time (no data files).
fn last_refreshed(state: &State) -> Result<Value, Error> {
    let as_of = state.lookup("site").and_then(|s| s.get_attr("data_as_of").ok()).filter(|v| !v.is_none());
    let Some(a) = as_of else {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "last_refreshed(): this build has no data time (offline, data/ holds no files)",
        ));
    };
    let attr = |k: &str| a.get_attr(k).ok().map(|v| crate::util::html::escape(&v.to_string())).unwrap_or_default();
    Ok(Value::from_safe_string(format!(
        "<time class=\"vcd-as-of\" datetime=\"{}\">{}</time>",
        attr("iso"),
        attr("text")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn render(src: &str, ctx: Value) -> String {
        environment().template_from_named_str("t.md", src).unwrap().render(ctx).unwrap()
    }

    #[test]
    fn formatting_filters() {
        let ctx = context! { n => 1234567.891, r => 0.12345, neg => -5.5, none => Value::from(()) , big => "9007199254740993" };
        assert_eq!(render("{{ n | number }}", ctx.clone()), "1,234,568");
        assert_eq!(render("{{ n | number(decimals=2) }}", ctx.clone()), "1,234,567&#46;89");
        assert_eq!(render("{{ r | percent }}", ctx.clone()), "12&#46;3%");
        assert_eq!(render("{{ neg | currency }}", ctx.clone()), "&#45;$5&#46;50");
        assert_eq!(render("{{ n | compact }}", ctx.clone()), "1&#46;2M");
        assert_eq!(render("{{ none | number }}", ctx.clone()), "–");
        assert_eq!(render("{{ big | number }}", ctx), "9,007,199,254,740,993");
    }

    #[test]
    fn filters_round_half_away_from_zero_on_the_decimal_and_keep_big_integers() {
        let out = |src: &str| render(&format!("{{% autoescape false %}}{src}{{% endautoescape %}}"), context! {});
        assert_eq!(out("{{ 1.005 | number(decimals=2) }}"), "1.01");
        assert_eq!(out("{{ 2.5 | number }}|{{ -2.5 | number }}"), "3|-3");
        assert_eq!(out("{{ 0.0325 | percent }}"), "3.3%");
        assert_eq!(out("{{ 999999 | compact }}|{{ 999950000 | compact }}|{{ 0.5 | compact }}"), "1M|1B|0.5");
        assert_eq!(out("{{ 9007199254740993 | number }}"), "9,007,199,254,740,993");
        assert_eq!(out("{{ '-9223372036854775808' | currency(decimals=0) }}"), "-$9,223,372,036,854,775,808");
        let err = environment()
            .template_from_named_str("t.md", "{{ '00501' | number }}")
            .unwrap()
            .render(context! {})
            .unwrap_err();
        assert!(err.to_string().contains("the number filter needs a number, got 00501"), "{err}");
    }

    #[test]
    fn date_filter_reads_iso_values() {
        let ctx = context! { d => "2024-05-01", t => "2024-05-01T18:30:00Z" };
        assert_eq!(render("{{ d | date }}", ctx.clone()), "May 1, 2024");
        assert_eq!(render("{{ t | date(format='%H:%M') | safe }}", ctx), "18:30");
    }

    #[test]
    fn date_filter_keeps_the_day_and_time_as_written_whatever_the_offset() {
        let out = |src: &str| render(&format!("{{% autoescape false %}}{src}{{% endautoescape %}}"), context! {});
        // West of UTC the UTC day is the next one; east of it, the one before.
        assert_eq!(out("{{ '2024-05-01T20:00:00-05:00' | date }}"), "May 1, 2024");
        assert_eq!(out("{{ '2024-05-01T01:00:00+09:00' | date }}"), "May 1, 2024");
        assert_eq!(out("{{ '2024-12-31T23:30:00-08:00' | date(format='%Y-%m-%d %H:%M') }}"), "2024-12-31 23:30");
        assert_eq!(out("{{ '2024-03-01T00:15:00+05:30' | date(format='%Y-%m-%d %H:%M') }}"), "2024-03-01 00:15");
        // The filter and a date table cell agree.
        for v in ["2024-05-01T20:00:00-05:00", "2024-05-01T01:00:00+09:00", "2024-05-01T23:59:59Z"] {
            let cell = crate::util::format::cell(&serde_json::json!(v), "date");
            assert_eq!(out(&format!("{{{{ '{v}' | date }}}}")), cell, "{v}");
        }
    }

    #[test]
    fn data_cannot_become_markup() {
        let ctx = context! { c => "<script>alert(1)</script> [x](javascript:alert(1)) **b**" };
        let out = render("{{ c }}", ctx);
        assert!(!out.contains('<') && !out.contains('[') && !out.contains('*'), "{out}");
    }

    #[test]
    fn undefined_values_fail() {
        let err = environment().template_from_named_str("t.md", "{{ nope }}").unwrap().render(context! {}).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UndefinedError);
    }
}

/// KPI cards and tables rendered through the environment that registers them.
#[cfg(test)]
mod component_tests {
    use super::environment;
    use minijinja::context;

    fn render(src: &str) -> Result<String, minijinja::Error> {
        environment()
            .template_from_named_str("t.md", src)?
            .render(context! { k => context! { now => 120, before => 100, rate => 0.052, prev_rate => 0.061 } })
    }

    #[test]
    fn kpi_shows_value_and_change() {
        let out = render("{{ kpi('Posts', k.now, previous=k.before) }}").unwrap();
        assert!(out.contains("<div class=\"kpi-value\" data-value=\"120\">120</div>"), "{out}");
        assert!(out.contains("kpi-delta up good"), "{out}");
        assert!(out.contains("&#43;20 &#40;&#43;20&#46;0%&#41; vs previous period"), "{out}");
    }

    #[test]
    fn percent_changes_are_in_points_and_direction_can_be_bad() {
        let out = render("{{ kpi('Rate', k.rate, format='percent', previous=k.prev_rate) }}").unwrap();
        assert!(
            out.contains("5&#46;2%") && out.contains("kpi-delta down bad") && out.contains("&#45;0&#46;9 pts"),
            "{out}"
        );
        let out = render("{{ kpi('Cost', k.rate, previous=k.prev_rate, good='down', format='percent') }}").unwrap();
        assert!(out.contains("kpi-delta down good"), "{out}");
    }

    #[test]
    fn table_renders_its_first_page_and_checks_columns() {
        let env = environment();
        let rows = minijinja::Value::from(minijinja::value::Serde(
            serde_json::json!([{"id": 1, "name": "<b>", "share": 0.25}, {"id": 2, "name": "b", "share": 0.5}]),
        ));
        let t = env.template_from_named_str("t.md", "{{ table(rows, columns=['name', 'share'], formats={'share': 'percent'}, links={'name': 'p/{id}/'}, page_size=1) }}").unwrap();
        let out = t.render(context! { rows => rows.clone(), page => context! { root => "../" } }).unwrap();
        assert!(
            out.contains("<td><a href=\"&#46;&#46;/p/1/\">&#60;b&#62;</a></td><td class=\"num\">25&#46;0%</td>"),
            "{out}"
        );
        assert!(!out.contains("<td>b</td>"), "only the first page is rendered: {out}");
        let bad = env
            .template_from_named_str("t.md", "{{ table(rows, links={'name': 'p/{idd}/'}) }}")
            .unwrap()
            .render(context! { rows => rows })
            .unwrap_err();
        assert!(
            bad.to_string().contains("table link placeholder 'idd' is not a column of the rows (did you mean 'id'?)"),
            "{bad}"
        );
    }

    #[test]
    fn table_sort_and_kpi_period_mistakes_are_errors() {
        let env = environment();
        let rows = minijinja::Value::from(minijinja::value::Serde(serde_json::json!([{"id": 1, "name": "a"}])));
        let e = env
            .template_from_named_str("t.md", "{{ table(rows, columns=['name'], sort='-id') }}")
            .unwrap()
            .render(context! { rows => rows })
            .unwrap_err();
        assert!(e.to_string().contains("table sort column 'id' must be one of the shown columns (name)"), "{e}");
        let e = render("{{ kpi('Posts', k.now, days=30) }}").unwrap_err();
        assert!(e.to_string().contains("kpi days= needs period="), "{e}");
        let e = render("{{ kpi('Posts', k.now, period='day') }}").unwrap_err();
        assert!(e.to_string().contains("kpi agg= and period= need data="), "{e}");
    }

    #[test]
    fn bad_arguments_are_errors() {
        let e = render("{{ kpi('Posts', k.now, prevous=1) }}").unwrap_err();
        assert!(e.to_string().contains("prevous"), "{e}");
        let e = render("{{ kpi('Posts') }}").unwrap_err();
        assert_eq!(e.kind(), minijinja::ErrorKind::MissingArgument, "{e}");
        let e = render("{{ kpi('Posts', k.now, format='money') }}").unwrap_err();
        assert!(e.to_string().contains("kpi format must be one of number, percent, currency, compact"), "{e}");
    }

    // Layout blocks (components::layout): rendered and then read as Markdown, as a page is.

    fn page_html(page: &str) -> Result<String, String> {
        let env = environment();
        let text = env.render_str(page, minijinja::context! { caption => "<b>x</b> [l](javascript:x)" });
        text.map(|t| crate::render::markdown::to_html(&t)).map_err(|e| format!("{e:#}"))
    }

    #[test]
    fn markdown_inside_a_block_renders_as_markdown() {
        let html =
            page_html("{% filter note %}\n    Reach counts **people**, not views.\n\n    - one\n{% endfilter %}")
                .unwrap();
        assert!(html.contains("<aside class=\"vcd-callout vcd-note\" aria-label=\"Note\">"), "{html}");
        assert!(html.contains("<strong>people</strong>") && html.contains("<li>one</li>"), "{html}");
        assert!(!html.contains("<pre>"), "an indented block is not code: {html}");
        let html =
            page_html("{% filter grid(columns=3) %}a\n\n{% filter column %}b\n\nc{% endfilter %}{% endfilter %}")
                .unwrap();
        assert!(
            html.contains("<div class=\"vcd-grid vcd-grid-3\">") && html.contains("<div class=\"vcd-column\">"),
            "{html}"
        );
        assert!(html.ends_with("</div>\n</div>\n") || html.contains("</div>\n</div>"), "{html}");
    }

    #[test]
    fn data_in_a_block_or_a_title_stays_text() {
        let html = page_html("{{ caption | warning(title=caption) }}").unwrap();
        assert!(!html.contains("<b>") && !html.contains("href"), "{html}");
        let html = page_html("{% filter details(caption) %}{{ caption }}{% endfilter %}").unwrap();
        assert!(!html.contains("<b>") && !html.contains("href") && html.contains("<summary>"), "{html}");
    }

    #[test]
    fn bad_arguments_are_named() {
        let e = page_html("{% filter grid(colums=2) %}x{% endfilter %}").unwrap_err();
        assert!(e.contains("grid has no argument 'colums'") && e.contains("columns"), "{e}");
        let e = page_html("{% filter grid(columns=9) %}x{% endfilter %}").unwrap_err();
        assert!(e.contains("grid takes 1 to 4 columns, not 9"), "{e}");
        let e = page_html("{% filter details(\"\") %}x{% endfilter %}").unwrap_err();
        assert!(e.contains("details needs a summary"), "{e}");
    }
}
