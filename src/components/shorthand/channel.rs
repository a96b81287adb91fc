//! The channels of a chart shorthand (x, y, colour, size, angle, tooltip):
//! their fields, measures, titles and formats, and how each becomes a
//! `vega_lite_4` channel definition.

use super::invalid;
use crate::components::scope::{self, Source};
use crate::source::value::{Column, ColumnKind};
use minijinja::value::Kwargs;
use minijinja::Error;
use serde_json::Value as Json;
use vega_lite_4 as vl;

/// How a field is measured, inferred from the values the query returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Measure {
    Quantitative,
    Temporal,
    Nominal,
    Ordinal,
}

impl Measure {
    pub(super) fn parse(s: &str, what: &str) -> Result<Measure, Error> {
        Ok(match s {
            "quantitative" => Measure::Quantitative,
            "temporal" => Measure::Temporal,
            "nominal" => Measure::Nominal,
            "ordinal" => Measure::Ordinal,
            _ => return Err(invalid(format!("{what} must be quantitative, temporal, nominal or ordinal, got '{s}'"))),
        })
    }

    fn vl(self) -> vl::Type {
        match self {
            Measure::Quantitative => vl::Type::Quantitative,
            Measure::Temporal => vl::Type::Temporal,
            Measure::Nominal => vl::Type::Nominal,
            Measure::Ordinal => vl::Type::Ordinal,
        }
    }

    fn standard(self) -> vl::StandardType {
        match self {
            Measure::Quantitative => vl::StandardType::Quantitative,
            Measure::Temporal => vl::StandardType::Temporal,
            Measure::Nominal => vl::StandardType::Nominal,
            Measure::Ordinal => vl::StandardType::Ordinal,
        }
    }
}

/// The column's engine type decides ([`crate::source::value::ColumnKind`]): numbers are
/// quantitative, dates and timestamps temporal, text and booleans nominal (a
/// `VARCHAR` of postal codes like `00501` stays a category). Only a type that
/// says nothing (lists, JSON, a cached result without types) is read from the
/// values: JSON numbers (and numeric strings, as large integers arrive) are
/// quantitative, ISO dates temporal, anything else nominal.
/// A query too big to hold (no `rows`) gives no values to read: nominal.
pub(super) fn infer(columns: &[Column], rows: &[Vec<Json>], field: &str) -> Measure {
    let Some(i) = columns.iter().position(|c| c.name == field) else { return Measure::Nominal };
    match columns[i].kind() {
        ColumnKind::Number => return Measure::Quantitative,
        ColumnKind::Temporal => return Measure::Temporal,
        ColumnKind::Category => return Measure::Nominal,
        ColumnKind::Other => {}
    }
    let mut values = rows.iter().map(|r| &r[i]).filter(|v| !v.is_null()).take(50).peekable();
    if values.peek().is_none() {
        return Measure::Nominal;
    }
    let is_date = |s: &str| {
        let b = s.as_bytes();
        b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && s[..4].bytes().all(|c| c.is_ascii_digit())
    };
    let mut measure = None;
    for v in values {
        let m = match v {
            Json::Number(_) => Measure::Quantitative,
            Json::String(s) if crate::util::format::Decimal::parse(s).is_some() => Measure::Quantitative,
            Json::String(s) if is_date(s) => Measure::Temporal,
            _ => return Measure::Nominal,
        };
        if measure.is_some_and(|x| x != m) {
            return Measure::Nominal;
        }
        measure = Some(m);
    }
    measure.unwrap_or(Measure::Nominal)
}

/// The name the runtime registers its formatter under as a Vega expression
/// function (`theme/vcd.js`), used as a custom `formatType`.
pub const FORMAT_TYPE: &str = "vcdFormat";

/// A channel's `format` and `formatType`. `number`, `percent`, `currency` and
/// `compact` go to the runtime's formatter, which formats them as table cells
/// of that format (`docs/formatting.md`), so axes, legends and tooltips read
/// like the tables and KPI cards (`1.2M`, never d3's SI `1.2G` or `500m`).
/// Anything else is a d3 number or time format; on a temporal field it is
/// applied in UTC (`utc:%b %Y` to the runtime's formatter), as the runtime gives
/// dates to Vega as UTC instants. (Vega-Lite's own `"formatType": "utc"` cannot
/// be used: with custom format types on, it would call Vega's `utc()` date
/// constructor.) `name:decimals` (`percent:0`) sets the decimals.
pub(super) fn format_spec(f: &str, measure: Option<Measure>) -> (vl::Format, Option<String>) {
    if is_named_format(f) {
        (vl::Format::String(f.to_string()), Some(FORMAT_TYPE.to_string()))
    } else if measure == Some(Measure::Temporal) {
        (vl::Format::String(format!("utc:{f}")), Some(FORMAT_TYPE.to_string()))
    } else {
        (vl::Format::String(f.to_string()), None)
    }
}

/// A number in a tooltip without a format: up to 4 decimals, trailing zeros
/// dropped (`0.0523`, `1,234.5`), by the runtime's formatter.
const TOOLTIP_NUMBER: &str = "auto";

/// One of the runtime formatter's names, optionally with `:decimals`.
fn is_named_format(f: &str) -> bool {
    let (name, decimals) = f.split_once(':').unwrap_or((f, "0"));
    matches!(name, "number" | "percent" | "currency" | "compact" | "auto")
        && !decimals.is_empty()
        && decimals.len() <= 2
        && decimals.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn aggregate(op: &str) -> Result<vl::Aggregate, Error> {
    use vl::NonArgAggregateOp as Op;
    let op = match op {
        "sum" => Op::Sum,
        "mean" | "average" => Op::Mean,
        "median" => Op::Median,
        "min" => Op::Min,
        "max" => Op::Max,
        "count" => Op::Count,
        "distinct" => Op::Distinct,
        other => {
            return Err(invalid(format!("agg must be sum, mean, median, min, max, count or distinct, got '{other}'")))
        }
    };
    Ok(vl::Aggregate::Enum(op))
}

pub(super) fn sort(s: &str) -> Result<vl::SortUnion, Error> {
    use vl::Sort;
    let s = match s {
        "x" => Sort::X,
        "-x" => Sort::SortX,
        "y" => Sort::Y,
        "-y" => Sort::SortY,
        "ascending" => Sort::Ascending,
        "descending" => Sort::Descending,
        other => {
            return Err(invalid(format!("sort must be x, -x, y, -y, ascending or descending, got '{other}'")));
        }
    };
    Ok(vl::SortUnion::Enum(s))
}

/// One positional or mark channel, before it becomes a `vega_lite_4` type.
#[derive(Debug, Clone, Default)]
pub(super) struct Channel {
    pub(super) field: String,
    pub(super) measure: Option<Measure>,
    pub(super) title: Option<String>,
    pub(super) format: Option<String>,
    pub(super) aggregate: Option<vl::Aggregate>,
    pub(super) sort: Option<vl::SortUnion>,
    pub(super) bin: Option<f64>,
    pub(super) stack: Option<vl::Stack>,
    /// A number axis's scale other than linear (`x_scale="log"`).
    pub(super) scale: Option<vl::ScaleType>,
    /// How many distinct values the field has in the query's result (for
    /// one too big to hold, as the engine counted them; `usize::MAX` where
    /// it did not count them).
    pub(super) categories: usize,
}

/// `x` and `y` are built alike, in two generated types of the same shape.
macro_rules! position {
    ($name:ident, $class:ident) => {
        pub(super) fn $name(&self) -> vl::$class {
            vl::$class {
                field: self.field(),
                position_def_type: self.ty(),
                title: self.title(),
                axis: self.axis(),
                aggregate: self.aggregate.clone(),
                sort: self.sort(),
                bin: self.bin(),
                stack: self.stack.clone(),
                scale: self.scale(),
                ..Default::default()
            }
        }
    };
}

impl Channel {
    pub(super) fn field(&self) -> Option<vl::Field> {
        // A count has no field.
        (!self.field.is_empty()).then(|| vl::Field::String(escape_field(&self.field)))
    }
    pub(super) fn ty(&self) -> Option<vl::Type> {
        self.measure.map(Measure::vl)
    }
    pub(super) fn title(&self) -> vl::RemovableValue<vl::LegendText> {
        self.title.clone().map_or(vl::RemovableValue::Default, |t| vl::LegendText::String(t).into())
    }
    pub(super) fn axis(&self) -> vl::RemovableValue<vl::Axis> {
        // A few category labels read level; Vega-Lite would turn long ones on
        // their side, which many labels need to fit.
        let level = matches!(self.measure, Some(Measure::Nominal | Measure::Ordinal)) && self.categories <= 12;
        if self.format.is_none() && !level {
            return vl::RemovableValue::Default;
        }
        let (format, format_type) = self.format_spec().unzip();
        vl::Axis {
            format,
            format_type: format_type.flatten(),
            label_angle: level.then_some(vl::LabelAngle::Double(0.0)),
            ..Default::default()
        }
        .into()
    }
    /// A temporal axis is a UTC scale: the runtime hands dates to Vega as UTC
    /// instants (`2024-05-01` is that day's UTC midnight), and a UTC scale
    /// shows them on the day they name in every reader's time zone.
    /// A number axis takes the scale its `_scale` argument names.
    pub(super) fn scale(&self) -> vl::RemovableValue<vl::Scale> {
        if self.measure == Some(Measure::Temporal) {
            return vl::Scale { scale_type: Some(vl::ScaleType::Utc), ..Default::default() }.into();
        }
        match &self.scale {
            Some(t) => vl::Scale { scale_type: Some(t.clone()), ..Default::default() }.into(),
            None => vl::RemovableValue::Default,
        }
    }
    /// This channel's format and format type, when it has a format.
    fn format_spec(&self) -> Option<(vl::Format, Option<String>)> {
        self.format.as_deref().map(|f| format_spec(f, self.measure))
    }
    pub(super) fn bin(&self) -> Option<vl::DescriptionBin> {
        self.bin.map(|n| vl::DescriptionBin::BinParams(vl::BinParams { maxbins: Some(n), ..Default::default() }))
    }
    pub(super) fn sort(&self) -> vl::RemovableValue<vl::SortUnion> {
        self.sort.clone().map_or(vl::RemovableValue::Default, Into::into)
    }
    position!(x, XClass);
    position!(y, YClass);
    pub(super) fn color(&self) -> vl::ColorClass {
        let legend = match self.format_spec() {
            Some((format, format_type)) => {
                vl::Legend { format: Some(format), format_type, ..Default::default() }.into()
            }
            None => vl::RemovableValue::Default,
        };
        vl::ColorClass {
            field: self.field(),
            mark_prop_def_gradient_string_null_type: self.ty(),
            title: self.title(),
            aggregate: self.aggregate.clone(),
            legend,
            ..Default::default()
        }
    }
    pub(super) fn size(&self) -> vl::SizeClass {
        vl::SizeClass {
            field: self.field(),
            mark_prop_def_number_type: self.ty(),
            title: self.title(),
            ..Default::default()
        }
    }
    pub(super) fn theta(&self) -> vl::ThetaClass {
        vl::ThetaClass {
            field: self.field(),
            polar_def_type: self.ty(),
            title: self.title(),
            aggregate: self.aggregate.clone(),
            stack: Some(vl::Stack::Bool(true)),
            ..Default::default()
        }
    }
    pub(super) fn tooltip(&self) -> vl::StringFieldDef {
        // Without a format: a day as `May 1, 2024` in UTC (the day as
        // written), a number as a `number` cell.
        let spec = match (&self.format, self.measure) {
            (Some(f), m) => Some(format_spec(f, m)),
            (None, Some(Measure::Temporal)) => Some(format_spec("%b %-d, %Y", self.measure)),
            (None, Some(Measure::Quantitative)) => Some(format_spec(TOOLTIP_NUMBER, self.measure)),
            _ => None,
        };
        let (format, format_type) = spec.unzip();
        let format_type = format_type.flatten();
        vl::StringFieldDef {
            field: self.field(),
            string_field_def_type: self.measure.map(Measure::standard),
            title: self.title(),
            aggregate: self.aggregate.clone(),
            bin: self.bin(),
            format,
            format_type,
            ..Default::default()
        }
    }
}

/// Reads the arguments of one channel (`x`, `x_title`, `x_format`, `x_type`) and
/// checks the field against the query's columns.
pub(super) fn channel(
    kwargs: &Kwargs,
    prefix: &str,
    field: Option<String>,
    source: &Source,
    query: &str,
    fname: &str,
) -> Result<Option<Channel>, Error> {
    let title: Option<String> = kwargs.get(&format!("{prefix}_title"))?;
    let format: Option<String> = kwargs.get(&format!("{prefix}_format"))?;
    let ty: Option<String> = kwargs.get(&format!("{prefix}_type"))?;
    let scale: Option<String> =
        if matches!(prefix, "x" | "y") { kwargs.get(&format!("{prefix}_scale"))? } else { None };
    let Some(field) = field else {
        if title.is_some() || format.is_some() || ty.is_some() || scale.is_some() {
            let args = if matches!(prefix, "x" | "y") {
                format!("{prefix}_title, {prefix}_format, {prefix}_type and {prefix}_scale")
            } else {
                format!("{prefix}_title, {prefix}_format and {prefix}_type")
            };
            return Err(invalid(format!("{fname}: {args} need {prefix}=")));
        }
        return Ok(None);
    };
    scope::check_field(source.columns(), query, &field, &format!("{fname}: {prefix}"))?;
    let rows: &[Vec<Json>] = match source {
        Source::Rows(r) => &r.rows,
        Source::Engine(_) => &[],
    };
    let measure = match ty {
        Some(t) => Measure::parse(&t, &format!("{fname}: {prefix}_type"))?,
        None => infer(source.columns(), rows, &field),
    };
    let scale = match scale.as_deref() {
        None | Some("linear") => None,
        Some(s) if measure != Measure::Quantitative => {
            return Err(invalid(format!(
                "{fname}: {prefix}_scale=\"{s}\" needs a number axis, and '{field}' is not one"
            )));
        }
        Some("log") => Some(vl::ScaleType::Log),
        Some("sqrt") => Some(vl::ScaleType::Sqrt),
        Some("symlog") => Some(vl::ScaleType::Symlog),
        Some(s) => {
            return Err(invalid(format!("{fname}: {prefix}_scale must be linear, log, sqrt or symlog, got '{s}'")))
        }
    };
    let title = title.or_else(|| Some(humanise(&field)));
    let at = source.columns().iter().position(|c| c.name == field).unwrap_or(0);
    let categories = match source {
        Source::Rows(_) => rows.iter().map(|r| r[at].to_string()).collect::<std::collections::BTreeSet<_>>().len(),
        Source::Engine(u) => u.distinct[at].map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX)),
    };
    Ok(Some(Channel { field, measure: Some(measure), title, format, categories, scale, ..Default::default() }))
}

/// A column name as a Vega-Lite field: Vega-Lite reads `.` and `[…]` in a
/// field as a path into nested objects (`a.b`, `a[0]`), so the column
/// `Petal.Width` is written `Petal\.Width` (`"Petal\\.Width"` in JSON), and a
/// backslash in a name is escaped too.
pub(crate) fn escape_field(column: &str) -> String {
    let mut out = String::with_capacity(column.len());
    for c in column.chars() {
        if matches!(c, '.' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `posted_at` → `Posted at`: a readable default axis title.
pub(crate) fn humanise(field: &str) -> String {
    if field.starts_with('_') || field.ends_with('_') {
        // `__proto__` would become "  proto  ": such a name is shown as it is.
        return field.to_string();
    }
    let mut s = field.replace('_', " ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::escape_field;

    #[test]
    fn field_names_are_escaped_for_vega_lite_paths() {
        assert_eq!(escape_field("Petal.Width"), "Petal\\.Width");
        assert_eq!(escape_field("a[0]"), "a\\[0\\]");
        assert_eq!(escape_field("x.y[1].z"), "x\\.y\\[1\\]\\.z");
        assert_eq!(escape_field("back\\slash"), "back\\\\slash");
        for plain in ["Store Name", "select", "Año", "constructor", "__proto__", ""] {
            assert_eq!(escape_field(plain), plain);
        }
    }

    #[test]
    fn default_titles_read_well() {
        assert_eq!(super::humanise("posted_at"), "Posted at");
        assert_eq!(super::humanise("Petal.Width"), "Petal.Width");
        assert_eq!(super::humanise("año"), "Año");
        assert_eq!(super::humanise("été"), "été", "a first letter outside ASCII stays as it is");
        assert_eq!(super::humanise("__proto__"), "__proto__");
        assert_eq!(super::humanise("_private"), "_private");
    }
}
