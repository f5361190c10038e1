//! Checks of a mapping against the OCSF schema that need no record: literal values that cannot
//! be stored in their attribute, unknown enum captions, lookup tables that produce such values,
//! templates bound to numeric attributes, and required attributes no rule sets.
//!
//! Literal values are converted to their attribute's type here, once, so the per-record loop
//! copies them as they are.

use std::ops::Range;

use ocsf_map_diag::Diagnostic;
use ocsf_map_schema::{Attribute, BaseType, Class, Requirement, coerce};
use serde_json::Value;

use crate::program::{Field, Lookup, Spec, SpecKind};

/// Attributes the engine always fills, by object: the class's own and `metadata.version`.
const ENGINE_FILLED: &[&str] = &["class_uid", "category_uid", "type_uid"];
/// Detection findings also get a derived `finding_info.uid` when the mapping sets none.
const ENGINE_FILLED_FINDING: &[&str] = &["class_uid", "category_uid", "type_uid", "finding_info"];
const ENGINE_FILLED_METADATA: &[&str] = &["version"];
const ENGINE_FILLED_FINDING_INFO: &[&str] = &["uid"];

/// Checks one value rule bound to `attr` (at `path` in `class`). Folds literal coercions into
/// `spec`.
pub(crate) fn value(
    class: Class<'static>,
    path: &str,
    attr: Attribute<'static>,
    spec: &mut Spec,
    table: Option<&Lookup>,
    span: Range<usize>,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let id_attr = caption_of(class, path, attr);
    // With `other: true`, values outside the enumeration are wanted (they become Other).
    let other = spec.other;
    let check = |v: &Value| -> Result<Value, String> {
        if let (Some(id), Value::String(caption)) = (id_attr, v) {
            return match id.enum_id(caption) {
                Some(_) => Ok(v.clone()),
                None if other => Ok(v.clone()),
                None => Err(format!(
                    "`{caption}` is not a caption of `{}`; allowed: {}",
                    id.name(),
                    captions(id)
                )),
            };
        }
        let coerced = coerce(&attr, v.clone()).map_err(|e| match v {
            // `severity_id: hihg`: a caption-like word for an enumerated id.
            Value::String(text) if attr.enum_values().next().is_some() => format!(
                "`{text}` is not a value of `{}`; allowed: {}",
                attr.name(),
                captions(attr)
            ),
            _ => e.to_string(),
        })?;
        if let Some(n) = coerced.as_i64()
            && !other
            && attr.enum_values().next().is_some()
            && attr.enum_caption(n).is_none()
        {
            return Err(format!(
                "{n} is not a value of `{}`; allowed: {}",
                attr.name(),
                captions(attr)
            ));
        }
        Ok(coerced)
    };
    match &mut spec.kind {
        SpecKind::Literal(v) if table.is_none() => match check(v) {
            Ok(coerced) => *v = coerced,
            Err(message) => diags.push(
                Diagnostic::error("M013", format!("this value cannot be stored in `{path}`"))
                    .with_label(span.clone(), message),
            ),
        },
        SpecKind::Template(_) | SpecKind::Text(..)
            if id_attr.is_none()
                && !attr.is_array()
                && matches!(
                    attr.base_type(),
                    BaseType::Integer | BaseType::Long | BaseType::Float | BaseType::Boolean
                )
                && !attr.type_name().starts_with("timestamp") =>
        {
            diags.push(
                Diagnostic::warning(
                    "M042",
                    format!(
                        "a template gives a string, `{path}` is {}",
                        attr.type_name()
                    ),
                )
                .with_label(span.clone(), "converted from text on every record")
                .with_help("use `expr:` for a typed value, e.g. `{expr: \"count | int\"}`"),
            );
        }
        _ => {}
    }
    if let Some(table) = table {
        let values = table
            .table
            .values()
            .chain(table.fallback.as_ref())
            .chain(spec.fallback.as_ref());
        let mut bad: Vec<String> = values.filter_map(|v| check(v).err()).collect();
        bad.sort();
        bad.dedup();
        if let Some(first) = bad.first() {
            let mut d = Diagnostic::error(
                "M015",
                format!(
                    "lookup table `{}` gives values that cannot be stored in `{path}`",
                    table.name
                ),
            )
            .with_label(span, first.clone());
            for more in &bad[1..] {
                d = d.with_note(more.clone());
            }
            diags.push(d);
        }
    }
    diags
}

/// When `attr` is the caption half of an enum pair (`severity`, `activity_name`), its id
/// attribute (`severity_id`, `activity_id`).
pub(crate) fn caption_of(
    class: Class<'static>,
    path: &str,
    attr: Attribute<'static>,
) -> Option<Attribute<'static>> {
    let (parent, name) = match path.rsplit_once('.') {
        Some((p, n)) => (format!("{p}."), n),
        None => (String::new(), path),
    };
    let stem = name.strip_suffix("_name").unwrap_or(name);
    let candidates = [
        format!("{name}_id"),
        format!("{stem}_id"),
        format!("{stem}_uid"),
    ];
    let profiles: Vec<&str> = class.profiles().collect();
    let _ = attr;
    candidates.iter().find_map(|c| {
        let id = class.attribute(&format!("{parent}{c}"), &profiles).ok()?;
        (id.sibling() == Some(name) && id.enum_values().next().is_some()).then_some(id)
    })
}

fn captions(attr: Attribute<'_>) -> String {
    attr.enum_values()
        .map(|(id, c)| format!("{id} {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reports required attributes that no rule of an output sets (errors), required attributes
/// of the document itself set only under a `when`, and the class's `at_least_one` groups no
/// rule sets (warnings: the documents fail validation, unless it is off).
pub(crate) fn required(
    diags: &mut Vec<Diagnostic>,
    class: Class<'static>,
    profiles: &[String],
    fields: &[Field],
    span: Range<usize>,
) {
    let entries: Vec<(&[String], &Field)> = fields.iter().map(|f| (&f.segments[..], f)).collect();
    let attrs: Vec<Attribute<'static>> = class.attributes().collect();
    let filled = if class.uid() == 2004 {
        ENGINE_FILLED_FINDING
    } else {
        ENGINE_FILLED
    };
    check_object(
        diags,
        &attrs,
        &entries,
        filled,
        profiles,
        "",
        span.clone(),
        class.name(),
    );
    for group in class.at_least_one() {
        if !entries.iter().any(|(s, _)| group.contains(&s[0].as_str())) {
            let names = group
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            diags.push(
                Diagnostic::warning(
                    "M044",
                    format!(
                        "`{}` needs at least one of {names}, and no rule sets any",
                        class.name()
                    ),
                )
                .with_label(
                    span.clone(),
                    "every document of this output would be invalid",
                )
                .with_help("add a rule for one of them to `fields`"),
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn check_object(
    diags: &mut Vec<Diagnostic>,
    attrs: &[Attribute<'static>],
    entries: &[(&[String], &Field)],
    filled: &[&str],
    profiles: &[String],
    prefix: &str,
    span: Range<usize>,
    owner: &str,
) {
    for attr in attrs {
        let name = attr.name();
        let active = attr
            .profile()
            .is_none_or(|p| profiles.iter().any(|q| q == p));
        let direct: Vec<&Field> = entries
            .iter()
            .filter(|(s, _)| s.len() == 1 && s[0] == name)
            .map(|(_, f)| *f)
            .collect();
        let nested: Vec<(&[String], &Field)> = entries
            .iter()
            .filter(|(s, _)| s.len() > 1 && s[0] == name)
            .map(|(s, f)| (&s[1..], *f))
            .collect();
        let by_caption = attr
            .sibling()
            .is_some_and(|c| entries.iter().any(|(s, _)| s.len() == 1 && s[0] == c));
        let path = format!("{prefix}{name}");
        if attr.requirement() == Requirement::Required && active && !filled.contains(&name) {
            if direct.is_empty() && nested.is_empty() && !by_caption {
                diags.push(
                    Diagnostic::error(
                        "M040",
                        format!("`{path}` is required in `{owner}` and no rule sets it"),
                    )
                    .with_label(
                        span.clone(),
                        "every document of this output would be invalid",
                    )
                    .with_help(format!("add `{path}: ...` to `fields`")),
                );
            } else if prefix.is_empty()
                // Only at the top: an object built below is often conditional as a whole, and
                // then its required attributes are rightly conditional too.
                && nested.is_empty()
                && !by_caption
                && direct
                    .iter()
                    .all(|f| f.spec.when.is_some() && f.spec.default.is_none())
            {
                let f = direct[0];
                diags.push(
                    Diagnostic::warning(
                        "M041",
                        format!("required `{path}` is set only when its condition holds"),
                    )
                    .with_label(
                        f.key_span.clone(),
                        "documents where it does not will be invalid",
                    )
                    .with_help("add a `default:`, or a rule for the other case"),
                );
            }
        }
        // Into objects the mapping builds part by part.
        if attr.object_type().is_none() {
            continue;
        }
        let child_attrs: Vec<Attribute<'static>> = attr.attributes().collect();
        let child_filled: &[&str] = match path.as_str() {
            "metadata" => ENGINE_FILLED_METADATA,
            "finding_info" if filled.contains(&"finding_info") => ENGINE_FILLED_FINDING_INFO,
            _ => &[],
        };
        let owner = attr.object_type().unwrap_or(name);
        let child_prefix = format!("{path}.");
        if !nested.is_empty() {
            let at = nested[0].1.key_span.clone();
            check_object(
                diags,
                &child_attrs,
                &nested,
                child_filled,
                profiles,
                &child_prefix,
                at,
                owner,
            );
        }
        for f in &direct {
            for object in built_objects(&f.spec) {
                let inner: Vec<(&[String], &Field)> =
                    object.iter().map(|g| (&g.segments[..], g)).collect();
                check_object(
                    diags,
                    &child_attrs,
                    &inner,
                    child_filled,
                    profiles,
                    &child_prefix,
                    f.key_span.clone(),
                    owner,
                );
            }
        }
    }
}

/// The `fields:` blocks a rule builds: itself, or each element of a list.
fn built_objects(spec: &Spec) -> Vec<&[Field]> {
    match &spec.kind {
        SpecKind::Object(fields, _) => vec![fields],
        SpecKind::Array(items) => items.iter().flat_map(built_objects).collect(),
        SpecKind::ForEach(_, body) => built_objects(body),
        _ => Vec::new(),
    }
}
