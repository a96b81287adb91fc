//! The project time zone (`timezone` in vcd.toml): an IANA name, checked against
//! the time zone database compiled into vcd.

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
            None => crate::util::diag::suggestion(name, names()),
        };
        Err(format!("unknown time zone '{name}': use an IANA name such as 'UTC' or 'America/Toronto'{near}"))
    }

    /// The zone's rules, for turning instants into its wall-clock time.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    /// The IANA name, as the engines' `TimeZone` setting takes it.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
