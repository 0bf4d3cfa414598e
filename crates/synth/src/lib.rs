//! # perspectief-synth
//!
//! Seeded, deterministic synthetic case data: participants with plausible nationalities,
//! languages and uncertain birth dates, and their trajectories over up to 18 months (plans,
//! goals, agreements, contact moments, referrals, return exploration, obstacles, judgments,
//! departure and outflow), plus information sessions with attendance. For benchmarks, load
//! tests and demonstrations; every name is made up and marked synthetic. Never real data.
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
use perspectief_core::returns::{ExplorationFindings, ReintegrationPlan};
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
        }
    }

    /// The partners as entries of the organisations register (every command that names an
    /// organisation needs it registered): `PARTNER-1` ..., synthetic NGOs serving every
    /// domain. Register them before replaying.
    pub fn partner_organisations(&self, foundation: OrganisationId) -> Vec<perspectief_core::Organisation> {
        self.partners
            .iter()
            .enumerate()
            .filter_map(|(n, id)| {
                perspectief_core::organisation::OrganisationInput {
                    code: format!("PARTNER-{}", n + 1),
                    name: format!("Ketenpartner {} (synthetisch)", n + 1),
                    kind: "ngo".to_owned(),
                    domains: perspectief_core::PartnerDomain::ALL.iter().map(|d| d.as_str().to_owned()).collect(),
                    ..Default::default()
                }
                .into_organisation(*id, foundation)
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

    /// Record `command` on `day` when the core accepts it; a refused command is left out.
    fn try_on(&mut self, day: NaiveDate, command: CaseCommand) -> bool {
        if day > self.config.end() {
            return false;
        }
        // Recorded on the day or, when the script has already moved past it, as soon as it
        // can be: a script's steps are in time order, like the log of a real case.
        let proposed = at(day, 9 + self.rng.below(8) as u32, self.rng.below(60) as u32);
        let when = self.steps.last().map_or(proposed, |s| s.at.max(proposed));
        let ctx = CommandContext { actor: self.worker, now: when, today: when.date_naive() };
        match self.case.execute(command.clone(), &ctx) {
            Ok(_) => {
                self.steps.push(Step { at: when, actor: self.worker, command });
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
        let contact = NewContact {
            id: ContactId::from_u128(self.id()),
            at: at(day, 10, 0),
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
        self.try_on(day, CaseCommand::LogContact(contact))
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

/// The trajectory: orientation, plan, guidance with contacts every few weeks, referrals, the
/// return track for those who consider it, and an outflow for some.
fn trajectory(w: &mut Writer<'_>, registered_on: NaiveDate) {
    let limit = registered_on.checked_add_days(Days::new(540)).unwrap_or(registered_on);
    let last = limit.min(w.config.end());
    let mut day = w.after(registered_on, 1, 14);
    w.contact(day, ContactKind::IndividualTalk, &[ActivityCode::OrientationTalks], DataCategory::Guidance);

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

    if w.rng.chance(50) {
        let partner = *w.rng.pick(&w.config.partners);
        let id = ReferralId::from_u128(w.id());
        let domain = *w.rng.pick(&[PartnerDomain::Legal, PartnerDomain::Medical, PartnerDomain::Shelter]);
        let on = w.after(day, 3, 30);
        if w.try_on(
            on,
            CaseCommand::ProposeReferral {
                id,
                partner,
                domain,
                reason: text("Doorverwijzing (synthetisch)."),
                on: Some(on),
            },
        ) {
            // Sending shares the referral with the partner, so it needs the participant's
            // consent: most give it for what the partner needs; without it the referral stays
            // a proposal (only the project lead could send it anyway, on a recorded reason).
            let consented = w.rng.chance(85) && {
                let consent = ConsentId::from_u128(w.id());
                w.try_on(
                    on,
                    CaseCommand::GiveConsent {
                        id: consent,
                        organisation: partner,
                        categories: BTreeSet::from([domain.category()]),
                        purpose: text("Doorverwijzing (synthetisch)."),
                        given_on: on,
                    },
                )
            };
            let sent = w.after(on, 1, 10);
            if consented
                && w.try_on(
                    sent,
                    CaseCommand::AdvanceReferral {
                        referral: id,
                        to: ReferralStatus::Sent,
                        on: sent,
                        note: None,
                        consent_override: None,
                    },
                )
            {
                let answered = w.after(sent, 5, 30);
                let to = if w.rng.chance(80) { ReferralStatus::Accepted } else { ReferralStatus::Rejected };
                w.try_on(
                    answered,
                    CaseCommand::AdvanceReferral { referral: id, to, on: answered, note: None, consent_override: None },
                );
            }
        }
    }

    let returns = w.rng.chance(45);
    let mut return_day = None;
    if returns {
        let on = w.after(day, 20, 90);
        w.try_on(on, CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on, note: None });
        let findings = ExplorationFindings { documents: Some(text("Documenten (synthetisch).")), ..Default::default() };
        if w.try_on(on, CaseCommand::StartReturnExploration { on, findings }) {
            return_day = Some(on);
        }
    }

    // Guidance until the end of the trajectory or the data set: a contact every one to five weeks.
    let mut contact_day = w.after(day, 7, 21);
    let mut obstacles = Vec::new();
    while contact_day <= last {
        let codes: &[ActivityCode] = match w.rng.below(10) {
            0..5 => &[ActivityCode::SocialGuidance],
            5..7 => &[ActivityCode::MonitorGoals],
            7..8 => &[ActivityCode::KeepPlanCurrent],
            _ => &[ActivityCode::SocialGuidance, ActivityCode::Communication],
        };
        let category = if w.rng.chance(10) { DataCategory::MedicalPsychosocial } else { DataCategory::Guidance };
        let kind = *w.rng.pick(&[ContactKind::IndividualTalk, ContactKind::Phone, ContactKind::ShelterVisit]);
        w.contact(contact_day, kind, codes, category);
        if let Some(start) = return_day.filter(|d| *d <= contact_day) {
            if obstacles.is_empty() && contact_day > start {
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
            } else if !obstacles.is_empty() && w.rng.chance(30) {
                w.try_on(
                    contact_day,
                    CaseCommand::RecordReturnStance { stance: ReturnStance::Decided, on: contact_day, note: None },
                );
                for obstacle in obstacles.clone() {
                    let status =
                        if w.rng.chance(75) { ObstacleStatus::Removed } else { ObstacleStatus::BeingAddressed };
                    w.try_on(
                        contact_day,
                        CaseCommand::ActOnObstacle {
                            obstacle,
                            description: text("Actie (synthetisch)."),
                            status,
                            on: contact_day,
                        },
                    );
                }
                let plan = ReintegrationPlan {
                    housing: Some(text("Huisvesting (synthetisch).")),
                    updated_on: Some(contact_day),
                    ..Default::default()
                };
                w.try_on(contact_day, CaseCommand::UpdateReintegrationPlan(plan));
                let judgment = JudgmentId::from_u128(w.id());
                if w.try_on(
                    contact_day,
                    CaseCommand::RecordJudgment {
                        id: judgment,
                        verdict: Verdict::ReturnRealistic,
                        finality: Finality::Final,
                        reasoning: text("Onderbouwing (synthetisch)."),
                        formed_on: contact_day,
                    },
                ) {
                    w.try_on(
                        contact_day,
                        CaseCommand::RecordJudgmentCommunicated {
                            judgment,
                            to: Recipient::Participant,
                            on: contact_day,
                        },
                    );
                }
                if w.rng.chance(60) {
                    let departed = w.after(contact_day, 14, 40);
                    w.try_on(
                        departed,
                        CaseCommand::RecordOutflow {
                            outcome: OutflowOutcome::DepartedIndependentlySupervised,
                            on: departed,
                            note: None,
                        },
                    );
                    return;
                }
                return_day = None;
            }
        }
        contact_day = w.after(contact_day, 7, 28);
    }
    // Some leave by another route before their limit.
    if !returns && w.rng.chance(25) {
        let on = w.after(day, 60, 300);
        let outcome = *w.rng.pick(&[
            OutflowOutcome::ResidencePermitGranted,
            OutflowOutcome::NewAsylumApplication,
            OutflowOutcome::MovedToOtherShelter,
        ]);
        w.try_on(on, CaseCommand::RecordOutflow { outcome, on, note: None });
    }
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
