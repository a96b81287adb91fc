//! The connections of an online build: up to four, opened as queries need them, fewer when the server allows fewer.

use super::{try_connect, Refused, Target};
use crate::project::timezone::Zone;
use postgres::Client;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Most connections open at once; queries beyond it wait for a free one.
const POOL_SIZE: usize = 4;

pub struct Pool {
    pub target: Target,
    pub zone: Zone,
    idle: Mutex<Vec<Client>>,
    counts: Mutex<Counts>,
    freed: Condvar,
}

struct Counts {
    /// Connections open, idle or in use (or being opened).
    open: usize,
    /// Most it may open: [`POOL_SIZE`], lowered to what the server took when
    /// it refused one more (`too many connections`).
    cap: usize,
}

impl Pool {
    /// A pool holding `first`, already connected.
    pub fn new(target: Target, zone: Zone, first: Client) -> Pool {
        Pool {
            target,
            zone,
            idle: Mutex::new(vec![first]),
            counts: Mutex::new(Counts { open: 1, cap: POOL_SIZE }),
            freed: Condvar::new(),
        }
    }

    /// An open connection: an idle one (one the server closed meanwhile is
    /// dropped), a new one while under the cap, or else the next one freed.
    /// A server that refuses one more connection while others are open caps
    /// the pool at those.
    ///
    /// # Errors
    /// A new connection failed, and none is open to wait for.
    pub fn checkout(&self) -> Result<Client, Refused> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            match idle {
                Some(c) if c.is_closed() => self.forget(),
                Some(c) => return Ok(c),
                None => {}
            }
            let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            if counts.open < counts.cap {
                counts.open += 1;
                drop(counts);
                match try_connect(&self.target, self.zone) {
                    Ok(c) => return Ok(c),
                    Err(refused) => {
                        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
                        counts.open -= 1;
                        if refused.crowded && counts.open > 0 {
                            counts.cap = counts.open;
                            continue;
                        }
                        return Err(refused);
                    }
                }
            }
            let _unused = self.freed.wait_timeout(counts, Duration::from_millis(50));
        }
    }

    /// Puts a connection back for the next query (or drops it, if closed).
    pub fn checkin(&self, client: Client) {
        if client.is_closed() {
            self.forget();
        } else {
            self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(client);
            self.freed.notify_one();
        }
    }

    /// Closes a connection instead of putting it back.
    pub fn discard(&self, client: Client) {
        drop(client);
        self.forget();
    }

    fn forget(&self) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.open = counts.open.saturating_sub(1);
        self.freed.notify_one();
    }
}
