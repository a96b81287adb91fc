//! `vcd.toml`: optional project settings, each with a default, validated right after parsing.

use crate::project::postgres::TlsOptions;
use crate::project::timezone::Zone;
use anyhow::{bail, Context, Result};
use bytesize::ByteSize;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const CONFIG_FILE: &str = "vcd.toml";

/// Which engine runs the queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Embedded DuckDB over the files in `data/` (no server needed).
    Duckdb,
    /// A PostgreSQL server (see `database_url`).
    Postgres,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Site title shown in the sidebar and the browser tab.
    pub title: String,
    /// Output folder, relative to the project root.
    pub output: PathBuf,
    /// Query engine.
    pub source: SourceKind,
    /// PostgreSQL connection URL; when absent, `DATABASE_URL` or libpq's
    /// `PG*` variables are used. Prefer those for passwords.
    pub database_url: Option<String>,
    /// `[postgres]`: TLS settings for the connection, with libpq's names
    /// (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`); the connection
    /// string's own parameters win over them, and they win over `PGSSLMODE`
    /// and the other `PGSSL*` variables. Paths are relative to the project root.
    pub postgres: TlsOptions,
    /// How long any one statement may run, on either engine, before it is
    /// cancelled and its query fails (`"30s"`, `"5min"`); `None` (or `"0"`)
    /// for no limit. A query file may set its own with a
    /// `-- vcd: statement_timeout=…` line.
    #[serde(deserialize_with = "timeout_from_text")]
    pub statement_timeout: Option<Duration>,
    /// Reuse results of unchanged queries over unchanged data (offline source only).
    pub cache: bool,
    /// Most rows a single query may return before the build fails; guards
    /// against shipping a whole table to the browser by mistake.
    pub max_rows: usize,
    /// Most pre-computed variants of one parameterised query on one page (the
    /// product of its inputs' numbers of values); guards against a build that
    /// would run a query thousands of times.
    pub max_variants: usize,
    /// Most rows of a query a page may ship for the browser to aggregate
    /// itself. Charts and KPI cards that count, sum, average or take the
    /// minimum or maximum never need to: they get a rollup at the grain of
    /// the page's filters. A chart whose aggregate cannot be rolled up
    /// (median, distinct, a transform…) over a bigger result is a build error.
    pub browser_rows: usize,
    /// The business's time zone, an IANA name (`America/Toronto`), default
    /// `UTC`. Both engines run every query with it as their `TimeZone`, so
    /// the hour, weekday and day of a `TIMESTAMP WITH TIME ZONE` are local
    /// ones, and zoned values reach the page as local times with their offset.
    /// Timestamps without a zone and dates are not affected.
    #[serde(deserialize_with = "zone_from_name")]
    pub timezone: Zone,
    /// The memory DuckDB may use (its `memory_limit`): `"1GB"` (10⁹ bytes),
    /// `"512MiB"` (2²⁰ bytes each) or a number of bytes. Data bigger than
    /// half of it is kept in a temporary database file instead of in memory.
    pub duckdb_memory: ByteSize,
}

fn timeout_from_text<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Duration>, D::Error> {
    let text = String::deserialize(d)?;
    crate::util::duration::parse(&text).map_err(serde::de::Error::custom)
}

fn zone_from_name<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Zone, D::Error> {
    let name = String::deserialize(d)?;
    Zone::parse(&name).map_err(serde::de::Error::custom)
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "vcd".into(),
            output: PathBuf::from("site"),
            source: SourceKind::Duckdb,
            database_url: None,
            postgres: TlsOptions::default(),
            statement_timeout: None,
            cache: true,
            max_rows: 1_000_000,
            max_variants: 200,
            browser_rows: 5_000,
            timezone: Zone::UTC,
            duckdb_memory: ByteSize::gb(1),
        }
    }
}

impl Config {
    /// Reads `vcd.toml` from the project root; a missing file means all defaults.
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {CONFIG_FILE}")),
        };
        let config: Config = toml::from_str(&text).map_err(|e| {
            let loc = e
                .span()
                .map(|s| {
                    let (line, col) = crate::util::diag::line_col(&text, s.start);
                    format!(":{line}:{col}")
                })
                .unwrap_or_default();
            anyhow::anyhow!("{CONFIG_FILE}{loc}: {}", e.message())
        })?;
        config.validate()?;
        Ok(config)
    }

    /// The `[postgres]` TLS settings with their paths resolved against the
    /// project `root` (`sslrootcert = "system"` is a name, not a path).
    pub fn postgres_tls(&self, root: &Path) -> TlsOptions {
        let resolve =
            |p: &Option<PathBuf>| p.as_ref().map(|p| if p == Path::new("system") { p.clone() } else { root.join(p) });
        TlsOptions {
            sslmode: self.postgres.sslmode,
            sslrootcert: resolve(&self.postgres.sslrootcert),
            sslcert: resolve(&self.postgres.sslcert),
            sslkey: resolve(&self.postgres.sslkey),
        }
    }

    fn validate(&self) -> Result<()> {
        if self.output.as_os_str().is_empty() {
            bail!("{CONFIG_FILE}: `output` must not be empty");
        }
        if self.output.is_absolute() || self.output.components().any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            bail!("{CONFIG_FILE}: `output` must be a plain folder inside the project, got '{}'", self.output.display());
        }
        for reserved in ["pages", "queries", "data", "theme", "src"] {
            if self.output == Path::new(reserved) {
                bail!("{CONFIG_FILE}: `output` cannot be '{reserved}', which holds project sources");
            }
        }
        if self.max_variants == 0 {
            bail!("{CONFIG_FILE}: `max_variants` must be at least 1");
        }
        if self.browser_rows == 0 {
            bail!("{CONFIG_FILE}: `browser_rows` must be at least 1");
        }
        if self.max_rows == 0 {
            bail!("{CONFIG_FILE}: `max_rows` must be at least 1");
        }
        if self.duckdb_memory < ByteSize::mb(100) {
            bail!("{CONFIG_FILE}: `duckdb_memory` must be at least 100MB, got {}", self.duckdb_memory.display().si());
        }
        Ok(())
    }
}
