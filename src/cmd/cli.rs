//! Command-line interface: the subcommands and their flags.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "vcd", version, about = "Turn SQL files and Markdown pages into a static, interactive analytics site")]
pub struct Cli {
    /// Project folder (holding pages/, queries/, data/ and an optional vcd.toml).
    #[arg(short = 'C', long = "project", global = true, default_value = ".")]
    pub project: PathBuf,

    /// Query engine, overriding `source` in vcd.toml.
    #[arg(long, global = true, value_enum)]
    pub source: Option<crate::project::config::SourceKind>,

    /// PostgreSQL connection URL (else `database_url` in vcd.toml, `DATABASE_URL`, or PGHOST/PGUSER/...).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Run every query, ignoring results cached from earlier builds.
    #[arg(long, global = true)]
    pub no_cache: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every query, render every page and write the site atomically.
    Build(BuildArgs),
    /// Verify everything `build` verifies, writing nothing (for CI).
    Check,
    /// Load data/*.csv into PostgreSQL: schema, every file, then keys and indexes; all or nothing.
    Load(LoadArgs),
    /// Generate the demo shop's data as CSV files (deterministic for a seed).
    Generate(GenerateArgs),
    /// Build the site and serve it over HTTP; with --watch, rebuild what changed and reload the browser.
    Serve(ServeArgs),
    /// Create a small working project in DIR.
    New(NewArgs),
    /// Run a query (a name from queries/, or SQL text) and print its rows as a table.
    Query(QueryArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on. Anything but a loopback address exposes the preview to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(short, long, default_value_t = 3000)]
    pub port: u16,
    /// Watch pages/, queries/, theme/, data/ and vcd.toml; rebuild what a change affects and reload the browser.
    #[arg(short, long)]
    pub watch: bool,
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// Folder to create (it must not exist, or be empty).
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// Connections to load over: files copied and keys built this many at a
    /// time (1 loads in one transaction on one connection).
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub jobs: usize,
}

#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// A query name (queries/NAME.sql) or SQL text.
    pub query: String,
    /// A value for a named parameter: --param platform=tiktok (repeatable); others bind NULL.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Most rows to print.
    #[arg(long, default_value_t = 40)]
    pub limit: usize,
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Output folder, overriding `output` in vcd.toml.
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Print the wall time of each stage of the build to stderr.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Seed: the same seed and options give byte-identical files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Size of the business: 1.0 is the demo (about 120 posts, 250 customers, 1,000 items
    /// and 490 orders per two years); at most 10000. Default: 1, or with --posts alone the
    /// business of that many posts.
    ///
    /// Customers, items, orders and posts grow in proportion; venues and market days grow
    /// with √scale, and each market day is √scale times bigger.
    #[arg(long)]
    pub scale: Option<f64>,
    /// Number of posts (for benchmarks: 1000000).
    ///
    /// Alone, it scales the whole business with the posts (scale = posts ÷ 120 per 731
    /// days), so sales and attributions per post stay those of the demo. With --scale, only
    /// the post count changes: the business stays that of --scale, and each post leads to
    /// fewer (or more) purchases so its sales stay the same.
    #[arg(long)]
    pub posts: Option<u64>,
    /// Length of the simulated period in days, from 2024-01-01.
    #[arg(long, default_value_t = 731)]
    pub days: u32,
    /// Output folder (default: the project's data/).
    #[arg(long)]
    pub out: Option<PathBuf>,
}
