//! `ocsf-map test`: run the fixture cases beside mappings.

use std::io::Write;
use std::path::{Path, PathBuf};

use ocsf_map_authoring::{FixtureError, FixtureOptions, Verdict};

use crate::Status;
use crate::args::TestArgs;
use crate::report;

pub(crate) fn test(args: &TestArgs) -> Status {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("mappings")]
    } else {
        args.paths.clone()
    };
    let mut mappings = Vec::new();
    for path in &paths {
        match expand(path) {
            Ok(found) => mappings.extend(found),
            Err(e) => {
                report::line(format_args!("error: {}: {e}", path.display()));
                return Status::Error;
            }
        }
    }
    let options = FixtureOptions {
        update: args.update,
    };
    let mut out = std::io::stdout().lock();
    let mut results = Vec::new();
    let mut status = Status::Success;
    for mapping in &mappings {
        match ocsf_map_authoring::run_fixtures(mapping, options) {
            Ok(r) if r.is_empty() => {
                report::line(format_args!(
                    "warning: {} has no fixtures (add {}/<case>/)",
                    mapping.display(),
                    ocsf_map_authoring::fixture_dir(mapping).display()
                ));
            }
            Ok(r) => results.extend(r),
            Err(FixtureError::Compile(e)) => {
                report::diagnostics(&args.diagnostics, &e.file, &e.diagnostics);
                status = Status::Error;
            }
            Err(e) => {
                report::line(format_args!("error: {e}"));
                status = Status::Error;
            }
        }
    }
    let (mut passed, mut failed) = (0, 0);
    for r in &results {
        let _ = match &r.verdict {
            Verdict::Pass => {
                passed += 1;
                writeln!(out, "ok      {}", r.name)
            }
            Verdict::Updated => {
                passed += 1;
                writeln!(out, "updated {}", r.name)
            }
            Verdict::Fail(problems) => {
                failed += 1;
                let _ = writeln!(out, "FAILED  {}", r.name);
                for p in problems {
                    let _ = writeln!(out, "        {p}");
                }
                Ok(())
            }
        };
    }
    let _ = writeln!(out, "fixtures: {passed} passed, {failed} failed");
    if let Some(junit) = &args.junit
        && let Err(e) = std::fs::write(junit, ocsf_map_authoring::to_junit(&results))
    {
        report::line(format_args!("error: cannot write {}: {e}", junit.display()));
        return Status::Error;
    }
    match status {
        Status::Success if failed > 0 => Status::Failure,
        s => s,
    }
}

/// A mapping file, or every `*.yaml` mapping in a directory.
pub(crate) fn expand(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    found.sort();
    Ok(found)
}
