//! The schema-aware checks made when a mapping is compiled (before any record is read).

use ocsf_map_mapping::{CompileError, compile};

const HEAD: &str = "outputs:\n  - class: detection_finding\n    fields:\n      activity_id: 1\n      \
                    severity_id: 3\n      time: $.ts\n      metadata.product.name: IDS\n";
const FINDING: &str = "      finding_info.uid: $.id\n      finding_info.title: $.title\n";

fn errors(mapping: &str) -> CompileError {
    compile("lint.yaml", mapping).expect_err("mapping should not compile")
}

fn only(err: &CompileError) -> (&'static str, String, usize) {
    assert_eq!(err.diagnostics.len(), 1, "{err}");
    let d = &err.diagnostics[0];
    let line = err.file.line_col(d.offset().unwrap()).line;
    (d.code, err.to_string(), line)
}

#[test]
fn a_literal_that_cannot_be_stored_in_its_attribute_is_an_error() {
    let err = errors(&format!("{HEAD}{FINDING}      confidence_score: lots\n"));
    let (code, text, line) = only(&err);
    assert_eq!((code, line), ("M013", 10));
    assert!(text.contains("lots"), "{text}");
}

#[test]
fn a_literal_enum_id_outside_the_enum_is_an_error_listing_the_values() {
    let err = errors(&(HEAD.replace("activity_id: 1", "activity_id: 42") + FINDING));
    let (code, text, line) = only(&err);
    assert_eq!((code, line), ("M013", 4));
    assert!(
        text.contains("0 Unknown, 1 Create, 2 Update, 3 Close, 99 Other"),
        "{text}"
    );
}

#[test]
fn a_word_for_an_enum_id_is_an_error_listing_the_values() {
    let mapping = HEAD.replace("severity_id: 3", "severity_id: hihg");
    let (code, text, line) = only(&errors(&format!("{mapping}{FINDING}")));
    assert_eq!((code, line), ("M013", 5));
    assert!(
        text.contains("`hihg` is not a value of `severity_id`; allowed: 0 Unknown"),
        "{text}"
    );
}

#[test]
fn an_unknown_literal_caption_is_an_error_listing_the_captions() {
    let mapping = HEAD.replace("severity_id: 3", "severity: Hgh");
    let (code, text, _) = only(&errors(&format!("{mapping}{FINDING}")));
    assert_eq!(code, "M013");
    assert!(
        text.contains("`Hgh` is not a caption of `severity_id`"),
        "{text}"
    );
    assert!(text.contains("4 High"), "{text}");
}

#[test]
fn literals_are_converted_to_their_attribute_type_when_compiled() {
    let mapping = format!("{HEAD}{FINDING}      confidence_score: \"80\"\n");
    assert!(compile("lint.yaml", &mapping).is_ok());
}

#[test]
fn a_lookup_table_that_gives_invalid_values_is_an_error() {
    let mapping = format!(
        "lookups:\n  sev:\n    map: {{a: High, b: Severe}}\n    fallback: Unknown\n{}{FINDING}",
        HEAD.replace("severity_id: 3", "severity: {path: $.s, lookup: sev}")
    );
    let (code, text, _) = only(&errors(&mapping));
    assert_eq!(code, "M015");
    assert!(text.contains("`Severe` is not a caption"), "{text}");
}

#[test]
fn a_required_attribute_no_rule_sets_is_an_error() {
    let mapping = "outputs:\n  - class: email_activity\n    fields:\n      activity_id: 2\n      \
                   severity_id: 1\n      direction_id: 1\n      time: $.ts\n      metadata.product.name: M\n";
    let (code, text, line) = only(&errors(mapping));
    assert_eq!((code, line), ("M040", 2));
    assert!(
        text.contains("`email` is required in `email_activity`"),
        "{text}"
    );
}

#[test]
fn a_required_attribute_of_a_nested_object_is_checked_too() {
    let mapping = format!("{HEAD}{FINDING}      finding_info.analytic.name: $.rule\n");
    let (code, text, line) = only(&errors(&mapping));
    assert_eq!((code, line), ("M040", 10));
    assert!(
        text.contains("`finding_info.analytic.type_id` is required in `analytic`"),
        "{text}"
    );
}

#[test]
fn a_finding_without_a_uid_rule_gets_a_derived_uid_and_no_error() {
    assert!(compile("lint.yaml", HEAD).is_ok());
}

#[test]
fn a_caption_satisfies_its_required_id() {
    let mapping = HEAD
        .replace("severity_id: 3", "severity: High")
        .replace("activity_id: 1", "activity_name: Create");
    assert!(compile("lint.yaml", &format!("{mapping}{FINDING}")).is_ok());
}

#[test]
fn a_required_attribute_set_only_under_a_condition_is_a_warning() {
    let mapping = HEAD.replace("time: $.ts", "time: {path: $.ts, when: \"ts is defined\"}");
    let compiled = compile("lint.yaml", &format!("{mapping}{FINDING}")).unwrap();
    let codes: Vec<&str> = compiled.warnings().iter().map(|d| d.code).collect();
    assert_eq!(codes, ["M041"]);
}

#[test]
fn a_template_bound_to_a_number_is_a_warning() {
    let compiled = compile(
        "lint.yaml",
        &format!("{HEAD}{FINDING}      confidence_score: \"{{{{ score }}}}\"\n"),
    )
    .unwrap();
    let codes: Vec<&str> = compiled.warnings().iter().map(|d| d.code).collect();
    assert_eq!(codes, ["M042"]);
}

#[test]
fn the_shipped_mappings_have_no_problems() {
    let dir = format!("{}/../../mappings", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".yaml").map(str::to_owned))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        let path = format!("{dir}/{name}.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let compiled = compile(&path, &text).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            compiled.warnings().is_empty(),
            "{name}: {:?}",
            compiled.warnings()
        );
    }
}
