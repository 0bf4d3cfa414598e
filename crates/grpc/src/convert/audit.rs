//! The access log: [`AuditRecord`]s with their [`AuditEntry`], the enums an entry names
//! ([`Role`], [`Action`], [`Purpose`], [`AuditOutcome`]), the [`Basis`] of an access, and the
//! result of verifying the hash chain ([`ChainVerification`]).
//!
//! Free strings of an entry (operation, client, hashes) pass unchanged: the log is the
//! service's own record, and a reader must see exactly what was hashed.

use perspectief_core::ViolationCode;
use perspectief_core::service::{AuditEntry, AuditOutcome, AuditRecord, ChainVerification, Purpose};
use perspectief_core::{Action, Basis, DataCategory, DomainError, Role};

use super::{Field, FromProto, ToProto, opt_string, optional, required};
use crate::convert::message;
use crate::pb;
use crate::pb::basis::Basis as BasisKind;
use crate::pb::chain_verification::Status;

super::proto_enum!(Role: ProjectWorker, ProjectLead, MunicipalCaseManager, ChainPartner, Auditor, Administrator);

super::proto_enum!(Action: Read, Search, Create, Update, Export, Erase);

super::proto_enum!(Purpose: CaseWork, Reporting, ChainCooperation, SubjectRights, Audit, Administration);

super::proto_enum!(AuditOutcome: Success, Denied, Failed);

impl ToProto for Basis {
    type Proto = pb::Basis;
    fn to_proto(&self) -> pb::Basis {
        let basis = match self {
            Self::RoleRule => BasisKind::RoleRule(()),
            Self::Assignment => BasisKind::Assignment(()),
            Self::Consent(id) => BasisKind::ConsentId(id.to_proto()),
            Self::Addressee => BasisKind::Addressee(()),
            Self::BreakGlass => BasisKind::BreakGlass(()),
        };
        pb::Basis { basis: Some(basis) }
    }
}

impl FromProto<pb::Basis> for Basis {
    fn from_proto(proto: pb::Basis, at: &Field) -> Result<Self, DomainError> {
        match proto.basis {
            Some(BasisKind::RoleRule(())) => Ok(Self::RoleRule),
            Some(BasisKind::Assignment(())) => Ok(Self::Assignment),
            Some(BasisKind::ConsentId(id)) => FromProto::from_proto(id, &at.child("consent_id")).map(Self::Consent),
            Some(BasisKind::Addressee(())) => Ok(Self::Addressee),
            Some(BasisKind::BreakGlass(())) => Ok(Self::BreakGlass),
            None => Err(at.invalid(
                ViolationCode::Required,
                "set the basis: role_rule, assignment, consent_id, addressee or break_glass",
            )),
        }
    }
}

message!(AuditEntry => pb::AuditEntry {
    at: req, user: val, organisation: val, role: val, on_behalf_of: opt_str, action: val, participant: opt_str,
    operation: clone, purpose: val, basis: opt, outcome: val, client: clone,
} derived |s| {
    category: s.category.as_ref().map_or(pb::DataCategory::Unspecified as i32, ToProto::to_proto),
    error_code: s.error_code.clone().unwrap_or_default(),
});

impl FromProto<pb::AuditEntry> for AuditEntry {
    fn from_proto(proto: pb::AuditEntry, at: &Field) -> Result<Self, DomainError> {
        let category = if proto.category == pb::DataCategory::Unspecified as i32 {
            None
        } else {
            Some(DataCategory::from_proto(proto.category, &at.child("category"))?)
        };
        Ok(Self {
            at: required(proto.at, &at.child("at"))?,
            user: FromProto::from_proto(proto.user, &at.child("user"))?,
            organisation: FromProto::from_proto(proto.organisation, &at.child("organisation"))?,
            role: FromProto::from_proto(proto.role, &at.child("role"))?,
            on_behalf_of: opt_string(proto.on_behalf_of, &at.child("on_behalf_of"))?,
            action: FromProto::from_proto(proto.action, &at.child("action"))?,
            participant: opt_string(proto.participant, &at.child("participant"))?,
            category,
            operation: proto.operation,
            purpose: FromProto::from_proto(proto.purpose, &at.child("purpose"))?,
            basis: optional(proto.basis, &at.child("basis"))?,
            outcome: FromProto::from_proto(proto.outcome, &at.child("outcome"))?,
            error_code: Some(proto.error_code).filter(|c| !c.is_empty()),
            client: proto.client,
        })
    }
}

message!(AuditRecord = pb::AuditRecord { seq: copy, entry: req, prev_hash: clone, hash: clone });

impl ToProto for ChainVerification {
    type Proto = pb::ChainVerification;
    fn to_proto(&self) -> pb::ChainVerification {
        let status = match self {
            Self::Intact { records, head } => {
                Status::Intact(pb::chain_verification::Intact { records: *records, head: head.clone() })
            }
            Self::Broken { first_broken_seq, reason } => Status::Broken(pb::chain_verification::Broken {
                first_broken_seq: *first_broken_seq,
                reason: reason.clone(),
            }),
        };
        pb::ChainVerification { status: Some(status) }
    }
}

impl FromProto<pb::ChainVerification> for ChainVerification {
    fn from_proto(proto: pb::ChainVerification, at: &Field) -> Result<Self, DomainError> {
        match proto.status {
            Some(Status::Intact(i)) => Ok(Self::Intact { records: i.records, head: i.head }),
            Some(Status::Broken(b)) => Ok(Self::Broken { first_broken_seq: b.first_broken_seq, reason: b.reason }),
            None => Err(at.invalid(ViolationCode::Required, "set intact or broken")),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use perspectief_core::{ConsentId, OrganisationId, ParticipantId, UserId};

    use super::*;

    fn field_of(e: &DomainError) -> (String, String) {
        let v = e.violations().unwrap().iter().next().unwrap();
        (v.field.clone(), v.code.code().to_owned())
    }

    const PURPOSES: [Purpose; 6] = [
        Purpose::CaseWork,
        Purpose::Reporting,
        Purpose::ChainCooperation,
        Purpose::SubjectRights,
        Purpose::Audit,
        Purpose::Administration,
    ];
    const OUTCOMES: [AuditOutcome; 3] = [AuditOutcome::Success, AuditOutcome::Denied, AuditOutcome::Failed];

    fn entry() -> AuditEntry {
        AuditEntry {
            at: DateTime::from_timestamp(1_790_000_000, 123_456_789).unwrap(),
            user: UserId::from_u128(1),
            organisation: OrganisationId::from_u128(2),
            role: Role::ProjectWorker,
            on_behalf_of: None,
            action: Action::Read,
            participant: None,
            category: None,
            operation: "get_case".into(),
            purpose: Purpose::CaseWork,
            basis: None,
            outcome: AuditOutcome::Success,
            error_code: None,
            client: "10.0.0.1:5000".into(),
        }
    }

    fn record(entry: AuditEntry) -> AuditRecord {
        AuditRecord { seq: 7, entry, prev_hash: "0".repeat(64), hash: "ab".repeat(32) }
    }

    fn round_trip(r: &AuditRecord) {
        assert_eq!(&AuditRecord::from_proto(r.to_proto(), &Field::root()).unwrap(), r);
    }

    #[test]
    fn every_variant_of_an_entry_round_trips() {
        round_trip(&record(entry()));
        let full = AuditEntry {
            on_behalf_of: Some(UserId::from_u128(3)),
            participant: Some(ParticipantId::from_u128(4)),
            category: Some(DataCategory::Return),
            basis: Some(Basis::Consent(ConsentId::from_u128(5))),
            outcome: AuditOutcome::Denied,
            error_code: Some("access_denied".into()),
            ..entry()
        };
        round_trip(&record(full.clone()));
        for role in Role::ALL {
            round_trip(&record(AuditEntry { role, ..full.clone() }));
        }
        for action in Action::ALL {
            round_trip(&record(AuditEntry { action, ..full.clone() }));
        }
        for category in DataCategory::ALL {
            round_trip(&record(AuditEntry { category: Some(category), ..full.clone() }));
        }
        for purpose in PURPOSES {
            round_trip(&record(AuditEntry { purpose, ..full.clone() }));
        }
        for outcome in OUTCOMES {
            round_trip(&record(AuditEntry { outcome, ..full.clone() }));
        }
        for basis in [
            Basis::RoleRule,
            Basis::Assignment,
            Basis::Consent(ConsentId::from_u128(9)),
            Basis::Addressee,
            Basis::BreakGlass,
        ] {
            round_trip(&record(AuditEntry { basis: Some(basis), ..full.clone() }));
        }
    }

    #[test]
    fn verifications_round_trip() {
        for v in [
            ChainVerification::Intact { records: 0, head: String::new() },
            ChainVerification::Intact { records: 120, head: "ab".repeat(32) },
            ChainVerification::Broken { first_broken_seq: 17, reason: "hash mismatch".into() },
        ] {
            assert_eq!(ChainVerification::from_proto(v.to_proto(), &Field::root()).unwrap(), v);
        }
        let e = ChainVerification::from_proto(pb::ChainVerification { status: None }, &Field::root().child("v"))
            .unwrap_err();
        assert_eq!(field_of(&e), ("v".into(), "required".into()));
    }

    #[test]
    fn invalid_entries_name_the_field() {
        let good = record(AuditEntry { basis: Some(Basis::Assignment), ..entry() }).to_proto();
        let check = |edit: &dyn Fn(&mut pb::AuditEntry), field: &str, code: &str| {
            let mut r = good.clone();
            edit(r.entry.as_mut().unwrap());
            let e = AuditRecord::from_proto(r, &Field::root().child("records").index(2)).unwrap_err();
            assert_eq!(e.code(), "invalid_input");
            assert_eq!(field_of(&e), (format!("records[2].entry.{field}"), code.to_owned()), "{field}");
        };
        check(&|e| e.at = None, "at", "required");
        check(&|e| e.at = Some(prost_types::Timestamp { seconds: 0, nanos: 2_000_000_000 }), "at", "not_a_timestamp");
        check(&|e| e.user = String::new(), "user", "required");
        check(&|e| e.organisation = "x".into(), "organisation", "not_an_id");
        check(&|e| e.role = 0, "role", "required");
        check(&|e| e.role = 42, "role", "unknown_value");
        check(&|e| e.on_behalf_of = "x".into(), "on_behalf_of", "not_an_id");
        check(&|e| e.action = 0, "action", "required");
        check(&|e| e.participant = "x".into(), "participant", "not_an_id");
        check(&|e| e.category = 99, "category", "unknown_value");
        check(&|e| e.purpose = 0, "purpose", "required");
        check(&|e| e.basis = Some(pb::Basis { basis: None }), "basis", "required");
        check(
            &|e| e.basis = Some(pb::Basis { basis: Some(BasisKind::ConsentId("x".into())) }),
            "basis.consent_id",
            "not_an_id",
        );
        check(&|e| e.outcome = 0, "outcome", "required");
        let e = AuditRecord::from_proto(pb::AuditRecord { entry: None, ..good }, &Field::root()).unwrap_err();
        assert_eq!(field_of(&e), ("entry".into(), "required".into()));
    }
}
