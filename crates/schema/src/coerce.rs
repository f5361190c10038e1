//! [`coerce`]: turn a source value into the JSON an attribute's type wants.

use serde_json::Value;

use crate::class::Attribute;

/// Why a value could not be coerced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read {value} as {type_name}")]
pub struct CoercionError {
    /// The value, rendered as JSON (shortened when long).
    pub value: String,
    /// The target type, e.g. `port_t`.
    pub type_name: String,
}

/// Coerce `value` to the JSON shape of `attr`'s type.
pub fn coerce(_attr: &Attribute<'_>, value: Value) -> Result<Value, CoercionError> {
    Ok(value)
}
