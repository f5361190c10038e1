use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde_json::{Value, json};

use crate::{Diagnostic, Severity, SourceFile};

/// Renders a diagnostic the way cargo does: title, `--> file:line:col`, the source excerpt with
/// the labels underlined, then notes and help. `color` adds ANSI styling.
pub fn render_full(diag: &Diagnostic, file: &SourceFile, color: bool) -> String {
    let level = match diag.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let mut snippet = Snippet::source(file.text.as_str())
        .path(file.name.as_str())
        .fold(true);
    for label in &diag.labels {
        let kind = if label.primary {
            AnnotationKind::Primary
        } else {
            AnnotationKind::Context
        };
        let span = clamp(label.span.clone(), &file.text);
        snippet = snippet.annotation(kind.span(span).label(label.message.as_str()));
    }
    let title = level.primary_title(diag.message.as_str()).id(diag.code);
    let main = if diag.labels.is_empty() {
        Group::with_title(title)
    } else {
        title.element(snippet)
    };
    let mut report: Vec<Group<'_>> = vec![main];
    for note in &diag.notes {
        report.push(Group::with_title(
            Level::NOTE.secondary_title(note.as_str()),
        ));
    }
    if let Some(help) = &diag.help {
        report.push(Group::with_title(
            Level::HELP.secondary_title(help.as_str()),
        ));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(&report)
}

/// One line: `file:line:col: error[CODE]: message`.
pub fn render_concise(diag: &Diagnostic, file: &SourceFile) -> String {
    match diag.offset() {
        Some(offset) => {
            let at = file.line_col(offset);
            format!(
                "{}:{}:{}: {}[{}]: {}",
                file.name,
                at.line,
                at.col,
                diag.severity.as_str(),
                diag.code,
                diag.message
            )
        }
        None => format!(
            "{}: {}[{}]: {}",
            file.name,
            diag.severity.as_str(),
            diag.code,
            diag.message
        ),
    }
}

/// The JSON form, one object per diagnostic (`--message-format json`):
/// `{"code","severity","message","file","line","column","labels":[{"line","column","end_line",
/// "end_column","message","primary"}],"notes":[],"help"}`.
pub fn to_json(diag: &Diagnostic, file: &SourceFile) -> Value {
    let at = diag.offset().map(|o| file.line_col(o));
    let labels: Vec<Value> = diag
        .labels
        .iter()
        .map(|l| {
            let start = file.line_col(l.span.start);
            let end = file.line_col(l.span.end);
            json!({
                "line": start.line, "column": start.col,
                "end_line": end.line, "end_column": end.col,
                "message": l.message, "primary": l.primary,
            })
        })
        .collect();
    json!({
        "code": diag.code,
        "severity": diag.severity.as_str(),
        "message": diag.message,
        "file": file.name,
        "line": at.map(|a| a.line),
        "column": at.map(|a| a.col),
        "labels": labels,
        "notes": diag.notes,
        "help": diag.help,
    })
}

/// Keeps a span inside the text and on character boundaries, so a slightly-off span from a
/// nested parser can never make rendering panic.
fn clamp(span: std::ops::Range<usize>, text: &str) -> std::ops::Range<usize> {
    let mut start = span.start.min(text.len());
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Diagnostic, SourceFile) {
        let file = SourceFile::new("m.yaml", "name: x\nclass: detection_findin\n");
        let diag = Diagnostic::error("M010", "unknown OCSF class")
            .with_label(15..31, "not an OCSF 1.4 class")
            .with_help("did you mean `detection_finding`?");
        (diag, file)
    }

    #[test]
    fn full_rendering_points_at_file_line_and_column() {
        let (diag, file) = sample();
        let text = render_full(&diag, &file, false);
        assert!(
            text.starts_with("error[M010]: unknown OCSF class"),
            "{text}"
        );
        assert!(text.contains("--> m.yaml:2:8"), "{text}");
        assert!(
            text.contains("^^^^^^^^^^^^^^^^ not an OCSF 1.4 class"),
            "{text}"
        );
        assert!(
            text.contains("help: did you mean `detection_finding`?"),
            "{text}"
        );
    }

    #[test]
    fn concise_rendering_is_one_line() {
        let (diag, file) = sample();
        assert_eq!(
            render_concise(&diag, &file),
            "m.yaml:2:8: error[M010]: unknown OCSF class"
        );
    }

    #[test]
    fn json_rendering_carries_positions() {
        let (diag, file) = sample();
        let v = to_json(&diag, &file);
        assert_eq!(v["line"], 2);
        assert_eq!(v["column"], 8);
        assert_eq!(v["labels"][0]["end_column"], 24);
        assert_eq!(v["help"], "did you mean `detection_finding`?");
    }

    #[test]
    fn spans_outside_the_text_do_not_panic() {
        let file = SourceFile::new("m.yaml", "é");
        let diag = Diagnostic::error("M000", "x").with_label(1..99, "here");
        let _ = render_full(&diag, &file, false);
    }
}
