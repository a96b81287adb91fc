//! Online source: PostgreSQL, reached through a small pool of connections.

pub mod conninfo;
pub mod decode;
pub mod load;
pub mod param;
pub mod tls;

use self::decode::Cell;
use super::deadline::{self, Watchdog};
use super::{Source, SqlError, Visit};
use crate::project::timezone::Zone;
use crate::source::value::Column;
use crate::source::zoned::Localizer;
use crate::util::interrupt;
use anyhow::{anyhow, Context, Result};
use postgres::config::Host;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config};
use std::sync::Mutex;
use std::time::Duration;
use tls::{SslMode, Tls, TlsOptions};

/// How long to wait for a server before giving up, unless the connection settings say otherwise.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Settings for every session, besides its time zone. Parallel workers add up
/// doubles in whatever order they finish, and a synchronised scan starts a
/// table wherever another scan has got to, so either would change a mean's last
/// digits or the order of unordered rows from one build to the next.
pub const SESSION_SETTINGS: &str = "SET max_parallel_workers_per_gather = 0; SET synchronize_seqscans = off";

/// Most connections open at once; queries beyond it wait for a free one.
const POOL_SIZE: usize = 4;

pub struct PgSource {
    target: Target,
    zone: Zone,
    /// Idle connections; a query takes one (or opens one) and puts it back.
    idle: Mutex<Vec<Client>>,
    open: Mutex<usize>,
    freed: std::sync::Condvar,
}

/// Where and how to connect: the server's settings, and the TLS every connection uses.
#[derive(Clone)]
pub struct Target {
    pub config: Config,
    pub tls: Tls,
}

/// Connection settings from, in order: an explicit connection string (flag
/// or `vcd.toml`, a URL or libpq's `key=value` pairs), `DATABASE_URL`, or
/// libpq's variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`,
/// `PGPASSWORD`, `PGCONNECT_TIMEOUT`). TLS settings come from the connection
/// string, else `settings` (the `[postgres]` table of `vcd.toml`), else
/// `PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT` and `PGSSLKEY`, else libpq's
/// files in `~/.postgresql/` (see [`tls`]).
///
/// Errors: a malformed string (described without repeating it: it may hold
/// a password), an unknown `sslmode`, or a certificate or key file that
/// cannot be used.
pub fn target(url: Option<&str>, settings: &TlsOptions) -> Result<Target> {
    let url = url.map(String::from).or_else(|| std::env::var("DATABASE_URL").ok().filter(|s| !s.is_empty()));
    let invalid = || anyhow!("the PostgreSQL connection string is not valid (expected postgresql://user@host:port/db)");
    let (mut config, from_string) = match url {
        Some(u) => {
            let split =
                conninfo::split(&u).map_err(|m| anyhow!("the PostgreSQL connection string is not valid: {m}"))?;
            // The parse error may repeat the string, password and all: it is dropped.
            let config = split.rest.parse::<Config>().map_err(|_| invalid())?;
            (config, TlsOptions::from_pairs(&split.tls)?)
        }
        None => (from_libpq_env(), TlsOptions::default()),
    };
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    config.application_name("vcd");
    let tls =
        Tls::build(from_string.or(settings.clone()).or(TlsOptions::from_env()?)).context("PostgreSQL TLS settings")?;
    Ok(Target { config, tls })
}

impl Target {
    /// One connection, without the session settings. Over a Unix socket TLS
    /// does not apply (as in libpq); under `allow`, a refused plain connection
    /// is tried once more with TLS.
    fn open(&self) -> Result<Client, postgres::Error> {
        let mut config = self.config.clone();
        let unix = config.get_hosts().iter().all(|h| matches!(h, Host::Unix(_)));
        let modes: &[SslMode] = match self.tls.mode {
            _ if unix => &[SslMode::Disable],
            SslMode::Allow => &[SslMode::Disable, SslMode::Require],
            _ => std::slice::from_ref(&self.tls.mode),
        };
        let mut outcome = None;
        for &mode in modes {
            config.ssl_mode(Tls::wire_mode(mode));
            match config.connect(self.tls.connector.clone()) {
                Ok(client) => return Ok(client),
                Err(e) => outcome = Some(e),
            }
        }
        Err(outcome.expect("at least one mode is tried"))
    }
}

fn from_libpq_env() -> Config {
    let var = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
    let mut c = Config::new();
    match var("PGHOST") {
        Some(h) if h.starts_with('/') => c.host_path(h),
        Some(h) => c.host(&h),
        // libpq's default: the local socket, which Debian puts here.
        None => c.host_path("/var/run/postgresql"),
    };
    if let Some(p) = var("PGPORT").and_then(|p| p.parse().ok()) {
        c.port(p);
    }
    let user = var("PGUSER").or_else(|| var("USER")).unwrap_or_else(|| "postgres".into());
    c.user(&user);
    c.dbname(&var("PGDATABASE").unwrap_or(user));
    if let Some(pw) = var("PGPASSWORD") {
        c.password(pw);
    }
    if let Some(t) = var("PGCONNECT_TIMEOUT").and_then(|t| t.parse().ok()) {
        c.connect_timeout(Duration::from_secs(t));
    }
    c
}

/// Where a config points, for messages: host, port and database, never the password.
pub fn describe(config: &Config) -> String {
    let host = host_of(config);
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}/{}", config.get_dbname().unwrap_or(""))
}

/// The first host a config names, as written.
fn host_of(config: &Config) -> String {
    match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    }
}

/// Connects, with a message that names the server but never the password.
/// The timeout covers the whole handshake, not only the TCP connect: a server
/// that accepts the connection and then never answers must not hang the build.
///
/// Every connection then runs in time zone `zone` and without parallel workers
/// or synchronised scans, so a query gives the same bytes every time (see
/// [`SESSION_SETTINGS`]).
pub fn connect(target: &Target, zone: Zone) -> Result<Client> {
    let config = &target.config;
    let timeout = config.get_connect_timeout().copied().unwrap_or(CONNECT_TIMEOUT);
    let (tx, rx) = std::sync::mpsc::channel();
    let attempt = target.clone();
    std::thread::spawn(move || {
        let _ = tx.send(attempt.open());
    });
    let outcome = match rx.recv_timeout(timeout) {
        Ok(Ok(mut client)) => {
            let settings = format!("SET TIME ZONE '{}'; {SESSION_SETTINGS}", zone.name());
            return match client.batch_execute(&settings) {
                Ok(()) => Ok(client),
                Err(e) => Err(anyhow!("{}", pg_message(&e)))
                    .with_context(|| format!("cannot set up the session on PostgreSQL at {}", describe(config))),
            };
        }
        Ok(Err(e)) => match target.tls.explain(&e, &host_of(config)) {
            Some(reason) => {
                let tls = format!("sslmode={}", target.tls.mode.name());
                return Err(anyhow!("{reason}"))
                    .with_context(|| format!("cannot connect to PostgreSQL at {} ({tls})", describe(config)));
            }
            None => anyhow!("{}", pg_message(&e)),
        },
        Err(_) => anyhow!("no answer within {} s", timeout.as_secs_f64()),
    };
    Err(outcome).with_context(|| format!("cannot connect to PostgreSQL at {}", describe(config)))
}

impl PgSource {
    /// Opens the first connection at once, so a wrong address or password fails fast.
    pub fn open(target: Target, zone: Zone) -> Result<PgSource> {
        let first = connect(&target, zone)?;
        Ok(PgSource {
            target,
            zone,
            idle: Mutex::new(vec![first]),
            open: Mutex::new(1),
            freed: std::sync::Condvar::new(),
        })
    }

    fn checkout(&self) -> Result<Client, SqlError> {
        let fail = |e: anyhow::Error| SqlError { message: format!("{e:#}"), position: None };
        loop {
            if let Some(c) = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop() {
                return Ok(c);
            }
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            if *open < POOL_SIZE {
                *open += 1;
                drop(open);
                return connect(&self.target, self.zone).map_err(|e| {
                    *self.open.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
                    fail(e)
                });
            }
            let _unused = self.freed.wait_timeout(open, Duration::from_millis(50));
        }
    }

    /// Closes a connection instead of putting it back.
    fn discard(&self, client: Client) {
        drop(client);
        *self.open.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        self.freed.notify_one();
    }

    fn checkin(&self, client: Client) {
        if client.is_closed() {
            *self.open.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        } else {
            self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(client);
        }
        self.freed.notify_one();
    }
}

impl Source for PgSource {
    /// With a `timeout`, the server cancels the statement itself (`SET LOCAL
    /// statement_timeout`), and a watchdog sends a cancel request at the same
    /// moment, which also stops a result whose rows are still arriving. On
    /// Ctrl-C ([`interrupt`]) the same cancel request goes at once.
    fn stream(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        timeout: Option<Duration>,
        visit: &mut Visit,
    ) -> Result<Vec<Column>, SqlError> {
        let cancelled = || SqlError { message: interrupt::CANCELLED.into(), position: None };
        if interrupt::requested() {
            return Err(cancelled());
        }
        let mut client = self.checkout()?;
        let cancel = {
            let token = client.cancel_token();
            let connector = self.target.tls.connector.clone();
            move || {
                let _ = token.cancel_query(connector.clone());
            }
        };
        let on_stop = cancel.clone();
        let watchdog = Watchdog::arm(timeout, cancel);
        let running = interrupt::while_running(on_stop);
        let result = stream_on(&mut client, self.zone, sql, params, timeout, visit);
        drop(running);
        if interrupt::requested() {
            drop(watchdog);
            self.discard(client);
            return result.map_err(|_| cancelled());
        }
        if watchdog.disarm() {
            // A cancel request names the session, not the statement: one that
            // lands late would stop the session's next statement.
            self.discard(client);
            return match (result, timeout) {
                (Err(_), Some(limit)) => Err(SqlError { message: deadline::exceeded(limit), position: None }),
                (other, _) => other,
            };
        }
        self.checkin(client);
        result
    }
}

/// Rows fetched per round trip of a streamed result: enough to keep the
/// connection busy, few enough that a round's rows are a few megabytes at most.
const ROUND: i32 = 10_000;

fn stream_on(
    client: &mut Client,
    zone: Zone,
    sql: &str,
    params: &[serde_json::Value],
    timeout: Option<Duration>,
    visit: &mut Visit,
) -> Result<Vec<Column>, SqlError> {
    let fail = |e: postgres::Error| match timeout {
        Some(limit) if e.code() == Some(&SqlState::QUERY_CANCELED) => {
            SqlError { message: deadline::exceeded(limit), position: None }
        }
        _ => sql_error(&e, sql),
    };
    // Prepared before the transaction starts, so a failed first attempt (below)
    // does not abort it.
    let stmt = match client.prepare(sql) {
        Ok(stmt) => stmt,
        // `$p IS NULL OR col = $p` leaves the server unable to type `$p` from its
        // first use; the values' own types decide it, and NULL is taken as text.
        Err(e)
            if e.code()
                .is_some_and(|c| [SqlState::INDETERMINATE_DATATYPE, SqlState::AMBIGUOUS_PARAMETER].contains(c)) =>
        {
            client.prepare_typed(sql, &self::param::types_of(params)).map_err(|e| sql_error(&e, sql))?
        }
        Err(e) => return Err(sql_error(&e, sql)),
    };
    // Queries are read-only: a statement that writes fails and changes nothing.
    let mut tx = client.build_transaction().read_only(true).start().map_err(fail)?;
    if let Some(limit) = timeout {
        tx.batch_execute(&format!("SET LOCAL statement_timeout = {}", limit.as_millis().max(1))).map_err(fail)?;
    }
    let columns: Vec<Column> = stmt
        .columns()
        .iter()
        .map(|c| Column { name: c.name().to_string(), sql_type: c.type_().name().to_string() })
        .collect();
    let bound = stmt
        .params()
        .iter()
        .zip(params.iter().chain(std::iter::repeat(&serde_json::Value::Null)))
        .enumerate()
        .map(|(i, (ty, v))| {
            self::param::bind(ty, v)
                .map_err(|message| SqlError { message: format!("parameter ${}: {message}", i + 1), position: None })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = bound.iter().map(|b| b.as_ref()).collect();
    // A portal executed ROUND rows at a time (the protocol's Execute message
    // with a row count): the server makes only the rows asked for, so a huge
    // result is never produced, sent or held whole, and once `visit` has had
    // enough the rest is never made. Rows are decoded as they arrive.
    let portal = tx.bind(&stmt, &refs).map_err(fail)?;
    let localizer = Localizer::new(zone, &columns);
    let mut wanted = true;
    while wanted {
        let mut rows = tx.query_portal_raw(&portal, ROUND).map_err(fail)?;
        let mut got = 0;
        // A round is read to its end even after `visit` has had enough, so the
        // connection is left between messages for the rollback.
        while let Some(row) = rows.next().map_err(fail)? {
            got += 1;
            if wanted {
                let mut values = decode_row(&row, &columns)?;
                localizer.apply(&mut values);
                wanted = visit(&columns, values);
            }
        }
        wanted &= got == ROUND;
    }
    tx.rollback().map_err(fail)?;
    Ok(columns)
}

/// One row's values, each decoded by its column's type (see [`Cell`]).
fn decode_row(row: &postgres::Row, columns: &[Column]) -> Result<Vec<serde_json::Value>, SqlError> {
    let mut values = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        let cell: Cell = row.try_get(i).map_err(|e| SqlError {
            message: format!(
                "column '{}': {}",
                column.name,
                e.source().map(|s| s.to_string()).unwrap_or_else(|| e.to_string())
            ),
            position: None,
        })?;
        values.push(cell.0);
    }
    Ok(values)
}

use std::error::Error as _;

/// The server's message (with detail and hint) and the position it points at.
pub fn sql_error(e: &postgres::Error, sql: &str) -> SqlError {
    let position = e.as_db_error().and_then(|db| match db.position() {
        Some(postgres::error::ErrorPosition::Original(p)) => {
            // PostgreSQL counts characters from 1.
            let offset = sql.char_indices().nth((*p as usize).saturating_sub(1)).map_or(sql.len(), |(i, _)| i);
            let (line, col) = crate::util::diag::line_col(sql, offset);
            Some((line, Some(col)))
        }
        _ => None,
    });
    SqlError { message: pg_message(e), position }
}

/// A readable one-paragraph message from a PostgreSQL error.
pub fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = format!("{}: {}", db.severity(), db.message());
            if let Some(d) = db.detail() {
                m.push_str(&format!("\n{d}"));
            }
            if let Some(h) = db.hint() {
                m.push_str(&format!("\nhint: {h}"));
            }
            m
        }
        None => match e.source() {
            Some(s) => format!("{e}: {s}"),
            None => e.to_string(),
        },
    }
}
