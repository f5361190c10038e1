//! The `custom` endpoint's body: an OCSF group projected onto Cisco's simplified shape.
//!
//! The projection and its constraints are data (`src/data/custom_projection.json`), so that a key
//! Cisco publishes later is one line in that file. The format:
//!
//! - `enums.NAME`: OCSF `*_id` value → caption, used when a document has the id but not the caption.
//! - `sections[]`: one per top-level key of the body. `class_uid` selects the OCSF documents of the
//!   group that feed it; `single: true` makes it one object (the finding) instead of an array.
//! - `rules[]`: `{to, from, id?, enum?, default?}`. The value at `from` is copied to `to`; when
//!   there is none and `id` is given, the id at `id` is turned into its caption through `enum`.
//!   `a[]` walks every element of array `a` (the `[]` in `from` and `to` pair up in order);
//!   `a[0]` in `to` wraps a single value into a one-element array. The first rule that fills a key
//!   wins. `default` fills a key left empty: a JSON value, or `"evidence_type"` (`["Email"]` when the
//!   group has email activities, else `["Network"]` when it has network activities).
//! - `checks[]`: `{path, required?, items?, one_of?, int_one_of?, chars?, int?, ms?, format?}` —
//!   every constraint Cisco publishes, checked on the projected body. `items`, `chars`, `int` and
//!   `ms` are inclusive `[min, max]`; `one_of` and `chars` apply to each item of an array value;
//!   `format` is `uri`, `ip` or `mac`.
//!
//! Keys that no rule names are not sent: the top level and `detection_findings` reject unknown
//! keys (INTAKE-API.md).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use serde_json::{Map, Value};

const BUILTIN: &str = include_str!("data/custom_projection.json");

/// One reason a group cannot be sent: where, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// The key in the body that would be sent, e.g. `email_activity[0].email.files[1].name`.
    pub path: String,
    /// What is wrong, for people.
    pub reason: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// A projection table that could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("invalid projection table: {0}")]
pub struct ProjectionTableError(String);

/// The result of projecting a group: the body, and the reasons it cannot be sent (empty when it
/// can).
#[derive(Clone, Debug, PartialEq)]
pub struct Projected {
    /// The `custom_detection_findings` body.
    pub body: Value,
    /// Structural problems (no finding, two findings, a class with no place in the body) and
    /// constraint violations, in that order.
    pub violations: Vec<Violation>,
}

impl Projected {
    /// Whether the body can be sent.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }
}

/// A compiled projection table.
#[derive(Debug)]
pub struct CustomProjection {
    enums: HashMap<String, HashMap<String, String>>,
    sections: Vec<Section>,
}

#[derive(Debug)]
struct Section {
    key: String,
    class_uid: i64,
    single: bool,
    rules: Vec<Rule>,
    checks: Vec<Check>,
}

#[derive(Debug)]
struct Rule {
    to: Vec<Seg>,
    from: Vec<Seg>,
    id: Option<(Vec<Seg>, String)>,
    default: Option<Value>,
}

#[derive(Debug)]
struct Check {
    path: Vec<Seg>,
    spec: CheckSpec,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Each,
    Index(usize),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableSpec {
    #[serde(rename = "_doc", default)]
    _doc: Option<String>,
    enums: HashMap<String, HashMap<String, String>>,
    sections: Vec<SectionSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionSpec {
    key: String,
    class_uid: i64,
    #[serde(default)]
    single: bool,
    rules: Vec<RuleSpec>,
    #[serde(default)]
    checks: Vec<CheckSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    to: String,
    from: String,
    id: Option<String>,
    #[serde(rename = "enum")]
    enum_name: Option<String>,
    default: Option<Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSpec {
    path: String,
    #[serde(default)]
    required: bool,
    items: Option<[u64; 2]>,
    one_of: Option<Vec<String>>,
    int_one_of: Option<Vec<i64>>,
    chars: Option<[u64; 2]>,
    int: Option<[i64; 2]>,
    ms: Option<[i64; 2]>,
    format: Option<Format>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Format {
    Uri,
    Ip,
    Mac,
}

fn parse_path(path: &str) -> Result<Vec<Seg>, ProjectionTableError> {
    let mut segs = Vec::new();
    for part in path.split('.') {
        let (name, suffix) = match part.find('[') {
            Some(i) => (&part[..i], Some(&part[i..])),
            None => (part, None),
        };
        if name.is_empty() {
            return Err(ProjectionTableError(format!("empty key in path `{path}`")));
        }
        segs.push(Seg::Key(name.to_owned()));
        match suffix {
            None => {}
            Some("[]") => segs.push(Seg::Each),
            Some(s) => {
                let n = s
                    .strip_prefix('[')
                    .and_then(|s| s.strip_suffix(']'))
                    .and_then(|s| s.parse::<usize>().ok())
                    .ok_or_else(|| ProjectionTableError(format!("bad index in path `{path}`")))?;
                segs.push(Seg::Index(n));
            }
        }
    }
    Ok(segs)
}

impl CustomProjection {
    /// The table for Cisco's model as published (built in).
    pub fn builtin() -> Arc<CustomProjection> {
        static TABLE: OnceLock<Arc<CustomProjection>> = OnceLock::new();
        TABLE
            .get_or_init(|| {
                Arc::new(
                    CustomProjection::from_json(BUILTIN)
                        .expect("the built-in table is checked by a unit test"),
                )
            })
            .clone()
    }

    /// A table from its JSON text (the format is in the module documentation).
    pub fn from_json(text: &str) -> Result<CustomProjection, ProjectionTableError> {
        let spec: TableSpec =
            serde_json::from_str(text).map_err(|e| ProjectionTableError(e.to_string()))?;
        let mut sections = Vec::new();
        for s in spec.sections {
            let mut rules = Vec::new();
            for r in s.rules {
                let id = match (r.id, r.enum_name) {
                    (Some(id), Some(name)) => {
                        if !spec.enums.contains_key(&name) {
                            return Err(ProjectionTableError(format!("unknown enum `{name}`")));
                        }
                        Some((parse_path(&id)?, name))
                    }
                    (None, None) => None,
                    _ => {
                        return Err(ProjectionTableError(format!(
                            "rule for `{}`: `id` and `enum` go together",
                            r.to
                        )));
                    }
                };
                rules.push(Rule {
                    to: parse_path(&r.to)?,
                    from: parse_path(&r.from)?,
                    id,
                    default: r.default,
                });
            }
            let checks = s
                .checks
                .into_iter()
                .map(|c| {
                    Ok(Check {
                        path: parse_path(&c.path)?,
                        spec: c,
                    })
                })
                .collect::<Result<Vec<_>, ProjectionTableError>>()?;
            sections.push(Section {
                key: s.key,
                class_uid: s.class_uid,
                single: s.single,
                rules,
                checks,
            });
        }
        Ok(CustomProjection {
            enums: spec.enums,
            sections,
        })
    }

    /// Projects a group (one finding plus its evidence) and checks the result.
    pub fn project(&self, docs: &[Value]) -> Projected {
        let mut violations = Vec::new();
        let mut body = Map::new();
        let classes: Vec<i64> = docs.iter().map(class_uid).collect();
        for (i, c) in classes.iter().enumerate() {
            if !self.sections.iter().any(|s| s.class_uid == *c) {
                violations.push(Violation {
                    path: format!("group[{i}]"),
                    reason: format!(
                        "class_uid {c} has no place in the custom body (use the bundle endpoint)"
                    ),
                });
            }
        }
        let has = |uid: i64| classes.contains(&uid);
        let evidence = if has(4009) {
            Some("Email")
        } else if has(4001) {
            Some("Network")
        } else {
            None
        };
        for section in &self.sections {
            let members: Vec<&Value> = docs
                .iter()
                .zip(&classes)
                .filter(|(_, c)| **c == section.class_uid)
                .map(|(d, _)| d)
                .collect();
            if section.single {
                match members.as_slice() {
                    [doc] => {
                        body.insert(
                            section.key.clone(),
                            self.project_doc(section, doc, evidence),
                        );
                    }
                    [] => violations.push(Violation {
                        path: section.key.clone(),
                        reason: format!("the group has no document of class {}", section.class_uid),
                    }),
                    many => violations.push(Violation {
                        path: section.key.clone(),
                        reason: format!(
                            "the group has {} documents of class {}; one is allowed",
                            many.len(),
                            section.class_uid
                        ),
                    }),
                }
            } else if !members.is_empty() {
                let items = members
                    .iter()
                    .map(|d| self.project_doc(section, d, evidence))
                    .collect();
                body.insert(section.key.clone(), Value::Array(items));
            }
        }
        let body = Value::Object(body);
        if violations.is_empty() {
            violations = self.check(&body);
        }
        Projected { body, violations }
    }

    fn project_doc(&self, section: &Section, doc: &Value, evidence: Option<&str>) -> Value {
        let mut out = Value::Object(Map::new());
        for rule in &section.rules {
            let mut filled = false;
            for (_, idx, v) in collect(doc, &rule.from) {
                if !v.is_null() {
                    filled |= insert(&mut out, &rule.to, &idx, v.clone());
                }
            }
            if let Some((id_path, enum_name)) = &rule.id {
                let table = &self.enums[enum_name];
                for (_, idx, v) in collect(doc, id_path) {
                    let caption = match v {
                        Value::Number(n) => n
                            .as_i64()
                            .and_then(|n| table.get(&n.to_string()))
                            .map(|c| Value::String(c.clone()))
                            .unwrap_or_else(|| v.clone()),
                        Value::Null => continue,
                        other => other.clone(),
                    };
                    filled |= insert(&mut out, &rule.to, &idx, caption);
                }
            }
            if !filled {
                let default = match &rule.default {
                    Some(Value::String(s)) if s == "evidence_type" => {
                        evidence.map(|e| Value::Array(vec![Value::String(e.to_owned())]))
                    }
                    Some(v) => Some(v.clone()),
                    None => None,
                };
                if let Some(v) = default {
                    insert(&mut out, &rule.to, &[], v);
                }
            }
        }
        prune(&mut out);
        out
    }

    /// Checks a `custom_detection_findings` body against every constraint in the table.
    pub fn check(&self, body: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        for section in &self.sections {
            let Some(value) = body.get(&section.key) else {
                continue;
            };
            let docs: Vec<(String, &Value)> = match value {
                Value::Array(items) if !section.single => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{}[{i}]", section.key), v))
                    .collect(),
                v => vec![(section.key.clone(), v)],
            };
            for (prefix, doc) in docs {
                for check in &section.checks {
                    check_one(&prefix, doc, check, &mut out);
                }
            }
        }
        out
    }
}

/// Projects a group with the built-in table; see [`CustomProjection::project`].
pub fn project_custom(docs: &[Value]) -> Projected {
    CustomProjection::builtin().project(docs)
}

/// Checks a body with the built-in table; see [`CustomProjection::check`].
pub fn check_constraints(body: &Value) -> Vec<Violation> {
    CustomProjection::builtin().check(body)
}

pub(crate) fn class_uid(doc: &Value) -> i64 {
    doc.get("class_uid").and_then(Value::as_i64).unwrap_or(-1)
}

type Found<'a> = (String, Vec<usize>, &'a Value);

/// Every value at `path` under `v`, with its concrete path and the indices taken by `[]`.
fn collect<'a>(v: &'a Value, path: &[Seg]) -> Vec<Found<'a>> {
    let mut out = Vec::new();
    walk(v, path, String::new(), Vec::new(), &mut out);
    out
}

fn walk<'a>(v: &'a Value, path: &[Seg], at: String, idx: Vec<usize>, out: &mut Vec<Found<'a>>) {
    let Some((first, rest)) = path.split_first() else {
        out.push((at, idx, v));
        return;
    };
    match first {
        Seg::Key(k) => {
            if let Some(child) = v.get(k) {
                let at = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                walk(child, rest, at, idx, out);
            }
        }
        Seg::Each => {
            if let Value::Array(items) = v {
                for (i, item) in items.iter().enumerate() {
                    let mut idx = idx.clone();
                    idx.push(i);
                    walk(item, rest, format!("{at}[{i}]"), idx, out);
                }
            }
        }
        Seg::Index(n) => {
            if let Some(item) = v.get(*n) {
                walk(item, rest, format!("{at}[{n}]"), idx, out);
            }
        }
    }
}

/// Puts `value` at `path` unless something is there already; `[]` takes the next of `idx`.
/// Returns whether it was put.
fn insert(out: &mut Value, path: &[Seg], idx: &[usize], value: Value) -> bool {
    let Some((first, rest)) = path.split_first() else {
        if out.is_null() {
            *out = value;
            return true;
        }
        return false;
    };
    let (slot, idx) = match first {
        Seg::Key(k) => {
            if out.is_null() {
                *out = Value::Object(Map::new());
            }
            let Value::Object(map) = out else {
                return false;
            };
            (map.entry(k.clone()).or_insert(Value::Null), idx)
        }
        Seg::Each | Seg::Index(_) => {
            let (n, idx) = match first {
                Seg::Index(n) => (*n, idx),
                _ => match idx.split_first() {
                    Some((n, rest)) => (*n, rest),
                    None => (0, idx),
                },
            };
            if out.is_null() {
                *out = Value::Array(Vec::new());
            }
            let Value::Array(items) = out else {
                return false;
            };
            if items.len() <= n {
                items.resize(n + 1, Value::Null);
            }
            (&mut items[n], idx)
        }
    };
    insert(slot, rest, idx, value)
}

/// Removes the placeholders `insert` left: nulls in arrays, empty objects and arrays.
fn prune(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                prune(child);
            }
            map.retain(|_, c| !is_empty(c));
        }
        Value::Array(items) => {
            for child in items.iter_mut() {
                prune(child);
            }
            items.retain(|c| !c.is_null() && !is_empty(c));
        }
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

fn join(prefix: &str, rel: &str) -> String {
    if rel.is_empty() {
        prefix.to_owned()
    } else if rel.starts_with('[') {
        format!("{prefix}{rel}")
    } else {
        format!("{prefix}.{rel}")
    }
}

fn check_one(prefix: &str, doc: &Value, check: &Check, out: &mut Vec<Violation>) {
    let spec = &check.spec;
    let mut push = |path: String, reason: String| out.push(Violation { path, reason });
    if spec.required
        && let Some((Seg::Key(last), parent)) = check.path.split_last()
    {
        for (at, _, p) in collect(doc, parent) {
            if p.get(last).is_none_or(Value::is_null) {
                push(join(prefix, &join(&at, last)), "required".to_owned());
            }
        }
    }
    for (at, _, v) in collect(doc, &check.path) {
        let path = join(prefix, &at);
        if let Some([min, max]) = spec.items {
            match v.as_array() {
                Some(a) if (a.len() as u64) < min || a.len() as u64 > max => push(
                    path.clone(),
                    format!("has {} items; {}", a.len(), range_text(min, max, "item")),
                ),
                Some(_) => {}
                None => push(path.clone(), "must be an array".to_owned()),
            }
        }
        let scalars: Vec<(String, &Value)> = match v {
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, x)| (format!("{path}[{i}]"), x))
                .collect(),
            other => vec![(path.clone(), other)],
        };
        for (path, x) in scalars {
            if let Some(reason) = scalar_violation(spec, x) {
                push(path, reason);
            }
        }
    }
}

fn range_text(min: u64, max: u64, unit: &str) -> String {
    if min == max {
        format!(
            "exactly {min} {unit}{} allowed",
            if min == 1 { " is" } else { "s are" }
        )
    } else {
        format!("{min}..{max} {unit}s allowed")
    }
}

fn scalar_violation(spec: &CheckSpec, x: &Value) -> Option<String> {
    if let Some(allowed) = &spec.one_of {
        match x.as_str() {
            Some(s) if allowed.iter().any(|a| a == s) => {}
            _ => return Some(format!("{x} is not one of {}", allowed.join(", "))),
        }
    }
    if let Some(allowed) = &spec.int_one_of {
        match x.as_i64() {
            Some(n) if allowed.contains(&n) => {}
            _ => {
                let list: Vec<String> = allowed.iter().map(i64::to_string).collect();
                return Some(format!("{x} is not one of {}", list.join(", ")));
            }
        }
    }
    if let Some([min, max]) = spec.chars {
        let Some(s) = x.as_str() else {
            return Some(format!("{x} is not a string"));
        };
        let n = s.chars().count() as u64;
        if n < min || n > max {
            return Some(format!("is {n} characters long; {min}..{max} allowed"));
        }
    }
    if let Some([min, max]) = spec.int {
        match x.as_i64() {
            Some(n) if n >= min && n <= max => {}
            Some(n) => return Some(format!("{n} is outside {min}..{max}")),
            None => return Some(format!("{x} is not an integer")),
        }
    }
    if let Some([min, max]) = spec.ms {
        match x.as_i64() {
            Some(n) if n >= min && n <= max => {}
            Some(n) if n >= min / 1000 && n <= max / 1000 => {
                return Some(format!(
                    "{n} is outside {min}..{max}: epoch milliseconds expected, this looks like seconds"
                ));
            }
            Some(n) => return Some(format!("{n} is outside {min}..{max} (epoch milliseconds)")),
            None => return Some(format!("{x} is not an integer (epoch milliseconds)")),
        }
    }
    if let Some(format) = spec.format {
        let s = x.as_str().unwrap_or_default();
        let ok = match format {
            Format::Uri => reqwest::Url::parse(s).is_ok(),
            Format::Ip => s.parse::<std::net::IpAddr>().is_ok(),
            Format::Mac => is_mac(s),
        };
        if !ok {
            let what = match format {
                Format::Uri => "an absolute URI",
                Format::Ip => "an IPv4 or IPv6 address",
                Format::Mac => "a MAC address like aa:bb:cc:dd:ee:ff",
            };
            return Some(format!("{x} is not {what}"));
        }
    }
    None
}

fn is_mac(s: &str) -> bool {
    let sep = if s.contains('-') { '-' } else { ':' };
    let parts: Vec<&str> = s.split(sep).collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn finding() -> Value {
        json!({
            "class_uid": 2004, "severity_id": 4, "status_id": 1, "confidence": "High",
            "time": 1_700_000_000_000_i64, "message": "not in Cisco's model",
            "finding_info": {"uid": "f-1", "title": "Phish", "types": ["Email"],
                             "modified_time": 1_700_000_000_000_i64, "analytic": {"name": "x"}},
            "attacks": [{"tactic": {"uid": "TA0001", "name": "Initial Access"},
                         "technique": {"uid": "T1566", "name": "Phishing"}}],
            "disposition_id": 2
        })
    }

    fn email() -> Value {
        json!({
            "class_uid": 4009, "activity_id": 2, "direction_id": 1,
            "email": {"subject": "hi", "cc": ["a@example.com"],
                      "files": [{"name": "a.pdf", "size": 10, "type_id": 1,
                                 "hashes": [{"algorithm_id": 3, "value": "abc"}]}]}
        })
    }

    #[test]
    fn the_builtin_table_loads() {
        assert_eq!(CustomProjection::builtin().sections.len(), 3);
    }

    #[test]
    fn ids_become_captions_and_unknown_keys_are_dropped() {
        let p = project_custom(&[finding(), email()]);
        assert_eq!(p.violations, vec![]);
        assert_eq!(
            p.body,
            json!({
                "detection_findings": {
                    "severity": "High", "confidence": "High", "status": "New",
                    "finding_info": {"uid": "f-1", "title": "Phish",
                                     "modified_time": 1_700_000_000_000_i64, "types": ["Email"]},
                    "attacks": [{"tactic": {"uid": "TA0001"}, "technique": {"uid": "T1566"}}],
                    "metadata": {"labels": ["intake-api-finding"]},
                    "dispositions": [{"disposition": "Blocked"}]
                },
                "email_activity": [{
                    "activity_name": "Receive", "direction": "Inbound",
                    "email": {"cc": ["a@example.com"],
                              "files": [{"name": "a.pdf", "size": 10, "type": "Regular File",
                                         "hashes": [{"algorithm": "SHA-256", "value": "abc"}]}]}
                }]
            })
        );
    }

    #[test]
    fn finding_types_default_to_the_evidence_kind() {
        let mut f = finding();
        f["finding_info"].as_object_mut().unwrap().remove("types");
        let net = json!({"class_uid": 4001, "activity_id": 6});
        let p = project_custom(&[f, net]);
        assert_eq!(
            p.body["detection_findings"]["finding_info"]["types"],
            json!(["Network"])
        );
    }

    #[test]
    fn a_group_without_a_finding_is_a_violation() {
        let p = project_custom(&[email()]);
        assert_eq!(p.violations[0].path, "detection_findings");
    }

    #[test]
    fn a_class_with_no_place_in_the_body_is_a_violation() {
        let p = project_custom(&[finding(), json!({"class_uid": 3002})]);
        assert_eq!(p.violations[0].path, "group[1]");
    }

    #[test]
    fn seconds_instead_of_milliseconds_get_a_hint() {
        let mut f = finding();
        f["finding_info"]["modified_time"] = json!(1_700_000_000);
        let v = project_custom(&[f]).violations;
        assert_eq!(v[0].path, "detection_findings.finding_info.modified_time");
        assert!(
            v[0].reason.contains("looks like seconds"),
            "{}",
            v[0].reason
        );
    }

    #[test]
    fn every_kind_of_constraint_reports_its_path() {
        let body = json!({
            "detection_findings": {
                "finding_info": {"types": ["Email", "Network"], "title": ""},
                "attacks": [{"tactic": {"uid": "TA9999"}}],
                "severity": "Severe"
            },
            "email_activity": [{"activity_name": "Send",
                "email": {"cc": (0..51).map(|i| format!("{i}@x")).collect::<Vec<_>>(),
                          "files": [{"name": "", "size": -1,
                                     "hashes": [{"algorithm": "CRC"}]}]}}],
            "network_activity": [{"connection_info": {"protocol_num": 3},
                                  "src_endpoint": {"ip": "300.1.1.1", "mac": "aa:bb", "port": 0}}]
        });
        let paths: Vec<String> = check_constraints(&body)
            .into_iter()
            .map(|v| v.path)
            .collect();
        for expected in [
            "detection_findings.finding_info.uid",
            "detection_findings.finding_info.types",
            "detection_findings.finding_info.title",
            "detection_findings.severity",
            "detection_findings.attacks[0].tactic.uid",
            "email_activity[0].email.cc",
            "email_activity[0].email.files[0].name",
            "email_activity[0].email.files[0].size",
            "email_activity[0].email.files[0].hashes[0].algorithm",
            "email_activity[0].email.files[0].hashes[0].value",
            "network_activity[0].connection_info.protocol_num",
            "network_activity[0].src_endpoint.ip",
            "network_activity[0].src_endpoint.mac",
            "network_activity[0].src_endpoint.port",
        ] {
            assert!(
                paths.iter().any(|p| p == expected),
                "{expected} not in {paths:#?}"
            );
        }
    }

    #[test]
    fn macs_take_colons_or_dashes() {
        assert!(is_mac("aa:bb:cc:dd:ee:ff"));
        assert!(is_mac("AA-BB-CC-DD-EE-FF"));
        assert!(!is_mac("aa:bb:cc:dd:ee"));
    }

    #[test]
    fn a_table_with_an_unknown_enum_is_refused() {
        let t = r#"{"enums": {}, "sections": [{"key": "x", "class_uid": 1,
                   "rules": [{"to": "a", "from": "a", "id": "a_id", "enum": "nope"}]}]}"#;
        assert!(CustomProjection::from_json(t).is_err());
    }
}
