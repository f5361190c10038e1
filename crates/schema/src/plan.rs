//! [`FinalizePlan`]: [`Class::finalize`] compiled for documents whose shape is known up front.
//!
//! A mapping knows, before any record, which attributes each object of its documents can hold
//! and which of them are constants. [`Class::finalize`] walks every key of every document to find
//! the few enum pairs with one side set; a plan visits only the objects and pairs the shape can
//! fill, and a pair whose set side is a constant gets its other side computed once, here, instead
//! of on every document. The result is the same document, keys in the same order, as
//! `finalize` gives (checked against it in the tests of `ocsf-map-mapping`).

use serde_json::{Map, Value};

use crate::class::Class;
use crate::finalize::{fill_object, fill_pair};
use crate::schema::{ObjectDef, Schema};
use crate::violation::{PathNode, Violation};

/// The keys an object of a document can hold, as far as the mapping knows them.
///
/// Every key that can appear in a shaped object must be listed, or [`FinalizePlan`] may fill
/// less than [`Class::finalize`] would: a plan trusts that a key not listed is absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shape {
    entries: Vec<(String, Entry)>,
}

/// What a [`Shape`] knows of one key.
#[derive(Clone, Debug, PartialEq)]
enum Entry {
    /// An object built from its own shape.
    Object(Shape),
    /// Any value; `Some` when it is always present and always this value.
    Value(Option<Value>),
}

impl Shape {
    /// An object with no keys.
    pub fn new() -> Shape {
        Shape::default()
    }

    /// The shape of the object under `key`, added if absent. `None` when `key` holds a value
    /// of unknown shape (which the plan finalizes as `finalize` would, whatever it holds).
    pub fn object(&mut self, key: &str) -> Option<&mut Shape> {
        let at = match self.entries.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                self.entries
                    .push((key.to_owned(), Entry::Object(Shape::new())));
                self.entries.len() - 1
            }
        };
        match &mut self.entries[at].1 {
            Entry::Object(shape) => Some(shape),
            Entry::Value(_) => None,
        }
    }

    /// `key` may hold any value (`constant: None`), or always holds `constant`.
    pub fn value(&mut self, key: &str, constant: Option<Value>) {
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, entry)) => *entry = Entry::Value(None),
            None => self.entries.push((key.to_owned(), Entry::Value(constant))),
        }
    }

    fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, e)| e)
    }
}

/// [`Class::finalize`] for the documents of one [`Shape`]; build it with
/// [`Class::finalize_plan`].
#[derive(Debug)]
pub struct FinalizePlan<'s> {
    class: Class<'s>,
    /// None of `class_uid`, `category_uid`, `class_name`, `category_name` is in the shape.
    header_absent: bool,
    root: ObjectPlan<'s>,
    /// `type_uid` and `type_name` when `activity_id` is a constant and the shape sets neither.
    constant_type: Option<[(String, Value); 2]>,
}

#[derive(Debug)]
struct ObjectPlan<'s> {
    def: &'s ObjectDef,
    /// Keys holding objects to finalize, in shape order.
    children: Vec<(String, Child<'s>)>,
    /// The enum pairs the shape can fill, in `finalize`'s order.
    steps: Vec<Step>,
}

#[derive(Debug)]
enum Child<'s> {
    /// Built from a shape: only what the shape can fill is visited.
    Shaped(ObjectPlan<'s>),
    /// Unknown shape (an object, or an array of objects, of this type): walked in full.
    Any(&'s ObjectDef),
}

#[derive(Debug)]
enum Step {
    /// A constant's other side, computed when the plan was made.
    Insert(String, Value),
    /// A pair whose sides vary: filled as `finalize` fills it.
    Fill(usize, usize),
}

impl<'s> Class<'s> {
    /// Compiles [`finalize`](Class::finalize) for documents of `shape`.
    pub fn finalize_plan(&self, shape: &Shape) -> FinalizePlan<'s> {
        let header_absent = ["class_uid", "category_uid", "class_name", "category_name"]
            .iter()
            .all(|k| shape.get(k).is_none());
        // Only when nothing else can set the type: a `type_name` the mapping sets would give
        // `type_uid` its id instead.
        let constant_type = match (
            shape.get("activity_id"),
            shape.get("type_uid"),
            shape.get("type_name"),
        ) {
            (Some(Entry::Value(Some(activity))), None, None) => self.constant_type(activity),
            _ => None,
        };
        FinalizePlan {
            class: *self,
            header_absent,
            root: ObjectPlan::new(self.schema, &self.def.body, shape),
            constant_type,
        }
    }

    /// What `fill_type` adds to a document whose only type attribute is this `activity_id`.
    fn constant_type(&self, activity: &Value) -> Option<[(String, Value); 2]> {
        let mut doc = Map::new();
        doc.insert("activity_id".to_owned(), activity.clone());
        let mut errors = Vec::new();
        self.fill_type(&mut doc, &mut errors);
        let type_uid = doc.get("type_uid")?.clone();
        let type_name = doc.get("type_name")?.clone();
        (errors.is_empty() && doc.len() == 4).then(|| {
            [
                ("type_uid".to_owned(), type_uid),
                ("type_name".to_owned(), type_name),
            ]
        })
    }
}

impl FinalizePlan<'_> {
    /// At most how many keys finalizing adds to the object at `path` (`[]`: the document), so
    /// that the object can be made large enough up front.
    pub fn added_keys(&self, path: &[&str]) -> usize {
        let mut plan = &self.root;
        for key in path {
            match plan.children.iter().find(|(k, _)| k == key) {
                Some((_, Child::Shaped(inner))) => plan = inner,
                _ => return 0,
            }
        }
        let own = plan.steps.len();
        if path.is_empty() {
            // metadata, the four class attributes, type_uid and type_name.
            own + 1 + 4 + 2
        } else {
            own
        }
    }

    /// Fills `doc`, a document of the plan's shape, exactly as [`Class::finalize`] would.
    ///
    /// # Errors
    ///
    /// As [`Class::finalize`].
    pub fn finalize(&self, doc: &mut Map<String, Value>) -> Result<(), Vec<Violation>> {
        let mut errors = Vec::new();
        self.class.fill_header(doc, self.header_absent);
        self.root
            .run(self.class.schema, doc, &PathNode::Root, &mut errors);
        match &self.constant_type {
            Some(fields) => {
                for (key, value) in fields {
                    doc.insert(key.clone(), value.clone());
                }
            }
            None => self.class.fill_type(doc, &mut errors),
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl<'s> ObjectPlan<'s> {
    fn new(schema: &'s Schema, def: &'s ObjectDef, shape: &Shape) -> ObjectPlan<'s> {
        let mut children = Vec::new();
        for (key, entry) in &shape.entries {
            let Some(o) = def.find(key).and_then(|i| def.attrs[i].object) else {
                continue;
            };
            let child = &schema.objects[o];
            if child.free_form {
                continue;
            }
            let plan = match entry {
                Entry::Object(inner) => Child::Shaped(ObjectPlan::new(schema, child, inner)),
                Entry::Value(_) => Child::Any(child),
            };
            children.push((key.clone(), plan));
        }
        let mut steps = Vec::new();
        for &(id, caption) in &def.pairs {
            let id_entry = shape.get(&def.attrs[id].name);
            let caption_entry = shape.get(&def.attrs[caption].name);
            match (id_entry, caption_entry) {
                (None, None) => {}
                (Some(Entry::Value(Some(constant))), None) => {
                    steps.extend(constant_step(def, (id, caption), id, constant));
                }
                (None, Some(Entry::Value(Some(constant)))) => {
                    steps.extend(constant_step(def, (id, caption), caption, constant));
                }
                _ => steps.push(Step::Fill(id, caption)),
            }
        }
        ObjectPlan {
            def,
            children,
            steps,
        }
    }

    fn run(
        &self,
        schema: &Schema,
        map: &mut Map<String, Value>,
        path: &PathNode<'_>,
        errors: &mut Vec<Violation>,
    ) {
        for (key, child) in &self.children {
            let Some(value) = map.get_mut(key) else {
                continue;
            };
            let path = path.key(key);
            match (child, value) {
                (Child::Shaped(plan), Value::Object(inner)) => {
                    plan.run(schema, inner, &path, errors);
                }
                (Child::Shaped(ObjectPlan { def, .. }) | Child::Any(def), value) => {
                    fill_value(schema, def, value, &path, errors);
                }
            }
        }
        for step in &self.steps {
            match step {
                Step::Insert(key, value) => {
                    map.insert(key.clone(), value.clone());
                }
                Step::Fill(id, caption) => fill_pair(self.def, map, (*id, *caption), path, errors),
            }
        }
    }
}

/// The step for a pair whose only side in the shape is the constant `value` at `side`: the
/// other side, computed now; `Fill` when finalizing would also change the constant (a caption
/// respelled) or report it; nothing when it fills nothing.
fn constant_step(
    def: &ObjectDef,
    pair: (usize, usize),
    side: usize,
    value: &Value,
) -> Option<Step> {
    let key = &def.attrs[side].name;
    let mut map = Map::new();
    map.insert(key.clone(), value.clone());
    let mut errors = Vec::new();
    fill_pair(def, &mut map, pair, &PathNode::Root, &mut errors);
    if !errors.is_empty() || map.get(key) != Some(value) {
        return Some(Step::Fill(pair.0, pair.1));
    }
    let (other, filled) = map.into_iter().find(|(k, _)| k != key)?;
    Some(Step::Insert(other, filled))
}

/// `finalize` below a key of unknown shape: an object, or each object of an array.
fn fill_value(
    schema: &Schema,
    def: &ObjectDef,
    value: &mut Value,
    path: &PathNode<'_>,
    errors: &mut Vec<Violation>,
) {
    match value {
        Value::Object(map) => fill_object(schema, def, map, path, errors),
        Value::Array(items) => {
            for (n, item) in items.iter_mut().enumerate() {
                if let Value::Object(map) = item {
                    fill_object(schema, def, map, &path.index(n), errors);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::Shape;
    use crate::{Schema, ViolationKind};

    fn object(doc: Value) -> Map<String, Value> {
        match doc {
            Value::Object(map) => map,
            _ => panic!("test document must be an object"),
        }
    }

    /// Finalizes `doc` with the plan for `shape` and with `Class::finalize`; both results.
    fn both(
        class: &str,
        shape: &Shape,
        doc: Value,
    ) -> (String, String, Result<(), Vec<crate::Violation>>) {
        let class = Schema::ocsf().class(class).unwrap();
        let (mut planned, mut reference) = (object(doc.clone()), object(doc));
        let result = class.finalize_plan(shape).finalize(&mut planned);
        let expected = class.finalize(&mut reference);
        assert_eq!(
            result.as_ref().err().map(|v| v.len()),
            expected.as_ref().err().map(|v| v.len())
        );
        (
            serde_json::to_string(&planned).unwrap(),
            serde_json::to_string(&reference).unwrap(),
            result,
        )
    }

    /// The shape of the finding used below: constant activity, status and analytic type; a
    /// severity caption that varies; evidences of unknown shape.
    fn finding_shape() -> Shape {
        let mut shape = Shape::new();
        shape.value("activity_id", Some(json!(1)));
        shape.value("status_id", Some(json!(1)));
        shape.value("severity", None);
        let info = shape.object("finding_info").unwrap();
        info.value("title", None);
        info.object("analytic")
            .unwrap()
            .value("type_id", Some(json!(1)));
        shape.value("evidences", None);
        shape
            .object("metadata")
            .unwrap()
            .value("product", Some(json!({"name": "X"})));
        shape
    }

    #[test]
    fn a_plan_fills_what_finalize_fills_in_the_same_order() {
        let doc = json!({
            "activity_id": 1,
            "status_id": 1,
            "severity": "high",
            "finding_info": {"title": "t", "analytic": {"type_id": 1}},
            "evidences": [{"connection_info": {"direction_id": 2}}],
            "metadata": {"product": {"name": "X"}},
        });
        let (planned, reference, result) = both("detection_finding", &finding_shape(), doc);
        assert!(result.is_ok());
        assert_eq!(planned, reference);
        // Constants' captions, a varying caption's id (respelled), and a subtree of unknown
        // shape, all filled.
        for part in [
            r#""status":"New""#,
            r#""severity":"High""#,
            r#""severity_id":4"#,
            r#""type":"Rule""#,
            r#""direction":"Outbound""#,
            r#""type_name":"Detection Finding: Create""#,
        ] {
            assert!(planned.contains(part), "{part} in {planned}");
        }
    }

    #[test]
    fn a_plan_leaves_out_what_is_absent_at_run_time() {
        // Neither the varying caption nor the unknown subtree is there this time.
        let doc = json!({"activity_id": 1, "status_id": 1, "finding_info": {"title": "t"}});
        let (planned, reference, _) = both("detection_finding", &finding_shape(), doc);
        assert_eq!(planned, reference);
        assert!(!planned.contains("severity"));
    }

    #[test]
    fn a_plan_reports_an_unknown_caption_as_finalize_does() {
        let doc = json!({"activity_id": 1, "status_id": 1, "severity": "Dire"});
        let (planned, reference, result) = both("detection_finding", &finding_shape(), doc);
        assert_eq!(planned, reference);
        let errors = result.unwrap_err();
        assert_eq!(errors[0].kind, ViolationKind::UnknownCaption);
        assert_eq!(errors[0].path, "severity");
    }

    #[test]
    fn a_constant_caption_in_another_spelling_is_respelled_on_every_document() {
        let mut shape = Shape::new();
        shape.value("activity_id", Some(json!(6)));
        shape.value("severity", Some(json!("low")));
        let doc = json!({"activity_id": 6, "severity": "low"});
        let (planned, reference, _) = both("network_activity", &shape, doc);
        assert_eq!(planned, reference);
        assert!(planned.contains(r#""severity":"Low""#), "{planned}");
    }

    #[test]
    fn a_type_name_the_mapping_sets_decides_type_uid_even_with_a_constant_activity() {
        let mut shape = Shape::new();
        shape.value("activity_id", Some(json!(1)));
        shape.value("type_name", None);
        let doc = json!({"activity_id": 1, "type_name": "Detection Finding: Update"});
        let (planned, reference, _) = both("detection_finding", &shape, doc);
        assert_eq!(planned, reference);
        assert!(planned.contains(r#""type_uid":200402"#), "{planned}");
    }

    /// A shape holding exactly `doc`'s keys: objects as shapes, other values as constants (or as
    /// values that vary, with `constants: false`), with some keys taken from the document first
    /// so that finalizing has their other side to fill.
    fn shape_of(doc: &Map<String, Value>, constants: bool) -> Shape {
        let mut shape = Shape::new();
        for (key, value) in doc {
            match value {
                Value::Object(inner) => {
                    *shape.object(key).unwrap() = shape_of(inner, constants);
                }
                v => shape.value(key, constants.then(|| v.clone())),
            }
        }
        shape
    }

    #[test]
    fn plans_agree_with_finalize_on_every_document_of_the_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus");
        let mut checked = 0;
        for file in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            let entry: Value = serde_json::from_str(&text).unwrap();
            let Some(class) = entry["class"].as_str() else {
                continue;
            };
            let Value::Object(full) = entry["document"].clone() else {
                continue;
            };
            // The document as written, and without the class attributes and every other
            // attribute that is not an id (captions among them): more for finalizing to fill.
            let mut bare = full.clone();
            for derived in ["class_uid", "category_uid", "class_name", "category_name"] {
                bare.remove(derived);
            }
            for (i, key) in full.keys().enumerate() {
                if i % 2 == 0 && !key.ends_with("_id") {
                    bare.remove(key);
                }
            }
            for doc in [full, bare] {
                for constants in [true, false] {
                    let shape = shape_of(&doc, constants);
                    let (planned, reference, _) = both(class, &shape, Value::Object(doc.clone()));
                    assert_eq!(planned, reference, "{text}");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 100, "only {checked} checked");
    }

    #[test]
    fn added_keys_counts_what_a_plan_may_add_to_an_object() {
        let class = Schema::ocsf().class("detection_finding").unwrap();
        let plan = class.finalize_plan(&finding_shape());
        // activity_name, status, severity_id; metadata, 4 class attributes, type_uid, type_name.
        assert_eq!(plan.added_keys(&[]), 3 + 7);
        assert_eq!(plan.added_keys(&["finding_info", "analytic"]), 1);
        assert_eq!(plan.added_keys(&["finding_info"]), 0);
        assert_eq!(plan.added_keys(&["evidences"]), 0);
    }
}
