//! [`Class::validate`]: strict checks of a finished document.

use serde_json::Value;

use crate::class::Class;
use crate::violation::Violation;

impl Class<'_> {
    /// Check a finished document. An empty list means valid.
    pub fn validate(&self, doc: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.validate_into(doc, &mut out);
        out
    }

    /// Like [`validate`](Self::validate), appending to a caller-owned list (reuse it across
    /// documents to avoid allocating).
    pub fn validate_into(&self, _doc: &Value, _out: &mut Vec<Violation>) {}
}
