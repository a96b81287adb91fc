//! The `vcd` binary: parse the command line, run the subcommand, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;
use vcd::cmd;
use vcd::cmd::cli::{Cli, Command};
use vcd::project::{Overrides, Project};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `vcd new` makes a project; there is none to open yet.
    if let Command::New(args) = &cli.command {
        return match cmd::new::run(&cli.project.join(&args.dir)) {
            Ok(code) => ExitCode::from(code),
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(cmd::EXIT_ERRORS)
            }
        };
    }
    if !cli.project.is_dir() {
        eprintln!("error: project folder '{}' does not exist", cli.project.display());
        return ExitCode::from(cmd::EXIT_USAGE);
    }
    let overrides = Overrides {
        source: cli.source,
        database_url: cli.database_url.clone(),
        no_cache: cli.no_cache,
        output: match &cli.command {
            Command::Build(args) => args.out.clone(),
            _ => None,
        },
    };
    // Commands that run statements cancel them on Ctrl-C (a load then drops
    // what it staged); the others (serve, generate) keep the default, which
    // ends the process at once.
    if matches!(cli.command, Command::Build(_) | Command::Check | Command::Query(_) | Command::Load(_)) {
        if let Err(e) = vcd::util::interrupt::install() {
            eprintln!("warning: {e:#}");
        }
    }
    let outcome = Project::open_with(&cli.project, overrides).and_then(|project| match &cli.command {
        Command::Build(args) => cmd::build::run(project, args),
        Command::Check => cmd::check::run(project),
        Command::Load(args) => cmd::load::run(project, args),
        Command::Generate(args) => cmd::generate::run(project, args),
        Command::Serve(args) => cmd::serve::run(project, args),
        Command::Query(args) => cmd::query::run(project, args),
        Command::New(_) => unreachable!("handled before a project is opened"),
    });
    match outcome {
        // A command that finished before Ctrl-C could stop it reports as usual.
        Ok(1..) | Err(_) if vcd::util::interrupt::requested() => {
            let what = if matches!(cli.command, Command::Load(_)) { "database" } else { "site" };
            eprintln!("interrupted: the {what} was not changed");
            ExitCode::from(vcd::util::interrupt::EXIT_INTERRUPTED)
        }
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(cmd::EXIT_ERRORS)
        }
    }
}
