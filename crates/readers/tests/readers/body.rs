//! Message-body parsers: key=value, CEF, regex captures, and one record held in a string.

use serde_json::json;

use ocsf_map_readers::{
    BodyParser, CefError, RawFormat, SyslogOptions, parse_cef, parse_kv, parse_raw,
};

#[test]
fn kv_reads_quoted_and_bare_values_in_order() {
    let kv = parse_kv(r#"<190>date=2024-08-28 devname="MY FW" policyid=15 tz="+0200""#);
    assert_eq!(
        serde_json::Value::Object(kv),
        json!({"<190>date": "2024-08-28", "devname": "MY FW", "policyid": "15", "tz": "+0200"})
    );
}

#[test]
fn kv_unescapes_backslashes_in_quoted_values() {
    let kv = parse_kv(r#"a="x\"y" b="c\\d""#);
    assert_eq!(kv["a"], "x\"y");
    assert_eq!(kv["b"], "c\\d");
}

#[test]
fn kv_takes_an_unclosed_quote_to_the_end() {
    assert_eq!(parse_kv(r#"a="x y"#)["a"], "x y");
}

#[test]
fn cef_after_a_prefix_has_its_header_and_extension() {
    let text = std::fs::read_to_string(super::data("syslog-rfc3164.log")).unwrap();
    let line = text.lines().nth(7).unwrap();
    let cef = parse_cef(line).unwrap();
    assert_eq!(cef["cef_version"], "0");
    assert_eq!(cef["device_vendor"], "Cynet");
    assert_eq!(
        cef["name"],
        "Memory Pattern - Cobalt Strike Beacon ReflectiveLoader"
    );
    assert_eq!(cef["severity"], "8");
    let ext = &cef["extension"];
    assert_eq!(ext["scanGroupName"], "Manually Installed Agents");
    assert_eq!(ext["rt"], "3/30/2022 10:55:34 AM");
    assert_eq!(ext["duser"], "tikasrv01\\administrator");
    assert_eq!(ext["actRem"], "Kill, Rename");
}

#[test]
fn cef_header_fields_unescape_pipes() {
    let cef = parse_cef(r"CEF:0|Ven\|dor|P|1|sig|a \\ b|5|k=v\=w").unwrap();
    assert_eq!(cef["device_vendor"], "Ven|dor");
    assert_eq!(cef["name"], "a \\ b");
    assert_eq!(cef["extension"]["k"], "v=w");
}

#[test]
fn cef_errors_say_what_is_missing() {
    assert_eq!(parse_cef("hello"), Err(CefError::NoHeader));
    assert_eq!(
        parse_cef("CEF:0|a|b"),
        Err(CefError::ShortHeader { found: 2 })
    );
}

#[test]
fn body_parsers_parse_from_their_names() {
    assert_eq!("kv".parse::<BodyParser>().unwrap(), BodyParser::Kv);
    assert_eq!("CEF".parse::<BodyParser>().unwrap(), BodyParser::Cef);
    let regex: BodyParser = "regex:^(?P<a>x)".parse().unwrap();
    assert_eq!(regex.to_string(), "regex:^(?P<a>x)");
    assert!("regex:(".parse::<BodyParser>().is_err());
    assert!("xml".parse::<BodyParser>().is_err());
}

#[test]
fn raw_json_parses_a_zeek_record() {
    let zeek = parse_raw(
        r#"{"uid":"C1","id.orig_p":5353}"#,
        RawFormat::Json,
        &SyslogOptions::default(),
    );
    assert_eq!(zeek.unwrap()["id.orig_p"], 5353);
}

#[test]
fn raw_json_that_is_not_json_is_an_error_naming_the_format() {
    let err = parse_raw("nope", RawFormat::Json, &SyslogOptions::default()).unwrap_err();
    assert!(
        err.to_string().starts_with("cannot parse as json: "),
        "{err}"
    );
}

#[test]
fn raw_syslog_parses_a_line() {
    let options = SyslogOptions {
        year: Some(2020),
        ..SyslogOptions::default()
    };
    let fields = parse_raw("<34>Oct 11 22:14:15 h su: x", RawFormat::Syslog, &options).unwrap();
    assert_eq!(fields["timestamp"], "2020-10-11T22:14:15Z");
}
