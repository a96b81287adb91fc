//! Leaf utilities that import nothing from the rest of vcd: diagnostics, HTML
//! escaping, the number and date formatter, hashing, SQL lexing, URL safety,
//! progress lines, stage timings.

pub mod cellscale;
pub mod diag;
pub mod duration;
pub mod format;
pub mod hash;
pub mod html;
pub mod interrupt;
pub mod interval;
pub mod js_json;
pub mod progress;
pub mod sqltext;
pub mod timings;
pub mod urlsafe;
