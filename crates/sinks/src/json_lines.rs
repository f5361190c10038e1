use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use ocsf_map_record::SourcePos;
use serde_json::Value;
use tempfile::NamedTempFile;

use crate::{Sink, SinkError};

/// Writes each document as one line of JSON.
///
/// To a file, the output goes to a temporary file in the same directory, which is renamed over
/// the target by [`Sink::finish`]; a run that ends early leaves the target untouched.
pub struct JsonLinesSink {
    out: Out,
    name: String,
    /// Reused serialisation buffer: one allocation for the whole run.
    buf: Vec<u8>,
}

enum Out {
    Stdout(BufWriter<io::Stdout>),
    File {
        tmp: Option<BufWriter<NamedTempFile>>,
        target: PathBuf,
    },
    Writer(Box<dyn Write + Send>),
}

impl JsonLinesSink {
    /// Writes to standard output.
    pub fn stdout() -> JsonLinesSink {
        JsonLinesSink::with(
            Out::Stdout(BufWriter::with_capacity(1 << 16, io::stdout())),
            "stdout",
        )
    }

    /// Writes to `path`, atomically.
    pub fn file(path: &Path) -> Result<JsonLinesSink, SinkError> {
        let name = path.display().to_string();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".ocsf-map-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| SinkError::io(&name, e))?;
        let out = Out::File {
            tmp: Some(BufWriter::with_capacity(1 << 16, tmp)),
            target: path.to_path_buf(),
        };
        Ok(JsonLinesSink::with(out, &name))
    }

    /// Writes to any writer (tests, embedding).
    pub fn writer(w: Box<dyn Write + Send>) -> JsonLinesSink {
        JsonLinesSink::with(Out::Writer(w), "output")
    }

    fn with(out: Out, name: &str) -> JsonLinesSink {
        JsonLinesSink {
            out,
            name: name.to_owned(),
            buf: Vec::with_capacity(4096),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.out {
            Out::Stdout(w) => w.write_all(bytes),
            Out::File { tmp: Some(w), .. } => w.write_all(bytes),
            Out::File { tmp: None, .. } => Ok(()),
            Out::Writer(w) => w.write_all(bytes),
        }
    }
}

impl Sink for JsonLinesSink {
    fn write_group(&mut self, pos: &SourcePos, docs: &[Value]) -> Result<(), SinkError> {
        self.buf.clear();
        write_lines(&mut self.buf, docs).map_err(|e| SinkError::io(&self.name, e))?;
        let buf = std::mem::take(&mut self.buf);
        let result = self.write_lines(pos, &buf);
        self.buf = buf;
        result
    }

    fn takes_lines(&self) -> bool {
        true
    }

    fn write_lines(&mut self, _pos: &SourcePos, lines: &[u8]) -> Result<(), SinkError> {
        self.write_all(lines)
            .map_err(|e| SinkError::io(&self.name, e))
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        let name = self.name.clone();
        match &mut self.out {
            Out::Stdout(w) => w.flush().map_err(|e| SinkError::io(&name, e)),
            Out::Writer(w) => w.flush().map_err(|e| SinkError::io(&name, e)),
            Out::File { tmp, target } => {
                let Some(w) = tmp.take() else { return Ok(()) };
                let file = w
                    .into_inner()
                    .map_err(|e| SinkError::io(&name, e.into_error()))?;
                file.as_file()
                    .sync_all()
                    .map_err(|e| SinkError::io(&name, e))?;
                file.persist(&*target)
                    .map_err(|e| SinkError::io(&name, e.error))?;
                Ok(())
            }
        }
    }
}

/// Appends `docs` to `out` as JSON lines: what [`JsonLinesSink`] writes, and what
/// [`Sink::write_lines`] expects.
pub fn write_lines(out: &mut Vec<u8>, docs: &[Value]) -> io::Result<()> {
    for doc in docs {
        serde_json::to_writer(&mut *out, doc)?;
        out.push(b'\n');
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pos() -> SourcePos {
        SourcePos {
            source: "in".into(),
            record: 1,
            line: 1,
            offset: 0,
        }
    }

    #[test]
    fn each_document_is_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let mut sink = JsonLinesSink::file(&path).unwrap();
        sink.write_group(&pos(), &[json!({"a": 1}), json!({"b": "x\ny"})])
            .unwrap();
        sink.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\":1}\n{\"b\":\"x\\ny\"}\n"
        );
    }

    #[test]
    fn the_target_appears_only_when_the_run_finishes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let mut sink = JsonLinesSink::file(&path).unwrap();
        sink.write_group(&pos(), &[json!({"a": 1})]).unwrap();
        assert!(!path.exists());
        drop(sink);
        assert!(
            !path.exists(),
            "an unfinished run must not leave output behind"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "temporary file removed"
        );
    }

    #[test]
    fn a_finished_run_replaces_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, "old\n").unwrap();
        let mut sink = JsonLinesSink::file(&path).unwrap();
        sink.write_group(&pos(), &[json!(1)]).unwrap();
        sink.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "1\n");
    }
}
