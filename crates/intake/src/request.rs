//! Requests as data: built once, then sent (by the sink) or printed (by the dry run), so that
//! the dry run shows exactly what would go on the wire.

use std::io::{self, Write};

use flate2::Compression;
use flate2::write::GzEncoder;
use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

use crate::config::{IntakeMode, ValidatedIntake};

/// One intake request, except its `Authorization` header (added when sending).
#[derive(Clone, Debug)]
pub(crate) struct Planned {
    pub(crate) url: Url,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// The JSON body before compression.
    pub(crate) json: Vec<u8>,
    /// Whether the wire body is `json` gzip-compressed.
    pub(crate) gzip: bool,
}

impl Planned {
    /// The body as sent.
    pub(crate) fn wire_body(&self) -> Vec<u8> {
        if self.gzip {
            gzip(&self.json)
        } else {
            self.json.clone()
        }
    }
}

pub(crate) fn plan(cfg: &ValidatedIntake, body: &Value) -> Planned {
    let gzip = cfg.mode == IntakeMode::Bundle;
    let mut headers = vec![
        (
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        ),
        (
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ),
    ];
    if gzip {
        headers.push((
            reqwest::header::CONTENT_ENCODING,
            HeaderValue::from_static("gzip"),
        ));
    }
    headers.extend(cfg.headers.iter().cloned());
    Planned {
        url: cfg.intake_url.clone(),
        headers,
        json: serde_json::to_vec(body).expect("a JSON value serialises"),
        gzip,
    }
}

/// A native OCSF bundle: `{count, start_time, end_time, events}`, the events of every group in
/// order. `start_time`/`end_time` are the least and greatest event `time` (epoch ms); when no
/// event has one, both are the current time.
pub fn build_bundle(groups: &[&[Value]]) -> Value {
    let events: Vec<Value> = groups.iter().flat_map(|g| g.iter().cloned()).collect();
    let times: Vec<i64> = events
        .iter()
        .filter_map(|e| e.get("time").and_then(Value::as_i64))
        .collect();
    let now = jiff::Timestamp::now().as_millisecond();
    let start = times.iter().copied().min().unwrap_or(now);
    let end = times.iter().copied().max().unwrap_or(now);
    serde_json::json!({
        "count": events.len(),
        "start_time": start,
        "end_time": end,
        "events": events,
    })
}

/// Gzip-compresses a request body.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4 + 64),
        Compression::default(),
    );
    // Writing into a Vec cannot fail.
    enc.write_all(bytes).expect("writes to a Vec succeed");
    enc.finish().expect("writes to a Vec succeed")
}

/// Header names whose values the dry run hides.
fn is_secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["auth", "token", "secret", "key", "cookie", "password"]
        .iter()
        .any(|s| n.contains(s))
}

/// Writes the token request as it would be sent, with the Basic credentials redacted.
pub(crate) fn write_token_request(out: &mut dyn Write, token_url: &Url) -> io::Result<()> {
    writeln!(out, "POST {token_url}")?;
    writeln!(out, "authorization: Basic <redacted>")?;
    writeln!(out, "accept: application/json")?;
    writeln!(out, "content-type: application/x-www-form-urlencoded")?;
    writeln!(out)?;
    writeln!(out, "grant_type=client_credentials")?;
    writeln!(out)
}

/// Writes an intake request as it would be sent: method and URL, headers (the bearer token and
/// secret-looking extra headers redacted), a blank line, the body. A gzip body is shown before
/// compression, with its compressed size.
pub(crate) fn write_request(out: &mut dyn Write, p: &Planned) -> io::Result<()> {
    writeln!(out, "POST {}", p.url)?;
    writeln!(out, "authorization: Bearer <redacted>")?;
    for (name, value) in &p.headers {
        let shown = if is_secret_header(name.as_str()) {
            "<redacted>"
        } else {
            value.to_str().unwrap_or("<non-ASCII value>")
        };
        writeln!(out, "{name}: {shown}")?;
    }
    writeln!(out)?;
    if p.gzip {
        writeln!(
            out,
            "# body shown before gzip ({} bytes, {} compressed)",
            p.json.len(),
            p.wire_body().len()
        )?;
    }
    out.write_all(&p.json)?;
    writeln!(out)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Read;

    #[test]
    fn a_bundle_counts_events_and_spans_their_times() {
        let g1 = [
            json!({"class_uid": 2004, "time": 20}),
            json!({"class_uid": 4001, "time": 10}),
        ];
        let g2 = [json!({"class_uid": 2004, "time": 30})];
        let b = build_bundle(&[&g1, &g2]);
        assert_eq!(b["count"], 3);
        assert_eq!(b["start_time"], 10);
        assert_eq!(b["end_time"], 30);
        assert_eq!(b["events"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn gzip_round_trips() {
        let body = br#"{"count":1}"#;
        let mut out = String::new();
        flate2::read::GzDecoder::new(&gzip(body)[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out.as_bytes(), body);
    }

    #[test]
    fn secret_looking_headers_are_redacted() {
        assert!(is_secret_header("X-Api-Key"));
        assert!(is_secret_header("Authorization"));
        assert!(!is_secret_header("X-Workflow-Run-Id"));
    }
}
