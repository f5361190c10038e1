//! Diagnostics as data, and their renderers.
//!
//! A [`Diagnostic`] is what an authoring check produces: a stable code, a severity, a short
//! message, labelled byte spans into one source file, notes and a help line. It stores byte
//! offsets only; line and column are computed when rendering ([`LineIndex`]), the way ruff does.
//! Rendering is a choice made by the caller: [`render_full`] (cargo-style, with the source
//! excerpt), [`render_concise`] (one line each) or [`to_json`] (for editors and CI).
//!
//! ```
//! use ocsf_map_diag::{Diagnostic, SourceFile, render_concise};
//!
//! let file = SourceFile::new("m.yaml", "class: detection_findin\n");
//! let diag = Diagnostic::error("M010", "unknown OCSF class `detection_findin`")
//!     .with_label(7..23, "not an OCSF 1.4 class")
//!     .with_help("did you mean `detection_finding`?");
//! assert_eq!(
//!     render_concise(&diag, &file),
//!     "m.yaml:1:8: error[M010]: unknown OCSF class `detection_findin`"
//! );
//! ```

mod diagnostic;
mod line_index;
mod render;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use line_index::{LineCol, LineIndex, SourceFile};
pub use render::{render_concise, render_full, to_json};
