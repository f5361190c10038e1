//! Running a compiled mapping on records.

use std::rc::Rc;
use std::sync::Arc;

use minijinja::value::Value as Jv;
use minijinja::{ErrorKind, Expression, Template};
use ocsf_map_record::{Record, stable_uid};
use ocsf_map_schema::Class;
use serde_json::{Map, Value};

use crate::error::MapError;
use crate::program::{
    CompiledMapping, Cond, Field, ForEach, OtherPair, Output, Piece, Slot, Spec, SpecKind,
};
use crate::scope::{Scope, json_to_jv, jv_to_json};
use crate::trace::{LookupResult, NoTrace, Rule, Tracer};

/// OCSF's "Other" enumeration value, whose caption is the source's own value.
const OTHER: i64 = 99;

/// The class whose documents get a derived `finding_info.uid` when the mapping sets none.
pub(crate) const DETECTION_FINDING: u32 = 2004;

/// One OCSF document produced by a mapping.
#[derive(Clone, Debug)]
pub struct Document {
    /// The document's class.
    pub class: Class<'static>,
    /// The document: a JSON object, finalized (class, category, type and captions filled in).
    pub value: Value,
}

/// What happened to a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The record produced this many documents (one group), appended to the output buffer.
    Mapped(usize),
    /// The mapping's `filter` rejected the record.
    Skipped,
}

/// A compiled mapping made ready to run: templates fetched and expressions compiled once.
///
/// A `Mapper` borrows its [`CompiledMapping`]; make one per thread.
pub struct Mapper<'m> {
    mapping: &'m CompiledMapping,
    /// This mapper's own copy of the `let` names: every record's template scope holds a
    /// reference, and a count shared by the mappers on other threads would be a cache line
    /// written by all of them on every record.
    let_names: Arc<[String]>,
    templates: Vec<Template<'m, 'm>>,
    exprs: Vec<Expression<'m, 'm>>,
}

/// Per-record evaluation state.
struct Ctx<'r> {
    record: &'r Arc<Value>,
    /// The template scope (record view, lets, current element) as a template value.
    scope: Jv,
    lets: Vec<Option<Jv>>,
    /// The same `let` values as JSON, for rules that are just a `let` name.
    let_values: Rc<Vec<Option<Value>>>,
    item: Option<(Arc<str>, Jv)>,
}

impl<'m> Mapper<'m> {
    /// Prepares a compiled mapping for running.
    pub fn new(mapping: &'m CompiledMapping) -> Mapper<'m> {
        // Both were compiled successfully when the mapping was compiled, from the same sources
        // in the same environment, so they cannot fail here.
        let templates = mapping
            .templates
            .iter()
            .map(|name| {
                mapping
                    .env
                    .get_template(name)
                    .expect("template was added at compile time")
            })
            .collect();
        let exprs = mapping
            .exprs
            .iter()
            .map(|src| {
                mapping
                    .env
                    .compile_expression(src)
                    .expect("expression compiled before")
            })
            .collect();
        Mapper {
            mapping,
            let_names: Arc::from(mapping.let_names.to_vec()),
            templates,
            exprs,
        }
    }

    /// The mapping being run.
    pub fn mapping(&self) -> &'m CompiledMapping {
        self.mapping
    }

    /// Maps one record, appending its documents (one group) to `out`.
    ///
    /// A record either maps completely or not at all: on error, `out` is left as it was.
    pub fn apply(&self, record: &Record, out: &mut Vec<Document>) -> Result<Outcome, MapError> {
        self.trace(record, out, &mut NoTrace)
    }

    /// Like [`apply`](Self::apply), telling `tracer` about every rule as it runs.
    pub fn trace<T: Tracer>(
        &self,
        record: &Record,
        out: &mut Vec<Document>,
        tracer: &mut T,
    ) -> Result<Outcome, MapError> {
        let start = out.len();
        let result = Run { m: self, tracer }.record(record, out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }
}

/// One record's evaluation, with its tracer.
struct Run<'a, 'm, T> {
    m: &'a Mapper<'m>,
    tracer: &'a mut T,
}

impl<T: Tracer> Run<'_, '_, T> {
    fn record(&mut self, record: &Record, out: &mut Vec<Document>) -> Result<Outcome, MapError> {
        let m = self.m.mapping;
        let mut ctx = Ctx {
            record: &record.fields,
            scope: Jv::from(()),
            lets: Vec::new(),
            let_values: Rc::default(),
            item: None,
        };
        self.rescope(&mut ctx);
        if let Some(filter) = &m.filter {
            let keep = self.condition(filter, &ctx)?;
            if !keep {
                return Ok(Outcome::Skipped);
            }
        }
        for l in &m.lets {
            let value = self.eval(&l.spec, &ctx, &l.target)?;
            self.tracer
                .let_value(rule(&l.target, &l.spec, None), value.as_ref());
            ctx.lets.push(value.as_ref().map(json_to_jv));
            Rc::make_mut(&mut ctx.let_values).push(value);
            self.rescope(&mut ctx);
        }
        let start = out.len();
        for (index, output) in m.outputs.iter().enumerate() {
            let before = out.len();
            if let Some(when) = &output.when
                && !self.condition(when, &ctx)?
            {
                self.tracer.output(index, output.class.name(), 0);
                continue;
            }
            match &output.for_each {
                None => out.push(self.document(output, &ctx, (index, None))?),
                Some(each) => {
                    let items = self.elements(each, &ctx, output.class.name())?;
                    for (i, item) in items.into_iter().enumerate() {
                        let inner = self.with_item(&ctx, &each.var, item);
                        out.push(self.document(output, &inner, (index, Some(i)))?);
                    }
                }
            }
            self.tracer
                .output(index, output.class.name(), out.len() - before);
        }
        Ok(Outcome::Mapped(out.len() - start))
    }

    /// Builds one document; `at` is (output index, `for_each` element index).
    fn document(
        &mut self,
        output: &Output,
        ctx: &Ctx<'_>,
        at: (usize, Option<usize>),
    ) -> Result<Document, MapError> {
        let room = output.slots.len() + output.finalize.added_keys(&[]);
        let mut doc = self.object(&output.fields, &output.slots, room, ctx)?;
        if output.class.uid() == DETECTION_FINDING {
            self.derive_finding_uid(&mut doc, ctx, at);
        }
        if !output.profiles.is_empty() {
            let metadata = doc
                .entry("metadata")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(meta) = metadata {
                meta.entry("profiles").or_insert_with(|| {
                    Value::Array(output.profiles.iter().cloned().map(Value::String).collect())
                });
            }
        }
        #[cfg(debug_assertions)]
        let unfinalized = doc.clone();
        let finalized = output.finalize.finalize(&mut doc);
        // The plan must do exactly what the reference does: checked on every document that
        // tests, fixtures and fuzzing build.
        #[cfg(debug_assertions)]
        {
            let mut reference = unfinalized;
            let expected = output.class.finalize(&mut reference);
            debug_assert_eq!(
                serde_json::to_string(&doc).ok(),
                serde_json::to_string(&reference).ok(),
                "finalize plan and Class::finalize disagree"
            );
            debug_assert_eq!(
                finalized
                    .as_ref()
                    .err()
                    .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>()),
                expected
                    .as_ref()
                    .err()
                    .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>()),
            );
        }
        finalized.map_err(|violations| MapError {
            target: output.class.name().to_owned(),
            line: output.fields.first().map_or(1, |f| f.spec.line),
            message: violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        })?;
        Ok(Document {
            class: output.class,
            value: Value::Object(doc),
        })
    }

    /// A finding whose mapping sets no `finding_info.uid` gets one derived from the record, so
    /// that the same record always gives the same finding identity (a re-sent finding is
    /// recognisable). When a record can give several findings, the output and element indexes
    /// take part too.
    fn derive_finding_uid(
        &self,
        doc: &mut Map<String, Value>,
        ctx: &Ctx<'_>,
        at: (usize, Option<usize>),
    ) {
        let info = doc
            .entry("finding_info")
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(info) = info else { return };
        if info.contains_key("uid") {
            return;
        }
        let single = at.1.is_none() && self.m.mapping.finding_outputs == 1;
        let uid = if single {
            stable_uid(ctx.record)
        } else {
            stable_uid(
                &serde_json::json!({"record": &**ctx.record, "output": at.0, "element": at.1}),
            )
        };
        info.insert("uid".to_owned(), Value::String(uid));
    }

    /// Builds an object from `fields`, in the shape `slots` compiled for them; absent values
    /// leave their attribute out, and an object left empty is left out too.
    /// `room`: how many keys the object will hold once finalized, at most.
    fn object(
        &mut self,
        fields: &[Field],
        slots: &[Slot],
        room: usize,
        ctx: &Ctx<'_>,
    ) -> Result<Map<String, Value>, MapError> {
        let mut obj = Map::with_capacity(room.max(slots.len()));
        for slot in slots {
            match slot {
                Slot::Field(i) => self.field(&fields[*i], ctx, &mut obj)?,
                Slot::Object(key, children, room) => {
                    let child = self.object(fields, children, *room, ctx)?;
                    if !child.is_empty() {
                        obj.insert(key.clone(), Value::Object(child));
                    }
                }
            }
        }
        Ok(obj)
    }

    /// Computes one attribute and stores it (converted to its type) in `obj`.
    fn field(
        &mut self,
        field: &Field,
        ctx: &Ctx<'_>,
        obj: &mut Map<String, Value>,
    ) -> Result<(), MapError> {
        let Some(raw) = self.eval(&field.spec, ctx, &field.target)? else {
            self.tracer.attribute(
                rule(&field.target, &field.spec, field.attr.as_ref()),
                None,
                None,
            );
            return Ok(());
        };
        if let Some(pair) = &field.other
            && store_other(obj, pair, &raw)
        {
            self.tracer.attribute(
                rule(&field.target, &field.spec, field.attr.as_ref()),
                Some(&raw),
                Some(&Value::from(OTHER)),
            );
            return Ok(());
        }
        let value = match &field.attr {
            // A literal was converted to the attribute's type when the mapping was compiled.
            Some(_)
                if field.spec.lookup.is_none()
                    && matches!(field.spec.kind, SpecKind::Literal(_)) =>
            {
                self.tracer.attribute(
                    rule(&field.target, &field.spec, field.attr.as_ref()),
                    Some(&raw),
                    Some(&raw),
                );
                raw
            }
            Some(attr) => {
                // Only a tracer needs the value as computed; otherwise convert it in place.
                let before = T::ACTIVE.then(|| raw.clone());
                let stored = ocsf_map_schema::coerce(attr, raw).map_err(|e| MapError {
                    target: field.target.clone(),
                    line: field.spec.line,
                    message: e.to_string(),
                })?;
                if let Some(before) = &before {
                    self.tracer.attribute(
                        rule(&field.target, &field.spec, field.attr.as_ref()),
                        Some(before),
                        Some(&stored),
                    );
                }
                stored
            }
            None => {
                self.tracer.attribute(
                    rule(&field.target, &field.spec, field.attr.as_ref()),
                    Some(&raw),
                    Some(&raw),
                );
                raw
            }
        };
        obj.insert(field.key.clone(), value);
        Ok(())
    }

    /// Evaluates a value rule. `Ok(None)` means "absent": the attribute is left out.
    fn eval(
        &mut self,
        spec: &Spec,
        ctx: &Ctx<'_>,
        target: &str,
    ) -> Result<Option<Value>, MapError> {
        let fail = |message: String| MapError {
            target: target.to_owned(),
            line: spec.line,
            message,
        };
        if let Some(when) = &spec.when
            && !self.condition(when, ctx)?
        {
            return Ok(None);
        }
        let value = match &spec.kind {
            SpecKind::Literal(v) => Some(v.clone()),
            SpecKind::Path(sel) => sel.select(ctx.record),
            SpecKind::Template(id) => match self.m.templates[id.0].render(&ctx.scope) {
                Ok(s) => Some(Value::String(s)),
                Err(e) if e.kind() == ErrorKind::UndefinedError && spec.default.is_some() => None,
                Err(e) => return Err(fail(describe(&e, &spec.reads, ctx.record))),
            },
            SpecKind::Text(id, pieces) => match join(pieces, ctx.record) {
                Some(s) => Some(Value::String(s)),
                None => match self.m.templates[id.0].render(&ctx.scope) {
                    Ok(s) => Some(Value::String(s)),
                    Err(e) if e.kind() == ErrorKind::UndefinedError && spec.default.is_some() => {
                        None
                    }
                    Err(e) => return Err(fail(describe(&e, &spec.reads, ctx.record))),
                },
            },
            SpecKind::Let(i, id) => match ctx.let_values.get(*i).cloned().flatten() {
                Some(v) => Some(v),
                // Missing: the expression gives the same undefined error (or the default).
                None if spec.default.is_some() => None,
                None => match self.m.exprs[id.0].eval(&ctx.scope) {
                    Ok(v) if v.is_undefined() || v.is_none() => None,
                    Ok(v) => Some(jv_to_json(&v).map_err(fail)?),
                    Err(e) => return Err(fail(describe(&e, &spec.reads, ctx.record))),
                },
            },
            SpecKind::Expr(id) => match self.m.exprs[id.0].eval(&ctx.scope) {
                Ok(v) if v.is_undefined() || v.is_none() => None,
                Ok(v) => Some(jv_to_json(&v).map_err(fail)?),
                Err(e) if e.kind() == ErrorKind::UndefinedError && spec.default.is_some() => None,
                Err(e) => return Err(fail(describe(&e, &spec.reads, ctx.record))),
            },
            SpecKind::Object(fields, slots) => {
                let obj = self.object(fields, slots, slots.len(), ctx)?;
                (!obj.is_empty()).then_some(Value::Object(obj))
            }
            SpecKind::Array(specs) => {
                let mut items = Vec::with_capacity(specs.len());
                for s in specs {
                    items.extend(self.eval(s, ctx, target)?);
                }
                (!items.is_empty()).then_some(Value::Array(items))
            }
            SpecKind::ForEach(each, body) => {
                let mut items = Vec::new();
                for item in self.elements(each, ctx, target)? {
                    let inner = self.with_item(ctx, &each.var, item);
                    items.extend(self.eval(body, &inner, target)?);
                }
                (!items.is_empty()).then_some(Value::Array(items))
            }
        };
        let value = match (value, spec.lookup) {
            (Some(v), Some(id)) => {
                let table = &self.m.mapping.lookups[id.0];
                let key = lookup_key(&v);
                match table.table.get(key.as_ref()) {
                    Some(hit) => {
                        self.tracer.lookup(&table.name, &key, LookupResult::Hit);
                        Some(hit.clone())
                    }
                    None => match spec.fallback.as_ref().or(table.fallback.as_ref()) {
                        Some(fb) => {
                            self.tracer
                                .lookup(&table.name, &key, LookupResult::Fallback);
                            Some(fb.clone())
                        }
                        None => {
                            return Err(fail(format!(
                                "`{key}` is not in lookup table `{}`, which has no fallback",
                                table.name
                            )));
                        }
                    },
                }
            }
            (v, _) => v,
        };
        match value.or_else(|| spec.default.clone()) {
            None if spec.required => Err(fail("required value is missing".to_owned())),
            v => Ok(v),
        }
    }

    /// The elements a `for_each` iterates: an array's items, a single value as one element,
    /// nothing when the source is absent.
    fn elements(
        &mut self,
        each: &ForEach,
        ctx: &Ctx<'_>,
        target: &str,
    ) -> Result<Vec<Value>, MapError> {
        Ok(match self.eval(&each.source, ctx, target)? {
            None => Vec::new(),
            Some(Value::Array(items)) => items,
            Some(one) => vec![one],
        })
    }

    fn with_item<'r>(&self, ctx: &Ctx<'r>, var: &Arc<str>, item: Value) -> Ctx<'r> {
        let mut inner = Ctx {
            record: ctx.record,
            scope: Jv::from(()),
            lets: ctx.lets.clone(),
            let_values: Rc::clone(&ctx.let_values),
            item: Some((Arc::clone(var), json_to_jv(&item))),
        };
        self.rescope(&mut inner);
        inner
    }

    fn rescope(&self, ctx: &mut Ctx<'_>) {
        ctx.scope = Jv::from_object(Scope {
            record: Arc::clone(ctx.record),
            let_names: Arc::clone(&self.m.let_names),
            lets: ctx.lets.clone(),
            item: ctx.item.clone(),
        });
    }

    /// Evaluates a `filter` or `when` condition.
    fn condition(&mut self, cond: &Cond, ctx: &Ctx<'_>) -> Result<bool, MapError> {
        let holds = self.m.exprs[cond.expr.0]
            .eval(&ctx.scope)
            .map(|v| v.is_true())
            .map_err(|e| MapError {
                target: cond.target.clone(),
                line: cond.line,
                message: describe(&e, &cond.reads, ctx.record),
            })?;
        let rule = Rule {
            target: &cond.target,
            line: cond.line,
            source: &cond.source,
            reads: &cond.reads,
            attribute_type: None,
        };
        self.tracer.condition(rule, holds);
        Ok(holds)
    }
}

/// A [`SpecKind::Text`] template's text, joined from the record directly; `None` when a field
/// is not one the template prints as its JSON text (absent, null, a boolean — `True` —, a
/// float, an object, an array), for the template engine to handle.
fn join(pieces: &[Piece], record: &Value) -> Option<String> {
    use std::fmt::Write as _;
    if let [Piece::Field(sel)] = pieces
        && let Some(Value::String(s)) = sel.select_direct(record)
    {
        return Some(s.clone());
    }
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Field(sel) => match sel.select_direct(record)? {
                Value::String(s) => out.push_str(s),
                Value::Number(n) if n.is_i64() || n.is_u64() => {
                    let _ = write!(out, "{n}");
                }
                _ => return None,
            },
        }
    }
    Some(out)
}

/// `other: true`: when `raw` is outside the enumeration, stores Other (99) as the id and
/// the original value as the caption, and returns true. Known values return false and are
/// stored as usual.
fn store_other(obj: &mut Map<String, Value>, pair: &OtherPair, raw: &Value) -> bool {
    let known = if pair.rule_sets_caption {
        raw.as_str().is_some_and(|c| pair.id.enum_id(c).is_some())
    } else {
        ocsf_map_schema::coerce(&pair.id, raw.clone())
            .ok()
            .and_then(|v| v.as_i64())
            .is_some_and(|n| pair.id.enum_caption(n).is_some())
    };
    if known {
        return false;
    }
    let caption = match raw {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    // The id and its caption are siblings, in the object being built.
    obj.insert(pair.id_key.clone(), Value::from(OTHER));
    obj.insert(pair.caption_key.clone(), Value::String(caption));
    true
}

fn rule<'a>(
    target: &'a str,
    spec: &'a Spec,
    attr: Option<&ocsf_map_schema::Attribute<'static>>,
) -> Rule<'a> {
    Rule {
        target,
        line: spec.line,
        source: &spec.source,
        reads: &spec.reads,
        attribute_type: attr.map(|a| a.type_name()),
    }
}

/// The text a value is looked up by: strings as they are (borrowed), other scalars as JSON.
fn lookup_key(value: &Value) -> std::borrow::Cow<'_, str> {
    match value {
        Value::String(s) => std::borrow::Cow::Borrowed(s),
        other => std::borrow::Cow::Owned(other.to_string()),
    }
}

/// A template error as one line: the kind and detail, without minijinja's location suffix
/// (the caller names the mapping line). An undefined value names the record field the rule
/// reads that the record does not have (`reads`: the rule's record fields), and says so when
/// the record is not a JSON object at all (a JSON array or string read as a record).
#[cold]
fn describe(err: &minijinja::Error, reads: &[String], record: &Value) -> String {
    let base = match err.detail() {
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => err.kind().to_string(),
    };
    if err.kind() != ErrorKind::UndefinedError {
        return base;
    }
    let Some(name) = reads.iter().find(|name| !has_field(record, name)) else {
        return base;
    };
    let kind = err.kind();
    match record {
        Value::Object(_) => format!("{kind}: `{name}` is undefined"),
        other => format!(
            "{kind}: `{name}` is undefined: the record is {}, not a JSON object",
            json_kind(other)
        ),
    }
}

/// Whether `record` has the dotted field `name` (`alert.signature`).
fn has_field(record: &Value, name: &str) -> bool {
    name.split('.')
        .try_fold(record, |value, key| value.as_object()?.get(key))
        .is_some()
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
