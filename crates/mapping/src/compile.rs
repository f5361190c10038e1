//! Mapping file → [`CompiledMapping`]: every key, path, template, expression, lookup and OCSF
//! attribute is checked here, once, and every problem is reported with its position.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};
use ocsf_map_diag::{Diagnostic, LineIndex, SourceFile};
use ocsf_map_schema::{Class, Schema, Shape};
use serde_json::Value;

use crate::error::CompileError;
use crate::lint;
use crate::path::Selector;
use crate::program::{
    CompiledMapping, Cond, ExprId, Field, ForEach, Let, Lookup, LookupId, OtherPair, Output, Piece,
    SourceHints, Spec, SpecKind, TemplateId,
};
use crate::yaml::{self, Node, NodeKind};

/// Upper bound on the work one template or expression may do for one record, so that no input
/// can make a run hang (minijinja "fuel": roughly one unit per instruction).
const FUEL_PER_EVALUATION: u64 = 1_000_000;

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "source",
    "filter",
    "lookups",
    "let",
    "outputs",
];
const SOURCE_KEYS: &[&str] = &["format", "delimiter", "year", "timezone", "body", "raw"];
/// Formats a Splunk `_raw` can be read again as (`source.raw`).
const RAW_FORMATS: &[&str] = &["json", "syslog", "kv", "cef"];
const OUTPUT_KEYS: &[&str] = &["class", "profiles", "when", "for_each", "as", "fields"];
const LOOKUP_KEYS: &[&str] = &["map", "fallback"];
const SOURCE_SPEC_KEYS: &[&str] = &["path", "template", "expr", "value", "fields"];
const SPEC_KEYS: &[&str] = &[
    "path", "template", "expr", "value", "fields", "for_each", "as", "lookup", "fallback",
    "default", "when", "required", "other",
];
/// Names templates cannot use for `let` values or `for_each` elements.
const RESERVED_NAMES: &[&str] = &["record", "true", "false", "none", "loop"];

/// Compiles a mapping file's text. `name` is the file name used in messages.
pub fn compile(name: &str, text: &str) -> Result<CompiledMapping, CompileError> {
    let file = SourceFile::new(name, text);
    let root = match yaml::parse(text) {
        Ok(root) => root,
        Err(err) => {
            return Err(CompileError {
                diagnostics: vec![yaml_error(&err, text)],
                file,
            });
        }
    };
    let mut c = Compiler::new(text);
    let parts = c.mapping(&root, name);
    let errors = c.diags.iter().any(Diagnostic::is_error);
    match parts {
        Some(parts) if !errors => Ok(CompiledMapping {
            name: parts.name,
            file,
            env: c.env,
            templates: c.templates,
            exprs: c.exprs,
            filter: parts.filter,
            lets: parts.lets,
            let_names: Arc::from(c.let_names),
            lookups: c.lookups,
            finding_outputs: parts
                .outputs
                .iter()
                .filter(|o| o.class.uid() == 2004)
                .count(),
            outputs: parts.outputs,
            source: parts.source,
            warnings: c.diags,
        }),
        _ => {
            let mut diagnostics = c.diags;
            diagnostics.sort_by_key(|d| d.offset());
            Err(CompileError { file, diagnostics })
        }
    }
}

/// Turns serde-saphyr's syntax error into a diagnostic at its position.
fn yaml_error(err: &serde_saphyr::Error, text: &str) -> Diagnostic {
    let message = err.to_string();
    // serde-saphyr renders its own snippet; keep its first line as the message.
    let first = message.lines().next().unwrap_or("invalid YAML").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let first = match first.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest,
        _ => first,
    };
    let diag = Diagnostic::error("M001", format!("invalid YAML: {first}"));
    match err.location() {
        Some(loc) => {
            let index = LineIndex::new(text);
            let offset = loc
                .span()
                .byte_offset()
                .map(|o| o as usize)
                .unwrap_or_else(|| offset_of(&index, text, loc.line(), loc.column()));
            let end = (offset + 1).min(text.len());
            diag.with_label(offset..end, "")
        }
        None => diag,
    }
}

/// Byte offset of a 1-based line and character column.
fn offset_of(index: &LineIndex, text: &str, line: u64, col: u64) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            let in_line: usize = l
                .chars()
                .take(col.saturating_sub(1) as usize)
                .map(char::len_utf8)
                .sum();
            return offset + in_line;
        }
        offset += l.len();
    }
    let _ = index;
    text.len()
}

struct Parts {
    name: String,
    source: SourceHints,
    filter: Option<Cond>,
    lets: Vec<Let>,
    outputs: Vec<Output>,
}

/// Where a value will be stored: the class and the attribute path so far, for OCSF checks.
#[derive(Clone)]
struct Target<'a> {
    class: Option<Class<'static>>,
    profiles: &'a [String],
    /// Dotted attribute path from the document root (`evidences.src_endpoint`).
    path: String,
    /// True below a `json_t` attribute (`unmapped`, `data`): anything goes there.
    free_form: bool,
}

impl Target<'_> {
    fn display(&self) -> String {
        match self.class {
            Some(c) if self.path.is_empty() => c.name().to_owned(),
            Some(c) => format!("{}.{}", c.name(), self.path),
            None => self.path.clone(),
        }
    }
}

struct Compiler<'t> {
    text: &'t str,
    index: LineIndex,
    diags: Vec<Diagnostic>,
    env: Environment<'static>,
    templates: Vec<String>,
    template_sources: Vec<String>,
    exprs: Vec<String>,
    lookups: Vec<Lookup>,
    lookup_ids: HashMap<String, LookupId>,
    let_names: Vec<String>,
    /// Every name under `let:`, known before any of their rules is compiled: inside a `let`,
    /// its own name and later ones are `let` values not yet computed (undefined), not record
    /// fields.
    declared_lets: Vec<String>,
    /// Names `for_each` binds (`item` and every `as:`), which are not record fields.
    scope_vars: Vec<String>,
}

impl<'t> Compiler<'t> {
    fn new(text: &'t str) -> Compiler<'t> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Templates are named after their place in a YAML file; never let the name's extension
        // switch on HTML or JSON escaping.
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_fuel(Some(FUEL_PER_EVALUATION));
        crate::filters::register(&mut env);
        Compiler {
            text,
            index: LineIndex::new(text),
            diags: Vec::new(),
            env,
            templates: Vec::new(),
            template_sources: Vec::new(),
            exprs: Vec::new(),
            lookups: Vec::new(),
            lookup_ids: HashMap::new(),
            let_names: Vec::new(),
            declared_lets: Vec::new(),
            scope_vars: vec!["item".to_owned()],
        }
    }

    fn line(&self, node: &Node) -> usize {
        self.index.line_col(self.text, node.span.start).line
    }

    fn error(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    /// A node of the wrong type: `expected` says what should be there (M003).
    fn wrong_type(&mut self, node: &Node, expected: impl Into<String>) {
        let found = format!("found {}", node.type_name());
        self.error(Diagnostic::error("M003", expected).with_label(node.span.clone(), found));
    }

    /// Checks a mapping node's keys against `allowed`; returns its entries.
    fn entries<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Option<&'n [(Node, Node)]> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type(node, format!("{what} must be a mapping"));
            return None;
        };
        for (key, _) in entries {
            match key.as_str() {
                Some(k) if allowed.contains(&k) => {}
                Some(k) => {
                    let mut d = Diagnostic::error("M002", format!("unknown key `{k}` in {what}"))
                        .with_label(key.span.clone(), "not recognised here");
                    d = match suggest(k, allowed.iter().copied()) {
                        Some(s) => d.with_help(format!("did you mean `{s}`?")),
                        None => d.with_note(format!("expected one of: {}", allowed.join(", "))),
                    };
                    self.error(d);
                }
                None => self.wrong_type(key, format!("keys in {what} must be strings")),
            }
        }
        Some(entries)
    }

    fn mapping(&mut self, root: &Node, file_name: &str) -> Option<Parts> {
        let entries = self.entries(root, "the mapping file", TOP_KEYS)?;
        let get = |k: &str| entries.iter().find(|(key, _)| key.as_str() == Some(k));
        let name = match get("name") {
            Some((_, v)) => self.string(v, "`name`").unwrap_or_default(),
            None => file_stem(file_name),
        };
        if let Some((_, v)) = get("description") {
            self.string(v, "`description`");
        }
        let source = get("source")
            .map(|(_, v)| self.source(v))
            .unwrap_or_default();
        if let Some((_, v)) = get("lookups") {
            self.lookups(v);
        }
        let filter = get("filter").and_then(|(_, v)| self.cond(v, "`filter`"));
        let lets = get("let").map(|(_, v)| self.lets(v)).unwrap_or_default();
        let outputs = match get("outputs") {
            Some((_, v)) => self.outputs(v),
            None => {
                self.error(
                    Diagnostic::error("M004", "the mapping has no `outputs`")
                        .with_label(0..0, "")
                        .with_help("add `outputs:` with at least one `class:` and its `fields:`"),
                );
                Vec::new()
            }
        };
        Some(Parts {
            name,
            source,
            filter,
            lets,
            outputs,
        })
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match node.as_str() {
            Some(s) => Some(s.to_owned()),
            None => {
                self.wrong_type(node, format!("{what} must be a string"));
                None
            }
        }
    }

    fn source(&mut self, node: &Node) -> SourceHints {
        let mut hints = SourceHints::default();
        let Some(entries) = self.entries(node, "`source`", SOURCE_KEYS) else {
            return hints;
        };
        for (k, v) in entries {
            match k.as_str() {
                Some("format") => hints.format = self.string(v, "`source.format`"),
                Some("delimiter") => match v.as_str().map(str::as_bytes) {
                    Some([b]) => hints.delimiter = Some(*b),
                    Some(b"\\t") => hints.delimiter = Some(b'\t'),
                    _ => self.error(
                        Diagnostic::error("M003", "`source.delimiter` must be one ASCII character")
                            .with_label(v.span.clone(), "")
                            .with_help("for tabs write `delimiter: \"\\t\"`"),
                    ),
                },
                Some("year") => match &v.kind {
                    NodeKind::Number(n) => match n.as_i64().and_then(|y| i32::try_from(y).ok()) {
                        Some(y) => hints.year = Some(y),
                        None => self.error(
                            Diagnostic::error("M003", "`source.year` must be a year")
                                .with_label(v.span.clone(), ""),
                        ),
                    },
                    _ => self.wrong_type(v, "`source.year` must be a year, e.g. 2024"),
                },
                Some("timezone") => hints.timezone = self.string(v, "`source.timezone`"),
                Some("body") => {
                    if let Some(text) = self.string(v, "`source.body`") {
                        match text.parse::<ocsf_map_parsers::BodyParser>() {
                            Ok(_) => hints.body = Some(text),
                            Err(e) => self.error(
                                Diagnostic::error("M003", "invalid `source.body`")
                                    .with_label(v.span.clone(), e.to_string())
                                    .with_help(
                                        "write `kv`, `cef` or `regex:<pattern with named groups>`",
                                    ),
                            ),
                        }
                    }
                }
                Some("raw") => {
                    if let Some(text) = self.string(v, "`source.raw`") {
                        if RAW_FORMATS.contains(&text.as_str()) {
                            hints.raw = Some(text);
                        } else {
                            self.error(
                                Diagnostic::error("M003", "invalid `source.raw`")
                                    .with_label(
                                        v.span.clone(),
                                        format!("`{text}` is not a format for `_raw`"),
                                    )
                                    .with_note(format!("formats: {}", RAW_FORMATS.join(", "))),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        hints
    }

    fn lookups(&mut self, node: &Node) {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type(node, "`lookups` must be a mapping of table names to tables");
            return;
        };
        for (name_node, table) in entries {
            let Some(name) = self.string(name_node, "a lookup table name") else {
                continue;
            };
            if let Some(lookup) = self.lookup_table(table, &name) {
                let id = LookupId(self.lookups.len());
                self.lookups.push(lookup);
                self.lookup_ids.insert(name, id);
            }
        }
    }

    /// `{map: {key: value, ...}, fallback: value}`.
    fn lookup_table(&mut self, node: &Node, name: &str) -> Option<Lookup> {
        let entries = self.entries(node, "a lookup table", LOOKUP_KEYS)?;
        let mut table = HashMap::new();
        let mut fallback = None;
        let mut have_map = false;
        for (k, v) in entries {
            match k.as_str() {
                Some("map") => {
                    have_map = true;
                    let NodeKind::Map(rows) = &v.kind else {
                        self.wrong_type(v, "`map` must be a mapping of source values to results");
                        continue;
                    };
                    for (from, to) in rows {
                        if matches!(from.kind, NodeKind::Seq(_) | NodeKind::Map(_)) {
                            self.error(
                                Diagnostic::error("M003", "lookup keys must be scalars")
                                    .with_label(from.span.clone(), ""),
                            );
                            continue;
                        }
                        table.insert(from.scalar_text(), to.to_json());
                    }
                }
                Some("fallback") => fallback = Some(v.to_json()),
                _ => {}
            }
        }
        if !have_map {
            self.error(
                Diagnostic::error("M004", format!("lookup table `{name}` has no `map`"))
                    .with_label(node.span.clone(), "")
                    .with_help("write `map: {source value: result, ...}`"),
            );
            return None;
        }
        Some(Lookup {
            name: name.to_owned(),
            table,
            fallback,
        })
    }

    fn lets(&mut self, node: &Node) -> Vec<Let> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type(node, "`let` must be a mapping of names to values");
            return Vec::new();
        };
        self.declared_lets = entries
            .iter()
            .filter_map(|(name, _)| name.as_str().map(str::to_owned))
            .collect();
        let mut lets = Vec::new();
        for (name_node, value) in entries {
            let Some(name) = self.string(name_node, "a `let` name") else {
                continue;
            };
            if !self.check_identifier(&name, name_node) {
                continue;
            }
            let target = Target {
                class: None,
                profiles: &[],
                path: format!("let.{name}"),
                free_form: true,
            };
            if let Some(spec) = self.spec(value, &target) {
                self.let_names.push(name.clone());
                lets.push(Let {
                    target: format!("let.{name}"),
                    spec,
                });
            }
        }
        lets
    }

    fn check_identifier(&mut self, name: &str, node: &Node) -> bool {
        let mut chars = name.chars();
        let ok = chars
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
            && chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
        if !ok {
            self.error(
                Diagnostic::error(
                    "M026",
                    format!("`{name}` cannot be used as a name in templates"),
                )
                .with_label(node.span.clone(), "")
                .with_help("use letters, digits and `_`, starting with a letter or `_`"),
            );
        } else if RESERVED_NAMES.contains(&name) {
            self.error(
                Diagnostic::error("M026", format!("`{name}` is a reserved name"))
                    .with_label(node.span.clone(), "")
                    .with_note(format!("reserved: {}", RESERVED_NAMES.join(", "))),
            );
            return false;
        }
        ok
    }

    fn outputs(&mut self, node: &Node) -> Vec<Output> {
        let items: Vec<&Node> = match &node.kind {
            NodeKind::Seq(items) => items.iter().collect(),
            NodeKind::Map(_) => vec![node],
            _ => {
                self.wrong_type(node, "`outputs` must be a list of outputs");
                return Vec::new();
            }
        };
        if items.is_empty() {
            self.error(
                Diagnostic::error("M004", "`outputs` is empty")
                    .with_label(node.span.clone(), "")
                    .with_help("add at least one output with `class:` and `fields:`"),
            );
        }
        items
            .into_iter()
            .filter_map(|item| self.output(item))
            .collect()
    }

    fn output(&mut self, node: &Node) -> Option<Output> {
        let entries = self.entries(node, "an output", OUTPUT_KEYS)?;
        let get = |k: &str| entries.iter().find(|(key, _)| key.as_str() == Some(k));
        let class = match get("class") {
            Some((_, v)) => self.class(v),
            None => {
                self.error(
                    Diagnostic::error("M004", "this output has no `class`")
                        .with_label(node.span.start..node.span.start, "")
                        .with_help(
                            "add `class: detection_finding` (or email_activity, network_activity)",
                        ),
                );
                None
            }
        };
        let profiles = match get("profiles") {
            Some((_, v)) => self.profiles(v, class),
            None => Vec::new(),
        };
        let mut when = get("when").and_then(|(_, v)| self.cond(v, "`when`"));
        let var: Arc<str> = match get("as") {
            Some((k, v)) => {
                let name = self.string(v, "`as`").unwrap_or_else(|| "item".to_owned());
                if get("for_each").is_none() {
                    self.error(
                        Diagnostic::error("M024", "`as` names the element of a `for_each`")
                            .with_label(k.span.clone(), "but this output has no `for_each`"),
                    );
                }
                self.check_identifier(&name, v);
                self.scope_vars.push(name.clone());
                name.into()
            }
            None => "item".into(),
        };
        let for_each = get("for_each").and_then(|(_, v)| {
            let target = Target {
                class: None,
                profiles: &[],
                path: "for_each".into(),
                free_form: true,
            };
            self.spec(v, &target).map(|source| ForEach { source, var })
        });
        let target = Target {
            class,
            profiles: &profiles,
            path: String::new(),
            free_form: class.is_none(),
        };
        let fields = match get("fields") {
            Some((_, v)) => self.fields(v, &target).unwrap_or_default(),
            None => {
                self.error(
                    Diagnostic::error("M004", "this output has no `fields`")
                        .with_label(node.span.start..node.span.start, ""),
                );
                Vec::new()
            }
        };
        let class = class?;
        if let Some(w) = &mut when {
            w.target = format!("{} (when)", class.name());
        }
        let span = get("class").map_or(node.span.clone(), |(_, v)| v.span.clone());
        lint::required(&mut self.diags, class, &profiles, &fields, span);
        let mut slots = crate::program::slots(&fields);
        let mut shape = Shape::new();
        crate::program::shape(&fields, &slots, &mut shape);
        // What `Run::document` adds after the fields.
        if !profiles.is_empty()
            && let Some(metadata) = shape.object("metadata")
        {
            metadata.value("profiles", None);
        }
        if class.uid() == crate::apply::DETECTION_FINDING
            && let Some(info) = shape.object("finding_info")
        {
            info.value("uid", None);
        }
        let finalize = class.finalize_plan(&shape);
        crate::program::size_slots(&mut slots, &finalize, &mut Vec::new());
        Some(Output {
            class,
            profiles,
            when,
            for_each,
            fields,
            slots,
            finalize,
        })
    }

    fn class(&mut self, node: &Node) -> Option<Class<'static>> {
        let schema = Schema::ocsf();
        let text = match &node.kind {
            NodeKind::Str(s) => s.clone(),
            NodeKind::Number(n) => n.to_string(),
            _ => {
                self.string(node, "`class`");
                return None;
            }
        };
        match schema.class(&text) {
            Some(class) => Some(class),
            None => {
                let mut d = Diagnostic::error("M010", format!("unknown OCSF class `{text}`"))
                    .with_label(node.span.clone(), "not a class ocsf-map can emit");
                let names: Vec<&str> = schema.class_names().collect();
                d = match suggest(&text, names.iter().copied()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_note(format!("classes: {}", names.join(", "))),
                };
                self.error(d);
                None
            }
        }
    }

    fn profiles(&mut self, node: &Node, class: Option<Class<'static>>) -> Vec<String> {
        let NodeKind::Seq(items) = &node.kind else {
            self.wrong_type(node, "`profiles` must be a list of OCSF profile names");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let Some(name) = self.string(item, "a profile name") else {
                continue;
            };
            if let Some(class) = class
                && !class.profiles().any(|p| p == name)
            {
                let known: Vec<&str> = class.profiles().collect();
                let mut d = Diagnostic::error(
                    "M030",
                    format!("`{}` has no profile `{name}`", class.name()),
                )
                .with_label(item.span.clone(), "");
                d = match suggest(&name, known.iter().copied()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_note(format!("profiles: {}", known.join(", "))),
                };
                self.error(d);
                continue;
            }
            out.push(name);
        }
        out
    }

    fn cond(&mut self, node: &Node, what: &str) -> Option<Cond> {
        let line = self.line(node);
        let expr = match &node.kind {
            NodeKind::Str(s) => self.expr(s, node)?,
            NodeKind::Bool(b) => self.expr(if *b { "true" } else { "false" }, node)?,
            _ => {
                self.wrong_type(node, format!("{what} must be an expression (a string)"));
                return None;
            }
        };
        let source = self.exprs[expr.0].clone();
        let reads = self.expr_reads(&source);
        self.near_let_names(&reads, node);
        Some(Cond {
            expr,
            line,
            target: what.trim_matches('`').to_owned(),
            source,
            reads,
        })
    }

    /// Whether a name a template reads (`alert.signature`, `conn.action`) is a record field
    /// rather than a `let` value, a `for_each` element or `record` itself.
    fn is_record_field(&self, name: &str) -> bool {
        let head = name.split('.').next().unwrap_or(name);
        head != "record"
            && !self.let_names.iter().any(|l| l == head)
            && !self.declared_lets.iter().any(|l| l == head)
            && !self.scope_vars.iter().any(|v| v == head)
    }

    /// Warns (M043) about a record field a rule reads whose name is one typo away from a `let`
    /// or `for_each` name: a record field may be absent, so `{expr: directon_id}` would
    /// quietly leave its attribute out on every record instead of failing.
    fn near_let_names(&mut self, reads: &[String], node: &Node) {
        for read in reads {
            let head = read.split('.').next().unwrap_or(read);
            let near = self
                .declared_lets
                .iter()
                .chain(&self.scope_vars)
                .find(|name| one_typo_apart(head, name))
                .cloned();
            if let Some(name) = near {
                // The name where the rule's text has it as written (a flow mapping's span is
                // its start: look to the end of its line too), else the rule.
                let start = node.span.start;
                let line_end = self.text[start..]
                    .find('\n')
                    .map_or(self.text.len(), |n| start + n);
                let span = match self.text[start..node.span.end.max(line_end)].find(head) {
                    Some(at) => start + at..start + at + head.len(),
                    None => node.span.clone(),
                };
                self.diags.push(
                    Diagnostic::warning(
                        "M043",
                        format!("`{head}` is read from the record, and there is no such `let`"),
                    )
                    .with_label(span, "a record field: when absent, the value is left out")
                    .with_help(format!("did you mean `{name}`?")),
                );
            }
        }
    }

    /// The record fields an expression reads.
    fn expr_reads(&self, source: &str) -> Vec<String> {
        let own = |name: &String| self.is_record_field(name);
        let mut reads: Vec<String> = self
            .env
            .compile_expression(source)
            .map(|e| {
                e.undeclared_variables(true)
                    .into_iter()
                    .filter(own)
                    .collect()
            })
            .unwrap_or_default();
        reads.extend(record_subscripts(source));
        reads.sort();
        reads.dedup();
        reads
    }

    /// Byte offset where a scalar's text starts (past an opening quote), when the text in the
    /// file is the value verbatim; `None` for block scalars and strings with escapes.
    fn content_offset(&self, node: &Node, content: &str) -> Option<usize> {
        let at = self.text.get(node.span.start..)?;
        if at.starts_with(content) {
            return Some(node.span.start);
        }
        let unquoted = at.strip_prefix(['"', '\''])?;
        unquoted.starts_with(content).then_some(node.span.start + 1)
    }

    /// Span of a sub-range of a scalar's content (kept inside the content, at least one
    /// character wide), or the whole scalar.
    fn inner_span(&self, node: &Node, content: &str, range: Range<usize>) -> Range<usize> {
        match self.content_offset(node, content) {
            Some(base) if !content.is_empty() => {
                let last = content.char_indices().last().map_or(0, |(i, _)| i);
                let start = range.start.min(last);
                let end = range.end.clamp(start + 1, content.len());
                base + start..base + end
            }
            _ => node.span.clone(),
        }
    }

    fn expr(&mut self, source: &str, node: &Node) -> Option<ExprId> {
        match self.env.compile_expression(source) {
            Ok(_) => {
                if !self.callables_exist(source, true, node) {
                    return None;
                }
                self.exprs.push(source.to_owned());
                Some(ExprId(self.exprs.len() - 1))
            }
            Err(err) => {
                let range = err.range().unwrap_or(0..source.len());
                let span = self.inner_span(node, source, range);
                self.error(
                    Diagnostic::error("M022", "invalid expression")
                        .with_label(span, detail(&err))
                        .with_note("expressions use Jinja syntax, e.g. `alert.severity | int`"),
                );
                None
            }
        }
    }

    fn template(&mut self, source: &str, node: &Node) -> Option<TemplateId> {
        let name = format!("line {}", self.line(node));
        let name = format!("{name} #{}", self.templates.len());
        match self.env.add_template_owned(name.clone(), source.to_owned()) {
            Ok(()) => {
                if !self.callables_exist(source, false, node) {
                    return None;
                }
                self.templates.push(name);
                self.template_sources.push(source.to_owned());
                Some(TemplateId(self.templates.len() - 1))
            }
            Err(err) => {
                let range = err.range().unwrap_or(0..source.len());
                let span = self.inner_span(node, source, range);
                self.error(
                    Diagnostic::error("M021", "invalid template").with_label(span, detail(&err)),
                );
                None
            }
        }
    }

    /// Checks that every filter (`x | lower`) and test (`x is defined`) a template or expression
    /// names exists, reporting each that does not: the template engine looks them up only when
    /// it runs, so an unknown one would otherwise fail every record. `in_expr`: `source` is an
    /// expression rather than a template.
    fn callables_exist(&mut self, source: &str, in_expr: bool, node: &Node) -> bool {
        use minijinja::machinery::{Token, tokenize};
        let mut ok = true;
        let mut previous: [Option<Token<'_>>; 2] = [None, None];
        for token in tokenize(source, in_expr, Default::default()) {
            // Compiled already: the source lexes.
            let Ok((token, span)) = token else { break };
            if let Token::Ident(name) = token {
                let kind = match previous {
                    [_, Some(Token::Pipe)] => Some(Callable::Filter),
                    [_, Some(Token::Ident("is"))] if name != "not" => Some(Callable::Test),
                    [Some(Token::Ident("is")), Some(Token::Ident("not"))] => Some(Callable::Test),
                    _ => None,
                };
                if let Some(kind) = kind
                    && !self.callable_exists(kind, name)
                {
                    ok = false;
                    let range = span.start_offset as usize..span.end_offset as usize;
                    let span = self.inner_span(node, source, range);
                    let what = kind.name();
                    self.error(
                        Diagnostic::error("M028", format!("unknown {what} `{name}`"))
                            .with_label(span, format!("no {what} of this name"))
                            .with_note(format!(
                                "the {what}s are minijinja's built-in ones \
                                 (https://docs.rs/minijinja/latest/minijinja/{what}s/) and \
                                 ocsf-map's own (docs/mapping.md)"
                            )),
                    );
                }
            }
            previous = [previous[1].take(), Some(token)];
        }
        ok
    }

    /// Whether the environment has a filter or test named `name`: applying it to `none` fails
    /// as unknown only if it has not.
    fn callable_exists(&self, kind: Callable, name: &str) -> bool {
        let (source, unknown) = match kind {
            Callable::Filter => (format!("none | {name}"), ErrorKind::UnknownFilter),
            Callable::Test => (format!("none is {name}"), ErrorKind::UnknownTest),
        };
        let result = self
            .env
            .compile_expression(&source)
            .and_then(|expr| expr.eval(()));
        !matches!(result, Err(e) if e.kind() == unknown)
    }

    fn path(&mut self, source: &str, node: &Node) -> Option<Selector> {
        match Selector::parse(source) {
            Ok(sel) => Some(sel),
            Err(err) => {
                let span = self.inner_span(node, source, err.offset..err.offset + 1);
                self.error(
                    Diagnostic::error("M020", "invalid JSONPath")
                        .with_label(span, err.message)
                        .with_note(
                            "paths follow RFC 9535, e.g. `$.alert.signature` or `$['id.orig_h']`",
                        ),
                );
                None
            }
        }
    }

    /// A `fields:` block: dotted target paths to value rules.
    fn fields(&mut self, node: &Node, target: &Target<'_>) -> Option<Vec<Field>> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type(
                node,
                "`fields` must be a mapping of OCSF attributes to values",
            );
            return None;
        };
        let mut fields: Vec<Field> = Vec::new();
        let mut seen: Vec<(Vec<String>, Range<usize>)> = Vec::new();
        for (key, value) in entries {
            let Some(path) = self.string(key, "an attribute path") else {
                continue;
            };
            let segments: Vec<String> = path.split('.').map(str::to_owned).collect();
            if segments.iter().any(String::is_empty) {
                self.error(
                    Diagnostic::error("M011", format!("`{path}` is not an attribute path"))
                        .with_label(key.span.clone(), "empty segment")
                        .with_help(
                            "write attribute names joined by dots, e.g. `finding_info.title`",
                        ),
                );
                continue;
            }
            if let Some((_, other)) = seen
                .iter()
                .find(|(s, _)| is_prefix(s, &segments) || is_prefix(&segments, s))
            {
                self.error(
                    Diagnostic::error("M012", format!("`{path}` is set twice"))
                        .with_label(key.span.clone(), "this rule")
                        .with_context(other.clone(), "overlaps this one")
                        .with_help("set an attribute in one place; use `when` for alternatives"),
                );
                continue;
            }
            seen.push((segments.clone(), key.span.clone()));
            let full = if target.path.is_empty() {
                path.clone()
            } else {
                format!("{}.{path}", target.path)
            };
            let (attr, free_form) = self.resolve(target, &full, key);
            let inner = Target {
                class: target.class,
                profiles: target.profiles,
                path: full,
                free_form,
            };
            if let Some(mut spec) = self.spec(value, &inner) {
                if let (Some(attr), Some(class)) = (attr, target.class) {
                    self.check_value(class, &inner.path, attr, &mut spec, value);
                }
                let other = if spec.other {
                    self.other_pair(target.class, &inner.path, attr, &segments, key)
                } else {
                    None
                };
                let last = segments.last().cloned().unwrap_or_default();
                fields.push(Field {
                    key: last,
                    segments,
                    target: inner.display(),
                    spec,
                    attr,
                    key_span: key.span.clone(),
                    other,
                });
            }
        }
        Some(fields)
    }

    /// For `other: true`: the enumeration pair the attribute at `path` belongs to (it must be an
    /// enumerated id with a caption, or such a caption).
    fn other_pair(
        &mut self,
        class: Option<Class<'static>>,
        path: &str,
        attr: Option<ocsf_map_schema::Attribute<'static>>,
        segments: &[String],
        key: &Node,
    ) -> Option<OtherPair> {
        let (class, attr) = (class?, attr?);
        let own = segments.last().cloned().unwrap_or_default();
        if let Some(caption) = attr
            .sibling()
            .filter(|_| attr.enum_values().next().is_some())
        {
            return Some(OtherPair {
                id: attr,
                id_key: own,
                caption_key: caption.to_owned(),
                rule_sets_caption: false,
            });
        }
        if let Some(id) = lint::caption_of(class, path, attr) {
            return Some(OtherPair {
                id,
                id_key: id.name().to_owned(),
                caption_key: own,
                rule_sets_caption: true,
            });
        }
        self.error(
            Diagnostic::error(
                "M027",
                "`other` applies to an enumerated attribute or its caption",
            )
            .with_label(key.span.clone(), format!("`{path}` has no enumeration"))
            .with_help("use it on e.g. `severity_id` or `severity`"),
        );
        None
    }

    /// Resolves an attribute path against the class. Returns the attribute (for coercion) and
    /// whether the path is inside a free-form (`json_t`) attribute.
    fn resolve(
        &mut self,
        target: &Target<'_>,
        full: &str,
        key: &Node,
    ) -> (Option<ocsf_map_schema::Attribute<'static>>, bool) {
        let Some(class) = target.class else {
            return (None, true);
        };
        if target.free_form {
            return (None, true);
        }
        let profiles: Vec<&str> = target.profiles.iter().map(String::as_str).collect();
        match class.attribute(full, &profiles) {
            // A path below a free-form attribute (`unmapped.x.y`) resolves to that attribute:
            // anything may be stored there, so there is nothing to coerce to.
            Ok(attr) if attr.is_free_form() => {
                let is_itself = full.rsplit('.').next() == Some(attr.name());
                (is_itself.then_some(attr), true)
            }
            Ok(attr) => (Some(attr), false),
            Err(err) => {
                let mut d = Diagnostic::error(
                    "M011",
                    format!("`{full}` is not an attribute of `{}`", class.name()),
                )
                .with_label(key.span.clone(), err.to_string());
                if let ocsf_map_schema::PathErrorKind::NeedsProfile(profile) = err.kind() {
                    d = d.with_help(format!("add `profiles: [{profile}]` to this output"));
                }
                self.error(d);
                (None, true)
            }
        }
    }

    /// A value rule: a scalar shorthand, a list, or a mapping of value keywords.
    fn spec(&mut self, node: &Node, target: &Target<'_>) -> Option<Spec> {
        let mut spec = self.spec_inner(node, target)?;
        self.annotate(&mut spec);
        if matches!(
            spec.kind,
            SpecKind::Template(_) | SpecKind::Text(..) | SpecKind::Expr(_) | SpecKind::Let(..)
        ) {
            self.near_let_names(&spec.reads, node);
        }
        Some(spec)
    }

    /// Records what a rule says and which record fields it reads (for `explain`, `coverage`).
    fn annotate(&self, spec: &mut Spec) {
        let own = |name: &String| self.is_record_field(name);
        let (source, mut reads): (String, Vec<String>) = match &spec.kind {
            SpecKind::Literal(v) => (v.to_string(), Vec::new()),
            SpecKind::Path(sel) => (sel.text.clone(), sel.reads().into_iter().collect()),
            SpecKind::Template(id) => {
                let reads = self
                    .env
                    .get_template(&self.templates[id.0])
                    .map(|t| {
                        t.undeclared_variables(true)
                            .into_iter()
                            .filter(own)
                            .collect()
                    })
                    .unwrap_or_default();
                let source = self.template_sources[id.0].clone();
                let mut reads: Vec<String> = reads;
                reads.extend(record_subscripts(&source));
                (source, reads)
            }
            SpecKind::Text(id, pieces) => {
                let source = self.template_sources[id.0].clone();
                let reads = pieces
                    .iter()
                    .filter_map(|p| match p {
                        Piece::Field(sel) => sel.reads(),
                        Piece::Text(_) => None,
                    })
                    .collect();
                (source, reads)
            }
            SpecKind::Expr(id) | SpecKind::Let(_, id) => {
                let src = &self.exprs[id.0];
                (format!("expr: {src}"), self.expr_reads(src))
            }
            // Composite rules read what their parts read.
            SpecKind::Object(fields, _) => (
                "fields: ...".to_owned(),
                fields
                    .iter()
                    .flat_map(|f| f.spec.reads.iter().cloned())
                    .collect(),
            ),
            SpecKind::Array(items) => (
                "[...]".to_owned(),
                items.iter().flat_map(|i| i.reads.iter().cloned()).collect(),
            ),
            SpecKind::ForEach(each, body) => (
                format!("for_each: {}", each.source.source),
                each.source
                    .reads
                    .iter()
                    .chain(&body.reads)
                    .cloned()
                    .collect(),
            ),
        };
        if let Some(when) = &spec.when {
            reads.extend(when.reads.iter().cloned());
        }
        reads.sort();
        reads.dedup();
        spec.source = source;
        spec.reads = reads;
    }

    fn spec_inner(&mut self, node: &Node, target: &Target<'_>) -> Option<Spec> {
        let line = self.line(node);
        let plain = |kind| Spec::new(kind, line);
        match &node.kind {
            NodeKind::Null => {
                self.error(
                    Diagnostic::error("M024", "a value cannot be null")
                        .with_label(node.span.clone(), "")
                        .with_help(
                            "leave the attribute out, or use `when:` to set it only sometimes",
                        ),
                );
                None
            }
            NodeKind::Bool(_) | NodeKind::Number(_) => {
                Some(plain(SpecKind::Literal(node.to_json())))
            }
            NodeKind::Str(s) => self.string_spec(s, node).map(plain),
            NodeKind::Seq(items) => {
                let specs: Vec<Spec> = items.iter().filter_map(|i| self.spec(i, target)).collect();
                (specs.len() == items.len()).then(|| plain(SpecKind::Array(specs)))
            }
            NodeKind::Map(entries) => {
                if let [(k, v)] = entries.as_slice()
                    && matches!(k.kind, NodeKind::Map(_))
                    && v.kind == NodeKind::Null
                {
                    self.error(
                        Diagnostic::error("M025", "a template must be quoted in YAML")
                            .with_label(node.span.clone(), "YAML reads `{{ ... }}` as a mapping")
                            .with_help("put the whole value in quotes: \"{{ ... }}\""),
                    );
                    return None;
                }
                self.spec_map(node, entries, target, line)
            }
        }
    }

    /// `$...` is a JSONPath, a string with `{{` or `{%` a template, anything else a literal.
    fn string_spec(&mut self, s: &str, node: &Node) -> Option<SpecKind> {
        if s.starts_with('$') {
            self.path(s, node).map(SpecKind::Path)
        } else if s.contains("{{") || s.contains("{%") {
            self.template(s, node).map(|id| self.lower_template(s, id))
        } else {
            Some(SpecKind::Literal(Value::String(s.to_owned())))
        }
    }

    /// A template that is only text and record fields (`"{{ flow_id }}"`,
    /// `"suricata:{{ flow_id }}:{{ timestamp }}"`) is joined directly on the common path,
    /// without running the template engine; the template stays for the uncommon cases (see
    /// `SpecKind::Text`). Anything else — filters, tags, comments, whitespace control, `let`
    /// names, a trailing newline (which the engine drops) — keeps the template.
    fn lower_template(&self, source: &str, id: TemplateId) -> SpecKind {
        match self.pieces(source) {
            Some(pieces) => SpecKind::Text(id, pieces),
            None => SpecKind::Template(id),
        }
    }

    fn pieces(&self, source: &str) -> Option<Vec<Piece>> {
        let identifier = |p: &str| {
            let mut c = p.chars();
            c.next()
                .is_some_and(|f| f == '_' || f.is_ascii_alphabetic())
                && c.all(|x| x == '_' || x.is_ascii_alphanumeric())
        };
        let plain = |text: &str| {
            !["{%", "{#", "}}", "%}", "#}"]
                .iter()
                .any(|t| text.contains(t))
        };
        if source.ends_with('\n') {
            return None;
        }
        let mut pieces = Vec::new();
        let mut rest = source;
        while let Some(open) = rest.find("{{") {
            let (text, tail) = rest.split_at(open);
            if !plain(text) {
                return None;
            }
            if !text.is_empty() {
                pieces.push(Piece::Text(text.to_owned()));
            }
            let close = tail.find("}}")?;
            let name = tail[2..close].trim();
            // The template engine reads these as literals, not as names.
            let literal = ["none", "None", "true", "True", "false", "False"]
                .contains(&name.split('.').next().unwrap_or(name));
            let simple = !name.is_empty() && !literal && name.split('.').all(identifier);
            if !simple || !self.is_record_field(name) {
                return None;
            }
            pieces.push(Piece::Field(Selector::parse(&format!("$.{name}")).ok()?));
            rest = &tail[close + 2..];
        }
        if !plain(rest) {
            return None;
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        pieces
            .iter()
            .any(|p| matches!(p, Piece::Field(_)))
            .then_some(pieces)
    }

    /// An expression that is just a `let` name reads the value directly.
    fn lower_expr(&self, source: &str, id: ExprId) -> SpecKind {
        let name = source.trim();
        let shadowed = self.scope_vars.iter().any(|v| v == name);
        match self.let_names.iter().position(|l| l == name) {
            Some(i) if !shadowed => SpecKind::Let(i, id),
            _ => SpecKind::Expr(id),
        }
    }

    fn spec_map(
        &mut self,
        node: &Node,
        entries: &[(Node, Node)],
        target: &Target<'_>,
        line: usize,
    ) -> Option<Spec> {
        let unknown: Vec<&Node> = entries
            .iter()
            .map(|(k, _)| k)
            .filter(|k| k.as_str().is_none_or(|s| !SPEC_KEYS.contains(&s)))
            .collect();
        if !unknown.is_empty() {
            for k in unknown {
                let name = k.as_str().unwrap_or("?");
                let mut d = Diagnostic::error("M002", format!("unknown key `{name}` in a value"))
                    .with_label(k.span.clone(), "not a value keyword");
                d = match suggest(name, SPEC_KEYS.iter().copied()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!(
                        "to build an object write `fields: {{{name}: ...}}`, or set `{}.{name}` directly",
                        if target.path.is_empty() { "<attribute>" } else { &target.path }
                    )),
                };
                self.error(d);
            }
            return None;
        }
        let get = |k: &str| entries.iter().find(|(key, _)| key.as_str() == Some(k));
        // The `for_each` element's name is not a record field, for the body's reads.
        if let Some(name) = get("as").and_then(|(_, a)| a.as_str()) {
            self.scope_vars.push(name.to_owned());
        }
        let sources: Vec<&(Node, Node)> = entries
            .iter()
            .filter(|(k, _)| k.as_str().is_some_and(|s| SOURCE_SPEC_KEYS.contains(&s)))
            .collect();
        let body = match sources.as_slice() {
            [(k, v)] => self.spec_source(k, v, target),
            [] => {
                self.error(
                    Diagnostic::error("M024", "this value says nothing about where it comes from")
                        .with_label(node.span.clone(), "")
                        .with_help("add one of `path`, `template`, `expr`, `value` or `fields`"),
                );
                None
            }
            [(first, _), (second, _), ..] => {
                self.error(
                    Diagnostic::error("M024", "a value has one source")
                        .with_label(second.span.clone(), "second source")
                        .with_context(first.span.clone(), "first source"),
                );
                None
            }
        };
        let mut spec = Spec::new(body?, line);
        if let Some((_, v)) = get("lookup") {
            spec.lookup = self.lookup_ref(v);
            spec.lookup?;
        }
        if let Some((k, v)) = get("fallback") {
            if get("lookup").is_none() {
                self.error(
                    Diagnostic::error("M024", "`fallback` goes with `lookup`")
                        .with_label(k.span.clone(), "no `lookup` in this value")
                        .with_help("use `default` for a value to use when the source is missing"),
                );
            }
            spec.fallback = Some(v.to_json());
        }
        if let Some((_, v)) = get("default") {
            spec.default = Some(v.to_json());
        }
        if let Some((_, v)) = get("when") {
            let mut cond = self.cond(v, "`when`")?;
            cond.target = format!("{} (when)", target.display());
            spec.when = Some(cond);
        }
        if let Some((_, v)) = get("required") {
            match v.kind {
                NodeKind::Bool(b) => spec.required = b,
                _ => self.wrong_type(v, "`required` must be true or false"),
            }
        }
        if let Some((_, v)) = get("other") {
            match v.kind {
                NodeKind::Bool(b) => spec.other = b,
                _ => self.wrong_type(v, "`other` must be true or false"),
            }
        }
        // With `for_each`, the rule above (and its lookup, default, when) is applied to each
        // element; the array of results is the value.
        if let Some((_, v)) = get("for_each") {
            let var: Arc<str> = match get("as") {
                Some((_, a)) => {
                    let name = self.string(a, "`as`")?;
                    self.check_identifier(&name, a);
                    name.into()
                }
                None => "item".into(),
            };
            let each_target = Target {
                class: None,
                profiles: &[],
                path: "for_each".into(),
                free_form: true,
            };
            let source = self.spec(v, &each_target)?;
            let each = SpecKind::ForEach(Box::new(ForEach { source, var }), Box::new(spec));
            spec = Spec::new(each, line);
        } else if let Some((k, _)) = get("as") {
            self.error(
                Diagnostic::error("M024", "`as` names the element of a `for_each`")
                    .with_label(k.span.clone(), "but this value has no `for_each`"),
            );
        }
        Some(spec)
    }

    fn spec_source(&mut self, key: &Node, value: &Node, target: &Target<'_>) -> Option<SpecKind> {
        let want_str =
            |c: &mut Self, what: &str| -> Option<String> { c.string(value, &format!("`{what}`")) };
        match key.as_str()? {
            "path" => {
                let s = want_str(self, "path")?;
                if !s.starts_with('$') {
                    self.error(
                        Diagnostic::error("M020", "a JSONPath starts with `$`")
                            .with_label(value.span.clone(), "")
                            .with_help(format!("did you mean `$.{s}`?")),
                    );
                    return None;
                }
                self.path(&s, value).map(SpecKind::Path)
            }
            "template" => {
                let s = want_str(self, "template")?;
                self.template(&s, value)
                    .map(|id| self.lower_template(&s, id))
            }
            "expr" => {
                let s = match &value.kind {
                    NodeKind::Str(s) => s.clone(),
                    NodeKind::Number(_) | NodeKind::Bool(_) => value.scalar_text(),
                    _ => want_str(self, "expr")?,
                };
                self.expr(&s, value).map(|id| self.lower_expr(&s, id))
            }
            "value" => Some(SpecKind::Literal(value.to_json())),
            "fields" => self.fields(value, target).map(|f| {
                let slots = crate::program::slots(&f);
                SpecKind::Object(f, slots)
            }),
            _ => None,
        }
    }

    /// Checks a value rule against its OCSF attribute at compile time (see [`lint`]).
    fn check_value(
        &mut self,
        class: Class<'static>,
        path: &str,
        attr: ocsf_map_schema::Attribute<'static>,
        spec: &mut Spec,
        node: &Node,
    ) {
        let table = spec.lookup.map(|id| &self.lookups[id.0]);
        let found = lint::value(class, path, attr, spec, table, node.span.clone());
        self.diags.extend(found);
    }

    fn lookup_ref(&mut self, node: &Node) -> Option<LookupId> {
        match &node.kind {
            NodeKind::Str(name) => match self.lookup_ids.get(name) {
                Some(id) => Some(*id),
                None => {
                    let mut d =
                        Diagnostic::error("M023", format!("no lookup table named `{name}`"))
                            .with_label(node.span.clone(), "");
                    let names: Vec<&str> = self.lookup_ids.keys().map(String::as_str).collect();
                    d = match suggest(name, names.iter().copied()) {
                        Some(s) => d.with_help(format!("did you mean `{s}`?")),
                        None => d.with_help("define it under `lookups:`, or write the table inline: `lookup: {map: {...}}`"),
                    };
                    self.error(d);
                    None
                }
            },
            NodeKind::Map(_) => {
                let name = format!("inline table at line {}", self.line(node));
                let table = self.lookup_table(node, &name)?;
                self.lookups.push(table);
                Some(LookupId(self.lookups.len() - 1))
            }
            _ => {
                self.wrong_type(node, "`lookup` must be a table name or a table");
                None
            }
        }
    }
}

/// Field names a template or expression reads as `record['name']` or `record["name"]` (names
/// that are not identifiers, like Zeek's `id.orig_h`).
fn record_subscripts(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = source;
    while let Some(i) = rest.find("record[") {
        rest = &rest[i + "record[".len()..];
        let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            names.push(rest[1..1 + end].to_owned());
        }
    }
    names
}

fn is_prefix(a: &[String], b: &[String]) -> bool {
    a.len() <= b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

fn file_stem(name: &str) -> String {
    std::path::Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_owned())
}

/// The minijinja error's detail without the "(in template:line)" suffix.
/// What [`Compiler::callables_exist`] checks.
#[derive(Clone, Copy)]
enum Callable {
    Filter,
    Test,
}

impl Callable {
    fn name(self) -> &'static str {
        match self {
            Callable::Filter => "filter",
            Callable::Test => "test",
        }
    }
}

fn detail(err: &minijinja::Error) -> String {
    match err.detail() {
        Some(d) => d.to_owned(),
        None => err.kind().to_string(),
    }
}

/// Whether two different names differ by one edit (two for long names): a likely typo, and
/// unlike [`suggest`] not a field named like a `let` (`direction` beside `direction_id`), nor
/// a plural made of a singular (`recipients` from `recipient`).
fn one_typo_apart(a: &str, b: &str) -> bool {
    let plural = |x: &str, y: &str| x.strip_suffix('s') == Some(y);
    let allowed = if a.len().min(b.len()) >= 8 { 2 } else { 1 };
    a != b
        && a.len() >= 3
        && !plural(a, b)
        && !plural(b, a)
        && strsim::damerau_levenshtein(a, b) <= allowed
}

/// The most similar candidate, if it is similar enough to be a likely typo.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
