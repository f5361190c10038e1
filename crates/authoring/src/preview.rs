//! `--dry-run`: the first groups a run would produce, pretty-printed with their validation
//! result. Nothing is written or sent.

use std::io::{self, Write};

use ocsf_map_mapping::{Mapper, Outcome};
use ocsf_map_readers::{RecordReader, SourcePos};

/// What a preview saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PreviewStats {
    /// Records read before the preview stopped.
    pub read: u64,
    /// Groups shown (mapped or failed records).
    pub shown: u64,
    /// Records skipped by the filter.
    pub skipped: u64,
    /// Shown records that failed to read, map or validate.
    pub failed: u64,
}

/// Something more to show for each group (e.g. the HTTP request that would carry it).
pub type GroupExtra<'a> =
    dyn FnMut(&mut dyn Write, &SourcePos, &[serde_json::Value]) -> io::Result<()> + 'a;

/// Shows up to `limit` groups (a mapped record's documents, or a failed record's error) from
/// `reader` on `out`. `show` may add more per group (e.g. the HTTP request that would carry it).
pub fn preview(
    mapper: &Mapper<'_>,
    reader: &mut dyn RecordReader,
    limit: u64,
    out: &mut dyn Write,
    show: &mut GroupExtra<'_>,
) -> io::Result<PreviewStats> {
    let mut stats = PreviewStats::default();
    let mut docs = Vec::new();
    while stats.shown < limit {
        let Some(next) = reader.next_record() else {
            break;
        };
        stats.read += 1;
        let record = match next {
            Ok(r) => r,
            Err(e) => {
                stats.shown += 1;
                stats.failed += 1;
                writeln!(out, "── {}: cannot be read: {}\n", e.pos, e.kind)?;
                continue;
            }
        };
        docs.clear();
        match mapper.apply(&record, &mut docs) {
            Ok(Outcome::Skipped) => stats.skipped += 1,
            Err(e) => {
                stats.shown += 1;
                stats.failed += 1;
                writeln!(out, "── {}: FAILED: {e}\n", record.pos)?;
            }
            Ok(Outcome::Mapped(n)) => {
                stats.shown += 1;
                let mut problems = Vec::new();
                for d in &docs {
                    for v in d.class.validate(&d.value) {
                        problems.push(format!("{}: {v}", d.class.name()));
                    }
                }
                let verdict = if problems.is_empty() {
                    "valid OCSF 1.4.0".to_owned()
                } else {
                    "INVALID".to_owned()
                };
                if !problems.is_empty() {
                    stats.failed += 1;
                }
                writeln!(out, "── {}: {n} document(s), {verdict}", record.pos)?;
                for p in &problems {
                    writeln!(out, "   {p}")?;
                }
                let values: Vec<serde_json::Value> = docs.iter().map(|d| d.value.clone()).collect();
                for v in &values {
                    serde_json::to_writer_pretty(&mut *out, v)?;
                    writeln!(out)?;
                }
                show(out, &record.pos, &values)?;
                writeln!(out)?;
            }
        }
    }
    Ok(stats)
}
