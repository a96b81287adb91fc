//! The integration tests, one binary: a module per feature, each building fixture
//! projects (`tests/fixtures/`) with the real `vcd` binary, and `support/` for
//! the helpers they share. Snapshots of what users read live in `snapshots/`.

mod support;

mod annotations;
mod authoring;
mod boxes;
mod browser;
mod build;
mod calendar;
mod cancel;
mod combo;
mod components;
mod dashboard;
mod edges;
mod exact;
mod faults;
mod filters;
mod format;
mod funnel;
mod inline;
mod layers;
mod names;
mod paging;
mod planted;
mod postgres;
mod readme;
mod rollups;
mod safety;
mod sankey;
mod serve;
mod slices;
mod slider;
mod sparklines;
mod tables;
mod tls;
mod uncertainty;
mod zones;
