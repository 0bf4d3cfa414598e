//! Sessions and meetings: the multi-participant aggregates, each a versioned sealed row with
//! its sealed events, loaded, changed and saved the same way ([`Shared`]).

#[allow(clippy::wildcard_imports)]
use super::*;

// ---- Sessions and meetings ------------------------------------------------------------

pub(crate) fn aggregate_event_aad(aggregate: &str, id: &str, version: u64) -> String {
    format!("{aggregate}-event:{id}:{version}")
}

/// Which event of which multi-participant aggregate.
struct EventKey<'a> {
    aggregate: &'a str,
    id: &'a str,
    version: u64,
    at: chrono::DateTime<chrono::Utc>,
    actor: perspectief_core::UserId,
}

async fn save_aggregate_event<C: ConnectionTrait, T: Serialize>(
    c: &C,
    keys: &Keyring,
    key: EventKey<'_>,
    change: &T,
) -> Result<(), DomainError> {
    let EventKey { aggregate, id, version, at, actor } = key;
    let (key_id, payload) = seal(keys, &aggregate_event_aad(aggregate, id, version), change)?;
    sql::exec(
        c,
        "INSERT INTO aggregate_events (aggregate, id, version, at, actor, key_id, payload) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            aggregate.to_owned().into(),
            id.to_owned().into(),
            i64v(version).into(),
            sql::micros(at).into(),
            actor.to_string().into(),
            key_id.into(),
            payload.into(),
        ],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// A session's or meeting's row (`select`, its id as `$1`), opened; `None` when there is none.
async fn load_row<C: ConnectionTrait, T: DeserializeOwned>(
    c: &C,
    keys: &Keyring,
    select: &str,
    id: impl std::fmt::Display,
    aad: impl Fn(Option<u64>) -> String,
) -> Result<Option<T>, DomainError> {
    let row = sql::one(c, select, [id.to_string().into()]).await.map_err(db)?;
    let Some(row) = row else { return Ok(None) };
    open_aggregate_row(keys, &row, aad).map(Some)
}

/// The first row of a session or meeting: a taken id already exists.
fn inserted(r: Result<u64, DbErr>, entity: EntityKind, id: &str) -> Result<(), DomainError> {
    match r {
        Ok(_) => Ok(()),
        Err(e) if sql::is_unique_violation(&e) => Err(DomainError::AlreadyExists { entity, id: id.to_owned() }),
        Err(e) => Err(db(e)),
    }
}

/// A later row: `n` rows updated where the version was `expected`, else a conflict naming the
/// stored version.
async fn updated<C: ConnectionTrait>(
    c: &C,
    n: u64,
    aggregate: Aggregate,
    id: &str,
    expected: u64,
) -> Result<(), DomainError> {
    if n == 1 {
        return Ok(());
    }
    let current = stored_version(c, aggregate, id).await?.unwrap_or(0);
    Err(DomainError::VersionConflict { expected, current })
}

/// Load a session.
pub(crate) async fn load_session<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: SessionId,
) -> Result<Option<InformationSession>, DomainError> {
    load_row(c, keys, &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1"), id, |v| session_aad(id, v))
        .await
}

/// Save a session after an event (the first event inserts it).
pub(crate) async fn save_session<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    s: &InformationSession,
    event: &SessionEvent,
) -> Result<(), DomainError> {
    let id = s.id().to_string();
    let (key_id, state) = seal(keys, &session_aad(&id, Some(s.version())), s)?;
    let cancelled = i64::from(s.is_cancelled());
    if event.version == 1 {
        let r = sql::exec(
            c,
            "INSERT INTO sessions (id, version, date, head_count, cancelled, key_id, state, aad_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 2)",
            [
                id.clone().into(),
                1i64.into(),
                sql::date(s.date()).into(),
                i64::from(s.unregistered_head_count()).into(),
                cancelled.into(),
                key_id.into(),
                state.into(),
            ],
        )
        .await;
        inserted(r, EntityKind::InformationSession, &id)?;
    } else {
        let n = sql::exec(
            c,
            "UPDATE sessions SET version = $2, date = $3, head_count = $4, cancelled = $5, key_id = $6, state = $7, \
             aad_version = 2 WHERE id = $1 AND version = $8",
            [
                id.clone().into(),
                i64v(event.version).into(),
                sql::date(s.date()).into(),
                i64::from(s.unregistered_head_count()).into(),
                cancelled.into(),
                key_id.into(),
                state.into(),
                i64v(event.version - 1).into(),
            ],
        )
        .await
        .map_err(db)?;
        updated(c, n, Aggregate::Session, &id, event.version - 1).await?;
    }
    match &event.change {
        SessionChange::AttendanceRegistered { participant } => {
            sql::exec(
                c,
                "INSERT INTO session_attendance (session_id, participant_id) VALUES ($1, $2)",
                [id.clone().into(), participant.to_string().into()],
            )
            .await
            .map_err(db)?;
            if !s.is_cancelled() {
                let code = [perspectief_core::activity::ActivityCode::InformationSessions];
                crate::firsts::record(c, &participant.to_string(), &code, s.date()).await.map_err(db)?;
            }
        }
        SessionChange::AttendanceRemoved { participant } => {
            sql::exec(
                c,
                "DELETE FROM session_attendance WHERE session_id = $1 AND participant_id = $2",
                [id.clone().into(), participant.to_string().into()],
            )
            .await
            .map_err(db)?;
            // Removing a day can raise or remove the participant's first days.
            crate::firsts::rebuild_participants(c, &[participant.to_string()]).await.map_err(db)?;
        }
        SessionChange::Rescheduled { .. } | SessionChange::Cancelled { .. } => {
            let rows =
                sql::all(c, "SELECT participant_id FROM session_attendance WHERE session_id = $1", [id.clone().into()])
                    .await
                    .map_err(db)?;
            let attendees =
                rows.iter().map(|r| get::<String>(r, "participant_id")).collect::<Result<Vec<_>, _>>().map_err(db)?;
            crate::firsts::rebuild_participants(c, &attendees).await.map_err(db)?;
        }
        _ => {}
    }
    save_aggregate_event(
        c,
        keys,
        EventKey { aggregate: "session", id: &id, version: event.version, at: event.at, actor: event.actor },
        &event.change,
    )
    .await
}

/// Sessions between two days.
pub(crate) async fn sessions_between<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<InformationSession>, DomainError> {
    let rows = sql::all(
        c,
        &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE date >= $1 AND date <= $2 ORDER BY date, id"),
        [sql::date(from).into(), sql::date(to).into()],
    )
    .await
    .map_err(db)?;
    rows.iter()
        .map(|r| {
            let id: String = get(r, "id").map_err(db)?;
            open_aggregate_row(keys, r, |v| session_aad(&id, v))
        })
        .collect()
}

/// Load a meeting.
pub(crate) async fn load_meeting<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    id: MeetingId,
) -> Result<Option<ChainMeeting>, DomainError> {
    load_row(c, keys, &format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1"), id, |v| meeting_aad(id, v))
        .await
}

/// Meetings on the days `from` to `to`, newest first (then by id, descending), after the
/// position `after` (a date and an id) when given, at most `limit`.
pub(crate) async fn meetings_between<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    after: Option<(chrono::NaiveDate, MeetingId)>,
    limit: u32,
) -> Result<Vec<ChainMeeting>, DomainError> {
    let mut values: Vec<sea_orm::Value> = vec![sql::date(from).into(), sql::date(to).into()];
    let mut text = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE date >= $1 AND date <= $2");
    if let Some((date, id)) = after {
        values.extend([sql::date(date).into(), id.to_string().into()]);
        text.push_str(" AND (date < $3 OR (date = $3 AND id < $4))");
    }
    values.push(i64::from(limit).into());
    text.push_str(&format!(" ORDER BY date DESC, id DESC LIMIT ${}", values.len()));
    let rows = sql::all(c, &text, values).await.map_err(db)?;
    rows.iter()
        .map(|r| {
            let id: String = get(r, "id").map_err(db)?;
            open_aggregate_row(keys, r, |v| meeting_aad(&id, v))
        })
        .collect()
}

/// Save a meeting after an event (the first event inserts it).
pub(crate) async fn save_meeting<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    m: &ChainMeeting,
    event: &MeetingEvent,
) -> Result<(), DomainError> {
    let id = m.id().to_string();
    let (key_id, state) = seal(keys, &meeting_aad(&id, Some(m.version())), m)?;
    if event.version == 1 {
        let r = sql::exec(
            c,
            "INSERT INTO meetings (id, version, date, key_id, state, aad_version) VALUES ($1, $2, $3, $4, $5, 2)",
            [id.clone().into(), 1i64.into(), sql::date(m.date()).into(), key_id.into(), state.into()],
        )
        .await;
        inserted(r, EntityKind::ChainMeeting, &id)?;
    } else {
        let n = sql::exec(
            c,
            "UPDATE meetings SET version = $2, key_id = $3, state = $4, aad_version = 2 WHERE id = $1 AND version = $5",
            [
                id.clone().into(),
                i64v(event.version).into(),
                key_id.into(),
                state.into(),
                i64v(event.version - 1).into(),
            ],
        )
        .await
        .map_err(db)?;
        updated(c, n, Aggregate::Meeting, &id, event.version - 1).await?;
    }
    save_aggregate_event(
        c,
        keys,
        EventKey { aggregate: "meeting", id: &id, version: event.version, at: event.at, actor: event.actor },
        &event.change,
    )
    .await
}

/// Save a meeting after several events at once (adopting an agenda): one update of its row
/// from the version it was loaded at, then every event.
pub(crate) async fn save_meeting_events<C: ConnectionTrait>(
    c: &C,
    keys: &Keyring,
    m: &ChainMeeting,
    previous: u64,
    events: &[MeetingEvent],
) -> Result<(), DomainError> {
    if events.is_empty() {
        return Ok(());
    }
    let id = m.id().to_string();
    let (key_id, state) = seal(keys, &meeting_aad(&id, Some(m.version())), m)?;
    let n = sql::exec(
        c,
        "UPDATE meetings SET version = $2, key_id = $3, state = $4, aad_version = 2 WHERE id = $1 AND version = $5",
        [id.clone().into(), i64v(m.version()).into(), key_id.into(), state.into(), i64v(previous).into()],
    )
    .await
    .map_err(db)?;
    updated(c, n, Aggregate::Meeting, &id, previous).await?;
    for event in events {
        save_aggregate_event(
            c,
            keys,
            EventKey { aggregate: "meeting", id: &id, version: event.version, at: event.at, actor: event.actor },
            &event.change,
        )
        .await?;
    }
    Ok(())
}

/// The columns [`open_aggregate_row`] reads of a session, with its latest event's version.
const SESSION_COLUMNS: &str = "id, version, aad_version, key_id, state, \
     (SELECT MAX(e.version) FROM aggregate_events e WHERE e.aggregate = 'session' AND e.id = sessions.id) AS latest";
/// The same of a meeting.
const MEETING_COLUMNS: &str = "id, version, aad_version, key_id, state, \
     (SELECT MAX(e.version) FROM aggregate_events e WHERE e.aggregate = 'meeting' AND e.id = meetings.id) AS latest";

/// Open a session's or meeting's row ([`SESSION_COLUMNS`], [`MEETING_COLUMNS`]): the seal is
/// bound to the row's version (see [`binding`]), which must not be older than its latest event
/// (erasure may remove a meeting's latest events, never add one).
fn open_aggregate_row<T: DeserializeOwned>(
    keys: &Keyring,
    row: &sea_orm::QueryResult,
    aad: impl FnOnce(Option<u64>) -> String,
) -> Result<T, DomainError> {
    let key_id: String = get(row, "key_id").map_err(db)?;
    let state: Vec<u8> = get(row, "state").map_err(db)?;
    let version: i64 = get(row, "version").map_err(db)?;
    let latest: Option<i64> = get(row, "latest").map_err(db)?;
    if latest.is_some_and(|latest| latest > version) {
        let id: String = get(row, "id").map_err(db)?;
        return Err(internal(format!("{id}: the stored state is version {version}, older than its latest event")));
    }
    let aad = aad(binding(get(row, "aad_version").map_err(db)?, version));
    unseal(keys, &aad, &key_id, &state)
}

/// The stored version of a session or meeting, read without decrypting anything (a stale
/// request is refused cheaply before the state is loaded).
pub(crate) async fn stored_version<C: ConnectionTrait>(
    c: &C,
    table: Aggregate,
    id: &str,
) -> Result<Option<u64>, DomainError> {
    let sql = match table {
        Aggregate::Session => "SELECT version FROM sessions WHERE id = $1",
        Aggregate::Meeting => "SELECT version FROM meetings WHERE id = $1",
    };
    let row = sql::one(c, sql, [id.to_owned().into()]).await.map_err(db)?;
    let v: Option<i64> = row.map(|r| get(&r, "version")).transpose().map_err(db)?;
    Ok(v.map(|v| u64::try_from(v).unwrap_or(0)))
}

/// The multi-participant aggregates.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Aggregate {
    Session,
    Meeting,
}

/// A boxed future, for the trait below.
pub(crate) type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// An information session or a chain meeting: a versioned, sealed aggregate spanning
/// participants, loaded, changed and saved the same way.
pub(crate) trait Shared: Sized + Send + 'static {
    /// Its id.
    type Id: Copy + std::fmt::Display + Send + 'static;
    /// Its commands.
    type Command: Send + 'static;
    /// Its events.
    type Event: Send + Sync + 'static;
    /// Where its version lives.
    const AGGREGATE: Aggregate;
    /// What it is called in errors.
    const ENTITY: EntityKind;
    /// Its version.
    fn version(&self) -> u64;
    /// The participant a command names, who must exist.
    fn must_exist(cmd: &Self::Command) -> Option<ParticipantId>;
    /// Decide and apply a command.
    fn run(&mut self, cmd: Self::Command, ctx: &perspectief_core::CommandContext) -> Result<Self::Event, DomainError>;
    /// Load it.
    fn load<'a>(
        c: &'a sea_orm::DatabaseTransaction,
        keys: &'a Keyring,
        id: Self::Id,
    ) -> BoxFuture<'a, Result<Option<Self>, DomainError>>;
    /// Save it after an event.
    fn save<'a>(
        &'a self,
        c: &'a sea_orm::DatabaseTransaction,
        keys: &'a Keyring,
        event: &'a Self::Event,
    ) -> BoxFuture<'a, Result<(), DomainError>>;
    /// A chain meeting and its accepted event, whose records reach a participant's case in
    /// the same transaction; `None` for the other aggregates.
    fn as_meeting<'a>(&'a self, _event: &'a Self::Event) -> Option<(&'a ChainMeeting, &'a MeetingEvent)> {
        None
    }
}

/// The [`Shared`] impl of an aggregate: its types, and its own load and save.
macro_rules! shared {
    ($t:ty, $id:ty, $command:ty, $event:ty, $aggregate:expr, $entity:expr, $load:ident, $save:ident $(, $extra:item)*) => {
        impl Shared for $t {
            type Id = $id;
            type Command = $command;
            type Event = $event;
            const AGGREGATE: Aggregate = $aggregate;
            const ENTITY: EntityKind = $entity;

            fn version(&self) -> u64 {
                <$t>::version(self)
            }

            fn must_exist(cmd: &Self::Command) -> Option<ParticipantId> {
                cmd.adds_participant()
            }

            fn run(
                &mut self,
                cmd: Self::Command,
                ctx: &perspectief_core::CommandContext,
            ) -> Result<Self::Event, DomainError> {
                self.execute(cmd, ctx)
            }

            fn load<'a>(
                c: &'a sea_orm::DatabaseTransaction,
                keys: &'a Keyring,
                id: $id,
            ) -> BoxFuture<'a, Result<Option<Self>, DomainError>> {
                Box::pin($load(c, keys, id))
            }

            fn save<'a>(
                &'a self,
                c: &'a sea_orm::DatabaseTransaction,
                keys: &'a Keyring,
                event: &'a $event,
            ) -> BoxFuture<'a, Result<(), DomainError>> {
                Box::pin($save(c, keys, self, event))
            }

            $($extra)*
        }
    };
}

shared!(
    InformationSession,
    SessionId,
    perspectief_core::SessionCommand,
    SessionEvent,
    Aggregate::Session,
    EntityKind::InformationSession,
    load_session,
    save_session
);
shared!(
    ChainMeeting,
    MeetingId,
    perspectief_core::MeetingCommand,
    MeetingEvent,
    Aggregate::Meeting,
    EntityKind::ChainMeeting,
    load_meeting,
    save_meeting,
    fn as_meeting<'a>(&'a self, event: &'a MeetingEvent) -> Option<(&'a ChainMeeting, &'a MeetingEvent)> {
        Some((self, event))
    }
);
