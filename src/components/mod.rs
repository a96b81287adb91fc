//! Components: template functions that build a piece of dashboard from a few arguments.

pub mod args;
pub mod figure;
pub mod inputs;
pub mod kpi;
pub mod scope;
pub mod shorthand;
pub mod table;

pub use kpi::kpi;
pub use table::table;

use crate::util::format::{Num, Style};
use minijinja::value::Value;
use minijinja::{Error, ErrorKind};

/// The number formats a component accepts, and each one's default decimals.
pub(crate) const FORMATS: &[(&str, usize)] = &[("number", 0), ("percent", 1), ("currency", 2), ("compact", 1)];

pub(crate) fn invalid(msg: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg)
}

/// Formats `n` in one of [`FORMATS`] (`docs/formatting.md`; the runtime's `format` is the same).
pub(crate) fn format(n: &Num, format: &str, decimals: usize) -> String {
    let style = match format {
        "percent" => Style::Percent,
        "currency" => Style::Currency("$"),
        "compact" => Style::Compact,
        _ => Style::Number,
    };
    crate::util::format::format(n, style, decimals as u32)
}

/// A template value as JSON (rows of a query are JSON values already).
pub(crate) fn json(v: &Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::render::template::environment;
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
}
