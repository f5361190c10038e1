//! The checkpoint: a durable journal of acknowledged findings.
//!
//! # Format
//! A JSON-lines file. The first line is a header, `{"ocsf_map_checkpoint":1}`; each later line is
//! one acknowledged finding:
//! `{"uid":"…","source":"in.csv","record":3,"line":4,"offset":120,"detection_id":"…"}`.
//!
//! # Guarantees
//! - A uid is appended only after the intake answered 2xx for it (for a bundle, 2xx with no
//!   error naming it), and the append is `fsync`ed before the sink reports the finding delivered.
//!   Acknowledgements that arrive together are written with one `fsync`.
//! - On open, every uid in the file counts as delivered and is never sent again by a sink that
//!   uses this checkpoint.
//! - A crash (kill -9, power loss) can lose at most the acknowledgements not yet `fsync`ed; those
//!   findings are sent again on resume, with the same uid. That is the only way a finding is sent
//!   twice, so a finding reaches the intake at most twice, and only after a crash.
//! - A torn last line (a crash in the middle of a write) is dropped on open; damage anywhere else
//!   is an error, not a guess.
//! - Rejected and invalid groups are not journaled: a resumed run tries them again and reports
//!   them again (to that run's dead-letter file).
//! - The file is locked while open; a second run on the same checkpoint is refused.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ocsf_map_record::SourcePos;
use serde::{Deserialize, Serialize};

const HEADER: &str = r#"{"ocsf_map_checkpoint":1}"#;

/// A checkpoint that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// Reading, writing or syncing failed.
    #[error("checkpoint {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Another process has the checkpoint open.
    #[error("checkpoint {path} is in use by another run")]
    Locked {
        /// The file.
        path: String,
    },
    /// The file is not a checkpoint, or is damaged before its last line.
    #[error("checkpoint {path}: line {line}: {reason}")]
    Corrupt {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// One acknowledged finding, as journaled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// The finding's uid (`finding_info.uid`).
    pub uid: String,
    /// The input it came from.
    pub source: String,
    /// Its record number in that input.
    pub record: u64,
    /// Its line.
    pub line: u64,
    /// Its byte offset.
    pub offset: u64,
    /// What the intake called it (`detection_id`), when it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection_id: Option<String>,
}

impl Ack {
    /// An acknowledgement for the finding `uid` read at `pos`.
    pub fn new(uid: &str, pos: &SourcePos, detection_id: Option<String>) -> Ack {
        Ack {
            uid: uid.to_owned(),
            source: pos.source.to_string(),
            record: pos.record,
            line: pos.line,
            offset: pos.offset,
            detection_id,
        }
    }
}

/// An open checkpoint journal.
#[derive(Debug)]
pub struct Checkpoint {
    path: PathBuf,
    file: File,
    acked: HashSet<String>,
    last_record: HashMap<String, u64>,
}

impl Checkpoint {
    /// Opens (or creates) the journal at `path`, loads it and locks it.
    pub fn open(path: &Path) -> Result<Checkpoint, CheckpointError> {
        let name = path.display().to_string();
        let io = |source| CheckpointError::Io {
            path: name.clone(),
            source,
        };
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(CheckpointError::Locked { path: name });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let mut cp = Checkpoint {
            path: path.to_path_buf(),
            file: file.try_clone().map_err(io)?,
            acked: HashSet::new(),
            last_record: HashMap::new(),
        };
        let good_len = cp.load(&mut file)?;
        let len = file.metadata().map_err(io)?.len();
        if good_len == 0 {
            // New (or empty) file: write the header and make the file's name durable too.
            file.set_len(0).map_err(io)?;
            file.write_all(format!("{HEADER}\n").as_bytes())
                .map_err(io)?;
            file.sync_all().map_err(io)?;
            if !existed && let Some(dir) = path.parent() {
                let dir = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
                File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
            }
        } else if good_len < len {
            file.set_len(good_len).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        Ok(cp)
    }

    /// Reads the file; returns the length of its intact part.
    fn load(&mut self, file: &mut File) -> Result<u64, CheckpointError> {
        let name = self.path.display().to_string();
        file.seek(SeekFrom::Start(0))
            .map_err(|source| CheckpointError::Io {
                path: name.clone(),
                source,
            })?;
        let mut reader = BufReader::new(&*file);
        let mut good = 0u64;
        let mut line = Vec::new();
        let mut n = 0usize;
        loop {
            line.clear();
            let read =
                reader
                    .read_until(b'\n', &mut line)
                    .map_err(|source| CheckpointError::Io {
                        path: name.clone(),
                        source,
                    })?;
            if read == 0 {
                return Ok(good);
            }
            n += 1;
            let complete = line.ends_with(b"\n");
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end();
            let parsed = if n == 1 {
                (text == HEADER).then_some(None)
            } else {
                serde_json::from_str::<Ack>(text).ok().map(Some)
            };
            match parsed {
                Some(ack) if complete => {
                    if let Some(ack) = ack {
                        let last = self.last_record.entry(ack.source).or_default();
                        *last = (*last).max(ack.record);
                        self.acked.insert(ack.uid);
                    }
                    good += read as u64;
                }
                _ => {
                    // A torn tail is what a crash mid-write leaves: drop it. Anything else is
                    // damage (or not a checkpoint at all).
                    let at_end = reader.fill_buf().map(|b| b.is_empty()).unwrap_or(false);
                    if at_end && n > 1 {
                        return Ok(good);
                    }
                    if at_end && n == 1 && !complete && HEADER.starts_with(text) {
                        return Ok(0);
                    }
                    return Err(CheckpointError::Corrupt {
                        path: name,
                        line: n,
                        reason: if n == 1 {
                            "not an ocsf-map checkpoint (the first line is not its header)".into()
                        } else {
                            "not a checkpoint entry".into()
                        },
                    });
                }
            }
        }
    }

    /// Whether the finding `uid` was acknowledged (in an earlier run or this one).
    pub fn contains(&self, uid: &str) -> bool {
        self.acked.contains(uid)
    }

    /// How many findings are acknowledged.
    pub fn len(&self) -> usize {
        self.acked.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.acked.is_empty()
    }

    /// The highest acknowledged record number per input (for "resuming after …" messages;
    /// acknowledgements arrive out of order, so records below it may still be pending).
    pub fn last_records(&self) -> &HashMap<String, u64> {
        &self.last_record
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn acked(&self) -> &HashSet<String> {
        &self.acked
    }

    /// Appends acknowledgements and `fsync`s once. When this returns `Ok`, they survive a crash.
    pub fn append(&mut self, acks: &[Ack]) -> Result<(), CheckpointError> {
        if acks.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(acks.len() * 160);
        for ack in acks {
            serde_json::to_writer(&mut buf, ack).expect("an Ack serialises");
            buf.push(b'\n');
        }
        let name = || self.path.display().to_string();
        self.file
            .write_all(&buf)
            .and_then(|()| self.file.sync_data())
            .map_err(|source| CheckpointError::Io {
                path: name(),
                source,
            })?;
        for ack in acks {
            let last = self.last_record.entry(ack.source.clone()).or_default();
            *last = (*last).max(ack.record);
            self.acked.insert(ack.uid.clone());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(record: u64) -> SourcePos {
        SourcePos {
            source: "in.jsonl".into(),
            record,
            line: record,
            offset: record * 10,
        }
    }

    #[test]
    fn acknowledgements_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp");
        let mut cp = Checkpoint::open(&path).unwrap();
        cp.append(&[
            Ack::new("a", &pos(1), None),
            Ack::new("b", &pos(2), Some("d".into())),
        ])
        .unwrap();
        drop(cp);
        let cp = Checkpoint::open(&path).unwrap();
        assert!(cp.contains("a") && cp.contains("b") && !cp.contains("c"));
        assert_eq!(cp.last_records()["in.jsonl"], 2);
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_the_file_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp");
        let mut cp = Checkpoint::open(&path).unwrap();
        cp.append(&[Ack::new("a", &pos(1), None)]).unwrap();
        drop(cp);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"uid":"b","sour"#).unwrap();
        drop(f);
        let mut cp = Checkpoint::open(&path).unwrap();
        assert!(cp.contains("a") && !cp.contains("b"));
        cp.append(&[Ack::new("c", &pos(3), None)]).unwrap();
        drop(cp);
        let cp = Checkpoint::open(&path).unwrap();
        assert_eq!(cp.len(), 2);
    }

    #[test]
    fn a_file_that_is_not_a_checkpoint_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.jsonl");
        std::fs::write(&path, "{\"a\":1}\n{\"a\":2}\n").unwrap();
        let e = Checkpoint::open(&path).unwrap_err();
        assert!(matches!(e, CheckpointError::Corrupt { line: 1, .. }), "{e}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\":1}\n{\"a\":2}\n"
        );
    }

    #[test]
    fn damage_before_the_last_line_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp");
        std::fs::write(&path, format!("{HEADER}\ngarbage\n{{\"uid\":\"a\",\"source\":\"s\",\"record\":1,\"line\":1,\"offset\":0}}\n")).unwrap();
        assert!(matches!(
            Checkpoint::open(&path).unwrap_err(),
            CheckpointError::Corrupt { line: 2, .. }
        ));
    }

    #[test]
    fn a_second_open_is_refused_while_the_first_is_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp");
        let _cp = Checkpoint::open(&path).unwrap();
        assert!(matches!(
            Checkpoint::open(&path).unwrap_err(),
            CheckpointError::Locked { .. }
        ));
    }
}
