//! The mapping author's tools, built on [`Mapper::trace`](ocsf_map_mapping::Mapper::trace):
//!
//! - [`explain`]: what every rule did with one record — the fields it read, the value it
//!   computed, the conversion to the attribute's type — and which fields no rule read.
//! - [`Coverage`]: over a corpus, the source fields never read, how often each class's required
//!   and recommended OCSF attributes were filled, and which rules, conditions and lookup rows
//!   fired.
//! - [`run_fixtures`]: fixture tests beside a mapping (input + expected OCSF), compared
//!   semantically ([`diff`]) with a field-by-field report, optionally rewritten.
//! - [`preview`]: the first groups of a run, pretty-printed with their validation result
//!   (`--dry-run`).

mod coverage;
mod diff;
mod explain;
mod fields;
mod fixtures;
mod preview;
mod source;

pub use coverage::{AttributeFill, Coverage, CoverageReport, RuleCount};
pub use diff::{Difference, diff};
pub use explain::{Explanation, Outcome as ExplainOutcome, Step, explain};
pub use fixtures::{
    CaseResult, FixtureError, FixtureOptions, Verdict, fixture_dir, run_fixtures, to_junit,
};
pub use preview::{GroupExtra, PreviewStats, preview};
pub use source::reader_options;
