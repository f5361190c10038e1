//! The embedded OCSF 1.4.0 schema: classes, objects, enums and profiles, with the derivations and
//! checks every emitted document goes through.
//!
//! [`Schema::ocsf`] gives the schema (parsed once), [`Schema::class`] a [`Class`], and a class
//! resolves attribute paths ([`Class::attribute`]), fills derived attributes
//! ([`Class::finalize`]) and checks documents ([`Class::validate`]). [`coerce`] turns source
//! values into what an attribute's type wants.
//!
//! ```
//! use ocsf_map_schema::Schema;
//! use serde_json::json;
//!
//! let class = Schema::ocsf().class("detection_finding").unwrap();
//! let serde_json::Value::Object(mut doc) = json!({
//!     "activity_id": 1,
//!     "severity": "high",
//!     "time": 1_700_000_000_000_i64,
//!     "finding_info": {"uid": "f-1", "title": "Port scan"},
//!     "metadata": {"product": {"name": "IDS", "vendor_name": "Acme"}},
//! }) else { unreachable!() };
//! class.finalize(&mut doc).unwrap();
//! assert_eq!(doc["type_uid"], 200401);
//! assert_eq!(doc["severity_id"], 4);
//! assert!(class.validate(&doc.into()).is_empty());
//!
//! let port = class.attribute("evidences[0].src_endpoint.port", &[]).unwrap();
//! assert_eq!(ocsf_map_schema::coerce(&port, json!("443")).unwrap(), 443);
//! ```
//!
//! **Profiles.** [`Class::attribute`] takes the active profiles as names
//! (`&["security_control"]`). [`Class::validate`] reads them from the document's
//! `metadata.profiles`: a profile's attributes are allowed, and its required ones required, only
//! when it is declared there.
//!
//! # Data
//!
//! The schema lives in `data/ocsf-1.4.0.json`, generated from the OCSF server's compiled export
//! by `scripts/gen_schema.py` (run from the repository root; the format is described there):
//!
//! ```text
//! python3 scripts/gen_schema.py ../shared/ocsf/1.4.0-compiled.json
//! ```
//!
//! The output is deterministic (sorted keys), so regenerating from the same input changes no
//! byte; `tests/regenerate.rs` compares it with the compiled file when `$OCSF_COMPILED` or the
//! default path exists. A later OCSF version is a data change: generate its file and load it
//! with [`Schema::from_json`] (or point the embedded `include_str!` at it).

mod class;
mod coerce;
mod finalize;
mod format;
mod path;
mod plan;
mod schema;
mod validate;
mod violation;

pub use crate::{
    class::{Attribute, Class},
    coerce::{CoercionError, CoercionErrorKind, coerce},
    path::{PathError, PathErrorKind},
    plan::{FinalizePlan, Shape},
    schema::{BaseType, LoadError, Requirement, Schema},
    violation::{Violation, ViolationKind},
};
