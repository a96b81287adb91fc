//! vcd: SQL files and Markdown pages in, a static client-interactive analytics site out.

pub mod build;
pub mod cache;
pub mod chart;
pub mod cli;
pub mod cmd;
pub mod components;
pub mod config;
pub mod csvfile;
pub mod diag;
pub mod frontmatter;
pub mod generate;
pub mod layout;
pub mod markdown;
pub mod nav;
pub mod page;
pub mod pgload;
pub mod project;
pub mod query;
pub mod render;
pub mod site;
pub mod source;
pub mod template;
pub mod theme;
pub mod value;
