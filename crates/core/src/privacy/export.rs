use super::*;

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

/// When a change of the case file happened and when it was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDates {
    /// The change's version.
    pub version: u64,
    /// The day it took effect ([`crate::case::CaseChange::effective_on`]).
    pub effective_on: NaiveDate,
    /// The moment it was recorded.
    pub recorded_at: DateTime<Utc>,
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
    /// For each change of `events`, in the same order: the day it took effect beside the
    /// moment it was recorded (a talk of Monday entered on Friday).
    #[serde(default)]
    pub event_dates: Vec<EventDates>,
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
        let event_dates = events
            .iter()
            .map(|e| EventDates { version: e.version, effective_on: e.change.effective_on(e.at), recorded_at: e.at })
            .collect();
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
            event_dates,
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
            h.push_str("<table><tr><th>version</th><th>happened on</th><th>recorded (UTC)</th><th>by user</th><th>what</th><th>category</th><th>activities</th><th>details</th></tr>\n");
            for e in &self.events {
                let happened = e.change.effective_on(e.at);
                let activities: Vec<String> = e.change.activities().iter().map(to_text).collect();
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>",
                    e.version,
                    happened,
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
