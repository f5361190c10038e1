//! The compiled form of a mapping file: everything resolved, nothing left to parse.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use minijinja::Environment;
use ocsf_map_diag::{Diagnostic, SourceFile};
use ocsf_map_schema::{Attribute, Class, FinalizePlan, Shape};
use serde_json::Value;

use crate::path::Selector;

/// A mapping file, parsed and checked, ready to be applied to any number of records.
///
/// Build one with [`compile`](crate::compile); apply it through a [`Mapper`](crate::Mapper).
#[derive(Debug)]
pub struct CompiledMapping {
    pub(crate) name: String,
    pub(crate) file: SourceFile,
    pub(crate) env: Environment<'static>,
    /// Template names in `env`, indexed by [`TemplateId`].
    pub(crate) templates: Vec<String>,
    /// Expression sources (compiled by each `Mapper`), indexed by [`ExprId`].
    pub(crate) exprs: Vec<String>,
    pub(crate) filter: Option<Cond>,
    pub(crate) lets: Vec<Let>,
    pub(crate) let_names: Arc<[String]>,
    pub(crate) lookups: Vec<Lookup>,
    pub(crate) outputs: Vec<Output>,
    /// How many outputs emit detection findings (for deriving finding uids).
    pub(crate) finding_outputs: usize,
    pub(crate) source: SourceHints,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl CompiledMapping {
    /// The mapping's `name` (or the file stem).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The mapping file, for rendering diagnostics.
    pub fn file(&self) -> &SourceFile {
        &self.file
    }

    /// What the mapping says about its input (`source:`), for choosing a reader.
    pub fn source_hints(&self) -> &SourceHints {
        &self.source
    }

    /// Warnings found while compiling (the mapping is usable).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The line of the rule behind an attribute of a `class` document, for pointing a
    /// validation problem at `path` (`evidences[0].src_endpoint.port`) to the mapping: the rule
    /// that sets that attribute, else the one that sets the nearest object holding it (a missing
    /// `dst_endpoint.ip` under a rule for `dst_endpoint`). `None` when no rule sets any of them.
    pub fn rule_line(&self, class: Class<'_>, path: &str) -> Option<usize> {
        let mut wanted = format!("{}.", class.name());
        for segment in path.split('.') {
            wanted.push_str(segment.split('[').next().unwrap_or(segment));
            wanted.push('.');
        }
        wanted.pop();
        let outputs: Vec<&Output> = self
            .outputs
            .iter()
            .filter(|o| o.class.uid() == class.uid())
            .collect();
        let mut target = wanted.as_str();
        while target.contains('.') {
            if let Some(line) = outputs.iter().find_map(|o| rule_for(&o.fields, target)) {
                return Some(line);
            }
            target = &target[..target.rfind('.').unwrap_or(0)];
        }
        None
    }

    /// The OCSF classes this mapping can emit, in output order.
    pub fn classes(&self) -> impl Iterator<Item = Class<'static>> + '_ {
        self.outputs.iter().map(|o| o.class)
    }
}

/// The `source:` section: how the input should be read when the command line does not say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceHints {
    /// Reader format name (`csv`, `jsonl`, ...), checked by the reader when it is opened.
    pub format: Option<String>,
    /// CSV delimiter.
    pub delimiter: Option<u8>,
    /// Syslog: the year of RFC 3164 timestamps, which carry none.
    pub year: Option<i32>,
    /// Syslog: the UTC offset of timestamps that carry none (`Z`, `+02:00`, ...).
    pub timezone: Option<String>,
    /// Syslog: a parser for each message (`kv`, `cef`, `regex:<pattern>`), result in `body`.
    pub body: Option<String>,
    /// Splunk: how to read each `_raw` again (`json`, `syslog`, `kv`, `cef`), result in
    /// `_raw_parsed`.
    pub raw: Option<String>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct TemplateId(pub(crate) usize);

#[derive(Clone, Copy, Debug)]
pub(crate) struct ExprId(pub(crate) usize);

#[derive(Clone, Copy, Debug)]
pub(crate) struct LookupId(pub(crate) usize);

/// A condition (`filter:`, `when:`): an expression judged by its truthiness.
#[derive(Debug)]
pub(crate) struct Cond {
    pub(crate) expr: ExprId,
    pub(crate) line: usize,
    /// `filter`, or `<target> (when)`: what messages and tracers call it.
    pub(crate) target: String,
    /// The expression as written.
    pub(crate) source: String,
    /// The record fields it reads.
    pub(crate) reads: Vec<String>,
}

/// A named value computed once per record.
#[derive(Debug)]
pub(crate) struct Let {
    /// `let.<name>`, as messages name it.
    pub(crate) target: String,
    pub(crate) spec: Spec,
}

/// One `outputs:` entry: an OCSF document (or one per element, with `for_each`).
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) class: Class<'static>,
    pub(crate) profiles: Vec<String>,
    pub(crate) when: Option<Cond>,
    pub(crate) for_each: Option<ForEach>,
    pub(crate) fields: Vec<Field>,
    /// The object shape of `fields`, built once.
    pub(crate) slots: Vec<Slot>,
    /// `Class::finalize` compiled for the documents `slots` build.
    pub(crate) finalize: FinalizePlan<'static>,
}

/// Where a field's value goes in the object being built: a field's own key, or an object
/// holding other slots. Built once from the dotted paths, so each key is inserted once per
/// document, in the order the mapping first names it.
#[derive(Debug)]
pub(crate) enum Slot {
    /// The field at this index of the field list (its value goes under `Field::key`).
    Field(usize),
    /// An object under this key, with room for this many keys (its slots and what finalizing
    /// adds).
    Object(String, Vec<Slot>, usize),
}

/// The shape of the objects `fields` build.
pub(crate) fn slots(fields: &[Field]) -> Vec<Slot> {
    let mut root: Vec<Slot> = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let mut level = &mut root;
        for seg in &field.segments[..field.segments.len().saturating_sub(1)] {
            let at = level
                .iter()
                .position(|s| matches!(s, Slot::Object(k, ..) if k == seg));
            let at = at.unwrap_or_else(|| {
                level.push(Slot::Object(seg.clone(), Vec::new(), 0));
                level.len() - 1
            });
            level = match &mut level[at] {
                Slot::Object(_, children, _) => children,
                // `position` only finds objects, and a new one was just pushed.
                Slot::Field(_) => unreachable!("an object slot"),
            };
        }
        level.push(Slot::Field(i));
    }
    root
}

/// Sizes each object slot for its own slots and the keys `plan` adds to it.
pub(crate) fn size_slots(slots: &mut [Slot], plan: &FinalizePlan<'_>, path: &mut Vec<String>) {
    for slot in slots {
        if let Slot::Object(key, children, capacity) = slot {
            path.push(key.clone());
            let keys: Vec<&str> = path.iter().map(String::as_str).collect();
            *capacity = children.len() + plan.added_keys(&keys);
            size_slots(children, plan, path);
            path.pop();
        }
    }
}

/// What finalizing needs to know of the objects `slots` build: every key they can hold, and
/// which hold constants (literals without `when`, always present).
pub(crate) fn shape(fields: &[Field], slots: &[Slot], shape: &mut Shape) {
    for slot in slots {
        match slot {
            Slot::Field(i) => {
                let field = &fields[*i];
                match &field.other {
                    // Either side may be set, by the rule or by `other`.
                    Some(pair) => {
                        shape.value(&pair.id_key, None);
                        shape.value(&pair.caption_key, None);
                    }
                    None => shape.value(&field.key, constant(field)),
                }
            }
            Slot::Object(key, children, _) => {
                if let Some(inner) = shape.object(key) {
                    self::shape(fields, children, inner);
                }
            }
        }
    }
}

/// The value a field always stores, if it is a constant.
fn constant(field: &Field) -> Option<Value> {
    let spec = &field.spec;
    match &spec.kind {
        SpecKind::Literal(v)
            if spec.when.is_none() && spec.lookup.is_none() && !spec.other && !v.is_null() =>
        {
            match &field.attr {
                Some(attr) => ocsf_map_schema::coerce(attr, v.clone()).ok(),
                None => Some(v.clone()),
            }
        }
        _ => None,
    }
}

/// `for_each: <value>` with `as: <name>`: the value must be an array; each element is bound to
/// the name while the body is evaluated.
#[derive(Debug)]
pub(crate) struct ForEach {
    pub(crate) source: Spec,
    pub(crate) var: Arc<str>,
}

/// One target attribute and the rule that computes it.
#[derive(Debug)]
pub(crate) struct Field {
    /// Path below the object being built (`["finding_info", "uid"]`).
    pub(crate) segments: Vec<String>,
    /// The last segment: the key the value is stored under.
    pub(crate) key: String,
    /// Full path from the document root, with the class: `detection_finding.finding_info.uid`.
    pub(crate) target: String,
    pub(crate) spec: Spec,
    /// The OCSF attribute, when the path resolves to one (used to coerce the value).
    pub(crate) attr: Option<Attribute<'static>>,
    /// The attribute path's key in the mapping file.
    pub(crate) key_span: Range<usize>,
    /// With `other: true`: the enumeration pair this rule sets one half of.
    pub(crate) other: Option<OtherPair>,
}

/// An enumerated attribute and its caption (`severity_id` / `severity`), for `other: true`.
#[derive(Debug)]
pub(crate) struct OtherPair {
    /// The id attribute, whose enumeration decides what is known.
    pub(crate) id: Attribute<'static>,
    /// Keys of the id and the caption, siblings in the object being built.
    pub(crate) id_key: String,
    pub(crate) caption_key: String,
    /// Whether the rule computes the caption (else the id).
    pub(crate) rule_sets_caption: bool,
}

/// How a value is computed.
#[derive(Debug)]
pub(crate) struct Spec {
    pub(crate) kind: SpecKind,
    pub(crate) lookup: Option<LookupId>,
    /// Overrides the lookup table's own fallback.
    pub(crate) fallback: Option<Value>,
    pub(crate) default: Option<Value>,
    pub(crate) when: Option<Cond>,
    pub(crate) required: bool,
    /// `other: true`: a value outside the enumeration becomes Other (99), keeping the original
    /// as the caption.
    pub(crate) other: bool,
    /// 1-based line of the rule in the mapping file.
    pub(crate) line: usize,
    /// The rule as written, for `explain` (`$.alert.signature`, `{{ a }}:{{ b }}`, `42`).
    pub(crate) source: String,
    /// The record fields the rule reads, as dotted names (for `explain` and `coverage`).
    pub(crate) reads: Vec<String>,
}

impl Spec {
    /// A rule with no modifiers; `compile` adds them and annotates the rule afterwards.
    pub(crate) fn new(kind: SpecKind, line: usize) -> Spec {
        Spec {
            kind,
            lookup: None,
            fallback: None,
            default: None,
            when: None,
            required: false,
            other: false,
            line,
            source: String::new(),
            reads: Vec::new(),
        }
    }
}

#[derive(Debug)]
pub(crate) enum SpecKind {
    Literal(Value),
    Path(Selector),
    Template(TemplateId),
    /// A template that is only text and record fields (`"{{ flow_id }}"`,
    /// `"suricata:{{ flow_id }}:{{ alert.gid }}"`): joined directly when every field is a
    /// string or an integer (which the template would print the same); otherwise (missing,
    /// null, a boolean, a float, an object) the template runs, with its own errors.
    Text(TemplateId, Vec<Piece>),
    Expr(ExprId),
    /// An expression that is a single `let` name: that value, as the expression would give it.
    Let(usize, ExprId),
    Object(Vec<Field>, Vec<Slot>),
    Array(Vec<Spec>),
    ForEach(Box<ForEach>, Box<Spec>),
}

/// A part of a [`SpecKind::Text`] template.
#[derive(Debug)]
pub(crate) enum Piece {
    Text(String),
    Field(Selector),
}

/// A lookup table: source values (as text) to output values.
#[derive(Debug)]
pub(crate) struct Lookup {
    pub(crate) name: String,
    pub(crate) table: HashMap<String, Value>,
    pub(crate) fallback: Option<Value>,
}

/// The line of the rule in `fields` (or nested in their objects and lists) whose target is
/// `target`.
fn rule_for(fields: &[Field], target: &str) -> Option<usize> {
    fn in_spec(spec: &Spec, target: &str) -> Option<usize> {
        match &spec.kind {
            SpecKind::Object(fields, _) => rule_for(fields, target),
            SpecKind::Array(items) => items.iter().find_map(|s| in_spec(s, target)),
            SpecKind::ForEach(_, body) => in_spec(body, target),
            _ => None,
        }
    }
    fields.iter().find_map(|f| {
        if f.target == target {
            Some(f.spec.line)
        } else {
            in_spec(&f.spec, target)
        }
    })
}
