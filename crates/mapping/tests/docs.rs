//! Runs every example in `docs/mapping.md`, so the manual cannot drift from the engine.
//!
//! An example is a ```` ```yaml ```` block (a whole mapping file) followed by any of:
//! - ```` ```json input ````: one record per line;
//! - ```` ```json output ````: one line per expected document, in order; each document must
//!   contain every attribute of its line with the same value (arrays compare whole);
//! - ```` ```text error ````: some record must fail with a message containing this text;
//! - ```` ```text diagnostics ````: the mapping must not compile, and its rendered diagnostics
//!   must contain this text.

use ocsf_map_mapping::{Mapper, Outcome, compile};
use ocsf_map_record::{Record, SourcePos};
use serde_json::Value;

#[derive(Debug, Default)]
struct Example {
    line: usize,
    mapping: String,
    input: Option<String>,
    output: Option<String>,
    error: Option<String>,
    diagnostics: Option<String>,
}

fn examples() -> Vec<Example> {
    let text = include_str!("../../../docs/mapping.md");
    let mut examples: Vec<Example> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        match info.trim() {
            "yaml" => examples.push(Example {
                line: n + 1,
                mapping: body,
                ..Example::default()
            }),
            "json input" => examples.last_mut().expect("input after a mapping").input = Some(body),
            "json output" => {
                examples.last_mut().expect("output after a mapping").output = Some(body)
            }
            "text error" => examples.last_mut().expect("error after a mapping").error = Some(body),
            "text diagnostics" => {
                examples
                    .last_mut()
                    .expect("diagnostics after a mapping")
                    .diagnostics = Some(body)
            }
            _ => {}
        }
    }
    examples
}

/// `expected` is contained in `actual`: objects key by key, everything else equal.
fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| contains(av, ev))),
        _ => actual == expected,
    }
}

fn run(example: &Example) {
    let at = format!("docs/mapping.md example at line {}", example.line);
    let compiled = compile("mapping.yaml", &example.mapping);
    if let Some(expected) = &example.diagnostics {
        let err = compiled.expect_err(&format!("{at}: should not compile"));
        let rendered = err.to_string();
        assert!(
            rendered.contains(expected.trim_end()),
            "{at}: diagnostics differ\n--- expected (contained) ---\n{expected}\n--- actual ---\n{rendered}"
        );
        return;
    }
    let mapping = compiled.unwrap_or_else(|e| panic!("{at}: does not compile:\n{e}"));
    let mapper = Mapper::new(&mapping);
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in example.input.as_deref().unwrap_or("").lines().enumerate() {
        let fields: Value = serde_json::from_str(line).expect("input lines are JSON");
        let pos = SourcePos {
            source: "docs".into(),
            record: i as u64 + 1,
            line: i as u64 + 1,
            offset: 0,
        };
        match mapper.apply(&Record::new(fields, pos), &mut docs) {
            Ok(Outcome::Mapped(_) | Outcome::Skipped) => {}
            Err(e) => errors.push(e.to_string()),
        }
    }
    if let Some(expected) = &example.error {
        assert!(
            errors.iter().any(|e| e.contains(expected.trim())),
            "{at}: expected an error containing {expected:?}, got {errors:?}"
        );
        return;
    }
    assert!(errors.is_empty(), "{at}: records failed: {errors:?}");
    for doc in &docs {
        let violations = doc.class.validate(&doc.value);
        assert!(
            violations.is_empty(),
            "{at}: invalid OCSF: {violations:?}\n{}",
            doc.value
        );
    }
    let expected: Vec<Value> = example
        .output
        .as_deref()
        .unwrap_or("")
        .lines()
        .map(|l| serde_json::from_str(l).expect("output lines are JSON"))
        .collect();
    assert_eq!(docs.len(), expected.len(), "{at}: number of documents");
    for (doc, exp) in docs.iter().zip(&expected) {
        assert!(
            contains(&doc.value, exp),
            "{at}: document\n{}\ndoes not contain\n{exp}",
            doc.value
        );
    }
}

#[test]
fn every_example_in_the_mapping_manual_runs_as_documented() {
    let examples = examples();
    assert!(
        examples.len() >= 12,
        "found only {} examples",
        examples.len()
    );
    for example in &examples {
        run(example);
    }
}
