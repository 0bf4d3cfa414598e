//! Page tokens of the participant listing and the worklist: a position in the listing, bound by
//! a MAC (under the store's access-log key, in a domain of its own per listing) to the caller
//! and the query, so a token cannot be forged and does not continue another caller's listing
//! or one with another query (docs/partners.md).

use perspectief_core::ViolationCode;
use perspectief_core::late::LateEntryQuery;
use perspectief_core::service::{Caller, ParticipantFilter, WorklistQuery};
use perspectief_core::time::DateRange;
use perspectief_core::{DomainError, MeetingId, UserId};

use super::worklist::ListCursor;
use crate::Store;
use crate::sql;

/// The MAC domain of the participant listing's tokens.
const PARTICIPANT_PAGES: &[u8] = b"perspectief participant page token v1\0";
/// The MAC domain of the meeting listing's tokens.
const MEETING_PAGES: &[u8] = b"perspectief meeting page token v1\0";
/// The MAC domain of the worklist's tokens.
const WORKLIST_PAGES: &[u8] = b"perspectief worklist page token v1\0";
/// The MAC domain of the late-entry listing's tokens.
const LATE_ENTRY_PAGES: &[u8] = b"perspectief late entry page token v1\0";

/// The late-entry query as its page tokens are bound to it.
fn late_text(q: &LateEntryQuery) -> String {
    format!(
        "from={};to={};by={};size={}",
        q.from,
        q.to,
        q.recorded_by.map(|u| u.to_string()).unwrap_or_default(),
        q.page.page_size
    )
}

/// The filter as the participant page tokens are bound to it.
fn filter_text(filter: &ParticipantFilter) -> String {
    format!(
        "worker={};phase={};from={};closed={}",
        filter.project_worker.map(|u| u.to_string()).unwrap_or_default(),
        filter.phase.map(|p| p.as_str()).unwrap_or_default(),
        filter.registered_from.map(|d| d.to_string()).unwrap_or_default(),
        filter.include_closed
    )
}

/// The days of a meeting listing as its page tokens are bound to them.
fn days_text(days: DateRange) -> String {
    format!("from={};to={}", days.from(), days.to())
}

/// The worklist's query as its page tokens are bound to it.
pub(super) fn worklist_text(worker: Option<UserId>, q: &WorklistQuery) -> String {
    format!(
        "worker={};today={};due={};contact={};limit={};referral={};assessment={};goals={};size={}",
        worker.map(|u| u.to_string()).unwrap_or_default(),
        q.today,
        q.due_within_days,
        q.no_contact_days,
        q.limit_lead_days,
        q.referral_answer_days,
        q.no_assessment_months,
        q.goal_due_within_days,
        q.page_size
    )
}

impl Store {
    /// The MAC of `position` in the listing `domain`, bound to the caller and the `query` text.
    fn token_mac(&self, domain: &[u8], caller: &Caller, query: &str, position: &str) -> [u8; 32] {
        self.inner.audit_key.mac(&[
            domain,
            caller.actor.user.to_string().as_bytes(),
            b"\0",
            query.as_bytes(),
            b"\0",
            position.as_bytes(),
        ])
    }

    /// A token for `position`: the position and the first half of its MAC, both in hex.
    fn seal_token(&self, domain: &[u8], caller: &Caller, query: &str, position: &str) -> String {
        let mac = self.token_mac(domain, caller, query, position);
        format!("{}.{}", hex::encode(position), hex::encode(&mac[..16]))
    }

    /// The position of a token this store made for this caller and query, or `bad()`.
    fn open_token(
        &self,
        domain: &[u8],
        caller: &Caller,
        query: &str,
        token: &str,
        bad: impl Fn() -> DomainError,
    ) -> Result<String, DomainError> {
        let (position, mac) = token.split_once('.').ok_or_else(&bad)?;
        let position = String::from_utf8(hex::decode(position).map_err(|_| bad())?).map_err(|_| bad())?;
        let mac = hex::decode(mac).map_err(|_| bad())?;
        let expected = self.token_mac(domain, caller, query, &position);
        // Compared in constant time.
        if mac.len() != 16 || mac.iter().zip(&expected[..16]).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0 {
            return Err(bad());
        }
        Ok(position)
    }

    /// The token that continues the participant listing after (`date`, `id`).
    pub(super) fn page_token(&self, caller: &Caller, filter: &ParticipantFilter, date: &str, id: &str) -> String {
        self.seal_token(PARTICIPANT_PAGES, caller, &filter_text(filter), &format!("{date}|{id}"))
    }

    /// Where a participant listing continues: the position of a token this store made for
    /// this caller and filter, or a field error.
    pub(super) fn decode_page_token(
        &self,
        caller: &Caller,
        filter: &ParticipantFilter,
        token: &str,
    ) -> Result<(String, String), DomainError> {
        let bad = || {
            DomainError::field(
                "page_token",
                ViolationCode::Invalid,
                "not a page token of this listing: pass the next_page_token of the previous page with the same filter",
            )
        };
        let position = self.open_token(PARTICIPANT_PAGES, caller, &filter_text(filter), token, bad)?;
        let (date, id) = position.split_once('|').ok_or_else(bad)?;
        sql::parse_date(date).map_err(|_| bad())?;
        uuid::Uuid::parse_str(id).map_err(|_| bad())?;
        Ok((date.to_owned(), id.to_owned()))
    }

    /// The token that continues the meeting listing of `days` after the meeting `id` on `date`.
    pub(super) fn meeting_page_token(
        &self,
        caller: &Caller,
        days: DateRange,
        date: chrono::NaiveDate,
        id: MeetingId,
    ) -> String {
        self.seal_token(MEETING_PAGES, caller, &days_text(days), &format!("{date}|{id}"))
    }

    /// Where a meeting listing continues: the position of a token this store made for this
    /// caller and these days, or a field error.
    pub(super) fn meeting_page_position(
        &self,
        caller: &Caller,
        days: DateRange,
        token: &str,
    ) -> Result<(chrono::NaiveDate, MeetingId), DomainError> {
        let bad = || {
            DomainError::field(
                "page_token",
                ViolationCode::Invalid,
                "not a page token of this listing: pass the next_page_token of the previous page with the same days",
            )
        };
        let position = self.open_token(MEETING_PAGES, caller, &days_text(days), token, bad)?;
        let (date, id) = position.split_once('|').ok_or_else(bad)?;
        Ok((sql::parse_date(date).map_err(|_| bad())?, MeetingId::parse(id).map_err(|_| bad())?))
    }

    /// The token that continues a worklist with these cursors (one per list, in order),
    /// bound by a MAC to the caller and the query; `None` when every list ended.
    pub(super) fn worklist_token(&self, caller: &Caller, query: &str, cursors: &[ListCursor]) -> Option<String> {
        if cursors.iter().all(|c| *c == ListCursor::Done) {
            return None;
        }
        let position = cursors
            .iter()
            .map(|c| match c {
                ListCursor::After(date, participant, subject) => format!("{date},{participant},{subject}"),
                ListCursor::Start | ListCursor::Done => String::new(),
            })
            .collect::<Vec<_>>()
            .join(";");
        Some(self.seal_token(WORKLIST_PAGES, caller, query, &position))
    }

    /// The cursors of a worklist page token this store made for this caller and query.
    pub(super) fn worklist_cursors(
        &self,
        caller: &Caller,
        query: &str,
        token: &str,
    ) -> Result<Vec<ListCursor>, DomainError> {
        let bad = || {
            DomainError::field(
                "page_token",
                ViolationCode::Invalid,
                "not a page token of this worklist: pass the next_page_token of the previous page with the same query",
            )
        };
        let position = self.open_token(WORKLIST_PAGES, caller, query, token, bad)?;
        position
            .split(';')
            .map(|list| {
                if list.is_empty() {
                    return Ok(ListCursor::Done);
                }
                let mut parts = list.split(',');
                match (parts.next(), parts.next(), parts.next(), parts.next()) {
                    (Some(date), Some(participant), Some(subject), None) => {
                        Ok(ListCursor::After(date.to_owned(), participant.to_owned(), subject.to_owned()))
                    }
                    _ => Err(bad()),
                }
            })
            .collect()
    }

    /// The token that continues the late-entry listing after the entry (`at`, participant,
    /// version).
    pub(crate) fn late_entry_token(
        &self,
        caller: &Caller,
        q: &LateEntryQuery,
        at: i64,
        id: &str,
        version: i64,
    ) -> String {
        self.seal_token(LATE_ENTRY_PAGES, caller, &late_text(q), &format!("{at}|{id}|{version}"))
    }

    /// Where a late-entry listing continues: the position of a token this store made for this
    /// caller and query, or a field error.
    pub(crate) fn late_entry_position(
        &self,
        caller: &Caller,
        q: &LateEntryQuery,
        token: &str,
    ) -> Result<(i64, String, i64), DomainError> {
        let bad = || {
            DomainError::field(
                "page_token",
                ViolationCode::Invalid,
                "not a page token of this listing: pass the next_page_token of the previous page with the same query",
            )
        };
        let position = self.open_token(LATE_ENTRY_PAGES, caller, &late_text(q), token, bad)?;
        let mut parts = position.split('|');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(at), Some(id), Some(version), None) => {
                let at = at.parse().map_err(|_| bad())?;
                uuid::Uuid::parse_str(id).map_err(|_| bad())?;
                Ok((at, id.to_owned(), version.parse().map_err(|_| bad())?))
            }
            _ => Err(bad()),
        }
    }
}
