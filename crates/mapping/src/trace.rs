//! Watching a mapping at work: what `explain` and `coverage` are built on.

use serde_json::Value;

/// Observes a mapping as it runs on one record. Every method has an empty default, and
/// [`Mapper::apply`](crate::Mapper::apply) runs with a tracer that does nothing, which the
/// compiler removes: tracing costs nothing when it is not asked for.
pub trait Tracer {
    /// Whether this tracer looks at values at all; `false` lets the mapper skip copying them.
    const ACTIVE: bool = true;

    /// A `let` value was computed; `None` when its source was missing.
    fn let_value(&mut self, rule: Rule<'_>, value: Option<&Value>) {
        let _ = (rule, value);
    }

    /// A condition was evaluated: the `filter` (target `filter`; false means the record is
    /// skipped) or a `when:` (target `<attribute or class> (when)`).
    fn condition(&mut self, rule: Rule<'_>, holds: bool) {
        let _ = (rule, holds);
    }

    /// A lookup table translated `key`.
    fn lookup(&mut self, table: &str, key: &str, result: LookupResult) {
        let _ = (table, key, result);
    }

    /// An attribute rule ran: `raw` is the computed value, `stored` the value after conversion
    /// to the attribute's type. Both are `None` when the attribute was left out.
    fn attribute(&mut self, rule: Rule<'_>, raw: Option<&Value>, stored: Option<&Value>) {
        let _ = (rule, raw, stored);
    }

    /// Output number `index` (of class `class`) produced `documents` documents.
    fn output(&mut self, index: usize, class: &str, documents: usize) {
        let _ = (index, class, documents);
    }
}

/// A mapping rule as a tracer sees it.
#[derive(Clone, Copy, Debug)]
pub struct Rule<'a> {
    /// What it computes: `detection_finding.finding_info.title`, `let.uid`.
    pub target: &'a str,
    /// 1-based line in the mapping file.
    pub line: usize,
    /// The rule as written: `$.alert.signature`, `{{ a }}:{{ b }}`, `expr: sev`, `42`.
    pub source: &'a str,
    /// The record fields it reads, as dotted names.
    pub reads: &'a [String],
    /// The OCSF type of the attribute it sets (`port_t`), when known.
    pub attribute_type: Option<&'a str>,
}

/// How a lookup table answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookupResult {
    /// The key is in the table.
    Hit,
    /// The key is not; the fallback was used.
    Fallback,
}

/// The tracer that does nothing.
pub(crate) struct NoTrace;

impl Tracer for NoTrace {
    const ACTIVE: bool = false;
}
