//! `vcd build`: write the site.

use super::print_report;
use crate::cmd::cli::BuildArgs;
use crate::pipeline::{self, Mode};
use crate::project::Project;
use anyhow::Result;

/// `--out` was applied with the other command-line settings (see `Overrides`).
pub fn run(project: Project, args: &BuildArgs) -> Result<u8> {
    if args.timings {
        crate::util::timings::enable();
    }
    let report = pipeline::run(&project, Mode::Build)?;
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
