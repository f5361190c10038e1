//! The mapping engine: compiles a YAML mapping file once, then applies it to many records.
//!
//! Three phases, each with its own type (as in jaq and minijinja):
//!
//! 1. [`compile`] reads the mapping file into a [`CompiledMapping`]. Every JSONPath, template,
//!    expression, lookup table and OCSF attribute path is parsed and checked here; all problems
//!    are reported at once as [`Diagnostic`](ocsf_map_diag::Diagnostic)s pointing into the file.
//! 2. [`Mapper::new`] readies a compiled mapping for running (one per thread).
//! 3. [`Mapper::apply`] maps one [`Record`](ocsf_map_record::Record) into a group of OCSF
//!    [`Document`]s, or a [`MapError`] naming the output attribute and mapping line.
//!
//! The mapping language is documented in `docs/mapping.md`.
//!
//! ```
//! use ocsf_map_mapping::{compile, Mapper, Outcome};
//! use ocsf_map_record::{Record, SourcePos};
//! use serde_json::json;
//!
//! let mapping = compile("m.yaml", r#"
//! outputs:
//!   - class: network_activity
//!     fields:
//!       activity_id: 6
//!       severity_id: 1
//!       time: $.ts
//!       metadata.product.name: Zeek
//!       src_endpoint.ip: $['id.orig_h']
//! "#)?;
//! let record = Record::new(
//!     json!({"ts": 1700000000000_i64, "id.orig_h": "10.0.0.1"}),
//!     SourcePos { source: "conn.log".into(), record: 1, line: 1, offset: 0 },
//! );
//! let mut docs = Vec::new();
//! let outcome = Mapper::new(&mapping).apply(&record, &mut docs)?;
//! assert_eq!(outcome, Outcome::Mapped(1));
//! assert_eq!(docs[0].value["type_uid"], 400106);
//! assert_eq!(docs[0].value["src_endpoint"]["ip"], "10.0.0.1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod compile;
mod error;
mod filters;
mod lint;
mod path;
mod program;
mod scope;
mod trace;
mod yaml;

pub use apply::{Document, Mapper, Outcome};
pub use compile::compile;
pub use error::{CompileError, MapError};
pub use program::{CompiledMapping, SourceHints};
pub use trace::{LookupResult, Rule, Tracer};
