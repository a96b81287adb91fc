//! "Data as of": when the data behind a build was current, for the layout
//! (`data_as_of`) and for pages (`last_refreshed()`, `site.data_as_of`).

use crate::project::config::SourceKind;
use crate::project::timezone::Zone;
use chrono::{DateTime, Utc};
use std::path::Path;

/// The instant a build's data was current, and the zone it is shown in.
#[derive(Debug, Clone)]
pub struct AsOf {
    instant: DateTime<Utc>,
    zone: Zone,
}

impl AsOf {
    /// Offline, the newest modification time among the files of `data_dir`:
    /// the data changed last then, so two builds of the same files say the
    /// same (and write the same bytes). On PostgreSQL, whose data changes
    /// without vcd seeing it, the time the build ran its queries: `now`.
    /// `SOURCE_DATE_EPOCH` (seconds since 1970, the reproducible-builds
    /// convention) stands for either when set. `None` offline with no files.
    pub fn of_build(source: SourceKind, data_dir: &Path, zone: Zone, now: DateTime<Utc>) -> Option<AsOf> {
        if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()) {
            return DateTime::from_timestamp(epoch, 0).map(|instant| AsOf { instant, zone });
        }
        let instant = match source {
            SourceKind::Postgres => now,
            SourceKind::Duckdb => std::fs::read_dir(data_dir)
                .ok()?
                .flatten()
                .filter_map(|e| e.metadata().ok().filter(|m| m.is_file())?.modified().ok())
                .max()
                .map(DateTime::<Utc>::from)?,
        };
        Some(AsOf { instant, zone })
    }

    /// RFC 3339 in the project's time zone, to the second: `2026-11-30T14:05:09-05:00`.
    pub fn iso(&self) -> String {
        self.instant.with_timezone(&self.zone.tz()).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }

    /// As a reader reads it, in the project's time zone, named: `Nov 30, 2026, 14:05 EST`.
    /// The same text for every reader (a static page does not know where it is read).
    pub fn text(&self) -> String {
        self.instant.with_timezone(&self.zone.tz()).format("%b %-d, %Y, %H:%M %Z").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_reads_in_the_projects_zone_with_its_offset() {
        let zone = Zone::parse("America/Toronto").unwrap();
        let instant = DateTime::from_timestamp(1_796_065_509, 0).unwrap(); // 2026-11-30T19:05:09Z
        let a = AsOf { instant, zone };
        assert_eq!(a.iso(), "2026-11-30T14:05:09-05:00");
        assert_eq!(a.text(), "Nov 30, 2026, 14:05 EST");
    }
}
