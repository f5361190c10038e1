use std::ops::Range;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something an author may want to look at; it does not stop a run.
    Warning,
    /// The mapping cannot be used as written.
    Error,
}

impl Severity {
    /// `error` or `warning`, as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A span of the source with an optional message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Byte range in the source file.
    pub span: Range<usize>,
    /// What to say at that span; may be empty.
    pub message: String,
    /// The primary label is the one the diagnostic is "at"; others give context.
    pub primary: bool,
}

/// One finding about a source file (usually a mapping file).
///
/// Write `message` as a single terse phrase (`unknown OCSF class`), put the specifics on the label
/// and the remedy in `help`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable identifier, e.g. `M010` (mapping) or `S001` (schema).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// A short description of the problem.
    pub message: String,
    /// Where in the source; the first primary label gives the diagnostic's position.
    pub labels: Vec<Label>,
    /// Extra facts (`note: ...`).
    pub notes: Vec<String>,
    /// How to fix it (`help: ...`).
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with no labels yet.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// A warning with no labels yet.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Adds the primary label (or another primary label).
    pub fn with_label(mut self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// Adds a secondary label that gives context.
    pub fn with_context(mut self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// The byte offset the diagnostic is at: its first primary label, else its first label.
    pub fn offset(&self) -> Option<usize> {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or(self.labels.first())
            .map(|l| l.span.start)
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
