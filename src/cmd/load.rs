//! `vcd load`: put the project's `data/` into PostgreSQL.

use super::cli::LoadArgs;
use crate::project::Project;
use crate::source::postgres;
use crate::source::postgres::load;
use anyhow::Result;

pub fn run(project: Project, args: &LoadArgs) -> Result<u8> {
    let target = postgres::target(project.config.database_url.as_deref(), &project.config.postgres_tls(&project.root))?;
    let zone = project.config.timezone;
    let mut client = postgres::connect(&target, zone)?;
    let display = |p: &std::path::Path| project.display_path(p);
    match load::load(&mut client, &target, zone, &project.data_dir(), &display, args.jobs.max(1)) {
        Ok(report) => {
            let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
            let how = match report.connections {
                1 => "in one transaction".to_string(),
                n => format!("over {n} connections"),
            };
            eprintln!(
                "loaded {} tables, {rows} rows into {} in {:.2}s {how} (COPY {:.2}s, keys and indexes built and checked {:.2}s{})",
                report.tables.len(),
                postgres::describe(&target.config),
                report.elapsed.as_secs_f64(),
                report.copying.as_secs_f64(),
                report.constraints.as_secs_f64(),
                if report.connections > 1 { ", each summed over the connections" } else { "" }
            );
            Ok(0)
        }
        Err(_) if crate::util::interrupt::requested() => Ok(crate::util::interrupt::EXIT_INTERRUPTED),
        Err(d) => {
            eprintln!("error: {d}");
            eprintln!("load failed; the database was left as it was");
            Ok(super::EXIT_ERRORS)
        }
    }
}
