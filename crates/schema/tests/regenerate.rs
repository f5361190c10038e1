//! The embedded `data/ocsf-1.4.0.json` agrees with the compiled OCSF schema it is generated from.
//!
//! Runs only when the compiled file is there: `$OCSF_COMPILED`, else
//! `../shared/ocsf/1.4.0-compiled.json` next to the repository. Otherwise it skips (passes with a
//! note). It compares names, types and requirements; it does not run the generator. To
//! regenerate, from the repository root:
//!
//! ```text
//! python3 scripts/gen_schema.py [path/to/1.4.0-compiled.json]
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;

fn compiled_path() -> Option<PathBuf> {
    let path = match std::env::var_os("OCSF_COMPILED") {
        Some(p) => PathBuf::from(p),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ocsf/1.4.0-compiled.json")
        }
    };
    path.exists().then_some(path)
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `name -> (type, requirement, profile)` for the attributes of a class or object.
fn attribute_table(attrs: &Value) -> Vec<(String, Value, Value, Value)> {
    let mut rows: Vec<_> = attrs
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, a)| {
            let profile = a.get("profile").cloned().unwrap_or(Value::Null);
            (
                k.clone(),
                a["type"].clone(),
                a["requirement"].clone(),
                profile,
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

#[test]
fn embedded_data_matches_the_compiled_schema() {
    let Some(path) = compiled_path() else {
        eprintln!("skipped: no compiled OCSF schema (set OCSF_COMPILED)");
        return;
    };
    let compiled = load(&path);
    let embedded = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/ocsf-1.4.0.json"));
    if compiled["version"] != embedded["version"] {
        eprintln!(
            "skipped: {} is OCSF {}, not {}",
            path.display(),
            compiled["version"],
            embedded["version"]
        );
        return;
    }
    for (name, class) in embedded["classes"].as_object().unwrap() {
        let source = &compiled["classes"][name];
        assert_eq!(class["uid"], source["uid"], "{name}");
        assert_eq!(class["category_uid"], source["category_uid"], "{name}");
        assert_eq!(
            attribute_table(&class["attributes"]),
            attribute_table(&source["attributes"]),
            "{name}"
        );
    }
    for (name, object) in embedded["objects"].as_object().unwrap() {
        let source = &compiled["objects"][name];
        assert_eq!(
            attribute_table(&object["attributes"]),
            attribute_table(&source["attributes"]),
            "{name}"
        );
    }
}
