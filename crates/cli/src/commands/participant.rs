//! `perspectief participant`: register, list, show, update, assign, confidentiality, phase,
//! history and the participant's document.

use perspectief_core::app::profile::{ProfileField, ProfileFields as _, filled_in, merge_profile};
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use perspectief_core::DomainError;
use perspectief_core::access::{ConfidentialityLevel, DataCategory};
use perspectief_core::case::{Case, CaseCommand};
use perspectief_core::document::DocumentKind;
use perspectief_core::ids::ParticipantId;
use perspectief_core::input::RegisterParticipantInput;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::service::{PageRequest, ParticipantFilter, PerspectiefService};
use perspectief_core::trajectory::Phase;
use serde_json::{Value, json};

use super::case::{Dated, Expect, load, local_time, new_id, write};
use super::{required, text};
use crate::args::{parse_date, today};
use crate::choice;
use crate::cli::OutputFormat;
use crate::context::Ctx;
use crate::exit::{Failure, Result};
use crate::output::{self, Col, col, obj, short, term_col};
use crate::t;

#[derive(Debug, Args, Default)]
pub struct ProfileArgs {
    /// Voornamen
    #[arg(long)]
    pub given_names: Option<String>,
    /// Achternaam
    #[arg(long)]
    pub family_name: Option<String>,
    /// Aliassen (herhaalbaar)
    #[arg(long = "alias", value_name = "NAAM")]
    pub aliases: Vec<String>,
    /// Geboortedatum: JJJJ-MM-DD, JJJJ-MM, JJJJ of ~JJJJ (geschat)
    #[arg(long, value_name = "DATUM")]
    pub date_of_birth: Option<String>,
    /// Land van herkomst (ISO 3166, bijv. ER)
    #[arg(long, value_name = "LAND")]
    pub country_of_origin: Option<String>,
    /// Nationaliteit (ISO 3166, staatloos of onbekend; herhaalbaar)
    #[arg(long = "nationality", value_name = "LAND")]
    pub nationalities: Vec<String>,
    /// Taal (ISO 639, herhaalbaar)
    #[arg(long = "language", value_name = "TAAL")]
    pub languages: Vec<String>,
    /// IND V-nummer (10 cijfers)
    #[arg(long, value_name = "NUMMER")]
    pub v_number: Option<String>,
    /// LVV-locatie
    #[arg(long, value_name = "LOCATIE")]
    pub lvv_location: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ParticipantCmd {
    /// Schrijf een deelnemer in (vraagt op een terminal om wat ontbreekt)
    #[command(visible_alias = "inschrijven")]
    Register {
        #[command(flatten)]
        profile: ProfileArgs,
        /// Datum van inschrijving (start van het traject); standaard vandaag
        #[arg(long, value_parser = parse_date, value_name = "DATUM", allow_hyphen_values = true)]
        registered_on: Option<NaiveDate>,
        /// Projectmedewerker (standaard de handelende medewerker)
        #[arg(long, value_name = "GEBRUIKER")]
        worker: Option<String>,
    },
    /// Lijst van deelnemers
    #[command(visible_alias = "ls")]
    List {
        /// Alleen deze projectmedewerker ("ik" voor uzelf)
        #[arg(long, value_name = "GEBRUIKER")]
        worker: Option<String>,
        /// Alleen deze fase
        #[arg(long, value_parser = choice!(Phase, ["intake", "orientation", "plan_execution", "termination", "closed"]))]
        phase: Option<Phase>,
        /// Ook afgesloten trajecten
        #[arg(long)]
        all: bool,
    },
    /// Het dossier van een deelnemer
    Show {
        /// Deelnemer (id of begin ervan)
        participant: String,
    },
    /// Corrigeer of vul persoonsgegevens aan
    Update {
        participant: String,
        #[command(flatten)]
        profile: ProfileArgs,
        /// Verwijder de achternaam, geboortedatum, ... (veldnaam; herhaalbaar)
        #[arg(long, value_name = "VELD", value_parser = ["family_name", "date_of_birth", "country_of_origin", "v_number", "lvv_location", "aliases", "nationalities", "languages"])]
        clear: Vec<String>,
        #[command(flatten)]
        expect: Expect,
    },
    /// Verhoog de vertrouwelijkheid van een gegevenscategorie van dit dossier (of zet haar terug)
    #[command(visible_alias = "vertrouwelijkheid")]
    Confidentiality {
        participant: String,
        #[arg(long, value_parser = choice!(DataCategory, ["identity", "guidance", "legal", "medical_psychosocial", "criminal_history", "return", "reports"]))]
        category: DataCategory,
        #[arg(long, value_parser = choice!(ConfidentialityLevel, ["openbaar", "beperkt_openbaar", "intern", "zaakvertrouwelijk", "vertrouwelijk", "confidentieel", "geheim", "zeer_geheim"]))]
        level: ConfidentialityLevel,
        /// Waarom
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        expect: Expect,
    },
    /// Wijs een andere projectmedewerker toe
    Assign {
        participant: String,
        /// De nieuwe projectmedewerker
        #[arg(long, value_name = "GEBRUIKER")]
        worker: String,
        #[command(flatten)]
        dated: Dated,
    },
    /// Zet het traject in een andere fase
    Phase {
        participant: String,
        #[arg(long, value_parser = choice!(Phase, ["intake", "orientation", "plan_execution", "termination", "closed"]))]
        to: Phase,
        /// Reden
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        dated: Dated,
    },
    /// De gebeurtenissen in een dossier
    History {
        participant: String,
        /// Alleen de correcties van persoonsgegevens: veld, oude en nieuwe waarde (AVG art. 16)
        #[arg(long)]
        corrections: bool,
    },
    // ---- Documenten voor de deelnemer (#20) ----
    /// Document voor de deelnemer in diens eigen taal (--lang): "Mijn perspectiefplan" of het informatieblad, als afdrukbare HTML (A4)
    #[command(visible_alias = "document-deelnemer")]
    Document {
        participant: String,
        /// Welk document: plan (Mijn perspectiefplan) of sheet (informatieblad over rechten en mogelijkheden)
        #[arg(long, value_parser = parse_document_kind, default_value = "plan", value_name = "DOCUMENT")]
        kind: DocumentKind,
        /// Schrijf het document naar dit bestand (HTML)
        #[arg(long, value_name = "BESTAND")]
        html: PathBuf,
        /// Leg vast dat het document vandaag aan de deelnemer is overhandigd (contactmoment, 5.2.c)
        #[arg(long)]
        hand_over: bool,
        #[command(flatten)]
        expect: Expect,
    },
}

fn parse_document_kind(value: &str) -> std::result::Result<DocumentKind, String> {
    DocumentKind::parse(value).map_err(|e| e.message)
}

fn profile_input(p: &ProfileArgs, base: RegisterParticipantInput) -> RegisterParticipantInput {
    RegisterParticipantInput {
        given_names: p.given_names.clone().unwrap_or(base.given_names),
        family_name: p.family_name.clone().or(base.family_name),
        aliases: if p.aliases.is_empty() { base.aliases } else { p.aliases.clone() },
        date_of_birth: p.date_of_birth.clone().or(base.date_of_birth),
        country_of_origin: p.country_of_origin.clone().or(base.country_of_origin),
        nationalities: if p.nationalities.is_empty() { base.nationalities } else { p.nationalities.clone() },
        languages: if p.languages.is_empty() { base.languages } else { p.languages.clone() },
        v_number: p.v_number.clone().or(base.v_number),
        lvv_location: p.lvv_location.clone().or(base.lvv_location),
        registered_on: base.registered_on,
    }
}

/// The input a stored profile came from (to merge an update into).
fn input_of(case: &Case) -> RegisterParticipantInput {
    let p = case.profile();
    let dob = p.date_of_birth.map(|d| match d {
        perspectief_core::DateOfBirth::Exact { date } => date.to_string(),
        perspectief_core::DateOfBirth::Month { year, month } => format!("{year:04}-{month:02}"),
        perspectief_core::DateOfBirth::Year { year } => format!("{year:04}"),
        perspectief_core::DateOfBirth::Estimated { year } => format!("~{year:04}"),
    });
    RegisterParticipantInput {
        given_names: p.given_names.to_string(),
        family_name: p.family_name.as_ref().map(ToString::to_string),
        aliases: p.aliases.iter().map(ToString::to_string).collect(),
        date_of_birth: dob,
        country_of_origin: p.country_of_origin.map(|c| c.as_str().to_owned()),
        nationalities: p
            .nationalities
            .iter()
            .map(|n| match n {
                perspectief_core::Nationality::Country(c) => c.as_str().to_owned(),
                perspectief_core::Nationality::Stateless => "stateless".to_owned(),
                perspectief_core::Nationality::Unknown => "unknown".to_owned(),
            })
            .collect(),
        languages: p.languages.iter().map(|l| l.as_str().to_owned()).collect(),
        v_number: p.v_number.as_ref().map(|v| v.as_str().to_owned()),
        lvv_location: p.lvv_location.as_ref().map(ToString::to_string),
        registered_on: None,
    }
}

/// Register a participant (also used by the import).
pub async fn register<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    input: RegisterParticipantInput,
    worker: perspectief_core::UserId,
) -> std::result::Result<Case, DomainError> {
    let cmd = input.into_command(ParticipantId::from_uuid(new_id()), worker, today())?;
    svc.register_participant(&ctx.caller, cmd).await
}

const PARTICIPANT_COLS: &[Col] = &[
    col("id", "col-id"),
    col("name", "col-name"),
    term_col("phase", "col-phase", "phase"),
    term_col("direction", "col-direction", "direction"),
    col("registered_on", "col-registered-on"),
    col("limit_on", "col-limit-on"),
    col("last_contact_on", "col-last-contact"),
    col("project_worker", "col-worker"),
];

fn case_summary(c: &Case) -> serde_json::Map<String, Value> {
    let p = c.profile();
    let limit = c.trajectory().limit();
    let agreed = c.latest_agreed_revision().map(|r| r.number);
    obj(json!({
        "id": c.id().to_string(),
        "name": p.display_name(),
        "aliases": p.aliases.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "date_of_birth": input_of(c).date_of_birth,
        "country_of_origin": p.country_of_origin.map(|x| x.as_str().to_owned()),
        "languages": p.languages.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
        "v_number": p.v_number.as_ref().map(|v| v.as_str().to_owned()),
        "lvv_location": p.lvv_location.as_ref().map(ToString::to_string),
        "project_worker": p.project_worker.to_string(),
        "phase": c.phase().as_str(),
        "direction": c.direction().as_str(),
        "return_stance": c.return_stance().as_str(),
        "registered_on": c.registered_on().to_string(),
        "limit_on": limit.to_string(),
        "plan_revisions": c.plan_revisions().len(),
        "plan_agreed_revision": agreed,
        "goals_open": c.goals().filter(|g| g.status.is_active()).count(),
        "goals_overdue": c.overdue_goals(today()).count(),
        "contacts": c.contacts().count(),
        "referrals": c.referrals().count(),
        "outflow": c.outflow().map(|o| json!({"outcome": o.outcome, "on": o.on.to_string()})),
        "version": c.version(),
    }))
}

const SHOW_COLS: &[Col] = &[
    col("id", "col-id"),
    col("name", "col-name"),
    col("aliases", "col-aliases"),
    col("date_of_birth", "col-date-of-birth"),
    col("country_of_origin", "col-country"),
    col("languages", "col-languages"),
    col("v_number", "col-v-number"),
    col("lvv_location", "col-lvv-location"),
    col("project_worker", "col-worker"),
    term_col("phase", "col-phase", "phase"),
    term_col("direction", "col-direction", "direction"),
    term_col("return_stance", "col-return-stance", "stance"),
    col("registered_on", "col-registered-on"),
    col("limit_on", "col-limit-on"),
    col("plan_revisions", "col-plan-revisions"),
    col("plan_agreed_revision", "col-plan-agreed"),
    col("goals_open", "col-goals-open"),
    col("goals_overdue", "col-goals-overdue"),
    col("contacts", "col-contacts"),
    col("referrals", "col-referrals"),
    col("outflow_outcome", "col-outflow"),
    col("version", "col-version"),
];

pub async fn participant_cmd<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    cmd: ParticipantCmd,
) -> Result<()> {
    match cmd {
        ParticipantCmd::Document { participant, kind, html, hand_over, expect } => {
            let request = crate::commands::documents::DocumentRequest {
                participant,
                kind,
                language: ctx.document_language,
                html,
                hand_over,
                expect_version: expect.version,
            };
            crate::commands::documents::document(svc, ctx, request).await
        }
        ParticipantCmd::Register { profile, registered_on, worker } => {
            let given = required(profile.given_names.clone(), "--given-names", "prompt-given-names")?;
            let mut input = profile_input(&profile, RegisterParticipantInput::default());
            input.given_names = given;
            if profile.family_name.is_none() && super::interactive() && profile.given_names.is_none() {
                input.family_name = super::ask(&t!("prompt-family-name"))?;
            }
            input.registered_on = registered_on;
            let worker = match worker {
                Some(w) => ctx.user("--worker", &w)?,
                None => ctx.me(),
            };
            let case = register(svc, ctx, input, worker).await?;
            let v = json!({ "participant": case.id().to_string(), "version": case.version() });
            output::done(
                ctx.format,
                &format!(
                    "{}\n{}",
                    t!("done-registered", name = case.profile().display_name(), id = case.id()),
                    t!("next-after-register", id = short(&case.id().to_string()))
                ),
                v,
            )
        }
        ParticipantCmd::List { worker, phase, all } => {
            let filter = ParticipantFilter {
                project_worker: worker.map(|w| ctx.user("--worker", &w)).transpose()?,
                phase,
                registered_from: None,
                include_closed: all || phase == Some(perspectief_core::Phase::Closed),
            };
            let mut rows = Vec::new();
            let mut page = PageRequest { page_size: 500, page_token: None };
            loop {
                let result = svc.list_participants(&ctx.caller, filter.clone(), page.clone()).await?;
                let staff = ctx.staff_if(svc, !result.items.is_empty()).await?;
                for p in &result.items {
                    rows.push(obj(json!({
                        "id": p.id.to_string(),
                        "name": p.display_name,
                        "phase": p.phase.as_str(),
                        "direction": p.direction.as_str(),
                        "registered_on": p.registered_on.to_string(),
                        "limit_on": p.limit_on.to_string(),
                        "last_contact_on": p.last_contact_on.map(|d| d.to_string()),
                        "project_worker": staff.name(p.project_worker),
                        "project_worker_id": p.project_worker.to_string(),
                        "version": p.version,
                    })));
                }
                match result.next_page_token {
                    Some(t) => page.page_token = Some(t),
                    None => break,
                }
            }
            output::list(ctx.format, PARTICIPANT_COLS, &rows)
        }
        ParticipantCmd::Show { participant } => {
            let case = load(svc, ctx, &participant).await?;
            if ctx.format == OutputFormat::Json {
                // The whole case file, with every organisation by name and code, not by id.
                let mut value =
                    serde_json::to_value(&case).map_err(|e| Failure::new(crate::exit::INTERNAL, e.to_string()))?;
                ctx.directory(svc).await?.name_ids(&mut value);
                return output::print(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&value)
                        .map_err(|e| Failure::new(crate::exit::INTERNAL, e.to_string()))?
                ));
            }
            let mut row = case_summary(&case);
            row.insert("project_worker".to_owned(), json!(ctx.staff(svc).await?.name(case.profile().project_worker)));
            if let Some(o) = case.outflow() {
                row.insert(
                    "outflow_outcome".to_owned(),
                    json!(crate::i18n::term("outflow", &crate::args::ser(&o.outcome))),
                );
            }
            if let Some(status) = case.limit_status(today(), perspectief_core::trajectory::DEFAULT_LIMIT_WARNING_DAYS) {
                row.insert(
                    "limit_on".to_owned(),
                    json!(format!("{} ({})", case.trajectory().limit(), limit_text(status))),
                );
            }
            output::record(ctx.format, SHOW_COLS, &row)
        }
        ParticipantCmd::Update { participant, profile, clear, expect } => {
            let case = load(svc, ctx, &participant).await?;
            // The flags given and the fields to clear (left empty), merged by the core's rule.
            let blank = RegisterParticipantInput::default();
            let mut given = profile_input(&profile, blank.clone());
            let cleared: Vec<ProfileField> = clear.iter().filter_map(|f| ProfileField::parse(f)).collect();
            for field in &cleared {
                given.take(*field, &blank);
            }
            let mut named = filled_in(&given);
            named.extend(cleared);
            // Given names are required: an empty flag is named (and refused), not ignored.
            if profile.given_names.is_some() {
                named.push(ProfileField::GivenNames);
            }
            let input = merge_profile(&input_of(&case), &given, named);
            let new = input.into_profile(case.profile().project_worker, today())?;
            write(svc, ctx, &case, expect, CaseCommand::UpdateProfile { profile: new })
                .await?
                .confirm(t!("done-profile-updated"))
        }
        ParticipantCmd::Confidentiality { participant, category, level, reason, expect } => {
            let case = load(svc, ctx, &participant).await?;
            let cmd = CaseCommand::SetConfidentiality { category, level, reason: text("--reason", &reason)? };
            let sentence = t!(
                "done-confidentiality",
                category = crate::i18n::term("category", category.as_str()),
                level = crate::i18n::term("level", level.as_str())
            );
            write(svc, ctx, &case, expect, cmd).await?.confirm(sentence)
        }
        ParticipantCmd::Assign { participant, worker, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let worker = ctx.user("--worker", &worker)?;
            write(svc, ctx, &case, expect, CaseCommand::AssignProjectWorker { worker, on })
                .await?
                .confirm(t!("done-assigned", worker = worker))
        }
        ParticipantCmd::Phase { participant, to, reason, dated: Dated { on, expect } } => {
            let case = load(svc, ctx, &participant).await?;
            let cmd = CaseCommand::ChangePhase { to, reason: text("--reason", &reason)?, on };
            write(svc, ctx, &case, expect, cmd)
                .await?
                .confirm(t!("done-phase", phase = crate::i18n::term("phase", to.as_str())))
        }
        ParticipantCmd::History { participant, corrections } => {
            let id = crate::context::participant(svc, ctx, &participant).await?;
            let mut all = Vec::new();
            let mut after = 0;
            loop {
                let events = svc.case_events(&ctx.caller, id, after, 500).await?;
                let Some(last) = events.last() else { break };
                after = last.version;
                let full = events.len() == 500;
                all.extend(events);
                if !full {
                    break;
                }
            }
            // Who did it: a staff member's name where the reader may read the staff directory
            // (the foundation's own staff), the account's id otherwise (a partner's account, or
            // a reader the directory is refused to).
            let staff = match ctx.staff(svc).await {
                Ok(staff) => Some(staff),
                Err(f) if f.code == crate::exit::PERMISSION => None,
                Err(f) => return Err(f),
            };
            let actor_name = |user: perspectief_core::UserId| {
                staff.and_then(|s| s.known(user)).map_or_else(|| user.to_string(), str::to_owned)
            };
            if corrections {
                let shown = |v: &Value| match v {
                    Value::Null => "—".to_owned(),
                    Value::Array(a) if a.is_empty() => "—".to_owned(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let rows: Vec<_> = perspectief_core::privacy::profile_corrections(&all)
                    .iter()
                    .map(|c| {
                        obj(json!({
                            "version": c.version,
                            "at": local_time(c.at),
                            "actor": c.by.to_string(),
                            "actor_name": actor_name(c.by),
                            "field": c.field,
                            "old": shown(&c.old),
                            "new": shown(&c.new),
                        }))
                    })
                    .collect();
                let cols = [
                    col("version", "col-version"),
                    col("at", "col-at"),
                    col("field", "col-field"),
                    col("old", "col-old-value"),
                    col("new", "col-new-value"),
                    col("actor_name", "col-actor"),
                ];
                return output::list(ctx.format, &cols, &rows);
            }
            let rows: Vec<_> = all
                .iter()
                .map(|e| {
                    // The day it happened, and when it was entered if that was another day.
                    let on = e.change.effective_on(e.at);
                    let entered_later = perspectief_core::time::amsterdam_date(e.at) != on;
                    obj(json!({
                        "version": e.version,
                        "on": on.to_string(),
                        "recorded": entered_later.then(|| local_time(e.at)),
                        "at": local_time(e.at),
                        "late": e.late,
                        "actor": e.actor.to_string(),
                        "actor_name": actor_name(e.actor),
                        "change": e.change.kind(),
                        "category": e.change.category(),
                        "activities": e.change.activities().iter().map(|a| a.code()).collect::<Vec<_>>(),
                    }))
                })
                .collect();
            let cols = [
                col("version", "col-version"),
                col("on", "col-date"),
                col("recorded", "col-recorded"),
                col("late", "col-late"),
                term_col("change", "col-change", "change"),
                term_col("category", "col-category", "category"),
                col("activities", "col-activities"),
                col("actor_name", "col-actor"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}

fn limit_text(status: perspectief_core::LimitStatus) -> String {
    match status {
        perspectief_core::LimitStatus::WithinLimit { days_left } => t!("limit-within", days = days_left),
        perspectief_core::LimitStatus::Approaching { days_left } => t!("limit-approaching", days = days_left),
        perspectief_core::LimitStatus::Exceeded { days_over } => t!("limit-exceeded", days = days_over),
    }
}
