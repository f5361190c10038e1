use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `ocsf-map` with the repository root as working directory.
pub(crate) fn ocsf_map() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ocsf-map"));
    cmd.current_dir(root());
    cmd
}

/// Runs `ocsf-map args...` with `stdin` as standard input.
pub(crate) fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = ocsf_map()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub(crate) fn run(args: &[&str]) -> Output {
    ocsf_map().args(args).stdin(Stdio::null()).output().unwrap()
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Parses JSON lines.
pub(crate) fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A temporary file with `content`, kept alive by the returned guard.
pub(crate) fn temp_file(name: &str, content: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

/// Compares documents with a golden JSON-lines file (as JSON, so key order is ignored), or
/// rewrites the file when `UPDATE_GOLDEN` is set.
pub(crate) fn assert_golden(actual: &str, golden: &str) {
    let path = root().join(golden);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{golden}: {e} (run with UPDATE_GOLDEN=1 to create it)"));
    let (a, e) = (json_lines(actual), json_lines(&expected));
    for (i, (a, e)) in a.iter().zip(&e).enumerate() {
        assert_eq!(
            a,
            e,
            "{golden}: document {} differs (UPDATE_GOLDEN=1 to accept)",
            i + 1
        );
    }
    assert_eq!(a.len(), e.len(), "{golden}: number of documents");
}
