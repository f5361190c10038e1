//! `ocsf-map test`: fixture cases beside a mapping, compared semantically.
//!
//! A mapping `mappings/x.yaml` has its cases in `mappings/x.tests/<case>/`:
//!
//! | file | what |
//! |---|---|
//! | `input.*` | the input records, in any format the readers know (chosen by extension) |
//! | `expected.jsonl` | the documents expected, one per line, in order |
//! | `case.yaml` (optional) | `description:`, `volatile: [paths]` (attributes not compared, e.g. `metadata.processed_time`), `failures: N` (records expected to fail; default 0), `format:`, `year:` (of RFC 3164 syslog timestamps) |
//!
//! The input is read as the main command reads it: with the mapping's `source:` settings.
//!
//! Every produced document is also validated against OCSF 1.4.0 in the same run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ocsf_map_mapping::{CompiledMapping, Mapper, compile};
use ocsf_map_readers::{Format, Input};
use serde::Deserialize;
use serde_json::Value;

use crate::diff::{Difference, diff, mask};

/// How to run fixtures.
#[derive(Clone, Copy, Debug, Default)]
pub struct FixtureOptions {
    /// Rewrite each case's `expected.jsonl` with what the mapping produces now.
    pub update: bool,
}

/// One case's result.
#[derive(Debug)]
pub struct CaseResult {
    /// `<mapping name>/<case>`.
    pub name: String,
    /// The case directory.
    pub dir: PathBuf,
    /// How it went.
    pub verdict: Verdict,
    /// How long it took.
    pub duration: Duration,
}

/// A case's verdict.
#[derive(Debug)]
pub enum Verdict {
    /// Output as expected, and valid.
    Pass,
    /// `expected.jsonl` was rewritten (`update`).
    Updated,
    /// Output differs or is invalid; each line says where and how.
    Fail(Vec<String>),
}

/// A fixture set that cannot be run at all.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The mapping does not compile.
    #[error("{0}")]
    Compile(Box<ocsf_map_mapping::CompileError>),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    volatile: Vec<String>,
    #[serde(default)]
    failures: u64,
    format: Option<String>,
    /// The year of RFC 3164 syslog timestamps, so that a case does not depend on its input
    /// file's modification date.
    year: Option<i32>,
}

/// The fixture directory of a mapping file: `x.yaml` → `x.tests/`.
pub fn fixture_dir(mapping: &Path) -> PathBuf {
    mapping.with_extension("tests")
}

/// Runs every case of one mapping, in case-name order.
pub fn run_fixtures(
    mapping_path: &Path,
    options: FixtureOptions,
) -> Result<Vec<CaseResult>, FixtureError> {
    let io = |path: &Path, e: &dyn std::fmt::Display| FixtureError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let text = std::fs::read_to_string(mapping_path).map_err(|e| io(mapping_path, &e))?;
    let mapping = compile(&mapping_path.display().to_string(), &text)
        .map_err(|e| FixtureError::Compile(Box::new(e)))?;
    let dir = fixture_dir(mapping_path);
    let mut cases: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io(&dir, &e)),
    };
    cases.sort();
    let mut results = Vec::with_capacity(cases.len());
    for case in cases {
        let start = Instant::now();
        let name = format!(
            "{}/{}",
            mapping.name(),
            case.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let verdict = match run_case(&mapping, &case, options) {
            Ok(v) => v,
            Err(message) => Verdict::Fail(vec![message]),
        };
        results.push(CaseResult {
            name,
            dir: case,
            verdict,
            duration: start.elapsed(),
        });
    }
    Ok(results)
}

fn run_case(
    mapping: &CompiledMapping,
    dir: &Path,
    options: FixtureOptions,
) -> Result<Verdict, String> {
    let case: CaseFile = match std::fs::read_to_string(dir.join("case.yaml")) {
        Ok(text) => serde_saphyr::from_str(&text).map_err(|e| format!("case.yaml: {e}"))?,
        Err(_) => CaseFile::default(),
    };
    let input = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.file_stem().is_some_and(|s| s == "input"))
        .ok_or_else(|| format!("{}: no input.* file", dir.display()))?;
    let mut reader_options = crate::source::reader_options(mapping.source_hints())?;
    if let Some(f) = &case.format {
        reader_options.format = Some(f.parse::<Format>().map_err(|e| e.to_string())?);
    }
    if let Some(year) = case.year {
        reader_options.syslog.year = Some(year);
    }
    let mut reader = ocsf_map_readers::open(&Input::Path(input.clone()), &reader_options)
        .map_err(|e| e.to_string())?;
    let mapper = Mapper::new(mapping);
    let mut problems = Vec::new();
    let mut failures = Vec::new();
    let mut docs = Vec::new();
    while let Some(next) = reader.next_record() {
        match next {
            Err(e) => failures.push(format!("{}: {}", e.pos, e.kind)),
            Ok(record) => {
                if let Err(e) = mapper.apply(&record, &mut docs) {
                    failures.push(format!("{}: {e}", record.pos));
                }
            }
        }
    }
    if failures.len() as u64 != case.failures {
        problems.push(format!(
            "{} records failed, expected {}",
            failures.len(),
            case.failures
        ));
        problems.extend(failures.iter().map(|f| format!("  {f}")));
    }
    for (i, doc) in docs.iter().enumerate() {
        for v in doc.class.validate(&doc.value) {
            problems.push(format!(
                "document {}: invalid OCSF: {}: {v}",
                i + 1,
                doc.class.name()
            ));
        }
    }
    let actual: Vec<Value> = docs.into_iter().map(|d| d.value).collect();
    let expected_path = dir.join("expected.jsonl");
    if options.update {
        let text: String = actual.iter().map(|d| format!("{d}\n")).collect();
        std::fs::write(&expected_path, text)
            .map_err(|e| format!("{}: {e}", expected_path.display()))?;
        return Ok(if problems.is_empty() {
            Verdict::Updated
        } else {
            Verdict::Fail(problems)
        });
    }
    let expected_text = std::fs::read_to_string(&expected_path).map_err(|e| {
        format!(
            "{}: {e} (run with --update to create it)",
            expected_path.display()
        )
    })?;
    let mut expected = Vec::new();
    for (i, line) in expected_text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value = serde_json::from_str(line)
            .map_err(|e| format!("{}:{}: {e}", expected_path.display(), i + 1))?;
        expected.push(v);
    }
    if expected.len() != actual.len() {
        problems.push(format!(
            "{} documents, expected {}",
            actual.len(),
            expected.len()
        ));
    }
    for (i, (e, a)) in expected.iter().zip(&actual).enumerate() {
        let (mut e, mut a) = (e.clone(), a.clone());
        mask(&mut e, &case.volatile);
        mask(&mut a, &case.volatile);
        let differences: Vec<Difference> = diff(&e, &a);
        for d in differences {
            problems.push(format!("document {}: {d}", i + 1));
        }
    }
    Ok(if problems.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(problems)
    })
}

/// Results as a JUnit XML report (one test suite per run, one test case per fixture case).
pub fn to_junit(results: &[CaseResult]) -> String {
    let failures = results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail(_)))
        .count();
    let total: f64 = results.iter().map(|r| r.duration.as_secs_f64()).sum();
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"ocsf-map\" tests=\"{}\" failures=\"{failures}\" time=\"{total:.3}\">\n",
        results.len()
    );
    for r in results {
        let (class, name) = r.name.split_once('/').unwrap_or(("ocsf-map", &r.name));
        xml.push_str(&format!(
            "  <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
            escape(class),
            escape(name),
            r.duration.as_secs_f64()
        ));
        match &r.verdict {
            Verdict::Fail(problems) => {
                xml.push_str(&format!(
                    ">\n    <failure message=\"{}\">{}</failure>\n  </testcase>\n",
                    escape(problems.first().map_or("", String::as_str)),
                    escape(&problems.join("\n"))
                ));
            }
            _ => xml.push_str("/>\n"),
        }
    }
    xml.push_str("</testsuite>\n");
    xml
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
