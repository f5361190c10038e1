/// A source file a diagnostic points into.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name printed in `--> name:line:col`.
    pub name: String,
    /// The whole text.
    pub text: String,
    index: LineIndex,
}

impl SourceFile {
    /// Indexes `text` for line lookups.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let index = LineIndex::new(&text);
        SourceFile {
            name: name.into(),
            text,
            index,
        }
    }

    /// Line and column (both 1-based; the column counts characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.index.line_col(&self.text, offset)
    }
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

/// The byte offsets at which lines start, built once per file.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// Line and column of `offset` in `text` (the text this index was built from). Offsets past
    /// the end are clamped to it.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        LineCol { line, col }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_byte_is_line_one_column_one() {
        let f = SourceFile::new("x", "ab\ncd\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, col: 1 });
    }

    #[test]
    fn offsets_after_a_newline_start_the_next_line() {
        let f = SourceFile::new("x", "ab\ncd\n");
        assert_eq!(f.line_col(3), LineCol { line: 2, col: 1 });
        assert_eq!(f.line_col(4), LineCol { line: 2, col: 2 });
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let f = SourceFile::new("x", "é: x\n");
        assert_eq!(f.line_col(4), LineCol { line: 1, col: 4 });
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let f = SourceFile::new("x", "ab");
        assert_eq!(f.line_col(99), LineCol { line: 1, col: 3 });
    }
}
