//! Chart shorthands: `line_chart()`, `area_chart()`, `bar_chart()`,
//! `scatter_chart()`, `histogram()`, `heatmap()`, `pie_chart()` and `box_plot()` build a
//! Vega-Lite spec from a few arguments, with the `vega_lite_4` types, and hand
//! it to the same path as a ```` ```vega-lite ```` block.

use crate::components::scope::{self, Source};
use crate::source::value::QueryResult;
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind, State};
use serde_json::{json, Value as Json};
use vega_lite_4 as vl;

mod channel;
mod combo;
mod refs;
use channel::{aggregate, channel, infer, sort, Channel, Measure};
pub(crate) use channel::{humanise, FORMAT_TYPE};
pub use combo::combo_chart;

/// The chart kinds, each registered under its function name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Line,
    Area,
    Bar,
    Scatter,
    Histogram,
    Heatmap,
    Pie,
    /// Quartiles, whiskers and outliers of a number column, per category and series.
    Box,
}

pub const KINDS: &[(&str, Kind)] = &[
    ("line_chart", Kind::Line),
    ("area_chart", Kind::Area),
    ("bar_chart", Kind::Bar),
    ("scatter_chart", Kind::Scatter),
    ("histogram", Kind::Histogram),
    ("heatmap", Kind::Heatmap),
    ("pie_chart", Kind::Pie),
    ("box_plot", Kind::Box),
];

pub fn register(env: &mut Environment<'static>) {
    for (name, kind) in KINDS {
        let (name, kind) = (*name, *kind);
        env.add_function(name, move |state: &State, data: String, kwargs: Kwargs| {
            chart(state, name, kind, &data, &kwargs)
        });
    }
}

fn invalid(msg: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg)
}

/// Everything a chart was asked for, read and checked.
struct Args {
    x: Option<Channel>,
    y: Option<Channel>,
    color: Option<Channel>,
    size: Option<Channel>,
    tooltip: Vec<Channel>,
    title: Option<String>,
    height: f64,
    description: Option<String>,
    mode: Option<String>,
    horizontal: bool,
    points: bool,
    donut: bool,
    select: Option<String>,
    /// A box plot's whiskers: a multiple of the interquartile range, or `"min-max"`.
    extent: Option<Json>,
    /// `usermeta.vcd.uncertainty` for a chart of means (see [`uncertainty`]).
    uncertainty: Option<Json>,
}

fn chart(state: &State, fname: &str, kind: Kind, data: &str, kwargs: &Kwargs) -> Result<Value, Error> {
    let scope = scope::of(state)?;
    let source = scope.read_or_columns(data, fname)?;
    let args = read_args(fname, kind, data, &source, kwargs)?;
    let refs = if takes_refs(kind) {
        let value_axis = if args.horizontal { "x" } else { "y" };
        let quantitative = |axis: &str| {
            let drawn = match (axis, args.horizontal) {
                ("x", false) | ("y", true) => &args.x,
                _ => &args.y,
            };
            drawn.as_ref().is_some_and(|c| c.measure == Some(Measure::Quantitative) || c.aggregate.is_some())
        };
        refs::read(&scope, fname, kwargs, value_axis, quantitative)?
    } else {
        Vec::new()
    };
    crate::components::args::finish_args(kwargs, fname, &known_args(kind))?;
    let mut spec = build(kind, data, &args)?;
    if !refs.is_empty() {
        spec["usermeta"]["vcd"]["refs"] = json!(refs);
    }
    // Past the limits, what the chart cannot draw is said here, where the
    // error names the call's line (the page's render plans it again). A
    // page's own slice, or a variant, is within them.
    if !scope.is_sliced(data) && !scope.catalog.params.contains_key(data) {
        if let Some(past) = scope.catalog.past_limits(data) {
            crate::chart::rollup::plan_past_limits(&spec, data, past, scope.catalog.limits())
                .map_err(|m| invalid(format!("{fname}: {m}")))?;
        }
    }
    Ok(Value::from_safe_string(crate::chart::checked_marker(&spec)))
}

fn read_args(fname: &str, kind: Kind, data: &str, source: &Source, kwargs: &Kwargs) -> Result<Args, Error> {
    let ch = |prefix: &str, field: Option<String>| channel(kwargs, prefix, field, source, data, fname);
    let (x_name, y_name) = match kind {
        Kind::Pie => ("category", "value"),
        _ => ("x", "y"),
    };
    let x_field: Option<String> = kwargs.get(x_name)?;
    let y_field: Option<String> = match kind {
        Kind::Histogram => None,
        _ => kwargs.get(y_name)?,
    };
    let color_field: Option<String> = match kind {
        Kind::Pie => None,
        _ => {
            let series: Option<String> = kwargs.get("series")?;
            let color: Option<String> = kwargs.get("color")?;
            color.or(series)
        }
    };
    let need = |f: &Option<String>, name: &str| -> Result<(), Error> {
        if f.is_none() {
            return Err(Error::new(
                ErrorKind::MissingArgument,
                format!("{fname} needs {name}= (a column of query '{data}')"),
            ));
        }
        Ok(())
    };
    if kind != Kind::Box {
        need(&x_field, x_name)?;
    }
    if !matches!(kind, Kind::Histogram) {
        need(&y_field, y_name)?;
    }
    if kind == Kind::Heatmap {
        need(&color_field, "color")?;
    }
    let mut x = ch(if kind == Kind::Pie { "category" } else { "x" }, x_field)?;
    let mut y = ch(if kind == Kind::Pie { "value" } else { "y" }, y_field)?;
    let mut color = ch("color", color_field)?;
    let size = if kind == Kind::Scatter { ch("size", kwargs.get("size")?)? } else { None };

    let agg: Option<String> =
        if matches!(kind, Kind::Scatter | Kind::Histogram | Kind::Box) { None } else { kwargs.get("agg")? };
    if kind == Kind::Box {
        if let Some(y) = &y {
            if y.measure != Some(Measure::Quantitative) {
                return Err(invalid(format!(
                    "{fname}: y must be a number column (the values whose spread it draws), got '{}'",
                    y.field
                )));
            }
        }
    }
    let uncertainty = uncertainty(fname, kind, kwargs, agg.as_deref(), source)?;
    if let Some(op) = agg {
        let a = aggregate(&op)?;
        let target = match kind {
            Kind::Heatmap => color.as_mut(),
            _ => y.as_mut(),
        };
        if let Some(t) = target {
            t.aggregate = Some(a);
        }
    }
    let sort_arg: Option<String> = if matches!(kind, Kind::Bar | Kind::Heatmap) { kwargs.get("sort")? } else { None };
    let horizontal: Option<bool> = if kind == Kind::Bar { kwargs.get("horizontal")? } else { None };
    if let (Some(s), Some(x)) = (sort_arg, x.as_mut()) {
        // `sort` names the channels as the author sees them; a horizontal bar
        // chart draws the category (x) down the side and the value (y) across.
        let s = if horizontal == Some(true) {
            s.chars()
                .map(|c| {
                    if c == 'x' {
                        'y'
                    } else if c == 'y' {
                        'x'
                    } else {
                        c
                    }
                })
                .collect()
        } else {
            s
        };
        x.sort = Some(sort(&s)?);
    }
    if kind == Kind::Histogram {
        let bins: Option<f64> = kwargs.get("bins")?;
        if let Some(x) = x.as_mut() {
            x.bin = Some(bins.unwrap_or(20.0));
            x.measure = Some(Measure::Quantitative);
        }
        y = Some(Channel {
            field: String::new(),
            aggregate: Some(vl::Aggregate::Enum(vl::NonArgAggregateOp::Count)),
            measure: Some(Measure::Quantitative),
            title: Some("Count".into()),
            ..Default::default()
        });
    }
    let mode: Option<String> = if matches!(kind, Kind::Bar | Kind::Area) { kwargs.get("mode")? } else { None };
    let stack = match (kind, mode.as_deref()) {
        (_, None | Some("stacked")) => None,
        (Kind::Bar, Some("grouped")) | (Kind::Area, Some("overlap")) => Some(vl::Stack::Bool(false)),
        (_, Some("normalized")) => Some(vl::Stack::Enum(vl::StackOffset::Normalize)),
        (_, Some(m)) => {
            let known =
                if kind == Kind::Bar { "stacked, grouped or normalized" } else { "stacked, overlap or normalized" };
            return Err(invalid(format!("{fname}: mode must be {known}, got '{m}'")));
        }
    };
    if let Some(y) = y.as_mut() {
        y.stack = stack;
    }
    let ci = uncertainty.as_ref().is_some_and(|u| u["ci"] == json!(true));
    if ci && color.is_some() && kind == Kind::Bar && mode.as_deref() != Some("grouped") {
        return Err(invalid(format!(
            "{fname}: ci=true with color= needs mode=\"grouped\": intervals of stacked means would not read"
        )));
    }
    if ci && kind == Kind::Area && mode.as_deref() == Some("normalized") {
        return Err(invalid(format!(
            "{fname}: ci=true cannot go with mode=\"normalized\": a share of the stack is not the mean the interval is for"
        )));
    }
    if ci && color.is_some() && kind == Kind::Area && mode.as_deref() != Some("overlap") {
        return Err(invalid(format!(
            "{fname}: ci=true with color= needs mode=\"overlap\": intervals of stacked means would not read"
        )));
    }
    if mode.as_deref() == Some("grouped") && color.is_none() {
        return Err(invalid(format!("{fname}: mode=\"grouped\" needs color= (the series to put side by side)")));
    }
    let points: Option<bool> = if kind == Kind::Line { kwargs.get("points")? } else { None };
    let donut: Option<bool> = if kind == Kind::Pie { kwargs.get("donut")? } else { None };
    if kind == Kind::Pie {
        // A pie's category is its colour; its angle is the value.
        color = x.take();
    }
    let tooltip_arg: Option<Vec<String>> = kwargs.get("tooltip")?;
    let mut tooltip: Vec<Channel> = match tooltip_arg {
        Some(fields) => fields
            .into_iter()
            .map(|f| ch("tooltip", Some(f)).map(Option::unwrap_or_default))
            .collect::<Result<_, _>>()?,
        None => [&x, &y, &color, &size].into_iter().flatten().filter(|c| !c.field.is_empty()).cloned().collect(),
    };
    for t in &mut tooltip {
        // A tooltip shows the encoded channel's aggregate, not a raw row.
        if let Some(enc) = [&x, &y, &color, &size].into_iter().flatten().find(|c| c.field == t.field) {
            t.aggregate = enc.aggregate.clone();
            t.format = t.format.clone().or_else(|| enc.format.clone());
            t.bin = enc.bin;
        }
    }
    let select: Option<Value> = kwargs.get("select")?;
    let select = match select {
        Some(v) if v.is_true() && v.as_str().is_none() => default_select(kind, &x, &color),
        Some(v) if v.as_str().is_some() => {
            let f = v.as_str().unwrap_or_default().to_string();
            scope::check_field(source.columns(), data, &f, &format!("{fname}: select"))?;
            Some(f)
        }
        Some(_) => None,
        None => default_select(kind, &x, &color),
    };
    let height: Option<f64> = kwargs.get("height")?;
    let extent = if kind == Kind::Box { box_extent(fname, kwargs)? } else { None };
    Ok(Args {
        x,
        y,
        color,
        size,
        tooltip,
        title: kwargs.get("title")?,
        height: height.unwrap_or(if kind == Kind::Pie { 240.0 } else { 260.0 }),
        description: kwargs.get("description")?,
        mode,
        horizontal: horizontal.unwrap_or(false),
        points: points.unwrap_or(false),
        donut: donut.unwrap_or(false),
        select,
        extent,
        uncertainty,
    })
}

/// A box plot's `extent=`: a positive multiple of the interquartile range, or `"min-max"`.
fn box_extent(fname: &str, kwargs: &Kwargs) -> Result<Option<Json>, Error> {
    let Some(v) = kwargs.get::<Option<Value>>("extent")? else { return Ok(None) };
    if v.as_str() == Some("min-max") {
        return Ok(Some(json!("min-max")));
    }
    match crate::components::args::as_num(&v) {
        Some(crate::util::format::Num::Finite(d)) if d.to_f64() > 0.0 => Ok(Some(json!(d.to_f64()))),
        _ => Err(invalid(format!(
            "{fname}: extent must be a positive number (of interquartile ranges) or \"min-max\", got {v}"
        ))),
    }
}

/// The small-sample marks every chart of means gets, and the 95 % interval
/// `ci=true` asks for: `{"field", "ci", "min_n", "method"}` for the runtime
/// (`docs/uncertainty.md`), or `None` for a chart of sums, counts or rows.
/// The method is Wilson's where the column holds shares' values
/// ([`Source::is_share`]), else Student's t.
fn uncertainty(
    fname: &str,
    kind: Kind,
    kwargs: &Kwargs,
    agg: Option<&str>,
    source: &Source,
) -> Result<Option<Json>, Error> {
    use crate::util::interval::Method;
    let ci: Option<bool> = if matches!(kind, Kind::Bar | Kind::Line | Kind::Area) { kwargs.get("ci")? } else { None };
    let min_n: Option<u32> =
        if matches!(kind, Kind::Bar | Kind::Line | Kind::Area | Kind::Heatmap) { kwargs.get("min_n")? } else { None };
    let mean = matches!(agg, Some("mean" | "average"));
    if !mean {
        let asked = if ci == Some(true) { Some("ci=true") } else { min_n.map(|_| "min_n=") };
        if let Some(arg) = asked {
            return Err(invalid(format!(
                "{fname}: {arg} needs agg=\"mean\" (an interval and a sample size are a mean's or a share's), got {}",
                agg.map_or("no agg".to_string(), |a| format!("agg=\"{a}\""))
            )));
        }
        return Ok(None);
    }
    let value = if kind == Kind::Heatmap { "color" } else { "y" };
    let Some(field) = kwargs.get::<Option<String>>(value)? else { return Ok(None) };
    let method = if source.is_share(&field) { Method::Wilson } else { Method::T };
    Ok(Some(json!({
        "field": field,
        "ci": ci.unwrap_or(false),
        "min_n": min_n.unwrap_or(DEFAULT_MIN_N),
        "method": method.name(),
    })))
}

/// Means over fewer values than this are marked as small samples, unless a chart says otherwise.
pub const DEFAULT_MIN_N: u32 = 10;

/// The arguments a chart kind takes, for messages about ones it does not.
fn known_args(kind: Kind) -> Vec<&'static str> {
    let mut known: Vec<&str> = match kind {
        Kind::Pie => vec![
            "category",
            "value",
            "category_title",
            "category_type",
            "value_title",
            "value_format",
            "value_type",
            "agg",
            "donut",
        ],
        _ => vec!["x", "y", "x_title", "y_title", "x_format", "y_format", "x_type", "y_type", "x_scale", "y_scale"],
    };
    known.extend(["title", "height", "description", "tooltip", "select"]);
    if takes_refs(kind) {
        known.extend(["ref_x", "ref_y", "ref_band"]);
    }
    if kind != Kind::Pie {
        known.extend(["color", "series", "color_title", "color_format", "color_type"]);
    }
    match kind {
        Kind::Line => known.extend(["agg", "points", "ci", "min_n"]),
        Kind::Area => known.extend(["agg", "mode", "ci", "min_n"]),
        Kind::Bar => known.extend(["agg", "sort", "mode", "horizontal", "ci", "min_n"]),
        Kind::Scatter => known.extend(["size", "size_title", "size_format", "size_type"]),
        Kind::Histogram => {
            known.retain(|a| !a.starts_with('y'));
            known.push("bins");
        }
        Kind::Heatmap => known.extend(["agg", "sort", "min_n"]),
        Kind::Pie => {}
        Kind::Box => known.push("extent"),
    }
    known
}

/// Whether a kind draws on number axes that reference lines can mark.
fn takes_refs(kind: Kind) -> bool {
    !matches!(kind, Kind::Pie | Kind::Heatmap)
}

/// Clicking a mark filters the page by its category: the colour series where
/// there is one, otherwise a nominal x (a bar's category).
fn default_select(kind: Kind, x: &Option<Channel>, color: &Option<Channel>) -> Option<String> {
    let nominal = |c: &Channel| matches!(c.measure, Some(Measure::Nominal | Measure::Ordinal));
    match kind {
        Kind::Histogram | Kind::Heatmap => None,
        _ => color.iter().chain(x.iter()).find(|c| nominal(c)).map(|c| c.field.clone()),
    }
}

fn mark(kind: Kind, args: &Args) -> vl::AnyMark {
    let def = vl::Def {
        def_type: Some(match kind {
            Kind::Line => vl::Mark::Line,
            Kind::Area => vl::Mark::Area,
            Kind::Bar | Kind::Histogram => vl::Mark::Bar,
            Kind::Scatter => vl::Mark::Point,
            Kind::Heatmap => vl::Mark::Rect,
            Kind::Pie => vl::Mark::Arc,
            Kind::Box => vl::Mark::Boxplot,
        }),
        point: (kind == Kind::Line && args.points).then_some(vl::PointUnion::Bool(true)),
        filled: (kind == Kind::Scatter).then_some(true),
        opacity: match (kind, args.mode.as_deref()) {
            (Kind::Scatter, _) => Some(vl::CornerRadiusUnion::Double(0.7)),
            (Kind::Area, Some("overlap")) => Some(vl::CornerRadiusUnion::Double(0.5)),
            _ => None,
        },
        inner_radius: (kind == Kind::Pie && args.donut).then_some(vl::CornerRadiusUnion::Double(60.0)),
        tooltip: None,
        ..Default::default()
    };
    vl::AnyMark::Def(def)
}

fn build(kind: Kind, data: &str, args: &Args) -> Result<Json, Error> {
    let mut encoding = vl::EdEncoding::default();
    let (x, y) = if args.horizontal { (&args.y, &args.x) } else { (&args.x, &args.y) };
    if kind == Kind::Pie {
        encoding.theta = args.y.as_ref().map(Channel::theta);
    } else {
        encoding.x = x.as_ref().map(Channel::x);
        encoding.y = y.as_ref().map(Channel::y);
    }
    encoding.color = args.color.as_ref().map(Channel::color);
    encoding.size = args.size.as_ref().map(Channel::size);
    if !args.tooltip.is_empty() {
        encoding.tooltip =
            Some(vl::EncodingTooltip::StringFieldDefArray(args.tooltip.iter().map(Channel::tooltip).collect()));
    }
    let description = args.description.clone().unwrap_or_else(|| describe(kind, data, args));
    let spec = vl::Vegalite {
        schema: None,
        data: vl::UrlData { name: Some(data.to_string()), ..Default::default() }.into(),
        mark: Some(mark(kind, args)),
        encoding: Some(Box::new(encoding)),
        height: Some(vl::HeightUnion::Double(args.height)),
        title: args.title.clone().map(vl::TitleUnion::String),
        description: Some(description),
        ..Default::default()
    };
    let mut json = serde_json::to_value(&spec).map_err(|e| invalid(format!("chart spec: {e}")))?;
    // Current Vega-Lite places grouped bars with an offset channel, which the v4
    // schema (and so `vega_lite_4`) does not have; it is added to the built spec.
    if args.mode.as_deref() == Some("grouped") {
        if let (Some(enc), Some(color)) = (json.get_mut("encoding"), &args.color) {
            let offset = if args.horizontal { "yOffset" } else { "xOffset" };
            enc[offset] = json!({"field": channel::escape_field(&color.field), "type": "nominal"});
        }
    }
    if kind == Kind::Box {
        box_spec(&mut json, args);
    }
    if let Some(select) = &args.select {
        json["usermeta"]["vcd"]["select"] = json!(select);
    }
    if let Some(u) = &args.uncertainty {
        json["usermeta"]["vcd"]["uncertainty"] = u.clone();
        // The channel that draws the mean, which the runtime's marks of uncertainty follow.
        let channel = match kind {
            Kind::Heatmap => "color",
            _ if args.horizontal => "x",
            _ => "y",
        };
        json["usermeta"]["vcd"]["uncertainty"]["channel"] = json!(channel);
    }
    Ok(json)
}

/// A box plot's spec: Tukey's boxes (quartiles; whiskers to the furthest
/// value within `extent` × the interquartile range, 1.5 by default, or to
/// the extremes with `extent="min-max"`; values beyond as points), series
/// side by side, and `usermeta.vcd.box` (`{"value", "keys", "extent"}`).
/// The runtime works out each box from the rows, or from a rollup counting
/// each value per box ([`crate::chart::rollup::plan`]), and draws it in
/// layers; the `boxplot` mark stands for it until then.
fn box_spec(json: &mut Json, args: &Args) {
    let extent = args.extent.clone().unwrap_or(json!(1.5));
    json["mark"] = json!({"type": "boxplot", "extent": extent});
    // The runtime gives each part of a box its own tooltip.
    if let Some(enc) = json.get_mut("encoding").and_then(Json::as_object_mut) {
        enc.remove("tooltip");
    }
    let value = args.y.as_ref().map(|c| c.field.clone()).unwrap_or_default();
    let mut keys: Vec<String> = args.x.iter().map(|c| c.field.clone()).collect();
    match (&args.color, &args.x) {
        (Some(color), Some(x)) if color.field != x.field => {
            json["encoding"]["xOffset"] = json!({"field": channel::escape_field(&color.field), "type": "nominal"});
        }
        // Series without categories stand side by side along x.
        (Some(color), None) => json["encoding"]["x"] = json!(color.x()),
        _ => {}
    }
    if let Some(c) = &args.color {
        if !keys.contains(&c.field) {
            keys.push(c.field.clone());
        }
    }
    json["usermeta"]["vcd"]["box"] = json!({"value": value, "keys": keys, "extent": extent});
}

/// A sentence saying what the chart shows, for screen readers.
fn describe(kind: Kind, data: &str, args: &Args) -> String {
    let name = |c: &Option<Channel>| c.as_ref().and_then(|c| c.title.clone()).unwrap_or_default();
    let what = match kind {
        Kind::Line => "Line chart",
        Kind::Area => "Area chart",
        Kind::Bar => "Bar chart",
        Kind::Scatter => "Scatter plot",
        Kind::Histogram => "Histogram",
        Kind::Heatmap => "Heatmap",
        Kind::Pie => "Pie chart",
        Kind::Box => "Box plot",
    };
    let mut s = match kind {
        Kind::Pie => format!("{what} of {} by {}", name(&args.y), name(&args.color)),
        Kind::Histogram => format!("{what} of {}", name(&args.x)),
        Kind::Heatmap => format!("{what} of {} by {} and {}", name(&args.color), name(&args.x), name(&args.y)),
        Kind::Box if args.x.is_none() => format!("{what} of {}", name(&args.y)),
        _ => format!("{what} of {} by {}", name(&args.y), name(&args.x)),
    };
    if kind != Kind::Pie && kind != Kind::Heatmap {
        if let Some(c) = &args.color {
            s.push_str(&format!(", one series per {}", c.title.clone().unwrap_or_default().to_lowercase()));
        }
    }
    if let Some(sz) = &args.size {
        s.push_str(&format!(", sized by {}", sz.title.clone().unwrap_or_default().to_lowercase()));
    }
    if let Some(u) = &args.uncertainty {
        if u["ci"] == json!(true) {
            let method = if u["method"] == json!("wilson") { "Wilson" } else { "Student's t" };
            s.push_str(&format!(", with 95% intervals ({method})"));
        }
        if u["min_n"].as_u64().unwrap_or(0) > 0 {
            s.push_str(&format!("; means of fewer than {} values are drawn faded", u["min_n"]));
        }
    }
    format!("{s} (query {data}).")
}

/// The small trend line of a KPI card: no axes, no legend, just the shape.
pub fn sparkline(result: &QueryResult, data: &str, x: &str, y: &str) -> Result<Json, Error> {
    scope::check_column(result, data, x, "kpi: spark_x")?;
    scope::check_column(result, data, y, "kpi: spark_y")?;
    let channel = |field: &str| Channel {
        field: field.to_string(),
        measure: Some(infer(&result.columns, &result.rows, field)),
        title: Some(humanise(field)),
        ..Default::default()
    };
    let (cx, cy) = (channel(x), channel(y));
    let encoding = vl::EdEncoding {
        x: Some(vl::XClass { axis: vl::RemovableValue::Remove, ..cx.x() }),
        y: Some(vl::YClass {
            axis: vl::RemovableValue::Remove,
            scale: vl::Scale { zero: Some(vl::Aria::Bool(false)), ..Default::default() }.into(),
            ..cy.y()
        }),
        tooltip: Some(vl::EncodingTooltip::StringFieldDefArray(vec![cx.tooltip(), cy.tooltip()])),
        ..Default::default()
    };
    let spec = vl::Vegalite {
        schema: None,
        data: vl::UrlData { name: Some(data.to_string()), ..Default::default() }.into(),
        mark: Some(vl::AnyMark::Def(vl::Def {
            def_type: Some(vl::Mark::Line),
            stroke_width: Some(vl::FontSize::Double(1.5)),
            ..Default::default()
        })),
        encoding: Some(Box::new(encoding)),
        height: Some(vl::HeightUnion::Double(36.0)),
        description: Some(format!("Trend of {} by {} (query {data}).", humanise(y), humanise(x))),
        ..Default::default()
    };
    let mut json = serde_json::to_value(&spec).map_err(|e| invalid(format!("sparkline spec: {e}")))?;
    json["config"] = json!({"view": {"stroke": null}});
    json["padding"] = json!(2);
    Ok(json)
}
