//! The project time zone (`timezone` in vcd.toml): its IANA name, checked, and
//! zoned timestamps rewritten from UTC to the zone's wall-clock time with the
//! offset in force at that instant.

use crate::value::QueryResult;
use chrono::{DateTime, Offset, TimeZone};
use serde_json::Value as Json;
use std::str::FromStr;

/// An IANA time zone (`UTC`, `America/Toronto`), from the IANA time zone
/// database compiled into vcd (the `chrono-tz` crate's copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(chrono_tz::Tz);

impl Default for Zone {
    fn default() -> Self {
        Zone::UTC
    }
}

impl Zone {
    /// Coordinated Universal Time, the default: zoned values are written with `Z`.
    pub const UTC: Zone = Zone(chrono_tz::Tz::UTC);

    /// Parses an IANA name, exactly as the database spells it.
    ///
    /// # Errors
    /// A sentence naming the unknown zone, with the closest known name when one
    /// is near (`America/Torono` → `America/Toronto`).
    pub fn parse(name: &str) -> Result<Zone, String> {
        if let Ok(tz) = chrono_tz::Tz::from_str(name) {
            return Ok(Zone(tz));
        }
        let names = || chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
        let near = match names().find(|n| n.eq_ignore_ascii_case(name)) {
            Some(n) => format!(" (did you mean '{n}'?)"),
            None => crate::diag::suggestion(name, names()),
        };
        Err(format!("unknown time zone '{name}': use an IANA name such as 'UTC' or 'America/Toronto'{near}"))
    }

    /// The IANA name, as the engines' `TimeZone` setting takes it.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Rewrites the values of every zoned column (`TIMESTAMP WITH TIME ZONE`,
    /// `timestamptz`, and lists of them) from the UTC form the sources write
    /// (`2024-05-01T18:40:03Z`) to the zone's wall-clock time with its offset
    /// (`2024-05-01T14:40:03-04:00`), the same instant. In UTC nothing changes.
    pub fn localize(&self, result: &mut QueryResult) {
        if *self == Zone::UTC {
            return;
        }
        let zoned: Vec<usize> =
            result.columns.iter().enumerate().filter(|(_, c)| is_zoned(&c.sql_type)).map(|(i, _)| i).collect();
        if zoned.is_empty() {
            return;
        }
        for row in &mut result.rows {
            for &i in &zoned {
                if let Some(v) = row.get_mut(i) {
                    self.localize_value(v);
                }
            }
        }
    }

    fn localize_value(&self, v: &mut Json) {
        match v {
            Json::String(s) => {
                if let Some(local) = self.local_text(s) {
                    *s = local;
                }
            }
            Json::Array(items) => items.iter_mut().for_each(|item| self.localize_value(item)),
            _ => {}
        }
    }

    /// `2024-05-01T18:40:03.5Z` → `2024-05-01T14:40:03.5-04:00`: the digits of
    /// the time are kept as written, only the clock and the offset move. An
    /// offset with seconds (local mean time before about 1900) is written
    /// `±hh:mm:ss`, so the instant is never rounded.
    fn local_text(&self, utc: &str) -> Option<String> {
        let body = utc.strip_suffix('Z')?;
        let (clock, fraction) = match body.split_once('.') {
            Some((c, f)) => (c, Some(f)),
            None => (body, None),
        };
        let naive = chrono::NaiveDateTime::parse_from_str(clock, "%Y-%m-%dT%H:%M:%S").ok()?;
        let local: DateTime<chrono_tz::Tz> = self.0.from_utc_datetime(&naive);
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
    use crate::value::Column;

    fn local(zone: &str, utc: &str) -> String {
        Zone::parse(zone).unwrap().local_text(utc).unwrap()
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
        Zone::parse("America/Toronto").unwrap().localize(&mut r);
        assert_eq!(
            r.rows[0],
            vec![
                Json::from("2024-05-01T14:40:03-04:00"),
                Json::from("2024-05-01T18:40:03"),
                serde_json::json!(["2024-05-01T14:40:03-04:00", null]),
            ]
        );
        let mut r = result();
        Zone::UTC.localize(&mut r);
        assert_eq!(r.rows, result().rows);
    }

    #[test]
    fn unknown_names_are_refused_with_a_suggestion() {
        assert!(Zone::parse("America/Toronto").is_ok());
        let e = Zone::parse("America/Torono").unwrap_err();
        assert!(e.contains("'America/Torono'") && e.contains("did you mean 'America/Toronto'?"), "{e}");
        assert!(Zone::parse("america/toronto").unwrap_err().contains("did you mean 'America/Toronto'?"));
        let e = Zone::parse("Mars/Olympus").unwrap_err();
        assert!(e.contains("unknown time zone") && !e.contains("did you mean"), "{e}");
    }
}
