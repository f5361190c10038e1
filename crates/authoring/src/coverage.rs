//! `ocsf-map coverage`: what a mapping does over a corpus.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ocsf_map_mapping::{LookupResult, Mapper, Outcome, Rule, Tracer};
use ocsf_map_record::Record;
use ocsf_map_schema::Requirement;
use serde::Serialize;
use serde_json::Value;

use crate::fields;

/// How often one rule produced a value.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RuleCount {
    /// The rule as written.
    pub source: String,
    /// Records for which it set its attribute.
    pub set: u64,
    /// Records for which its source was missing (attribute left out).
    pub missing: u64,
}

/// How often an OCSF attribute was filled in the documents of its class.
#[derive(Clone, Debug, Serialize)]
pub struct AttributeFill {
    /// `required` or `recommended`.
    pub requirement: &'static str,
    /// Documents that had it.
    pub filled: u64,
}

/// Accumulates what the mapping does, record by record.
pub struct Coverage {
    records: u64,
    skipped: u64,
    failed: u64,
    /// Source field → records that had it.
    fields: BTreeMap<String, u64>,
    /// Fields some rule read.
    read: Vec<String>,
    rules: BTreeMap<(usize, String), RuleCount>,
    conditions: BTreeMap<usize, (u64, u64)>,
    lookups: BTreeMap<String, BTreeMap<String, (u64, u64)>>,
    outputs: BTreeMap<(usize, String), u64>,
    classes: BTreeMap<String, (u64, BTreeMap<String, AttributeFill>)>,
}

/// The result, ready to print or serialise.
#[derive(Debug, Serialize)]
pub struct CoverageReport {
    /// Records read.
    pub records: u64,
    /// Records the filter left out.
    pub skipped: u64,
    /// Records that failed.
    pub failed: u64,
    /// (a) Source fields no rule read, with how many records had them.
    pub unread_fields: BTreeMap<String, u64>,
    /// (b) Per class: documents, and for each required/recommended attribute how often it was
    /// filled.
    pub classes: BTreeMap<String, ClassCoverage>,
    /// (c) Per rule (`line target`): how often it set its attribute.
    pub rules: BTreeMap<String, RuleCount>,
    /// (c) Per `when:` line: times it held and did not.
    pub conditions: BTreeMap<usize, (u64, u64)>,
    /// (c) Per lookup table, per key: (hits, fallbacks).
    pub lookups: BTreeMap<String, BTreeMap<String, (u64, u64)>>,
    /// (c) Documents per output (`index class`).
    pub outputs: BTreeMap<String, u64>,
}

/// Attribute fill rates of one class.
#[derive(Debug, Serialize)]
pub struct ClassCoverage {
    /// Documents of the class.
    pub documents: u64,
    /// Percentage of (document, required attribute) pairs filled.
    pub required_percent: f64,
    /// Percentage of (document, recommended attribute) pairs filled.
    pub recommended_percent: f64,
    /// Each required and recommended attribute.
    pub attributes: BTreeMap<String, AttributeFill>,
}

struct Collector<'c> {
    c: &'c mut Coverage,
}

impl Collector<'_> {
    fn note_reads(&mut self, reads: &[String]) {
        for r in reads {
            if !self.c.read.contains(r) {
                self.c.read.push(r.clone());
            }
        }
    }
}

impl Tracer for Collector<'_> {
    fn let_value(&mut self, rule: Rule<'_>, value: Option<&Value>) {
        self.attribute(rule, value, value);
    }
    fn condition(&mut self, rule: Rule<'_>, holds: bool) {
        self.note_reads(rule.reads);
        let e = self.c.conditions.entry(rule.line).or_default();
        if holds { e.0 += 1 } else { e.1 += 1 }
    }
    fn lookup(&mut self, table: &str, key: &str, result: LookupResult) {
        let e = self
            .c
            .lookups
            .entry(table.to_owned())
            .or_default()
            .entry(key.to_owned())
            .or_default();
        match result {
            LookupResult::Hit => e.0 += 1,
            LookupResult::Fallback => e.1 += 1,
        }
    }
    fn attribute(&mut self, rule: Rule<'_>, _raw: Option<&Value>, stored: Option<&Value>) {
        self.note_reads(rule.reads);
        let e = self
            .c
            .rules
            .entry((rule.line, rule.target.to_owned()))
            .or_default();
        if e.source.is_empty() {
            e.source = rule.source.to_owned();
        }
        if stored.is_some() {
            e.set += 1
        } else {
            e.missing += 1
        }
    }
    fn output(&mut self, index: usize, class: &str, documents: usize) {
        *self.c.outputs.entry((index, class.to_owned())).or_default() += documents as u64;
    }
}

impl Default for Coverage {
    fn default() -> Coverage {
        Coverage::new()
    }
}

impl Coverage {
    /// An empty tally.
    pub fn new() -> Coverage {
        Coverage {
            records: 0,
            skipped: 0,
            failed: 0,
            fields: BTreeMap::new(),
            read: Vec::new(),
            rules: BTreeMap::new(),
            conditions: BTreeMap::new(),
            lookups: BTreeMap::new(),
            outputs: BTreeMap::new(),
            classes: BTreeMap::new(),
        }
    }

    /// Maps one record and counts what happened.
    pub fn add(&mut self, mapper: &Mapper<'_>, record: &Record) {
        self.records += 1;
        for (leaf, _) in fields::leaves(&record.fields) {
            *self.fields.entry(leaf).or_default() += 1;
        }
        let mut docs = Vec::new();
        match mapper.trace(record, &mut docs, &mut Collector { c: self }) {
            Ok(Outcome::Skipped) => self.skipped += 1,
            Err(_) => self.failed += 1,
            Ok(Outcome::Mapped(_)) => {
                for doc in &docs {
                    self.fill(doc.class, &doc.value);
                }
            }
        }
    }

    /// Counts a record the reader could not decode.
    pub fn add_unreadable(&mut self) {
        self.records += 1;
        self.failed += 1;
    }

    fn fill(&mut self, class: ocsf_map_schema::Class<'static>, doc: &Value) {
        let profiles: Vec<&str> = doc["metadata"]["profiles"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let entry = self.classes.entry(class.name().to_owned()).or_default();
        entry.0 += 1;
        for attr in class.attributes() {
            let requirement = match attr.requirement() {
                Requirement::Required => "required",
                Requirement::Recommended => "recommended",
                _ => continue,
            };
            if attr.profile().is_some_and(|p| !profiles.contains(&p)) {
                continue;
            }
            let fill = entry
                .1
                .entry(attr.name().to_owned())
                .or_insert(AttributeFill {
                    requirement,
                    filled: 0,
                });
            if doc.get(attr.name()).is_some() {
                fill.filled += 1;
            }
        }
    }

    /// The report.
    pub fn report(&self) -> CoverageReport {
        let unread_fields = self
            .fields
            .iter()
            .filter(|(leaf, _)| !self.read.iter().any(|r| fields::covers(r, leaf)))
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        let classes = self
            .classes
            .iter()
            .map(|(name, (documents, attrs))| {
                let percent = |req: &str| {
                    let (filled, total) = attrs
                        .values()
                        .filter(|a| a.requirement == req)
                        .fold((0u64, 0u64), |(f, t), a| (f + a.filled, t + documents));
                    if total == 0 {
                        100.0
                    } else {
                        filled as f64 * 100.0 / total as f64
                    }
                };
                let coverage = ClassCoverage {
                    documents: *documents,
                    required_percent: percent("required"),
                    recommended_percent: percent("recommended"),
                    attributes: attrs.clone(),
                };
                (name.clone(), coverage)
            })
            .collect();
        CoverageReport {
            records: self.records,
            skipped: self.skipped,
            failed: self.failed,
            unread_fields,
            classes,
            rules: self
                .rules
                .iter()
                .map(|((l, t), c)| (format!("{l:>4} {t}"), c.clone()))
                .collect(),
            conditions: self.conditions.clone(),
            lookups: self.lookups.clone(),
            outputs: self
                .outputs
                .iter()
                .map(|((i, c), n)| (format!("{i} {c}"), *n))
                .collect(),
        }
    }
}

impl Default for ClassCoverage {
    fn default() -> ClassCoverage {
        ClassCoverage {
            documents: 0,
            required_percent: 0.0,
            recommended_percent: 0.0,
            attributes: BTreeMap::new(),
        }
    }
}

impl CoverageReport {
    /// The lowest required-attribute fill rate over the classes emitted (100 when none).
    pub fn min_required_percent(&self) -> f64 {
        self.classes
            .values()
            .map(|c| c.required_percent)
            .fold(100.0, f64::min)
    }

    /// The lowest recommended-attribute fill rate over the classes emitted (100 when none).
    pub fn min_recommended_percent(&self) -> f64 {
        self.classes
            .values()
            .map(|c| c.recommended_percent)
            .fold(100.0, f64::min)
    }

    /// The plain-text form.
    pub fn to_text(&self, mapping: &str) -> String {
        let mut t = String::new();
        let _ = writeln!(
            t,
            "{} records: {} mapped, {} skipped by filter, {} failed",
            self.records,
            self.records - self.skipped - self.failed,
            self.skipped,
            self.failed
        );
        let _ = writeln!(
            t,
            "\nsource fields no rule read ({}):",
            self.unread_fields.len()
        );
        for (field, n) in &self.unread_fields {
            let _ = writeln!(t, "  {field:<40} in {n} records");
        }
        for (class, c) in &self.classes {
            let _ = writeln!(
                t,
                "\n{class}: {} documents, required {:.1}%, recommended {:.1}%",
                c.documents, c.required_percent, c.recommended_percent
            );
            for (name, fill) in &c.attributes {
                let pct = if c.documents == 0 {
                    0.0
                } else {
                    fill.filled as f64 * 100.0 / c.documents as f64
                };
                let _ = writeln!(t, "  {:<12} {name:<28} {pct:>6.1}%", fill.requirement);
            }
        }
        let _ = writeln!(t, "\nrules ({mapping}: line target — set / missing):");
        for (rule, c) in &self.rules {
            let _ = writeln!(t, "  {rule}: {} / {}    {}", c.set, c.missing, c.source);
        }
        if !self.conditions.is_empty() {
            let _ = writeln!(t, "\nconditions (line — held / not):");
            for (line, (yes, no)) in &self.conditions {
                let _ = writeln!(t, "  {line:>4}: {yes} / {no}");
            }
        }
        for (table, rows) in &self.lookups {
            let _ = writeln!(t, "\nlookup `{table}` (value — hits / fallbacks):");
            for (key, (hit, fb)) in rows {
                let _ = writeln!(t, "  {key:<24} {hit} / {fb}");
            }
        }
        let _ = writeln!(t, "\noutputs (documents):");
        for (out, n) in &self.outputs {
            let _ = writeln!(t, "  {out}: {n}");
        }
        t
    }
}
