//! One statement on PostgreSQL: the protocol (a read-only transaction, a
//! portal read in rounds) run on a thread of its own, which hands rows to the
//! build's thread in batches, so the build waits only as long as the
//! statement's limits allow, whatever the server or the network does.

use super::decode::Cell;
use super::pool::Pool;
use super::{pg_message, sql_error, transient};
use crate::project::timezone::Zone;
use crate::source::value::Column;
use crate::source::zoned::Localizer;
use crate::source::SqlError;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::Client;
use serde_json::Value as Json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::time::Duration;

/// Rows fetched per round trip of a streamed result: enough to keep the
/// connection busy, few enough that a round's rows are a few megabytes at most.
const ROUND: i32 = 10_000;

/// Rows handed over per message between the threads.
const BATCH: usize = 1_000;

/// A statement that failed, and whether it failed on the connection itself
/// (closed, reset, the server shutting down) rather than on the SQL, so that
/// running it again on a new connection may succeed.
pub struct Failed {
    pub error: SqlError,
    pub transient: bool,
}

/// What the statement's thread sends.
pub enum Msg {
    /// The result's columns, before its first rows.
    Columns(Vec<Column>),
    Rows(Vec<Vec<Json>>),
    /// The end: the columns or the failure, and the connection, to put back.
    Done(Result<Vec<Column>, Failed>, Client),
}

/// One statement to run.
pub struct Job {
    pub sql: String,
    pub params: Vec<Json>,
    pub zone: Zone,
    pub timeout: Option<Duration>,
    /// Set by the build's thread when it wants no more rows.
    pub stop: Arc<AtomicBool>,
}

/// Runs `job` on `client` in a new thread and returns what it sends. If the
/// receiver is gone when it ends (the build stopped waiting), the thread
/// closes the connection through `pool`.
pub fn spawn(pool: Arc<Pool>, mut client: Client, job: Job) -> Receiver<Msg> {
    let (tx, rx) = sync_channel(2);
    std::thread::spawn(move || {
        let mut batch: Vec<Vec<Json>> = Vec::new();
        let mut announced = false;
        let mut gone = false;
        let outcome = stream_on(&mut client, job.zone, &job.sql, &job.params, job.timeout, &mut |columns, row| {
            if !announced {
                announced = true;
                gone |= tx.send(Msg::Columns(columns.to_vec())).is_err();
            }
            batch.push(row);
            if batch.len() == BATCH {
                gone |= tx.send(Msg::Rows(std::mem::take(&mut batch))).is_err();
            }
            !gone && !job.stop.load(Ordering::SeqCst)
        });
        if !batch.is_empty() && !gone {
            gone = tx.send(Msg::Rows(batch)).is_err();
        }
        if gone {
            pool.discard(client);
        } else if let Err(std::sync::mpsc::SendError(Msg::Done(_, client))) = tx.send(Msg::Done(outcome, client)) {
            pool.discard(client);
        }
    });
    rx
}

fn stream_on(
    client: &mut Client,
    zone: Zone,
    sql: &str,
    params: &[Json],
    timeout: Option<Duration>,
    visit: &mut dyn FnMut(&[Column], Vec<Json>) -> bool,
) -> Result<Vec<Column>, Failed> {
    let fail = |e: postgres::Error| Failed {
        transient: transient(&e),
        error: match timeout {
            Some(limit) if e.code() == Some(&SqlState::QUERY_CANCELED) => SqlError::past(limit),
            _ if e.is_closed() || e.as_db_error().is_none() && transient(&e) => SqlError {
                message: format!("the connection to the server was lost while the query ran ({})", pg_message(&e)),
                position: None,
            },
            _ => sql_error(&e, sql),
        },
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
            client.prepare_typed(sql, &super::param::types_of(params)).map_err(fail)?
        }
        Err(e) => return Err(fail(e)),
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
        .zip(params.iter().chain(std::iter::repeat(&Json::Null)))
        .enumerate()
        .map(|(i, (ty, v))| {
            super::param::bind(ty, v).map_err(|message| Failed {
                error: SqlError { message: format!("parameter ${}: {message}", i + 1), position: None },
                transient: false,
            })
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
                let mut values = decode_row(&row, &columns).map_err(|error| Failed { error, transient: false })?;
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
fn decode_row(row: &postgres::Row, columns: &[Column]) -> Result<Vec<Json>, SqlError> {
    let mut values = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        let cell: Cell = row.try_get(i).map_err(|e| SqlError {
            message: format!(
                "column '{}': {}",
                column.name,
                std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_else(|| e.to_string())
            ),
            position: None,
        })?;
        values.push(cell.0);
    }
    Ok(values)
}
