//! The embedded OCSF 1.4.0 schema (being written).
