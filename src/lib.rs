//! vcd: SQL files and Markdown pages in, a static client-interactive analytics site out.
//!
//! The folders follow the pipeline, and each imports only from the ones above
//! it in this list (a test, `tests/it/layers.rs`, holds that):
//! [`util`] → [`project`] → [`source`] → [`query`] → [`page`] → [`chart`] →
//! [`components`] → [`render`] → [`site`] → [`pipeline`] → [`serve`] → [`cmd`];
//! [`generate`] (the demo data) stands apart. The stages of a build, in order,
//! are listed by [`pipeline::session::Session::open`].

pub mod util;

pub mod project;

pub mod source;

pub mod query;

pub mod page;

pub mod chart;

pub mod components;

pub mod render;

pub mod site;

pub mod pipeline;

pub mod serve;

pub mod generate;

pub mod cmd;
