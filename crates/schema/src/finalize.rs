//! [`Class::finalize`]: fill in what an author should never have to type.

use serde_json::{Map, Value};

use crate::class::Class;
use crate::schema::{Enumeration, ObjectDef, Presence, Schema};
use crate::violation::{PathNode, Violation, ViolationKind};

impl Class<'_> {
    /// Fill what an author should never type, in place.
    ///
    /// * `metadata.version` (the schema version, `"1.4.0"`; `metadata` is created if absent),
    ///   `class_uid`, `category_uid`, `class_name`, `category_name`;
    /// * `type_uid = class_uid * 100 + activity_id` when `activity_id` is an integer, or
    ///   `activity_id = type_uid % 100` when only `type_uid` is set (and belongs to this class);
    /// * for every enum attribute with a caption sibling, anywhere in the document (nested objects
    ///   and arrays too): the caption from the id when the caption is absent (not for 99 Other,
    ///   whose caption is the source's own value), and the id from the caption when the id is
    ///   absent. Captions match ignoring ASCII case; a caption matched that way is rewritten in
    ///   the schema's spelling (`"high"` → `"High"`) so that the document validates. `type_name`
    ///   ("Detection Finding: Create") is the caption of `type_uid`.
    ///
    /// A value the author set is never replaced (other than the caption spelling above). Values
    /// of the wrong JSON type are left for [`validate`](Self::validate) to report.
    ///
    /// # Errors
    ///
    /// An absent id whose caption is not one of the enum's captions
    /// ([`ViolationKind::UnknownCaption`]; the message lists the allowed captions). All such
    /// errors are collected; everything else is still filled.
    pub fn finalize(&self, doc: &mut Map<String, Value>) -> Result<(), Vec<Violation>> {
        let mut errors = Vec::new();
        self.fill_header(doc, false);
        fill_object(
            self.schema,
            &self.def.body,
            doc,
            &PathNode::Root,
            &mut errors,
        );
        self.fill_type(doc, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// `metadata.version`, `class_uid`, `category_uid`, `class_name`, `category_name` where
    /// absent. `absent`: the caller knows the four class attributes are absent (they are
    /// inserted without looking).
    pub(crate) fn fill_header(&self, doc: &mut Map<String, Value>, absent: bool) {
        let (schema, def) = (self.schema, self.def);
        match doc.get_mut("metadata") {
            Some(Value::Object(metadata)) => {
                if !metadata.contains_key("version") {
                    metadata.insert("version".into(), Value::from(schema.version.as_str()));
                }
            }
            Some(_) => {}
            None => {
                let mut metadata = Map::new();
                metadata.insert("version".into(), Value::from(schema.version.as_str()));
                doc.insert("metadata".into(), Value::Object(metadata));
            }
        }
        let header = [
            ("class_uid", Value::from(def.uid)),
            ("category_uid", Value::from(def.category_uid)),
            ("class_name", Value::from(def.caption.as_str())),
            ("category_name", Value::from(def.category_caption.as_str())),
        ];
        for (key, value) in header {
            if absent || !doc.contains_key(key) {
                doc.insert(key.to_owned(), value);
            }
        }
    }

    /// `type_uid` from `activity_id` (or the reverse), then the captions of both.
    pub(crate) fn fill_type(&self, doc: &mut Map<String, Value>, errors: &mut Vec<Violation>) {
        let def = self.def;
        let uid = i64::from(def.uid);
        match (
            doc.get("activity_id").and_then(Value::as_i64),
            doc.get("type_uid").and_then(Value::as_i64),
        ) {
            (Some(activity), None) => {
                if let Some(type_uid) = uid.checked_mul(100).and_then(|u| u.checked_add(activity)) {
                    doc.insert("type_uid".into(), Value::from(type_uid));
                }
            }
            (None, Some(type_uid))
                if !doc.contains_key("activity_id") && type_uid.div_euclid(100) == uid =>
            {
                doc.insert("activity_id".into(), Value::from(type_uid.rem_euclid(100)));
            }
            _ => {}
        }
        // The derivation may have added an id whose caption is still absent.
        for name in ["activity_id", "type_uid"] {
            if let Some(i) = def.body.find(name)
                && let Some(&pair) = def.body.pairs.iter().find(|(id, _)| *id == i)
            {
                fill_pair(&def.body, doc, pair, &PathNode::Root, errors);
            }
        }
    }
}

pub(crate) fn fill_object(
    schema: &Schema,
    def: &ObjectDef,
    map: &mut Map<String, Value>,
    path: &PathNode<'_>,
    errors: &mut Vec<Violation>,
) {
    let mut present = Presence::default();
    for (key, value) in map.iter_mut() {
        let Some(i) = def.find(key) else { continue };
        present.set(i);
        let Some(o) = def.attrs[i].object else {
            continue;
        };
        let child = &schema.objects[o];
        if child.free_form {
            continue;
        }
        let path = path.key(key);
        match value {
            Value::Object(m) => fill_object(schema, child, m, &path, errors),
            Value::Array(items) => {
                for (n, item) in items.iter_mut().enumerate() {
                    if let Value::Object(m) = item {
                        fill_object(schema, child, m, &path.index(n), errors);
                    }
                }
            }
            _ => {}
        }
    }
    // Only a pair with exactly one side set has anything to fill.
    for &(id, caption) in &def.pairs {
        if present.has(id) != present.has(caption) {
            fill_pair(def, map, (id, caption), path, errors);
        }
    }
}

pub(crate) fn fill_pair(
    def: &ObjectDef,
    map: &mut Map<String, Value>,
    (id_idx, caption_idx): (usize, usize),
    path: &PathNode<'_>,
    errors: &mut Vec<Violation>,
) {
    let id_attr = &def.attrs[id_idx];
    let caption_attr = &def.attrs[caption_idx];
    let Some(enumeration @ Enumeration::Int(_)) = &id_attr.enumeration else {
        return;
    };
    let (id_name, caption_name) = (id_attr.name.as_str(), caption_attr.name.as_str());
    match (map.contains_key(id_name), map.contains_key(caption_name)) {
        (true, false) => {
            if let Some(caption) = map.get(id_name).and_then(|id| caption_for(enumeration, id)) {
                map.insert(caption_name.to_owned(), caption);
            }
        }
        (false, true) => {
            let Some(caption) = map.get_mut(caption_name) else {
                return;
            };
            match ids_for(enumeration, caption) {
                Ok(id) => {
                    map.insert(id_name.to_owned(), id);
                }
                Err(Some(unknown)) => {
                    let path = path.key(caption_name).render();
                    errors.push(unknown_caption(path, &unknown, id_name, enumeration));
                }
                Err(None) => {}
            }
        }
        _ => {}
    }
}

/// The caption value for an id value (scalar or array). `None` when any id is not an integer
/// of the enumeration, or is 99 (whose caption is the source's own).
fn caption_for(enumeration: &Enumeration, id: &Value) -> Option<Value> {
    let one = |v: &Value| match v.as_i64() {
        Some(99) | None => None,
        Some(id) => enumeration.caption(id).map(Value::from),
    };
    match id {
        Value::Array(ids) => ids
            .iter()
            .map(one)
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        scalar => one(scalar),
    }
}

/// The id value for a caption value (scalar or array), rewriting the caption's spelling in
/// place. `Err(Some(caption))` for an unknown caption, `Err(None)` when the value is not a string
/// (left for `validate`).
fn ids_for(enumeration: &Enumeration, caption: &mut Value) -> Result<Value, Option<String>> {
    let mut one = |v: &mut Value| -> Result<Value, Option<String>> {
        let Value::String(s) = v else {
            return Err(None);
        };
        match enumeration.id_of(s) {
            Some((id, canonical)) => {
                if s != canonical {
                    canonical.clone_into(s);
                }
                Ok(Value::from(id))
            }
            None => Err(Some(s.clone())),
        }
    };
    match caption {
        Value::Array(items) => items
            .iter_mut()
            .map(&mut one)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        scalar => one(scalar),
    }
}

#[cold]
fn unknown_caption(
    path: String,
    caption: &str,
    id_name: &str,
    enumeration: &Enumeration,
) -> Violation {
    let allowed: Vec<&str> = match enumeration {
        Enumeration::Int(values) => values.iter().map(|(_, c)| c.as_str()).collect(),
        Enumeration::Str(values) => values.iter().map(String::as_str).collect(),
    };
    Violation {
        path,
        kind: ViolationKind::UnknownCaption,
        message: format!(
            "{caption:?} is not a caption of {id_name} (allowed: {})",
            allowed.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use crate::{Schema, ViolationKind};

    fn finalize(
        class: &str,
        doc: Value,
    ) -> (Map<String, Value>, Result<(), Vec<crate::Violation>>) {
        let Value::Object(mut map) = doc else {
            panic!("test document must be an object")
        };
        let r = Schema::ocsf().class(class).unwrap().finalize(&mut map);
        (map, r)
    }

    #[test]
    fn fills_class_identity() {
        let (doc, r) = finalize("detection_finding", json!({"activity_id": 1}));
        assert!(r.is_ok());
        assert_eq!(doc["class_uid"], 2004);
        assert_eq!(doc["category_uid"], 2);
        assert_eq!(doc["class_name"], "Detection Finding");
        assert_eq!(doc["category_name"], "Findings");
    }

    #[test]
    fn fills_type_uid_and_type_name() {
        let (doc, _) = finalize("detection_finding", json!({"activity_id": 1}));
        assert_eq!(doc["type_uid"], 200401);
        assert_eq!(doc["type_name"], "Detection Finding: Create");
        assert_eq!(doc["activity_name"], "Create");
    }

    #[test]
    fn creates_metadata_with_version() {
        let (doc, _) = finalize("network_activity", json!({}));
        assert_eq!(doc["metadata"], json!({"version": "1.4.0"}));
    }

    #[test]
    fn keeps_an_authored_version() {
        let (doc, _) = finalize(
            "network_activity",
            json!({"metadata": {"version": "1.3.0"}}),
        );
        assert_eq!(doc["metadata"]["version"], "1.3.0");
    }

    #[test]
    fn activity_from_caption_then_type_uid() {
        let (doc, r) = finalize("email_activity", json!({"activity_name": "receive"}));
        assert!(r.is_ok());
        assert_eq!(doc["activity_id"], 2);
        assert_eq!(doc["activity_name"], "Receive");
        assert_eq!(doc["type_uid"], 400902);
        assert_eq!(doc["type_name"], "Email Activity: Receive");
    }

    #[test]
    fn activity_from_type_uid() {
        let (doc, _) = finalize("network_activity", json!({"type_uid": 400106}));
        assert_eq!(doc["activity_id"], 6);
        assert_eq!(doc["activity_name"], "Traffic");
        assert_eq!(doc["type_name"], "Network Activity: Traffic");
    }

    #[test]
    fn other_keeps_its_source_caption() {
        let (doc, _) = finalize("detection_finding", json!({"severity_id": 99}));
        assert!(doc.get("severity").is_none());
    }

    #[test]
    fn never_overwrites_a_set_caption() {
        let (doc, _) = finalize(
            "detection_finding",
            json!({"severity_id": 4, "severity": "Bad"}),
        );
        assert_eq!(doc["severity"], "Bad");
    }

    #[test]
    fn nested_array_enum_gets_caption() {
        let (doc, _) = finalize(
            "network_activity",
            json!({"connection_info": {"direction_id": 3}, "observables": [{"type_id": 2}]}),
        );
        assert_eq!(doc["connection_info"]["direction"], "Lateral");
        assert_eq!(doc["observables"][0]["type"], "IP Address");
    }

    #[test]
    fn unknown_caption_is_an_error_listing_the_captions() {
        let (_, r) = finalize(
            "detection_finding",
            json!({"finding_info": {"analytic": {"type": "Magic"}}}),
        );
        let errors = r.unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind, ViolationKind::UnknownCaption);
        assert_eq!(errors[0].path, "finding_info.analytic.type");
        assert!(
            errors[0]
                .message
                .starts_with("\"Magic\" is not a caption of type_id (allowed: Unknown, Rule,")
        );
    }

    #[test]
    fn array_enum_pair_is_filled_elementwise() {
        let (doc, _) = finalize(
            "detection_finding",
            json!({"evidences": [{"url": {"url_string": "http://x", "category_ids": [1, 3]}}]}),
        );
        let cats = &doc["evidences"][0]["url"]["categories"];
        assert_eq!(cats.as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn wrong_typed_id_is_left_alone() {
        let (doc, r) = finalize("detection_finding", json!({"severity_id": "4"}));
        assert!(r.is_ok());
        assert!(doc.get("severity").is_none());
    }
}
