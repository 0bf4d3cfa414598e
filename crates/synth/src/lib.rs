//! # perspectief-synth
//!
//! Seeded, deterministic synthetic case data: participants with plausible nationalities,
//! languages and uncertain birth dates, and their trajectories over up to 18 months (plans,
//! goals, agreements, contact moments, consents, ZRM assessments, progress reports, referrals,
//! return exploration, obstacles, reintegration plan, REAN, departure steps, judgments and
//! their communication, outflow), plus information sessions with attendance and biweekly
//! chain meetings ([`chain_meetings`]). For benchmarks, load tests and demonstrations; every
//! name is made up and marked synthetic. Never real data.
//!
//! A few steps are the project lead's ([`Config::lead`]: a judgment communicated on an
//! override, the meetings): replay with [`Config::caller`], which gives the lead that role.
//!
//! Every command is checked against the domain core while it is generated (the core's
//! [`Case`] is pure), so a script only holds commands the service will accept when they are
//! replayed in order with the clock at each step's time. The same seed and index always give
//! the same participant, so any size can be generated one participant at a time.
//!
//! ```
//! use chrono::NaiveDate;
//! use perspectief_synth::{Config, participant};
//!
//! let config = Config::new(7, NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(), 18);
//! let one = participant(&config, 0);
//! assert_eq!(one, participant(&config, 0), "deterministic");
//! assert!(one.steps.iter().all(|s| s.at >= one.registered_at()));
//! ```

use std::collections::BTreeSet;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use perspectief_core::returns::{
    DepartureStep, DepartureStepKind, ExplorationFindings, ReanChecklist, ReintegrationPlan,
};
use perspectief_core::session::{PlanSession, SessionCommand};
use perspectief_core::*;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The seed: the same seed gives the same data.
    pub seed: u64,
    /// The first day registrations can fall on.
    pub start: NaiveDate,
    /// How many months registrations are spread over; trajectories run on after that up to
    /// their own 18 months but never past [`Config::end`].
    pub months: u32,
    /// The project workers participants are assigned to (at least one).
    pub workers: Vec<UserId>,
    /// The chain partners referrals, obstacles and consents name (at least one).
    pub partners: Vec<OrganisationId>,
    /// The municipality, whose case manager receives the progress reports (5.2.e) and hears
    /// the return judgments.
    pub municipality: OrganisationId,
    /// The project lead: chairs the chain meetings and now and then communicates a judgment
    /// on an override instead of a consent (only the lead may). Map this user to
    /// [`Role::ProjectLead`](perspectief_core::access::Role) when replaying ([`Config::caller`]).
    pub lead: UserId,
}

impl Config {
    /// Three project workers and four partners with fixed synthetic ids.
    pub fn new(seed: u64, start: NaiveDate, months: u32) -> Self {
        Self {
            seed,
            start,
            months: months.max(1),
            workers: (1..=3).map(|n| UserId::from_u128(0x5157_0000 + n)).collect(),
            partners: (1..=4).map(|n| OrganisationId::from_u128(0x5157_1000 + n)).collect(),
            municipality: OrganisationId::from_u128(0x5157_2001),
            lead: UserId::from_u128(0x5157_0100),
        }
    }

    /// The caller a replay acts as for `user` of the data set, in the foundation
    /// `foundation`: the project lead for [`Config::lead`], a project worker for anyone else.
    pub fn caller(&self, foundation: OrganisationId, user: UserId) -> perspectief_core::service::Caller {
        use perspectief_core::access::{Actor, Grant, Role};
        let role = if user == self.lead { Role::ProjectLead } else { Role::ProjectWorker };
        perspectief_core::service::Caller::local(Actor { user, organisation: foundation, role, grant: Grant::NONE })
    }

    /// The partners and the municipality as entries of the organisations register (every
    /// command that names an organisation needs it registered): `PARTNER-1` ..., synthetic
    /// NGOs serving every domain, and `GEMEENTE`. Register them before replaying.
    pub fn partner_organisations(&self, foundation: OrganisationId) -> Vec<perspectief_core::Organisation> {
        let all_domains: Vec<String> =
            perspectief_core::PartnerDomain::ALL.iter().map(|d| d.as_str().to_owned()).collect();
        self.partners
            .iter()
            .enumerate()
            .map(|(n, id)| (*id, format!("PARTNER-{}", n + 1), format!("Ketenpartner {} (synthetisch)", n + 1), "ngo"))
            .chain(std::iter::once((
                self.municipality,
                "GEMEENTE".to_owned(),
                "Gemeente (synthetisch)".to_owned(),
                "municipality",
            )))
            .filter_map(|(id, code, name, kind)| {
                perspectief_core::organisation::OrganisationInput {
                    code,
                    name,
                    kind: kind.to_owned(),
                    domains: all_domains.clone(),
                    ..Default::default()
                }
                .into_organisation(id, foundation)
                .ok()
            })
            .collect()
    }

    /// The last day anything happens: the end of the registration months.
    pub fn end(&self) -> NaiveDate {
        self.start.checked_add_days(Days::new(u64::from(self.months) * 30)).unwrap_or(self.start)
    }
}

/// One command of a script, at its time, by its actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// When it happens (set the clock here before replaying it).
    pub at: DateTime<Utc>,
    /// Who records it.
    pub actor: UserId,
    /// The command.
    pub command: CaseCommand,
}

/// A participant's registration and everything recorded after it, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantScript {
    /// The registration.
    pub register: RegisterParticipant,
    /// The commands after it, oldest first.
    pub steps: Vec<Step>,
}

impl ParticipantScript {
    /// When the registration is recorded.
    pub fn registered_at(&self) -> DateTime<Utc> {
        at(self.register.registered_on, 9, 0)
    }

    /// How many contact moments the script logs.
    pub fn contact_moments(&self) -> usize {
        self.steps.iter().filter(|s| matches!(s.command, CaseCommand::LogContact(_))).count()
    }
}

/// An information session and what happens to it, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionScript {
    /// When it is planned, and by whom.
    pub planned_at: DateTime<Utc>,
    /// The planning command.
    pub plan: PlanSession,
    /// The attendance registered afterwards (at the session's day).
    pub steps: Vec<(DateTime<Utc>, SessionCommand)>,
}

/// A small, fast, deterministic generator (SplitMix64): no dependency, the same numbers on
/// every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` and a stream number (participant index, session index, ...).
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut r = Self(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items`, by weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut pick = self.below(total);
        for (item, weight) in items {
            if pick < *weight {
                return item;
            }
            pick -= weight;
        }
        &items[items.len() - 1].0
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Countries of origin with weights loosely like an LVV population, and a language each.
const ORIGINS: [(&str, &str, u64); 16] = [
    ("ER", "ti", 14),
    ("SD", "ar", 10),
    ("SO", "so", 6),
    ("ET", "am", 6),
    ("NG", "en", 8),
    ("GH", "en", 5),
    ("GM", "en", 4),
    ("GN", "fr", 5),
    ("MA", "ar", 9),
    ("DZ", "ar", 7),
    ("LY", "ar", 3),
    ("SY", "ar", 5),
    ("AF", "fa", 6),
    ("IR", "fa", 4),
    ("IQ", "ar", 3),
    ("SN", "fr", 5),
];

const SYLLABLES: [&str; 12] = ["ka", "lo", "mi", "sa", "ne", "ru", "ta", "bo", "di", "fe", "zu", "ya"];
const LOCATIONS: [&str; 4] = ["LVV West", "LVV Oost", "LVV Noord", "LVV Zuid"];

fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(hour, minute, 0).unwrap_or_default())
}

fn location(rng: &mut Rng) -> Label {
    let name: &&str = rng.pick(&LOCATIONS);
    Label::parse(name).unwrap_or_else(|_| unreachable!("fixed location names are valid"))
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap_or_else(|_| unreachable!("fixed synthetic text is valid"))
}

fn synthetic_name(rng: &mut Rng) -> Name {
    let parts = 2 + rng.below(2);
    let mut name: String = (0..parts).map(|_| *rng.pick(&SYLLABLES)).collect();
    if let Some(first) = name.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    Name::parse(&format!("{name} (synthetisch)")).unwrap_or_else(|_| unreachable!("made-up names are valid"))
}

fn date_of_birth(rng: &mut Rng, today: NaiveDate) -> Option<DateOfBirth> {
    let year = today.format("%Y").to_string().parse::<i32>().unwrap_or(2026) - 19 - rng.below(35) as i32;
    let month = 1 + rng.below(12) as u32;
    match rng.below(100) {
        0..30 => NaiveDate::from_ymd_opt(year, month, 1 + rng.below(28) as u32).map(|date| DateOfBirth::Exact { date }),
        30..45 => Some(DateOfBirth::Month { year, month }),
        45..70 => Some(DateOfBirth::Year { year }),
        70..95 => Some(DateOfBirth::Estimated { year }),
        _ => None,
    }
}

/// Builds one participant's script, checking each command against the core as it goes.
struct Writer<'a> {
    config: &'a Config,
    rng: Rng,
    case: Case,
    worker: UserId,
    steps: Vec<Step>,
    ids: u128,
    participant_index: u64,
}

impl Writer<'_> {
    /// A fresh id for a record of this participant (unique across participants).
    fn id(&mut self) -> u128 {
        self.ids += 1;
        (0x5157_u128 << 112) | (u128::from(self.participant_index) << 32) | self.ids
    }

    /// The moment something of `day` is recorded: on the day or, when the script has already
    /// moved past it, as soon as it can be (a script's steps are in time order, like the log
    /// of a real case).
    fn moment(&mut self, day: NaiveDate) -> DateTime<Utc> {
        let proposed = at(day, 9 + self.rng.below(8) as u32, self.rng.below(60) as u32);
        self.steps.last().map_or(proposed, |s| s.at.max(proposed))
    }

    /// Record `command` on `day` when the core accepts it; a refused command is left out.
    fn try_on(&mut self, day: NaiveDate, command: CaseCommand) -> bool {
        self.try_as(day, self.worker, command)
    }

    /// [`Writer::try_on`] by another actor (the project lead).
    fn try_as(&mut self, day: NaiveDate, actor: UserId, command: CaseCommand) -> bool {
        if day > self.config.end() {
            return false;
        }
        let when = self.moment(day);
        self.record(when, actor, command)
    }

    fn record(&mut self, when: DateTime<Utc>, actor: UserId, command: CaseCommand) -> bool {
        let ctx = CommandContext { actor, now: when, today: when.date_naive() };
        match self.case.execute(command.clone(), &ctx) {
            Ok(_) => {
                self.steps.push(Step { at: when, actor, command });
                true
            }
            Err(_) => false,
        }
    }

    fn contact(&mut self, day: NaiveDate, kind: ContactKind, codes: &[ActivityCode], category: DataCategory) -> bool {
        let location = match self.rng.below(10) {
            0..6 => ContactLocation::Office,
            6..8 => ContactLocation::LvvLocation(location(&mut self.rng)),
            _ => ContactLocation::Remote,
        };
        let agreements = if self.rng.chance(30) {
            let id = AgreementId::from_u128(self.id());
            vec![NewAgreement {
                id,
                description: text("Afspraak (synthetisch)."),
                due_on: day.checked_add_days(Days::new(7 + self.rng.below(21))).unwrap_or(day),
                who_acts: Responsible::Participant,
            }]
        } else {
            vec![]
        };
        if day > self.config.end() {
            return false;
        }
        // The talk took place on the day, before it was recorded (never in the recording's
        // future: a contact dated after its recording would be refused and lost).
        let when = self.moment(day);
        let contact = NewContact {
            id: ContactId::from_u128(self.id()),
            at: at(day, 10, 0).min(when),
            kind,
            location,
            staff: BTreeSet::from([self.worker]),
            activities: codes.iter().copied().collect(),
            summary: text("Gesprek gevoerd (synthetisch)."),
            category,
            partner: None,
            duration_minutes: Some(15 + 15 * self.rng.below(6) as u32),
            agreements,
            documents: Vec::new(),
        };
        self.record(when, self.worker, CaseCommand::LogContact(contact))
    }

    /// A self-reliance (ZRM) assessment (5.2.d) of all thirteen domains on `day`: scores
    /// around `level` (1 to 5), which rises slowly over a trajectory.
    fn assess(&mut self, day: NaiveDate, level: u8) -> bool {
        let scores = ZrmDomain::ALL
            .iter()
            .filter_map(|d| {
                let score = (i16::from(level) + self.rng.below(3) as i16 - 1).clamp(1, 5) as u8;
                ZrmScore::new(score).ok().map(|s| (*d, s))
            })
            .collect();
        self.try_on(day, CaseCommand::RecordSelfReliance { assessed_on: day, scores })
    }

    /// A progress report (5.2.e) to the municipality's case manager on `day`, when one is due
    /// by then; it needs the participant's consent for reports (without it, none is sent and
    /// the report stays due, which the worklist and the agenda show).
    fn report_when_due(&mut self, day: NaiveDate) -> bool {
        if self.case.progress_report_due(day, 0).is_none() {
            return false;
        }
        let Some(from) = self.case.report_periods().last().map(|p| p.from) else { return false };
        let id = ReportId::from_u128(self.id());
        let sent_to = self.config.municipality;
        self.try_on(
            day,
            CaseCommand::RecordProgressReport { id, period_from: from, period_to: day, sent_to, sent_on: Some(day) },
        )
    }

    /// Communicate a final judgment (5.2.b(3)) to everyone who should hear it: the
    /// participant (with its consequences explained), the municipality and each partner a
    /// referral was sent to. Outside the foundation it needs a consent covering reports; without
    /// one the project lead now and then communicates it on an override with a reason.
    fn communicate(&mut self, judgment: JudgmentId, day: NaiveDate) {
        let to_participant = CaseCommand::RecordJudgmentCommunicated {
            judgment,
            to: Recipient::Participant,
            on: day,
            consent_override: None,
        };
        if !self.try_on(day, to_participant) {
            return;
        }
        self.try_on(day, CaseCommand::RecordConsequencesExplained { judgment, on: day });
        let partners: BTreeSet<OrganisationId> =
            self.case.referrals().filter(|r| r.sent_on().is_some()).map(|r| r.partner).collect();
        let recipients = std::iter::once(Recipient::Municipality).chain(partners.into_iter().map(Recipient::Partner));
        for to in recipients.collect::<Vec<_>>() {
            let on = self.after(day, 0, 4);
            let with_consent = CaseCommand::RecordJudgmentCommunicated { judgment, to, on, consent_override: None };
            if !self.try_on(on, with_consent) && self.rng.chance(40) {
                let consent_override = Some(text("Oordeel moet de keten bereiken (synthetisch)."));
                let lead = self.config.lead;
                self.try_as(on, lead, CaseCommand::RecordJudgmentCommunicated { judgment, to, on, consent_override });
            }
        }
    }

    fn after(&mut self, day: NaiveDate, min: u64, spread: u64) -> NaiveDate {
        day.checked_add_days(Days::new(min + self.rng.below(spread.max(1)))).unwrap_or(day)
    }
}

/// The participant with number `index` of the data set `config` describes.
pub fn participant(config: &Config, index: u64) -> ParticipantScript {
    let mut rng = Rng::new(config.seed, index);
    let offset = rng.below(u64::from(config.months) * 30);
    let registered_on = config.start.checked_add_days(Days::new(offset)).unwrap_or(config.start);
    let (country, language) = {
        let weighted: Vec<((&str, &str), u64)> = ORIGINS.iter().map(|(c, l, w)| ((*c, *l), *w)).collect();
        *rng.weighted(&weighted)
    };
    let country = CountryCode::parse(country).unwrap_or_else(|_| unreachable!("fixed country codes are valid"));
    let nationality = match rng.below(100) {
        0..90 => Nationality::Country(country),
        90..95 => Nationality::Stateless,
        _ => Nationality::Unknown,
    };
    let mut languages = vec![LanguageCode::parse(language).unwrap_or_else(|_| unreachable!("fixed codes are valid"))];
    if rng.chance(40) {
        languages.push(LanguageCode::parse("en").unwrap_or_else(|_| unreachable!("fixed codes are valid")));
    }
    let worker = *rng.pick(&config.workers);
    let profile = ParticipantProfile {
        given_names: synthetic_name(&mut rng),
        family_name: rng.chance(85).then(|| synthetic_name(&mut rng)),
        aliases: vec![],
        date_of_birth: date_of_birth(&mut rng, registered_on),
        country_of_origin: Some(country),
        nationalities: vec![nationality],
        languages,
        v_number: rng.chance(60).then(|| {
            VNumber::parse(&format!("{:010}", 1_000_000_000 + rng.below(8_999_999_999)))
                .unwrap_or_else(|_| unreachable!("ten digits are a V-number"))
        }),
        lvv_location: Some(location(&mut rng)),
        project_worker: worker,
    };
    let id = ParticipantId::from_u128((0x5157_0001_u128 << 96) | u128::from(index));
    let register = RegisterParticipant { id, profile, registered_on };
    let ctx = CommandContext { actor: worker, now: at(registered_on, 9, 0), today: registered_on };
    let (case, _) =
        Case::register(register.clone(), &ctx).unwrap_or_else(|e| unreachable!("synthetic registration: {e}"));
    let mut w = Writer { config, rng, case, worker, steps: Vec::new(), ids: 0, participant_index: index };
    trajectory(&mut w, registered_on);
    ParticipantScript { register, steps: w.steps }
}

/// The trajectory: orientation (with the consent to report to the municipality, a reporting
/// schedule now and then, and the intake's self-reliance assessment), plan, guidance with
/// contacts every few weeks, a ZRM assessment every few months and a progress report whenever
/// one is due, referrals, the return track for those who consider it (obstacles, the
/// reintegration plan, REAN, departure steps, the judgment and its communication), and an
/// outflow for some. Some stop turning up: the chain meeting then advises on ending their
/// guidance ([`chain_meetings`]).
fn trajectory(w: &mut Writer<'_>, registered_on: NaiveDate) {
    let limit = registered_on.checked_add_days(Days::new(540)).unwrap_or(registered_on);
    let last = limit.min(w.config.end());
    let mut day = w.after(registered_on, 1, 14);
    w.contact(day, ContactKind::IndividualTalk, &[ActivityCode::OrientationTalks], DataCategory::Guidance);
    // At intake: most agree that the municipality's case manager gets progress reports; for
    // some the case manager wants them more or less often than the default; the first ZRM.
    if w.rng.chance(85) {
        let id = ConsentId::from_u128(w.id());
        let municipality = w.config.municipality;
        w.try_on(
            day,
            CaseCommand::GiveConsent {
                id,
                organisation: municipality,
                categories: BTreeSet::from([DataCategory::Reports]),
                purpose: text("Rapportage aan de casemanager (synthetisch)."),
                given_on: day,
            },
        );
    }
    if w.rng.chance(25) {
        let every_months = *w.rng.pick(&[2, 4, 6]);
        w.try_on(day, CaseCommand::SetReportingSchedule { every_months });
    }
    let mut zrm_level = 1 + w.rng.below(3) as u8;
    w.assess(day, zrm_level);
    let mut next_assessment = w.after(day, 80, 40);

    // Most draw up and agree a plan within two months.
    if w.rng.chance(80) {
        day = w.after(day, 7, 40);
        w.try_on(
            day,
            CaseCommand::RevisePlan {
                personal_situation: text("Situatie (synthetisch)."),
                perspective: text("Perspectief (synthetisch)."),
                on: Some(day),
            },
        );
        if w.try_on(day, CaseCommand::AgreePlan { revision: 1, on: day }) {
            for _ in 0..1 + w.rng.below(3) {
                let id = GoalId::from_u128(w.id());
                let deadline = w.after(day, 21, 120);
                w.try_on(
                    day,
                    CaseCommand::SetGoal(NewGoal {
                        id,
                        description: text("Doel (synthetisch)."),
                        rationale: None,
                        responsible: Responsible::Participant,
                        partners: vec![],
                        deadline,
                        next_steps: None,
                        set_on: Some(day),
                    }),
                );
            }
        }
    }

    // What happens later is planned now and done at the first contact on or after its day,
    // so the script stays in date order (a step recorded after later-dated ones would be
    // entered late, and the chain meeting would see a gap in the contacts that was none).
    let mut referral = w.rng.chance(50).then(|| Pending::Propose(w.after(day, 3, 30)));
    let returns = w.rng.chance(45);
    let mut return_planned = returns.then(|| w.after(day, 20, 90));
    let mut return_day = None;
    // About one in ten stop turning up after a while (and are discussed in the chain
    // meeting for it).
    let drifts_from = w.rng.chance(10).then(|| w.after(day, 30, 180));
    // Some leave by another route before their limit.
    let leaves = (!returns && drifts_from.is_none() && w.rng.chance(25)).then(|| {
        let on = w.after(day, 60, 300);
        let outcome = *w.rng.pick(&[
            OutflowOutcome::ResidencePermitGranted,
            OutflowOutcome::NewAsylumApplication,
            OutflowOutcome::MovedToOtherShelter,
        ]);
        (on, outcome)
    });

    // Guidance until the end of the trajectory or the data set: a contact every one to five weeks.
    let mut contact_day = w.after(day, 7, 21);
    let mut obstacles = Vec::new();
    while contact_day <= last && drifts_from.is_none_or(|d| contact_day < d) {
        if let Some((_, outcome)) = leaves.filter(|(on, _)| *on <= contact_day) {
            w.try_on(contact_day, CaseCommand::RecordOutflow { outcome, on: contact_day, note: None });
            return;
        }
        let codes: &[ActivityCode] = match w.rng.below(10) {
            0..5 => &[ActivityCode::SocialGuidance],
            5..7 => &[ActivityCode::MonitorGoals],
            7..8 => &[ActivityCode::KeepPlanCurrent],
            _ => &[ActivityCode::SocialGuidance, ActivityCode::Communication],
        };
        let category = if w.rng.chance(10) { DataCategory::MedicalPsychosocial } else { DataCategory::Guidance };
        let kind = *w.rng.pick(&[ContactKind::IndividualTalk, ContactKind::Phone, ContactKind::ShelterVisit]);
        w.contact(contact_day, kind, codes, category);
        if contact_day >= next_assessment {
            if w.rng.chance(60) {
                zrm_level = (zrm_level + 1).min(5);
            }
            w.assess(contact_day, zrm_level);
            next_assessment = w.after(contact_day, 80, 40);
        }
        w.report_when_due(contact_day);
        referral = referral.and_then(|r| refer(w, r, contact_day));
        if return_planned.is_some_and(|d| d <= contact_day) {
            return_planned = None;
            let on = contact_day;
            w.try_on(on, CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on, note: None });
            let findings =
                ExplorationFindings { documents: Some(text("Documenten (synthetisch).")), ..Default::default() };
            if w.try_on(on, CaseCommand::StartReturnExploration { on, findings }) {
                return_day = Some(on);
            }
        } else if return_day.is_some_and(|d| d < contact_day) {
            if obstacles.is_empty() {
                let id = ObstacleId::from_u128(w.id());
                let partner = Some(*w.rng.pick(&w.config.partners));
                let kind =
                    *w.rng.pick(&[ObstacleKind::MissingDocuments, ObstacleKind::FamilyContact, ObstacleKind::Finances]);
                if w.try_on(
                    contact_day,
                    CaseCommand::IdentifyObstacle {
                        id,
                        kind,
                        description: text("Belemmering (synthetisch)."),
                        partner,
                        on: contact_day,
                    },
                ) {
                    obstacles.push(id);
                }
            } else if w.rng.chance(30) {
                if return_track(w, contact_day, &obstacles) {
                    return;
                }
                return_day = None;
            }
        }
        contact_day = w.after(contact_day, 7, 28);
    }
}

/// A referral's next step, due on its day.
#[derive(Debug, Clone, Copy)]
enum Pending {
    /// To propose (with the consent to send it).
    Propose(NaiveDate),
    /// To send.
    Send(ReferralId, NaiveDate),
    /// To answer (by the partner).
    Answer(ReferralId, NaiveDate),
}

/// Take the referral's step when its day has come (at the contact on `day`): proposed with
/// the consent it needs, sent, answered. Returns what remains to do.
fn refer(w: &mut Writer<'_>, pending: Pending, day: NaiveDate) -> Option<Pending> {
    match pending {
        Pending::Propose(on) | Pending::Send(_, on) | Pending::Answer(_, on) if on > day => Some(pending),
        Pending::Propose(_) => {
            let partner = *w.rng.pick(&w.config.partners);
            let id = ReferralId::from_u128(w.id());
            let domain = *w.rng.pick(&[PartnerDomain::Legal, PartnerDomain::Medical, PartnerDomain::Shelter]);
            let proposed = CaseCommand::ProposeReferral {
                id,
                partner,
                domain,
                reason: text("Doorverwijzing (synthetisch)."),
                on: Some(day),
            };
            if !w.try_on(day, proposed) {
                return None;
            }
            // Sending shares the referral with the partner, so it needs the participant's
            // consent: most give it for what the partner needs (and many for the partner to
            // hear the outcome: reports); without it the referral stays a proposal (only the
            // project lead could send it anyway, on a recorded reason).
            let consented = w.rng.chance(85) && {
                let consent = ConsentId::from_u128(w.id());
                let mut categories = BTreeSet::from([domain.category()]);
                if w.rng.chance(60) {
                    categories.insert(DataCategory::Reports);
                }
                w.try_on(
                    day,
                    CaseCommand::GiveConsent {
                        id: consent,
                        organisation: partner,
                        categories,
                        purpose: text("Doorverwijzing (synthetisch)."),
                        given_on: day,
                    },
                )
            };
            consented.then(|| Pending::Send(id, w.after(day, 1, 10)))
        }
        Pending::Send(referral, _) => {
            let sent = CaseCommand::AdvanceReferral {
                referral,
                to: ReferralStatus::Sent,
                on: day,
                note: None,
                consent_override: None,
            };
            w.try_on(day, sent).then(|| Pending::Answer(referral, w.after(day, 5, 30)))
        }
        Pending::Answer(referral, _) => {
            let to = if w.rng.chance(80) { ReferralStatus::Accepted } else { ReferralStatus::Rejected };
            w.try_on(day, CaseCommand::AdvanceReferral { referral, to, on: day, note: None, consent_override: None });
            None
        }
    }
}

/// The person decided to return: obstacles worked on, the reintegration plan, the REAN
/// checklist, the final judgment communicated, and for most the departure prepared (documents,
/// embassy, IOM) and made. True when the trajectory ended in a departure.
fn return_track(w: &mut Writer<'_>, day: NaiveDate, obstacles: &[ObstacleId]) -> bool {
    w.try_on(day, CaseCommand::RecordReturnStance { stance: ReturnStance::Decided, on: day, note: None });
    for obstacle in obstacles {
        let status = if w.rng.chance(75) { ObstacleStatus::Removed } else { ObstacleStatus::BeingAddressed };
        w.try_on(
            day,
            CaseCommand::ActOnObstacle {
                obstacle: *obstacle,
                description: text("Actie (synthetisch)."),
                status,
                on: day,
            },
        );
    }
    let plan = ReintegrationPlan {
        housing: Some(text("Huisvesting (synthetisch).")),
        income_work: Some(text("Inkomen en werk (synthetisch).")),
        business_plan: w.rng.chance(30).then(|| text("Ondernemingsplan (synthetisch).")),
        care: w.rng.chance(40).then(|| text("Zorg (synthetisch).")),
        contacts_abroad: Some(text("Partnerorganisatie ter plaatse (synthetisch).")),
        updated_on: Some(day),
    };
    w.try_on(day, CaseCommand::UpdateReintegrationPlan(plan));
    let rean = ReanChecklist {
        no_assisted_return_in_five_years: Some(w.rng.chance(95)),
        travel_document_obtainable: Some(w.rng.chance(80)),
        agrees_procedures_end: Some(true),
        updated_on: Some(day),
    };
    w.try_on(day, CaseCommand::UpdateReanChecklist(rean));
    let judgment = JudgmentId::from_u128(w.id());
    if w.try_on(
        day,
        CaseCommand::RecordJudgment {
            id: judgment,
            verdict: Verdict::ReturnRealistic,
            finality: Finality::Final,
            reasoning: text("Onderbouwing (synthetisch)."),
            formed_on: day,
        },
    ) {
        w.communicate(judgment, day);
    }
    if !w.rng.chance(60) {
        return false;
    }
    let mut step_day = day;
    for kind in [DepartureStepKind::Documents, DepartureStepKind::EmbassyVisit, DepartureStepKind::IomCoordination] {
        step_day = w.after(step_day, 2, 10);
        let step = DepartureStep { on: step_day, kind, note: text("Vertrekstap (synthetisch).") };
        w.try_on(step_day, CaseCommand::RecordDepartureStep(step));
    }
    let departed = w.after(step_day, 3, 20);
    let accompany_to_schiphol = w.rng.chance(50);
    w.try_on(step_day, CaseCommand::PlanDeparture { on: Some(departed), accompany_to_schiphol });
    w.try_on(
        departed,
        CaseCommand::RecordOutflow {
            outcome: OutflowOutcome::DepartedIndependentlySupervised,
            on: departed,
            note: None,
        },
    );
    true
}

/// Weekly information sessions over the data set's months, with attendance drawn from the
/// participants registered by then (`registered`: id and registration day, as generated).
pub fn sessions(config: &Config, registered: &[(ParticipantId, NaiveDate)]) -> Vec<SessionScript> {
    let mut out = Vec::new();
    let mut day = config.start.checked_add_days(Days::new(7)).unwrap_or(config.start);
    let mut n = 0u64;
    while day <= config.end() {
        let mut rng = Rng::new(config.seed ^ 0x5E55, n);
        let id = SessionId::from_u128((0x5157_0002_u128 << 96) | u128::from(n));
        let (country, language, _) = *rng.pick(&ORIGINS);
        let topic = SessionTopic::Country(
            CountryCode::parse(country).unwrap_or_else(|_| unreachable!("fixed codes are valid")),
        );
        let plan = PlanSession {
            id,
            date: day,
            topic,
            venue: Label::parse("WereldHuis").unwrap_or_else(|_| unreachable!("fixed names are valid")),
            languages: BTreeSet::from([
                LanguageCode::parse(language).unwrap_or_else(|_| unreachable!("fixed codes are valid"))
            ]),
            facilitators: BTreeSet::from([*rng.pick(&config.workers)]),
            partner: None,
        };
        let eligible: Vec<ParticipantId> = registered.iter().filter(|(_, on)| *on <= day).map(|(id, _)| *id).collect();
        let mut steps = Vec::new();
        let mut attending = BTreeSet::new();
        for _ in 0..rng.below(8).min(eligible.len() as u64) {
            attending.insert(*rng.pick(&eligible));
        }
        for participant in attending {
            steps.push((at(day, 15, 0), SessionCommand::RegisterAttendance { participant }));
        }
        steps.push((at(day, 15, 30), SessionCommand::SetUnregisteredHeadCount { count: rng.below(12) as u32 }));
        let planned = day.checked_sub_days(Days::new(7)).unwrap_or(day);
        out.push(SessionScript { planned_at: at(planned, 9, 0), plan, steps });
        day = day.checked_add_days(Days::new(7)).unwrap_or(day);
        n += 1;
    }
    out
}

/// One step of a chain meeting's script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingAction {
    /// Adopt the agenda generated for the meeting's day in one step
    /// ([`PerspectiefService::adopt_agenda`](perspectief_core::service::PerspectiefService::adopt_agenda)).
    /// `adds` are the items it adds at that moment (what the generator's own agenda gives):
    /// a replay can check the service's against them, and a recording made afterwards, when the
    /// data of later days would make another agenda, enters them one by one, as from the
    /// meeting's minutes.
    AdoptAgenda {
        /// The [`MeetingCommand::AddToAgenda`] commands adopting the agenda amounts to.
        adds: Vec<MeetingCommand>,
    },
    /// A command on the meeting: a discussion, an advice, a decision, a termination talk.
    Command(MeetingCommand),
}

impl MeetingAction {
    /// The participant whose case file the step writes to, if any (it must then be recorded
    /// in order with that participant's own steps).
    pub fn participant(&self) -> Option<ParticipantId> {
        match self {
            Self::AdoptAgenda { .. } | Self::Command(MeetingCommand::AddToAgenda { .. }) => None,
            Self::Command(
                MeetingCommand::RecordDiscussion { participant, .. }
                | MeetingCommand::AdviseTermination { participant, .. }
                | MeetingCommand::RecordChainDecision { participant, .. }
                | MeetingCommand::RecordTerminationTalk { participant, .. },
            ) => Some(*participant),
        }
    }
}

/// One step of a chain meeting, at its time, by its actor (the project lead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingStep {
    /// When (set the clock here before replaying it).
    pub at: DateTime<Utc>,
    /// Who records it.
    pub actor: UserId,
    /// What.
    pub action: MeetingAction,
}

/// A chain-partner meeting (*ketenoverleg*, 3.2.f/g) and what happens in it, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingScript {
    /// The meeting.
    pub id: MeetingId,
    /// Its day.
    pub date: NaiveDate,
    /// When it is scheduled (a week before), and by whom.
    pub scheduled_at: DateTime<Utc>,
    /// Who schedules it (the project lead).
    pub actor: UserId,
    /// Its steps, oldest first.
    pub steps: Vec<MeetingStep>,
}

/// A participant's case as the generator follows it through the year: the script's steps
/// applied up to a moment.
struct Follow {
    case: Option<Case>,
    applied: usize,
}

/// The chain meetings of the data set, every two weeks (on the tenth day and every fourteenth
/// after it), given every participant's script: each adopts the agenda its day generates
/// ([`MeetingAgenda::build`](perspectief_core::report::MeetingAgenda::build), from the
/// cases as they stand at the meeting, as the service builds it), discusses most people on it
/// (3.2.f), advises on ending the guidance of those who stopped turning up or whose trajectory
/// is due to end, and decides on it (3.2.g). After an adopted advice to end guidance the
/// participant's script changes: what they would have done after the meeting is dropped, the
/// termination talk follows within days and the outflow "ended by chain decision" soon after.
///
/// Changed scripts must be replayed with the meetings, in time order (the outflow needs the
/// meeting's decision first); every step of both is checked against the core here, as
/// [`participant`] does. The meetings are held at eight in the morning, before any
/// participant's step of the day (those fall from nine), so a meeting sees the day before.
pub fn chain_meetings(config: &Config, people: &mut [ParticipantScript]) -> Vec<MeetingScript> {
    use perspectief_core::meeting::ChainDecision;
    use perspectief_core::report::{AgendaQuery, MeetingAgenda};

    let mut follow: Vec<Follow> = people.iter().map(|_| Follow { case: None, applied: 0 }).collect();
    let mut meetings: Vec<MeetingScript> = Vec::new();
    // The previous meeting, whole: its termination talks fall within eight days, before the
    // next meeting.
    let mut previous: Option<ChainMeeting> = None;
    let lead = config.lead;
    let mut date = config.start.checked_add_days(Days::new(10)).unwrap_or(config.start);
    let mut n = 0u64;
    while date <= config.end() {
        let mut rng = Rng::new(config.seed ^ 0xC4A1, n);
        let id = MeetingId::from_u128((0x5157_0003_u128 << 96) | u128::from(n));
        let held = at(date, 8, 0);
        // Every case as it stands when the meeting starts.
        for (p, f) in follow.iter_mut().enumerate() {
            advance(&mut people[p], f, held);
        }
        let ctx = |now: DateTime<Utc>| CommandContext { actor: lead, now, today: now.date_naive() };
        let (mut meeting, _) = ChainMeeting::schedule(id, date, &ctx(held));
        let active: Vec<&Case> = follow.iter().filter_map(|f| f.case.as_ref()).filter(|c| c.is_active()).collect();
        let agenda = MeetingAgenda::build(active, &AgendaQuery::for_meeting(date), previous.as_ref());
        let adds: Vec<MeetingCommand> = agenda
            .entries
            .iter()
            .map(|e| MeetingCommand::AddToAgenda { participant: e.participant, reasons: e.reasons.clone() })
            .collect();
        if meeting.adopt_agenda(&agenda, &ctx(held)).is_err() {
            break;
        }
        let mut steps = vec![MeetingStep { at: held, actor: lead, action: MeetingAction::AdoptAgenda { adds } }];
        let mut second = 0i64;
        let mut ended: Vec<usize> = Vec::new();
        for entry in &agenda.entries {
            let Some(p) = people.iter().position(|s| s.register.id == entry.participant) else { continue };
            let Some(case) = follow[p].case.clone() else { continue };
            let away = entry.reasons.iter().any(|r| matches!(r, AgendaReason::NoContact { days } if *days > 56));
            let due = entry
                .reasons
                .iter()
                .any(|r| matches!(r, AgendaReason::TerminationAdviceDue | AgendaReason::PastLimitWithoutAdvice { .. }));
            let advise = (away || due) && case.adopted_termination().is_none() && rng.chance(80);
            let participant = entry.participant;
            let commands = if advise {
                let advice = if rng.chance(75) { Advice::EndGuidanceAndShelter } else { Advice::Continue };
                let adopted = rng.chance(80);
                vec![
                    MeetingCommand::AdviseTermination {
                        participant,
                        advice,
                        reasoning: text("Geen contact meer; advies aan de keten (synthetisch)."),
                    },
                    MeetingCommand::RecordChainDecision {
                        participant,
                        decision: ChainDecision { adopted, note: None },
                    },
                ]
            } else if rng.chance(80) {
                vec![MeetingCommand::RecordDiscussion {
                    participant,
                    information_supplied: Some(text("Voortgang toegelicht (synthetisch).")),
                    decision: rng.chance(50).then(|| text("Afspraken gemaakt (synthetisch).")),
                }]
            } else {
                vec![]
            };
            let mut case = case;
            for cmd in commands {
                second += 1;
                let when = held + chrono::Duration::seconds(second);
                if let Some(case_after) = meeting_step(&mut meeting, &case, &cmd, &ctx(when)) {
                    case = case_after;
                    steps.push(MeetingStep { at: when, actor: lead, action: MeetingAction::Command(cmd) });
                }
            }
            if case.adopted_termination().is_some()
                && follow[p].case.as_ref().is_some_and(|c| c.adopted_termination().is_none())
            {
                ended.push(p);
            }
            follow[p].case = Some(case);
        }
        // After an adopted advice to end guidance: the termination talk within days, then the
        // outflow; what the participant would have done after the meeting does not happen.
        for (k, p) in ended.into_iter().enumerate() {
            let script = &mut people[p];
            script.steps.truncate(follow[p].applied);
            let talk_on = date.checked_add_days(Days::new(2 + rng.below(7))).unwrap_or(date);
            if talk_on > config.end() {
                continue;
            }
            let when = at(talk_on, 8, 30) + chrono::Duration::seconds(k as i64);
            let participant = script.register.id;
            let talk = MeetingCommand::RecordTerminationTalk { participant, on: talk_on };
            let Some(case) = follow[p].case.clone() else { continue };
            let Some(case) = meeting_step(&mut meeting, &case, &talk, &ctx(when)) else { continue };
            steps.push(MeetingStep { at: when, actor: lead, action: MeetingAction::Command(talk) });
            follow[p].case = Some(case.clone());
            let out_on = talk_on.checked_add_days(Days::new(rng.below(10))).unwrap_or(talk_on);
            let out_at = at(out_on, 9 + rng.below(8) as u32, rng.below(60) as u32);
            let outflow = CaseCommand::RecordOutflow {
                outcome: OutflowOutcome::EndedByChainDecision,
                on: out_on,
                note: Some(text("Beëindigd na besluit ketenoverleg (synthetisch).")),
            };
            let worker = case.profile().project_worker;
            let mut check = case;
            let accepted = out_on <= config.end()
                && check
                    .execute(outflow.clone(), &CommandContext { actor: worker, now: out_at, today: out_on })
                    .is_ok();
            if accepted {
                script.steps.push(Step { at: out_at, actor: worker, command: outflow });
            }
        }
        steps.sort_by_key(|s| s.at);
        let scheduled_on = date.checked_sub_days(Days::new(7)).unwrap_or(date);
        meetings.push(MeetingScript { id, date, scheduled_at: at(scheduled_on, 8, 0), actor: lead, steps });
        previous = Some(meeting);
        date = date.checked_add_days(Days::new(14)).unwrap_or(date);
        n += 1;
    }
    meetings
}

/// Apply a participant's script up to (not including) `until`: registered when it is time,
/// each step through the core. A step the core refuses now (the meetings changed the case) is
/// dropped from the script, which stays valid.
fn advance(script: &mut ParticipantScript, f: &mut Follow, until: DateTime<Utc>) {
    if f.case.is_none() {
        if script.registered_at() >= until {
            return;
        }
        let worker = script.register.profile.project_worker;
        let ctx = CommandContext { actor: worker, now: script.registered_at(), today: script.register.registered_on };
        match Case::register(script.register.clone(), &ctx) {
            Ok((case, _)) => f.case = Some(case),
            Err(_) => return,
        }
    }
    let Some(case) = f.case.as_mut() else { return };
    while let Some(step) = script.steps.get(f.applied).filter(|s| s.at < until) {
        let ctx = CommandContext { actor: step.actor, now: step.at, today: step.at.date_naive() };
        if case.execute(step.command.clone(), &ctx).is_ok() {
            f.applied += 1;
        } else {
            script.steps.remove(f.applied);
        }
    }
}

/// Execute `cmd` on the meeting and bring its records to the participant's case, both or
/// neither (as the service does in one transaction): the case after it, or `None` when the
/// meeting or the case refuses.
fn meeting_step(meeting: &mut ChainMeeting, case: &Case, cmd: &MeetingCommand, ctx: &CommandContext) -> Option<Case> {
    let mut m = meeting.clone();
    m.execute(cmd.clone(), ctx).ok()?;
    let mut c = case.clone();
    if let Some((_, records)) = m.case_records(cmd) {
        c.record_chain_meeting(records, ctx).ok()?;
    }
    *meeting = m;
    Some(c)
}

/// Record one step of a meeting's script through `svc` (the clock set to the step's time
/// for a recording on the day). `from_minutes`: the agenda is entered as the people the
/// meeting had on it, one [`MeetingCommand::AddToAgenda`] each, instead of adopted from the
/// agenda the service generates now (which, recorded afterwards, would see later days'
/// data). An adoption that gives other people than the script expects is refused with
/// [`DomainError::InvalidInput`] on `adopt_agenda`: the generator and the service disagree.
pub async fn record_meeting_step<S: perspectief_core::service::PerspectiefService>(
    svc: &S,
    meeting: MeetingId,
    step: &MeetingStep,
    caller: &perspectief_core::service::Caller,
    from_minutes: bool,
) -> Result<(), DomainError> {
    match &step.action {
        MeetingAction::AdoptAgenda { adds } if from_minutes => {
            for cmd in adds {
                svc.execute_meeting(caller, meeting, None, cmd.clone()).await?;
            }
        }
        MeetingAction::AdoptAgenda { adds } => {
            let before: BTreeSet<ParticipantId> =
                svc.get_meeting(caller, meeting).await?.items().map(|i| i.participant).collect();
            let after = svc.adopt_agenda(caller, meeting, None).await?;
            let added: Vec<MeetingCommand> = after
                .items()
                .filter(|i| !before.contains(&i.participant))
                .map(|i| MeetingCommand::AddToAgenda { participant: i.participant, reasons: i.reasons.clone() })
                .collect();
            let mut expected = adds.clone();
            expected.sort_by_key(|c| c.adds_participant());
            if added != expected {
                return Err(DomainError::field(
                    "adopt_agenda",
                    ViolationCode::Invalid,
                    "the service adopted another agenda than the script expects",
                ));
            }
        }
        MeetingAction::Command(cmd) => {
            svc.execute_meeting(caller, meeting, None, cmd.clone()).await?;
        }
    }
    Ok(())
}

/// Accounts a replay acts as: the caller for a project worker of the data set.
pub type CallerFor<'a> = &'a (dyn Fn(UserId) -> perspectief_core::service::Caller + Sync);

/// Replay a participant's script through `svc`, calling `set_clock` with each step's time first
/// (give the service a manual clock). Returns the number of commands recorded.
pub async fn replay<S: perspectief_core::service::PerspectiefService>(
    svc: &S,
    script: &ParticipantScript,
    caller_for: CallerFor<'_>,
    set_clock: &(dyn Fn(DateTime<Utc>) + Sync),
) -> Result<usize, DomainError> {
    set_clock(script.registered_at());
    let registrar = caller_for(script.register.profile.project_worker);
    svc.register_participant(&registrar, script.register.clone()).await?;
    for step in &script.steps {
        set_clock(step.at);
        svc.execute(&caller_for(step.actor), script.register.id, None, step.command.clone()).await?;
    }
    Ok(1 + script.steps.len())
}

/// Replay a session's script through `svc` (see [`replay`]).
pub async fn replay_session<S: perspectief_core::service::PerspectiefService>(
    svc: &S,
    script: &SessionScript,
    caller: &perspectief_core::service::Caller,
    set_clock: &(dyn Fn(DateTime<Utc>) + Sync),
) -> Result<usize, DomainError> {
    set_clock(script.planned_at);
    svc.plan_session(caller, script.plan.clone()).await?;
    for (when, command) in &script.steps {
        set_clock(*when);
        svc.execute_session(caller, script.plan.id, None, command.clone()).await?;
    }
    Ok(1 + script.steps.len())
}

/// What a load recorded.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    /// Participants registered.
    pub participants: u64,
    /// Commands recorded (registrations and session commands included).
    pub commands: u64,
    /// Commands the core refused at the service's clock, skipped.
    pub skipped: u64,
    /// Contact moments recorded.
    pub contact_moments: u64,
}

impl Loaded {
    /// Add another load's counts.
    pub fn add(&mut self, other: Loaded) {
        self.participants += other.participants;
        self.commands += other.commands;
        self.skipped += other.skipped;
        self.contact_moments += other.contact_moments;
    }
}

/// Whether the core refused a command for a rule (at the clock the service has, or because it
/// refers to a record a skipped command would have made), rather than failing.
fn refused_by_a_rule(e: &DomainError) -> bool {
    matches!(
        e,
        DomainError::InvalidInput(_)
            | DomainError::IllegalPhaseTransition { .. }
            | DomainError::IllegalStatusTransition { .. }
            | DomainError::TrajectoryClosed { .. }
            | DomainError::RuleViolated { .. }
            | DomainError::NotFound { .. }
    )
}

/// Load a participant's script through `svc` whose clock stays where it is (just after the
/// data set): many writers can then load at once. Commands the core refuses at that clock (a
/// goal whose deadline lies before it, say) are skipped and counted; contact moments, the
/// bulk of the data, are all accepted. Any other error stops the load.
pub async fn load_participant<S: perspectief_core::service::PerspectiefService>(
    svc: &S,
    script: &ParticipantScript,
    caller_for: CallerFor<'_>,
) -> Result<Loaded, DomainError> {
    svc.register_participant(&caller_for(script.register.profile.project_worker), script.register.clone()).await?;
    let mut loaded = Loaded { participants: 1, commands: 1, ..Loaded::default() };
    for step in &script.steps {
        match svc.execute(&caller_for(step.actor), script.register.id, None, step.command.clone()).await {
            Ok(_) => {
                loaded.commands += 1;
                if matches!(step.command, CaseCommand::LogContact(_)) {
                    loaded.contact_moments += 1;
                }
            }
            Err(e) if refused_by_a_rule(&e) => loaded.skipped += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(loaded)
}

/// Load participants' scripts and the chain meetings held about them ([`chain_meetings`]) like
/// [`load_participant`], at the service's clock, in the one order that keeps the rules: every
/// registration, case step, meeting scheduled and meeting step at its own moment (a meeting step
/// writes to a participant's case, and an outflow ended by chain decision follows the adopted
/// advice). A meeting's agenda is entered from its minutes (one item per person), as a late
/// recorder would: adopting it now would see the cases as they are today. Returns what was
/// loaded; `loaded.commands` counts the meeting steps too.
pub async fn load_with_meetings<S: perspectief_core::service::PerspectiefService>(
    svc: &S,
    people: &[ParticipantScript],
    meetings: &[MeetingScript],
    caller_for: CallerFor<'_>,
    registered: &(dyn Fn() + Sync),
) -> Result<Loaded, DomainError> {
    #[derive(Clone, Copy)]
    enum Event {
        Register(usize),
        Step(usize, usize),
        Schedule(usize),
        MeetingStep(usize, usize),
    }
    let mut timeline: Vec<(DateTime<Utc>, Event)> = Vec::new();
    for (p, s) in people.iter().enumerate() {
        timeline.push((s.registered_at(), Event::Register(p)));
        timeline.extend(s.steps.iter().enumerate().map(|(i, step)| (step.at, Event::Step(p, i))));
    }
    for (m, s) in meetings.iter().enumerate() {
        timeline.push((s.scheduled_at, Event::Schedule(m)));
        timeline.extend(s.steps.iter().enumerate().map(|(i, step)| (step.at, Event::MeetingStep(m, i))));
    }
    // Stable: a script's own steps keep their order when they share a moment.
    timeline.sort_by_key(|(at, _)| *at);
    let mut loaded = Loaded::default();
    for (_, event) in timeline {
        let outcome = match event {
            Event::Register(p) => {
                let s = &people[p];
                svc.register_participant(&caller_for(s.register.profile.project_worker), s.register.clone()).await?;
                loaded.participants += 1;
                loaded.commands += 1;
                registered();
                continue;
            }
            Event::Step(p, i) => {
                let (s, step) = (&people[p], &people[p].steps[i]);
                let done = svc.execute(&caller_for(step.actor), s.register.id, None, step.command.clone()).await;
                if done.is_ok() && matches!(step.command, CaseCommand::LogContact(_)) {
                    loaded.contact_moments += 1;
                }
                done.map(|_| ())
            }
            Event::Schedule(m) => {
                let s = &meetings[m];
                svc.schedule_meeting(&caller_for(s.actor), s.id, s.date).await.map(|_| ())
            }
            Event::MeetingStep(m, i) => {
                let step = &meetings[m].steps[i];
                record_meeting_step(svc, meetings[m].id, step, &caller_for(step.actor), true).await
            }
        };
        match outcome {
            Ok(()) => loaded.commands += 1,
            Err(e) if refused_by_a_rule(&e) => loaded.skipped += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(loaded)
}

/// Load a session's script like [`load_participant`]: planned, then its attendance and head
/// count, skipping what the core refuses at the service's clock.
pub async fn load_session<S: perspectief_core::service::PerspectiefService>(
    svc: &S,
    script: &SessionScript,
    caller: &perspectief_core::service::Caller,
) -> Result<Loaded, DomainError> {
    svc.plan_session(caller, script.plan.clone()).await?;
    let mut loaded = Loaded { commands: 1, ..Loaded::default() };
    for (_, command) in &script.steps {
        match svc.execute_session(caller, script.plan.id, None, command.clone()).await {
            Ok(_) => loaded.commands += 1,
            Err(e) if refused_by_a_rule(&e) => loaded.skipped += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new(42, NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(), 18)
    }

    #[test]
    fn scripts_are_deterministic_valid_and_realistic_in_size() {
        let config = config();
        let scripts: Vec<ParticipantScript> = (0..200).map(|i| participant(&config, i)).collect();
        assert_eq!(scripts[17], participant(&config, 17));
        assert_ne!(scripts[17], scripts[18]);
        // Replaying each script through the core from scratch accepts every step.
        for s in &scripts {
            let worker = s.register.profile.project_worker;
            let ctx = CommandContext { actor: worker, now: s.registered_at(), today: s.register.registered_on };
            let (mut case, _) = Case::register(s.register.clone(), &ctx).unwrap();
            for step in &s.steps {
                let today = step.at.date_naive();
                let ctx = CommandContext { actor: step.actor, now: step.at, today };
                case.execute(step.command.clone(), &ctx).unwrap_or_else(|e| panic!("{}: {e}", step.command.name()));
            }
        }
        let contacts: usize = scripts.iter().map(ParticipantScript::contact_moments).sum();
        // About 2M contact moments per 100k participants is the scale the benchmarks aim at.
        assert!((1_000..=6_000).contains(&contacts), "{contacts} contact moments for 200 participants");
        let outflows = scripts
            .iter()
            .filter(|s| s.steps.iter().any(|st| matches!(st.command, CaseCommand::RecordOutflow { .. })))
            .count();
        assert!(outflows > 10 && outflows < 150, "{outflows} outflows");
        let explored = scripts
            .iter()
            .filter(|s| s.steps.iter().any(|st| matches!(st.command, CaseCommand::StartReturnExploration { .. })))
            .count();
        assert!(explored > 20, "{explored} return explorations");
        let nationalities: BTreeSet<_> = scripts.iter().map(|s| s.register.profile.nationalities.clone()).collect();
        assert!(nationalities.len() > 8);
        // Every trajectory starts with the orientation talk: nobody has a plan without one
        // (a talk dated after its recording used to be refused and lost).
        let has = |s: &ParticipantScript, f: &dyn Fn(&CaseCommand) -> bool| s.steps.iter().any(|st| f(&st.command));
        for s in &scripts {
            let talk = |c: &CaseCommand| matches!(c, CaseCommand::LogContact(c) if c.activities.contains(&ActivityCode::OrientationTalks));
            let plan = |c: &CaseCommand| matches!(c, CaseCommand::RevisePlan { .. });
            assert!(!has(s, &plan) || has(s, &talk), "participant {} has a plan without a talk", s.register.id);
        }
        let count = |f: &dyn Fn(&CaseCommand) -> bool| {
            scripts.iter().flat_map(|s| &s.steps).filter(|st| f(&st.command)).count()
        };
        let assessments = count(&|c| matches!(c, CaseCommand::RecordSelfReliance { .. }));
        let reports = count(&|c| matches!(c, CaseCommand::RecordProgressReport { .. }));
        let overrides =
            count(&|c| matches!(c, CaseCommand::RecordJudgmentCommunicated { consent_override: Some(_), .. }));
        let departure_steps = count(&|c| matches!(c, CaseCommand::RecordDepartureStep(_)));
        let rean = count(&|c| matches!(c, CaseCommand::UpdateReanChecklist(_)));
        // At intake and every three to four months; a report every few months with consent.
        assert!((400..=1_500).contains(&assessments), "{assessments} ZRM assessments for 200 participants");
        assert!((200..=1_200).contains(&reports), "{reports} progress reports");
        assert!(
            overrides > 0 && departure_steps > 10 && rean > 5,
            "{overrides} overrides, {departure_steps} departure steps, {rean} REAN"
        );
        assert!(
            scripts
                .iter()
                .flat_map(|s| &s.steps)
                .filter(|st| matches!(
                    st.command,
                    CaseCommand::RecordJudgmentCommunicated { consent_override: Some(_), .. }
                ))
                .all(|st| st.actor == config.lead)
        );
    }

    #[test]
    fn chain_meetings_are_biweekly_and_end_trajectories_only_on_an_adopted_advice() {
        let config = Config::new(5, NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(), 12);
        let original: Vec<ParticipantScript> = (0..60).map(|i| participant(&config, i)).collect();
        let mut people = original.clone();
        let meetings = chain_meetings(&config, &mut people);
        let mut again = original.clone();
        assert_eq!(meetings, chain_meetings(&config, &mut again), "deterministic");
        assert_eq!(people, again);
        assert!(meetings.len() >= 25);
        for pair in meetings.windows(2) {
            assert_eq!(pair[1].date - pair[0].date, chrono::Duration::days(14));
        }
        let ended_by_chain = |s: &Step| {
            matches!(s.command, CaseCommand::RecordOutflow { outcome: OutflowOutcome::EndedByChainDecision, .. })
        };
        let mut ended = 0;
        for (before, after) in original.iter().zip(&people) {
            let Some(outflow) = after.steps.iter().find(|s| ended_by_chain(s)) else {
                assert_eq!(before, after, "only an ended trajectory changes");
                continue;
            };
            ended += 1;
            // What stays of the script is a prefix of what the participant would have done.
            let kept = after.steps.len() - 1;
            assert_eq!(after.steps[..kept], before.steps[..kept]);
            // The meeting adopted an advice to end guidance before it, and held the talk.
            let id = after.register.id;
            let adopted = meetings.iter().flat_map(|m| &m.steps).any(|s| {
                s.at < outflow.at
                    && matches!(&s.action, MeetingAction::Command(MeetingCommand::RecordChainDecision { participant, decision }) if *participant == id && decision.adopted)
            });
            let talk = meetings.iter().flat_map(|m| &m.steps).any(|s| {
                s.at < outflow.at
                    && matches!(&s.action, MeetingAction::Command(MeetingCommand::RecordTerminationTalk { participant, .. }) if *participant == id)
            });
            assert!(adopted && talk, "participant {id}");
        }
        assert!(ended >= 2, "{ended} ended by chain decision");
        let discussed = meetings
            .iter()
            .flat_map(|m| &m.steps)
            .filter(|s| matches!(s.action, MeetingAction::Command(MeetingCommand::RecordDiscussion { .. })))
            .count();
        assert!(discussed >= 100, "{discussed} discussions");
    }

    #[test]
    fn sessions_draw_attendance_from_registered_participants() {
        let config = config();
        let registered: Vec<_> =
            (0..50).map(|i| participant(&config, i)).map(|s| (s.register.id, s.register.registered_on)).collect();
        let sessions = sessions(&config, &registered);
        assert!(sessions.len() > 70);
        for s in &sessions {
            let (mut session, _) = perspectief_core::session::InformationSession::plan(
                s.plan.clone(),
                &CommandContext { actor: UserId::from_u128(1), now: s.planned_at, today: s.planned_at.date_naive() },
            )
            .unwrap();
            for (when, cmd) in &s.steps {
                if let SessionCommand::RegisterAttendance { participant } = cmd {
                    let registered_on = registered.iter().find(|(id, _)| id == participant).unwrap().1;
                    assert!(registered_on <= s.plan.date);
                }
                let ctx = CommandContext { actor: UserId::from_u128(1), now: *when, today: when.date_naive() };
                session.execute(cmd.clone(), &ctx).unwrap();
            }
        }
    }
}
