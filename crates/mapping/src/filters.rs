//! Filters templates and expressions can use beyond minijinja's built-ins: the message-body
//! parsers (`kv`, `cef`, `regex`), so that a mapping can take apart a syslog message or a Splunk
//! `_raw` field itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::{Environment, Error, ErrorKind, Value as Jv};
use ocsf_map_parsers::{CaptureParser, parse_cef, parse_kv};
use serde_json::Value;

use crate::scope::json_to_jv;

/// Registers the filters in an environment.
pub(crate) fn register(env: &mut Environment<'static>) {
    env.add_filter("kv", |text: &str| -> Jv {
        json_to_jv(&Value::Object(parse_kv(text)))
    });
    env.add_filter("cef", |text: &str| -> Result<Jv, Error> {
        parse_cef(text)
            .map(|m| json_to_jv(&Value::Object(m)))
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("not CEF: {e}")))
    });
    // Patterns are compiled once each and kept: a mapping uses a handful, on every record.
    let cache: Arc<Mutex<HashMap<String, Arc<CaptureParser>>>> = Arc::default();
    env.add_filter(
        "regex",
        move |text: &str, pattern: &str| -> Result<Jv, Error> {
            let parser = {
                let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
                match cache.get(pattern) {
                    Some(p) => Arc::clone(p),
                    None => {
                        let p = Arc::new(CaptureParser::new(pattern).map_err(|e| {
                            Error::new(ErrorKind::InvalidOperation, format!("invalid regex: {e}"))
                        })?);
                        cache.insert(pattern.to_owned(), Arc::clone(&p));
                        p
                    }
                }
            };
            Ok(match parser.parse(text) {
                Some(captures) => json_to_jv(&Value::Object(captures)),
                None => Jv::from(()),
            })
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::jv_to_json;
    use serde_json::json;

    fn eval(expr: &str) -> Result<Value, String> {
        let mut env = Environment::new();
        register(&mut env);
        let e = env.compile_expression(expr).map_err(|e| e.to_string())?;
        let v = e.eval(()).map_err(|e| e.to_string())?;
        jv_to_json(&v)
    }

    #[test]
    fn kv_splits_key_value_pairs() {
        assert_eq!(
            eval(r#"'srcip=10.0.0.1 msg="a b"' | kv"#),
            Ok(json!({"srcip": "10.0.0.1", "msg": "a b"}))
        );
    }

    #[test]
    fn cef_reads_header_and_extension() {
        let v = eval(r#"'CEF:0|Cynet|Cynet 360|4.5|1|Cobalt Strike Beacon|10|src=10.0.0.1' | cef"#)
            .unwrap();
        assert_eq!(v["name"], "Cobalt Strike Beacon");
        assert_eq!(v["extension"]["src"], "10.0.0.1");
    }

    #[test]
    fn cef_on_other_text_is_an_error() {
        assert!(eval("'hello' | cef").unwrap_err().contains("not CEF"));
    }

    #[test]
    fn regex_gives_the_named_captures_or_none() {
        let pattern = r"'(?P<action>Built|Teardown) (?P<proto>\\w+) connection'";
        assert_eq!(
            eval(&format!("'Built TCP connection 1' | regex({pattern})")),
            Ok(json!({"action": "Built", "proto": "TCP"}))
        );
        assert_eq!(
            eval(&format!("'nothing here' | regex({pattern}) is none")),
            Ok(json!(true))
        );
    }
}
