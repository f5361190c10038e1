//! Loading the generated schema data into an indexed, read-only model.
//!
//! Everything that validation needs per call is resolved here once: attribute names are sorted
//! for binary search, object references and sibling names become indices, profiles become bits,
//! enum tables are sorted by id and string formats are picked from the type table.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::class::Class;
use crate::format::Format;

/// The embedded data, written by `scripts/gen_schema.py`.
const EMBEDDED: &str = include_str!("../data/ocsf-1.4.0.json");

/// Objects larger than this cannot be tracked by a [`Presence`] bitset.
pub(crate) const MAX_ATTRIBUTES: usize = 256;

/// Objects with more enum/caption pairs than this are rejected at load (the validator keeps the
/// pairs' values in a fixed array on the stack).
pub(crate) const MAX_PAIRS: usize = 32;

/// Which attributes of an object (by index) a document sets; lives on the stack.
#[derive(Clone, Copy, Default)]
pub(crate) struct Presence([u64; MAX_ATTRIBUTES / 64]);

impl Presence {
    #[inline]
    pub(crate) fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    #[inline]
    pub(crate) fn has(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

/// An OCSF schema: classes, the objects they reach, and the data types.
///
/// Parse once, use many times: [`Schema::ocsf`] gives the embedded OCSF 1.4.0 schema, parsed on
/// first use. Look classes up with [`Schema::class`].
#[derive(Debug)]
pub struct Schema {
    pub(crate) version: String,
    pub(crate) types: Vec<TypeDef>,
    pub(crate) objects: Vec<ObjectDef>,
    pub(crate) classes: Vec<ClassDef>,
    /// Every profile name; an attribute's or class's profile is an index into this list and a bit
    /// in a `u64` mask.
    pub(crate) profiles: Vec<String>,
}

/// Why schema data could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The data is not the JSON that `scripts/gen_schema.py` writes.
    #[error("schema data is not valid: {0}")]
    Json(#[from] serde_json::Error),
    /// An attribute refers to a type or object that the data does not define.
    #[error("`{owner}.{attribute}` refers to unknown {what} `{name}`")]
    Dangling {
        /// The class or object holding the attribute.
        owner: String,
        /// The attribute.
        attribute: String,
        /// "type" or "object".
        what: &'static str,
        /// The missing name.
        name: String,
    },
    /// More than 64 profiles, or an object with more than 256 attributes.
    #[error("schema data exceeds a limit of this implementation: {0}")]
    Limit(String),
}

/// The primitive JSON shape behind an OCSF data type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BaseType {
    /// `boolean_t`.
    Boolean,
    /// `integer_t` and types derived from it (`port_t`).
    Integer,
    /// `long_t` and types derived from it (`timestamp_t`).
    Long,
    /// `float_t`.
    Float,
    /// `string_t` and the many string types (`ip_t`, `email_t`, `datetime_t`, ...).
    String,
    /// `json_t`: any JSON value.
    Json,
    /// `object_t`: a JSON object described by an OCSF object.
    Object,
}

impl BaseType {
    /// The OCSF name of the primitive type, e.g. `"integer_t"`.
    pub fn as_str(self) -> &'static str {
        match self {
            BaseType::Boolean => "boolean_t",
            BaseType::Integer => "integer_t",
            BaseType::Long => "long_t",
            BaseType::Float => "float_t",
            BaseType::String => "string_t",
            BaseType::Json => "json_t",
            BaseType::Object => "object_t",
        }
    }

    fn from_name(name: &str) -> Option<BaseType> {
        Some(match name {
            "boolean_t" => BaseType::Boolean,
            "integer_t" => BaseType::Integer,
            "long_t" => BaseType::Long,
            "float_t" => BaseType::Float,
            "string_t" => BaseType::String,
            "json_t" => BaseType::Json,
            "object_t" => BaseType::Object,
            _ => return None,
        })
    }

    /// Whether values of this type are JSON integers.
    pub fn is_integer(self) -> bool {
        matches!(self, BaseType::Integer | BaseType::Long)
    }
}

/// Whether an attribute must, should or may be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Requirement {
    /// Must be present (when its profile, if any, is active).
    Required,
    /// Should be present when the source has it.
    Recommended,
    /// May be present.
    Optional,
}

impl Requirement {
    /// `"required"`, `"recommended"` or `"optional"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Requirement::Required => "required",
            Requirement::Recommended => "recommended",
            Requirement::Optional => "optional",
        }
    }
}

#[derive(Debug)]
pub(crate) struct TypeDef {
    pub(crate) name: String,
    pub(crate) caption: String,
    pub(crate) base: BaseType,
    pub(crate) range: Option<(i64, i64)>,
    pub(crate) max_len: Option<usize>,
    pub(crate) regex: Option<String>,
    pub(crate) format: Format,
    pub(crate) observable: Option<i64>,
}

#[derive(Debug)]
pub(crate) enum Enumeration {
    /// Integer ids sorted ascending, with their captions.
    Int(Vec<(i64, String)>),
    /// String values (e.g. `http_method`), where the value is its own caption.
    Str(Vec<String>),
}

impl Enumeration {
    pub(crate) fn caption(&self, id: i64) -> Option<&str> {
        match self {
            Enumeration::Int(values) => values
                .binary_search_by_key(&id, |(k, _)| *k)
                .ok()
                .map(|i| values[i].1.as_str()),
            Enumeration::Str(_) => None,
        }
    }

    /// The id whose caption equals `caption`, ignoring ASCII case.
    pub(crate) fn id_of(&self, caption: &str) -> Option<(i64, &str)> {
        match self {
            Enumeration::Int(values) => values
                .iter()
                .find(|(_, c)| c.eq_ignore_ascii_case(caption))
                .map(|(id, c)| (*id, c.as_str())),
            Enumeration::Str(_) => None,
        }
    }
}

#[derive(Debug)]
pub(crate) struct AttrDef {
    pub(crate) name: String,
    /// See [`name_key`].
    pub(crate) key: u128,
    pub(crate) caption: String,
    pub(crate) ty: usize,
    pub(crate) object: Option<usize>,
    pub(crate) is_array: bool,
    pub(crate) requirement: Requirement,
    pub(crate) profile: Option<u8>,
    pub(crate) enumeration: Option<Enumeration>,
    /// Index of the caption attribute in the same object.
    pub(crate) sibling: Option<usize>,
    /// For members of an enum/caption pair: `2k` (id) or `2k + 1` (caption) for pair `k`.
    pub(crate) slot: Option<u8>,
    pub(crate) sibling_name: Option<String>,
    pub(crate) deprecated: Option<Deprecation>,
    pub(crate) observable: Option<i64>,
}

#[derive(Debug)]
pub(crate) struct Deprecation {
    pub(crate) message: String,
    pub(crate) since: String,
}

#[derive(Debug)]
pub(crate) struct ObjectDef {
    pub(crate) name: String,
    pub(crate) caption: String,
    /// Sorted by name.
    pub(crate) attrs: Vec<AttrDef>,
    /// Indices of required attributes.
    pub(crate) required: Vec<usize>,
    pub(crate) at_least_one: Vec<Vec<usize>>,
    pub(crate) just_one: Vec<Vec<usize>>,
    /// (enum attribute, its caption sibling).
    pub(crate) pairs: Vec<(usize, usize)>,
    /// An object with no attributes (`object`): anything goes inside.
    pub(crate) free_form: bool,
    pub(crate) observable: Option<i64>,
    pub(crate) table: NameTable,
}

impl ObjectDef {
    /// The index of an attribute by name, from the open-addressing [`NameTable`].
    #[inline]
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        self.table.find(name, &self.attrs)
    }
}

/// A small open-addressing hash table from attribute name to index, built once per object.
///
/// Each slot holds the name's [`name_key`] and length, so a lookup compares integers and reads a
/// name only for names longer than 16 bytes. Linear probing; at most half the slots are used, so
/// every probe sequence ends at an empty slot.
#[derive(Debug)]
pub(crate) struct NameTable {
    slots: Vec<Slot>,
    shift: u32,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    key: u128,
    len: u32,
    /// `u32::MAX` when empty.
    index: u32,
}

const EMPTY: Slot = Slot {
    key: 0,
    len: 0,
    index: u32::MAX,
};

impl NameTable {
    fn new(attrs: &[AttrDef]) -> NameTable {
        let bits = (attrs.len() * 2)
            .max(2)
            .next_power_of_two()
            .trailing_zeros();
        let mut table = NameTable {
            slots: vec![EMPTY; 1 << bits],
            shift: 64 - bits,
        };
        let mask = table.slots.len() - 1;
        for (index, a) in attrs.iter().enumerate() {
            let mut i = table.hash(a.key, a.name.len());
            while table.slots[i].index != u32::MAX {
                i = (i + 1) & mask;
            }
            table.slots[i] = Slot {
                key: a.key,
                len: a.name.len() as u32,
                index: index as u32,
            };
        }
        table
    }

    fn hash(&self, key: u128, len: usize) -> usize {
        let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29) ^ (len as u64);
        (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn find(&self, name: &str, attrs: &[AttrDef]) -> Option<usize> {
        let key = name_key(name);
        let mask = self.slots.len() - 1;
        let mut i = self.hash(key, name.len());
        loop {
            let slot = self.slots[i];
            if slot.index == u32::MAX {
                return None;
            }
            if slot.key == key
                && slot.len as usize == name.len()
                && (name.len() <= KEY_BYTES || attrs[slot.index as usize].name == name)
            {
                return Some(slot.index as usize);
            }
            i = (i + 1) & mask;
        }
    }
}

const KEY_BYTES: usize = 16;

/// The first 16 bytes of a name as a big-endian integer, zero-padded: comparing keys, then
/// lengths (or whole names when longer than 16 bytes) orders names like comparing the names.
pub(crate) fn name_key(name: &str) -> u128 {
    let mut bytes = [0u8; KEY_BYTES];
    let n = name.len().min(KEY_BYTES);
    bytes[..n].copy_from_slice(&name.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

#[derive(Debug)]
pub(crate) struct ClassDef {
    pub(crate) name: String,
    pub(crate) caption: String,
    pub(crate) uid: u32,
    pub(crate) category_uid: u32,
    pub(crate) category_name: String,
    pub(crate) category_caption: String,
    /// Profile indices in the data's order.
    pub(crate) profiles: Vec<u8>,
    pub(crate) profile_mask: u64,
    pub(crate) body: ObjectDef,
}

impl Schema {
    /// The embedded OCSF 1.4.0 schema, parsed on first use.
    pub fn ocsf() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            // The embedded data is generated and tested; failing here is a build defect.
            Schema::from_json(EMBEDDED).expect("embedded OCSF schema data is valid")
        })
    }

    /// Load schema data in the format `scripts/gen_schema.py` writes (for another OCSF version).
    pub fn from_json(text: &str) -> Result<Schema, LoadError> {
        let raw: RawSchema = serde_json::from_str(text)?;
        build(raw)
    }

    /// The OCSF version, e.g. `"1.4.0"`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// A class by name (`"detection_finding"`) or uid (`"2004"`).
    pub fn class(&self, name_or_uid: &str) -> Option<Class<'_>> {
        let uid: Option<u32> = name_or_uid.parse().ok();
        self.classes
            .iter()
            .find(|c| c.name == name_or_uid || Some(c.uid) == uid)
            .map(|def| Class::new(self, def))
    }

    /// The names of the classes this schema holds, in name order.
    pub fn class_names(&self) -> impl Iterator<Item = &str> {
        self.classes.iter().map(|c| c.name.as_str())
    }

    /// The names of all profiles mentioned by the data, in name order.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.iter().map(String::as_str)
    }

    pub(crate) fn profile_index(&self, name: &str) -> Option<u8> {
        self.profiles
            .binary_search_by(|p| p.as_str().cmp(name))
            .ok()
            .map(|i| i as u8)
    }

    /// A profile mask from names; unknown names are ignored.
    pub(crate) fn profile_mask<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> u64 {
        names
            .into_iter()
            .filter_map(|n| self.profile_index(n))
            .fold(0, |mask, i| mask | (1 << i))
    }
}

// ---- raw data, as written by the generator ----

#[derive(Deserialize)]
struct RawSchema {
    version: String,
    classes: BTreeMap<String, RawClass>,
    objects: BTreeMap<String, RawObject>,
    types: BTreeMap<String, RawType>,
}

#[derive(Deserialize)]
struct RawClass {
    caption: String,
    uid: u32,
    category_uid: u32,
    #[serde(default)]
    category_name: String,
    #[serde(default)]
    category_caption: String,
    #[serde(default)]
    profiles: Vec<String>,
    #[serde(default)]
    constraints: RawConstraints,
    attributes: BTreeMap<String, RawAttr>,
}

#[derive(Deserialize)]
struct RawObject {
    caption: String,
    #[serde(default)]
    constraints: RawConstraints,
    attributes: BTreeMap<String, RawAttr>,
    #[serde(default)]
    observable: Option<i64>,
}

#[derive(Deserialize, Default)]
struct RawConstraints {
    #[serde(default)]
    at_least_one: Vec<String>,
    #[serde(default)]
    just_one: Vec<String>,
}

#[derive(Deserialize)]
struct RawAttr {
    #[serde(default)]
    caption: String,
    #[serde(rename = "type")]
    ty: String,
    requirement: String,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    is_array: bool,
    #[serde(default)]
    object_type: Option<String>,
    #[serde(default, rename = "enum")]
    enumeration: Option<BTreeMap<String, String>>,
    #[serde(default)]
    sibling: Option<String>,
    #[serde(default)]
    deprecated: Option<RawDeprecation>,
    #[serde(default)]
    observable: Option<i64>,
}

#[derive(Deserialize)]
struct RawDeprecation {
    #[serde(default)]
    message: String,
    #[serde(default)]
    since: String,
}

#[derive(Deserialize)]
struct RawType {
    caption: String,
    base: String,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    range: Option<(i64, i64)>,
    #[serde(default)]
    max_len: Option<usize>,
    #[serde(default)]
    observable: Option<i64>,
}

fn build(raw: RawSchema) -> Result<Schema, LoadError> {
    let types = build_types(&raw.types)?;
    let type_index: HashMap<&str, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let object_index: HashMap<&str, usize> = raw
        .objects
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();

    let mut profiles: Vec<String> = raw
        .classes
        .values()
        .flat_map(|c| c.profiles.iter())
        .chain(
            raw.classes
                .values()
                .flat_map(|c| c.attributes.values())
                .chain(raw.objects.values().flat_map(|o| o.attributes.values()))
                .filter_map(|a| a.profile.as_ref()),
        )
        .cloned()
        .collect();
    profiles.sort();
    profiles.dedup();
    if profiles.len() > 64 {
        return Err(LoadError::Limit(format!(
            "{} profiles (at most 64)",
            profiles.len()
        )));
    }
    let ctx = Ctx {
        types: &types,
        type_index: &type_index,
        object_index: &object_index,
        profiles: &profiles,
    };

    let mut objects = Vec::with_capacity(raw.objects.len());
    for (name, obj) in &raw.objects {
        let mut def = ctx.object(name, &obj.caption, &obj.attributes, &obj.constraints)?;
        def.observable = obj.observable;
        objects.push(def);
    }
    let mut classes = Vec::with_capacity(raw.classes.len());
    for (name, cls) in &raw.classes {
        let body = ctx.object(name, &cls.caption, &cls.attributes, &cls.constraints)?;
        let class_profiles: Vec<u8> = cls
            .profiles
            .iter()
            .filter_map(|p| profiles.binary_search(p).ok().map(|i| i as u8))
            .collect();
        let profile_mask = class_profiles.iter().fold(0u64, |m, &i| m | (1 << i));
        classes.push(ClassDef {
            name: name.clone(),
            caption: cls.caption.clone(),
            uid: cls.uid,
            category_uid: cls.category_uid,
            category_name: cls.category_name.clone(),
            category_caption: cls.category_caption.clone(),
            profiles: class_profiles,
            profile_mask,
            body,
        });
    }
    Ok(Schema {
        version: raw.version,
        types,
        objects,
        classes,
        profiles,
    })
}

fn build_types(raw: &BTreeMap<String, RawType>) -> Result<Vec<TypeDef>, LoadError> {
    let mut types = Vec::with_capacity(raw.len() + 1);
    for (name, t) in raw {
        // Follow `base` until a primitive type.
        let mut base_name = name.as_str();
        let mut hops = 0;
        let base = loop {
            if let Some(b) = BaseType::from_name(base_name) {
                break b;
            }
            let next = raw.get(base_name).map(|t| t.base.as_str());
            match next {
                Some(next) if next != base_name && hops < 8 => base_name = next,
                _ => {
                    return Err(LoadError::Dangling {
                        owner: "types".into(),
                        attribute: name.clone(),
                        what: "type",
                        name: base_name.to_owned(),
                    });
                }
            }
            hops += 1;
        };
        types.push(TypeDef {
            name: name.clone(),
            caption: t.caption.clone(),
            base,
            range: t.range,
            max_len: t.max_len,
            regex: t.regex.clone(),
            format: Format::for_type(name),
            observable: t.observable,
        });
    }
    if !raw.contains_key("object_t") {
        types.push(TypeDef {
            name: "object_t".into(),
            caption: "Object".into(),
            base: BaseType::Object,
            range: None,
            max_len: None,
            regex: None,
            format: Format::None,
            observable: None,
        });
    }
    Ok(types)
}

struct Ctx<'a> {
    types: &'a [TypeDef],
    type_index: &'a HashMap<&'a str, usize>,
    object_index: &'a HashMap<&'a str, usize>,
    profiles: &'a [String],
}

impl Ctx<'_> {
    fn object(
        &self,
        name: &str,
        caption: &str,
        raw_attrs: &BTreeMap<String, RawAttr>,
        constraints: &RawConstraints,
    ) -> Result<ObjectDef, LoadError> {
        if raw_attrs.len() > MAX_ATTRIBUTES {
            return Err(LoadError::Limit(format!(
                "`{name}` has {} attributes (at most {MAX_ATTRIBUTES})",
                raw_attrs.len()
            )));
        }
        // BTreeMap iteration is sorted by name, so `attrs` is sorted for binary search.
        let mut attrs = Vec::with_capacity(raw_attrs.len());
        for (attr_name, a) in raw_attrs {
            attrs.push(self.attribute(name, attr_name, a)?);
        }
        let index_of = |n: &str| raw_attrs.keys().position(|k| k == n);
        for (i, a) in raw_attrs.values().enumerate() {
            attrs[i].sibling = a.sibling.as_deref().and_then(index_of);
            attrs[i].sibling_name = attrs[i].sibling.and(a.sibling.clone());
        }
        let required = attrs
            .iter()
            .enumerate()
            .filter(|(_, a)| a.requirement == Requirement::Required)
            .map(|(i, _)| i)
            .collect();
        let pairs: Vec<(usize, usize)> = attrs
            .iter()
            .enumerate()
            .filter(|(_, a)| matches!(a.enumeration, Some(Enumeration::Int(_))))
            .filter_map(|(i, a)| a.sibling.map(|s| (i, s)))
            .collect();
        if pairs.len() > MAX_PAIRS {
            return Err(LoadError::Limit(format!(
                "`{name}` has {} enum/caption pairs (at most {MAX_PAIRS})",
                pairs.len()
            )));
        }
        for (k, &(id, caption)) in pairs.iter().enumerate() {
            attrs[id].slot = Some((2 * k) as u8);
            attrs[caption].slot = Some((2 * k + 1) as u8);
        }
        let group = |names: &[String]| names.iter().filter_map(|n| index_of(n)).collect::<Vec<_>>();
        let mut at_least_one = Vec::new();
        if !constraints.at_least_one.is_empty() {
            at_least_one.push(group(&constraints.at_least_one));
        }
        let mut just_one = Vec::new();
        if !constraints.just_one.is_empty() {
            just_one.push(group(&constraints.just_one));
        }
        Ok(ObjectDef {
            name: name.to_owned(),
            caption: caption.to_owned(),
            free_form: attrs.is_empty(),
            table: NameTable::new(&attrs),
            attrs,
            required,
            at_least_one,
            just_one,
            pairs,
            observable: None,
        })
    }

    fn attribute(&self, owner: &str, name: &str, a: &RawAttr) -> Result<AttrDef, LoadError> {
        let dangling = |what, missing: &str| LoadError::Dangling {
            owner: owner.to_owned(),
            attribute: name.to_owned(),
            what,
            name: missing.to_owned(),
        };
        let ty = *self
            .type_index
            .get(a.ty.as_str())
            .ok_or_else(|| dangling("type", &a.ty))?;
        let object = match (&a.object_type, self.types[ty].base) {
            (Some(o), BaseType::Object) => Some(
                *self
                    .object_index
                    .get(o.as_str())
                    .ok_or_else(|| dangling("object", o))?,
            ),
            _ => None,
        };
        let requirement = match a.requirement.as_str() {
            "required" => Requirement::Required,
            "recommended" => Requirement::Recommended,
            _ => Requirement::Optional,
        };
        let profile = a
            .profile
            .as_ref()
            .map(|p| {
                self.profiles
                    .binary_search(p)
                    .map(|i| i as u8)
                    .map_err(|_| dangling("profile", p))
            })
            .transpose()?;
        let enumeration = a.enumeration.as_ref().map(|e| {
            let ints: Option<Vec<(i64, String)>> = if self.types[ty].base.is_integer() {
                e.iter()
                    .map(|(k, c)| k.parse::<i64>().ok().map(|id| (id, c.clone())))
                    .collect()
            } else {
                None
            };
            match ints {
                Some(mut ints) => {
                    ints.sort_by_key(|(id, _)| *id);
                    Enumeration::Int(ints)
                }
                None => Enumeration::Str(e.keys().cloned().collect()),
            }
        });
        Ok(AttrDef {
            name: name.to_owned(),
            key: name_key(name),
            caption: a.caption.clone(),
            ty,
            object,
            is_array: a.is_array,
            requirement,
            profile,
            enumeration,
            sibling: None,
            slot: None,
            sibling_name: None,
            deprecated: a.deprecated.as_ref().map(|d| Deprecation {
                message: d.message.clone(),
                since: d.since.clone(),
            }),
            observable: a.observable,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schema_loads() {
        assert_eq!(Schema::ocsf().version(), "1.4.0");
    }

    #[test]
    fn class_by_name_and_uid_agree() {
        let s = Schema::ocsf();
        assert_eq!(s.class("detection_finding").map(|c| c.uid()), Some(2004));
        assert_eq!(s.class("4009").map(|c| c.name()), Some("email_activity"));
        assert!(s.class("authentication").is_none());
    }

    #[test]
    fn class_names_are_the_three_classes() {
        let names: Vec<_> = Schema::ocsf().class_names().collect();
        assert_eq!(
            names,
            ["detection_finding", "email_activity", "network_activity"]
        );
    }

    #[test]
    fn timestamp_is_a_long() {
        let s = Schema::ocsf();
        let t = s.types.iter().find(|t| t.name == "timestamp_t").unwrap();
        assert_eq!(t.base, BaseType::Long);
    }

    #[test]
    fn port_has_its_range() {
        let s = Schema::ocsf();
        let t = s.types.iter().find(|t| t.name == "port_t").unwrap();
        assert_eq!(t.range, Some((0, 65535)));
    }

    #[test]
    fn every_regex_type_has_a_hand_written_check() {
        // The validator checks string formats by hand (no regex engine). A new OCSF version that
        // adds a type with a regex must add a check in `format.rs`; this test says so.
        for t in &Schema::ocsf().types {
            if t.regex.is_some() {
                assert_ne!(
                    t.format,
                    Format::None,
                    "type `{}` has a regex but no check",
                    t.name
                );
            }
        }
    }

    #[test]
    fn sibling_is_resolved_to_an_index() {
        let s = Schema::ocsf();
        let body = &s
            .classes
            .iter()
            .find(|c| c.name == "detection_finding")
            .unwrap()
            .body;
        let sev = &body.attrs[body.find("severity_id").unwrap()];
        assert_eq!(
            sev.sibling.map(|i| body.attrs[i].name.as_str()),
            Some("severity")
        );
    }

    #[test]
    fn find_agrees_with_a_linear_scan() {
        for object in &Schema::ocsf().objects {
            for (i, a) in object.attrs.iter().enumerate() {
                assert_eq!(object.find(&a.name), Some(i), "{}.{}", object.name, a.name);
            }
            assert_eq!(object.find("zzz_not_there"), None);
            assert_eq!(object.find(""), None);
            assert_eq!(object.find("uid\0"), None);
        }
    }

    #[test]
    fn broken_data_is_a_load_error() {
        assert!(matches!(Schema::from_json("{}"), Err(LoadError::Json(_))));
    }

    #[test]
    fn dangling_object_reference_is_a_load_error() {
        let text = r#"{"version":"x","types":{"string_t":{"caption":"S","base":"string_t"}},
            "objects":{},"classes":{"c":{"caption":"C","uid":1,"category_uid":0,
            "attributes":{"a":{"type":"object_t","object_type":"nope","requirement":"optional"}}}}}"#;
        assert!(matches!(
            Schema::from_json(text),
            Err(LoadError::Dangling { what: "object", .. })
        ));
    }
}
