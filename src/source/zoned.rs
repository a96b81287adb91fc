//! Zoned timestamps as the project's time zone shows them: rewritten from the UTC
//! form both engines' decoders write to the zone's wall-clock time with the
//! offset in force at that instant.

use crate::project::timezone::Zone;
use crate::source::value::{Column, QueryResult};
use chrono::{DateTime, Offset, TimeZone};
use serde_json::Value as Json;

/// Rewrites the values of every zoned column (`TIMESTAMP WITH TIME ZONE`,
/// `timestamptz`, and lists of them) from the UTC form the sources write
/// (`2024-05-01T18:40:03Z`) to the zone's wall-clock time with its offset
/// (`2024-05-01T14:40:03-04:00`), the same instant. In UTC nothing changes.
pub fn localize(zone: Zone, result: &mut QueryResult) {
    let localizer = Localizer::new(zone, &result.columns);
    for row in &mut result.rows {
        localizer.apply(row);
    }
}

/// [`localize`] one row at a time, for results streamed from the engine.
pub struct Localizer {
    zone: Zone,
    /// The zoned columns' positions (none in UTC, where nothing changes).
    zoned: Vec<usize>,
}

impl Localizer {
    pub fn new(zone: Zone, columns: &[Column]) -> Localizer {
        let zoned = if zone == Zone::UTC {
            Vec::new()
        } else {
            columns.iter().enumerate().filter(|(_, c)| is_zoned(&c.sql_type)).map(|(i, _)| i).collect()
        };
        Localizer { zone, zoned }
    }

    /// Rewrites the zoned values of one row of the columns given to [`Localizer::new`].
    pub fn apply(&self, row: &mut [Json]) {
        for &i in &self.zoned {
            if let Some(v) = row.get_mut(i) {
                localize_value(self.zone, v);
            }
        }
    }
}

fn localize_value(zone: Zone, v: &mut Json) {
    match v {
        Json::String(s) => {
            if let Some(local) = local_text(zone, s) {
                *s = local;
            }
        }
        Json::Array(items) => items.iter_mut().for_each(|item| localize_value(zone, item)),
        _ => {}
    }
}

/// `2024-05-01T18:40:03.5Z` → `2024-05-01T14:40:03.5-04:00`: the digits of
/// the time are kept as written, only the clock and the offset move. An
/// offset with seconds (local mean time before about 1900) is written
/// `±hh:mm:ss`, so the instant is never rounded.
fn local_text(zone: Zone, utc: &str) -> Option<String> {
    let body = utc.strip_suffix('Z')?;
    let (clock, fraction) = match body.split_once('.') {
        Some((c, f)) => (c, Some(f)),
        None => (body, None),
    };
    let naive = chrono::NaiveDateTime::parse_from_str(clock, "%Y-%m-%dT%H:%M:%S").ok()?;
    let local: DateTime<chrono_tz::Tz> = zone.tz().from_utc_datetime(&naive);
    let mut out = local.format("%Y-%m-%dT%H:%M:%S").to_string();
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    let offset = local.offset().fix().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let secs = offset.unsigned_abs();
    out.push_str(&format!("{sign}{:02}:{:02}", secs / 3600, secs / 60 % 60));
    if secs % 60 != 0 {
        out.push_str(&format!(":{:02}", secs % 60));
    }
    Some(out)
}

/// Whether an engine type name is a timestamp with time zone, or a list of them.
pub fn is_zoned(sql_type: &str) -> bool {
    let t = sql_type.trim().to_ascii_lowercase();
    let base = t.trim_start_matches('_').trim_end_matches("[]");
    base == "timestamptz" || base == "timestamp with time zone"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::value::Column;

    fn local(zone: &str, utc: &str) -> String {
        local_text(Zone::parse(zone).unwrap(), utc).unwrap()
    }

    #[test]
    fn writes_the_wall_clock_and_the_offset_in_force() {
        // Toronto: EDT (-04:00) in May, EST (-05:00) in January.
        assert_eq!(local("America/Toronto", "2024-05-01T18:40:03Z"), "2024-05-01T14:40:03-04:00");
        assert_eq!(local("America/Toronto", "2024-01-15T03:00:00Z"), "2024-01-14T22:00:00-05:00");
        assert_eq!(local("America/Toronto", "2024-05-01T18:40:03.25Z"), "2024-05-01T14:40:03.25-04:00");
        // Around the 2024-03-10 spring-forward (07:00 UTC): 01:59:59 EST, then 03:00 EDT.
        assert_eq!(local("America/Toronto", "2024-03-10T06:59:59Z"), "2024-03-10T01:59:59-05:00");
        assert_eq!(local("America/Toronto", "2024-03-10T07:00:00Z"), "2024-03-10T03:00:00-04:00");
        assert_eq!(local("Asia/Kolkata", "2024-05-01T18:40:03Z"), "2024-05-02T00:10:03+05:30");
        assert_eq!(local("UTC", "2024-05-01T18:40:03Z"), "2024-05-01T18:40:03+00:00");
        // Local mean time: Toronto was 5:17:32 behind Greenwich until 1895.
        assert_eq!(local("America/Toronto", "1880-01-01T12:00:00Z"), "1880-01-01T06:42:28-05:17:32");
    }

    #[test]
    fn only_zoned_columns_change_and_utc_changes_nothing() {
        let result = || QueryResult {
            columns: vec![
                Column { name: "at".into(), sql_type: "TIMESTAMP WITH TIME ZONE".into() },
                Column { name: "naive".into(), sql_type: "TIMESTAMP".into() },
                Column { name: "list".into(), sql_type: "_timestamptz".into() },
            ],
            rows: vec![vec![
                Json::from("2024-05-01T18:40:03Z"),
                Json::from("2024-05-01T18:40:03"),
                serde_json::json!(["2024-05-01T18:40:03Z", null]),
            ]],
        };
        let mut r = result();
        localize(Zone::parse("America/Toronto").unwrap(), &mut r);
        assert_eq!(
            r.rows[0],
            vec![
                Json::from("2024-05-01T14:40:03-04:00"),
                Json::from("2024-05-01T18:40:03"),
                serde_json::json!(["2024-05-01T14:40:03-04:00", null]),
            ]
        );
        let mut r = result();
        localize(Zone::UTC, &mut r);
        assert_eq!(r.rows, result().rows);
    }
}
