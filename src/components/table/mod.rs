//! Data tables: `table()`, whose first page is rendered at build time and which
//! the browser sorts, searches, pages and downloads; over more rows than a
//! page may ship, it pages through sorted chunks of them (`query::chunks`).

mod extras;
mod spark;

use crate::components::args::finish_args;
use crate::components::scope::PagedTable;
use crate::components::{invalid, json};
use crate::query::rollup::{Measure, Op, Request};
use crate::source::value::{Column, QueryResult};
use crate::util::format::CELL_FORMATS;
use crate::util::html::escape_for_markdown;
use minijinja::value::{Kwargs, Value};
use minijinja::Error;
use serde_json::Value as Json;
use std::sync::Arc;

/// A link template (`posts/{post_id}/`) filled from a row, below the site root.
/// Values are percent-encoded, so data cannot change the shape of the URL.
fn link(root: &str, template: &str, fields: &[String], row: &[Json]) -> String {
    let mut out = String::from(root);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else { break };
        let name = &rest[start + 1..start + len];
        let value = fields.iter().position(|f| f == name).map_or(&Json::Null, |i| &row[i]);
        // The value's text as a cell shows it (null is empty), as the runtime's href() has it.
        let text = crate::util::format::text(value);
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Rows given to `table()` directly (a list of maps) as a result: the first
/// row's keys are the columns.
fn literal(rows: &Value) -> Result<QueryResult, Error> {
    let rows: Vec<Value> = rows
        .try_iter()
        .map_err(|_| invalid("table needs the rows of a query, e.g. table(top_posts)".into()))?
        .collect();
    let fields: Vec<String> = match rows.first() {
        Some(first) => first.try_iter().map(|keys| keys.map(|k| k.to_string()).collect()).unwrap_or_default(),
        None => Vec::new(),
    };
    let rows = rows.iter().map(|r| fields.iter().map(|f| json(&r.get_attr(f).unwrap_or_default())).collect()).collect();
    let columns = fields.into_iter().map(|name| Column { name, sql_type: String::new() }).collect();
    Ok(QueryResult { columns, rows })
}

/// A `{"column": "text"}` argument as a map.
fn string_map(v: Option<Value>, what: &str) -> Result<std::collections::BTreeMap<String, String>, Error> {
    let mut out = std::collections::BTreeMap::new();
    let Some(v) = v else { return Ok(out) };
    let keys = v.try_iter().map_err(|_| invalid(format!("table {what} must be a map like {{\"column\": \"...\"}}")))?;
    for key in keys {
        let value = v.get_item(&key).ok().filter(|x| x.as_str().is_some());
        let value = value.ok_or_else(|| invalid(format!("table {what}: the value for '{key}' must be text")))?;
        out.insert(key.to_string(), value.as_str().unwrap_or_default().to_string());
    }
    Ok(out)
}

/// `{{ table(top_posts, columns=["caption", "reach"], formats={"reach": "number"},
/// links={"caption": "posts/{post_id}/"}, labels={"reach": "Reach"}, page_size=10) }}`:
/// a data table the browser can sort, search, page through and download as CSV.
/// The first page is rendered here so the table reads without JavaScript.
///
/// Given a query name (`table("top_posts", …)`) instead of rows, the table reads
/// the query's result file and follows the page's inputs in the browser.
///
/// `totals=`, `bars=`, `colors=` and `groups=` are read in `extras`;
/// `sparkline=` (a last column of small lines from a second query) in `spark`.
pub fn table(state: &minijinja::State, rows: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let query = rows.as_str().map(String::from);
    let scope = crate::components::scope::of(state).ok();
    let result = match &query {
        Some(name) => crate::components::scope::of(state)?.read(name, "table")?,
        None => Arc::new(literal(&rows)?),
    };
    // Links are written relative to the site root; the page knows the way there.
    let root = state
        .lookup("page")
        .and_then(|p| p.get_attr("root").ok())
        .and_then(|r| r.as_str().map(String::from))
        .unwrap_or_default();
    let columns: Option<Vec<String>> = kwargs.get("columns")?;
    let formats = string_map(kwargs.get("formats")?, "formats")?;
    let links = string_map(kwargs.get("links")?, "links")?;
    let labels = string_map(kwargs.get("labels")?, "labels")?;
    let page_size: Option<usize> = kwargs.get("page_size")?;
    let sort: Option<String> = kwargs.get("sort")?;
    let totals: Option<Value> = kwargs.get("totals")?;
    let bars: Option<Vec<String>> = kwargs.get("bars")?;
    let colors: Option<Vec<String>> = kwargs.get("colors")?;
    let groups: Option<Value> = kwargs.get("groups")?;
    let sparkline: Option<Value> = kwargs.get("sparkline")?;
    finish_args(
        &kwargs,
        "table",
        &[
            "columns",
            "formats",
            "links",
            "labels",
            "page_size",
            "sort",
            "totals",
            "bars",
            "colors",
            "groups",
            "sparkline",
        ],
    )?;
    let page_size = page_size.unwrap_or(25).max(1);

    let rows = &result.rows;
    let all: Vec<String> = result.column_names().map(String::from).collect();
    let all = if all.is_empty() { columns.clone().unwrap_or_default() } else { all };
    let shown = columns.unwrap_or_else(|| all.clone());
    let check = |name: &str, what: &str| -> Result<(), Error> {
        if rows.is_empty() || all.iter().any(|c| c == name) {
            Ok(())
        } else {
            Err(invalid(format!(
                "table {what} '{name}' is not a column of the rows{} (they have: {})",
                crate::util::diag::suggestion(name, all.iter().map(String::as_str)),
                all.join(", ")
            )))
        }
    };
    for c in shown.iter().chain(formats.keys()).chain(links.keys()).chain(labels.keys()) {
        check(c, "column")?;
    }
    // `sort="-reach"`: the order the table opens in (the runtime starts from the same).
    let sort = sort.map(|s| match s.strip_prefix('-') {
        Some(c) => (c.to_string(), -1),
        None => (s, 1),
    });
    if let Some((c, _)) = &sort {
        if !shown.contains(c) {
            return Err(invalid(format!(
                "table sort column '{c}' must be one of the shown columns ({})",
                shown.join(", ")
            )));
        }
    }
    for (c, f) in &formats {
        if !CELL_FORMATS.contains(&f.as_str()) {
            return Err(invalid(format!(
                "table format for '{c}' must be one of {}, got '{f}'",
                CELL_FORMATS.join(", ")
            )));
        }
    }
    let mut placeholders: Vec<String> = Vec::new();
    for (column, template) in &links {
        for part in template.split('{').skip(1) {
            let name = part.split('}').next().unwrap_or("");
            check(name, "link placeholder")?;
            placeholders.push(name.to_string());
        }
        // A template that itself starts with a script scheme is a mistake in the page: say so
        // at build time. This does not cover every link: values are percent-encoded, but
        // letters are not, so `{x}:alert(1)` with x = "javascript" passes here; such a
        // filled link is refused later, by sanitize_html at build time and safeUrl() in the
        // browser, which drop it.
        if let Some(scheme) = crate::util::urlsafe::refused_scheme(template, crate::util::urlsafe::UrlKind::Link) {
            return Err(invalid(format!(
                "table link for '{column}' starts with {scheme}:, which runs script; links lead to pages below the site root \
                 (e.g. \"posts/{{post_id}}/\")"
            )));
        }
    }

    let number = |c: &str| {
        let col = result.columns.iter().find(|x| x.name == c)?;
        (!col.sql_type.is_empty()).then(|| col.kind() == crate::source::value::ColumnKind::Number)
    };
    let mut extras = extras::read(totals, bars, colors, groups, &shown, number)?;
    let spark = match (sparkline, &scope) {
        (Some(v), Some(scope)) => Some(spark::read(v, scope, &all)?),
        (Some(_), None) => return Err(invalid("table sparkline needs a page to read its query on".into())),
        (None, _) => None,
    };
    extras.trailing = usize::from(spark.is_some());
    let at = |c: &str| all.iter().position(|x| x == c);
    let sort_at = sort.as_ref().and_then(|(c, dir)| Some((at(c)?, *dir)));
    let fmt_of = |c: &str| formats.get(c).map_or("text", String::as_str);
    let mut spec = serde_json::json!({
        "fields": all,
        "columns": shown.iter().map(|c| serde_json::json!({
            "name": c,
            "label": labels.get(c).unwrap_or(c),
            "format": fmt_of(c),
            "link": links.get(c),
        })).collect::<Vec<_>>(),
        "rows": Json::Null,
        "page_size": page_size,
        "extras": extras.spec(),
    });
    if let Some(s) = &spark {
        spec["spark"] = s.spec();
    }
    if let Some((c, dir)) = &sort {
        spec["sort"] = serde_json::json!({"column": c, "dir": dir});
    }
    // The rows of the first page, as positions in the result.
    let first: Vec<usize> = match (&query, scope) {
        // A query-bound table loads its rows (or the variant the inputs choose) at run time;
        // over more rows than one chunk holds, it pages through sorted chunks of them: a
        // reader sees one page, so loading a chunk or two beats loading the result.
        (Some(name), Some(scope)) => {
            spec["query"] = name.as_str().into();
            let catalog = &scope.catalog;
            let paged = rows.len() > crate::query::chunks::chunk_rows(catalog.browser_rows)
                && !catalog.params.contains_key(name)
                && !scope.is_sliced(name);
            if paged {
                let column = sort.as_ref().map(|(c, _)| c.as_str());
                let order = catalog.sorter.order(name, column, &result);
                let mut wanted: Vec<String> = shown.clone();
                wanted.extend(placeholders);
                wanted.extend(spark.as_ref().map(|s| s.set.key.clone()));
                // Every shown column can be clicked to sort by; with no `sort=`, the query's order opens it.
                let orders = sort.is_none().then_some(None).into_iter().chain(shown.iter().cloned().map(Some));
                let id =
                    scope.request_table(PagedTable { query: name.clone(), columns: wanted, orders: orders.collect() });
                let count = Request {
                    query: name.clone(),
                    keys: Vec::new(),
                    bins: Vec::new(),
                    days: Vec::new(),
                    // Its totals and the ranges of its scaled columns follow the filters too.
                    measures: std::iter::once(Measure { op: Op::Count, field: None })
                        .chain(extras.measures())
                        .collect(),
                };
                let count = scope.request_rollup(count);
                spec["paged"] = serde_json::json!({"table": id, "count": count, "total": rows.len()});
                order.first(page_size, sort_at.map_or(1, |(_, d)| d))
            } else {
                scope.load_rows(name);
                first_page(rows, sort_at, page_size)
            }
        }
        _ => {
            // Rows given directly ship in their own order: the runtime sorts them as the build did.
            spec["rows"] = Json::from(rows.clone());
            first_page(rows, sort_at, page_size)
        }
    };

    // Each scaled column's range over every row: what the page shows before a filter applies.
    let domains: Vec<(&String, Option<(f64, f64)>)> = extras
        .scaled()
        .into_iter()
        .map(|c| (c, at(c).and_then(|k| crate::util::cellscale::domain(rows.iter().map(|r| &r[k])))))
        .collect();
    let domain = |c: &str| domains.iter().find(|(d, _)| *d == c).and_then(|(_, d)| *d);
    let mut html = String::from("<figure class=\"vcd-table\"><table><thead>");
    html.push_str(&extras.group_row(&shown));
    html.push_str("<tr>");
    for c in &shown {
        html.push_str(&format!("<th scope=\"col\">{}</th>", escape_for_markdown(labels.get(c).unwrap_or(c))));
    }
    if let Some(s) = &spark {
        html.push_str(&s.head());
    }
    html.push_str("</tr></thead><tbody>");
    for &i in &first {
        let r = &rows[i];
        html.push_str("<tr>");
        for c in &shown {
            let v = at(c).map_or(&Json::Null, |k| &r[k]);
            let (mut classes, style) = extras.cell_style(c, v, domain(c));
            if matches!(fmt_of(c), "number" | "percent" | "currency" | "compact") {
                classes.insert(0, "num");
            }
            let mut class =
                if classes.is_empty() { String::new() } else { format!(" class=\"{}\"", classes.join(" ")) };
            if !style.is_empty() {
                // Made here from numbers only (util::cellscale): no data reaches the attribute as text.
                class.push_str(&format!(" style=\"{style}\""));
            }
            // Formatted as the browser runtime will (`formatCell` in vcd.js follows the same spec).
            let text = escape_for_markdown(&crate::util::format::cell(v, fmt_of(c)));
            match links.get(c) {
                Some(t) => html.push_str(&format!(
                    "<td{class}><a href=\"{}\">{text}</a></td>",
                    escape_for_markdown(&link(&root, t, &all, r))
                )),
                None => html.push_str(&format!("<td{class}>{text}</td>")),
            }
        }
        if let Some(s) = &spark {
            html.push_str(&s.cell(at(&s.set.key).map_or(&Json::Null, |k| &r[k])));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody>");
    html.push_str(&extras.totals_row(&shown, rows, at, |c| fmt_of(c).to_string()));
    html.push_str(&format!(
        "</table><script type=\"application/json\" class=\"vcd-table-spec\">{}</script></figure>",
        crate::chart::script_json(&spec)
    ));
    Ok(Value::from_safe_string(html))
}

/// The positions of the first `size` rows in the table order of the sort
/// column and direction, if any (else the rows' own order).
fn first_page(rows: &[Vec<Json>], sort: Option<(usize, i32)>, size: usize) -> Vec<usize> {
    let mut order = match sort {
        Some((c, dir)) => crate::util::format::table_order(rows.len(), |i| &rows[i][c], dir),
        None => (0..rows.len()).collect(),
    };
    order.truncate(size);
    order
}
