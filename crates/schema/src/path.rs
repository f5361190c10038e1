//! Dotted attribute paths (`evidences[0].src_endpoint.ip`) and the error for one that does not
//! resolve.

use std::fmt;

/// One segment of a dotted path, with any `[n]` / `[]` suffixes removed.
///
/// Returns `None` for a malformed segment (empty, or a bracket that is not `[digits]` / `[]`).
pub(crate) fn segment_name(seg: &str) -> Option<&str> {
    let mut rest = seg;
    while let Some(stripped) = rest.strip_suffix(']') {
        let open = stripped.rfind('[')?;
        if !stripped[open + 1..].bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        rest = &stripped[..open];
    }
    (!rest.is_empty() && !rest.contains(['[', ']'])).then_some(rest)
}

/// Why a dotted attribute path did not resolve.
///
/// `Display` gives a one-line message with a "did you mean" hint when there is one, e.g.
/// ``unknown attribute `titel` in `finding_info` (object `finding_info`); did you mean `title`?``
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct PathError(Box<Data>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Data {
    path: String,
    segment: String,
    resolved: String,
    object: String,
    kind: PathErrorKind,
    suggestions: Vec<String>,
}

impl PathError {
    #[cold]
    pub(crate) fn new(
        path: &str,
        segment: &str,
        resolved: &str,
        object: &str,
        kind: PathErrorKind,
        suggestions: Vec<String>,
    ) -> PathError {
        PathError(Box::new(Data {
            path: path.to_owned(),
            segment: segment.to_owned(),
            resolved: resolved.to_owned(),
            object: object.to_owned(),
            kind,
            suggestions,
        }))
    }

    /// The whole path as given.
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// The segment that failed (its attribute name, without `[n]`).
    pub fn segment(&self) -> &str {
        &self.0.segment
    }

    /// The part of the path that resolved before the failing segment (empty at the top level).
    pub fn resolved(&self) -> &str {
        &self.0.resolved
    }

    /// The class or object the segment was looked up in (e.g. `detection_finding`,
    /// `network_endpoint`).
    pub fn object(&self) -> &str {
        &self.0.object
    }

    /// What went wrong.
    pub fn kind(&self) -> &PathErrorKind {
        &self.0.kind
    }

    /// Attribute names of [`object`](Self::object) that look like the segment, best first, at
    /// most three (may be empty). Only attributes usable with the active profiles are offered.
    pub fn suggestions(&self) -> &[String] {
        &self.0.suggestions
    }
}

/// What kind of path failure a [`PathError`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathErrorKind {
    /// The segment is empty or has a malformed index (`a..b`, `a[x]`).
    Malformed,
    /// No attribute of that name.
    Unknown,
    /// The attribute exists but belongs to a profile that is not active.
    NeedsProfile(String),
    /// The path continues below an attribute that is not an object.
    NotAnObject {
        /// The attribute's type, e.g. `string_t`.
        type_name: String,
    },
}

impl PathError {
    fn render(&self) -> String {
        let this = &self.0;
        let mut out = String::new();
        let at = if this.resolved.is_empty() {
            format!("class `{}`", this.object)
        } else {
            format!("`{}` (object `{}`)", this.resolved, this.object)
        };
        use fmt::Write as _;
        let _ = match &this.kind {
            PathErrorKind::Malformed => write!(out, "malformed segment in path `{}`", this.path),
            PathErrorKind::Unknown => write!(out, "unknown attribute `{}` in {at}", this.segment),
            PathErrorKind::NeedsProfile(p) => write!(
                out,
                "attribute `{}` in {at} needs profile `{p}`, which is not active",
                this.segment
            ),
            PathErrorKind::NotAnObject { type_name } => write!(
                out,
                "`{}` is {type_name}, not an object: cannot resolve `{}` below it",
                this.resolved, this.segment
            ),
        };
        match this.suggestions.as_slice() {
            [] => {}
            [one] => {
                let _ = write!(out, "; did you mean `{one}`?");
            }
            many => {
                let list: Vec<String> = many.iter().map(|s| format!("`{s}`")).collect();
                let _ = write!(out, "; did you mean one of {}?", list.join(", "));
            }
        }
        out
    }
}

/// Names among `candidates` that look like `wanted`, best first, at most three.
///
/// Similar means a small edit distance (at most a third of the longer name, at least 1 and 2 for
/// names of five letters or more), or one name containing the other (at least 3 letters).
pub(crate) fn suggest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let wanted_lower = wanted.to_ascii_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let d = edit_distance(&wanted_lower, c);
            let longest = wanted_lower.len().max(c.len());
            let limit = (longest / 3).max(if longest >= 5 { 2 } else { 1 });
            if d <= limit {
                Some((d, c))
            } else if wanted_lower.len() >= 3
                && (c.contains(&wanted_lower) || wanted_lower.contains(c))
            {
                Some((limit + 1 + c.len().abs_diff(wanted_lower.len()), c))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_owned())
        .collect()
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions), on bytes.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_suffix_is_stripped() {
        assert_eq!(segment_name("evidences[0]"), Some("evidences"));
        assert_eq!(segment_name("evidences[]"), Some("evidences"));
        assert_eq!(segment_name("a[1][2]"), Some("a"));
    }

    #[test]
    fn malformed_segments_are_rejected() {
        assert_eq!(segment_name(""), None);
        assert_eq!(segment_name("a[x]"), None);
        assert_eq!(segment_name("[0]"), None);
        assert_eq!(segment_name("a]"), None);
    }

    #[test]
    fn transposition_costs_one() {
        assert_eq!(edit_distance("titel", "title"), 1);
    }

    #[test]
    fn typo_suggests_the_attribute() {
        let s = suggest("titel", ["title", "desc", "uid"].into_iter());
        assert_eq!(s, ["title"]);
    }

    #[test]
    fn prefix_suggests_longer_names() {
        let s = suggest("src", ["src_endpoint", "dst_endpoint", "time"].into_iter());
        assert_eq!(s, ["src_endpoint"]);
    }

    #[test]
    fn unrelated_name_suggests_nothing() {
        assert!(suggest("zzzzzz", ["title", "desc"].into_iter()).is_empty());
    }
}
