//! What a table shows beside its cells: a totals row (`totals=`), in-cell
//! bars and colour scales (`bars=`, `colors=`) and headings over groups of
//! columns (`groups=`), read and checked here and written into the built
//! table; the runtime redraws them under the page's filters.

use crate::components::invalid;
use crate::query::rollup::{Measure, Op};
use crate::util::cellscale;
use crate::util::html::escape_for_markdown;
use minijinja::value::Value;
use minijinja::Error;
use serde_json::{json, Value as Json};

/// The aggregates a totals row takes, each with the word for it.
const TOTALS: &[(&str, Op, &str)] = &[
    ("sum", Op::Sum, "total"),
    ("mean", Op::Mean, "mean"),
    ("min", Op::Min, "least"),
    ("max", Op::Max, "greatest"),
    ("count", Op::Count, "count"),
];

/// A table's extras, checked against its shown columns.
#[derive(Debug, Default)]
pub struct Extras {
    /// (column, aggregate name) in the order of the shown columns.
    pub totals: Vec<(String, String)>,
    /// Columns drawn as a bar in the cell, each once.
    pub bars: Vec<String>,
    /// Columns whose cells are tinted by their number, each once.
    pub colors: Vec<String>,
    /// (heading, its columns) in the order of the shown columns.
    pub groups: Vec<(String, Vec<String>)>,
    /// Columns after the shown ones (a sparkline's), empty in the group and
    /// totals rows; 0 from [`read`], set by the table.
    pub trailing: usize,
}

/// Reads `totals={"reach": "sum"}`, `bars=["reach"]`, `colors=["rate"]` and
/// `groups={"Engagement": ["likes", "saves"]}`. Every column named must be
/// shown; a group's columns must stand side by side, each in one group.
/// `number(column)` says whether a column holds numbers: `Some(false)` for
/// a column whose engine type is not a number (a sum, a mean, a bar or a
/// colour of it is refused; only a count of its rows is taken), `None` where the type is unknown (rows given
/// directly), which is let through.
pub fn read(
    totals: Option<Value>,
    bars: Option<Vec<String>>,
    colors: Option<Vec<String>>,
    groups: Option<Value>,
    shown: &[String],
    number: impl Fn(&str) -> Option<bool>,
) -> Result<Extras, Error> {
    let known = |c: &str, what: &str| -> Result<(), Error> {
        if shown.iter().any(|s| s == c) {
            return Ok(());
        }
        Err(invalid(format!(
            "table {what} '{c}' is not a shown column{} (shown: {})",
            crate::util::diag::suggestion(c, shown.iter().map(String::as_str)),
            shown.join(", ")
        )))
    };
    let position = |c: &str| shown.iter().position(|s| s == c).unwrap_or(usize::MAX);
    let mut out = Extras::default();
    for (c, agg) in super::string_map(totals, "totals")? {
        known(&c, "totals column")?;
        if !TOTALS.iter().any(|(a, _, _)| *a == agg) {
            let names: Vec<&str> = TOTALS.iter().map(|(a, _, _)| *a).collect();
            return Err(invalid(format!("table totals for '{c}' must be one of {}, got '{agg}'", names.join(", "))));
        }
        if agg != "count" && number(&c) == Some(false) {
            return Err(invalid(format!("table totals: {agg} of '{c}' needs a number column")));
        }
        out.totals.push((c, agg));
    }
    out.totals.sort_by_key(|(c, _)| position(c));
    for (list, what) in [(&bars, "bars"), (&colors, "colors")] {
        for c in list.iter().flatten() {
            known(c, &format!("{what} column"))?;
            if number(c) == Some(false) {
                return Err(invalid(format!("table {what}: '{c}' is not a number column")));
            }
        }
    }
    // Each once: the runtime finds a paged table's ranges by position.
    let once = |list: Option<Vec<String>>| {
        let mut out: Vec<String> = Vec::new();
        for c in list.into_iter().flatten() {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    };
    out.bars = once(bars);
    out.colors = once(colors);
    if let Some(g) = groups {
        let keys = g
            .try_iter()
            .map_err(|_| invalid("table groups must be a map like {\"Heading\": [\"column\", …]}".into()))?;
        for heading in keys {
            let columns: Vec<String> = g
                .get_item(&heading)
                .ok()
                .and_then(|v| {
                    v.try_iter().ok().map(|it| it.map(|c| c.as_str().unwrap_or_default().to_string()).collect())
                })
                .ok_or_else(|| invalid(format!("table groups: '{heading}' must list columns")))?;
            let mut at: Vec<usize> = Vec::new();
            for c in &columns {
                known(c, "groups column")?;
                if out.groups.iter().any(|(_, cs)| cs.contains(c)) {
                    return Err(invalid(format!("table groups: column '{c}' is in two groups")));
                }
                at.push(position(c));
            }
            at.sort_unstable();
            if at.is_empty() || at.windows(2).any(|w| w[1] != w[0] + 1) {
                return Err(invalid(format!(
                    "table groups: the columns of '{heading}' must stand side by side in columns= ({})",
                    columns.join(", ")
                )));
            }
            let ordered = at.iter().map(|&i| shown[i].clone()).collect();
            out.groups.push((heading.to_string(), ordered));
        }
        out.groups.sort_by_key(|(_, cs)| position(&cs[0]));
    }
    Ok(out)
}

impl Extras {
    /// For the table's spec: `totals` (`[[column, aggregate]…]`), `bars`,
    /// `colors`; empty lists when the table has none.
    pub fn spec(&self) -> Json {
        json!({"totals": self.totals, "bars": self.bars, "colors": self.colors})
    }

    /// The measures a paged table's rollup adds after its row count, in
    /// this order: each total's, then least and greatest of each scaled column.
    pub fn measures(&self) -> Vec<Measure> {
        let mut out: Vec<Measure> = self
            .totals
            .iter()
            .map(|(c, agg)| {
                let op = TOTALS.iter().find(|(a, _, _)| a == agg).map_or(Op::Sum, |t| t.1);
                Measure { op, field: (op != Op::Count).then(|| c.clone()) }
            })
            .collect();
        for c in self.scaled() {
            out.push(Measure { op: Op::Min, field: Some(c.clone()) });
            out.push(Measure { op: Op::Max, field: Some(c.clone()) });
        }
        out
    }

    /// The columns with a bar or a colour scale, each once, bars first.
    pub fn scaled(&self) -> Vec<&String> {
        let mut out: Vec<&String> = Vec::new();
        for c in self.bars.iter().chain(&self.colors) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// The heading row over the groups: a cell spanning each group, an empty one over the rest.
    pub fn group_row(&self, shown: &[String]) -> String {
        if self.groups.is_empty() {
            return String::new();
        }
        let mut html = String::from("<tr class=\"vcd-groups\">");
        let mut i = 0;
        while i < shown.len() {
            match self.groups.iter().find(|(_, cs)| cs[0] == shown[i]) {
                Some((heading, cs)) => {
                    html.push_str(&format!(
                        "<th scope=\"colgroup\" colspan=\"{}\">{}</th>",
                        cs.len(),
                        escape_for_markdown(heading)
                    ));
                    i += cs.len();
                }
                None => {
                    html.push_str("<td></td>");
                    i += 1;
                }
            }
        }
        html.push_str(&"<td></td>".repeat(self.trailing));
        html.push_str("</tr>");
        html
    }

    /// A cell's `class` and `style` attributes for its bar and colour, given
    /// each scaled column's range (`None` when it has no number).
    pub fn cell_style(&self, column: &str, v: &Json, domain: Option<(f64, f64)>) -> (Vec<&'static str>, String) {
        let (mut classes, mut styles) = (Vec::new(), Vec::new());
        let Some(d) = domain else { return (classes, String::new()) };
        if self.bars.iter().any(|c| c == column) {
            if let Some(s) = cellscale::bar(v, d) {
                classes.push("vcd-bar");
                styles.push(s);
            }
        }
        if self.colors.iter().any(|c| c == column) {
            if let Some(s) = cellscale::heat(v, d) {
                classes.push("vcd-heat");
                styles.push(s);
            }
        }
        (classes, styles.join(";"))
    }

    /// The totals row over `rows` (positions of the columns in `at`), each
    /// figure exact as a KPI card's (`components::figure`) and written as a
    /// cell of its column's format; the row's heading says what they are.
    pub fn totals_row(
        &self,
        shown: &[String],
        rows: &[Vec<Json>],
        at: impl Fn(&str) -> Option<usize>,
        format_of: impl Fn(&str) -> String,
    ) -> String {
        if self.totals.is_empty() {
            return String::new();
        }
        let mut html = String::from("<tfoot><tr>");
        for (i, c) in shown.iter().enumerate() {
            let total = self.totals.iter().find(|(t, _)| t == c);
            let text = total.map_or_else(
                || if i == 0 { self.label() } else { String::new() },
                |(_, agg)| {
                    let figure =
                        at(c).and_then(|k| crate::components::figure::aggregate(agg, rows.iter().map(|r| &r[k])));
                    self.total_text(agg, figure, &format_of(c))
                },
            );
            let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
            let num = if total.is_some() { " class=\"num\"" } else { "" };
            html.push_str(&format!("<{tag}{num}>{}</{}>", escape_for_markdown(&text), &tag[..2]));
        }
        html.push_str(&"<td></td>".repeat(self.trailing));
        html.push_str("</tr></tfoot>");
        html
    }

    /// What the totals row's heading says: "Total" when every figure is a
    /// sum, else "Summary" (and each figure that is not a sum names its aggregate).
    pub fn label(&self) -> String {
        if self.totals.iter().all(|(_, a)| a == "sum") { "Total" } else { "Summary" }.to_string()
    }

    /// A total as its cell shows it: the figure in the column's cell format,
    /// `≈` before one a double stood in for, the aggregate's word before any
    /// but a sum (under "Summary"); empty for no figure.
    fn total_text(&self, agg: &str, figure: Option<crate::components::figure::Figure>, fmt: &str) -> String {
        let Some(f) = figure else { return String::new() };
        let mut text = crate::util::format::cell(&Json::String(f.text()), fmt);
        if !f.exact {
            text = format!("≈{text}");
        }
        let word = TOTALS.iter().find(|(a, _, _)| *a == agg).map_or("", |t| t.2);
        if agg == "sum" || self.label() == "Total" {
            text
        } else {
            format!("{word} {text}")
        }
    }
}
