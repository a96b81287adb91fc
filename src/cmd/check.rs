//! `vcd check`: everything `build` verifies, writing nothing.

use super::print_report;
use crate::pipeline::{self, Mode};
use crate::project::Project;
use anyhow::Result;

pub fn run(project: Project) -> Result<u8> {
    let report = pipeline::run(&project, Mode::Check)?;
    let code = print_report(&report, "check");
    if code == 0 {
        eprintln!(
            "ok: {} pages, {} queries checked in {:.2}s",
            report.pages,
            report.queries,
            report.elapsed.as_secs_f64()
        );
    }
    Ok(code)
}
