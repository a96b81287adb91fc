//! Things derived from a query's result (its split by a key, its order by a
//! column), each made once, on first use, and shared by the pages rendering
//! in parallel and the files written after.

use crate::source::value::QueryResult;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Values of type `T` derived from query results, by (query, key): the key
/// says what was derived (a column to split or sort by). Each is kept with the
/// result it was made from, so a result that changed (`vcd serve` re-ran its
/// query) is derived anew.
#[derive(Debug)]
pub struct Memo<T> {
    cells: Mutex<BTreeMap<(String, String), Cell<T>>>,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo { cells: Mutex::default() }
    }
}

/// One derived value: the result it is of, and the value once made.
#[derive(Debug)]
struct Cell<T> {
    result: Arc<QueryResult>,
    value: Arc<OnceLock<Arc<T>>>,
}

impl<T> Memo<T> {
    /// The value derived from `result` (the result of `query`) under `key`,
    /// made by `make` if it is not there. The first caller makes it; callers
    /// for the same value meanwhile wait for it, outside the lock.
    pub fn get(&self, query: &str, key: &str, result: &Arc<QueryResult>, make: impl FnOnce() -> T) -> Arc<T> {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
            let fresh = || Cell { result: result.clone(), value: Arc::default() };
            let cell = cells.entry((query.to_string(), key.to_string())).or_insert_with(fresh);
            if !Arc::ptr_eq(&cell.result, result) {
                *cell = fresh();
            }
            cell.value.clone()
        };
        cell.get_or_init(|| Arc::new(make())).clone()
    }

    /// Forgets the values `keep` refuses, given the query, the key and the result.
    pub fn retain(&self, keep: impl Fn(&str, &str, &Arc<QueryResult>) -> bool) {
        let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
        cells.retain(|(q, k), cell| keep(q, k, &cell.result));
    }
}
