//! End-to-end tests: the `ocsf-map` binary on the shipped mappings and samples.
//!
//! One test binary, modules by topic (ripgrep's layout). Paths are relative to the repository
//! root. Set `UPDATE_GOLDEN=1` to rewrite the golden files after a deliberate change.

mod authoring;
mod errors;
mod golden;
mod intake;
mod io;
mod util;
mod validate;
mod walkthrough;
