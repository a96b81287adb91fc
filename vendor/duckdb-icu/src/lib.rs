//! DuckDB's icu extension, statically linked: time zones (`TIMESTAMP WITH TIME
//! ZONE` arithmetic, `AT TIME ZONE`, the `TimeZone` setting), calendars and
//! collations, with the time zone data compiled in, so no database ever has to
//! download it.
//!
//! The sources under `duckdb/extension/icu` are DuckDB v2.0.0's (source id
//! d54cbbe3df), taken unchanged from its release; see this crate's README.

use libduckdb_sys as _;
use std::sync::OnceLock;

extern "C" {
    fn vcd_duckdb_extension_icu_describe(descriptor: *mut std::ffi::c_void) -> i32;
    fn duckdb_register_static_extension(describe: unsafe extern "C" fn(*mut std::ffi::c_void) -> i32) -> i32;
}

/// Registers the extension for every DuckDB database opened afterwards, which
/// then loads it when it opens. Call it before opening a database; calling it
/// again does nothing.
///
/// # Errors
/// DuckDB's status code if it refused the registration (another extension
/// already registered under the name `icu`).
pub fn register() -> Result<(), i32> {
    static STATUS: OnceLock<i32> = OnceLock::new();
    // SAFETY: the describe function only writes the descriptor DuckDB hands it, and
    // DuckDB copies what it describes before returning.
    let status = *STATUS.get_or_init(|| unsafe { duckdb_register_static_extension(vcd_duckdb_extension_icu_describe) });
    if status == 0 { Ok(()) } else { Err(status) }
}
