//! The generator's tests: the files a user gets (determinism, counts, formats,
//! item sales), how the business tables agree, and the effects the model plants.

mod business;
mod files;
mod model;
mod scale;
mod testkit;
