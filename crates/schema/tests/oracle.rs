//! Compares `Class::validate` with the OCSF JSON Schemas (checked by the `jsonschema` crate,
//! Draft 2020-12 forced) on the corpus in `tests/data/corpus/`.
//!
//! Each corpus file is
//!
//! ```json
//! {"class": "detection_finding", "about": "...",
//!  "expect": {"ours": "valid|invalid", "jsonschema": "valid|invalid",
//!             "kinds": ["out-of-range"], "why": "..."},
//!  "document": {...}}
//! ```
//!
//! `kinds` lists the violation kinds `validate` reports (as a set). `why` is required exactly when
//! the two verdicts differ: it documents a disagreement by design (a rule JSON Schema cannot
//! express, such as `type_uid = class_uid * 100 + activity_id` or caption/id agreement, or a
//! format checked more strictly than the OCSF regex).
//!
//! The JSON Schema for a document is `jsonschema/<class>.json`, or
//! `jsonschema/with-profiles/<class>.security_control.json` when `metadata.profiles` is exactly
//! `["security_control"]`. Corpus documents use no other profile's attributes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ocsf_map_schema::Schema;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Entry {
    class: String,
    #[allow(dead_code)]
    about: String,
    expect: Expect,
    document: Value,
}

#[derive(Deserialize)]
struct Expect {
    ours: Verdict,
    jsonschema: Verdict,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    why: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    Valid,
    Invalid,
}

impl Verdict {
    fn of(valid: bool) -> Verdict {
        if valid {
            Verdict::Valid
        } else {
            Verdict::Invalid
        }
    }
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn corpus() -> Vec<(String, Entry)> {
    let dir = data_dir().join("corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let entry: Entry =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_stem().unwrap().to_string_lossy().into_owned(), entry)
        })
        .collect()
}

/// Compiled JSON Schema validators, keyed by file name relative to `jsonschema/`.
struct Oracle(BTreeMap<String, jsonschema::Validator>);

impl Oracle {
    fn new() -> Oracle {
        let mut validators = BTreeMap::new();
        for class in Schema::ocsf().class_names() {
            for rel in [
                format!("{class}.json"),
                format!("with-profiles/{class}.security_control.json"),
            ] {
                let path = data_dir().join("jsonschema").join(&rel);
                let schema: Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                let validator = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .build(&schema)
                    .unwrap_or_else(|e| panic!("{rel}: {e}"));
                validators.insert(rel, validator);
            }
        }
        Oracle(validators)
    }

    fn schema_for(entry: &Entry) -> String {
        let profiles = entry.document.pointer("/metadata/profiles");
        if profiles == Some(&serde_json::json!(["security_control"])) {
            format!("with-profiles/{}.security_control.json", entry.class)
        } else {
            format!("{}.json", entry.class)
        }
    }

    /// The verdict and, for failures, the first few error messages.
    fn check(&self, entry: &Entry) -> (Verdict, Vec<String>) {
        let validator = &self.0[&Oracle::schema_for(entry)];
        let errors: Vec<String> = validator
            .iter_errors(&entry.document)
            .take(3)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        (Verdict::of(errors.is_empty()), errors)
    }
}

#[test]
fn corpus_is_not_empty_and_covers_every_class() {
    let entries = corpus();
    for class in Schema::ocsf().class_names() {
        for verdict in [Verdict::Valid, Verdict::Invalid] {
            assert!(
                entries
                    .iter()
                    .any(|(_, e)| e.class == class && e.expect.ours == verdict),
                "no {verdict:?} corpus document for {class}"
            );
        }
    }
}

#[test]
fn our_verdicts_match_the_corpus() {
    let mut wrong = Vec::new();
    for (name, entry) in corpus() {
        let class = Schema::ocsf().class(&entry.class).unwrap();
        let violations = class.validate(&entry.document);
        if Verdict::of(violations.is_empty()) != entry.expect.ours {
            let shown: Vec<String> = violations.iter().map(ToString::to_string).collect();
            wrong.push(format!(
                "{name}: expected {:?}, got {shown:#?}",
                entry.expect.ours
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn our_violation_kinds_match_the_corpus() {
    let mut wrong = Vec::new();
    for (name, entry) in corpus() {
        let class = Schema::ocsf().class(&entry.class).unwrap();
        let got: BTreeSet<&str> = class
            .validate(&entry.document)
            .iter()
            .map(|v| v.kind.as_str())
            .collect();
        let want: BTreeSet<&str> = entry.expect.kinds.iter().map(String::as_str).collect();
        if got != want {
            wrong.push(format!("{name}: expected kinds {want:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn json_schema_verdicts_match_the_corpus() {
    let oracle = Oracle::new();
    let mut wrong = Vec::new();
    for (name, entry) in corpus() {
        let (verdict, errors) = oracle.check(&entry);
        if verdict != entry.expect.jsonschema {
            wrong.push(format!(
                "{name}: expected {:?} by JSON Schema, got {errors:#?}",
                entry.expect.jsonschema
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_disagreement_is_explained_and_only_those() {
    let mut wrong = Vec::new();
    for (name, entry) in corpus() {
        let disagree = entry.expect.ours != entry.expect.jsonschema;
        let explained = entry
            .expect
            .why
            .as_deref()
            .is_some_and(|w| !w.trim().is_empty());
        if disagree != explained {
            wrong.push(format!(
                "{name}: verdicts differ = {disagree}, but `why` given = {explained}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn invalid_documents_name_their_kinds() {
    for (name, entry) in corpus() {
        let invalid = entry.expect.ours == Verdict::Invalid;
        assert_eq!(
            invalid,
            !entry.expect.kinds.is_empty(),
            "{name}: kinds must be listed exactly for invalid documents"
        );
    }
}

/// Whether everything in `a` is in `b` unchanged (objects may gain keys; arrays keep length).
fn is_kept(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| is_kept(v, w))),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| is_kept(v, w))
        }
        _ => a == b,
    }
}

#[test]
fn finalize_keeps_every_authored_value_of_valid_documents() {
    for (name, entry) in corpus() {
        if entry.expect.ours != Verdict::Valid {
            continue;
        }
        let class = Schema::ocsf().class(&entry.class).unwrap();
        let Value::Object(mut doc) = entry.document.clone() else {
            panic!("{name}: not an object")
        };
        assert_eq!(class.finalize(&mut doc), Ok(()), "{name}");
        let doc = Value::Object(doc);
        assert!(
            is_kept(&entry.document, &doc),
            "{name}: finalize changed an authored value"
        );
        assert_eq!(
            class.validate(&doc),
            [],
            "{name}: finalized document is not valid"
        );
    }
}

#[test]
fn finalize_restores_stripped_derived_attributes() {
    let derived = [
        "class_uid",
        "category_uid",
        "class_name",
        "category_name",
        "type_uid",
        "type_name",
        "activity_name",
        "severity",
    ];
    for (name, entry) in corpus() {
        if entry.expect.ours != Verdict::Valid
            || entry.document.get("severity_id") == Some(&Value::from(99))
        {
            continue;
        }
        let class = Schema::ocsf().class(&entry.class).unwrap();
        let Value::Object(mut doc) = entry.document.clone() else {
            panic!("{name}: not an object")
        };
        for key in derived {
            doc.shift_remove(key);
        }
        if let Some(Value::Object(metadata)) = doc.get_mut("metadata") {
            metadata.shift_remove("version");
        }
        assert_eq!(class.finalize(&mut doc), Ok(()), "{name}");
        let doc = Value::Object(doc);
        assert_eq!(
            class.validate(&doc),
            [],
            "{name}: finalized document is not valid"
        );
    }
}
