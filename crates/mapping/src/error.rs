use std::fmt;

use ocsf_map_diag::{Diagnostic, SourceFile, render_full};

/// A mapping file that cannot be used: every problem found, each pointing into the file.
///
/// Compilation does not stop at the first problem; all of them are reported at once.
#[derive(Debug)]
pub struct CompileError {
    /// The mapping file the diagnostics point into.
    pub file: SourceFile,
    /// Errors (and any warnings found along the way), in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{}", render_full(d, &self.file, false))?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileError {}

/// Why one record could not be mapped. The run goes on; the caller adds the record's position
/// and writes it to the dead-letter file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{target}: {message} (mapping line {line})")]
pub struct MapError {
    /// The output attribute being computed, e.g. `detection_finding.finding_info.uid`, or the
    /// mapping section (`filter`, `let.sev`).
    pub target: String,
    /// 1-based line of the rule in the mapping file.
    pub line: usize,
    /// What went wrong, e.g. ``undefined value: `alert.sig` is undefined``.
    pub message: String,
}
