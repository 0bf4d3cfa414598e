//! What a chain meeting brings to the case file (3.2.f, 3.2.g): that the participant was
//! discussed, the foundation's termination advice, the meeting's decision on it and the
//! termination talk. The meeting is its own aggregate; the application service hands its
//! records ([`crate::meeting::ChainMeeting::case_records`]) to the case in the same
//! transaction, and the case decides what they change here.

use super::*;
use crate::meeting::{ChainMeetingRecord, ChainStep};

impl Case {
    /// Decide what a chain meeting's records change in this case: a participant discussed
    /// twice in one meeting is recorded once (taking part counts once per meeting); an adopted
    /// advice to end guidance moves the trajectory to termination (along a legal edge, so not
    /// from intake).
    ///
    /// After the outflow, the records are judged by their day as any late entry is
    /// ([`Case::decide`]): a meeting held on or before the outflow day is recorded (the
    /// minutes of Monday's meeting entered on Friday, the outflow recorded on Wednesday);
    /// one after it is refused with [`DomainError::TrajectoryClosed`], and so is an adopted
    /// advice to end guidance whatever its day, since a late entry never moves a closed
    /// trajectory.
    pub fn decide_chain_meeting(&self, records: Vec<ChainMeetingRecord>) -> Result<Vec<CaseChange>, DomainError> {
        if let Some(o) = &self.outflow {
            let dated = records.iter().map(|r| r.on).max();
            let late_entry = super::decide::belongs_to_trajectory(dated, o.on)
                && !records.iter().any(|r| r.is_adopted_termination());
            if !late_entry {
                return Err(DomainError::TrajectoryClosed {
                    action: "record_chain_meeting".into(),
                    outflow_on: Some(o.on),
                    dated,
                });
            }
        }
        let mut changes = Vec::with_capacity(records.len() + 1);
        let mut phase = self.phase;
        let mut discussed: BTreeSet<_> =
            self.chain_meetings.iter().filter(|r| r.step == ChainStep::Discussed).map(|r| r.meeting).collect();
        for record in records {
            if record.step == ChainStep::Discussed && !discussed.insert(record.meeting) {
                continue;
            }
            let moves = record.is_adopted_termination() && phase != Phase::Termination;
            if moves {
                check_transition(phase, Phase::Termination, Trigger::Explicit)?;
            }
            let on = record.on;
            changes.push(CaseChange::ChainMeetingRecorded(record));
            if moves {
                changes.push(CaseChange::PhaseChanged {
                    from: phase,
                    to: Phase::Termination,
                    reason: None,
                    on: Some(on),
                });
                phase = Phase::Termination;
            }
        }
        Ok(changes)
    }

    /// [`Case::decide_chain_meeting`] and apply the changes; returns the events to store. On
    /// error nothing changes.
    pub fn record_chain_meeting(
        &mut self,
        records: Vec<ChainMeetingRecord>,
        ctx: &CommandContext,
    ) -> Result<Vec<CaseEvent>, DomainError> {
        let changes = self.decide_chain_meeting(records)?;
        Ok(self.apply_changes(changes, ctx))
    }

    /// What chain meetings recorded about the participant, oldest first.
    pub fn chain_meetings(&self) -> &[ChainMeetingRecord] {
        &self.chain_meetings
    }

    /// Whether the foundation ever advised a chain meeting on ending this trajectory.
    pub fn termination_advised(&self) -> bool {
        self.termination_advised_on().is_some()
    }

    /// The day of the first chain meeting the foundation advised on ending this trajectory.
    pub fn termination_advised_on(&self) -> Option<NaiveDate> {
        self.chain_meetings.iter().find(|r| matches!(r.step, ChainStep::TerminationAdvised { .. })).map(|r| r.on)
    }

    /// The trajectory's limit, when it has passed on `today` while the trajectory runs on and
    /// the foundation never advised a chain meeting on ending it (3.2.g): the worklist's and
    /// the agenda's signal that an advice is overdue.
    pub fn past_limit_without_advice(&self, today: NaiveDate) -> Option<NaiveDate> {
        let limit = self.trajectory().limit();
        (self.outflow.is_none() && limit < today && !self.termination_advised()).then_some(limit)
    }

    /// The chain meeting's decision in force, when it adopted an advice to end guidance: the
    /// latest decision counts (a later meeting may decide to continue after all).
    pub fn adopted_termination(&self) -> Option<&ChainMeetingRecord> {
        self.chain_meetings
            .iter()
            .rev()
            .find(|r| matches!(r.step, ChainStep::ChainDecided { .. }))
            .filter(|r| r.is_adopted_termination())
    }
}
