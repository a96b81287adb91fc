//! `vcd build`: write the site.

use super::print_report;
use crate::build::{self, Mode};
use crate::cli::BuildArgs;
use crate::project::Project;
use anyhow::Result;

pub fn run(mut project: Project, args: &BuildArgs) -> Result<u8> {
    if let Some(out) = &args.out {
        project.config.output = out.clone();
    }
    let report = build::run(&project, Mode::Build)?;
    let code = print_report(&report, "build");
    if let Some(out) = &report.written {
        let cached = if report.cached > 0 { format!(" ({} cached)", report.cached) } else { String::new() };
        eprintln!(
            "built {} page{} from {} quer{}{cached} in {:.2}s → {}",
            report.pages,
            if report.pages == 1 { "" } else { "s" },
            report.queries,
            if report.queries == 1 { "y" } else { "ies" },
            report.elapsed.as_secs_f64(),
            project.display_path(out).display()
        );
    }
    Ok(code)
}
