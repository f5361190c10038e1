//! `ocsf-map explain`: what the mapping did with one record, rule by rule.

use std::fmt::Write as _;

use ocsf_map_mapping::{LookupResult, Mapper, Outcome as MapOutcome, Rule, Tracer};
use ocsf_map_record::{Record, SourcePos};
use serde::Serialize;
use serde_json::Value;

use crate::fields;

/// Everything that happened to one record.
#[derive(Debug, Serialize)]
pub struct Explanation {
    /// Where the record is.
    pub position: SourcePos,
    /// The mapping file, for `file:line` references.
    pub mapping: String,
    /// How it ended.
    pub outcome: Outcome,
    /// What ran, in order.
    pub steps: Vec<Step>,
    /// Record fields no rule read, with their values.
    pub unread: Vec<(String, Value)>,
    /// The documents produced (empty unless mapped).
    pub documents: Vec<Value>,
}

/// How the record ended.
#[derive(Debug, Serialize)]
#[serde(tag = "result", rename_all = "lowercase")]
pub enum Outcome {
    /// Mapped into this many documents.
    Mapped {
        /// Number of documents.
        documents: usize,
    },
    /// Left out by the filter.
    Skipped,
    /// Failed.
    Failed {
        /// The attribute or section at fault.
        target: String,
        /// Its mapping line.
        line: usize,
        /// Why.
        message: String,
    },
}

/// One thing the mapping did.
#[derive(Debug, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The `filter` or a `when:` condition.
    Condition {
        /// `filter`, or `<attribute or class> (when)`.
        target: String,
        /// Its mapping line.
        line: usize,
        /// The expression.
        source: String,
        /// The record fields it read and their values.
        reads: Vec<(String, Value)>,
        /// Whether it held.
        holds: bool,
    },
    /// A `let` value or an attribute.
    Rule {
        /// `let.uid`, `detection_finding.finding_info.title`.
        target: String,
        /// Its mapping line.
        line: usize,
        /// The rule as written.
        source: String,
        /// The record fields it read and their values (`null` when absent).
        reads: Vec<(String, Value)>,
        /// Lookup tables it consulted: (table, value looked up, `hit` or `fallback`).
        lookups: Vec<(String, String, &'static str)>,
        /// The computed value (`None`: left out).
        value: Option<Value>,
        /// The value stored after conversion, when it differs from `value`.
        converted: Option<Value>,
        /// The attribute's OCSF type.
        attribute_type: Option<String>,
    },
    /// An output finished.
    Output {
        /// Its index in `outputs`.
        index: usize,
        /// Its class.
        class: String,
        /// How many documents it produced.
        documents: usize,
    },
}

struct Recorder<'r> {
    record: &'r Value,
    steps: Vec<Step>,
    read: Vec<String>,
    /// Lookups seen since the last rule: they belong to the next rule reported.
    lookups: Vec<(String, String, &'static str)>,
}

impl Recorder<'_> {
    fn reads(&mut self, rule: &Rule<'_>) -> Vec<(String, Value)> {
        self.read.extend(rule.reads.iter().cloned());
        rule.reads
            .iter()
            .map(|r| {
                (
                    r.clone(),
                    fields::lookup(self.record, r)
                        .cloned()
                        .unwrap_or(Value::Null),
                )
            })
            .collect()
    }

    fn rule(&mut self, rule: Rule<'_>, value: Option<&Value>, stored: Option<&Value>) {
        let reads = self.reads(&rule);
        self.steps.push(Step::Rule {
            target: rule.target.to_owned(),
            line: rule.line,
            source: rule.source.to_owned(),
            reads,
            lookups: std::mem::take(&mut self.lookups),
            value: value.cloned(),
            converted: stored.filter(|s| Some(*s) != value).cloned(),
            attribute_type: rule.attribute_type.map(str::to_owned),
        });
    }
}

impl Tracer for Recorder<'_> {
    fn let_value(&mut self, rule: Rule<'_>, value: Option<&Value>) {
        self.rule(rule, value, value);
    }
    fn condition(&mut self, rule: Rule<'_>, holds: bool) {
        let reads = self.reads(&rule);
        self.steps.push(Step::Condition {
            target: rule.target.to_owned(),
            line: rule.line,
            source: rule.source.to_owned(),
            reads,
            holds,
        });
    }
    fn lookup(&mut self, table: &str, key: &str, result: LookupResult) {
        let result = match result {
            LookupResult::Hit => "hit",
            LookupResult::Fallback => "fallback",
        };
        self.lookups
            .push((table.to_owned(), key.to_owned(), result));
    }
    fn attribute(&mut self, rule: Rule<'_>, raw: Option<&Value>, stored: Option<&Value>) {
        self.rule(rule, raw, stored);
    }
    fn output(&mut self, index: usize, class: &str, documents: usize) {
        self.steps.push(Step::Output {
            index,
            class: class.to_owned(),
            documents,
        });
    }
}

/// Runs the mapping on one record and records every step.
pub fn explain(mapper: &Mapper<'_>, record: &Record) -> Explanation {
    let mut recorder = Recorder {
        record: &record.fields,
        steps: Vec::new(),
        read: Vec::new(),
        lookups: Vec::new(),
    };
    let mut docs = Vec::new();
    let outcome = match mapper.trace(record, &mut docs, &mut recorder) {
        Ok(MapOutcome::Mapped(n)) => Outcome::Mapped { documents: n },
        Ok(MapOutcome::Skipped) => Outcome::Skipped,
        Err(e) => Outcome::Failed {
            target: e.target,
            line: e.line,
            message: e.message,
        },
    };
    let read = recorder.read;
    let unread = fields::leaves(&record.fields)
        .into_iter()
        .filter(|(leaf, _)| !read.iter().any(|r| fields::covers(r, leaf)))
        .map(|(leaf, v)| (leaf, v.clone()))
        .collect();
    Explanation {
        position: record.pos.clone(),
        mapping: mapper.mapping().file().name.clone(),
        outcome,
        steps: recorder.steps,
        unread,
        documents: docs.into_iter().map(|d| d.value).collect(),
    }
}

impl Explanation {
    /// The plain-text form, for people.
    pub fn to_text(&self) -> String {
        let mut t = String::new();
        let outcome = match &self.outcome {
            Outcome::Mapped { documents } => format!("mapped into {documents} document(s)"),
            Outcome::Skipped => "skipped by the filter".to_owned(),
            Outcome::Failed {
                target,
                line,
                message,
            } => {
                format!("failed: {target}: {message} ({}:{line})", self.mapping)
            }
        };
        let _ = writeln!(
            t,
            "record {} at {}: {outcome}",
            self.position.record, self.position
        );
        for step in &self.steps {
            match step {
                Step::Condition {
                    target,
                    line,
                    source,
                    reads,
                    holds,
                } => {
                    let _ = writeln!(t, "\n{target}    {}:{line}", self.mapping);
                    let _ = writeln!(t, "  condition: {source}");
                    for (field, v) in reads {
                        let _ = writeln!(t, "  read: {field} = {v}");
                    }
                    let _ = writeln!(t, "  result: {holds}");
                }
                Step::Rule {
                    target,
                    line,
                    source,
                    reads,
                    lookups,
                    value,
                    converted,
                    attribute_type,
                } => {
                    let _ = writeln!(t, "\n{target}    {}:{line}", self.mapping);
                    let _ = writeln!(t, "  rule: {source}");
                    for (field, v) in reads {
                        let _ = writeln!(t, "  read: {field} = {v}");
                    }
                    for (table, key, result) in lookups {
                        let _ = writeln!(t, "  lookup `{table}`: {key} ({result})");
                    }
                    match (value, converted) {
                        (None, _) => {
                            let _ = writeln!(t, "  result: (missing: attribute left out)");
                        }
                        (Some(v), None) => {
                            let _ = writeln!(t, "  result: {v}");
                        }
                        (Some(v), Some(c)) => {
                            let ty = attribute_type.as_deref().unwrap_or("its type");
                            let _ = writeln!(t, "  result: {v}\n  converted to {ty}: {c}");
                        }
                    }
                }
                Step::Output {
                    index,
                    class,
                    documents,
                } => {
                    let _ = writeln!(t, "\noutput {index} ({class}): {documents} document(s)");
                }
            }
        }
        if self.unread.is_empty() {
            let _ = writeln!(t, "\nevery source field was read by some rule");
        } else {
            let _ = writeln!(t, "\nsource fields no rule read:");
            for (field, v) in &self.unread {
                let _ = writeln!(t, "  {field} = {v}");
            }
        }
        t
    }
}
