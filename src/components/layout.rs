//! Layout blocks: callouts (`note`, `warning`), a collapsible `details`, a
//! `grid` of `column`s and `tabs` of `tab`s. Each is a filter applied to a
//! block of the page, `{% filter note %}…{% endfilter %}`, whose Markdown
//! renders inside it.

use super::args::finish_args;
use super::invalid;
use crate::util::html::escape_for_markdown;
use minijinja::value::{Kwargs, Value};
use minijinja::Error;

/// Most columns a grid takes: past four, a cell is narrower than a KPI card.
const MOST_COLUMNS: usize = 4;

/// Registers the blocks as filters.
pub fn register(env: &mut minijinja::Environment<'static>) {
    env.add_filter("note", |body: Value, kwargs: Kwargs| callout("note", "Note", &body, &kwargs));
    env.add_filter("warning", |body: Value, kwargs: Kwargs| callout("warning", "Warning", &body, &kwargs));
    env.add_filter("details", details);
    env.add_filter("grid", grid);
    env.add_filter("column", column);
    env.add_filter("tabs", tabs);
    env.add_filter("tab", tab);
}

/// The block's text as Markdown: rendered page text as it is (the page's own
/// escaping has run), anything else (a query's value piped in) escaped; its
/// common indent removed, so an indented block is not read as code.
fn body(v: &Value) -> String {
    let text = match (v.is_safe(), v.as_str()) {
        (true, Some(s)) => s.to_string(),
        _ if v.is_none() => String::new(),
        (_, Some(s)) => escape_for_markdown(s),
        _ => escape_for_markdown(&v.to_string()),
    };
    dedent(&text)
}

/// Removes the indent every non-blank line shares.
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    text.lines().map(|l| l.get(indent..).unwrap_or("").trim_end()).collect::<Vec<_>>().join("\n")
}

/// HTML around Markdown: blank lines on both sides of the body, so
/// CommonMark ends the opening tag's HTML block and reads the body as
/// Markdown (its rule for HTML blocks, spec section 4.6).
fn wrap(open: &str, body: &str, close: &str) -> Value {
    Value::from_safe_string(format!("\n\n{open}\n\n{}\n\n{close}\n\n", body.trim_matches('\n')))
}

/// `{% filter note %}…{% endfilter %}`, `{% filter warning(title="Small sample") %}`:
/// a box set apart from the text, with its title shown and given to screen
/// readers as the region's name.
fn callout(kind: &str, default_title: &str, v: &Value, kwargs: &Kwargs) -> Result<Value, Error> {
    let title: Option<String> = kwargs.get("title")?;
    finish_args(kwargs, kind, &["title"])?;
    let title = escape_for_markdown(title.as_deref().unwrap_or(default_title));
    let open = format!(
        "<aside class=\"vcd-callout vcd-{kind}\" aria-label=\"{title}\">\n<p class=\"vcd-callout-title\">{title}</p>"
    );
    Ok(wrap(&open, &body(v), "</aside>"))
}

/// `{% filter details("How reach is counted") %}…{% endfilter %}`: a section
/// shown by its summary and opened by the reader (HTML's `details`, which
/// the keyboard and screen readers already know); `open=true` starts it open.
fn details(v: &Value, summary: String, kwargs: Kwargs) -> Result<Value, Error> {
    let open: Option<bool> = kwargs.get("open")?;
    finish_args(&kwargs, "details", &["open"])?;
    if summary.trim().is_empty() {
        return Err(invalid("details needs a summary to show while closed: details(\"How reach is counted\")".into()));
    }
    let tag = format!(
        "<details class=\"vcd-details\"{}>\n<summary>{}</summary>",
        if open.unwrap_or(false) { " open" } else { "" },
        escape_for_markdown(&summary)
    );
    Ok(wrap(&tag, &body(v), "</details>"))
}

/// `{% filter grid(columns=3) %}…{% endfilter %}`: the block's parts side by
/// side, `columns` (1–4, default 2) to a row; each paragraph, card row, chart
/// or table is one cell, and a `column` block makes several one. On a phone
/// the cells stack.
fn grid(v: &Value, kwargs: Kwargs) -> Result<Value, Error> {
    let columns: Option<usize> = kwargs.get("columns")?;
    finish_args(&kwargs, "grid", &["columns"])?;
    let columns = columns.unwrap_or(2);
    if !(1..=MOST_COLUMNS).contains(&columns) {
        return Err(invalid(format!("grid takes 1 to {MOST_COLUMNS} columns, not {columns}")));
    }
    Ok(wrap(&format!("<div class=\"vcd-grid vcd-grid-{columns}\">"), &body(v), "</div>"))
}

/// `{% filter column %}…{% endfilter %}`: one cell of a grid, holding several blocks.
fn column(v: &Value, kwargs: Kwargs) -> Result<Value, Error> {
    finish_args(&kwargs, "column", &[])?;
    Ok(wrap("<div class=\"vcd-column\">", &body(v), "</div>"))
}

/// How a `tab` block opens, for `tabs` to find: the panel's label follows.
const TAB_OPEN: &str = "<section class=\"vcd-tab\" data-tab=\"";

/// `{% filter tab("By format") %}…{% endfilter %}`: one panel of a `tabs`
/// block, named by its label. Without the runtime every panel shows, under
/// its label. (`tabs` gives it its role and ties it to its button.)
fn tab(v: &Value, label: String, kwargs: Kwargs) -> Result<Value, Error> {
    finish_args(&kwargs, "tab", &[])?;
    if label.trim().is_empty() {
        return Err(invalid("tab needs a label for its button: tab(\"By format\")".into()));
    }
    let label = escape_for_markdown(&label);
    let open = format!("{TAB_OPEN}{label}\">\n<p class=\"vcd-tab-title\">{label}</p>");
    Ok(wrap(&open, &body(v), "</section>"))
}

/// `{% filter tabs %}…{% endfilter %}` around `tab` blocks: a row of tab
/// buttons, one per panel, showing one panel at a time (the WAI-ARIA tabs
/// pattern: the arrow keys, Home and End move between tabs). The buttons
/// and panels are tied by ids made from the block's content and its place
/// among the page's tabs blocks, so a build writes the same bytes each time
/// and two alike blocks on a page stay apart; the runtime shows the first panel.
fn tabs(state: &mut minijinja::State, v: &Value, kwargs: Kwargs) -> Result<Value, Error> {
    finish_args(&kwargs, "tabs", &[])?;
    /// How many tabs blocks the page has rendered so far.
    #[derive(Default)]
    struct Seen(usize);
    let seen = state.get_or_insert_extension(Seen::default());
    seen.0 += 1;
    let place = seen.0;
    let text = body(v);
    let mut h = crate::util::hash::Fnv::new();
    h.write(text.as_bytes());
    let id = format!("vcd-tabs-{place}-{:08x}", h.finish() as u32);
    let mut buttons = String::new();
    let mut out = String::with_capacity(text.len() + 256);
    let mut rest = text.as_str();
    let mut n = 0;
    while let Some(at) = rest.find(TAB_OPEN) {
        let after = &rest[at + TAB_OPEN.len()..];
        let Some(end) = after.find('"') else { break };
        let label = &after[..end];
        let (tab, panel) = (format!("{id}-{n}"), format!("{id}-{n}-panel"));
        buttons.push_str(&format!(
            "<button type=\"button\" role=\"tab\" id=\"{tab}\" aria-controls=\"{panel}\" aria-selected=\"{}\" tabindex=\"{}\">{label}</button>",
            n == 0,
            if n == 0 { 0 } else { -1 }
        ));
        out.push_str(&rest[..at]);
        out.push_str(&format!(
            "<section id=\"{panel}\" role=\"tabpanel\" tabindex=\"0\" aria-labelledby=\"{tab}\" class=\"vcd-tab\" data-tab=\""
        ));
        rest = after;
        n += 1;
    }
    out.push_str(rest);
    if n == 0 {
        return Err(invalid("tabs holds no tab: put each panel in {% filter tab(\"Label\") %}…{% endfilter %}".into()));
    }
    let open =
        format!("<div class=\"vcd-tabs\" id=\"{id}\">\n<div class=\"vcd-tablist\" role=\"tablist\">{buttons}</div>");
    Ok(wrap(&open, &out, "</div>"))
}
