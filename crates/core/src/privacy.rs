//! Privacy by design: the subject access export (GDPR art. 15), signed checkpoints of the
//! access log's hash chain, and break-glass access.
//!
//! Everything here is pure. The store gathers what it holds about a person and hands it to
//! [`ParticipantExport::assemble`]; the core decides what belongs in the export, works out from
//! the access log which organisation received what under which consent, and renders the
//! readable document ([`ParticipantExport::to_html`]). Signing a checkpoint needs the store's
//! secret key, but checking one ([`verify_checkpoint`]) needs only the checkpoint, the public
//! key the verifier trusts and the chain's records, so an outside party can do it.
//!
//! # Who may do what
//!
//! - **Subject access export**: the export holds every data category *and* the person's access
//!   log, so the caller needs [`Action::Export`] on every category and [`Action::Read`] on the
//!   audit log (see [`AccessPolicy::decide_subject_export`]): in today's matrix, only the project
//!   lead. The assigned project worker prepares the request; the project lead issues it. The
//!   export is logged with action `export`, purpose `subject_rights`, operation
//!   `export_participant`.
//! - **Checkpoints**: exporting the audit log is the auditor's ([`Action::Export`] on
//!   [`Resource::AuditLog`]); logged as operation `export_checkpoint`.
//! - **Break-glass**: see [`AccessPolicy::decide_break_glass`]. The reason is stored sealed,
//!   never in the access log (which holds ids and codes only); the access log records the read
//!   as operation [`BREAK_GLASS_OPERATION`], and the records are listed for review by whoever
//!   may read the audit log (project lead, auditor), who record their finding once
//!   ([`AccessPolicy::decide_break_glass_review`]: never on their own access).
//! - **Sharing with a partner** (sending a referral): needs an active consent of the
//!   participant covering the partner and the referral's category ([`share_basis`]), or a
//!   project lead's override with a reason ([`AccessPolicy::decide_consent_override`]). The
//!   event records the consent or the reason; an override is also stored with its reason sealed
//!   ([`ConsentOverrideRecord`]) and listed for review like break-glass (project lead, auditor,
//!   never the author). Criminal history is never shared, override or not.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(doc)]
use crate::access::{AccessPolicy, Resource};
use crate::access::{Action, Basis, Consent, DataCategory, Role};
use crate::case::{Case, CaseEvent};
use crate::codes::LanguageCode;
use crate::error::DomainError;
use crate::ids::{
    BreakGlassId, ConsentId, ConsentOverrideId, MeetingId, OrganisationId, ParticipantId, ReferralId, SessionId, UserId,
};
use crate::meeting::{ChainMeeting, MeetingEvent, MeetingItem};
use crate::service::{AuditOutcome, AuditRecord, Caller};
use crate::session::{InformationSession, SessionChange, SessionEvent, SessionTopic};
use crate::text::{Label, Text};

/// The format name written into every export.
pub const EXPORT_FORMAT: &str = "perspectief.participant_export.v1";
/// The format name written into every checkpoint (and into the signed message).
pub const CHECKPOINT_FORMAT: &str = "perspectief.audit_checkpoint.v1";
/// The operation name of a break-glass read in the access log.
pub const BREAK_GLASS_OPERATION: &str = "break_glass_get_case";
/// The hash before the first access-log record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An information session the person attended: the session's own facts, without the other
/// attendees (they are other people's data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendedSession {
    /// The session.
    pub session: SessionId,
    /// Its day.
    pub date: NaiveDate,
    /// Its theme or country.
    pub topic: SessionTopic,
    /// Where.
    pub venue: Label,
    /// In which languages.
    pub languages: BTreeSet<LanguageCode>,
    /// The partner organisation that co-hosted it, if any.
    pub partner: Option<OrganisationId>,
    /// Whether it was cancelled.
    pub cancelled: bool,
}

impl AttendedSession {
    /// The session as the person's export shows it.
    pub fn of(session: &InformationSession) -> Self {
        Self {
            session: session.id(),
            date: session.date(),
            topic: session.topic().clone(),
            venue: session.venue().clone(),
            languages: session.languages().clone(),
            partner: session.partner(),
            cancelled: session.is_cancelled(),
        }
    }
}

/// What a chain-partner meeting said about the person: the meeting and the person's own item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingDiscussion {
    /// The meeting.
    pub meeting: MeetingId,
    /// Its day.
    pub date: NaiveDate,
    /// The item about the person (reasons, information supplied, decision, termination advice).
    pub item: MeetingItem,
}

impl MeetingDiscussion {
    /// The person's item of a meeting, if the meeting discussed them.
    pub fn of(meeting: &ChainMeeting, participant: ParticipantId) -> Option<Self> {
        meeting.items().find(|i| i.participant == participant).map(|item| Self {
            meeting: meeting.id(),
            date: meeting.date(),
            item: item.clone(),
        })
    }
}

/// One access to the person's data by someone, as the access log recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    /// The access-log sequence number.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Which organisation.
    pub organisation: OrganisationId,
    /// In which role.
    pub role: Role,
    /// Which user.
    pub user: UserId,
    /// What was done.
    pub action: Action,
    /// Which data category (absent: the whole case file).
    pub category: Option<DataCategory>,
    /// The operation.
    pub operation: String,
}

impl Disclosure {
    fn of(record: &AuditRecord) -> Self {
        let e = &record.entry;
        Self {
            seq: record.seq,
            at: e.at,
            organisation: e.organisation,
            role: e.role,
            user: e.user,
            action: e.action,
            category: e.category,
            operation: e.operation.clone(),
        }
    }
}

/// A consent and what was received under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentDisclosures {
    /// The consent (organisation, categories, purpose, given, withdrawn).
    pub consent: Consent,
    /// Every successful access whose basis was this consent, oldest first.
    pub received: Vec<Disclosure>,
}

/// What the store holds, handed to [`ParticipantExport::assemble`]. Everything may be passed
/// unfiltered: the core keeps only what is about the person.
#[derive(Debug, Clone)]
pub struct ExportSources {
    /// The case file.
    pub case: Case,
    /// Its events.
    pub events: Vec<CaseEvent>,
    /// Information sessions.
    pub sessions: Vec<InformationSession>,
    /// Chain-partner meetings.
    pub meetings: Vec<ChainMeeting>,
    /// Changes of information sessions.
    pub session_history: Vec<SessionEvent>,
    /// Changes of chain-partner meetings.
    pub meeting_history: Vec<MeetingEvent>,
    /// Access-log records.
    pub access_log: Vec<AuditRecord>,
    /// Break-glass accesses.
    pub break_glass: Vec<BreakGlassRecord>,
}

/// Everything held about one person (GDPR art. 15), as JSON ([`Self::to_json`]) and as a
/// readable document ([`Self::to_html`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantExport {
    /// [`EXPORT_FORMAT`].
    pub format: String,
    /// Whom it is about.
    pub participant: ParticipantId,
    /// When it was made.
    pub generated_at: DateTime<Utc>,
    /// Who made it.
    pub generated_by: UserId,
    /// The case file as it is now: profile, plan and its revisions, goals, agreements, contact
    /// moments, referrals, the return track, self-reliance scores, consents, reports, outflow.
    pub case: Case,
    /// Every change of the case file, oldest first (who did what, when).
    pub events: Vec<CaseEvent>,
    /// The information sessions the person is registered as attending, by date.
    pub sessions: Vec<AttendedSession>,
    /// Every registration and removal of the person's attendance, oldest first (a removed
    /// attendance is no longer in `sessions`, but its record is still held).
    pub session_history: Vec<SessionEvent>,
    /// What chain-partner meetings recorded about the person, by date.
    pub meetings: Vec<MeetingDiscussion>,
    /// Every change of a chain meeting about the person, oldest first.
    pub meeting_history: Vec<MeetingEvent>,
    /// Each consent with what was received under it.
    pub consents: Vec<ConsentDisclosures>,
    /// Every successful access by someone outside the foundation, whatever its basis.
    pub outside_recipients: Vec<Disclosure>,
    /// Every emergency (break-glass) read of the person's case and every earlier export of
    /// everything about them, with its reason.
    pub break_glass: Vec<BreakGlassRecord>,
    /// The person's whole access log (every record naming them, denials included), up to the
    /// export itself (whose own record is written after the export is made).
    pub access_log: Vec<AuditRecord>,
}

impl ParticipantExport {
    /// Put an export together from what the store holds. Sessions the person did not attend,
    /// meetings that did not discuss them, session and meeting changes that do not name them,
    /// and access-log and break-glass records about someone else are left out, whatever is
    /// passed in.
    pub fn assemble(
        foundation: OrganisationId,
        generated_at: DateTime<Utc>,
        generated_by: UserId,
        sources: ExportSources,
    ) -> Self {
        let ExportSources {
            case,
            mut events,
            sessions,
            meetings,
            mut session_history,
            mut meeting_history,
            mut access_log,
            mut break_glass,
        } = sources;
        let participant = case.id();
        break_glass.retain(|b| b.participant == participant);
        break_glass.sort_by_key(|b| (b.at, b.id));
        events.retain(|e| e.participant == participant);
        events.sort_by_key(|e| e.version);
        let mut sessions: Vec<AttendedSession> =
            sessions.iter().filter(|s| s.attendees().contains(&participant)).map(AttendedSession::of).collect();
        sessions.sort_by_key(|s| (s.date, s.session));
        let mut meetings: Vec<MeetingDiscussion> =
            meetings.iter().filter_map(|m| MeetingDiscussion::of(m, participant)).collect();
        meetings.sort_by_key(|m| (m.date, m.meeting));
        session_history.retain(|e| match &e.change {
            SessionChange::AttendanceRegistered { participant: p }
            | SessionChange::AttendanceRemoved { participant: p } => *p == participant,
            _ => false,
        });
        session_history.sort_by_key(|e| (e.at, e.session, e.version));
        meeting_history.retain(|e| e.change.participant() == Some(participant));
        meeting_history.sort_by_key(|e| (e.at, e.meeting, e.version));
        access_log.retain(|r| r.entry.participant == Some(participant));
        access_log.sort_by_key(|r| r.seq);
        let successful = || access_log.iter().filter(|r| r.entry.outcome == AuditOutcome::Success);
        let consents = case
            .consents()
            .iter()
            .map(|c| ConsentDisclosures {
                consent: c.clone(),
                received: successful()
                    .filter(|r| r.entry.basis == Some(Basis::Consent(c.id)))
                    .map(Disclosure::of)
                    .collect(),
            })
            .collect();
        let outside_recipients =
            successful().filter(|r| r.entry.organisation != foundation).map(Disclosure::of).collect();
        Self {
            format: EXPORT_FORMAT.to_owned(),
            participant,
            generated_at,
            generated_by,
            case,
            events,
            sessions,
            session_history,
            meetings,
            meeting_history,
            consents,
            outside_recipients,
            break_glass,
            access_log,
        }
    }

    /// The export as pretty-printed JSON.
    pub fn to_json(&self) -> Result<String, DomainError> {
        serde_json::to_string_pretty(self)
            .map_err(|_| DomainError::Internal { reference: "participant_export_json".to_owned() })
    }

    /// The export as a self-contained HTML document that a person can read and print. Every
    /// text is escaped; nothing in it is executed or fetched.
    pub fn to_html(&self) -> String {
        let mut h = String::with_capacity(16 * 1024);
        h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
        );
        let _ = writeln!(h, "<title>Data held about participant {}</title>", esc(&self.participant.to_string()));
        h.push_str("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .4em;vertical-align:top;text-align:left}dt{font-weight:bold}dd{margin-left:1.5em}</style>\n</head>\n<body>\n");
        let _ = writeln!(h, "<h1>Data held about participant {}</h1>", esc(&self.participant.to_string()));
        let _ = writeln!(
            h,
            "<p>This document lists everything Perspectief holds about this person (GDPR article 15), \
             made on {} (UTC) by user {}. Format: {}.</p>",
            esc(&self.generated_at.format("%Y-%m-%d %H:%M:%S").to_string()),
            esc(&self.generated_by.to_string()),
            esc(&self.format)
        );
        h.push_str("<ol><li>The case file</li><li>Its history</li><li>Information sessions</li><li>Chain-partner meetings</li><li>Consents and what was shared</li><li>Access outside the foundation</li><li>Emergency access</li><li>The access log</li></ol>\n");

        h.push_str("<h2>1. The case file</h2>\n");
        json_html(&to_value(&self.case), &mut h);

        h.push_str("<h2>2. Its history</h2>\n");
        if self.events.is_empty() {
            h.push_str("<p>None.</p>\n");
        } else {
            h.push_str("<table><tr><th>version</th><th>when (UTC)</th><th>by user</th><th>what</th><th>category</th><th>activities</th><th>details</th></tr>\n");
            for e in &self.events {
                let activities: Vec<String> = e.change.activities().iter().map(to_text).collect();
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>",
                    e.version,
                    esc(&instant(e.at)),
                    esc(&e.actor.to_string()),
                    esc(&humanise(e.change.kind())),
                    esc(e.change.category().as_str()),
                    esc(&activities.join(", "))
                );
                json_html(&to_value(&e.change), &mut h);
                h.push_str("</td></tr>\n");
            }
            h.push_str("</table>\n");
        }

        h.push_str("<h2>3. Information sessions</h2>\n");
        if self.sessions.is_empty() {
            h.push_str("<p>None.</p>\n");
        } else {
            h.push_str("<table><tr><th>day</th><th>topic</th><th>venue</th><th>languages</th><th>partner</th><th>cancelled</th></tr>\n");
            for s in &self.sessions {
                let topic = match &s.topic {
                    SessionTopic::Theme(t) => t.as_str().to_owned(),
                    SessionTopic::Country(c) => format!("country {c}"),
                };
                let languages: Vec<String> = s.languages.iter().map(ToString::to_string).collect();
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    s.date,
                    esc(&topic),
                    esc(s.venue.as_str()),
                    esc(&languages.join(", ")),
                    esc(&s.partner.map(|p| p.to_string()).unwrap_or_default()),
                    if s.cancelled { "yes" } else { "no" }
                );
            }
            h.push_str("</table>\n");
        }

        history_html(
            self.session_history.iter().map(|e| (e.at, e.session.to_string(), e.actor, to_value(&e.change))),
            &mut h,
        );

        h.push_str("<h2>4. Chain-partner meetings</h2>\n");
        if self.meetings.is_empty() {
            h.push_str("<p>None.</p>\n");
        }
        for m in &self.meetings {
            let _ = writeln!(h, "<h3>Meeting of {} ({})</h3>", m.date, esc(&m.meeting.to_string()));
            json_html(&to_value(&m.item), &mut h);
        }
        history_html(
            self.meeting_history.iter().map(|e| (e.at, e.meeting.to_string(), e.actor, to_value(&e.change))),
            &mut h,
        );

        h.push_str("<h2>5. Consents and what was shared</h2>\n");
        if self.consents.is_empty() {
            h.push_str("<p>No consents were recorded.</p>\n");
        }
        for c in &self.consents {
            let categories: Vec<&str> = c.consent.categories.iter().map(|c| c.as_str()).collect();
            let _ = writeln!(
                h,
                "<h3>Consent {} for organisation {}</h3>\n<p>Categories: {}. Purpose: {}. Given on {}{}.</p>",
                esc(&c.consent.id.to_string()),
                esc(&c.consent.organisation.to_string()),
                esc(&categories.join(", ")),
                esc(c.consent.purpose.as_str()),
                c.consent.given_on,
                c.consent.withdrawn_on.map(|d| format!(", withdrawn on {d}")).unwrap_or_default()
            );
            disclosures_html(&c.received, &mut h);
        }

        h.push_str("<h2>6. Access outside the foundation</h2>\n");
        disclosures_html(&self.outside_recipients, &mut h);

        h.push_str("<h2>7. Emergency access and earlier exports</h2>\n");
        if self.break_glass.is_empty() {
            h.push_str("<p>None.</p>\n");
        } else {
            h.push_str("<table><tr><th>when (UTC)</th><th>access</th><th>user</th><th>role</th><th>reason</th></tr>\n");
            for b in &self.break_glass {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&instant(b.at)),
                    esc(b.access.as_str()),
                    esc(&b.user.to_string()),
                    esc(b.role.as_str()),
                    esc(b.reason.as_str())
                );
            }
            h.push_str("</table>\n");
        }

        h.push_str("<h2>8. The access log</h2>\n");
        if self.access_log.is_empty() {
            h.push_str("<p>None.</p>\n");
        } else {
            h.push_str("<table><tr><th>#</th><th>when (UTC)</th><th>user</th><th>organisation</th><th>role</th><th>on behalf of</th><th>action</th><th>category</th><th>operation</th><th>purpose</th><th>basis</th><th>outcome</th></tr>\n");
            for r in &self.access_log {
                let e = &r.entry;
                let basis = match e.basis {
                    None => String::new(),
                    Some(Basis::Consent(id)) => format!("consent {id}"),
                    Some(b) => to_text(&b),
                };
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    r.seq,
                    esc(&instant(e.at)),
                    esc(&e.user.to_string()),
                    esc(&e.organisation.to_string()),
                    esc(e.role.as_str()),
                    esc(&e.on_behalf_of.map(|u| u.to_string()).unwrap_or_default()),
                    esc(e.action.as_str()),
                    esc(e.category.map(DataCategory::as_str).unwrap_or("whole case file")),
                    esc(&humanise(&e.operation)),
                    esc(e.purpose.as_str()),
                    esc(&basis),
                    esc(e.outcome.as_str())
                );
            }
            h.push_str("</table>\n");
        }
        h.push_str("</body>\n</html>\n");
        h
    }
}

/// The changes of sessions or meetings about the person: when, which, by whom, what.
fn history_html(changes: impl Iterator<Item = (DateTime<Utc>, String, UserId, serde_json::Value)>, h: &mut String) {
    let mut changes = changes.peekable();
    if changes.peek().is_none() {
        return;
    }
    h.push_str("<h3>Changes</h3>\n<table><tr><th>when (UTC)</th><th>which</th><th>by user</th><th>what</th></tr>\n");
    for (at, which, actor, change) in changes {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>",
            esc(&instant(at)),
            esc(&which),
            esc(&actor.to_string())
        );
        json_html(&change, h);
        h.push_str("</td></tr>\n");
    }
    h.push_str("</table>\n");
}

fn disclosures_html(list: &[Disclosure], h: &mut String) {
    if list.is_empty() {
        h.push_str("<p>Nothing was received.</p>\n");
        return;
    }
    h.push_str("<table><tr><th>#</th><th>when (UTC)</th><th>organisation</th><th>role</th><th>user</th><th>action</th><th>category</th><th>operation</th></tr>\n");
    for d in list {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            d.seq,
            esc(&instant(d.at)),
            esc(&d.organisation.to_string()),
            esc(d.role.as_str()),
            esc(&d.user.to_string()),
            esc(d.action.as_str()),
            esc(d.category.map(DataCategory::as_str).unwrap_or("whole case file")),
            esc(&humanise(&d.operation))
        );
    }
    h.push_str("</table>\n");
}

fn instant(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn to_value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// A serialisable value as plain text (a unit enum variant gives its snake_case name).
fn to_text<T: Serialize>(v: &T) -> String {
    match to_value(v) {
        serde_json::Value::String(s) => s,
        serde_json::Value::Object(m) if m.len() == 1 => m.values().next().map(value_text).unwrap_or_default(),
        other => value_text(&other),
    }
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `snake_case_name` → `snake case name`.
fn humanise(name: &str) -> String {
    name.replace('_', " ")
}

fn esc(text: &str) -> String {
    crate::report::render::escape_html(text)
}

/// Render any value readably: objects as definition lists, arrays as numbered lists, texts
/// escaped. Generic, so every field the case file has is shown, including ones added later.
fn json_html(v: &serde_json::Value, h: &mut String) {
    use serde_json::Value;
    match v {
        Value::Null => h.push('—'),
        Value::Bool(b) => h.push_str(if *b { "yes" } else { "no" }),
        Value::Number(n) => h.push_str(&esc(&n.to_string())),
        Value::String(s) => h.push_str(&esc(s)),
        Value::Array(items) if items.is_empty() => h.push('—'),
        Value::Array(items) => {
            h.push_str("<ol>");
            for item in items {
                h.push_str("<li>");
                json_html(item, h);
                h.push_str("</li>");
            }
            h.push_str("</ol>\n");
        }
        Value::Object(map) if map.is_empty() => h.push('—'),
        Value::Object(map) => {
            h.push_str("<dl>");
            for (key, value) in map {
                let _ = write!(h, "<dt>{}</dt><dd>", esc(&humanise(key)));
                json_html(value, h);
                h.push_str("</dd>");
            }
            h.push_str("</dl>\n");
        }
    }
}

/// The head of the access log's hash chain at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The foundation whose log it is.
    pub foundation: OrganisationId,
    /// The head's sequence number (0 for an empty log).
    pub seq: u64,
    /// The head's hash (hex; [`GENESIS_HASH`] for an empty log).
    pub head_hash: String,
    /// When the checkpoint was made.
    pub at: DateTime<Utc>,
}

impl Checkpoint {
    /// The exact bytes that are signed: the format name and every field, one per line, the time
    /// in microseconds since the epoch (no ambiguity of formatting).
    pub fn signed_message(&self) -> Vec<u8> {
        format!(
            "{CHECKPOINT_FORMAT}\nfoundation {}\nseq {}\nhead {}\nat {}\n",
            self.foundation,
            self.seq,
            self.head_hash,
            self.at.timestamp_micros()
        )
        .into_bytes()
    }
}

/// A checkpoint with its Ed25519 signature and the public key it verifies under. An outside
/// party keeps it, together with the public key published by the foundation, and can later
/// prove with [`verify_checkpoint`] that the log was not rewritten up to that point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCheckpoint {
    /// [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// What is signed.
    pub checkpoint: Checkpoint,
    /// The Ed25519 public key, 64 hex characters.
    pub public_key: String,
    /// The Ed25519 signature over [`Checkpoint::signed_message`], 128 hex characters.
    pub signature: String,
}

/// Why a checkpoint does not verify. Each has a stable [`code`](Self::code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum CheckpointError {
    /// The checkpoint (or the trusted key) is not well-formed.
    #[error("the checkpoint is malformed: {what}")]
    Malformed {
        /// What is wrong.
        what: String,
    },
    /// The checkpoint names another public key than the one the verifier trusts.
    #[error("the checkpoint was not signed with the trusted key")]
    UntrustedKey,
    /// The signature does not match the checkpoint.
    #[error("the checkpoint's signature does not verify (the checkpoint was altered or forged)")]
    BadSignature,
    /// The records given do not include the checkpoint's head.
    #[error("the access log has no record {seq}: it was cut off, or the records given do not reach it")]
    RecordMissing {
        /// The checkpoint's sequence number.
        seq: u64,
    },
    /// The record at the checkpoint's sequence number has another hash: the log was rewritten.
    #[error("record {seq} does not have the hash the checkpoint recorded: the log was rewritten")]
    HeadMismatch {
        /// The checkpoint's sequence number.
        seq: u64,
    },
    /// The records given do not link into one chain.
    #[error("the access log's chain is broken at record {seq}")]
    ChainBroken {
        /// The first record that does not link to its predecessor.
        seq: u64,
    },
}

impl CheckpointError {
    /// Stable snake_case code.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "checkpoint_malformed",
            Self::UntrustedKey => "checkpoint_untrusted_key",
            Self::BadSignature => "checkpoint_bad_signature",
            Self::RecordMissing { .. } => "checkpoint_record_missing",
            Self::HeadMismatch { .. } => "checkpoint_head_mismatch",
            Self::ChainBroken { .. } => "checkpoint_chain_broken",
        }
    }
}

/// What a successful check established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointVerified {
    /// The checkpoint's sequence number: the log up to here is the one that was signed.
    pub seq: u64,
    /// How many of the given records come after it (appended since, linked to it).
    pub records_after: u64,
}

fn hex_decode<const N: usize>(text: &str, what: &str) -> Result<[u8; N], CheckpointError> {
    let malformed = || CheckpointError::Malformed { what: format!("{what} is not {} hexadecimal characters", N * 2) };
    let text = text.trim().as_bytes();
    if text.len() != N * 2 {
        return Err(malformed());
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, pair) in text.chunks(2).enumerate() {
        let (hi, lo) = (nibble(pair[0]).ok_or_else(malformed)?, nibble(pair[1]).ok_or_else(malformed)?);
        out[i] = (hi << 4) | lo;
    }
    Ok(out)
}

/// Lower-case hex of bytes (for adapters that sign).
pub fn hex_encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Check a checkpoint's signature under the key the verifier trusts (64 hex characters, as the
/// foundation published it). The key inside the checkpoint is only a convenience: a checkpoint
/// naming another key is refused, so a forger cannot sign with a key of their own.
pub fn verify_checkpoint_signature(signed: &SignedCheckpoint, trusted_public_key: &str) -> Result<(), CheckpointError> {
    use ed25519_dalek::{Signature, VerifyingKey};
    if signed.format != CHECKPOINT_FORMAT {
        return Err(CheckpointError::Malformed {
            what: format!("unknown format {}", crate::error::echo(&signed.format)),
        });
    }
    let trusted = hex_decode::<32>(trusted_public_key, "the trusted key")?;
    let named = hex_decode::<32>(&signed.public_key, "the public key")?;
    if trusted != named {
        return Err(CheckpointError::UntrustedKey);
    }
    let key = VerifyingKey::from_bytes(&trusted)
        .map_err(|_| CheckpointError::Malformed { what: "the public key is not an Ed25519 key".to_owned() })?;
    let signature = Signature::from_bytes(&hex_decode::<64>(&signed.signature, "the signature")?);
    key.verify_strict(&signed.checkpoint.signed_message(), &signature).map_err(|_| CheckpointError::BadSignature)
}

/// Check a signed checkpoint against the access log's records (a contiguous run of the chain,
/// in any order, that reaches the checkpoint's head; typically all of it): the signature holds
/// under the trusted key, the records link into one chain, and the record at the checkpoint's
/// sequence number has exactly the hash that was signed.
///
/// The records' own hashes are keyed (HMAC under the database's key), so an outside party
/// cannot recompute them; the store's chain verification does that. Together they prove that
/// the log up to the checkpoint is the one that existed when it was signed: whoever rewrites
/// a record, even with the key, changes every hash after it, and so the head the checkpoint
/// holds.
pub fn verify_checkpoint(
    signed: &SignedCheckpoint,
    trusted_public_key: &str,
    records: &[AuditRecord],
) -> Result<CheckpointVerified, CheckpointError> {
    verify_checkpoint_signature(signed, trusted_public_key)?;
    let cp = &signed.checkpoint;
    let mut sorted: Vec<&AuditRecord> = records.iter().collect();
    sorted.sort_by_key(|r| r.seq);
    if let Some(first) = sorted.first()
        && first.seq == 1
        && first.prev_hash != GENESIS_HASH
    {
        return Err(CheckpointError::ChainBroken { seq: 1 });
    }
    for pair in sorted.windows(2) {
        if pair[1].seq != pair[0].seq + 1 || pair[1].prev_hash != pair[0].hash {
            return Err(CheckpointError::ChainBroken { seq: pair[1].seq });
        }
    }
    let records_after = |seq: u64| sorted.iter().filter(|r| r.seq > seq).count() as u64;
    if cp.seq == 0 {
        if cp.head_hash != GENESIS_HASH {
            return Err(CheckpointError::HeadMismatch { seq: 0 });
        }
        return match sorted.first() {
            Some(first) if first.seq != 1 => Err(CheckpointError::RecordMissing { seq: 1 }),
            _ => Ok(CheckpointVerified { seq: 0, records_after: records_after(0) }),
        };
    }
    match sorted.iter().find(|r| r.seq == cp.seq) {
        None => Err(CheckpointError::RecordMissing { seq: cp.seq }),
        Some(r) if r.hash != cp.head_hash => Err(CheckpointError::HeadMismatch { seq: cp.seq }),
        Some(_) => Ok(CheckpointVerified { seq: cp.seq, records_after: records_after(cp.seq) }),
    }
}

/// A break-glass access, as listed for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlassRecord {
    /// Id.
    pub id: BreakGlassId,
    /// When (the same instant as its access-log record, operation [`BREAK_GLASS_OPERATION`]).
    pub at: DateTime<Utc>,
    /// Who.
    pub user: UserId,
    /// Their organisation.
    pub organisation: OrganisationId,
    /// Their role.
    pub role: Role,
    /// Whose case.
    pub participant: ParticipantId,
    /// The reason given (stored sealed, shown only here).
    pub reason: Text,
    /// The review, once someone reviewed it.
    pub review: Option<BreakGlassReview>,
    /// What kind of access it was.
    #[serde(default)]
    pub access: ReviewedAccess,
}

/// An access outside the everyday need-to-know that is recorded with its reason and listed for
/// review: a break-glass read, or a subject access export (which holds medical and criminal
/// content its maker may otherwise not read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewedAccess {
    /// An emergency read of a whole case ([`AccessPolicy::decide_break_glass`]).
    #[default]
    BreakGlassRead,
    /// An export of everything held about a person (art. 15).
    SubjectExport,
    /// An erasure of a whole person on their request (art. 17), carried out on a second
    /// person's confirmation ([`crate::erasure`]). Recorded when it is carried out, by the
    /// confirmer, with the request's reason; reviewed by someone who took part in neither
    /// ([`AccessPolicy::decide_erasure_review`]).
    ErasureOnRequest,
}

impl ReviewedAccess {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BreakGlassRead => "break_glass_read",
            Self::SubjectExport => "subject_export",
            Self::ErasureOnRequest => "erasure_on_request",
        }
    }

    /// The kind named by its stable name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::BreakGlassRead, Self::SubjectExport, Self::ErasureOnRequest].into_iter().find(|k| k.as_str() == name)
    }
}

/// The review of a break-glass access: who judged it, when, and what they found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlassReview {
    /// When.
    pub at: DateTime<Utc>,
    /// The reviewer (never the user whose access is reviewed).
    pub by: UserId,
    /// The finding (stored sealed).
    pub note: Text,
}

/// On which basis something is shared with an organisation outside the foundation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum ShareBasis {
    /// An active consent of the participant covers the organisation and the category.
    Consent {
        /// The covering consent.
        consent: ConsentId,
    },
    /// No consent covers it; the project lead overrode that, with this reason.
    Override {
        /// The reason.
        reason: Text,
    },
}

/// Whether data of `category` may be shared with `organisation` on `day`, and on which basis:
/// a covering consent is used when there is one (an override given as well is then not needed
/// and not used); otherwise the override's reason, when one is given; otherwise
/// [`DomainError::ConsentRequired`]. Criminal history never leaves the foundation, whatever the
/// consent or override says: that is refused as a category no outside role may receive.
///
/// Who may give an override is the access policy's
/// ([`AccessPolicy::decide_consent_override`]); this only says whether one is needed.
pub fn share_basis(
    consents: &[Consent],
    organisation: OrganisationId,
    category: DataCategory,
    day: NaiveDate,
    consent_override: Option<&Text>,
) -> Result<ShareBasis, DomainError> {
    if category == DataCategory::CriminalHistory {
        return Err(DomainError::AccessDenied(crate::access::DenyReason::CategoryNotForRole {
            role: Role::ChainPartner,
            action: Action::Read,
            category,
        }));
    }
    if let Some(c) = crate::access::covering_consent(consents, organisation, category, day) {
        return Ok(ShareBasis::Consent { consent: c.id });
    }
    match consent_override {
        Some(reason) => Ok(ShareBasis::Override { reason: reason.clone() }),
        None => Err(DomainError::ConsentRequired { organisation, category }),
    }
}

/// A referral that a command would send without a covering consent, on the project lead's
/// override (see [`crate::case::Case::consent_override_request`]): what the store checks the
/// caller against ([`AccessPolicy::decide_consent_override`]) and records for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentOverrideRequest {
    /// The referral.
    pub referral: ReferralId,
    /// The partner it is sent to.
    pub partner: OrganisationId,
    /// The category of its content.
    pub category: DataCategory,
    /// The reason given.
    pub reason: Text,
}

/// A consent override, as listed for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentOverrideRecord {
    /// Id.
    pub id: ConsentOverrideId,
    /// When (the instant of the event that sent the referral).
    pub at: DateTime<Utc>,
    /// Who overrode (a project lead).
    pub user: UserId,
    /// Their organisation.
    pub organisation: OrganisationId,
    /// Their role.
    pub role: Role,
    /// Whose case.
    pub participant: ParticipantId,
    /// The referral sent.
    pub referral: ReferralId,
    /// The partner it was sent to.
    pub partner: OrganisationId,
    /// The category shared.
    pub category: DataCategory,
    /// The reason given (stored sealed, shown only here and in the case's event).
    pub reason: Text,
    /// The review, once someone reviewed it.
    pub review: Option<ConsentOverrideReview>,
}

/// The review of a consent override: the same as a break-glass access's (who judged it,
/// when, the finding; never the project lead who overrode).
pub type ConsentOverrideReview = BreakGlassReview;

/// The privacy operations: subject access export, signed checkpoints, break-glass access.
/// Implemented by the store; like [`crate::service::PerspectiefService`], every call is
/// authorised for `caller` and logged, denials included.
pub trait PrivacyService: Send + Sync {
    /// Everything held about a person (GDPR art. 15). Project lead only (see the module
    /// documentation); logged as an export for subject rights, and, since it holds content
    /// its maker may otherwise not read, recorded with its `reason` (the person's request) and
    /// listed for review with the break-glass reads ([`ReviewedAccess::SubjectExport`]).
    fn export_participant(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        reason: Text,
    ) -> impl Future<Output = Result<ParticipantExport, DomainError>> + Send;

    /// A signed checkpoint of the access log's head (auditor only).
    fn export_checkpoint(&self, caller: &Caller) -> impl Future<Output = Result<SignedCheckpoint, DomainError>> + Send;

    /// Read a whole case file in an emergency, outside the access matrix, with a reason
    /// (see [`AccessPolicy::decide_break_glass`]).
    fn break_glass_case(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        reason: Text,
    ) -> impl Future<Output = Result<Case, DomainError>> + Send;

    /// Break-glass accesses made at or after `from`, oldest first, at most `limit` (capped like
    /// any page), for review by whoever may read the audit log.
    fn break_glass_log(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<BreakGlassRecord>, DomainError>> + Send;

    /// Record the review of a break-glass access, once (see
    /// [`AccessPolicy::decide_break_glass_review`]); returns the reviewed record.
    fn review_break_glass(
        &self,
        caller: &Caller,
        access: BreakGlassId,
        note: Text,
    ) -> impl Future<Output = Result<BreakGlassRecord, DomainError>> + Send;

    /// Accounts that read case data and their tokens, created at or after `from`, oldest first,
    /// at most `limit` (capped like any page): who created each and which project lead
    /// confirmed it as the second person (see [`crate::accounts::decide_confirmation`]), for
    /// review with the break-glass reads by whoever may read the audit log.
    fn confirmation_log(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<crate::accounts::ConfirmationRecord>, DomainError>> + Send;

    /// Consent overrides (referrals sent without a covering consent) made at or after `from`,
    /// oldest first, at most `limit` (capped like any page), for review by whoever may read
    /// the audit log.
    fn consent_override_log(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ConsentOverrideRecord>, DomainError>> + Send;

    /// Record the review of a consent override, once, by whoever may read the audit log but
    /// never its author (the rule of [`AccessPolicy::decide_break_glass_review`]); returns the
    /// reviewed record.
    fn review_consent_override(
        &self,
        caller: &Caller,
        id: ConsentOverrideId,
        note: Text,
    ) -> impl Future<Output = Result<ConsentOverrideRecord, DomainError>> + Send;
}

/// One correction of a personal detail (rectification, GDPR art. 16): which field of the
/// profile changed in which event, by whom, from what to what. The old value is never lost: it
/// stays in the event history, and this is the view of it that staff read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileCorrection {
    /// The case version the change made.
    pub version: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who recorded it.
    pub by: UserId,
    /// The profile field, as the API names it (`given_names`, `date_of_birth`, ...,
    /// `project_worker`).
    pub field: String,
    /// The value before, as JSON (`null` or `[]` when it was empty).
    pub old: serde_json::Value,
    /// The value after, as JSON.
    pub new: serde_json::Value,
}

fn profile_fields(profile: &crate::participant::ParticipantProfile) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(profile) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// Every correction of a person's profile, oldest first, from their case events in version
/// order (starting with the registration; events before the first registration are ignored).
/// A change of project worker counts as a correction of `project_worker`.
pub fn profile_corrections(events: &[CaseEvent]) -> Vec<ProfileCorrection> {
    use crate::case::CaseChange;
    let mut current: Option<serde_json::Map<String, serde_json::Value>> = None;
    let mut out = Vec::new();
    for e in events {
        let correction = |field: &str, old: serde_json::Value, new: serde_json::Value| ProfileCorrection {
            version: e.version,
            at: e.at,
            by: e.actor,
            field: field.to_owned(),
            old,
            new,
        };
        match &e.change {
            CaseChange::Registered { profile, .. } => current = Some(profile_fields(profile)),
            CaseChange::ProfileUpdated { profile } => {
                let new = profile_fields(profile);
                if let Some(old) = &current {
                    let fields: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
                    for field in fields {
                        let (before, after) = (old.get(field), new.get(field));
                        if before != after {
                            let value = |v: Option<&serde_json::Value>| v.cloned().unwrap_or(serde_json::Value::Null);
                            out.push(correction(field, value(before), value(after)));
                        }
                    }
                }
                current = Some(new);
            }
            CaseChange::ProjectWorkerAssigned { from, to } => {
                let (from, to) = (serde_json::Value::from(from.to_string()), serde_json::Value::from(to.to_string()));
                out.push(correction("project_worker", from, to.clone()));
                if let Some(c) = &mut current {
                    c.insert("project_worker".to_owned(), to);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_covers_markup_and_quotes() {
        assert_eq!(
            crate::report::render::escape_html("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn hex_round_trips_and_refuses_garbage() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(hex_encode(&bytes), "0001abff");
        assert_eq!(hex_decode::<4>("0001ABff", "x").unwrap(), bytes);
        assert_eq!(hex_decode::<4>("0001abf", "x").unwrap_err().code(), "checkpoint_malformed");
        assert_eq!(hex_decode::<4>("0001abzz", "x").unwrap_err().code(), "checkpoint_malformed");
    }
}
