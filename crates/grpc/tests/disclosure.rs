//! What organisations outside the foundation learn of one person, through every read path a
//! partner has: the feed (ListFeedEvents), the stream (WatchEvents), the case file
//! (GetCaseFile), the case's events (ListCaseEvents) and the progress report. Each event kind ×
//! organisation relation (addressee or not, sent or not, consent or not, grant and level) is
//! compared with an oracle written here from the documentation (the per-kind rules in the
//! core's `access` and `view` modules), not from the code: an unexpected allow fails, and so
//! does a missing one. Canary texts in the foundation's own notes, unsent proposals and the
//! override's reason must appear in no outside answer; every withheld part must be in the
//! access log as a denial.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeZone, Utc};
use perspectief_core::access::Grant;
use perspectief_core::case::{CaseChange, CaseCommand, CaseEvent, NewContact};
use perspectief_core::report::ReportingService;
use perspectief_core::returns::ExplorationFindings;
use perspectief_core::service::{AuditOutcome, Caller, PerspectiefService};
use perspectief_core::*;
use perspectief_grpc::client::{RemoteService, StaticToken};
use perspectief_grpc::pb;
use perspectief_tests::fixtures::talk;

use DataCategory as C;

use crate::support::{Served, authed};

/// Texts that must never leave the foundation, whoever reads.
const SECRET: &str = "GEHEIM";

/// The organisations outside the foundation, as the oracle knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Org {
    /// Return partner: grant identity, legal, medical, return, reports up to vertrouwelijk;
    /// consent for identity and return; addressee of a sent (and answered) return referral and
    /// of a medical proposal revoked before it was sent.
    Iom,
    /// Government return agency: grant of everything up to zeer geheim; consent for legal and
    /// return;
    /// addressee of an unsent proposal; a judgment was communicated to it.
    Dtv,
    /// Legal aid: grant of legal data; no consent at all; addressee of a legal referral sent on
    /// the project lead's override.
    Askv,
    /// The municipality's case manager: grant identity, guidance, return, reports up to
    /// confidentieel; consent for identity, guidance, medical (which it never gets) and
    /// reports; the progress report was sent to it.
    Gemeente,
    /// A partner without a grant, with a consent for return.
    Ungranted,
    /// A partner with a grant of everything and nothing to do with this person.
    Stranger,
}

const ORGS: [Org; 6] = [Org::Iom, Org::Dtv, Org::Askv, Org::Gemeente, Org::Ungranted, Org::Stranger];

impl Org {
    fn id(self) -> OrganisationId {
        OrganisationId::from_u128(0xC0 + self as u128)
    }

    fn role(self) -> Role {
        if self == Org::Gemeente { Role::MunicipalCaseManager } else { Role::ChainPartner }
    }

    fn grant(self) -> Option<(BTreeSet<DataCategory>, ConfidentialityLevel)> {
        use ConfidentialityLevel as L;
        match self {
            Org::Iom => {
                Some(([C::Identity, C::Legal, C::MedicalPsychosocial, C::Return, C::Reports].into(), L::Vertrouwelijk))
            }
            Org::Dtv | Org::Stranger => Some((DataCategory::ALL.into(), L::ZeerGeheim)),
            Org::Askv => Some(([C::Legal].into(), L::ZeerGeheim)),
            Org::Gemeente => Some(([C::Identity, C::Guidance, C::Return, C::Reports].into(), L::Confidentieel)),
            Org::Ungranted => None,
        }
    }

    fn consent(self) -> BTreeSet<DataCategory> {
        match self {
            Org::Iom => [C::Identity, C::Return].into(),
            Org::Dtv => [C::Legal, C::Return].into(),
            Org::Ungranted => [C::Return].into(),
            Org::Gemeente => [C::Identity, C::Guidance, C::MedicalPsychosocial, C::Reports].into(),
            Org::Askv | Org::Stranger => BTreeSet::new(),
        }
    }

    /// The role rule of the matrix, before grant and consent.
    fn role_reads(self, category: DataCategory) -> bool {
        match self.role() {
            Role::MunicipalCaseManager => {
                matches!(category, C::Identity | C::Guidance | C::Legal | C::Return | C::Reports)
            }
            _ => matches!(category, C::Identity | C::Legal | C::MedicalPsychosocial | C::Return | C::Reports),
        }
    }

    /// May this organisation read this category of this case (default levels)?
    fn reads(self, category: DataCategory) -> bool {
        let granted =
            self.grant().is_some_and(|(cats, max)| cats.contains(&category) && category.default_level() <= max);
        self.role_reads(category) && granted && self.consent().contains(&category)
    }

    /// May it read a sent referral of this category addressed to it (consent, or the override)?
    fn reads_referral(self, category: DataCategory, on_override: bool) -> bool {
        let outside_ok = match self.role() {
            Role::MunicipalCaseManager => !matches!(category, C::CriminalHistory | C::MedicalPsychosocial),
            _ => category != C::CriminalHistory,
        };
        let granted =
            self.grant().is_some_and(|(cats, max)| cats.contains(&category) && category.default_level() <= max);
        outside_ok && granted && (self.consent().contains(&category) || on_override)
    }
}

/// What the oracle needs to know of the case as it stands at the end.
struct Facts {
    /// Referral id → (addressee, category, ever sent, sent on override).
    referrals: BTreeMap<ReferralId, (OrganisationId, DataCategory, bool, bool)>,
    /// Consent id → organisation named.
    consents: BTreeMap<ConsentId, OrganisationId>,
}

/// The oracle: does `org` see this event, by the documented rule of its kind?
fn sees_event(org: Org, facts: &Facts, change: &CaseChange) -> bool {
    match change {
        CaseChange::ReferralProposed(r) => sees_referral(org, facts, r.id),
        CaseChange::ReferralAdvanced { referral, .. } => sees_referral(org, facts, *referral),
        CaseChange::ConsentGiven(c) => c.organisation == org.id(),
        CaseChange::ConsentWithdrawn { consent, .. } => facts.consents.get(consent) == Some(&org.id()),
        // An obstacle of medical kind is medical content too.
        CaseChange::ObstacleIdentified(o) if o.kind == ObstacleKind::MedicalPsychosocial => {
            org.reads(C::Return) && org.reads(C::MedicalPsychosocial)
        }
        CaseChange::JudgmentCommunicated { communication, .. } => {
            org.reads(C::Return)
                && match communication.to {
                    Recipient::Participant => true,
                    Recipient::Partner(to) => to == org.id(),
                    Recipient::Municipality => org.role() == Role::MunicipalCaseManager,
                }
        }
        other => org.reads(other.category()),
    }
}

fn sees_referral(org: Org, facts: &Facts, id: ReferralId) -> bool {
    let (to, category, sent, on_override) = facts.referrals[&id];
    to == org.id() && sent && org.reads_referral(category, on_override)
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

struct World {
    address: std::net::SocketAddr,
    tokens: BTreeMap<Org, String>,
    clients: BTreeMap<Org, (Caller, RemoteService<StaticToken>)>,
    worker: (Caller, RemoteService<StaticToken>),
    lead: (Caller, RemoteService<StaticToken>),
    auditor: (Caller, RemoteService<StaticToken>),
}

async fn world(now: chrono::DateTime<Utc>) -> World {
    let served = Served::at(now).await;
    let foundation = served.foundation();
    let mut n = 100;
    let mut account = async |org: OrganisationId, role: Role, grant: Option<Grant>| {
        n += 1;
        let account = served.account(UserId::from_u128(n), org, role, grant).await;
        (account.token, (account.caller, account.remote))
    };
    let mut tokens = BTreeMap::new();
    let mut clients = BTreeMap::new();
    for org in ORGS {
        let grant = org
            .grant()
            .map(|(categories, max_level)| Grant { categories: categories.into_iter().collect(), max_level });
        let (token, client) = account(org.id(), org.role(), grant).await;
        tokens.insert(org, token);
        clients.insert(org, client);
    }
    let worker = account(foundation, Role::ProjectWorker, None).await.1;
    let lead = account(foundation, Role::ProjectLead, None).await.1;
    let auditor = account(foundation, Role::Auditor, None).await.1;
    World { address: served.address, tokens, clients, worker, lead, auditor }
}

impl World {
    /// The person: data in every category with a canary per category, the consents of
    /// [`Org::consent`], referrals in every state of the rules, a judgment communicated to the
    /// participant, DT&V and the municipality, and a progress report sent to the municipality.
    async fn person(&self, today: NaiveDate) -> (ParticipantId, Facts) {
        let (worker, svc) = (&self.worker.0, &self.worker.1);
        let id = crate::support::register(svc, worker, "INHOUD-identity", today).await;
        let run = |cmd: CaseCommand| async move { svc.execute(worker, id, None, cmd).await.unwrap() };
        let mut facts = Facts { referrals: BTreeMap::new(), consents: BTreeMap::new() };
        for org in ORGS {
            let categories = org.consent();
            if categories.is_empty() {
                continue;
            }
            let (consent, give) = crate::support::consent(org.id(), categories, today);
            facts.consents.insert(consent, org.id());
            run(give).await;
        }
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap();
        for category in [C::Guidance, C::Legal, C::MedicalPsychosocial, C::CriminalHistory] {
            run(CaseCommand::LogContact(talk(at, category, &format!("INHOUD-{category}")))).await;
        }
        run(CaseCommand::RecordReturnStance {
            stance: ReturnStance::Considering,
            on: today,
            note: Some(text("INHOUD-return")),
        })
        .await;
        run(CaseCommand::StartReturnExploration { on: today, findings: ExplorationFindings::default() }).await;
        // Medical content filed with the return track and guidance, and partners named in
        // guidance and contacts: only for readers of medical data, only the reader's own.
        run(CaseCommand::IdentifyObstacle {
            id: ObstacleId::from_u128(uuid::Uuid::new_v4().as_u128()),
            kind: ObstacleKind::MedicalPsychosocial,
            description: text("INHOUD-medical_psychosocial obstakel"),
            partner: None,
            on: today,
        })
        .await;
        run(CaseCommand::IdentifyObstacle {
            id: ObstacleId::from_u128(uuid::Uuid::new_v4().as_u128()),
            kind: ObstacleKind::MissingDocuments,
            description: text("INHOUD-return obstakel"),
            partner: Some(Org::Askv.id()),
            on: today,
        })
        .await;
        run(CaseCommand::RecordReturnStance { stance: ReturnStance::Decided, on: today, note: None }).await;
        run(CaseCommand::UpdateReintegrationPlan(perspectief_core::returns::ReintegrationPlan {
            housing: Some(text("INHOUD-return woning")),
            income_work: None,
            business_plan: None,
            care: Some(text("INHOUD-medical_psychosocial zorg")),
            contacts_abroad: None,
            updated_on: None,
        }))
        .await;
        run(CaseCommand::RevisePlan {
            personal_situation: text("INHOUD-guidance situatie"),
            perspective: text("INHOUD-guidance perspectief"),
            on: None,
        })
        .await;
        run(CaseCommand::SetGoal(perspectief_core::case::NewGoal {
            id: GoalId::from_u128(uuid::Uuid::new_v4().as_u128()),
            description: text("INHOUD-guidance doel"),
            rationale: None,
            responsible: Responsible::Participant,
            partners: vec![Org::Iom.id(), Org::Askv.id()],
            deadline: today + chrono::Days::new(30),
            next_steps: None,
            set_on: None,
        }))
        .await;
        run(CaseCommand::LogContact(NewContact {
            location: ContactLocation::Partner(Label::parse("GEHEIM-locatie-partner").unwrap()),
            partner: Some(Org::Dtv.id()),
            ..talk(at, C::Guidance, "INHOUD-guidance gesprek bij een partner")
        }))
        .await;
        let score = |n| perspectief_core::ZrmScore::new(n).unwrap();
        run(CaseCommand::RecordSelfReliance {
            assessed_on: today,
            scores: [
                (ZrmDomain::Finances, score(3)),
                (ZrmDomain::Justice, score(1)),
                (ZrmDomain::MentalHealth, score(2)),
            ]
            .into(),
        })
        .await;
        let mut refer = async |to: Org, domain: PartnerDomain, reason: &str| {
            let referral = ReferralId::from_u128(uuid::Uuid::new_v4().as_u128());
            run(CaseCommand::ProposeReferral {
                id: referral,
                partner: to.id(),
                domain,
                reason: text(reason),
                on: None,
            })
            .await;
            facts.referrals.insert(referral, (to.id(), domain.category(), false, false));
            referral
        };
        // An unsent proposal to DT&V.
        refer(Org::Dtv, PartnerDomain::Return, &format!("{SECRET}-voorstel-dtv")).await;
        // A return referral to IOM, sent with the foundation's note, answered by IOM.
        let to_iom = refer(Org::Iom, PartnerDomain::Return, "INHOUD-verwijzing-iom").await;
        // A medical proposal to IOM, revoked before it was sent.
        let revoked = refer(Org::Iom, PartnerDomain::Medical, &format!("{SECRET}-ingetrokken")).await;
        // A legal referral to ASKV, sent on the project lead's override.
        let to_askv = refer(Org::Askv, PartnerDomain::Legal, "INHOUD-verwijzing-askv").await;
        let advance = |referral, to, note: Option<&str>, consent_override: Option<&str>| CaseCommand::AdvanceReferral {
            referral,
            to,
            on: today,
            note: note.map(text),
            consent_override: consent_override.map(text),
        };
        run(advance(to_iom, ReferralStatus::Sent, Some(&format!("{SECRET}-notitie-bij-versturen")), None)).await;
        facts.referrals.get_mut(&to_iom).unwrap().2 = true;
        run(advance(revoked, ReferralStatus::Revoked, Some(&format!("{SECRET}-reden-intrekking")), None)).await;
        let (lead, lead_svc) = (&self.lead.0, &self.lead.1);
        let cmd = advance(to_askv, ReferralStatus::Sent, None, Some(&format!("{SECRET}-reden-override")));
        lead_svc.execute(lead, id, None, cmd).await.unwrap();
        let entry = facts.referrals.get_mut(&to_askv).unwrap();
        (entry.2, entry.3) = (true, true);
        // IOM answers its referral, with a note of its own.
        let (iom, iom_svc) = &self.clients[&Org::Iom];
        let answer = advance(to_iom, ReferralStatus::Accepted, Some("Antwoord van IOM: opgepakt."), None);
        iom_svc.execute(iom, id, None, answer).await.unwrap();
        // A provisional judgment, communicated to the person, DT&V and the municipality.
        let judgment = JudgmentId::from_u128(uuid::Uuid::new_v4().as_u128());
        run(CaseCommand::RecordJudgment {
            id: judgment,
            verdict: Verdict::ReturnRealistic,
            finality: Finality::Provisional,
            reasoning: text("INHOUD-oordeel"),
            formed_on: today,
        })
        .await;
        for to in [Recipient::Participant, Recipient::Partner(Org::Dtv.id()), Recipient::Municipality] {
            run(CaseCommand::RecordJudgmentCommunicated { judgment, to, on: today }).await;
        }
        run(CaseCommand::RecordProgressReport {
            id: ReportId::from_u128(uuid::Uuid::new_v4().as_u128()),
            period_from: today,
            period_to: today,
            sent_to: Org::Gemeente.id(),
            sent_on: None,
        })
        .await;
        (id, facts)
    }

    /// Every event of the person, as the assigned worker sees them (the whole case).
    async fn all_events(&self, p: ParticipantId) -> Vec<CaseEvent> {
        self.worker.1.case_events(&self.worker.0, p, 0, 500).await.unwrap()
    }

    /// The person's events in `org`'s feed, read in small pages.
    async fn feed(&self, org: Org, p: ParticipantId) -> Vec<CaseEvent> {
        let (caller, svc) = &self.clients[&org];
        let (mut cursor, mut seen) = (0, Vec::new());
        loop {
            let page = svc.watch_events(caller, cursor, 7).await.unwrap();
            seen.extend(page.events.into_iter().map(|e| e.event).filter(|e| e.participant == p));
            if page.cursor == cursor {
                return seen;
            }
            cursor = page.cursor;
        }
    }

    /// The person's events in `org`'s WatchEvents stream: the backlog arrives at once, so the
    /// stream is read until it has been quiet for two seconds (the test's bound).
    async fn stream(&self, org: Org, p: ParticipantId) -> Vec<pb::CaseEvent> {
        use pb::event_service_client::EventServiceClient;
        let mut client = EventServiceClient::connect(format!("http://{}", self.address)).await.unwrap();
        let request = authed(&self.tokens[&org], pb::WatchEventsRequest { after_position: 0 });
        let mut stream = match client.watch_events(request).await {
            Ok(s) => s.into_inner(),
            // A caller the feed shows nothing to at all may be refused outright.
            Err(status) if status.code() == tonic::Code::PermissionDenied => return Vec::new(),
            Err(status) => panic!("{org:?} stream: {status}"),
        };
        let mut seen = Vec::new();
        while let Ok(m) = tokio::time::timeout(std::time::Duration::from_secs(2), stream.message()).await {
            let m = m.unwrap().expect("the stream stays open");
            if let Some(e) = m.event.and_then(|f| f.event)
                && e.participant == format!("participants/{p}")
            {
                seen.push(e);
            }
        }
        seen
    }
}

fn versions(events: &[CaseEvent]) -> BTreeSet<u64> {
    events.iter().map(|e| e.version).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_organisations_see_exactly_what_the_rules_of_each_kind_allow_on_every_read_path() {
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let today = perspectief_core::time::amsterdam_date(now);
    let w = world(now).await;
    let (p, facts) = w.person(today).await;
    let all = w.all_events(p).await;
    assert!(all.len() > 20, "the person's history holds every kind: {}", all.len());
    let mut wrong = Vec::new();
    let mut denials_expected: Vec<(Org, &str, Option<DataCategory>)> = Vec::new();

    for org in ORGS {
        let (caller, svc) = &w.clients[&org];
        let expected: BTreeSet<u64> =
            all.iter().filter(|e| sees_event(org, &facts, &e.change)).map(|e| e.version).collect();

        // The feed and the stream.
        let feed = w.feed(org, p).await;
        if versions(&feed) != expected {
            wrong.push(format!("{org:?} feed: {:?}, rules say {expected:?}", versions(&feed)));
        }
        let stream = w.stream(org, p).await;
        let streamed: BTreeSet<u64> = stream.iter().map(|e| e.version).collect();
        if streamed != expected {
            wrong.push(format!("{org:?} stream: {streamed:?}, rules say {expected:?}"));
        }
        // Withheld events of a person it may see part of are logged as denials; a person it may
        // see nothing of is not accessed by the feed passing over them.
        if !expected.is_empty() {
            for e in all.iter().filter(|e| !expected.contains(&e.version)) {
                denials_expected.push((org, "watch_events", Some(e.change.category())));
            }
        }

        // The case file, the case's events and the progress report.
        let categories: BTreeSet<DataCategory> = DataCategory::ALL.into_iter().filter(|c| org.reads(*c)).collect();
        let sees_anything = !expected.is_empty();
        let file = svc.case_view(caller, p).await;
        let events = svc.case_events(caller, p, 0, 5).await;
        let report = svc.progress_report(caller, p, today, today).await;
        if !sees_anything {
            denials_expected.push((org, "get_case", None));
            for (what, denied) in [
                ("case file", matches!(file, Err(DomainError::AccessDenied(_)))),
                ("case events", matches!(events, Err(DomainError::AccessDenied(_)))),
            ] {
                if !denied {
                    wrong.push(format!("{org:?} {what}: allowed, but it may see nothing of the person"));
                }
            }
        } else {
            let file = file.unwrap();
            let shown: BTreeSet<DataCategory> =
                DataCategory::ALL.into_iter().filter(|c| !file.withheld.iter().any(|w| w.category == *c)).collect();
            if shown != categories {
                wrong.push(format!("{org:?} case file shows {shown:?}, rules say {categories:?}"));
            }
            for w in &file.withheld {
                denials_expected.push((org, "get_case", Some(w.category)));
            }
            let referrals: BTreeSet<ReferralId> = file.referrals.keys().copied().collect();
            let own: BTreeSet<ReferralId> =
                facts.referrals.keys().copied().filter(|r| sees_referral(org, &facts, *r)).collect();
            if referrals != own {
                wrong.push(format!("{org:?} case file referrals {referrals:?}, rules say {own:?}"));
            }
            if !file.consents.iter().all(|c| c.organisation == org.id()) {
                wrong.push(format!("{org:?} case file holds consents naming others"));
            }
            let contacts: BTreeSet<DataCategory> = file.contacts.values().map(|(_, c)| *c).collect();
            if !contacts.is_subset(&categories) {
                wrong.push(format!("{org:?} case file contacts of {contacts:?}"));
            }
            for j in &file.judgments {
                let others = j.communications.iter().any(|c| match c.to {
                    Recipient::Partner(to) => to != org.id(),
                    Recipient::Municipality => org.role() != Role::MunicipalCaseManager,
                    Recipient::Participant => false,
                });
                if others {
                    wrong.push(format!("{org:?} sees a judgment's communication to another organisation"));
                }
            }
            for assessment in &file.self_reliance {
                if let Some(domain) = assessment.scores.keys().find(|d| !categories.contains(&d.category())) {
                    wrong.push(format!("{org:?} sees the self-reliance score for {domain:?}"));
                }
            }
            if file.trajectory.is_some() != categories.contains(&C::Guidance)
                || file.profile.is_some() != categories.contains(&C::Identity)
                || file.return_stance.is_some() != categories.contains(&C::Return)
            {
                wrong.push(format!("{org:?} case file's fixed parts disagree with its categories"));
            }
            // The case's events, paged: the same as the feed, oldest first.
            let mut listed = Vec::new();
            let mut after = 0;
            loop {
                let page = svc.case_events(caller, p, after, 5).await.unwrap();
                let Some(last) = page.last() else { break };
                after = last.version;
                listed.extend(page);
            }
            if versions(&listed) != expected || listed.windows(2).any(|w| w[0].version >= w[1].version) {
                wrong.push(format!("{org:?} case events: {:?}, rules say {expected:?}", versions(&listed)));
            }
            if listed != feed {
                wrong.push(format!("{org:?}: the case's events and the feed disagree"));
            }
        }
        match report {
            Ok(r) => {
                if !categories.contains(&C::Reports) {
                    wrong.push(format!("{org:?} got a progress report without reports access"));
                }
                let lines: BTreeSet<ReferralId> = r.referrals.iter().map(|l| l.id).collect();
                if !lines.iter().all(|id| sees_referral(org, &facts, *id)) {
                    wrong.push(format!("{org:?} progress report lists referrals not its own: {lines:?}"));
                }
                let withheld: BTreeSet<DataCategory> = r.withheld.iter().copied().collect();
                let expected_withheld: BTreeSet<DataCategory> =
                    DataCategory::ALL.into_iter().filter(|c| !categories.contains(c)).collect();
                if withheld != expected_withheld {
                    wrong.push(format!("{org:?} report withholds {withheld:?}, rules say {expected_withheld:?}"));
                }
                if (r.phase.is_some(), r.display_name.is_some())
                    != (categories.contains(&C::Guidance), categories.contains(&C::Identity))
                {
                    wrong.push(format!("{org:?} report shows phase or name it may not see"));
                }
                for c in &withheld {
                    denials_expected.push((org, "progress_report", Some(*c)));
                }
            }
            Err(DomainError::AccessDenied(_)) => {
                if categories.contains(&C::Reports) {
                    wrong.push(format!("{org:?} refused the progress report"));
                }
            }
            Err(e) => panic!("{org:?} progress report: {e}"),
        }

        // Nothing that never leaves the foundation, and no content of a category not shown.
        let mut answers = format!("{feed:?}{stream:?}");
        if let Ok(file) = svc.case_view(caller, p).await {
            answers.push_str(&format!("{file:?}"));
        }
        if let Ok(r) = svc.progress_report(caller, p, today, today).await {
            answers.push_str(&format!("{r:?}{}", r.to_markdown()));
        }
        // No other organisation is named to it: who else helps the person is not its business.
        for other in ORGS.into_iter().filter(|o| *o != org) {
            if answers.contains(&other.id().to_string()) {
                wrong.push(format!("{org:?} is told about {other:?}"));
            }
        }
        if answers.contains(SECRET) {
            let at = answers.find(SECRET).unwrap();
            wrong.push(format!(
                "{org:?} received foundation-only text: …{}…",
                &answers[at..(at + 40).min(answers.len())]
            ));
        }
        for category in DataCategory::ALL {
            let canary = format!("INHOUD-{category}");
            if answers.contains(&canary) && !categories.contains(&category) {
                wrong.push(format!("{org:?} received {category} content"));
            }
        }
        if categories.contains(&C::Legal) && !answers.contains("INHOUD-legal") {
            wrong.push(format!("{org:?} may read legal data but did not get it"));
        }
    }
    assert!(wrong.is_empty(), "{} differences from the rules:\n{}", wrong.len(), wrong.join("\n"));

    // The addressee's own answer keeps its note; the foundation's notes are left out.
    let iom_feed = w.feed(Org::Iom, p).await;
    assert!(format!("{iom_feed:?}").contains("Antwoord van IOM"), "the partner's own answer");
    // ASKV reads its referral sent on the override, without the reason.
    let (askv, askv_svc) = &w.clients[&Org::Askv];
    let file = askv_svc.case_view(askv, p).await.unwrap();
    assert!(file.referrals.values().all(|r| r.sent_on_override && r.partner == Org::Askv.id()));
    assert_eq!(file.referrals.len(), 1);

    // Every withheld part is in the access log as a denial of that organisation's user.
    let (auditor, svc) = (&w.auditor.0, &w.auditor.1);
    let log = svc.audit_log(auditor, Some(p), 0, 5000).await.unwrap();
    let denied: BTreeSet<(UserId, String, Option<DataCategory>)> = log
        .iter()
        .filter(|r| r.entry.outcome == AuditOutcome::Denied)
        .map(|r| (r.entry.user, r.entry.operation.clone(), r.entry.category))
        .collect();
    let mut missing = Vec::new();
    for (org, operation, category) in denials_expected {
        let user = w.clients[&org].0.actor.user;
        // A person the organisation may see nothing of is one denial without a category.
        let found = denied.contains(&(user, operation.to_owned(), category))
            || denied.contains(&(user, operation.to_owned(), None));
        if !found {
            missing.push(format!("{org:?} {operation} {category:?}"));
        }
    }
    assert!(missing.is_empty(), "withheld but not logged as denied: {missing:?}");
    // An organisation that may see nothing of the person is not in the person's access log
    // through the feed.
    let stranger = w.clients[&Org::Stranger].0.actor.user;
    assert!(
        !log.iter().any(|r| r.entry.user == stranger && r.entry.operation == "watch_events"),
        "the feed passing over a person is no access to them"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_reads_one_person_reduced_to_its_consents_with_the_withheld_categories_named() {
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let today = perspectief_core::time::amsterdam_date(now);
    let w = world(now).await;
    let (p, _) = w.person(today).await;
    // The raw answer, as a partner's own system gets it.
    let mut client =
        pb::case_service_client::CaseServiceClient::connect(format!("http://{}", w.address)).await.unwrap();
    let request = authed(&w.tokens[&Org::Iom], pb::GetCaseFileRequest { name: format!("participants/{p}") });
    let file = client.get_case_file(request).await.unwrap().into_inner();
    assert_eq!(file.profile.as_ref().map(|p| p.given_names.as_str()), Some("INHOUD-identity"));
    assert!(file.exploration.is_some(), "return data under consent");
    assert!(file.plan.is_empty() && file.registered_on.is_none() && file.phase == 0, "no guidance data");
    assert!(file.contacts.iter().all(|c| c.category == pb::DataCategory::Return as i32));
    let withheld: BTreeMap<i32, String> = file.withheld.iter().map(|w| (w.category, w.reason.clone())).collect();
    assert_eq!(withheld.get(&(pb::DataCategory::Guidance as i32)).map(String::as_str), Some("category_not_for_role"));
    assert_eq!(withheld.get(&(pb::DataCategory::Legal as i32)).map(String::as_str), Some("no_consent"));
    assert_eq!(
        withheld.get(&(pb::DataCategory::CriminalHistory as i32)).map(String::as_str),
        Some("category_not_for_role")
    );
    assert!(file.withheld.iter().all(|w| !w.message.is_empty()));
    assert!(!withheld.contains_key(&(pb::DataCategory::Return as i32)));
    // Levels only of what it sees; its own referral, its own consent.
    assert!(file.levels.iter().all(|l| !withheld.contains_key(&l.category)));
    assert_eq!(file.referrals.len(), 1);
    assert!(file.consents.iter().all(|c| c.organisation == Org::Iom.id().to_string()));

    // A partner that may see nothing at all of the person is refused.
    let request = authed(&w.tokens[&Org::Stranger], pb::GetCaseFileRequest { name: format!("participants/{p}") });
    let refused = client.get_case_file(request).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::PermissionDenied);

    // Through the Rust client: the whole case is refused, the partial view is the answer.
    let (iom, svc) = &w.clients[&Org::Iom];
    assert!(matches!(svc.get_case(iom, p).await, Err(DomainError::AccessDenied(_))));
    let view = svc.case_view(iom, p).await.unwrap();
    assert!(view.shows(C::Return) && !view.shows(C::Guidance));

    // A withdrawn consent stops the very next read; the withdrawal itself is the partner's.
    let (worker, wsvc) = (&w.worker.0, &w.worker.1);
    let consent =
        wsvc.get_case(worker, p).await.unwrap().consents().iter().find(|c| c.organisation == Org::Iom.id()).unwrap().id;
    wsvc.execute(worker, p, None, CaseCommand::WithdrawConsent { consent, on: today }).await.unwrap();
    let view = svc.case_view(iom, p).await.unwrap();
    assert!(view.profile.is_none() && view.referrals.is_empty() && view.exploration.is_none());
    assert_eq!(view.consents.iter().map(|c| c.id).collect::<Vec<_>>(), vec![consent]);
    let events = svc.case_events(iom, p, 0, 500).await.unwrap();
    assert!(
        events.iter().all(|e| matches!(e.change, CaseChange::ConsentGiven(_) | CaseChange::ConsentWithdrawn { .. }))
    );
}
