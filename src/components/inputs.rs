//! Inputs: `dropdown()` (or `button_group()`), `multiselect()`,
//! `date_range()` (or `date_input()`), `search()`, `checkbox()` and `slider()`. Each renders a native form control (so it works from the
//! keyboard) and records itself in the page scope; the browser runtime reads the
//! record and filters every component on the page.

use crate::components::args::finish_args;
use crate::components::scope::{self, PageScope};
pub use crate::components::scope::{Choice, Input, Kind, SliderRange};
use crate::util::html::escape_for_markdown;
use minijinja::value::{Kwargs, Value};
use minijinja::{Error, ErrorKind, State};
use serde_json::Value as Json;

fn invalid(msg: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg)
}

/// Choices from `options`: a query name (values from its first column, or the
/// `value`/`text` columns given) or a literal list.
fn choices(scope: &PageScope, what: &str, options: &Value, kwargs: &Kwargs) -> Result<Vec<Choice>, Error> {
    let value_col: Option<String> = kwargs.get("value")?;
    let text_col: Option<String> = kwargs.get("text")?;
    if let Some(name) = options.as_str() {
        let result = scope.peek(name, what)?;
        let col = |c: &Option<String>, arg: &str| -> Result<usize, Error> {
            match c {
                Some(c) => {
                    scope::check_column(&result, name, c, &format!("{what} {arg}"))?;
                    Ok(result.column_names().position(|n| n == c).unwrap_or(0))
                }
                None => Ok(0),
            }
        };
        if scope.catalog.params.contains_key(name) {
            return Err(invalid(format!(
                "{what}: options query '{name}' takes parameters; options must come from a query without any"
            )));
        }
        let (v, t) = (col(&value_col, "value")?, col(&text_col.or(value_col.clone()), "text")?);
        let mut seen = std::collections::BTreeSet::new();
        return Ok(result
            .rows
            .iter()
            .filter(|r| !r[v].is_null() && seen.insert(r[v].to_string()))
            .map(|r| Choice { value: r[v].clone(), label: label_of(&r[t]) })
            .collect());
    }
    if value_col.is_some() || text_col.is_some() {
        return Err(invalid(format!("{what}: value= and text= name columns of an options query")));
    }
    let list = options
        .try_iter()
        .map_err(|_| invalid(format!("{what}: options must be a query name or a list of values, got {options}")))?;
    list.map(|v| {
        let value = serde_json::to_value(&v).map_err(|e| invalid(format!("{what}: option {v}: {e}")))?;
        Ok(Choice { label: label_of(&value), value })
    })
    .collect()
}

fn required_options(kwargs: &Kwargs, what: &str) -> Result<Value, Error> {
    let options: Option<Value> = kwargs.get("options")?;
    options.ok_or_else(|| {
        Error::new(ErrorKind::MissingArgument, format!("{what} needs options= (a query name or a list of values)"))
    })
}

fn label_of(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// The common arguments, read in one place so each input checks them alike.
struct Common {
    label: String,
    fields: Vec<String>,
}

fn common(name: &str, kind: Kind, kwargs: &Kwargs) -> Result<Common, Error> {
    if !crate::query::is_valid_name(name) {
        return Err(invalid(format!(
            "{}: input name '{name}' must start with a letter or _ and hold only letters, digits and _",
            kind.function()
        )));
    }
    let label: Option<String> = kwargs.get("label")?;
    let fields = if kind == Kind::Search {
        let fields: Option<Vec<String>> = kwargs.get("fields")?;
        match fields {
            Some(f) if !f.is_empty() => f,
            _ => {
                return Err(Error::new(
                    ErrorKind::MissingArgument,
                    "search needs fields= (the columns to search, e.g. fields=[\"caption\"])",
                ))
            }
        }
    } else {
        // `fields=[…]` lets one input reach queries that name the column differently
        // (a date range over `posted_at` and `market_date`); the first a query has is used.
        let field: Option<String> = kwargs.get("field")?;
        let fields: Option<Vec<String>> = kwargs.get("fields")?;
        match (field, fields) {
            (Some(_), Some(_)) => {
                return Err(invalid(format!("{}: give field= or fields=, not both", kind.function())))
            }
            (_, Some(f)) if !f.is_empty() => f,
            (f, _) => vec![f.unwrap_or_else(|| name.to_string())],
        }
    };
    let label = label.unwrap_or_else(|| {
        let mut l = name.replace('_', " ");
        if let Some(first) = l.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        l
    });
    Ok(Common { label, fields })
}

fn attr(text: &str) -> String {
    escape_for_markdown(text)
}

/// `{{ dropdown("platform", options="platforms", all="All platforms") }}`: one
/// choice from a query's values or a list; `all=` adds a choice that filters
/// nothing (and binds NULL to a SQL parameter). Also: `label`, `field`,
/// `value`/`text` (columns of the options query), `default`.
pub fn dropdown(state: &State, name: String, kwargs: Kwargs) -> Result<Value, Error> {
    one_choice(state, name, kwargs, "dropdown")
}

/// `{{ button_group("platform", options=["instagram", "tiktok"], all="Both") }}`:
/// a dropdown's one choice with every option in sight, as a row of buttons
/// (radio buttons, so the arrow keys move the choice). The same arguments as
/// [`dropdown`], and the same filtering: the runtime treats both alike.
pub fn button_group(state: &State, name: String, kwargs: Kwargs) -> Result<Value, Error> {
    one_choice(state, name, kwargs, "button_group")
}

/// A dropdown, or (`function` = "button_group") the same choice as buttons.
fn one_choice(state: &State, name: String, kwargs: Kwargs, function: &str) -> Result<Value, Error> {
    let scope = scope::of(state)?;
    let c = common(&name, Kind::Dropdown, &kwargs)?;
    let options = required_options(&kwargs, function)?;
    let choices = choices(&scope, function, &options, &kwargs)?;
    let all: Option<String> = kwargs.get("all")?;
    let default: Option<Value> = kwargs.get("default")?;
    finish_args(&kwargs, function, &["options", "all", "default", "label", "field", "fields", "value", "text"])?;
    if choices.is_empty() && all.is_none() {
        return Err(invalid(format!("{function} '{name}' has no options and no all= choice")));
    }
    let default = match default {
        None => (all.is_none()).then_some(0),
        Some(d) => {
            let d = serde_json::to_value(&d).unwrap_or_default();
            Some(
                choices
                    .iter()
                    .position(|c| c.value == d || label_of(&c.value) == label_of(&d))
                    .ok_or_else(|| invalid(format!("{function} '{name}': default {d} is not one of its options")))?,
            )
        }
    };
    // (value, label, chosen at first) of each choice the control offers; "" is all=.
    let mut offered: Vec<(String, &str, bool)> = Vec::new();
    if let Some(all) = &all {
        offered.push((String::new(), all, default.is_none()));
    }
    for (i, choice) in choices.iter().enumerate() {
        offered.push((i.to_string(), &choice.label, default == Some(i)));
    }
    let html = if function == "button_group" {
        let mut html = format!(
            "<fieldset class=\"vcd-input vcd-buttons\" data-input=\"{name}\"><legend>{}</legend><div class=\"vcd-button-row\">",
            attr(&c.label)
        );
        for (value, label, chosen) in &offered {
            let checked = if *chosen { " checked" } else { "" };
            html.push_str(&format!(
                "<label><input type=\"radio\" name=\"in-{name}\" value=\"{value}\"{checked}><span>{}</span></label>",
                attr(label)
            ));
        }
        html + "</div></fieldset>"
    } else {
        let mut html = format!(
            "<div class=\"vcd-input vcd-dropdown\"><label for=\"in-{name}\">{}</label><select id=\"in-{name}\" data-input=\"{name}\">",
            attr(&c.label)
        );
        for (value, label, chosen) in &offered {
            // all= comes first, so a select shows it unmarked.
            let selected = if *chosen && !value.is_empty() { " selected" } else { "" };
            html.push_str(&format!("<option value=\"{value}\"{selected}>{}</option>", attr(label)));
        }
        html + "</select></div>"
    };
    scope.add_input(Input {
        kind: Kind::Dropdown,
        fields: c.fields,
        options: choices,
        all,
        default,
        options_query: options.as_str().map(String::from),
        ..Input::plain(name, c.label)
    })?;
    Ok(Value::from_safe_string(html))
}

/// `{{ multiselect("type", options="post_types", field="post_type") }}`: any
/// number of choices; none chosen shows every row. Filters rows in the browser.
pub fn multiselect(state: &State, name: String, kwargs: Kwargs) -> Result<Value, Error> {
    let scope = scope::of(state)?;
    let c = common(&name, Kind::Multiselect, &kwargs)?;
    let options = required_options(&kwargs, "multiselect")?;
    let choices = choices(&scope, "multiselect", &options, &kwargs)?;
    finish_args(&kwargs, "multiselect", &["options", "label", "field", "fields", "value", "text"])?;
    let mut html = format!(
        "<fieldset class=\"vcd-input vcd-multiselect\" data-input=\"{name}\"><legend>{}</legend>",
        attr(&c.label)
    );
    for (i, choice) in choices.iter().enumerate() {
        html.push_str(&format!("<label><input type=\"checkbox\" value=\"{i}\"> {}</label>", attr(&choice.label)));
    }
    html.push_str("</fieldset>");
    let input = Input {
        kind: Kind::Multiselect,
        fields: c.fields,
        options: choices,
        options_query: options.as_str().map(String::from),
        ..Input::plain(name, c.label)
    };
    scope.add_input(input)?;
    Ok(Value::from_safe_string(html))
}

/// `{{ date_range("posted", field="posted_at") }}`: from and to dates (either may
/// be empty); rows whose date falls outside are hidden in the browser.
pub fn date_range(state: &State, name: String, kwargs: Kwargs) -> Result<Value, Error> {
    plain_input(state, name, &kwargs, Kind::DateRange, "date_range", &["field", "fields", "label"], |name, label| {
        format!(
            "<fieldset class=\"vcd-input vcd-date-range\" data-input=\"{name}\"><legend>{label}</legend>\
             <label>From <input type=\"date\" data-end=\"from\"></label><label>To <input type=\"date\" data-end=\"to\"></label></fieldset>"
        )
    })
}

/// `{{ date_input("day", field="posted_at", label="Posted on") }}`: one day;
/// keeps the rows whose field falls on it. It is a date range whose two ends
/// are that day, so it filters, rolls up and sits in the URL
/// (`?day=2024-05-01..2024-05-01`; `?day=2024-05-01` is read too) as one.
pub fn date_input(state: &State, name: String, kwargs: Kwargs) -> Result<Value, Error> {
    plain_input(state, name, &kwargs, Kind::DateRange, "date_input", &["field", "fields", "label"], |name, label| {
        format!(
            "<div class=\"vcd-input vcd-date-input\"><label for=\"in-{name}\">{label}</label><input type=\"date\" id=\"in-{name}\" data-input=\"{name}\"></div>"
        )
    })
}

/// `{{ search("q", fields=["caption"]) }}`: keeps the rows where any of the
/// fields contains the text typed, ignoring case.
pub fn search(state: &State, name: String, kwargs: Kwargs) -> Result<Value, Error> {
    plain_input(state, name, &kwargs, Kind::Search, "search", &["fields", "label"], |name, label| {
        format!(
            "<div class=\"vcd-input vcd-search\"><label for=\"in-{name}\">{label}</label><input type=\"search\" id=\"in-{name}\" data-input=\"{name}\"></div>"
        )
    })
}

/// `{{ checkbox("promoted", label="Promoted posts only") }}`: when ticked, keeps
/// rows whose field is true; bound to a SQL parameter it binds true or false.
pub fn checkbox(state: &State, name: String, kwargs: Kwargs) -> Result<Value, Error> {
    plain_input(state, name, &kwargs, Kind::Checkbox, "checkbox", &["field", "fields", "label"], |name, label| {
        format!(
            "<div class=\"vcd-input vcd-checkbox\"><label><input type=\"checkbox\" data-input=\"{name}\"> {label}</label></div>"
        )
    })
}

/// What an input of one control does: check the common arguments and the
/// ones `function` takes (`known`), render `html(name, label)` with the label
/// escaped, and record the input in the page's scope.
fn plain_input(
    state: &State,
    name: String,
    kwargs: &Kwargs,
    kind: Kind,
    function: &str,
    known: &[&str],
    html: impl FnOnce(&str, &str) -> String,
) -> Result<Value, Error> {
    let scope = scope::of(state)?;
    let c = common(&name, kind, kwargs)?;
    finish_args(kwargs, function, known)?;
    let html = html(&name, &attr(&c.label));
    scope.add_input(Input { kind, fields: c.fields, ..Input::plain(name, c.label) })?;
    Ok(Value::from_safe_string(html))
}

/// Most steps a slider may have: each is a row of every rollup of a query with its column.
pub const SLIDER_STEPS: u32 = 200;

/// `{{ slider("reach", min=0, max=20000, step=500, label="Reach") }}`: a range of a
/// number column (`field`, default the name) chosen with two native range
/// controls, from and to, in steps; rows outside it are hidden, nulls too once
/// a range is chosen. The two ends reach past `min` and `max`, so the whole
/// range filters nothing. `min` and `max` default to the least and greatest
/// value of the column in query `data`; `step` to a round 1, 2 or 5 × 10ⁿ
/// giving at most 100 steps; `format` (number, percent, currency, compact)
/// writes the ends. At most [`SLIDER_STEPS`] steps. See [`SliderRange`] for
/// how it filters rollups exactly.
pub fn slider(state: &State, name: String, kwargs: Kwargs) -> Result<Value, Error> {
    let scope = scope::of(state)?;
    let c = common(&name, Kind::Slider, &kwargs)?;
    let min: Option<f64> = kwargs.get("min")?;
    let max: Option<f64> = kwargs.get("max")?;
    let step: Option<f64> = kwargs.get("step")?;
    let data: Option<String> = kwargs.get("data")?;
    let format = crate::components::chart_format("slider", kwargs.get("format")?)?;
    finish_args(&kwargs, "slider", &["min", "max", "step", "data", "format", "label", "field", "fields"])?;
    let min_given = min.is_some();
    let extent = match &data {
        Some(q) => {
            let source = scope.read_or_columns(q, "slider")?;
            let field = &c.fields[0];
            scope::check_field(source.columns(), q, field, "slider field")?;
            let at = source.columns().iter().position(|col| &col.name == field).unwrap_or(0);
            if source.columns()[at].kind() != crate::source::value::ColumnKind::Number {
                return Err(invalid(format!("slider '{name}': '{field}' of '{q}' is not a number column")));
            }
            match &source {
                scope::Source::Rows(r) => crate::query::unheld::Extent::of(r.rows.iter().map(|row| &row[at])).all,
                scope::Source::Engine(u) => u.extents.get(at).copied().flatten().and_then(|e| e.all),
            }
        }
        None => None,
    };
    let (min, max) = match (min.or(extent.map(|e| e.0)), max.or(extent.map(|e| e.1))) {
        (Some(lo), Some(hi)) if lo.is_finite() && hi.is_finite() && hi > lo => (lo, hi),
        (Some(lo), Some(hi)) => {
            return Err(invalid(format!("slider '{name}': max must be more than min, got min={lo}, max={hi}")))
        }
        _ => {
            return Err(Error::new(
                ErrorKind::MissingArgument,
                format!("slider '{name}' needs min= and max=, or data= (a query whose column gives them)"),
            ))
        }
    };
    let step = step.unwrap_or_else(|| nice_step((max - min) / 100.0));
    if !(step > 0.0 && step.is_finite()) {
        return Err(invalid(format!("slider '{name}': step must be a positive number, got {step}")));
    }
    // From the data, the steps start at a multiple of the step, so their ends read round.
    let min = if min_given { min } else { (min / step).floor() * step };
    let count = ((max - min) / step).ceil().max(1.0);
    if count > f64::from(SLIDER_STEPS) {
        return Err(invalid(format!(
            "slider '{name}': (max − min) / step is {count} steps, more than {SLIDER_STEPS}; take a larger step"
        )));
    }
    let count = count as u32;
    let range = SliderRange { min, max, step, count, alias: format!("vcd slider {name}"), format };
    let html = format!(
        "<fieldset class=\"vcd-input vcd-slider\" data-input=\"{name}\"><legend>{label}</legend>\
         <label>From <input type=\"range\" data-end=\"from\" min=\"0\" max=\"{count}\" step=\"1\" value=\"0\"></label>\
         <label>To <input type=\"range\" data-end=\"to\" min=\"0\" max=\"{count}\" step=\"1\" value=\"{count}\"></label>\
         <output>any</output></fieldset>",
        label = attr(&c.label)
    );
    scope.add_input(Input {
        kind: Kind::Slider,
        fields: c.fields,
        range: Some(range),
        ..Input::plain(name, c.label)
    })?;
    Ok(Value::from_safe_string(html))
}

/// The least of 1, 2 or 5 × 10ⁿ at or above `x` (`x` > 0).
fn nice_step(x: f64) -> f64 {
    let unit = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * unit).find(|s| *s >= x * (1.0 - 1e-12)).unwrap_or(10.0 * unit)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_sliders_default_step_is_round() {
        assert_eq!(super::nice_step(173.0), 200.0);
        assert_eq!(super::nice_step(0.0042), 0.005);
        assert_eq!(super::nice_step(100.0), 100.0);
    }
}
