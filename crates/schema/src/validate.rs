//! [`Class::validate`]: strict checks of a finished document.
//!
//! One walk over the document, guided by the indexed schema: attribute names are looked up by
//! binary search, presence is tracked in a bitset on the stack, and the path of a value is a
//! linked list on the stack that becomes a `String` only when a violation is reported. A valid
//! document allocates nothing.

use serde_json::{Map, Value};

use crate::class::Class;
use crate::path::{segment_name, suggest};
use crate::schema::{
    AttrDef, BaseType, Enumeration, MAX_PAIRS, ObjectDef, Presence, Schema, TypeDef,
};
use crate::violation::{PathNode, Violation, ViolationKind};

impl Class<'_> {
    /// Check a finished document. An empty list means valid.
    ///
    /// Checks, in one walk:
    /// * unknown attributes, per class and object; attributes of a profile are allowed only when
    ///   `metadata.profiles` declares the profile, and a declared profile must be one of the
    ///   class's;
    /// * required attributes, recursively in every object present (a declared profile makes its
    ///   required attributes required, e.g. `cloud`);
    /// * object and class constraints (`at_least_one`, `just_one`);
    /// * JSON types: booleans, integers (no fractions), floats, strings, arrays where `is_array`,
    ///   objects; `json_t` takes anything; `null` is never valid (omit the attribute);
    /// * type ranges (`port_t` 0..65535), `max_len`, string formats (`ip_t`, `mac_t`,
    ///   `email_t`, `file_hash_t`, `uuid_t`, `datetime_t`, `subnet_t`);
    /// * enum membership, and caption/id agreement (`severity` is the caption of
    ///   `severity_id`, except for 99 Other);
    /// * `type_uid = class_uid * 100 + activity_id`; `metadata.version` is the schema version;
    /// * every `observables[].name` is an attribute path of the class that is set in the
    ///   document.
    pub fn validate(&self, doc: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.validate_into(doc, &mut out);
        out
    }

    /// Like [`validate`](Self::validate), appending to a caller-owned list (clear and reuse it
    /// across documents).
    pub fn validate_into(&self, doc: &Value, out: &mut Vec<Violation>) {
        let root = PathNode::Root;
        let Value::Object(map) = doc else {
            let message = format!("a document must be a JSON object, found {}", describe(doc));
            out.push(violation(&root, ViolationKind::NotAnObject, message));
            return;
        };
        let mask = self.declared_profiles(map, out);
        let mut walker = Walker {
            schema: self.schema,
            mask,
            out,
        };
        walker.object(&self.def.body, map, &root);
        self.check_type_uid(map, out);
        self.check_version(map, out);
        self.check_observables(map, mask, out);
    }

    /// The profile mask from `metadata.profiles`; profiles the class does not have are reported.
    fn declared_profiles(&self, doc: &Map<String, Value>, out: &mut Vec<Violation>) -> u64 {
        let Some(Value::Array(names)) = doc.get("metadata").and_then(|m| m.get("profiles")) else {
            return 0;
        };
        let mut mask = 0;
        for (n, name) in names.iter().enumerate() {
            let Value::String(name) = name else { continue };
            match self.schema.profile_index(name) {
                Some(p) if self.def.profile_mask & (1 << p) != 0 => mask |= 1 << p,
                _ => out.push(unknown_profile(n, name, self)),
            }
        }
        mask
    }

    fn check_type_uid(&self, doc: &Map<String, Value>, out: &mut Vec<Violation>) {
        let int = |k| doc.get(k).and_then(Value::as_i64);
        let (Some(activity), Some(type_uid)) = (int("activity_id"), int("type_uid")) else {
            return;
        };
        // Against this class's uid: a wrong `class_uid` is reported on its own (not in enum).
        let expected = (i64::from(self.def.uid) * 100).checked_add(activity);
        if expected != Some(type_uid) {
            out.push(inconsistent_type_uid(type_uid, expected));
        }
    }

    fn check_version(&self, doc: &Map<String, Value>, out: &mut Vec<Violation>) {
        if let Some(Value::String(v)) = doc.get("metadata").and_then(|m| m.get("version"))
            && *v != self.schema.version
        {
            out.push(wrong_version(v, &self.schema.version));
        }
    }

    fn check_observables(&self, doc: &Map<String, Value>, mask: u64, out: &mut Vec<Violation>) {
        let Some(Value::Array(observables)) = doc.get("observables") else {
            return;
        };
        for (n, observable) in observables.iter().enumerate() {
            let Some(Value::String(name)) = observable.get("name") else {
                continue;
            };
            if let Err(e) = self.resolve(name, mask) {
                out.push(bad_observable(n, e.to_string()));
            } else if !is_set(doc, name) {
                out.push(bad_observable(
                    n,
                    format!("`{name}` is not set in this document"),
                ));
            }
        }
    }
}

/// Whether the dotted `path` (arrays transparent, `[n]` ignored) reaches a value in `doc`.
fn is_set(doc: &Map<String, Value>, path: &str) -> bool {
    fn walk<'a>(value: &Value, mut segments: impl Iterator<Item = &'a str> + Clone) -> bool {
        match value {
            Value::Array(items) => items.iter().any(|item| walk(item, segments.clone())),
            Value::Object(map) => match segments.next() {
                None => true,
                Some(seg) => {
                    let name = segment_name(seg).unwrap_or(seg);
                    map.get(name)
                        .is_some_and(|v| !v.is_null() && walk(v, segments))
                }
            },
            _ => segments.next().is_none(),
        }
    }
    let mut segments = path.split('.');
    let Some(first) = segments.next() else {
        return false;
    };
    let name = segment_name(first).unwrap_or(first);
    doc.get(name)
        .is_some_and(|v| !v.is_null() && walk(v, segments))
}

struct Walker<'s, 'o> {
    schema: &'s Schema,
    mask: u64,
    out: &'o mut Vec<Violation>,
}

impl Walker<'_, '_> {
    fn active(&self, attr: &AttrDef) -> bool {
        attr.profile.is_none_or(|p| self.mask & (1 << p) != 0)
    }

    fn object(&mut self, def: &ObjectDef, map: &Map<String, Value>, path: &PathNode<'_>) {
        if def.free_form {
            return;
        }
        let mut present = Presence::default();
        // The values of enum/caption pairs, kept while walking to avoid hashing the keys again.
        let mut pair_values: [Option<&Value>; 2 * MAX_PAIRS] = [None; 2 * MAX_PAIRS];
        for (key, value) in map {
            let Some(i) = def.find(key) else {
                self.out.push(unknown_attribute(path, key, def, self.mask));
                continue;
            };
            let attr = &def.attrs[i];
            if !self.active(attr) {
                self.out
                    .push(profile_not_declared(path, key, self.schema, attr));
                continue;
            }
            present.set(i);
            if let Some(slot) = attr.slot {
                pair_values[usize::from(slot)] = Some(value);
            }
            self.attribute(attr, value, &path.key(key));
        }
        for &i in &def.required {
            if !present.has(i) && self.active(&def.attrs[i]) {
                self.out.push(missing(path, &def.attrs[i].name));
            }
        }
        for group in &def.at_least_one {
            if !group.iter().any(|&i| present.has(i)) {
                self.out.push(constraint(path, def, group, None));
            }
        }
        for group in &def.just_one {
            let count = group.iter().filter(|&&i| present.has(i)).count();
            if count != 1 {
                self.out.push(constraint(path, def, group, Some(count)));
            }
        }
        for (k, &(id, caption)) in def.pairs.iter().enumerate() {
            if let (Some(id_value), Some(caption_value)) =
                (pair_values[2 * k], pair_values[2 * k + 1])
            {
                self.captions(
                    &def.attrs[id],
                    id_value,
                    &def.attrs[caption],
                    caption_value,
                    path,
                );
            }
        }
    }

    fn attribute(&mut self, attr: &AttrDef, value: &Value, path: &PathNode<'_>) {
        let ty = &self.schema.types[attr.ty];
        match value {
            Value::Null => self.out.push(null(path)),
            Value::Array(items) if attr.is_array => {
                for (n, item) in items.iter().enumerate() {
                    self.value(attr, ty, item, &path.index(n));
                }
            }
            _ if attr.is_array && ty.base != BaseType::Json => {
                self.out.push(wrong_type(path, self.schema, attr, value));
            }
            _ => self.value(attr, ty, value, path),
        }
    }

    fn value(&mut self, attr: &AttrDef, ty: &TypeDef, value: &Value, path: &PathNode<'_>) {
        let ok = match (ty.base, value) {
            (_, Value::Null) => {
                self.out.push(null(path));
                return;
            }
            (BaseType::Json, _) => true,
            (BaseType::Object, Value::Object(map)) => {
                if let Some(o) = attr.object {
                    self.object(&self.schema.objects[o], map, path);
                }
                true
            }
            (BaseType::Boolean, Value::Bool(_)) => true,
            (BaseType::Float, Value::Number(_)) => true,
            (BaseType::Integer | BaseType::Long, Value::Number(n)) => {
                if let Some(n) = n.as_i64() {
                    self.integer(attr, ty, n, path);
                    true
                } else if n.is_u64() {
                    self.out.push(out_of_range(path, &n.to_string(), ty));
                    true
                } else {
                    false
                }
            }
            (BaseType::String, Value::String(s)) => {
                self.string(attr, ty, s, path);
                true
            }
            _ => false,
        };
        if !ok {
            self.out.push(wrong_type(path, self.schema, attr, value));
        }
    }

    fn integer(&mut self, attr: &AttrDef, ty: &TypeDef, n: i64, path: &PathNode<'_>) {
        if let Some((lo, hi)) = ty.range
            && !(lo..=hi).contains(&n)
        {
            self.out.push(out_of_range(path, &n.to_string(), ty));
        }
        if let Some(e @ Enumeration::Int(_)) = &attr.enumeration
            && e.caption(n).is_none()
        {
            self.out.push(not_in_enum(path, &n.to_string(), attr, e));
        }
    }

    fn string(&mut self, attr: &AttrDef, ty: &TypeDef, s: &str, path: &PathNode<'_>) {
        if let Some(max) = ty.max_len
            && s.len() > max
            && s.chars().count() > max
        {
            self.out.push(too_long(path, s, ty, max));
        }
        if !ty.format.check(s) {
            self.out.push(bad_format(path, s, ty));
        }
        if let Some(e @ Enumeration::Str(values)) = &attr.enumeration
            && !values.iter().any(|v| v == s)
        {
            self.out.push(not_in_enum(path, &format!("{s:?}"), attr, e));
        }
    }

    fn captions(
        &mut self,
        id_attr: &AttrDef,
        id: &Value,
        caption_attr: &AttrDef,
        caption: &Value,
        path: &PathNode<'_>,
    ) {
        let Some(e) = &id_attr.enumeration else {
            return;
        };
        let path = path.key(&caption_attr.name);
        match (id, caption) {
            (Value::Array(ids), Value::Array(captions)) if ids.len() == captions.len() => {
                for (n, (id, caption)) in ids.iter().zip(captions).enumerate() {
                    self.caption(id_attr, e, id, caption, &path.index(n));
                }
            }
            (Value::Array(ids), Value::Array(captions)) => {
                self.out
                    .push(caption_count(&path, id_attr, ids.len(), captions.len()));
            }
            _ => self.caption(id_attr, e, id, caption, &path),
        }
    }

    fn caption(
        &mut self,
        id_attr: &AttrDef,
        e: &Enumeration,
        id: &Value,
        caption: &Value,
        path: &PathNode<'_>,
    ) {
        let (Some(id), Value::String(caption)) = (id.as_i64(), caption) else {
            return;
        };
        if id == 99 {
            return;
        }
        if let Some(expected) = e.caption(id)
            && expected != caption
        {
            self.out
                .push(caption_mismatch(path, caption, id_attr, id, expected));
        }
    }
}

// ---- violation builders (cold: a valid document never reaches them) ----

fn violation(path: &PathNode<'_>, kind: ViolationKind, message: String) -> Violation {
    Violation {
        path: path.render(),
        kind,
        message,
    }
}

/// A short description of a JSON value for messages: `string "443"`, `number 1.5`, `object`.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {}", quote(s)),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
    }
}

/// `s` quoted, shortened to about 60 characters.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        None => format!("{s:?}"),
        Some((cut, _)) => format!("{:?}…", &s[..cut]),
    }
}

fn expected_shape(schema: &Schema, attr: &AttrDef) -> String {
    let ty = &schema.types[attr.ty];
    let one = match ty.base {
        BaseType::Object => {
            let name = attr
                .object
                .map_or("object", |o| schema.objects[o].name.as_str());
            format!("object ({name})")
        }
        BaseType::Boolean => "boolean".to_owned(),
        BaseType::Integer | BaseType::Long if ty.name == ty.base.as_str() => "integer".to_owned(),
        BaseType::Integer | BaseType::Long => format!("integer ({})", ty.name),
        BaseType::Float => "number".to_owned(),
        BaseType::String if ty.name == "string_t" => "string".to_owned(),
        BaseType::String => format!("string ({})", ty.name),
        BaseType::Json => "any JSON value".to_owned(),
    };
    if attr.is_array {
        format!("array of {one}")
    } else {
        one
    }
}

#[cold]
fn wrong_type(path: &PathNode<'_>, schema: &Schema, attr: &AttrDef, value: &Value) -> Violation {
    let message = format!(
        "expected {}, found {}",
        expected_shape(schema, attr),
        describe(value)
    );
    violation(path, ViolationKind::WrongType, message)
}

#[cold]
fn null(path: &PathNode<'_>) -> Violation {
    violation(
        path,
        ViolationKind::Null,
        "null is not allowed (omit the attribute instead)".into(),
    )
}

#[cold]
fn missing(path: &PathNode<'_>, name: &str) -> Violation {
    violation(
        &path.key(name),
        ViolationKind::MissingRequired,
        "required attribute is missing".into(),
    )
}

#[cold]
fn unknown_attribute(path: &PathNode<'_>, key: &str, def: &ObjectDef, mask: u64) -> Violation {
    let names = def
        .attrs
        .iter()
        .filter(|a| a.profile.is_none_or(|p| mask & (1 << p) != 0))
        .map(|a| a.name.as_str());
    let suggestions = suggest(key, names);
    let mut message = format!("unknown attribute of `{}`", def.name);
    if let Some(best) = suggestions.first() {
        message.push_str(&format!("; did you mean `{best}`?"));
    }
    violation(&path.key(key), ViolationKind::UnknownAttribute, message)
}

#[cold]
fn profile_not_declared(
    path: &PathNode<'_>,
    key: &str,
    schema: &Schema,
    attr: &AttrDef,
) -> Violation {
    let profile = attr
        .profile
        .map_or("?", |p| schema.profiles[usize::from(p)].as_str());
    let message =
        format!("attribute of profile `{profile}`, which metadata.profiles does not declare");
    violation(&path.key(key), ViolationKind::ProfileNotDeclared, message)
}

#[cold]
fn unknown_profile(n: usize, name: &str, class: &Class<'_>) -> Violation {
    let root = PathNode::Root;
    let metadata = root.key("metadata");
    let profiles = metadata.key("profiles");
    let message = format!(
        "{} is not a profile of class `{}`",
        quote(name),
        class.name()
    );
    violation(&profiles.index(n), ViolationKind::UnknownProfile, message)
}

#[cold]
fn constraint(
    path: &PathNode<'_>,
    def: &ObjectDef,
    group: &[usize],
    count: Option<usize>,
) -> Violation {
    let names: Vec<String> = group
        .iter()
        .map(|&i| format!("`{}`", def.attrs[i].name))
        .collect();
    let message = match count {
        None => format!("at least one of {} is required", names.join(", ")),
        Some(n) => format!("exactly one of {} is required, found {n}", names.join(", ")),
    };
    violation(path, ViolationKind::Constraint, message)
}

#[cold]
fn out_of_range(path: &PathNode<'_>, value: &str, ty: &TypeDef) -> Violation {
    let message = match ty.range {
        Some((lo, hi)) => format!("{value} is out of range for {} ({lo}..{hi})", ty.name),
        None => format!("{value} is out of range for {}", ty.name),
    };
    violation(path, ViolationKind::OutOfRange, message)
}

#[cold]
fn too_long(path: &PathNode<'_>, s: &str, ty: &TypeDef, max: usize) -> Violation {
    let message = format!(
        "{} characters exceed the max_len {max} of {}",
        s.chars().count(),
        ty.name
    );
    violation(path, ViolationKind::TooLong, message)
}

#[cold]
fn bad_format(path: &PathNode<'_>, s: &str, ty: &TypeDef) -> Violation {
    violation(
        path,
        ViolationKind::BadFormat,
        format!("{} is not a valid {}", quote(s), ty.name),
    )
}

#[cold]
fn not_in_enum(path: &PathNode<'_>, value: &str, attr: &AttrDef, e: &Enumeration) -> Violation {
    const SHOWN: usize = 12;
    let mut allowed: Vec<String> = match e {
        Enumeration::Int(values) => values
            .iter()
            .take(SHOWN)
            .map(|(id, c)| format!("{id} {c}"))
            .collect(),
        Enumeration::Str(values) => values.iter().take(SHOWN).cloned().collect(),
    };
    let total = match e {
        Enumeration::Int(v) => v.len(),
        Enumeration::Str(v) => v.len(),
    };
    if total > SHOWN {
        allowed.push(format!("… {} more", total - SHOWN));
    }
    let message = format!(
        "{value} is not a valid {} (allowed: {})",
        attr.name,
        allowed.join(", ")
    );
    violation(path, ViolationKind::NotInEnum, message)
}

#[cold]
fn caption_mismatch(
    path: &PathNode<'_>,
    caption: &str,
    id_attr: &AttrDef,
    id: i64,
    expected: &str,
) -> Violation {
    let message = format!(
        "{} does not match {} {id} (expected {expected:?})",
        quote(caption),
        id_attr.name
    );
    violation(path, ViolationKind::CaptionMismatch, message)
}

#[cold]
fn caption_count(path: &PathNode<'_>, id_attr: &AttrDef, ids: usize, captions: usize) -> Violation {
    let message = format!("{captions} captions for {ids} values of {}", id_attr.name);
    violation(path, ViolationKind::CaptionMismatch, message)
}

#[cold]
fn inconsistent_type_uid(type_uid: i64, expected: Option<i64>) -> Violation {
    let root = PathNode::Root;
    let expected = expected.map_or_else(|| "overflow".to_owned(), |e| e.to_string());
    let message = format!("{type_uid} does not match class_uid * 100 + activity_id = {expected}");
    violation(&root.key("type_uid"), ViolationKind::Inconsistent, message)
}

#[cold]
fn wrong_version(found: &str, expected: &str) -> Violation {
    let root = PathNode::Root;
    let metadata = root.key("metadata");
    let message = format!("{} is not the schema version {expected:?}", quote(found));
    violation(&metadata.key("version"), ViolationKind::Version, message)
}

#[cold]
fn bad_observable(n: usize, message: String) -> Violation {
    let root = PathNode::Root;
    let observables = root.key("observables");
    let item = observables.index(n);
    violation(&item.key("name"), ViolationKind::Observable, message)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::{Schema, Violation, ViolationKind};

    /// A minimal valid detection finding.
    fn finding() -> Value {
        json!({
            "activity_id": 1,
            "category_uid": 2,
            "class_uid": 2004,
            "type_uid": 200401,
            "severity_id": 4,
            "time": 1_700_000_000_000_i64,
            "finding_info": {"uid": "f-1"},
            "metadata": {"version": "1.4.0", "product": {"name": "IDS"}},
        })
    }

    fn validate(class: &str, doc: &Value) -> Vec<Violation> {
        Schema::ocsf().class(class).unwrap().validate(doc)
    }

    fn with(mut doc: Value, pointer: &str, value: Value) -> Value {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        doc.pointer_mut(parent)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert(key.into(), value);
        doc
    }

    fn without(mut doc: Value, pointer: &str) -> Value {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        doc.pointer_mut(parent)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(key);
        doc
    }

    fn only(violations: &[Violation]) -> (&str, ViolationKind, &str) {
        assert_eq!(violations.len(), 1, "{violations:#?}");
        let v = &violations[0];
        (v.path.as_str(), v.kind, v.message.as_str())
    }

    #[test]
    fn minimal_finding_is_valid() {
        assert_eq!(validate("detection_finding", &finding()), []);
    }

    #[test]
    fn document_must_be_an_object() {
        assert_eq!(
            only(&validate("detection_finding", &json!([1]))).1,
            ViolationKind::NotAnObject
        );
    }

    #[test]
    fn missing_nested_required() {
        let doc = with(finding(), "/finding_info", json!({"title": "x"}));
        assert_eq!(
            only(&validate("detection_finding", &doc)),
            (
                "finding_info.uid",
                ViolationKind::MissingRequired,
                "required attribute is missing"
            )
        );
    }

    #[test]
    fn missing_top_level_required() {
        let doc = without(finding(), "/time");
        assert_eq!(only(&validate("detection_finding", &doc)).0, "time");
    }

    #[test]
    fn port_out_of_range() {
        let doc = with(
            finding(),
            "/evidences",
            json!([{"src_endpoint": {"ip": "10.0.0.1", "port": 70000}}]),
        );
        assert_eq!(
            only(&validate("detection_finding", &doc)),
            (
                "evidences[0].src_endpoint.port",
                ViolationKind::OutOfRange,
                "70000 is out of range for port_t (0..65535)"
            )
        );
    }

    #[test]
    fn unknown_attribute_suggests() {
        let doc = with(finding(), "/finding_info/titel", json!("x"));
        assert_eq!(
            only(&validate("detection_finding", &doc)),
            (
                "finding_info.titel",
                ViolationKind::UnknownAttribute,
                "unknown attribute of `finding_info`; did you mean `title`?"
            )
        );
    }

    #[test]
    fn profile_attribute_without_declaration() {
        let doc = with(finding(), "/action_id", json!(1));
        assert_eq!(
            only(&validate("detection_finding", &doc)).1,
            ViolationKind::ProfileNotDeclared
        );
    }

    #[test]
    fn profile_attribute_with_declaration() {
        let doc = with(finding(), "/action_id", json!(1));
        let doc = with(doc, "/metadata/profiles", json!(["security_control"]));
        assert_eq!(validate("detection_finding", &doc), []);
    }

    #[test]
    fn undeclared_profile_of_another_class() {
        let doc = with(finding(), "/metadata/profiles", json!(["network_proxy"]));
        assert_eq!(
            only(&validate("detection_finding", &doc)),
            (
                "metadata.profiles[0]",
                ViolationKind::UnknownProfile,
                "\"network_proxy\" is not a profile of class `detection_finding`"
            )
        );
    }

    #[test]
    fn cloud_profile_makes_cloud_required() {
        let doc = with(finding(), "/metadata/profiles", json!(["cloud"]));
        assert_eq!(only(&validate("detection_finding", &doc)).0, "cloud");
    }

    #[test]
    fn null_is_rejected() {
        let doc = with(finding(), "/message", Value::Null);
        assert_eq!(
            only(&validate("detection_finding", &doc)).1,
            ViolationKind::Null
        );
    }

    #[test]
    fn timestamp_must_be_an_integer() {
        let doc = with(finding(), "/time", json!("2024-01-01T00:00:00Z"));
        assert_eq!(
            only(&validate("detection_finding", &doc)),
            (
                "time",
                ViolationKind::WrongType,
                "expected integer (timestamp_t), found string \"2024-01-01T00:00:00Z\""
            )
        );
    }

    #[test]
    fn fractional_integer_is_wrong_type() {
        let doc = with(finding(), "/time", json!(1.5));
        assert_eq!(
            only(&validate("detection_finding", &doc)).1,
            ViolationKind::WrongType
        );
    }

    #[test]
    fn scalar_for_array_is_wrong_type() {
        let doc = with(finding(), "/finding_info/types", json!("x"));
        assert_eq!(
            only(&validate("detection_finding", &doc)).2,
            "expected array of string, found string \"x\""
        );
    }

    #[test]
    fn bad_ip_format() {
        let doc = with(
            finding(),
            "/evidences",
            json!([{"src_endpoint": {"ip": "10.0.0.300"}}]),
        );
        assert_eq!(
            only(&validate("detection_finding", &doc)),
            (
                "evidences[0].src_endpoint.ip",
                ViolationKind::BadFormat,
                "\"10.0.0.300\" is not a valid ip_t"
            )
        );
    }

    #[test]
    fn too_long_ip() {
        let long = format!("::{}", "0".repeat(50));
        let doc = with(
            finding(),
            "/evidences",
            json!([{"src_endpoint": {"ip": long}}]),
        );
        let v = validate("detection_finding", &doc);
        assert!(v.iter().any(|v| v.kind == ViolationKind::TooLong), "{v:#?}");
    }

    #[test]
    fn enum_id_not_in_enum() {
        let doc = with(finding(), "/severity_id", json!(7));
        let v = validate("detection_finding", &doc);
        let (path, kind, message) = only(&v);
        assert_eq!((path, kind), ("severity_id", ViolationKind::NotInEnum));
        assert!(
            message
                .starts_with("7 is not a valid severity_id (allowed: 0 Unknown, 1 Informational")
        );
    }

    #[test]
    fn string_enum_value_must_be_listed() {
        let doc = with(
            finding(),
            "/evidences",
            json!([{"url": {"url_string": "http://x"}, "http_request": {"http_method": "FETCH"}}]),
        );
        assert_eq!(
            only(&validate("detection_finding", &doc)).1,
            ViolationKind::NotInEnum
        );
    }

    #[test]
    fn caption_must_match_id() {
        let doc = with(finding(), "/severity", json!("Low"));
        assert_eq!(
            only(&validate("detection_finding", &doc)),
            (
                "severity",
                ViolationKind::CaptionMismatch,
                "\"Low\" does not match severity_id 4 (expected \"High\")"
            )
        );
    }

    #[test]
    fn other_caption_is_free() {
        let doc = with(
            with(finding(), "/severity_id", json!(99)),
            "/severity",
            json!("Severe"),
        );
        assert_eq!(validate("detection_finding", &doc), []);
    }

    #[test]
    fn type_uid_must_follow_activity() {
        let doc = with(finding(), "/type_uid", json!(200402));
        assert_eq!(
            only(&validate("detection_finding", &doc)),
            (
                "type_uid",
                ViolationKind::Inconsistent,
                "200402 does not match class_uid * 100 + activity_id = 200401"
            )
        );
    }

    #[test]
    fn class_uid_of_another_class() {
        let doc = with(finding(), "/class_uid", json!(4001));
        let v = validate("detection_finding", &doc);
        assert!(
            v.iter()
                .any(|v| v.path == "class_uid" && v.kind == ViolationKind::NotInEnum),
            "{v:#?}"
        );
    }

    #[test]
    fn metadata_version_must_be_schema_version() {
        let doc = with(finding(), "/metadata/version", json!("1.3.0"));
        assert_eq!(
            only(&validate("detection_finding", &doc)),
            (
                "metadata.version",
                ViolationKind::Version,
                "\"1.3.0\" is not the schema version \"1.4.0\""
            )
        );
    }

    #[test]
    fn at_least_one_constraint() {
        let doc = with(
            finding(),
            "/metadata/product",
            json!({"vendor_name": "Acme"}),
        );
        assert_eq!(
            only(&validate("detection_finding", &doc)),
            (
                "metadata.product",
                ViolationKind::Constraint,
                "at least one of `name`, `uid` is required"
            )
        );
    }

    #[test]
    fn just_one_constraint() {
        let doc = with(
            finding(),
            "/vulnerabilities",
            json!([{"cve": {"uid": "CVE-2024-1"}, "cwe": {"uid": "CWE-79"}}]),
        );
        assert_eq!(
            only(&validate("detection_finding", &doc)).2,
            "exactly one of `advisory`, `cve`, `cwe` is required, found 2"
        );
    }

    #[test]
    fn class_constraint_on_network_activity() {
        let doc = json!({
            "activity_id": 6, "category_uid": 4, "class_uid": 4001, "type_uid": 400106,
            "severity_id": 1, "time": 1, "metadata": {"version": "1.4.0", "product": {"uid": "p"}},
        });
        assert_eq!(
            only(&validate("network_activity", &doc)),
            (
                "",
                ViolationKind::Constraint,
                "at least one of `dst_endpoint`, `src_endpoint` is required"
            )
        );
    }

    #[test]
    fn observable_name_must_be_set() {
        let doc = with(
            finding(),
            "/observables",
            json!([{"type_id": 2, "name": "src_endpoint.ip"}]),
        );
        let v = validate("detection_finding", &doc);
        let (path, kind, _) = only(&v);
        assert_eq!(
            (path, kind),
            ("observables[0].name", ViolationKind::Observable)
        );
    }

    #[test]
    fn observable_name_through_array() {
        let doc = with(
            finding(),
            "/evidences",
            json!([{"src_endpoint": {"ip": "10.0.0.1"}}]),
        );
        let doc = with(
            doc,
            "/observables",
            json!([{"type_id": 2, "name": "evidences.src_endpoint.ip"}]),
        );
        assert_eq!(validate("detection_finding", &doc), []);
    }

    #[test]
    fn observable_name_must_be_an_attribute() {
        let doc = with(
            finding(),
            "/observables",
            json!([{"type_id": 2, "name": "finding_info.titel"}]),
        );
        let v = validate("detection_finding", &doc);
        let (_, kind, message) = only(&v);
        assert_eq!(kind, ViolationKind::Observable);
        assert!(message.contains("did you mean `title`?"), "{message}");
    }

    #[test]
    fn unmapped_takes_anything() {
        let doc = with(finding(), "/unmapped", json!({"a": {"b": [null, 1]}}));
        assert_eq!(validate("detection_finding", &doc), []);
    }

    #[test]
    fn json_t_takes_any_shape() {
        let doc = with(
            finding(),
            "/enrichments",
            json!([{"data": [1, "x"], "name": "n", "value": "v"}]),
        );
        assert_eq!(validate("detection_finding", &doc), []);
    }

    #[test]
    fn huge_integer_is_out_of_range() {
        let doc = with(finding(), "/time", json!(u64::MAX));
        assert_eq!(
            only(&validate("detection_finding", &doc)).1,
            ViolationKind::OutOfRange
        );
    }

    #[test]
    fn email_from_with_display_name() {
        let doc = json!({
            "activity_id": 2, "category_uid": 4, "class_uid": 4009, "type_uid": 400902,
            "severity_id": 1, "time": 1, "direction_id": 1,
            "metadata": {"version": "1.4.0", "product": {"name": "MTA"}},
            "email": {"from": "Bob <bob@example.com>"},
        });
        assert_eq!(
            only(&validate("email_activity", &doc)).1,
            ViolationKind::BadFormat
        );
    }

    #[test]
    fn validate_into_appends() {
        let class = Schema::ocsf().class("detection_finding").unwrap();
        let mut out = Vec::new();
        class.validate_into(&without(finding(), "/time"), &mut out);
        class.validate_into(&without(finding(), "/time"), &mut out);
        assert_eq!(out.len(), 2);
    }
}
