//! [`Violation`]: one reason a document is not valid OCSF.

use std::fmt;

/// One problem found in a document by [`Class::validate`](crate::Class::validate) or
/// [`Class::finalize`](crate::Class::finalize).
///
/// `path` locates the value (`evidences[0].src_endpoint.port`, empty for the document itself) and
/// `message` says what is wrong without repeating the path. `Display` prints `path: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where, e.g. `evidences[0].src_endpoint.port`; empty for the document root.
    pub path: String,
    /// What kind of problem.
    pub kind: ViolationKind,
    /// A short description, e.g. `70000 is out of range for port_t (0..65535)`.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for Violation {}

/// The kinds of [`Violation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ViolationKind {
    /// The value is not a JSON object where a document or object is expected.
    NotAnObject,
    /// An attribute the class or object does not define.
    UnknownAttribute,
    /// An attribute of a profile that `metadata.profiles` does not declare.
    ProfileNotDeclared,
    /// `metadata.profiles` names a profile the class does not have.
    UnknownProfile,
    /// A required attribute is absent.
    MissingRequired,
    /// An `at_least_one` or `just_one` constraint of the class or object is not met.
    Constraint,
    /// A `null` value (absent attributes must be omitted).
    Null,
    /// The JSON type is wrong (string for an integer, scalar for an array, ...).
    WrongType,
    /// A number outside the type's range (e.g. `port_t`) or an integer too large.
    OutOfRange,
    /// A string that does not have the type's format (`ip_t`, `email_t`, ...).
    BadFormat,
    /// A string longer than the type's `max_len`.
    TooLong,
    /// A value that is not in the attribute's enumeration.
    NotInEnum,
    /// A caption that does not match its id (`severity` vs `severity_id`).
    CaptionMismatch,
    /// A caption given without its id that is not one of the enum captions (from `finalize`).
    UnknownCaption,
    /// Ids that contradict each other (`type_uid` ≠ `class_uid * 100 + activity_id`).
    Inconsistent,
    /// `metadata.version` is not the schema version.
    Version,
    /// An observable whose `name` does not point at an attribute set in the document.
    Observable,
}

impl ViolationKind {
    /// A stable kebab-case name, e.g. `"missing-required"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::NotAnObject => "not-an-object",
            ViolationKind::UnknownAttribute => "unknown-attribute",
            ViolationKind::ProfileNotDeclared => "profile-not-declared",
            ViolationKind::UnknownProfile => "unknown-profile",
            ViolationKind::MissingRequired => "missing-required",
            ViolationKind::Constraint => "constraint",
            ViolationKind::Null => "null",
            ViolationKind::WrongType => "wrong-type",
            ViolationKind::OutOfRange => "out-of-range",
            ViolationKind::BadFormat => "bad-format",
            ViolationKind::TooLong => "too-long",
            ViolationKind::NotInEnum => "not-in-enum",
            ViolationKind::CaptionMismatch => "caption-mismatch",
            ViolationKind::UnknownCaption => "unknown-caption",
            ViolationKind::Inconsistent => "inconsistent",
            ViolationKind::Version => "version",
            ViolationKind::Observable => "observable",
        }
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document path built on the stack while walking, turned into a `String` only when a
/// violation is reported.
#[derive(Clone, Copy)]
pub(crate) enum PathNode<'a> {
    Root,
    Key(&'a PathNode<'a>, &'a str),
    Index(&'a PathNode<'a>, usize),
}

impl<'a> PathNode<'a> {
    pub(crate) fn key(&'a self, key: &'a str) -> PathNode<'a> {
        PathNode::Key(self, key)
    }

    pub(crate) fn index(&'a self, i: usize) -> PathNode<'a> {
        PathNode::Index(self, i)
    }

    #[cold]
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        use fmt::Write as _;
        match self {
            PathNode::Root => {}
            PathNode::Key(parent, key) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            PathNode::Index(parent, i) => {
                parent.write(out);
                let _ = write!(out, "[{i}]");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_renders_keys_and_indexes() {
        let root = PathNode::Root;
        let ev = root.key("evidences");
        let first = ev.index(0);
        let ep = first.key("src_endpoint");
        assert_eq!(ep.key("port").render(), "evidences[0].src_endpoint.port");
    }

    #[test]
    fn display_joins_path_and_message() {
        let v = Violation {
            path: "finding_info.uid".into(),
            kind: ViolationKind::MissingRequired,
            message: "required attribute is missing".into(),
        };
        assert_eq!(
            v.to_string(),
            "finding_info.uid: required attribute is missing"
        );
    }

    #[test]
    fn display_of_root_violation_is_the_message() {
        let v = Violation {
            path: String::new(),
            kind: ViolationKind::NotAnObject,
            message: "m".into(),
        };
        assert_eq!(v.to_string(), "m");
    }
}
