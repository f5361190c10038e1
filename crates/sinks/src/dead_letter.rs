use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ocsf_map_record::SourcePos;
use serde::Serialize;
use serde_json::Value;

use crate::SinkError;

/// The stage at which a record failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// The reader could not decode it (bad JSON, bad UTF-8, ragged CSV row, ...).
    Read,
    /// The mapping could not compute it (missing required value, template error, ...).
    Map,
    /// The documents it produced are not valid OCSF 1.4.
    Validate,
    /// The destination refused the group (an intake 4xx, or a group that breaks the intake's
    /// published constraints).
    Deliver,
}

/// One failed record, as written to the dead-letter file (one JSON object per line).
///
/// ```json
/// {"position":{"source":"eve.log","record":3,"line":3,"offset":1234},"stage":"map",
///  "target":"detection_finding.finding_info.uid","mapping_line":24,
///  "error":"undefined value: `alert.sig` is undefined","record":{...}}
/// ```
/// `record` is the parsed input record; `raw` replaces it when the record could not be parsed;
/// `documents` holds the OCSF group a destination refused.
#[derive(Clone, Debug, Serialize)]
pub struct DeadLetter {
    /// Where the record is in its input.
    pub position: SourcePos,
    /// What failed.
    pub stage: Stage,
    /// The output attribute (or mapping section) being computed, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The line of the mapping rule, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping_line: Option<usize>,
    /// The error, for people.
    pub error: String,
    /// The original record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<Arc<Value>>,
    /// The original text, for records that could not be parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// The OCSF documents that were refused (stage `deliver`), so they can be sent again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<Value>>,
}

/// Appends failed records to a JSON-lines file, created on the first failure so that a clean
/// run leaves no empty file behind. An existing file is appended to, never truncated: a resumed
/// backfill keeps the failures of the runs before it.
///
/// Clones share one file: the pipeline and a sink that reports rejections from its own thread
/// can both write, one whole line at a time.
#[derive(Clone)]
pub struct DeadLetterWriter {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    written: u64,
}

impl DeadLetterWriter {
    /// A writer for `path` (the file is created when the first record fails).
    pub fn new(path: &Path) -> DeadLetterWriter {
        let inner = Inner {
            path: path.to_path_buf(),
            out: None,
            written: 0,
        };
        DeadLetterWriter {
            inner: Arc::new(Mutex::new(inner)),
        }
    }

    /// A writer for `path`, checked before the first record rather than at the first failure,
    /// hours into a backfill: an existing file is opened for appending now; a new one is still
    /// created only when a record fails, and its directory must exist.
    pub fn open(path: &Path) -> Result<DeadLetterWriter, SinkError> {
        let name = path.display().to_string();
        let writer = DeadLetterWriter::new(path);
        if path.exists() {
            let file = OpenOptions::new()
                .append(true)
                .open(path)
                .map_err(|e| SinkError::io(&name, e))?;
            writer.lock().out = Some(BufWriter::new(file));
        } else {
            let dir = match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir,
                _ => Path::new("."),
            };
            if !dir.is_dir() {
                let e = std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("no directory {}", dir.display()),
                );
                return Err(SinkError::io(&name, e));
            }
        }
        Ok(writer)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A writer that panicked mid-line cannot leave a broken state behind that matters more
        // than losing the dead letters; keep going.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes one failed record.
    pub fn write(&self, letter: &DeadLetter) -> Result<(), SinkError> {
        let mut inner = self.lock();
        let name = inner.path.display().to_string();
        if inner.out.is_none() {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&inner.path)
                .map_err(|e| SinkError::io(&name, e))?;
            inner.out = Some(BufWriter::new(file));
        }
        let mut line = serde_json::to_vec(letter).map_err(|e| SinkError::io(&name, e.into()))?;
        line.push(b'\n');
        let out = inner.out.as_mut().expect("opened above");
        out.write_all(&line).map_err(|e| SinkError::io(&name, e))?;
        inner.written += 1;
        Ok(())
    }

    /// How many records were written.
    pub fn written(&self) -> u64 {
        self.lock().written
    }

    /// Flushes the file to disk.
    pub fn finish(&self) -> Result<(), SinkError> {
        let mut inner = self.lock();
        let name = inner.path.display().to_string();
        if let Some(out) = &mut inner.out {
            out.flush().map_err(|e| SinkError::io(&name, e))?;
            out.get_ref()
                .sync_all()
                .map_err(|e| SinkError::io(&name, e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn letter() -> DeadLetter {
        DeadLetter {
            position: SourcePos {
                source: "eve.log".into(),
                record: 3,
                line: 3,
                offset: 10,
            },
            stage: Stage::Map,
            target: Some("detection_finding.finding_info.uid".into()),
            mapping_line: Some(24),
            error: "required value is missing".into(),
            record: Some(Arc::new(json!({"a": 1}))),
            raw: None,
            documents: None,
        }
    }

    #[test]
    fn a_dead_letter_is_one_json_line_with_position_error_and_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dead.jsonl");
        let w = DeadLetterWriter::new(&path);
        w.write(&letter()).unwrap();
        w.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["position"]["line"], 3);
        assert_eq!(v["stage"], "map");
        assert_eq!(v["target"], "detection_finding.finding_info.uid");
        assert_eq!(v["mapping_line"], 24);
        assert_eq!(v["record"], json!({"a": 1}));
        assert!(v.get("raw").is_none());
    }

    #[test]
    fn an_existing_file_is_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dead.jsonl");
        std::fs::write(&path, "{\"earlier\":true}\n").unwrap();
        let w = DeadLetterWriter::new(&path);
        w.write(&letter()).unwrap();
        w.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
    }

    #[test]
    fn clones_write_to_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dead.jsonl");
        let w = DeadLetterWriter::new(&path);
        let other = w.clone();
        std::thread::spawn(move || other.write(&letter()).unwrap())
            .join()
            .unwrap();
        w.write(&letter()).unwrap();
        w.finish().unwrap();
        assert_eq!(w.written(), 2);
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
    }

    #[test]
    fn no_failures_leave_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dead.jsonl");
        let w = DeadLetterWriter::new(&path);
        w.finish().unwrap();
        assert!(!path.exists());
    }
}
