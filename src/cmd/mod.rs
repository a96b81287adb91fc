//! One module per subcommand; each returns the process exit code.

pub mod build;
pub mod check;
pub mod cli;
pub mod generate;
pub mod load;
pub mod new;
pub mod query;
pub mod serve;

use crate::pipeline::Report;

/// Exit code for a build or check that found errors in the project.
pub const EXIT_ERRORS: u8 = 1;
/// Exit code for a command line that could not be understood (clap uses it too).
pub const EXIT_USAGE: u8 = 2;

/// Prints every diagnostic to stderr, then a one-line summary.
pub fn print_report(report: &Report, verb: &str) -> u8 {
    for d in &report.diagnostics {
        eprintln!("error: {d}");
    }
    let n = report.diagnostics.len();
    if n > 0 {
        eprintln!(
            "{verb} failed with {n} error{}{}",
            if n == 1 { "" } else { "s" },
            if verb == "build" { "; the previous site was left as it was" } else { "" }
        );
        return EXIT_ERRORS;
    }
    0
}
