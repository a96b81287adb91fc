//! A chart of one mark per row over more rows than a page may ship, redrawn
//! as a density: its plane cut into a grid of cells counted by a rollup.

use super::fields::{aliases, column, escape, UNSUPPORTED};
use crate::query::rollup::{Bin, Measure, Op, Request};
use crate::query::unheld::{Extent, Unheld};
use crate::source::value::{Column, ColumnKind, QueryResult};
use serde_json::{json, Map, Value as Json};

/// Cells of a density view, across and up.
pub const DENSITY_GRID: (u32, u32) = (40, 30);

/// A chart of one mark per row over more rows than a page may ship, redrawn
/// as a density: the plane cut into a [`DENSITY_GRID`] of cells (on the log
/// of the value where the axis is a log scale), one dot per cell and colour
/// at its centre, sized by how many rows fall in it, from a rollup (so the
/// counts are exact under every filter). Takes a scatter (`point`, `circle`
/// or `square` marks) of two number columns, optionally coloured by a
/// category; other channels (size, tooltip…) give way to the count. `Err`
/// says why another chart cannot be redrawn so.
///
/// `data` is what the chart's query is known by: its rows held, or its
/// profile when too big to hold; the grid spans the same extent either way.
pub fn density(spec: &Json, data: Data<'_>) -> Result<(Request, Json), String> {
    let columns = data.columns();
    let obj = spec.as_object().ok_or("it is not an object")?;
    let query = obj.get("data").and_then(|d| d.get("name")).and_then(Json::as_str).ok_or("it names no query")?;
    if let Some((_, what)) = UNSUPPORTED.iter().find(|(k, _)| obj.contains_key(*k)) {
        return Err(format!("it has {what}"));
    }
    let mark = obj.get("mark").map(|m| m.get("type").unwrap_or(m)).and_then(Json::as_str).unwrap_or("");
    if !matches!(mark, "point" | "circle" | "square") {
        return Err(format!("it draws '{mark}' marks, not points"));
    }
    let enc = obj.get("encoding").and_then(Json::as_object).ok_or("it has no encoding")?;
    let axis = |ch: &str| -> Result<(String, &Map<String, Json>), String> {
        let def = enc.get(ch).and_then(Json::as_object).ok_or(format!("it has no {ch} field"))?;
        let field =
            def.get("field").and_then(Json::as_str).and_then(column).ok_or(format!("its {ch} is not a column"))?;
        if def.contains_key("aggregate") || def.contains_key("bin") || def.contains_key("timeUnit") {
            return Err(format!("its {ch} is aggregated or binned"));
        }
        match columns.iter().find(|c| c.name == field) {
            Some(c) if c.kind() == ColumnKind::Number => Ok((field, def)),
            _ => Err(format!("its {ch} '{field}' is not a number column")),
        }
    };
    let (x, xdef) = axis("x")?;
    let (y, ydef) = axis("y")?;
    let mut keys = Vec::new();
    let color = enc.get("color").and_then(Json::as_object).filter(|c| c.contains_key("field"));
    if let Some(c) = color {
        let f = c.get("field").and_then(Json::as_str).and_then(column).ok_or("its colour is not a column")?;
        match columns.iter().find(|col| col.name == f) {
            Some(col) if col.kind() == ColumnKind::Category => keys.push(f),
            _ => return Err(format!("its colour '{f}' is not a category column")),
        }
    }
    let taken = |name: &String| columns.iter().any(|c| &c.name == name) || keys.contains(name);
    let bin = |field: &str, def: &Map<String, Json>, count: u32, other: Option<&str>| -> Result<Bin, String> {
        let log = def.get("scale").and_then(|s| s.get("type")).and_then(Json::as_str) == Some("log");
        let extent = data.extent(field);
        // The logarithm keeps the order of positive values, so their extent's ends give its extent.
        let ends = if log { extent.positive.map(|(lo, hi)| (lo.ln(), hi.ln())) } else { extent.all };
        let (lo, hi) = ends.unwrap_or((f64::INFINITY, f64::NEG_INFINITY));
        let (start, step) = if lo > hi {
            (0.0, 1.0)
        } else if hi > lo {
            (lo, (hi - lo) / f64::from(count))
        } else {
            (lo - 0.5, 1.0 / f64::from(count))
        };
        let mut alias = format!("{field} cell");
        while taken(&alias) || Some(alias.as_str()) == other {
            alias.push('_');
        }
        Ok(Bin { field: field.to_string(), alias, start, step, count, log })
    };
    let bx = bin(&x, xdef, DENSITY_GRID.0, None)?;
    let by = bin(&y, ydef, DENSITY_GRID.1, Some(&bx.alias))?;
    let measures = vec![Measure { op: Op::Count, field: None }];
    let alias =
        aliases(&measures, &[keys.clone(), vec![bx.alias.clone(), by.alias.clone(), x.clone(), y.clone()]].concat());
    let count = &alias[0];
    // Each cell's centre, in the column's units, under the column's own name, so axes read as before.
    let centre = |b: &Bin| {
        let mid = format!("{} + (datum[{}] + 0.5) * {}", b.start, Json::from(b.alias.clone()), b.step);
        json!({"calculate": if b.log { format!("exp({mid})") } else { mid }, "as": b.field})
    };
    let keep = |def: &Map<String, Json>, title: &str| {
        let mut d: Map<String, Json> = def
            .iter()
            .filter(|(k, _)| matches!(k.as_str(), "field" | "title" | "scale" | "axis"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        d.insert("type".into(), "quantitative".into());
        d.entry("title").or_insert_with(|| json!(title));
        Json::Object(d)
    };
    let mut encoding = json!({
        "x": keep(xdef, &x),
        "y": keep(ydef, &y),
        "size": {"field": escape(count), "type": "quantitative", "title": "Rows in the cell"},
        "tooltip": [
            {"field": escape(&x), "type": "quantitative", "title": format!("{} (cell centre)", title_of(xdef, &x)), "format": "~g"},
            {"field": escape(&y), "type": "quantitative", "title": format!("{} (cell centre)", title_of(ydef, &y)), "format": "~g"},
            {"field": escape(count), "type": "quantitative", "title": "Rows in the cell"}
        ]
    });
    if let Some(c) = color {
        encoding["color"] = Json::Object(c.clone());
        if let Some(t) = encoding["tooltip"].as_array_mut() {
            t.insert(0, json!({"field": c.get("field").cloned().unwrap_or_default(), "type": "nominal", "title": c.get("title").cloned().unwrap_or_else(|| json!(keys[0].clone()))}));
        }
    }
    let mut out = Map::new();
    for key in ["$schema", "height", "width", "autosize", "config", "background", "padding", "usermeta"] {
        if let Some(v) = obj.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    let rows = data.rows();
    let note = format!(
        "Density of {rows} rows: each dot is one cell of a {} × {} grid, sized by how many rows fall in it",
        DENSITY_GRID.0, DENSITY_GRID.1
    );
    let title = match obj.get("title") {
        Some(Json::String(t)) => json!({"text": t, "subtitle": note}),
        Some(Json::Object(t)) => json!({"text": t.get("text").cloned().unwrap_or_default(), "subtitle": note}),
        _ => json!({"text": "", "subtitle": note}),
    };
    out.insert("title".into(), title);
    let description = obj.get("description").and_then(Json::as_str).unwrap_or("Scatter plot");
    out.insert("description".into(), format!("{description} Drawn as a density: {note}.").into());
    out.insert("data".into(), json!({"name": query}));
    out.insert("transform".into(), json!([centre(&bx), centre(&by)]));
    out.insert("mark".into(), json!({"type": "circle", "opacity": 0.7}));
    out.insert("encoding".into(), encoding);
    let request = Request { query: query.to_string(), keys, bins: vec![bx, by], days: Vec::new(), measures };
    let mut spec = Json::Object(out);
    spec["usermeta"]["vcd"]["measures"] = json!(alias);
    Ok((request, spec))
}

/// An axis's title as written, or its column's name.
fn title_of(def: &Map<String, Json>, field: &str) -> String {
    def.get("title").and_then(Json::as_str).unwrap_or(field).to_string()
}

/// A query's result as a density knows it: its rows, or the profile of a
/// result too big to hold.
#[derive(Debug, Clone, Copy)]
pub enum Data<'a> {
    Held(&'a QueryResult),
    Unheld(&'a Unheld),
}

impl Data<'_> {
    pub(super) fn columns(&self) -> &[Column] {
        match self {
            Data::Held(r) => &r.columns,
            Data::Unheld(u) => &u.columns,
        }
    }

    /// How many rows; 0 when an unheld result's profile did not run.
    pub fn rows(&self) -> u64 {
        match self {
            Data::Held(r) => r.rows.len() as u64,
            Data::Unheld(u) => u.rows.unwrap_or(0),
        }
    }

    /// The extent of number column `field` (empty when unknown).
    pub(super) fn extent(&self, field: &str) -> Extent {
        let Some(at) = self.columns().iter().position(|c| c.name == field) else { return Extent::default() };
        match self {
            Data::Held(r) => Extent::of(r.rows.iter().map(|row| &row[at])),
            Data::Unheld(u) => u.extents[at].unwrap_or_default(),
        }
    }
}
