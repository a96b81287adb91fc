//! The channels of a chart shorthand (x, y, colour, size, angle, tooltip):
//! their fields, measures, titles and formats, and how each becomes a
//! `vega_lite_4` channel definition.

use super::invalid;
use crate::page_scope;
use crate::value::QueryResult;
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

/// Numbers (and numeric strings, as large integers and decimals arrive) are
/// quantitative, ISO dates temporal, anything else nominal.
pub(super) fn infer(result: &QueryResult, field: &str) -> Measure {
    let Some(i) = result.column_names().position(|c| c == field) else { return Measure::Nominal };
    let mut values = result.rows.iter().map(|r| &r[i]).filter(|v| !v.is_null()).take(50).peekable();
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
            Json::String(s) if s.trim().parse::<f64>().is_ok() => Measure::Quantitative,
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

/// `percent`, `number`, `currency` and `compact` as d3 formats; anything else
/// is taken as a d3 number or time format already.
pub(super) fn d3_format(f: &str) -> String {
    match f {
        "percent" => ".1%".into(),
        "number" => ",.2~f".into(),
        "currency" => "$,.2f".into(),
        "compact" => ".3~s".into(),
        other => other.into(),
    }
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
    /// How many distinct values the field has in the query's result.
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
                ..Default::default()
            }
        }
    };
}

impl Channel {
    pub(super) fn field(&self) -> Option<vl::Field> {
        // A count has no field.
        (!self.field.is_empty()).then(|| vl::Field::String(self.field.clone()))
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
        vl::Axis {
            format: self.format.as_deref().map(|f| vl::Format::String(d3_format(f))),
            label_angle: level.then_some(vl::LabelAngle::Double(0.0)),
            ..Default::default()
        }
        .into()
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
        let legend = match &self.format {
            Some(f) => vl::Legend { format: Some(vl::Format::String(d3_format(f))), ..Default::default() }.into(),
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
        let temporal = self.measure == Some(Measure::Temporal);
        vl::StringFieldDef {
            field: self.field(),
            string_field_def_type: self.measure.map(Measure::standard),
            title: self.title(),
            aggregate: self.aggregate.clone(),
            bin: self.bin(),
            format: match (&self.format, temporal) {
                (Some(f), _) => Some(vl::Format::String(d3_format(f))),
                (None, true) => Some(vl::Format::String("%b %-d, %Y".into())),
                (None, false) if self.measure == Some(Measure::Quantitative) => {
                    Some(vl::Format::String(",.4~f".into()))
                }
                _ => None,
            },
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
    result: &QueryResult,
    query: &str,
    fname: &str,
) -> Result<Option<Channel>, Error> {
    let title: Option<String> = kwargs.get(&format!("{prefix}_title"))?;
    let format: Option<String> = kwargs.get(&format!("{prefix}_format"))?;
    let ty: Option<String> = kwargs.get(&format!("{prefix}_type"))?;
    let Some(field) = field else {
        if title.is_some() || format.is_some() || ty.is_some() {
            return Err(invalid(format!("{fname}: {prefix}_title, {prefix}_format and {prefix}_type need {prefix}=")));
        }
        return Ok(None);
    };
    page_scope::check_column(result, query, &field, &format!("{fname}: {prefix}"))?;
    let measure = match ty {
        Some(t) => Measure::parse(&t, &format!("{fname}: {prefix}_type"))?,
        None => infer(result, &field),
    };
    let title = title.or_else(|| Some(humanise(&field)));
    let at = result.column_names().position(|c| c == field).unwrap_or(0);
    let categories = result.rows.iter().map(|r| r[at].to_string()).collect::<std::collections::BTreeSet<_>>().len();
    Ok(Some(Channel { field, measure: Some(measure), title, format, categories, ..Default::default() }))
}

/// `posted_at` → `Posted at`: a readable default axis title.
pub(super) fn humanise(field: &str) -> String {
    let mut s = field.replace('_', " ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}
