//! Online source: PostgreSQL, reached through a small pool of connections.

pub mod conninfo;
pub mod decode;
pub mod load;
pub mod param;
mod pool;
mod run;
pub mod tls;

use self::pool::Pool;
use self::run::{Job, Msg};
use super::deadline::Watchdog;
use super::{Source, SqlError, Visit};
use crate::project::timezone::Zone;
use crate::source::value::Column;
use crate::util::interrupt;
use anyhow::{anyhow, Context, Result};
use postgres::config::Host;
use postgres::error::SqlState;
use postgres::{Client, Config};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tls::{SslMode, Tls, TlsOptions};

/// How long to wait for a server before giving up, unless the connection settings say otherwise.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Settings for every session, besides its time zone. Parallel workers add up
/// doubles in whatever order they finish, and a synchronised scan starts a
/// table wherever another scan has got to, so either would change a mean's last
/// digits or the order of unordered rows from one build to the next.
pub const SESSION_SETTINGS: &str = "SET max_parallel_workers_per_gather = 0; SET synchronize_seqscans = off";

/// How long after a statement's limit the build waits for the server to
/// report the cancel, before it stops waiting for that connection at all.
const GRACE: Duration = Duration::from_secs(2);

/// How long to wait before the one retry of a transient failure (a server
/// restarting needs a moment before it takes connections again).
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// How often a waiting build looks for Ctrl-C.
const POLL: Duration = Duration::from_millis(100);

pub struct PgSource {
    pool: Arc<Pool>,
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
    // A server that vanishes without closing the connection (a machine or
    // network gone) is noticed in about half a minute, not after the system's
    // two hours: keepalive probes while waiting, and a limit on sent data
    // left unacknowledged. Values the connection string sets are kept.
    if config.get_keepalives_idle() == Duration::from_secs(2 * 60 * 60) {
        config.keepalives_idle(Duration::from_secs(15));
    }
    if config.get_keepalives_interval().is_none() {
        config.keepalives_interval(Duration::from_secs(5));
    }
    if config.get_keepalives_retries().is_none() {
        config.keepalives_retries(3);
    }
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(Duration::from_secs(30));
    }
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

/// A connection that could not be made, and what trying again might do.
pub struct Refused {
    pub error: anyhow::Error,
    /// The failure may pass (refused, reset, timed out, the server starting
    /// or shutting down, too many connections): worth one more try.
    pub transient: bool,
    /// The server has no room for another connection.
    pub crowded: bool,
}

/// Connects, with a message that names the server but never the password.
/// The timeout covers the whole handshake, not only the TCP connect: a server
/// that accepts the connection and then never answers must not hang the build.
/// A transient failure is tried once more, a second later.
///
/// Every connection then runs in time zone `zone` and without parallel workers
/// or synchronised scans, so a query gives the same bytes every time (see
/// [`SESSION_SETTINGS`]).
pub fn connect(target: &Target, zone: Zone) -> Result<Client> {
    match try_connect(target, zone) {
        Err(r) if r.transient => {
            std::thread::sleep(RETRY_AFTER);
            try_connect(target, zone).map_err(|r| r.error)
        }
        other => other.map_err(|r| r.error),
    }
}

/// One attempt of [`connect`].
fn try_connect(target: &Target, zone: Zone) -> Result<Client, Refused> {
    let config = &target.config;
    let timeout = config.get_connect_timeout().copied().unwrap_or(CONNECT_TIMEOUT);
    let (tx, rx) = std::sync::mpsc::channel();
    let attempt = target.clone();
    std::thread::spawn(move || {
        let _ = tx.send(attempt.open());
    });
    let at = || format!("cannot connect to PostgreSQL at {}", describe(config));
    let refused = |e: &postgres::Error, error: anyhow::Error| Refused {
        transient: transient(e),
        crowded: e.code() == Some(&SqlState::TOO_MANY_CONNECTIONS),
        error,
    };
    match rx.recv_timeout(timeout) {
        Ok(Ok(mut client)) => match set_up(&mut client, zone) {
            Ok(()) => Ok(client),
            Err(e) => {
                let error = anyhow!("{}", pg_message(&e))
                    .context(format!("cannot set up the session on PostgreSQL at {}", describe(config)));
                Err(refused(&e, error))
            }
        },
        Ok(Err(e)) => {
            let error = match target.tls.explain(&e, &host_of(config)) {
                Some(reason) => anyhow!("{reason}").context(format!("{} (sslmode={})", at(), target.tls.mode.name())),
                None => anyhow!("{}", pg_message(&e)).context(at()),
            };
            Err(refused(&e, error))
        }
        Err(_) => Err(Refused {
            error: anyhow!("no answer within {} s", timeout.as_secs_f64()).context(at()),
            transient: true,
            crowded: false,
        }),
    }
}

/// Sets the session's time zone, then each of [`SESSION_SETTINGS`]. An
/// engine that speaks PostgreSQL's protocol without having one of the latter
/// (it answers "unrecognized configuration parameter") goes without it: they
/// pin down PostgreSQL's own planner, which such an engine does not have.
fn set_up(client: &mut Client, zone: Zone) -> Result<(), postgres::Error> {
    client.batch_execute(&format!("SET TIME ZONE '{}'", zone.name()))?;
    for setting in SESSION_SETTINGS.split("; ") {
        match client.batch_execute(setting) {
            Err(e) if e.code() == Some(&SqlState::UNDEFINED_OBJECT) => {}
            other => other?,
        }
    }
    Ok(())
}

/// Whether a failure is of the connection rather than of the statement: the
/// connection closed or reset, the server shutting down, starting up or out
/// of connections. Such a failure before a statement started is retried once.
fn transient(e: &postgres::Error) -> bool {
    use std::io::ErrorKind as K;
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        return [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::CONNECTION_EXCEPTION,
            SqlState::CONNECTION_FAILURE,
            SqlState::SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
        ]
        .contains(code);
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                K::ConnectionRefused | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof
            );
        }
        cause = c.source();
    }
    false
}

impl PgSource {
    /// Opens the first connection at once, so a wrong address or password fails fast.
    pub fn open(target: Target, zone: Zone) -> Result<PgSource> {
        let first = connect(&target, zone)?;
        Ok(PgSource { pool: Arc::new(Pool::new(target, zone, first)) })
    }

    /// A connection, with one retry after a transient failure.
    fn checkout(&self, retried: &mut bool) -> Result<Client, SqlError> {
        loop {
            match self.pool.checkout() {
                Ok(client) => return Ok(client),
                Err(r) if r.transient && !*retried => {
                    *retried = true;
                    std::thread::sleep(RETRY_AFTER);
                }
                Err(r) => return Err(SqlError { message: format!("{:#}", r.error), position: None }),
            }
        }
    }
}

/// How one run of a statement on one connection ended.
enum Attempt {
    Done(Vec<Column>),
    /// It failed on its connection before its first row: worth one more run.
    Retry(SqlError),
}

impl PgSource {
    /// Runs the statement once on `client`, on a thread of its own
    /// ([`run`]), handing its rows to `visit` as they come; see
    /// [`Source::stream`] for the limits.
    fn attempt(
        &self,
        client: Client,
        sql: &str,
        params: &[serde_json::Value],
        timeout: Option<Duration>,
        visit: &mut Visit,
    ) -> Result<Attempt, SqlError> {
        let cancel = {
            let token = client.cancel_token();
            let connector = self.pool.target.tls.connector.clone();
            move || {
                let _ = token.cancel_query(connector.clone());
            }
        };
        let on_stop = cancel.clone();
        let watchdog = Watchdog::arm(timeout, cancel);
        let running = interrupt::while_running(on_stop);
        let stop = Arc::new(AtomicBool::new(false));
        let job =
            Job { sql: sql.to_string(), params: params.to_vec(), zone: self.pool.zone, timeout, stop: stop.clone() };
        let rows = run::spawn(self.pool.clone(), client, job);
        let give_up = timeout.map(|t| Instant::now() + t + GRACE);
        let mut columns = Vec::new();
        let mut delivered = false;
        let mut wanted = true;
        let (outcome, client) = loop {
            let wait = give_up.map_or(POLL, |g| g.saturating_duration_since(Instant::now()).min(POLL));
            match rows.recv_timeout(wait) {
                Ok(Msg::Columns(c)) => columns = c,
                Ok(Msg::Rows(batch)) => {
                    delivered = true;
                    for row in batch {
                        if wanted {
                            wanted = visit(&columns, row);
                        }
                    }
                    if !wanted {
                        stop.store(true, Ordering::SeqCst);
                    }
                }
                Ok(Msg::Done(outcome, client)) => break (outcome, client),
                Err(RecvTimeoutError::Timeout) => {
                    // Given up on: the statement's thread ends on its own, and drops its connection then.
                    if interrupt::stopping() {
                        stop.store(true, Ordering::SeqCst);
                        return Err(SqlError::cancelled());
                    }
                    if let (Some(limit), Some(g)) = (timeout, give_up) {
                        if Instant::now() >= g {
                            stop.store(true, Ordering::SeqCst);
                            return Err(SqlError::past(limit));
                        }
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(SqlError {
                        message: "the query's connection thread ended unexpectedly".into(),
                        position: None,
                    })
                }
            }
        };
        drop(running);
        let fired = watchdog.disarm();
        // A cancel request names the session, not the statement: one that
        // may land late would stop the session's next statement.
        if fired || interrupt::stopping() || outcome.is_err() {
            self.pool.discard(client);
        } else {
            self.pool.checkin(client);
        }
        match outcome {
            Ok(columns) => Ok(Attempt::Done(columns)),
            Err(_) if interrupt::stopping() => Err(SqlError::cancelled()),
            Err(_) if fired => {
                let limit = timeout.expect("a watchdog fires only with a limit");
                Err(SqlError::past(limit))
            }
            Err(f) if f.transient && !delivered => Ok(Attempt::Retry(f.error)),
            Err(f) => Err(f.error),
        }
    }
}

impl Source for PgSource {
    /// Runs the statement on a thread of its own ([`run`]) and waits for its
    /// rows. With a `timeout`, the server cancels the statement itself (`SET
    /// LOCAL statement_timeout`) and a watchdog sends a cancel request at the
    /// same moment; if the server has not answered [`GRACE`] later (it is
    /// gone, or the network is), the build stops waiting and the connection
    /// is dropped. Ctrl-C ([`interrupt`]) sends the cancel request at once.
    /// A statement that fails on its connection before its first row is run
    /// once more on a new one, a second later.
    fn stream(
        &self,
        sql: &str,
        params: &[serde_json::Value],
        timeout: Option<Duration>,
        visit: &mut Visit,
    ) -> Result<Vec<Column>, SqlError> {
        let mut retried = false;
        loop {
            if interrupt::stopping() {
                return Err(SqlError::cancelled());
            }
            let client = self.checkout(&mut retried)?;
            match self.attempt(client, sql, params, timeout, visit)? {
                Attempt::Done(columns) => return Ok(columns),
                Attempt::Retry(_) if !retried => {
                    retried = true;
                    std::thread::sleep(RETRY_AFTER);
                }
                Attempt::Retry(error) => return Err(error),
            }
        }
    }
}

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
        None => match std::error::Error::source(e) {
            Some(s) => format!("{e}: {s}"),
            None => e.to_string(),
        },
    }
}
