//! The organisations directory over a real loopback server: partners list and read the
//! register (directory data only), staff read the staff directory, and nobody outside the
//! foundation does; the Rust client gives the same answers as the store.

use perspectief_core::access::Grant;
use perspectief_core::organisation::{
    DirectoryService, Organisation, OrganisationCode, OrganisationFilter, OrganisationInput, OrganisationRef,
};
use perspectief_core::service::{Caller, PageRequest, PerspectiefService};
use perspectief_core::{DomainError, EntityKind, OrganisationId, PartnerDomain, Role, UserId};
use perspectief_grpc::client::{RemoteService, StaticToken};
use perspectief_grpc::pb;
use perspectief_grpc::pb::organisation_service_client::OrganisationServiceClient;
use perspectief_store::Store;
use tonic::Code;
use tonic_types::StatusExt;

use crate::support::{Served, authed};

/// Register `id` if the register does not hold it yet, as an organisation first seen in use
/// (named by its id, a generated code): for harnesses that invent organisation ids for their
/// accounts and consents.
pub async fn ensure_registered(store: &Store, admin: &Caller, id: OrganisationId) {
    match store.get_organisation(admin, OrganisationRef::Id(id)).await {
        Ok(_) => return,
        Err(e) => assert_eq!(e.code(), "not_found"),
    }
    let everyone = OrganisationFilter { include_inactive: true, ..Default::default() };
    let all = PageRequest { page_size: 500, page_token: None };
    let taken: Vec<OrganisationCode> =
        store.list_organisations(admin, everyone, all).await.unwrap().items.into_iter().map(|o| o.code).collect();
    let organisation = Organisation::registered_from_use(id, |c| taken.contains(c));
    store.add_organisation(admin, organisation).await.unwrap();
}

struct World {
    served: Served,
    iom: Organisation,
    partner_token: String,
    worker_token: String,
}

async fn world() -> World {
    let served = Served::on_the_wall_clock().await;
    let (store, admin, foundation) = (&served.store, &served.admin, served.foundation());
    let iom = OrganisationInput {
        code: "iom".into(),
        name: "IOM Nederland".into(),
        kind: "international_organisation".into(),
        domains: vec!["return".into(), "medical".into()],
        phone: Some("+31 70 318 1500".into()),
        email: Some("info@iom.example".into()),
        address: Some("Den Haag".into()),
    }
    .into_organisation(OrganisationId::from_u128(0x10), foundation)
    .unwrap();
    store.add_organisation(admin, iom.clone()).await.unwrap();
    for (id, code, kind) in [(0x11, "ASKV", "ngo"), (0x12, "GEMEENTE", "municipality"), (0x13, "OUD", "ngo")] {
        let o = OrganisationInput {
            code: code.into(),
            name: format!("{code} (synthetisch)"),
            kind: kind.into(),
            ..Default::default()
        }
        .into_organisation(OrganisationId::from_u128(id), foundation)
        .unwrap();
        store.add_organisation(admin, o).await.unwrap();
    }
    let retire = perspectief_core::organisation::OrganisationChanges { active: Some(false), ..Default::default() };
    store.update_organisation(admin, OrganisationRef::Id(OrganisationId::from_u128(0x13)), retire).await.unwrap();
    let partner = served.account_named(UserId::from_u128(2), iom.id, Role::ChainPartner, None, "IOM-koppeling").await;
    let worker =
        served.account_named(UserId::from_u128(3), foundation, Role::ProjectWorker, None, "Sanne de Vries").await;
    World { iom, worker_token: worker.token, partner_token: partner.token, served }
}

impl World {
    async fn raw(&self) -> OrganisationServiceClient<tonic::transport::Channel> {
        OrganisationServiceClient::connect(format!("http://{}", self.served.address)).await.unwrap()
    }

    async fn remote(&self, token: &str) -> RemoteService<StaticToken> {
        RemoteService::connect(&format!("http://{}", self.served.address), StaticToken::new(token)).await.unwrap()
    }
}

/// The caller a remote call carries (the server decides who it is from the token; the
/// purpose must be one the token's role may state).
fn as_partner() -> Caller {
    Caller { purpose: perspectief_core::service::Purpose::ChainCooperation, ..as_staff() }
}

fn as_staff() -> Caller {
    Caller::local(perspectief_core::Actor {
        user: UserId::from_u128(0),
        organisation: OrganisationId::from_u128(0),
        role: Role::ProjectWorker,
        grant: Grant::NONE,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_lists_and_reads_the_organisations_register() {
    let w = world().await;
    let mut raw = w.raw().await;

    // Listing: active organisations by code, directory data only.
    let listed = raw
        .list_organisations(authed(&w.partner_token, pb::ListOrganisationsRequest::default()))
        .await
        .unwrap()
        .into_inner();
    let codes: Vec<&str> = listed.organisations.iter().map(|o| o.code.as_str()).collect();
    assert_eq!(codes, ["ASKV", "GEMEENTE", "IOM", "STICHTING"]);
    let iom = listed.organisations.iter().find(|o| o.code == "IOM").unwrap();
    assert_eq!(iom.name, format!("organisations/{}", w.iom.id));
    assert_eq!(iom.display_name, "IOM Nederland");
    assert_eq!(iom.kind, pb::OrganisationKind::InternationalOrganisation as i32);
    assert_eq!(iom.domains, [pb::PartnerDomain::Medical as i32, pb::PartnerDomain::Return as i32]);
    assert_eq!(iom.contact.as_ref().unwrap().email, "info@iom.example");
    assert!(iom.active);

    // Filters and pages.
    let request = |filter: &str, page_size, page_token: &str| pb::ListOrganisationsRequest {
        page_size,
        page_token: page_token.to_owned(),
        filter: filter.to_owned(),
    };
    let returning = raw
        .list_organisations(authed(&w.partner_token, request("domains = PARTNER_DOMAIN_RETURN", 0, "")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(returning.organisations.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(), ["IOM"]);
    let everyone = raw
        .list_organisations(authed(&w.partner_token, request("include_inactive = true", 0, "")))
        .await
        .unwrap()
        .into_inner();
    assert!(everyone.organisations.iter().any(|o| o.code == "OUD" && !o.active));
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = raw.list_organisations(authed(&w.partner_token, request("", 1, &token))).await.unwrap().into_inner();
        assert!(page.organisations.len() <= 1);
        seen.extend(page.organisations.into_iter().map(|o| o.code));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen, ["ASKV", "GEMEENTE", "IOM", "STICHTING"]);
    let bad = raw.list_organisations(authed(&w.partner_token, request("kind = BANK", 0, ""))).await.unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert_eq!(bad.get_details_bad_request().unwrap().field_violations[0].field, "filter");

    // One organisation, by id or by code.
    for name in [format!("organisations/{}", w.iom.id), "organisations/iom".to_owned()] {
        let got = raw
            .get_organisation(authed(&w.partner_token, pb::GetOrganisationRequest { name }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(got.name, format!("organisations/{}", w.iom.id), "the answer carries the id");
    }
    let missing = raw
        .get_organisation(authed(
            &w.partner_token,
            pb::GetOrganisationRequest { name: "organisations/KRUISPOST".into() },
        ))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    let info = missing.get_details_error_info().unwrap();
    assert_eq!((info.reason.as_str(), info.metadata["entity"].as_str()), ("NOT_FOUND", "organisation"));
    let nonsense = raw
        .get_organisation(authed(&w.partner_token, pb::GetOrganisationRequest { name: "participants/IOM".into() }))
        .await
        .unwrap_err();
    assert_eq!(nonsense.code(), Code::InvalidArgument);
    // No token, no register.
    let anonymous =
        raw.list_organisations(tonic::Request::new(pb::ListOrganisationsRequest::default())).await.unwrap_err();
    assert_eq!(anonymous.code(), Code::Unauthenticated);

    // The Rust client gives what the store gives, errors included.
    let partner = w.remote(&w.partner_token).await;
    let local_admin =
        Caller::local(w.served.store.local_account(UserId::from_u128(1)).await.unwrap().unwrap().actor(Grant::NONE));
    let all = PageRequest { page_size: 500, page_token: None };
    assert_eq!(
        partner.list_organisations(&as_partner(), OrganisationFilter::default(), all.clone()).await.unwrap(),
        w.served.store.list_organisations(&local_admin, OrganisationFilter::default(), all.clone()).await.unwrap()
    );
    let by_code = OrganisationRef::parse("Iom").unwrap();
    assert_eq!(partner.get_organisation(&as_partner(), by_code).await.unwrap(), w.iom);
    let returning = OrganisationFilter { domain: Some(PartnerDomain::Return), ..Default::default() };
    assert_eq!(
        partner.list_organisations(&as_partner(), returning, all).await.unwrap().items,
        std::slice::from_ref(&w.iom)
    );
    assert_eq!(
        partner.get_organisation(&as_partner(), OrganisationRef::parse("KRUISPOST").unwrap()).await.unwrap_err(),
        DomainError::NotFound { entity: EntityKind::Organisation, id: "KRUISPOST".to_owned() }
    );

    // Every read is in the access log as the partner's.
    let log = w
        .served
        .store
        .audit_log(
            &Caller::local(perspectief_core::Actor {
                user: UserId::from_u128(9),
                organisation: w.served.store.policy().foundation,
                role: Role::Auditor,
                grant: Grant::NONE,
            }),
            None,
            0,
            500,
        )
        .await
        .unwrap();
    assert!(log.iter().any(|r| r.entry.operation == "get_organisation" && r.entry.user == UserId::from_u128(2)));
    assert!(log.iter().any(|r| r.entry.operation == "list_organisations" && r.entry.organisation == w.iom.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_directory_is_for_the_foundation_only() {
    let w = world().await;
    let mut raw = w.raw().await;
    let denied =
        raw.list_staff_members(authed(&w.partner_token, pb::ListStaffMembersRequest::default())).await.unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let staff = raw
        .list_staff_members(authed(&w.worker_token, pb::ListStaffMembersRequest::default()))
        .await
        .unwrap()
        .into_inner();
    let names: Vec<(&str, &str)> =
        staff.staff_members.iter().map(|s| (s.name.as_str(), s.display_name.as_str())).collect();
    assert_eq!(
        names,
        [
            (format!("staffMembers/{}", UserId::from_u128(1)).as_str(), "Beheer"),
            // The project lead who confirmed the world's accounts and tokens.
            (format!("staffMembers/{}", UserId::from_u128(0x1EAD_0000)).as_str(), "Projectleider Bevestiging"),
            (format!("staffMembers/{}", UserId::from_u128(3)).as_str(), "Sanne de Vries")
        ],
        "no partner accounts"
    );
    let worker = w.remote(&w.worker_token).await;
    let page = worker.list_staff(&as_staff(), PageRequest { page_size: 1, page_token: None }).await.unwrap();
    assert_eq!(page.items.len(), 1);
    let rest = worker.list_staff(&as_staff(), PageRequest { page_size: 1, page_token: page.next_page_token }).await;
    assert_eq!(rest.unwrap().items[0].name.as_str(), "Projectleider Bevestiging");
    let partner = w.remote(&w.partner_token).await;
    assert_eq!(partner.list_staff(&as_partner(), PageRequest::default()).await.unwrap_err().code(), "access_denied");
}
