//! What the feature modules share: throwaway projects and the `vcd` binary run
//! on them, DuckDB over a data folder, a PostgreSQL test database, `vcd serve` as a child process, a static
//! file server, and headless Chromium driven over the DevTools Protocol.

pub mod browser;
pub mod duck;
pub mod pg;
pub mod project;
pub mod proxy;
pub mod serve;
pub mod static_server;
