//! Time limits as people write them (`30s`, `5min`, `1h 30m`), for `vcd.toml` and `-- vcd:` lines.

use std::time::Duration;

/// A time limit as written in `vcd.toml` or a `-- vcd:` line: `30s`, `5min`,
/// `1h 30m`, `500ms` (humantime's units), or `0` for none.
pub fn parse(text: &str) -> Result<Option<Duration>, String> {
    if text == "0" {
        return Ok(None);
    }
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => Ok(None),
        Ok(d) => Ok(Some(d)),
        Err(e) => Err(format!("'{text}' is not a duration ({e}); write e.g. 30s, 5min or 1h, or 0 for no limit")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_humantimes_units() {
        assert_eq!(parse("500ms").unwrap(), Some(Duration::from_millis(500)));
        assert_eq!(parse("1h 30m").unwrap(), Some(Duration::from_secs(5400)));
        assert_eq!(parse("0s").unwrap(), None);
        assert!(parse("30").is_err());
    }
}
