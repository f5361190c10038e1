//! Source readers: they turn input bytes into [`Record`]s with exact positions.
//!
//! A reader handles framing and decoding only (CSV rows, JSON lines, ...); it knows nothing about
//! mappings or OCSF. Each format is one module implementing [`RecordReader`]; [`open`] picks the
//! reader for an input from [`ReaderOptions`], so the engine never changes when a format is added.
//!
//! Bad input never ends a run: a record that cannot be decoded comes back as a [`ReadError`]
//! carrying its [`SourcePos`], and the reader goes on with the next record.

pub use ocsf_map_record::{Record, SourcePos};
