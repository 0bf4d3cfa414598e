//! `perspectief contact`: contact moments (also the rows of a contacts import).

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use perspectief_core::DomainError;
use perspectief_core::access::DataCategory;
use perspectief_core::case::CaseCommand;
use perspectief_core::contact::{ContactKind, ContactLocation};
use perspectief_core::ids::{AgreementId, ContactId};
use perspectief_core::input::{AgreementInput, LocationInput, LocationKind, LogContactInput};
use perspectief_core::organisation::DirectoryService;
use perspectief_core::plan::Responsible;
use perspectief_core::service::PerspectiefService;
use serde_json::json;

use super::case::{Expect, Written, load, local_time, new_id, write};
use super::{required, users};
use crate::args::{now, parse_instant};
use crate::choice;
use crate::context::Ctx;
use crate::exit::{Failure, Result};
use crate::output::{self, col, obj, short, term_col};
use crate::t;

#[derive(Debug, Args, Default)]
pub struct ContactArgs {
    /// Het id van het contactmoment (een UUID), gekozen door wie het vastlegt: dezelfde
    /// opdracht nog eens (bijv. na een verbroken verbinding) maakt dan geen tweede
    #[arg(long, value_name = "UUID")]
    pub id: Option<String>,
    /// Soort contact
    #[arg(long, value_parser = choice!(ContactKind, ["individual_talk", "phone", "group_session", "chain_meeting", "partner_contact", "shelter_visit", "accompaniment", "monitoring"]))]
    pub kind: Option<ContactKind>,
    /// Wanneer (JJJJ-MM-DD UU:MM of een dag en een tijd zoals "gisteren 14:30", Amsterdamse tijd; standaard nu)
    #[arg(long, value_parser = parse_instant, value_name = "MOMENT", allow_hyphen_values = true)]
    pub at: Option<DateTime<Utc>>,
    /// Waar: office, remote, lvv:NAAM, partner:NAAM of external:NAAM
    #[arg(long, value_name = "PLAATS")]
    pub location: Option<String>,
    /// Activiteitnummer(s), bijv. 5.2.a(2) (herhaalbaar; zie `perspectief activiteiten`)
    #[arg(long = "activity", value_name = "CODE")]
    pub activities: Vec<String>,
    /// Samenvatting van het gesprek
    #[arg(long)]
    pub summary: Option<String>,
    /// Gegevenscategorie van de inhoud
    #[arg(long, value_parser = choice!(DataCategory, ["guidance", "legal", "medical_psychosocial", "criminal_history", "return"]))]
    pub category: Option<DataCategory>,
    /// Betrokken partner (organisatie)
    #[arg(long, value_name = "ORGANISATIE")]
    pub partner: Option<String>,
    /// Duur in minuten
    #[arg(long, value_name = "MINUTEN")]
    pub duration: Option<u32>,
    /// Andere aanwezige medewerkers (herhaalbaar)
    #[arg(long = "staff", value_name = "GEBRUIKER")]
    pub staff: Vec<String>,
    /// Gemaakte afspraak: "OMSCHRIJVING@DATUM" (herhaalbaar; de deelnemer moet iets doen)
    #[arg(long = "agreement", value_name = "AFSPRAAK@DATUM")]
    pub agreements: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ContactCmd {
    /// Leg een contactmoment vast (vraagt op een terminal om wat ontbreekt)
    #[command(visible_alias = "vastleggen")]
    Log {
        participant: String,
        #[command(flatten)]
        contact: Box<ContactArgs>,
        #[command(flatten)]
        expect: Expect,
    },
    /// De contactmomenten van een deelnemer
    #[command(visible_alias = "ls")]
    List { participant: String },
}

/// `office`, `remote`, `lvv:NAME`, `partner:NAME`, `external:NAME`.
fn location(v: &str) -> Result<LocationInput> {
    let (kind, name) = v.split_once(':').map_or((v, None), |(k, n)| (k, Some(n.trim().to_owned())));
    let kind = match kind.trim().to_lowercase().as_str() {
        "office" | "kantoor" => LocationKind::Office,
        "remote" | "op-afstand" | "telefoon" => LocationKind::Remote,
        "lvv" | "lvv_location" => LocationKind::LvvLocation,
        "partner" => LocationKind::Partner,
        "external" | "extern" => LocationKind::External,
        _ => return Err(Failure::field("--location", t!("violation-location", value = v))),
    };
    Ok(LocationInput { kind, name })
}

/// `DESCRIPTION@DATE`.
fn agreement_arg(v: &str) -> Result<AgreementInput> {
    let (description, due) =
        v.rsplit_once('@').ok_or_else(|| Failure::field("--agreement", t!("violation-agreement-format")))?;
    let due_on = crate::args::parse_date(due).map_err(|e| Failure::field("--agreement", e))?;
    Ok(AgreementInput { description: description.trim().to_owned(), due_on, who_acts: Responsible::Participant })
}

/// Build a contact moment from flags (asking on a terminal for what is missing).
pub async fn contact_input<S: DirectoryService>(svc: &S, ctx: &Ctx, a: ContactArgs) -> Result<LogContactInput> {
    let kind = match a.kind {
        Some(k) => k,
        None => {
            let v = required(None, "--kind", "prompt-contact-kind")?;
            crate::args::de::<ContactKind>(v.trim())
                .map_err(|_| Failure::field("--kind", t!("violation-unknown-value", value = v)))?
        }
    };
    let activities = if a.activities.is_empty() {
        let v = required(None, "--activity", "prompt-activity")?;
        v.split([',', ' ']).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    } else {
        a.activities
    };
    let summary = required(a.summary, "--summary", "prompt-summary")?;
    Ok(LogContactInput {
        at: a.at.unwrap_or_else(now),
        kind,
        location: location(a.location.as_deref().unwrap_or("office"))?,
        staff: users(ctx, "--staff", &a.staff)?,
        activities,
        summary,
        category: a.category.unwrap_or(DataCategory::Guidance),
        partner: match a.partner {
            Some(p) => Some(ctx.org(svc, "--partner", &p).await?),
            None => None,
        },
        duration_minutes: a.duration,
        agreements: a.agreements.iter().map(|s| agreement_arg(s)).collect::<Result<_>>()?,
    })
}

/// Turn a contact input into the command, with fresh ids.
pub fn contact_command(input: LogContactInput) -> std::result::Result<(ContactId, CaseCommand), DomainError> {
    contact_command_with(input, None)
}

/// Turn a contact input into the command under the id given (`--id`), or a fresh one; its
/// agreements' ids follow from the contact's, so the same command sent again (a retry, or the
/// same line of a script run again) carries the same ids and the core knows it for a repeat.
pub fn contact_command_with(
    input: LogContactInput,
    id: Option<ContactId>,
) -> std::result::Result<(ContactId, CaseCommand), DomainError> {
    let id = id.unwrap_or_else(|| ContactId::from_uuid(new_id()));
    let agreement_ids: Vec<AgreementId> = (0..input.agreements.len()).map(|i| agreement_id(id, i)).collect();
    Ok((id, input.into_command(id, &agreement_ids)?))
}

/// The id of a contact's `index`-th agreement: a name-based UUID (version 8) of the contact's id.
fn agreement_id(contact: ContactId, index: usize) -> AgreementId {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"perspectief agreement of contact");
    h.update(contact.as_uuid().as_bytes());
    h.update((index as u64).to_be_bytes());
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    AgreementId::from_uuid(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

pub async fn contact_cmd<S: PerspectiefService + DirectoryService>(svc: &S, ctx: &Ctx, cmd: ContactCmd) -> Result<()> {
    match cmd {
        ContactCmd::Log { participant, mut contact, expect } => {
            let chosen = contact
                .id
                .take()
                .map(|v| ContactId::parse(v.trim()).map_err(|_| Failure::field("--id", t!("violation-not_an_id"))))
                .transpose()?;
            let case = load(svc, ctx, &participant).await?;
            let input = contact_input(svc, ctx, *contact).await?;
            let (id, cmd) = contact_command_with(input, chosen)?;
            let explicit = expect.version;
            let written = match write(svc, ctx, &case, expect, cmd.clone()).await {
                // The write was interrupted or its answer lost: the same command again, with
                // the same ids. Not on the version just read, which it may have moved on; a
                // contact already written is answered without a change.
                Err(f) if f.code == crate::exit::UNAVAILABLE => {
                    Written::new(ctx, &case, svc.execute(&ctx.caller, case.id(), explicit, cmd).await?)
                }
                other => other?,
            };
            let phase = written.done.events.iter().find_map(|e| match &e.change {
                perspectief_core::CaseChange::PhaseChanged { to, .. } => Some(*to),
                _ => None,
            });
            let mut sentence = t!("done-contact-logged", id = short(&id.to_string()));
            if let Some(p) = phase {
                sentence = format!("{sentence}; {}", t!("done-phase", phase = crate::i18n::term("phase", p.as_str())));
            }
            written.naming("contact", id).confirm(sentence)
        }
        ContactCmd::List { participant } => {
            let case = load(svc, ctx, &participant).await?;
            let mut contacts: Vec<_> = case.contacts().collect();
            contacts.sort_by_key(|(c, _)| c.at);
            let directory = ctx.directory_if(svc, contacts.iter().any(|(c, _)| c.partner.is_some())).await?;
            let rows: Vec<_> = contacts
                .iter()
                .map(|(c, category)| {
                    let (loc_kind, loc_name) = match &c.location {
                        ContactLocation::Office => ("office", None),
                        ContactLocation::Remote => ("remote", None),
                        ContactLocation::LvvLocation(l) => ("lvv_location", Some(l.to_string())),
                        ContactLocation::Partner(l) => ("partner", Some(l.to_string())),
                        ContactLocation::External(l) => ("external", Some(l.to_string())),
                    };
                    obj(json!({
                        "id": c.id.to_string(),
                        "at": local_time(c.at),
                        "kind": c.kind.as_str(),
                        "location": loc_name.unwrap_or_else(|| crate::i18n::term("location", loc_kind)),
                        "location_kind": loc_kind,
                        "activities": c.activities.iter().map(|a| a.code()).collect::<Vec<_>>(),
                        "summary": c.summary.as_str(),
                        "category": category,
                        "duration_minutes": c.duration_minutes,
                        "partner": c.partner.map(|p| directory.name(p)),
                        "staff": c.staff.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    }))
                })
                .collect();
            let cols = [
                col("id", "col-id"),
                col("at", "col-at"),
                term_col("kind", "col-kind", "contact"),
                col("location", "col-location"),
                col("activities", "col-activities"),
                col("summary", "col-summary"),
            ];
            output::list(ctx.format, &cols, &rows)
        }
    }
}
