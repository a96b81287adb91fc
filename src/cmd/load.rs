//! `vcd load`: put the project's `data/` into PostgreSQL.

use crate::project::Project;
use crate::source::postgres;
use crate::source::postgres::load;
use anyhow::Result;

pub fn run(project: Project) -> Result<u8> {
    let target = postgres::target(project.config.database_url.as_deref(), &project.config.postgres_tls(&project.root))?;
    let mut client = postgres::connect(&target, project.config.timezone)?;
    let display = |p: &std::path::Path| project.display_path(p);
    match load::load(&mut client, &project.data_dir(), &display) {
        Ok(report) => {
            let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
            eprintln!(
                "loaded {} tables, {rows} rows into {} in {:.2}s (keys and indexes built and checked in {:.2}s)",
                report.tables.len(),
                postgres::describe(&target.config),
                report.elapsed.as_secs_f64(),
                report.constraints.as_secs_f64()
            );
            Ok(0)
        }
        Err(d) => {
            eprintln!("error: {d}");
            eprintln!("load failed; the database was left as it was");
            Ok(super::EXIT_ERRORS)
        }
    }
}
