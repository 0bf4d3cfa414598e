//! The organisations register and the staff directory: [`Organisation`] ⇄
//! `perspectief.v1.Organisation`, [`StaffMember`] ⇄ `perspectief.v1.StaffMember`, and the
//! `filter` of ListOrganisations (an AIP-160 subset, like ListParticipants').

use perspectief_core::ViolationCode;
use std::collections::BTreeSet;

use perspectief_core::organisation::{
    ContactDetails, EmailAddress, Organisation, OrganisationCode, OrganisationFilter, OrganisationKind,
    OrganisationRef, PhoneNumber, StaffMember,
};
use perspectief_core::{DomainError, Label, PartnerDomain, UserId};

use super::{Field, FromProto, ToProto, repeated, resource_name};
use crate::convert::message;
use crate::pb;

/// The collection of organisations: `organisations/{organisation_id}`.
pub const ORGANISATIONS: &str = "organisations";
/// The collection of staff members: `staffMembers/{user_id}`.
pub const STAFF_MEMBERS: &str = "staffMembers";

super::proto_enum!(OrganisationKind: Foundation, Municipality, GovernmentAgency, Ngo, Medical,
    InternationalOrganisation);

/// An optional checked string: empty is absent.
fn opt<T>(
    proto: String,
    at: &Field,
    parse: impl Fn(&str) -> Result<T, perspectief_core::ValueError>,
) -> Result<Option<T>, DomainError> {
    if proto.trim().is_empty() { Ok(None) } else { parse(&proto).map(Some).map_err(|e| at.value(e)) }
}

impl ToProto for Organisation {
    type Proto = pb::Organisation;
    fn to_proto(&self) -> pb::Organisation {
        pb::Organisation {
            name: resource_name(ORGANISATIONS, &self.id),
            code: self.code.as_str().to_owned(),
            display_name: self.name.as_str().to_owned(),
            kind: self.kind.to_proto(),
            domains: self.domains.iter().map(ToProto::to_proto).collect(),
            contact: Some(pb::OrganisationContact {
                phone: self.contact.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
                email: self.contact.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default(),
                address: self.contact.address.as_ref().map(|a| a.as_str().to_owned()).unwrap_or_default(),
            }),
            active: self.active,
        }
    }
}

impl FromProto<pb::Organisation> for Organisation {
    fn from_proto(proto: pb::Organisation, at: &Field) -> Result<Self, DomainError> {
        let contact = proto.contact.unwrap_or_default();
        let c = at.child("contact");
        let code_at = at.child("code");
        if proto.code.trim().is_empty() {
            return Err(code_at.missing());
        }
        Ok(Organisation {
            id: super::parse_name(ORGANISATIONS, &proto.name, &at.child("name"))?,
            code: OrganisationCode::parse(&proto.code).map_err(|e| code_at.value(e))?,
            name: Label::from_proto(proto.display_name, &at.child("display_name"))?,
            kind: OrganisationKind::from_proto(proto.kind, &at.child("kind"))?,
            domains: repeated::<i32, PartnerDomain, BTreeSet<_>>(proto.domains, &at.child("domains"))?,
            contact: ContactDetails {
                phone: opt(contact.phone, &c.child("phone"), PhoneNumber::parse)?,
                email: opt(contact.email, &c.child("email"), EmailAddress::parse)?,
                address: opt(contact.address, &c.child("address"), Label::parse)?,
            },
            active: proto.active,
        })
    }
}

message!(StaffMember => pb::StaffMember {
    role: val, active: copy,
} derived |s| { name: resource_name(STAFF_MEMBERS, &s.id), display_name: s.name.as_str().to_owned() });

impl FromProto<pb::StaffMember> for StaffMember {
    fn from_proto(proto: pb::StaffMember, at: &Field) -> Result<Self, DomainError> {
        Ok(StaffMember {
            id: super::parse_name::<UserId>(STAFF_MEMBERS, &proto.name, &at.child("name"))?,
            name: Label::from_proto(proto.display_name, &at.child("display_name"))?,
            role: FromProto::from_proto(proto.role, &at.child("role"))?,
            active: proto.active,
        })
    }
}

/// The organisation a GetOrganisation `name` names: `organisations/{id}`, or the code in place
/// of the id.
pub fn organisation_ref(name: &str, at: &Field) -> Result<OrganisationRef, DomainError> {
    if name.trim().is_empty() {
        return Err(at.missing());
    }
    let key = name.trim().strip_prefix(ORGANISATIONS).and_then(|rest| rest.strip_prefix('/')).ok_or_else(|| {
        at.invalid(
            ViolationCode::NotAResourceName,
            format!("expected a resource name like {ORGANISATIONS}/{{id}} or {ORGANISATIONS}/{{code}}"),
        )
    })?;
    OrganisationRef::parse(key).map_err(|e| at.value(e))
}

/// The GetOrganisation `name` for an organisation reference.
pub fn organisation_name(key: &OrganisationRef) -> String {
    match key {
        OrganisationRef::Id(id) => resource_name(ORGANISATIONS, id),
        OrganisationRef::Code(code) => resource_name(ORGANISATIONS, code),
    }
}

fn invalid_filter(message: impl Into<String>) -> DomainError {
    Field::root().child("filter").invalid(ViolationCode::InvalidFilter, message)
}

fn unquote(value: &str) -> &str {
    let v = value.trim();
    v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v)
}

/// Parse ListOrganisations' filter; an empty filter lists the active organisations.
pub fn organisation_filter(filter: &str) -> Result<OrganisationFilter, DomainError> {
    let mut out = OrganisationFilter::default();
    if filter.trim().is_empty() {
        return Ok(out);
    }
    let mut seen: Vec<&str> = Vec::new();
    for condition in filter.split(" AND ") {
        // `domains:VALUE` (AIP-160's "has") or `field = value`.
        let (field, value) = match condition.split_once('=').or_else(|| condition.split_once(':')) {
            Some((f, v)) => (f.trim(), unquote(v)),
            None => {
                return Err(invalid_filter(format!("'{}' is not a condition like field = value", condition.trim())));
            }
        };
        if seen.contains(&field) {
            return Err(invalid_filter(format!("{field} appears twice")));
        }
        seen.push(field);
        let at = Field::root().child("filter").child(field);
        match field {
            "kind" => {
                let kind = pb::OrganisationKind::from_str_name(value).ok_or_else(|| {
                    invalid_filter(format!("'{value}' is not a kind (such as ORGANISATION_KIND_NGO)"))
                })?;
                out.kind = Some(FromProto::from_proto(kind as i32, &at)?);
            }
            "domains" | "domain" => {
                let domain = pb::PartnerDomain::from_str_name(value).ok_or_else(|| {
                    invalid_filter(format!("'{value}' is not a domain (such as PARTNER_DOMAIN_RETURN)"))
                })?;
                out.domain = Some(FromProto::from_proto(domain as i32, &at)?);
            }
            "include_inactive" => {
                out.include_inactive = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(invalid_filter("include_inactive is true or false")),
                }
            }
            _ => {
                return Err(invalid_filter(format!(
                    "unsupported condition on '{field}': use kind =, domains = or include_inactive ="
                )));
            }
        }
    }
    Ok(out)
}

/// The filter text for a filter (the client side).
pub fn organisation_filter_text(filter: &OrganisationFilter) -> String {
    let mut parts = Vec::new();
    if let Some(kind) = filter.kind {
        let name = pb::OrganisationKind::try_from(kind.to_proto())
            .map_or("ORGANISATION_KIND_UNSPECIFIED", |k| k.as_str_name());
        parts.push(format!("kind = {name}"));
    }
    if let Some(domain) = filter.domain {
        let name =
            pb::PartnerDomain::try_from(domain.to_proto()).map_or("PARTNER_DOMAIN_UNSPECIFIED", |d| d.as_str_name());
        parts.push(format!("domains = {name}"));
    }
    if filter.include_inactive {
        parts.push("include_inactive = true".to_owned());
    }
    parts.join(" AND ")
}

#[cfg(test)]
mod tests {
    use perspectief_core::OrganisationId;

    use super::*;

    fn iom() -> Organisation {
        Organisation {
            id: OrganisationId::from_u128(7),
            code: OrganisationCode::parse("IOM").unwrap(),
            name: Label::parse("IOM Nederland").unwrap(),
            kind: OrganisationKind::InternationalOrganisation,
            domains: BTreeSet::from([PartnerDomain::Return, PartnerDomain::Medical]),
            contact: ContactDetails {
                phone: Some(PhoneNumber::parse("+31 70 318 1500").unwrap()),
                email: None,
                address: Some(Label::parse("Den Haag").unwrap()),
            },
            active: true,
        }
    }

    #[test]
    fn organisations_and_staff_round_trip() {
        let o = iom();
        assert_eq!(Organisation::from_proto(o.to_proto(), &Field::root()).unwrap(), o);
        let s = StaffMember {
            id: UserId::from_u128(3),
            name: Label::parse("Sanne de Vries").unwrap(),
            role: perspectief_core::Role::ProjectWorker,
            active: false,
        };
        assert_eq!(s.to_proto().name, format!("staffMembers/{}", s.id));
        assert_eq!(StaffMember::from_proto(s.to_proto(), &Field::root()).unwrap(), s);
    }

    #[test]
    fn a_bad_organisation_names_the_field() {
        let mut p = iom().to_proto();
        p.contact.as_mut().unwrap().email = "niet-een-adres".into();
        let e = Organisation::from_proto(p, &Field::root()).unwrap_err();
        assert!(e.violations().unwrap().has("contact.email"), "{e}");
        let mut p = iom().to_proto();
        p.code = "I O M".into();
        assert!(Organisation::from_proto(p, &Field::root()).unwrap_err().violations().unwrap().has("code"));
    }

    #[test]
    fn names_are_ids_or_codes() {
        let at = Field::root().child("name");
        let id = OrganisationId::from_u128(7);
        assert_eq!(organisation_ref(&format!("organisations/{id}"), &at).unwrap(), OrganisationRef::Id(id));
        let by_code = organisation_ref("organisations/iom", &at).unwrap();
        assert_eq!(by_code, OrganisationRef::Code(OrganisationCode::parse("IOM").unwrap()));
        assert_eq!(organisation_name(&by_code), "organisations/IOM");
        for bad in ["", "participants/IOM", "organisations/I O M", "IOM"] {
            assert!(organisation_ref(bad, &at).unwrap_err().violations().unwrap().has("name"), "{bad:?}");
        }
    }

    #[test]
    fn filters_round_trip_and_nonsense_names_the_filter() {
        let f = OrganisationFilter {
            kind: Some(OrganisationKind::Ngo),
            domain: Some(PartnerDomain::Return),
            include_inactive: true,
        };
        assert_eq!(organisation_filter(&organisation_filter_text(&f)).unwrap(), f);
        assert_eq!(organisation_filter("").unwrap(), OrganisationFilter::default());
        assert_eq!(organisation_filter("domains:PARTNER_DOMAIN_LEGAL").unwrap().domain, Some(PartnerDomain::Legal));
        for bad in [
            "kind = NGO",
            "colour = red",
            "include_inactive = yes",
            "kind = ORGANISATION_KIND_NGO AND kind = ORGANISATION_KIND_NGO",
            "nonsense",
        ] {
            assert!(organisation_filter(bad).unwrap_err().violations().unwrap().has("filter"), "{bad}");
        }
    }
}
