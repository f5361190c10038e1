//! One test per feature of the mapping language (docs/mapping.md), each on a small mapping.

use ocsf_map_mapping::{CompileError, Document, MapError, Mapper, Outcome, compile};
use ocsf_map_record::{Record, SourcePos};
use serde_json::{Value, json};

/// Wraps `fields` (YAML, indented 6 spaces) in a network_activity output with the attributes
/// every such document needs.
fn network(fields: &str) -> String {
    format!(
        "outputs:\n  - class: network_activity\n    fields:\n      activity_id: 6\n      \
         severity_id: 1\n      time: 1538577764836\n      metadata.product.name: Test\n{fields}"
    )
}

fn record(fields: Value) -> Record {
    Record::new(
        fields,
        SourcePos {
            source: "test".into(),
            record: 1,
            line: 1,
            offset: 0,
        },
    )
}

fn map(mapping: &str, input: Value) -> Result<Vec<Document>, MapError> {
    let compiled = compile("test.yaml", mapping).unwrap_or_else(|e| panic!("{e}"));
    let mut docs = Vec::new();
    Mapper::new(&compiled).apply(&record(input), &mut docs)?;
    Ok(docs)
}

fn map_one(mapping: &str, input: Value) -> Value {
    let docs = map(mapping, input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(docs.len(), 1);
    docs.into_iter().next().unwrap().value
}

/// The errors of a mapping that does not compile (its warnings left out: the small mappings
/// here draw some, e.g. for a network_activity without endpoints).
fn compile_err(mapping: &str) -> CompileError {
    let mut err = compile("test.yaml", mapping).expect_err("mapping should not compile");
    err.diagnostics.retain(|d| d.is_error());
    err
}

// ---- values ----

#[test]
fn a_jsonpath_value_keeps_its_json_type() {
    let doc = map_one(
        &network("      src_endpoint.port: $.port\n"),
        json!({"port": 443}),
    );
    assert_eq!(doc["src_endpoint"]["port"], json!(443));
}

#[test]
fn a_non_singular_jsonpath_selects_an_array() {
    let m = network("      unmapped.ids: $.events[*].id\n");
    let doc = map_one(&m, json!({"events": [{"id": 1}, {"id": 2}]}));
    assert_eq!(doc["unmapped"]["ids"], json!([1, 2]));
}

#[test]
fn a_template_computes_a_string() {
    let m = network("      message: \"{{ src_ip }}:{{ src_port }}\"\n");
    let doc = map_one(&m, json!({"src_ip": "10.0.0.1", "src_port": 80}));
    assert_eq!(doc["message"], "10.0.0.1:80");
}

#[test]
fn a_template_of_text_and_fields_prints_what_the_template_engine_prints() {
    // The first is joined directly; the parentheses make the second run in the engine.
    let m = network(
        "      unmapped.direct: \"id:{{ a }}/{{ b.c }} {{ a }}\"\n      \
         unmapped.engine: \"id:{{ (a) }}/{{ (b.c) }} {{ (a) }}\"\n",
    );
    let values = [
        json!("text"),
        json!(""),
        json!(42),
        json!(-7),
        json!(u64::MAX),
        json!(1.5),
        json!(2.0),
        json!(1e21),
        json!(true),
        json!(false),
        json!([1, "x"]),
        json!({"k": "v"}),
    ];
    for a in &values {
        for c in &values {
            let doc = map_one(&m, json!({"a": a, "b": {"c": c}}));
            assert_eq!(
                doc["unmapped"]["direct"], doc["unmapped"]["engine"],
                "a = {a}, b.c = {c}"
            );
        }
    }
}

#[test]
fn a_template_of_text_and_fields_fails_like_the_template_on_a_missing_field() {
    let m = network("      unmapped.direct: \"id:{{ a }}:{{ b }}\"\n");
    let err = map(&m, json!({"a": 1})).expect_err("b is missing");
    assert!(err.message.contains("undefined"), "{}", err.message);
}

#[test]
fn a_template_names_a_later_let_not_the_record_field_of_that_name() {
    // Inside `who`, `domain` is the `let` below (not yet computed), as in the template engine.
    let m = format!(
        "let:\n  who: {{template: \"{{{{ user }}}}@{{{{ domain }}}}\", default: nobody}}\n  \
         domain: $.realm\n{}      unmapped.who: {{expr: who}}\n",
        network("")
    );
    let doc = map_one(&m, json!({"user": "a", "domain": "x.org", "realm": "y"}));
    assert_eq!(doc["unmapped"]["who"], json!("nobody"));
}

#[test]
fn a_template_of_literals_prints_them_not_record_fields_of_their_names() {
    let m = network("      unmapped.t: \"x{{ none }}{{ true }}\"\n");
    let doc = map_one(&m, json!({"none": "N", "true": "T"}));
    assert_eq!(doc["unmapped"]["t"], json!("xNoneTrue"));
}

#[test]
fn an_expression_computes_a_typed_value() {
    let m = network("      traffic.bytes: {expr: \"alert.severity | int * 100\"}\n");
    let doc = map_one(&m, json!({"alert": {"severity": "2"}}));
    assert_eq!(doc["traffic"]["bytes"], json!(200));
}

#[test]
fn a_missing_variable_in_a_template_is_an_error_not_an_empty_string() {
    let m = network("      message: \"[{{ missing }}]\"\n");
    let err = map(&m, json!({})).unwrap_err();
    assert_eq!(err.target, "network_activity.message");
    assert_eq!(err.line, 8);
    assert!(err.message.contains("undefined"), "{err}");
}

#[test]
fn an_undefined_value_names_the_field_the_record_lacks() {
    let m = network("      message: \"{{ alert.signature }} from {{ src_ip }}\"\n");
    let err = map(&m, json!({"alert": {"signature": "ET SCAN"}})).unwrap_err();
    assert_eq!(err.message, "undefined value: `src_ip` is undefined");
}

#[test]
fn an_undefined_value_in_an_expression_names_the_field() {
    let m = network("      message: {expr: \"msg | lower\"}\n");
    let err = map(&m, json!({"text": "x"})).unwrap_err();
    assert_eq!(err.message, "undefined value: `msg` is undefined");
}

#[test]
fn a_record_that_is_not_a_json_object_is_named_as_such() {
    let m = network("      message: \"{{ msg }}\"\n");
    let err = map(&m, json!([1, 2, 3])).unwrap_err();
    assert_eq!(
        err.message,
        "undefined value: `msg` is undefined: the record is an array, not a JSON object"
    );
}

#[test]
fn literals_are_used_as_written() {
    let m = network("      app_name: ssh\n      unmapped.flag: true\n");
    let doc = map_one(&m, json!({}));
    assert_eq!(doc["app_name"], "ssh");
    assert_eq!(doc["unmapped"]["flag"], json!(true));
}

#[test]
fn value_keeps_a_literal_that_looks_like_a_path() {
    let m = network("      message: {value: \"$5 fee\"}\n");
    assert_eq!(map_one(&m, json!({}))["message"], "$5 fee");
}

#[test]
fn a_missing_path_leaves_the_attribute_out() {
    let doc = map_one(&network("      app_name: $.service\n"), json!({}));
    assert!(doc.get("app_name").is_none());
}

// ---- defaults, required ----

#[test]
fn default_is_used_when_the_source_is_missing() {
    let m = network("      app_name: {path: $.service, default: unknown}\n");
    assert_eq!(map_one(&m, json!({}))["app_name"], "unknown");
    assert_eq!(map_one(&m, json!({"service": "dns"}))["app_name"], "dns");
}

#[test]
fn default_covers_an_undefined_name_in_a_template() {
    let m = network("      app_name: {template: \"{{ svc | upper }}\", default: none}\n");
    assert_eq!(map_one(&m, json!({}))["app_name"], "none");
}

#[test]
fn a_required_value_that_is_missing_fails_the_record() {
    let m = network("      app_name: {path: $.service, required: true}\n");
    let err = map(&m, json!({})).unwrap_err();
    assert_eq!(err.target, "network_activity.app_name");
    assert_eq!(err.message, "required value is missing");
}

// ---- lookups ----

const LOOKUP: &str = "lookups:\n  sev:\n    map: {1: High, 2: Medium}\n    fallback: Unknown\n";

#[test]
fn a_lookup_table_translates_values() {
    let m = format!(
        "{LOOKUP}{}",
        network("      unmapped.sev: {path: $.p, lookup: sev}\n")
    );
    assert_eq!(map_one(&m, json!({"p": 1}))["unmapped"]["sev"], "High");
}

#[test]
fn a_value_missing_from_the_table_takes_the_fallback() {
    let m = format!(
        "{LOOKUP}{}",
        network("      unmapped.sev: {path: $.p, lookup: sev}\n")
    );
    assert_eq!(map_one(&m, json!({"p": 9}))["unmapped"]["sev"], "Unknown");
}

#[test]
fn a_value_missing_from_a_table_without_fallback_fails_the_record() {
    let m = network("      unmapped.p: {path: $.p, lookup: {map: {TCP: 6}}}\n");
    let err = map(&m, json!({"p": "GRE"})).unwrap_err();
    assert!(
        err.message.contains("`GRE` is not in lookup table"),
        "{err}"
    );
}

#[test]
fn a_rule_fallback_overrides_the_table_fallback() {
    let m = format!(
        "{LOOKUP}{}",
        network("      unmapped.sev: {path: $.p, lookup: sev, fallback: Other}\n")
    );
    assert_eq!(map_one(&m, json!({"p": 9}))["unmapped"]["sev"], "Other");
}

// ---- filter, let, when ----

#[test]
fn records_the_filter_rejects_are_skipped() {
    let m = format!("filter: \"kind == 'alert'\"\n{}", network(""));
    let compiled = compile("t.yaml", &m).unwrap();
    let mut docs = Vec::new();
    let outcome = Mapper::new(&compiled)
        .apply(&record(json!({"kind": "flow"})), &mut docs)
        .unwrap();
    assert_eq!(outcome, Outcome::Skipped);
    assert!(docs.is_empty());
}

#[test]
fn let_values_are_computed_once_and_reused() {
    let m = format!(
        "let:\n  uid: \"{{{{ a }}}}-{{{{ b }}}}\"\n  loud: {{expr: \"uid | upper\"}}\n{}",
        network("      metadata.uid: {expr: uid}\n      message: \"{{ loud }}\"\n")
    );
    let doc = map_one(&m, json!({"a": "x", "b": "y"}));
    assert_eq!(doc["metadata"]["uid"], "x-y");
    assert_eq!(doc["message"], "X-Y");
}

#[test]
fn a_conditional_attribute_is_set_only_when_its_condition_holds() {
    let m = network("      app_name: {path: $.svc, when: \"svc != 'unknown'\"}\n");
    assert_eq!(map_one(&m, json!({"svc": "dns"}))["app_name"], "dns");
    assert!(
        map_one(&m, json!({"svc": "unknown"}))
            .get("app_name")
            .is_none()
    );
}

#[test]
fn a_conditional_output_is_emitted_only_when_its_condition_holds() {
    let m = "outputs:\n  - class: network_activity\n    when: \"emit\"\n    fields:\n      \
             activity_id: 6\n      severity_id: 1\n      time: 1\n      metadata.product.name: T\n      src_endpoint.ip: 10.0.0.1\n";
    assert_eq!(map(m, json!({"emit": true})).unwrap().len(), 1);
    assert_eq!(map(m, json!({"emit": false})).unwrap().len(), 0);
}

// ---- fan-out, groups ----

#[test]
fn for_each_on_an_output_emits_one_document_per_element() {
    let m = "outputs:\n  - class: email_activity\n    for_each: $.rcpt\n    as: r\n    fields:\n      \
             activity_id: 2\n      severity_id: 1\n      direction_id: 1\n      time: 1\n      \
             metadata.product.name: T\n      email.to: [\"{{ r }}\"]\n";
    let docs = map(m, json!({"rcpt": ["a@x.org", "b@x.org", "c@x.org"]})).unwrap();
    let to: Vec<&Value> = docs.iter().map(|d| &d.value["email"]["to"][0]).collect();
    assert_eq!(
        to,
        [&json!("a@x.org"), &json!("b@x.org"), &json!("c@x.org")]
    );
}

#[test]
fn for_each_on_a_value_builds_an_array() {
    let m = network("      unmapped.ports: {for_each: $.conns, expr: \"item.port + 1\"}\n");
    let doc = map_one(&m, json!({"conns": [{"port": 1}, {"port": 2}]}));
    assert_eq!(doc["unmapped"]["ports"], json!([2, 3]));
}

#[test]
fn several_outputs_form_one_group_in_order() {
    let m = "outputs:\n  - class: detection_finding\n    fields:\n      activity_id: 1\n      severity_id: 3\n      \
             time: 1\n      metadata.product.name: T\n      finding_info.uid: x\n      finding_info.title: t\n  \
             - class: network_activity\n    fields:\n      activity_id: 6\n      severity_id: 1\n      time: 1\n      \
             metadata.product.name: T\n      src_endpoint.ip: 10.0.0.1\n";
    let docs = map(m, json!({})).unwrap();
    let classes: Vec<u32> = docs.iter().map(|d| d.class.uid()).collect();
    assert_eq!(classes, [2004, 4001]);
}

#[test]
fn a_group_is_all_or_nothing() {
    let m = "outputs:\n  - class: network_activity\n    fields:\n      activity_id: 6\n      severity_id: 1\n      \
             time: 1\n      metadata.product.name: T\n  - class: network_activity\n    fields:\n      activity_id: 6\n      \
             severity_id: 1\n      time: 1\n      metadata.product.name: \"{{ nope }}\"\n";
    let compiled = compile("t.yaml", m).unwrap();
    let mut docs = Vec::new();
    assert!(
        Mapper::new(&compiled)
            .apply(&record(json!({})), &mut docs)
            .is_err()
    );
    assert!(
        docs.is_empty(),
        "the first document of a failed group must not be kept"
    );
}

// ---- engine-filled attributes, coercion ----

#[test]
fn the_engine_fills_class_category_type_and_captions() {
    let doc = map_one(&network(""), json!({}));
    assert_eq!(doc["class_uid"], 4001);
    assert_eq!(doc["class_name"], "Network Activity");
    assert_eq!(doc["category_uid"], 4);
    assert_eq!(doc["type_uid"], 400106);
    assert_eq!(doc["activity_name"], "Traffic");
    assert_eq!(doc["severity"], "Informational");
    assert_eq!(doc["metadata"]["version"], "1.4.0");
}

#[test]
fn values_are_coerced_to_the_attribute_type() {
    let m = network("      src_endpoint.port: $.port\n      start_time: $.ts\n");
    let doc = map_one(
        &m,
        json!({"port": "443", "ts": "2018-10-03T14:42:44.836744+0000"}),
    );
    assert_eq!(doc["src_endpoint"]["port"], json!(443));
    assert_eq!(doc["start_time"], json!(1538577764836_i64));
}

#[test]
fn an_impossible_coercion_fails_the_record_naming_the_value() {
    let m = network("      src_endpoint.port: $.port\n");
    let err = map(&m, json!({"port": "https"})).unwrap_err();
    assert_eq!(err.target, "network_activity.src_endpoint.port");
    assert!(err.message.contains("https"), "{err}");
}

#[test]
fn profiles_enable_profile_attributes_and_are_recorded_in_metadata() {
    let m = "outputs:\n  - class: network_activity\n    profiles: [security_control]\n    fields:\n      \
             activity_id: 6\n      severity_id: 1\n      time: 1\n      metadata.product.name: T\n      action: Denied\n";
    let doc = map_one(m, json!({}));
    assert_eq!(doc["action_id"], 2);
    assert_eq!(doc["metadata"]["profiles"], json!(["security_control"]));
}

// ---- values outside an enumeration ----

#[test]
fn other_turns_an_unknown_caption_into_other_keeping_the_value() {
    let m = network("      status: {path: $.s, other: true}\n");
    let doc = map_one(&m, json!({"s": "Half-open"}));
    assert_eq!(
        (doc["status_id"].clone(), doc["status"].clone()),
        (json!(99), json!("Half-open"))
    );
    let doc = map_one(&m, json!({"s": "failure"}));
    assert_eq!(
        (doc["status_id"].clone(), doc["status"].clone()),
        (json!(2), json!("Failure"))
    );
}

#[test]
fn other_turns_an_unknown_id_into_other_with_the_id_as_caption() {
    let m = network("      status_id: {path: $.s, other: true}\n");
    let doc = map_one(&m, json!({"s": 42}));
    assert_eq!(
        (doc["status_id"].clone(), doc["status"].clone()),
        (json!(99), json!("42"))
    );
}

#[test]
fn an_unknown_caption_without_other_fails_the_record() {
    let m = network("      status: $.s\n");
    let err = map(&m, json!({"s": "Half-open"})).unwrap_err();
    assert!(err.message.contains("Half-open"), "{err}");
}

// ---- compile errors ----

fn codes(err: &CompileError) -> Vec<&str> {
    err.diagnostics.iter().map(|d| d.code).collect()
}

fn line_of(err: &CompileError, i: usize) -> usize {
    err.file.line_col(err.diagnostics[i].offset().unwrap()).line
}

#[test]
fn invalid_yaml_is_reported_at_its_line() {
    let err = compile_err("outputs:\n  - class: x\n    fields: {a: 1\n");
    assert_eq!(codes(&err), ["M001"]);
}

#[test]
fn an_unknown_key_is_reported_with_a_suggestion() {
    let err = compile_err(&format!("filtr: x\n{}", network("")));
    assert_eq!(codes(&err), ["M002"]);
    assert_eq!(
        err.diagnostics[0].help.as_deref(),
        Some("did you mean `filter`?")
    );
    assert_eq!(line_of(&err, 0), 1);
}

#[test]
fn an_unknown_class_is_reported_with_a_suggestion() {
    let err = compile_err("outputs:\n  - class: network_activty\n    fields: {activity_id: 6}\n");
    assert_eq!(codes(&err), ["M010"]);
    assert_eq!(
        err.diagnostics[0].help.as_deref(),
        Some("did you mean `network_activity`?")
    );
}

#[test]
fn an_unknown_attribute_is_reported_at_its_key() {
    let err = compile_err(&network("      src_endpoint.ipp: $.x\n"));
    assert_eq!(codes(&err), ["M011"]);
    assert_eq!(line_of(&err, 0), 8);
    assert!(err.to_string().contains("did you mean `ip`?"), "{err}");
}

#[test]
fn a_profile_attribute_without_its_profile_says_which_profile() {
    let err = compile_err(&network("      action_id: 1\n"));
    assert_eq!(
        err.diagnostics[0].help.as_deref(),
        Some("add `profiles: [security_control]` to this output")
    );
}

#[test]
fn a_bad_jsonpath_is_reported_inside_the_path() {
    let err = compile_err(&network("      app_name: $.a[?\n"));
    assert_eq!(codes(&err), ["M020"]);
    let col = err.file.line_col(err.diagnostics[0].offset().unwrap()).col;
    assert!(col > 17, "points into the path, not at the key: col {col}");
}

#[test]
fn a_template_syntax_error_is_reported_inside_the_template() {
    let err = compile_err(&network("      message: \"{{ a }\"\n"));
    assert_eq!(codes(&err), ["M021"]);
    assert_eq!(
        err.file.line_col(err.diagnostics[0].offset().unwrap()).col,
        22
    );
}

#[test]
fn an_unknown_filter_in_a_template_is_reported_at_its_name() {
    let err = compile_err(&network("      message: \"{{ a | lowr }}\"\n"));
    assert_eq!(codes(&err), ["M028"]);
    assert_eq!(err.diagnostics[0].message, "unknown filter `lowr`");
    // `      message: "{{ a | ` is 23 characters: the name starts at column 24.
    assert_eq!(
        err.file.line_col(err.diagnostics[0].offset().unwrap()).col,
        24
    );
}

#[test]
fn an_unknown_filter_or_test_in_an_expression_is_reported() {
    let m = format!(
        "filter: \"a is not definedd\"\n{}",
        network("      message: {expr: \"a | trim | uper\"}\n")
    );
    let err = compile_err(&m);
    let messages: Vec<&str> = err.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        ["unknown test `definedd`", "unknown filter `uper`"]
    );
}

#[test]
fn known_filters_and_tests_compile_including_ocsf_maps_own() {
    let m = format!(
        "filter: \"a is defined and a is not none and a is string\"\n{}",
        network(
            "      message: \"{{ a | lower | replace('x', 'y') }}\"\n      \
             unmapped.kv: {expr: \"a | kv\"}\n"
        )
    );
    compile("test.yaml", &m).unwrap_or_else(|e| panic!("{e}"));
}

fn warning_codes(mapping: &str) -> Vec<&'static str> {
    let compiled = compile("test.yaml", mapping).unwrap_or_else(|e| panic!("{e}"));
    compiled.warnings().iter().map(|d| d.code).collect()
}

#[test]
fn a_record_field_one_typo_from_a_let_name_is_warned_about() {
    let m = format!(
        "let:\n  direction_id: {{expr: \"2 if outbound else 1\"}}\n{}",
        network("      connection_info.direction_id: {expr: directon_id}\n")
    );
    let compiled = compile("test.yaml", &m).unwrap_or_else(|e| panic!("{e}"));
    let warning = &compiled.warnings()[0];
    assert_eq!(warning.code, "M043");
    assert_eq!(
        warning.help.as_deref(),
        Some("did you mean `direction_id`?")
    );
}

#[test]
fn record_fields_named_like_a_let_but_not_one_typo_away_are_not_warned_about() {
    // A plural of a field, and a field that the let's name extends, are common and meant.
    let m = format!(
        "let:\n  recipients: {{expr: \"[recipient]\"}}\n  direction_id: {{expr: \"direction\"}}\n{}",
        network("      unmapped.to: {expr: recipients}\n      src_endpoint.ip: 10.0.0.1\n")
    );
    assert_eq!(warning_codes(&m), Vec::<&str>::new());
}

#[test]
fn rule_line_finds_the_rule_behind_an_attribute_or_the_object_holding_it() {
    let m = network(
        "      src_endpoint.ip: $.src\n      observables:\n        - fields:\n            \
         name: src\n            type_id: 2\n            value: $.src\n      \
         unmapped: {expr: record}\n",
    );
    let compiled = compile("test.yaml", &m).unwrap_or_else(|e| panic!("{e}"));
    let class = compiled.classes().next().unwrap();
    assert_eq!(compiled.rule_line(class, "time"), Some(6));
    assert_eq!(compiled.rule_line(class, "src_endpoint.ip"), Some(8));
    assert_eq!(compiled.rule_line(class, "observables[0].value"), Some(13));
    // Below a rule that sets a whole object: that rule.
    assert_eq!(compiled.rule_line(class, "unmapped.x.y"), Some(14));
    // Nothing sets it or an object holding it (a sibling is not the rule at fault).
    assert_eq!(compiled.rule_line(class, "src_endpoint.port"), None);
    assert_eq!(compiled.rule_line(class, "dst_endpoint"), None);
}

#[test]
fn a_class_constraint_no_rule_can_meet_is_warned_about() {
    // network_activity needs `src_endpoint` or `dst_endpoint`.
    assert_eq!(warning_codes(&network("")), ["M044"]);
    assert_eq!(
        warning_codes(&network("      dst_endpoint.ip: $.dst\n")),
        Vec::<&str>::new()
    );
}

#[test]
fn an_unquoted_template_gets_a_hint() {
    let err = compile_err(&network("      message: {{ a }}\n"));
    assert_eq!(codes(&err), ["M025"]);
}

#[test]
fn setting_an_attribute_twice_is_an_error() {
    let err = compile_err(&network(
        "      src_endpoint: {value: {ip: 10.0.0.1}}\n      src_endpoint.port: 1\n",
    ));
    assert_eq!(codes(&err), ["M012"]);
}

#[test]
fn an_unknown_lookup_table_is_an_error() {
    let err = compile_err(&network("      app_name: {path: $.a, lookup: nope}\n"));
    assert_eq!(codes(&err), ["M023"]);
}

#[test]
fn other_on_an_attribute_without_enumeration_is_an_error() {
    let err = compile_err(&network("      message: {path: $.m, other: true}\n"));
    assert_eq!(codes(&err), ["M027"]);
}

#[test]
fn every_error_is_reported_at_once() {
    let err = compile_err(&network(
        "      src_endpoint.ipp: $.x\n      app_name: $.a[?\n      message: \"{{ a }\"\n",
    ));
    assert_eq!(codes(&err), ["M011", "M020", "M021"]);
}
