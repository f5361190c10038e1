//! `finalize` and `validate` never panic: every value of every corpus document is replaced, in
//! turn, by values of every JSON shape, and both functions run on the result.

use std::path::Path;

use ocsf_map_schema::Schema;
use serde_json::{Value, json};

fn pointers(value: &Value, prefix: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{prefix}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{prefix}/{i}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        _ => {}
    }
}

#[test]
fn mutated_corpus_documents_never_panic() {
    let shapes = [
        Value::Null,
        json!(true),
        json!(-1),
        json!(u64::MAX),
        json!(1.5),
        json!(""),
        json!("99"),
        json!("Other"),
        json!([]),
        json!([null, {}]),
        json!({}),
        json!({"name": "src_endpoint.ip", "type_id": 99}),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus");
    let mut runs = 0;
    for file in std::fs::read_dir(dir).unwrap() {
        let entry: Value =
            serde_json::from_str(&std::fs::read_to_string(file.unwrap().path()).unwrap()).unwrap();
        let class = Schema::ocsf()
            .class(entry["class"].as_str().unwrap())
            .unwrap();
        let document = &entry["document"];
        let mut paths = Vec::new();
        pointers(document, String::new(), &mut paths);
        for path in &paths {
            for shape in &shapes {
                let mut doc = document.clone();
                *doc.pointer_mut(path).unwrap() = shape.clone();
                let _ = class.validate(&doc);
                if let Value::Object(mut map) = doc {
                    let _ = class.finalize(&mut map);
                    let _ = class.validate(&Value::Object(map));
                }
                runs += 1;
            }
        }
    }
    assert!(runs > 1000, "only {runs} mutations");
}

#[test]
fn non_object_documents_are_violations() {
    let class = Schema::ocsf().class("network_activity").unwrap();
    for doc in [Value::Null, json!(1), json!("x"), json!([])] {
        assert_eq!(class.validate(&doc).len(), 1);
    }
}

#[test]
fn deeply_nested_unmapped_is_accepted() {
    let mut deep = json!(1);
    for _ in 0..1_000 {
        deep = json!({ "a": deep });
    }
    let class = Schema::ocsf().class("detection_finding").unwrap();
    let doc = json!({"unmapped": deep});
    // Only the required attributes are missing; the free-form content is not walked.
    assert!(class.validate(&doc).iter().all(|v| v.path != "unmapped"));
}
