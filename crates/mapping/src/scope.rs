//! What templates and expressions see: a lazy view of the record plus the mapping's own names.
//!
//! Converting a whole record into template values on every evaluation would cost more than the
//! rest of the mapping together (shared/research/crates.md §3). Instead, [`Scope`] answers name
//! lookups on demand and [`JsonView`] wraps nested objects and arrays without copying them; only
//! the scalars a template actually reads are converted.

use std::sync::Arc;

use minijinja::Value as Jv;
use minijinja::value::{Enumerator, Object, ObjectRepr};
use serde_json::Value;

/// The variables of one evaluation: `let` values, the current `for_each` element, `record`, and
/// the record's top-level fields, looked up in that order.
#[derive(Debug)]
pub(crate) struct Scope {
    pub(crate) record: Arc<Value>,
    /// Names of the `let` values, shared by every record.
    pub(crate) let_names: Arc<[String]>,
    /// The `let` values computed so far for this record (a prefix of `let_names`); `None` for
    /// a `let` whose source was missing.
    pub(crate) lets: Vec<Option<Jv>>,
    /// The `for_each` element and its name, inside a fan-out.
    pub(crate) item: Option<(Arc<str>, Jv)>,
}

impl Object for Scope {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Jv) -> Option<Jv> {
        let name = key.as_str()?;
        if let Some((item_name, item)) = &self.item
            && **item_name == *name
        {
            return Some(item.clone());
        }
        if let Some(i) = self.let_names.iter().position(|n| n == name) {
            // A missing `let` is undefined: it does not fall back to a record field.
            return self.lets.get(i).cloned().flatten();
        }
        if name == "record" {
            return Some(JsonView::root(&self.record));
        }
        match &*self.record {
            Value::Object(map) => map.get(name).map(|_| JsonView::child(&self.record, name)),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let mut names: Vec<Jv> = self.let_names[..self.lets.len()]
            .iter()
            .map(Jv::from)
            .collect();
        if let Some((n, _)) = &self.item {
            names.push(Jv::from(&**n));
        }
        names.push(Jv::from("record"));
        if let Value::Object(map) = &*self.record {
            names.extend(map.keys().map(Jv::from));
        }
        Enumerator::Values(names)
    }
}

/// A JSON object or array inside the record, seen by templates without being copied.
#[derive(Debug)]
pub(crate) struct JsonView {
    root: Arc<Value>,
    path: Vec<Step>,
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

impl JsonView {
    /// The whole record.
    fn root(root: &Arc<Value>) -> Jv {
        view_or_scalar(root, Vec::new(), root)
    }

    /// A top-level field of the record.
    fn child(root: &Arc<Value>, key: &str) -> Jv {
        let target = &root[key];
        view_or_scalar(root, vec![Step::Key(key.to_owned())], target)
    }

    fn target(&self) -> &Value {
        let mut node = &*self.root;
        for step in &self.path {
            node = match step {
                Step::Key(k) => &node[k.as_str()],
                Step::Index(i) => &node[*i],
            };
        }
        node
    }

    /// The JSON this view stands for (used when a template result is a record object).
    pub(crate) fn to_json(&self) -> Value {
        self.target().clone()
    }

    fn descend(&self, step: Step, target: &Value) -> Jv {
        let mut path = self.path.clone();
        path.push(step);
        view_or_scalar(&self.root, path, target)
    }
}

impl Object for JsonView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        match self.target() {
            Value::Array(_) => ObjectRepr::Seq,
            _ => ObjectRepr::Map,
        }
    }

    fn get_value(self: &Arc<Self>, key: &Jv) -> Option<Jv> {
        match self.target() {
            Value::Object(map) => {
                let k = key.as_str()?;
                let v = map.get(k)?;
                Some(self.descend(Step::Key(k.to_owned()), v))
            }
            Value::Array(items) => {
                let i = usize::try_from(key.as_i64()?).ok()?;
                let v = items.get(i)?;
                Some(self.descend(Step::Index(i), v))
            }
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.target() {
            Value::Object(map) => Enumerator::Values(map.keys().map(Jv::from).collect()),
            Value::Array(items) => Enumerator::Values(
                (0..items.len())
                    .map(|i| self.descend(Step::Index(i), &items[i]))
                    .collect(),
            ),
            _ => Enumerator::Empty,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        match self.target() {
            Value::Object(map) => Some(map.len()),
            Value::Array(items) => Some(items.len()),
            _ => Some(0),
        }
    }
}

/// Scalars become template values directly; objects and arrays become views.
fn view_or_scalar(root: &Arc<Value>, path: Vec<Step>, target: &Value) -> Jv {
    match target {
        Value::Object(_) | Value::Array(_) => Jv::from_object(JsonView {
            root: Arc::clone(root),
            path,
        }),
        scalar => json_to_jv(scalar),
    }
}

/// Converts a JSON value into a template value (deeply, for values the mapping computed).
pub(crate) fn json_to_jv(value: &Value) -> Jv {
    match value {
        Value::Null => Jv::from(()),
        Value::Bool(b) => Jv::from(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Jv::from(i)
            } else if let Some(u) = n.as_u64() {
                Jv::from(u)
            } else {
                Jv::from(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => Jv::from(s.as_str()),
        Value::Array(_) | Value::Object(_) => {
            let root = Arc::new(value.clone());
            JsonView::root(&root)
        }
    }
}

/// Converts a template result back into JSON. Views of the record are copied out directly.
pub(crate) fn jv_to_json(value: &Jv) -> Result<Value, String> {
    if let Some(view) = value.downcast_object_ref::<JsonView>() {
        return Ok(view.to_json());
    }
    if value.is_undefined() {
        return Err("the result is undefined".to_owned());
    }
    serde_json::to_value(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::{Environment, UndefinedBehavior};
    use serde_json::json;

    fn scope(record: Value) -> Jv {
        Jv::from_object(Scope {
            record: Arc::new(record),
            let_names: Arc::from(vec!["sev".to_owned()]),
            lets: vec![Some(Jv::from(4))],
            item: None,
        })
    }

    fn eval(expr: &str, ctx: Jv) -> Result<Value, String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let e = env.compile_expression(expr).map_err(|e| e.to_string())?;
        let v = e.eval(ctx).map_err(|e| e.to_string())?;
        jv_to_json(&v)
    }

    #[test]
    fn nested_fields_are_reachable_by_attribute() {
        let ctx = scope(json!({"alert": {"signature": "X", "severity": 2}}));
        assert_eq!(eval("alert.signature", ctx.clone()), Ok(json!("X")));
        assert_eq!(eval("alert.severity + 1", ctx), Ok(json!(3)));
    }

    #[test]
    fn fields_with_dots_are_reachable_through_record() {
        let ctx = scope(json!({"id.orig_h": "10.0.0.1"}));
        assert_eq!(eval("record['id.orig_h']", ctx), Ok(json!("10.0.0.1")));
    }

    #[test]
    fn let_values_shadow_record_fields() {
        let ctx = scope(json!({"sev": "from record"}));
        assert_eq!(eval("sev", ctx), Ok(json!(4)));
    }

    #[test]
    fn a_missing_field_is_an_error_not_an_empty_string() {
        let ctx = scope(json!({"alert": {}}));
        let err = eval("alert.signature", ctx).unwrap_err();
        assert!(err.contains("undefined"), "{err}");
    }

    #[test]
    fn record_objects_come_back_as_json() {
        let ctx = scope(json!({"flow": {"pkts": 4, "tags": ["a"]}}));
        assert_eq!(eval("flow", ctx), Ok(json!({"pkts": 4, "tags": ["a"]})));
    }

    #[test]
    fn arrays_can_be_iterated_and_measured() {
        let ctx = scope(json!({"to": ["a@x.org", "b@x.org"]}));
        assert_eq!(eval("to | length", ctx.clone()), Ok(json!(2)));
        assert_eq!(
            eval("to | join(',')", ctx.clone()),
            Ok(json!("a@x.org,b@x.org"))
        );
        assert_eq!(eval("to[1]", ctx), Ok(json!("b@x.org")));
    }
}
