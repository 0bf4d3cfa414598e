//! A chain meeting's command on its way through the application layer: what it brings to a
//! participant's case file is written to that case in the same transaction.

use chrono::NaiveDate;

use crate::access::{AccessPolicy, Action, Actor, Basis, DataCategory, Resource};
use crate::case::{Case, CaseEvent, CommandContext};
use crate::error::DomainError;
use crate::meeting::{ChainMeeting, MeetingChange, MeetingEvent};

/// What an accepted meeting event brings to the participant's case, decided and applied to
/// `case` (the case of the participant the event names, loaded by the adapter in the same
/// transaction as the meeting): the case events to save with the meeting's event, empty when
/// nothing is new. Writing to the case is updating its guidance data, so the caller must be
/// allowed that by the access policy as well as the meeting's update; a refusal of either,
/// or of the case's rules, leaves both unsaved.
pub fn meeting_to_case(
    policy: &AccessPolicy,
    actor: &Actor,
    meeting: &ChainMeeting,
    event: &MeetingEvent,
    case: &mut Case,
    ctx: &CommandContext,
) -> Result<Vec<CaseEvent>, DomainError> {
    let MeetingChange::Applied(cmd) = &event.change else { return Ok(Vec::new()) };
    let Some((participant, records)) = meeting.case_records(cmd) else { return Ok(Vec::new()) };
    debug_assert_eq!(participant, case.id());
    authorise_case_write(policy, actor, case, ctx.today)?;
    case.record_chain_meeting(records, ctx)
}

/// The access policy's decision on writing a meeting's records to a case: guidance data.
fn authorise_case_write(
    policy: &AccessPolicy,
    actor: &Actor,
    case: &Case,
    today: NaiveDate,
) -> Result<Basis, DomainError> {
    let resource = Resource::CaseData { scope: case.scope(), category: DataCategory::Guidance };
    policy.decide(actor, Action::Update, &resource, today).into_result()
}

/// The participant whose case an accepted meeting event changes, if any: the adapter loads
/// that case before [`meeting_to_case`].
pub fn meeting_case(meeting: &ChainMeeting, event: &MeetingEvent) -> Option<crate::ids::ParticipantId> {
    match &event.change {
        MeetingChange::Applied(cmd) => meeting.case_records(cmd).map(|(p, _)| p),
        MeetingChange::Scheduled { .. } => None,
    }
}
