//! Components: template functions that build a piece of dashboard from a few arguments.

use crate::template::{as_f64, escape_text, format_compact, format_currency, format_percent, group};
use minijinja::value::{Kwargs, Value};
use minijinja::{Error, ErrorKind};

/// The number formats a component accepts, and each one's default decimals.
const FORMATS: &[(&str, usize)] = &[("number", 0), ("percent", 1), ("currency", 2), ("compact", 1)];

fn invalid(msg: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg)
}

/// Formats `n` in one of [`FORMATS`].
fn format(n: f64, format: &str, decimals: usize) -> String {
    match format {
        "percent" => format_percent(n, decimals),
        "currency" => format_currency(n, decimals, "$"),
        "compact" => format_compact(n, decimals),
        _ => group(n, decimals),
    }
}

/// `{{ kpi("Posts", k.posts, previous=k.prev_posts, compare="vs previous 90 days") }}`:
/// a KPI card with its value and, given a previous value, the change in absolute
/// and relative terms, coloured by whether the change is good (`good="down"` for
/// figures where less is better). Arguments: label, value, and optionally
/// `format` (number, percent, currency, compact), `decimals`, `previous`,
/// `compare` (the text after the change) and `good` (up or down).
pub fn kpi(label: String, value: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let fmt: Option<String> = kwargs.get("format")?;
    let fmt = fmt.unwrap_or_else(|| "number".into());
    let Some((_, default_decimals)) = FORMATS.iter().find(|(f, _)| *f == fmt) else {
        let known: Vec<&str> = FORMATS.iter().map(|(f, _)| *f).collect();
        return Err(invalid(format!("kpi format must be one of {}, got '{fmt}'", known.join(", "))));
    };
    let decimals: Option<usize> = kwargs.get("decimals")?;
    let decimals = decimals.unwrap_or(*default_decimals).min(12);
    let previous: Option<Value> = kwargs.get("previous")?;
    let compare: Option<String> = kwargs.get("compare")?;
    let good: Option<String> = kwargs.get("good")?;
    let up_is_good = match good.as_deref() {
        None | Some("up") => true,
        Some("down") => false,
        Some(other) => return Err(invalid(format!("kpi good must be 'up' or 'down', got '{other}'"))),
    };
    kwargs.assert_all_used()?;

    let number = |v: &Value, what: &str| -> Result<Option<f64>, Error> {
        if v.is_none() || v.is_undefined() {
            return Ok(None);
        }
        as_f64(v).map(Some).ok_or_else(|| invalid(format!("kpi {what} must be a number, got {v}")))
    };
    let current = number(&value, "value")?;
    let shown = current.map_or_else(|| "–".to_string(), |n| format(n, &fmt, decimals));
    let mut html = format!(
        "<div class=\"kpi\"><div class=\"kpi-label\">{}</div><div class=\"kpi-value\">{}</div>",
        escape_text(&label),
        escape_text(&shown)
    );
    if let (Some(now), Some(before)) =
        (current, previous.as_ref().map(|p| number(p, "previous")).transpose()?.flatten())
    {
        html.push_str(&delta(now, before, &fmt, decimals, up_is_good, compare.as_deref()));
    }
    html.push_str("</div>");
    Ok(Value::from_safe_string(html))
}

/// The change line under a KPI: `▲ 12 (+11.2%) vs previous period`. For a
/// percentage the change is in percentage points, since a relative change of a
/// rate is easy to misread.
fn delta(now: f64, before: f64, fmt: &str, decimals: usize, up_is_good: bool, compare: Option<&str>) -> String {
    let diff = now - before;
    let (arrow, direction) = match diff.partial_cmp(&0.0) {
        Some(std::cmp::Ordering::Greater) => ("▲", "up"),
        Some(std::cmp::Ordering::Less) => ("▼", "down"),
        _ => ("■", "flat"),
    };
    let tone = match (direction, up_is_good) {
        ("flat", _) => "neutral",
        ("up", true) | ("down", false) => "good",
        _ => "bad",
    };
    let sign = if diff > 0.0 { "+" } else { "" };
    let change = if fmt == "percent" {
        format!("{sign}{} pts", group(diff * 100.0, decimals))
    } else {
        let abs = format(diff, fmt, decimals);
        let rel =
            if before != 0.0 { format!(" ({sign}{})", format_percent(diff / before.abs(), 1)) } else { String::new() };
        format!("{sign}{abs}{rel}")
    };
    let compare = compare.unwrap_or("vs previous period");
    format!(
        "<div class=\"kpi-delta {direction} {tone}\"><span aria-hidden=\"true\">{arrow}</span> {} {}</div>",
        escape_text(&change),
        escape_text(compare)
    )
}

#[cfg(test)]
mod tests {
    use crate::template::environment;
    use minijinja::context;

    fn render(src: &str) -> Result<String, minijinja::Error> {
        environment()
            .template_from_named_str("t.md", src)?
            .render(context! { k => context! { now => 120, before => 100, rate => 0.052, prev_rate => 0.061 } })
    }

    #[test]
    fn kpi_shows_value_and_change() {
        let out = render("{{ kpi('Posts', k.now, previous=k.before) }}").unwrap();
        assert!(out.contains("<div class=\"kpi-value\">120</div>"), "{out}");
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
    fn bad_arguments_are_errors() {
        let e = render("{{ kpi('Posts', k.now, prevous=1) }}").unwrap_err();
        assert!(e.to_string().contains("prevous"), "{e}");
        let e = render("{{ kpi('Posts') }}").unwrap_err();
        assert_eq!(e.kind(), minijinja::ErrorKind::MissingArgument, "{e}");
        let e = render("{{ kpi('Posts', k.now, format='money') }}").unwrap_err();
        assert!(e.to_string().contains("kpi format must be one of number, percent, currency, compact"), "{e}");
    }
}
