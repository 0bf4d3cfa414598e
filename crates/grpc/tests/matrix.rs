//! The authorisation matrix through the gRPC API: roles × actions × data categories × consent
//! states × confidentiality levels, every cell decided by a real server for a real token and
//! compared with an oracle written here from the access module's documentation (not from its
//! code). Any unexpected allow or denial fails, and every denial must be in the access log.
//!
//! Organisations outside the foundation hold grants that differ on purpose: the partner may
//! receive identity, legal, medical/psychosocial, return and reports up to *vertrouwelijk*; the
//! municipality identity, guidance, return and reports up to *confidentieel*; a second partner
//! has no grant at all. Half of the cases raise their legal and return data to *geheim*.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeZone, Utc};
use perspectief_core::access::{CaseLevels, Grant};
use perspectief_core::case::CaseCommand;
use perspectief_core::report::ReportingService;
use perspectief_core::service::{AuditOutcome, Caller, PerspectiefService};
use perspectief_core::*;
use perspectief_grpc::client::{RemoteService, StaticToken};
use perspectief_tests::fixtures::talk;

use crate::support::{Consents, MUNICIPALITY, PARTNER, Served, UNGRANTED, Who, allowed, consent};

use Action::{Create, Read, Search, Update};
use DataCategory as C;

const EVERYONE: [Who; 8] = [
    Who::AssignedWorker,
    Who::OtherWorker,
    Who::Lead,
    Who::CaseManager,
    Who::Partner,
    Who::UngrantedPartner,
    Who::Auditor,
    Who::Administrator,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Levels {
    Default,
    /// Legal and return raised to *geheim*.
    Raised,
}

impl Levels {
    fn of(self, category: DataCategory) -> ConfidentialityLevel {
        match (self, category) {
            (Levels::Raised, C::Legal | C::Return) => ConfidentialityLevel::Geheim,
            _ => category.default_level(),
        }
    }
}

/// The grants the world gives, as the oracle reads them.
fn grant_of(who: Who) -> Option<(BTreeSet<DataCategory>, ConfidentialityLevel)> {
    match who {
        Who::Partner => Some((
            [C::Identity, C::Legal, C::MedicalPsychosocial, C::Return, C::Reports].into(),
            ConfidentialityLevel::Vertrouwelijk,
        )),
        Who::CaseManager => {
            Some(([C::Identity, C::Guidance, C::Return, C::Reports].into(), ConfidentialityLevel::Confidentieel))
        }
        _ => None,
    }
}

/// The matrix of `crates/core/src/access/mod.rs`, written out again: may `who` do `action` on
/// `category` data of a case with these consents (for every outside organisation alike) and
/// levels?
fn oracle(who: Who, action: Action, category: DataCategory, consents: Consents, levels: Levels) -> bool {
    let consented = match consents {
        Consents::None | Consents::Withdrawn => false,
        Consents::ReturnOnly => category == C::Return,
        Consents::Everything => true,
    };
    let outside = |row: bool| {
        let granted = grant_of(who).is_some_and(|(cats, max)| cats.contains(&category) && levels.of(category) <= max);
        row && granted && consented
    };
    match who {
        Who::AssignedWorker => true,
        Who::OtherWorker => category == C::Identity && matches!(action, Read | Search),
        // Field level: medical and criminal content is read by the person's own worker only.
        Who::Lead => {
            !(matches!(category, C::MedicalPsychosocial | C::CriminalHistory) && matches!(action, Read | Search))
        }
        Who::CaseManager => outside(
            matches!(action, Read | Search | Action::Export)
                && matches!(category, C::Identity | C::Guidance | C::Legal | C::Return | C::Reports),
        ),
        Who::Partner | Who::UngrantedPartner => outside(
            (matches!(action, Read | Search)
                && matches!(category, C::Identity | C::Legal | C::MedicalPsychosocial | C::Return))
                || (action == Read && category == C::Reports),
        ),
        Who::Auditor | Who::Administrator => false,
    }
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

struct World {
    clients: BTreeMap<Who, (Caller, RemoteService<StaticToken>)>,
    today: NaiveDate,
}

impl World {
    fn client(&self, who: Who) -> (&Caller, &RemoteService<StaticToken>) {
        let (c, r) = &self.clients[&who];
        (c, r)
    }

    /// A case of the assigned worker with data in every category but reports, the consents
    /// of the state for every outside organisation, and the levels.
    async fn case(&self, consents: Consents, levels: Levels) -> ParticipantId {
        let (worker, svc) = self.client(Who::AssignedWorker);
        let id = crate::support::register(svc, worker, "Matrix", self.today).await;
        let run = |cmd: CaseCommand| async move { svc.execute(worker, id, None, cmd).await.unwrap() };
        let categories = consents.categories();
        let mut given = vec![];
        if !categories.is_empty() {
            for org in [PARTNER, UNGRANTED, MUNICIPALITY] {
                let (id, give) = consent(OrganisationId::from_u128(org), categories.clone(), self.today);
                given.push(id);
                run(give).await;
            }
        }
        for category in [C::Guidance, C::Legal, C::MedicalPsychosocial, C::CriminalHistory] {
            let mut talk = talk(Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap(), category, "Synthetisch gesprek.");
            // A handover (5.2.c) is part of its contact moment: shown with it, under its category.
            talk.documents = handed(category);
            run(CaseCommand::LogContact(talk)).await;
        }
        run(CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on: self.today, note: None }).await;
        if levels == Levels::Raised {
            for category in [C::Legal, C::Return] {
                let level = ConfidentialityLevel::Geheim;
                run(CaseCommand::SetConfidentiality { category, level, reason: text("Verhoogd risico.") }).await;
            }
        }
        if consents == Consents::Withdrawn {
            for consent in given {
                run(CaseCommand::WithdrawConsent { consent, on: self.today }).await;
            }
        }
        id
    }

    /// The data categories of each participant's events that `who` sees in the feed.
    async fn feed(&self, who: Who) -> BTreeMap<ParticipantId, BTreeSet<DataCategory>> {
        let (caller, svc) = self.client(who);
        let (mut cursor, mut seen) = (0, BTreeMap::<_, BTreeSet<_>>::new());
        loop {
            let page = svc.watch_events(caller, cursor, 500).await.unwrap();
            // Consent events follow their own rule (the organisation named sees its own),
            // checked by the disclosure tests; here the categories of case data are compared.
            for e in
                page.events.iter().filter(|e| !matches!(e.event.change.kind(), "consent_given" | "consent_withdrawn"))
            {
                seen.entry(e.event.participant).or_default().insert(e.event.change.category());
            }
            if page.cursor == cursor {
                return seen;
            }
            cursor = page.cursor;
        }
    }
}

/// What the world's contact moment of `category` hands over: the information sheet in the
/// guidance talk, nothing in the others.
fn handed(category: DataCategory) -> Vec<document::HandedDocument> {
    if category != C::Guidance {
        return vec![];
    }
    let version = document::DocumentVersion::parse(document::INFORMATION_SHEET_VERSIONS[0]).unwrap();
    vec![document::HandedDocument {
        kind: document::DocumentKind::InformationSheet,
        language: document::DocumentLanguage::Ti,
        version,
    }]
}

fn contact(category: DataCategory, summary: &str) -> CaseCommand {
    CaseCommand::LogContact(talk(Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap(), category, summary))
}

async fn world(now: chrono::DateTime<Utc>) -> World {
    let served = Served::at(now).await;
    let foundation = served.foundation();
    let mut clients = BTreeMap::new();
    for (n, who) in EVERYONE.into_iter().enumerate() {
        let (role, org) = who.role_in(foundation);
        let grant = grant_of(who)
            .map(|(categories, max_level)| Grant { categories: categories.into_iter().collect(), max_level });
        let account = served.account(UserId::from_u128(100 + n as u128), org, role, grant).await;
        clients.insert(who, (account.caller, account.remote));
    }
    let w = World { clients, today: perspectief_core::time::amsterdam_date(now) };
    let (lead, svc) = w.client(Who::Lead);
    let period = SubsidyPeriod::new(PERIOD, "2026", w.today - chrono::Days::new(300), w.today, vec![]).unwrap();
    svc.define_subsidy_period(lead, period).await.unwrap();
    w
}

/// The world's subsidy period, for the aggregate reads.
const PERIOD: SubsidyPeriodId = SubsidyPeriodId::from_u128(0x9);

/// May `who` read aggregate figures (subsidy reports, the self-reliance cohort), as the
/// matrix's table of other resources says, and are small cells suppressed for them (every
/// reader outside the foundation)?
fn reads_aggregates(who: Who) -> Option<bool> {
    match who {
        Who::AssignedWorker | Who::OtherWorker | Who::Lead | Who::Auditor => Some(false),
        Who::CaseManager => Some(true),
        Who::Partner | Who::UngrantedPartner | Who::Administrator => None,
    }
}

/// What differs from the matrix, and the denials the access log must hold per (user,
/// participant, operation).
#[derive(Default)]
struct Tally {
    wrong: Vec<String>,
    denials: BTreeMap<(UserId, ParticipantId, String), usize>,
}

impl Tally {
    fn check(&mut self, cell: String, got: bool, want: bool, who: &Caller, p: ParticipantId, op: &str) {
        self.check_logged(cell, got, want, who, p, op, usize::from(!got));
    }

    /// A check whose call leaves `denials` denial records in the access log (a partial read
    /// records each withheld category as a denial).
    #[allow(clippy::too_many_arguments)]
    fn check_logged(
        &mut self,
        cell: String,
        got: bool,
        want: bool,
        who: &Caller,
        p: ParticipantId,
        op: &str,
        denials: usize,
    ) {
        if got != want {
            self.wrong.push(format!("{cell}: allowed {got}, matrix says {want}"));
        }
        if denials > 0 {
            *self.denials.entry((who.actor.user, p, op.to_owned())).or_default() += denials;
        }
    }
}

/// What `who` sees of a case's categories: shown, or shown with the content hidden (the
/// lead's need-to-know categories).
fn seen_categories(who: Who, consents: Consents, levels: Levels) -> BTreeSet<DataCategory> {
    DataCategory::ALL
        .into_iter()
        .filter(|c| {
            oracle(who, Read, *c, consents, levels)
                || (who == Who::Lead && matches!(c, C::MedicalPsychosocial | C::CriminalHistory))
        })
        .collect()
}

/// Whether `who` may see anything of a case: a category, or (outside the foundation) a
/// consent naming its organisation, given or withdrawn.
fn sees_something(who: Who, consents: Consents, levels: Levels) -> bool {
    let outside = matches!(who, Who::CaseManager | Who::Partner | Who::UngrantedPartner);
    !seen_categories(who, consents, levels).is_empty() || (outside && consents != Consents::None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cell_of_the_matrix_holds_through_grpc_and_every_denial_is_logged() {
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let w = world(now).await;
    let mut cases = BTreeMap::new();
    for consents in [Consents::None, Consents::ReturnOnly, Consents::Everything, Consents::Withdrawn] {
        for levels in [Levels::Default, Levels::Raised] {
            cases.insert((consents, levels), w.case(consents, levels).await);
        }
    }

    let mut t = Tally::default();
    let mut feeds = BTreeMap::new();
    for who in EVERYONE {
        feeds.insert(who, w.feed(who).await);
    }

    for (&(consents, levels), &p) in &cases {
        // Reads first, so that the writes below do not change what is read.
        for who in EVERYONE {
            let (caller, svc) = w.client(who);
            let cell = |what: &str| format!("{what} as {who:?}, consents {consents:?}, levels {levels:?}");
            // Read, per category: the categories of the person's events the feed shows.
            let present: BTreeSet<DataCategory> =
                [C::Identity, C::Guidance, C::Legal, C::MedicalPsychosocial, C::CriminalHistory, C::Return].into();
            // The lead's need-to-know categories come with their content hidden, as in the file.
            let expected: BTreeSet<DataCategory> =
                present.intersection(&seen_categories(who, consents, levels)).copied().collect();
            let seen = feeds[&who].get(&p).cloned().unwrap_or_default();
            if seen != expected {
                t.wrong.push(format!("{}: saw {seen:?}, matrix says {expected:?}", cell("feed")));
            }
            // Read of reports: the progress report.
            let from = w.today - chrono::Days::new(30);
            let report = svc.progress_report(caller, p, from, w.today).await;
            let seen = seen_categories(who, consents, levels);
            let reports = oracle(who, Read, C::Reports, consents, levels);
            // A report shown records each category it leaves out as a denial.
            let withheld = DataCategory::ALL.len() - seen.len();
            t.check_logged(
                cell("progress report"),
                allowed(&report, &cell("progress report")),
                reports,
                caller,
                p,
                "progress_report",
                if reports { withheld } else { 1 },
            );
            // Read of the whole file: every category, except content hidden field by field.
            // A reader who sees part of it is refused the whole case, and each withheld
            // category is on record (GetCaseFile answers the part: see the disclosure tests).
            let file = svc.get_case(caller, p).await;
            let whole = seen.len() == DataCategory::ALL.len();
            let denials = if whole {
                0
            } else if sees_something(who, consents, levels) {
                withheld
            } else {
                1
            };
            t.check_logged(
                cell("get case file"),
                allowed(&file, &cell("get case file")),
                whole,
                caller,
                p,
                "get_case",
                denials,
            );
            if let Ok(case) = &file {
                for (contact, category) in case.contacts() {
                    let shown = contact.summary.as_str() != perspectief_core::case::HIDDEN;
                    if shown != oracle(who, Read, category, consents, levels) {
                        t.wrong.push(format!("{}: {category} content shown {shown}", cell("get case file")));
                    }
                    // The documents handed over travel with their contact moment, no further.
                    if contact.documents != handed(category) {
                        t.wrong.push(format!(
                            "{}: {category} contact's documents {:?}",
                            cell("get case file"),
                            contact.documents
                        ));
                    }
                }
                assert_eq!(
                    case.levels(),
                    CaseLevels::DEFAULT.with(C::Legal, levels.of(C::Legal)).with(C::Return, levels.of(C::Return))
                );
            }
        }
        for who in EVERYONE {
            let (caller, svc) = w.client(who);
            let cell = |what: &str| format!("{what} as {who:?}, consents {consents:?}, levels {levels:?}");
            // Create, per category of a contact moment's content.
            for category in [C::Guidance, C::Legal, C::MedicalPsychosocial, C::CriminalHistory] {
                let what = cell(&format!("log {category} contact"));
                let got = allowed(&svc.execute(caller, p, None, contact(category, "Nog een gesprek.")).await, &what);
                t.check(what, got, oracle(who, Create, category, consents, levels), caller, p, "log_contact");
            }
            // Update, per category: setting a category's level to what it is changes nothing
            // but needs the right to change that category.
            for category in DataCategory::ALL {
                let what = cell(&format!("update {category}"));
                let cmd =
                    CaseCommand::SetConfidentiality { category, level: levels.of(category), reason: text("Controle.") };
                let got = allowed(&svc.execute(caller, p, None, cmd).await, &what);
                t.check(what, got, oracle(who, Update, category, consents, levels), caller, p, "set_confidentiality");
            }
        }
    }
    // The self-reliance cohort (GetZrmCohort): an aggregate read, suppressed outside.
    for who in EVERYONE {
        let (caller, svc) = w.client(who);
        let cohort = svc.zrm_cohort(caller, PERIOD).await;
        let what = format!("self-reliance cohort as {who:?}");
        match (&cohort, reads_aggregates(who)) {
            (Ok(c), Some(suppressed)) => {
                if (c.min_cell > 0) != suppressed {
                    t.wrong.push(format!("{what}: smallest cell {}, suppressed {suppressed}", c.min_cell));
                }
            }
            (Err(DomainError::AccessDenied(_)), None) => {}
            (got, want) => t.wrong.push(format!("{what}: got {got:?}, matrix says {want:?}")),
        }
    }
    // Listings of #17: chain meetings (staff of the foundation who do case work) and late
    // entries (the project lead's). Nobody outside the foundation lists either.
    for who in EVERYONE {
        let (caller, svc) = w.client(who);
        let days = perspectief_core::time::DateRange::new(w.today - chrono::Days::new(30), w.today).unwrap();
        let meetings = svc.list_meetings(caller, days, service::PageRequest::default()).await;
        let want = matches!(who, Who::AssignedWorker | Who::OtherWorker | Who::Lead);
        match (&meetings, want) {
            (Ok(_), true) | (Err(DomainError::AccessDenied(_)), false) => {}
            (got, want) => t.wrong.push(format!("list meetings as {who:?}: got {got:?}, matrix says {want}")),
        }
        let query = perspectief_core::late::LateEntryQuery {
            from: w.today - chrono::Days::new(30),
            to: w.today,
            recorded_by: None,
            page: service::PageRequest::default(),
        };
        let late = svc.late_entries(caller, query).await;
        match (&late, who == Who::Lead) {
            (Ok(_), true) | (Err(DomainError::AccessDenied(_)), false) => {}
            (got, want) => t.wrong.push(format!("list late entries as {who:?}: got {got:?}, matrix says {want}")),
        }
    }
    assert!(t.wrong.is_empty(), "{} cells differ from the matrix:\n{}", t.wrong.len(), t.wrong.join("\n"));

    // Every refusal is in the access log as a denial of that user, participant and operation.
    let (auditor, svc) = w.client(Who::Auditor);
    let mut logged: BTreeMap<(UserId, ParticipantId, String), usize> = BTreeMap::new();
    for &p in cases.values() {
        let mut after = 0;
        loop {
            // Reading the log is itself logged: stop at the first page that is not full.
            let page = svc.audit_log(auditor, Some(p), after, 500).await.unwrap();
            let full = page.len() == 500;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for r in &page {
                if r.entry.outcome == AuditOutcome::Denied {
                    *logged.entry((r.entry.user, p, r.entry.operation.clone())).or_default() += 1;
                }
            }
            if !full {
                break;
            }
        }
    }
    assert!(!t.denials.is_empty());
    for (key, count) in &t.denials {
        assert_eq!(logged.get(key), Some(count), "denials of {key:?} in the access log");
    }
}
