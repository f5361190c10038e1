//! [`Class`] and [`Attribute`]: cheap, copyable views into a [`Schema`].

use crate::path::{PathError, PathErrorKind, segment_name, suggest};
use crate::schema::{
    AttrDef, BaseType, ClassDef, Enumeration, ObjectDef, Requirement, Schema, TypeDef,
};

/// One OCSF event class (e.g. `detection_finding`), borrowed from its [`Schema`].
#[derive(Clone, Copy, Debug)]
pub struct Class<'s> {
    pub(crate) schema: &'s Schema,
    pub(crate) def: &'s ClassDef,
}

impl<'s> Class<'s> {
    pub(crate) fn new(schema: &'s Schema, def: &'s ClassDef) -> Class<'s> {
        Class { schema, def }
    }

    /// The class name, e.g. `"detection_finding"`.
    pub fn name(&self) -> &'s str {
        &self.def.name
    }

    /// The class caption, e.g. `"Detection Finding"`.
    pub fn caption(&self) -> &'s str {
        &self.def.caption
    }

    /// The class uid, e.g. `2004`.
    pub fn uid(&self) -> u32 {
        self.def.uid
    }

    /// The category uid, e.g. `2`.
    pub fn category_uid(&self) -> u32 {
        self.def.category_uid
    }

    /// The category caption, e.g. `"Findings"` (what `category_name` holds in a document).
    pub fn category_caption(&self) -> &'s str {
        &self.def.category_caption
    }

    /// The category's name, e.g. `"findings"`.
    pub fn category_name(&self) -> &'s str {
        &self.def.category_name
    }

    /// The schema this class belongs to.
    pub fn schema(&self) -> &'s Schema {
        self.schema
    }

    /// The profiles this class can use, e.g. `security_control`, `host`, `cloud`.
    pub fn profiles(&self) -> impl Iterator<Item = &'s str> + use<'s> {
        let schema = self.schema;
        self.def
            .profiles
            .iter()
            .map(move |&i| schema.profiles[usize::from(i)].as_str())
    }

    /// Whether `profile` is one of this class's profiles.
    pub fn has_profile(&self, profile: &str) -> bool {
        self.schema
            .profile_index(profile)
            .is_some_and(|i| self.def.profile_mask & (1 << i) != 0)
    }

    /// The class's own attributes (all of them, whatever their profile), in name order.
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'s>> + use<'s> {
        let schema = self.schema;
        self.def
            .body
            .attrs
            .iter()
            .map(move |def| Attribute { schema, def })
    }

    /// The class's `at_least_one` constraints: groups of attribute names of which every valid
    /// document has at least one (network_activity: `dst_endpoint`, `src_endpoint`).
    pub fn at_least_one(&self) -> impl Iterator<Item = Vec<&'s str>> + use<'s> {
        let attrs: &'s [AttrDef] = &self.def.body.attrs;
        self.def
            .body
            .at_least_one
            .iter()
            .map(move |group| group.iter().map(|&i| attrs[i].name.as_str()).collect())
    }

    /// Resolve a dotted attribute path with the given profiles active.
    ///
    /// Arrays are transparent: `evidences.src_endpoint.ip` and `evidences[0].src_endpoint.ip`
    /// name the same attribute. An attribute of a profile that is not in `profiles` is an error
    /// ([`PathErrorKind::NeedsProfile`]). A path that goes below a free-form attribute
    /// (`unmapped.anything`, `enrichments.data.anything`) resolves to that free-form attribute;
    /// see [`Attribute::is_free_form`]. Names in `profiles` that are not profiles are ignored.
    pub fn attribute(&self, path: &str, profiles: &[&str]) -> Result<Attribute<'s>, PathError> {
        let mask = self.schema.profile_mask(profiles.iter().copied());
        self.resolve(path, mask)
    }

    pub(crate) fn resolve(&self, path: &str, mask: u64) -> Result<Attribute<'s>, PathError> {
        let schema = self.schema;
        let mut object: &'s ObjectDef = &self.def.body;
        let mut found: Option<Attribute<'s>> = None;
        let mut resolved_len = 0usize;
        for raw_seg in path.split('.') {
            let resolved = &path[..resolved_len.saturating_sub(1)];
            if let Some(attr) = found {
                if attr.is_free_form() {
                    return Ok(attr);
                }
                match attr.def.object {
                    Some(o) => object = &schema.objects[o],
                    None => {
                        let name = segment_name(raw_seg).unwrap_or(raw_seg);
                        let type_name = attr.type_name().to_owned();
                        let kind = PathErrorKind::NotAnObject { type_name };
                        return Err(PathError::new(
                            path,
                            name,
                            resolved,
                            &object.name,
                            kind,
                            Vec::new(),
                        ));
                    }
                }
            }
            let fail = |kind, segment: &str, suggestions| {
                PathError::new(path, segment, resolved, &object.name, kind, suggestions)
            };
            let Some(name) = segment_name(raw_seg) else {
                return Err(fail(PathErrorKind::Malformed, raw_seg, Vec::new()));
            };
            let Some(i) = object.find(name) else {
                let names = object
                    .attrs
                    .iter()
                    .filter(|a| a.profile.is_none_or(|p| mask & (1 << p) != 0))
                    .map(|a| a.name.as_str());
                let suggestions = suggest(name, names);
                return Err(fail(PathErrorKind::Unknown, name, suggestions));
            };
            let def = &object.attrs[i];
            if let Some(p) = def.profile
                && mask & (1 << p) == 0
            {
                let profile = schema.profiles[usize::from(p)].clone();
                return Err(fail(PathErrorKind::NeedsProfile(profile), name, Vec::new()));
            }
            found = Some(Attribute { schema, def });
            resolved_len += raw_seg.len() + 1;
        }
        // `split` yields at least one segment, so `found` is set or an error was returned.
        found.ok_or_else(|| {
            PathError::new(
                path,
                "",
                "",
                &object.name,
                PathErrorKind::Malformed,
                Vec::new(),
            )
        })
    }
}

/// One attribute of a class or object, borrowed from its [`Schema`].
#[derive(Clone, Copy, Debug)]
pub struct Attribute<'s> {
    pub(crate) schema: &'s Schema,
    pub(crate) def: &'s AttrDef,
}

impl<'s> Attribute<'s> {
    pub(crate) fn ty(&self) -> &'s TypeDef {
        &self.schema.types[self.def.ty]
    }

    /// The attribute name, e.g. `"src_endpoint"`.
    pub fn name(&self) -> &'s str {
        &self.def.name
    }

    /// The attribute caption, e.g. `"Source Endpoint"`.
    pub fn caption(&self) -> &'s str {
        &self.def.caption
    }

    /// The OCSF type name, e.g. `"string_t"`, `"timestamp_t"`, `"port_t"`, `"object_t"`.
    pub fn type_name(&self) -> &'s str {
        &self.ty().name
    }

    /// The type's caption, e.g. `"Port"` for `port_t`.
    pub fn type_caption(&self) -> &'s str {
        &self.ty().caption
    }

    /// The caption of the attribute's object, e.g. `"Network Endpoint"`.
    pub fn object_caption(&self) -> Option<&'s str> {
        self.def
            .object
            .map(|o| self.schema.objects[o].caption.as_str())
    }

    /// The primitive type behind [`type_name`](Self::type_name), e.g. `Long` for `timestamp_t`.
    pub fn base_type(&self) -> BaseType {
        self.ty().base
    }

    /// The object name for `object_t` attributes, e.g. `"network_endpoint"`.
    pub fn object_type(&self) -> Option<&'s str> {
        self.def
            .object
            .map(|o| self.schema.objects[o].name.as_str())
    }

    /// Whether the attribute holds an array of its type.
    pub fn is_array(&self) -> bool {
        self.def.is_array
    }

    /// Required, recommended or optional.
    pub fn requirement(&self) -> Requirement {
        self.def.requirement
    }

    /// The inclusive value range of the type, e.g. `(0, 65535)` for `port_t`.
    pub fn range(&self) -> Option<(i64, i64)> {
        self.ty().range
    }

    /// The maximum string length of the type, e.g. 40 for `ip_t`.
    pub fn max_len(&self) -> Option<usize> {
        self.ty().max_len
    }

    /// The type's regex as OCSF defines it, e.g. for `mac_t` (informational: validation uses
    /// equivalent hand-written checks, see [`Class::validate`]).
    pub fn regex(&self) -> Option<&'s str> {
        self.ty().regex.as_deref()
    }

    /// Whether the attribute has an enumeration (integer ids or string values).
    pub fn is_enum(&self) -> bool {
        self.def.enumeration.is_some()
    }

    /// The integer enumeration, `(id, caption)` sorted by id; empty when there is none.
    pub fn enum_values(&self) -> impl Iterator<Item = (i64, &'s str)> + use<'s> {
        let values: &'s [(i64, String)] = match &self.def.enumeration {
            Some(Enumeration::Int(v)) => v,
            _ => &[],
        };
        values.iter().map(|(id, c)| (*id, c.as_str()))
    }

    /// The allowed values of a string enumeration (e.g. `http_method`); empty when there is none.
    pub fn enum_strings(&self) -> impl Iterator<Item = &'s str> + use<'s> {
        let values: &'s [String] = match &self.def.enumeration {
            Some(Enumeration::Str(v)) => v,
            _ => &[],
        };
        values.iter().map(String::as_str)
    }

    /// The caption of an enum id, e.g. `4` → `"High"` for `severity_id`.
    pub fn enum_caption(&self, id: i64) -> Option<&'s str> {
        self.def.enumeration.as_ref()?.caption(id)
    }

    /// The enum id of a caption, ignoring ASCII case, e.g. `"high"` → `4` for `severity_id`.
    pub fn enum_id(&self, caption: &str) -> Option<i64> {
        self.def
            .enumeration
            .as_ref()?
            .id_of(caption)
            .map(|(id, _)| id)
    }

    /// The caption attribute of an enum id, e.g. `"severity"` for `severity_id`.
    pub fn sibling(&self) -> Option<&'s str> {
        self.def.sibling_name.as_deref()
    }

    /// The profile that adds this attribute, or `None` for a core attribute.
    pub fn profile(&self) -> Option<&'s str> {
        self.def
            .profile
            .map(|p| self.schema.profiles[usize::from(p)].as_str())
    }

    /// Whether the attribute is deprecated (still valid).
    pub fn deprecated(&self) -> bool {
        self.def.deprecated.is_some()
    }

    /// The deprecation note (may contain HTML such as `<code>`), and the version since.
    pub fn deprecation(&self) -> Option<(&'s str, &'s str)> {
        self.def
            .deprecated
            .as_ref()
            .map(|d| (d.message.as_str(), d.since.as_str()))
    }

    /// The observable `type_id` of this attribute's type or object, if it has one.
    pub fn observable_type_id(&self) -> Option<i64> {
        self.def
            .observable
            .or_else(|| {
                self.def
                    .object
                    .and_then(|o| self.schema.objects[o].observable)
            })
            .or(self.ty().observable)
    }

    /// Whether anything goes below this attribute: `json_t`, or an object with no attributes
    /// (`object`, as used by `unmapped`).
    pub fn is_free_form(&self) -> bool {
        match self.base_type() {
            BaseType::Json => true,
            BaseType::Object => self
                .def
                .object
                .is_none_or(|o| self.schema.objects[o].free_form),
            _ => false,
        }
    }

    /// The attributes of this attribute's object (empty unless `object_t`), in name order.
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'s>> + use<'s> {
        let schema = self.schema;
        let attrs: &'s [AttrDef] = match self.def.object {
            Some(o) => &schema.objects[o].attrs,
            None => &[],
        };
        attrs.iter().map(move |def| Attribute { schema, def })
    }
}

#[cfg(test)]
mod tests {
    use crate::{PathErrorKind, Requirement, Schema};

    fn df() -> crate::Class<'static> {
        Schema::ocsf().class("detection_finding").unwrap()
    }

    #[test]
    fn class_identity() {
        let c = df();
        assert_eq!(
            (c.name(), c.caption(), c.uid()),
            ("detection_finding", "Detection Finding", 2004)
        );
        assert_eq!((c.category_uid(), c.category_caption()), (2, "Findings"));
    }

    #[test]
    fn class_profiles_include_security_control() {
        assert!(df().profiles().any(|p| p == "security_control"));
        assert!(df().has_profile("incident"));
        assert!(
            !Schema::ocsf()
                .class("email_activity")
                .unwrap()
                .has_profile("incident")
        );
    }

    #[test]
    fn nested_path_through_array_resolves() {
        let a = df().attribute("evidences.src_endpoint.ip", &[]).unwrap();
        assert_eq!((a.name(), a.type_name()), ("ip", "ip_t"));
    }

    #[test]
    fn indexed_path_resolves_like_plain() {
        let a = df()
            .attribute("evidences[0].src_endpoint.port", &[])
            .unwrap();
        assert_eq!(a.type_name(), "port_t");
        assert_eq!(a.range(), Some((0, 65535)));
    }

    #[test]
    fn array_attribute_reports_array() {
        let a = df().attribute("evidences", &[]).unwrap();
        assert!(a.is_array());
        assert_eq!(a.object_type(), Some("evidences"));
    }

    #[test]
    fn typo_gets_a_suggestion() {
        let e = df().attribute("finding_info.titel", &[]).unwrap_err();
        assert_eq!(*e.kind(), PathErrorKind::Unknown);
        assert_eq!(e.segment(), "titel");
        assert_eq!(e.resolved(), "finding_info");
        assert_eq!(e.suggestions(), ["title"]);
        assert_eq!(
            e.to_string(),
            "unknown attribute `titel` in `finding_info` (object `finding_info`); did you mean `title`?"
        );
    }

    #[test]
    fn profile_attribute_needs_the_profile() {
        let e = df().attribute("action_id", &[]).unwrap_err();
        assert_eq!(
            *e.kind(),
            PathErrorKind::NeedsProfile("security_control".into())
        );
        assert!(df().attribute("action_id", &["security_control"]).is_ok());
    }

    #[test]
    fn path_below_a_scalar_is_an_error() {
        let e = df().attribute("time.foo", &[]).unwrap_err();
        assert_eq!(
            *e.kind(),
            PathErrorKind::NotAnObject {
                type_name: "timestamp_t".into()
            }
        );
        assert_eq!(e.resolved(), "time");
    }

    #[test]
    fn path_below_unmapped_resolves_to_unmapped() {
        let a = df().attribute("unmapped.vendor.field", &[]).unwrap();
        assert_eq!(a.name(), "unmapped");
        assert!(a.is_free_form());
    }

    #[test]
    fn empty_segment_is_malformed() {
        assert_eq!(
            df().attribute("finding_info..uid", &[]).unwrap_err().kind(),
            &PathErrorKind::Malformed
        );
        assert_eq!(
            df().attribute("", &[]).unwrap_err().kind(),
            &PathErrorKind::Malformed
        );
    }

    #[test]
    fn enum_accessors() {
        let a = df().attribute("severity_id", &[]).unwrap();
        assert_eq!(a.enum_caption(4), Some("High"));
        assert_eq!(a.enum_id("critical"), Some(5));
        assert_eq!(a.sibling(), Some("severity"));
        assert_eq!(a.enum_values().next(), Some((0, "Unknown")));
        assert_eq!(a.requirement(), Requirement::Required);
    }

    #[test]
    fn string_enum_values() {
        let a = df()
            .attribute("evidences.http_request.http_method", &[])
            .unwrap();
        assert!(a.enum_strings().any(|m| m == "GET"));
        assert_eq!(a.enum_values().count(), 0);
    }

    #[test]
    fn deprecated_attribute_is_flagged() {
        let c = Schema::ocsf().class("email_activity").unwrap();
        let a = c.attribute("smtp_hello", &[]).unwrap();
        assert!(a.deprecated());
        assert_eq!(a.deprecation().map(|d| d.1), Some("1.4.0"));
    }

    #[test]
    fn profile_of_core_attribute_is_none() {
        assert_eq!(df().attribute("time", &[]).unwrap().profile(), None);
        assert_eq!(
            df().attribute("action_id", &["security_control"])
                .unwrap()
                .profile(),
            Some("security_control")
        );
    }

    #[test]
    fn observable_type_of_ip_is_2() {
        assert_eq!(
            df().attribute("evidences.src_endpoint.ip", &[])
                .unwrap()
                .observable_type_id(),
            Some(2)
        );
    }
}
