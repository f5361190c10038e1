//! `ocsf-map validate FILE...`: check existing OCSF documents against OCSF 1.4.0.
//!
//! Input: JSON lines (one document per line), a JSON array of documents, or one (possibly
//! pretty-printed) document. Output: one line per invalid document on stdout —
//! `FILE:LINE: <class>: <path>: <problem>; ...` (`FILE[INDEX]` inside an array) — then
//! `N valid, M invalid`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;

use ocsf_map_schema::Schema;
use serde_json::Value;

use crate::Status;
use crate::args::ValidateFilesArgs;
use crate::report;

#[derive(Default)]
struct Tally {
    valid: u64,
    invalid: u64,
}

pub(crate) fn validate(args: &ValidateFilesArgs) -> Status {
    let mut tally = Tally::default();
    let mut out = io::stdout().lock();
    let mut status = Status::Success;
    let files: Vec<PathBuf> = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    for path in &files {
        let name = path.display().to_string();
        let reader: Box<dyn Read> = if name == "-" {
            Box::new(io::stdin())
        } else {
            match File::open(path) {
                Ok(f) => Box::new(f),
                Err(e) => {
                    report::line(format_args!("error: cannot read {name}: {e}"));
                    status = Status::Error;
                    continue;
                }
            }
        };
        if let Err(e) = validate_stream(&name, reader, &mut tally, &mut out) {
            report::line(format_args!("error: {name}: {e}"));
            status = Status::Error;
        }
    }
    let _ = writeln!(out, "{} valid, {} invalid", tally.valid, tally.invalid);
    match status {
        Status::Success if tally.invalid > 0 => Status::Failure,
        s => s,
    }
}

fn validate_stream(
    name: &str,
    reader: Box<dyn Read>,
    tally: &mut Tally,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut reader = BufReader::new(reader);
    let first = loop {
        let buf = reader.fill_buf()?;
        match buf
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
        {
            Some(i) => break buf.get(i).copied(),
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    match first {
        None => Ok(()),
        // An array, or one pretty-printed document: the whole file is one JSON value.
        Some(b'[') => {
            let mut text = String::new();
            reader.read_to_string(&mut text)?;
            let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            let items = match value {
                Value::Array(items) => items,
                other => vec![other],
            };
            for (i, doc) in items.iter().enumerate() {
                check(&format!("{name}[{i}]"), doc, tally, out)?;
            }
            Ok(())
        }
        Some(_) => validate_lines(name, reader, tally, out),
    }
}

/// JSON lines; a file whose first line is not a whole document is read as one document.
fn validate_lines(
    name: &str,
    mut reader: BufReader<Box<dyn Read>>,
    tally: &mut Tally,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut line = String::new();
    let mut number = 0u64;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        number += 1;
        let text = line.trim().trim_start_matches('\u{feff}');
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(text) {
            Ok(doc) => check(&format!("{name}:{number}"), &doc, tally, out)?,
            Err(e) if e.is_eof() && tally.valid + tally.invalid == 0 => {
                // A pretty-printed document: read the rest and parse it whole.
                let mut whole = line.clone();
                reader.read_to_string(&mut whole)?;
                let doc: Value = serde_json::from_str(whole.trim_start_matches('\u{feff}'))
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                return check(&format!("{name}:{number}"), &doc, tally, out);
            }
            Err(e) => {
                tally.invalid += 1;
                writeln!(out, "{name}:{number}: not JSON: {e}")?;
            }
        }
    }
}

fn check(at: &str, doc: &Value, tally: &mut Tally, out: &mut impl Write) -> io::Result<()> {
    let class = doc
        .get("class_uid")
        .and_then(Value::as_u64)
        .and_then(|uid| Schema::ocsf().class(&uid.to_string()));
    let Some(class) = class else {
        tally.invalid += 1;
        let uid = doc
            .get("class_uid")
            .map_or("missing".to_owned(), Value::to_string);
        return writeln!(
            out,
            "{at}: class_uid: {uid} is not a class ocsf-map checks (2004, 4009, 4001)"
        );
    };
    let violations = class.validate(doc);
    if violations.is_empty() {
        tally.valid += 1;
        return Ok(());
    }
    tally.invalid += 1;
    let each: Vec<String> = violations.iter().map(ToString::to_string).collect();
    writeln!(out, "{at}: {}: {}", class.name(), each.join("; "))
}
