//! The Rust client: [`RemoteService`] implements [`PerspectiefService`],
//! [`ReportingService`] and [`DirectoryService`] over gRPC, so the CLI and code that embeds Perspectief work against a
//! remote server exactly as against the local store: same types, same errors (the server's `ErrorInfo` rebuilds the same [`DomainError`]).
//!
//! The caller's token comes from [`Credentials`]: one fixed token ([`StaticToken`], the usual
//! case), or one per caller. The server decides who the caller is from the token; the
//! `Caller` passed to each method supplies the token, the purpose and on whose behalf.

use perspectief_core::ViolationCode;
use std::future::Future;
use std::pin::Pin;

use chrono::NaiveDate;
use perspectief_core::activity::SubsidyPeriod;
use perspectief_core::case::{Case, CaseCommand, CaseEvent, RegisterParticipant};
use perspectief_core::meeting::{ChainMeeting, MeetingCommand};
use perspectief_core::organisation::{
    DirectoryService, Organisation, OrganisationFilter, OrganisationRef, StaffMember,
};
use perspectief_core::report::{
    AgendaQuery, Drilldown, FigureQuery, MeetingAgenda, ProgressReport, ReportingService, SubsidyReport, ZrmCohort,
};
use perspectief_core::service::{
    AuditRecord, Caller, ChainVerification, Executed, FeedEvent, FeedPage, Page, PageRequest, ParticipantFilter,
    ParticipantSummary, PerspectiefService, Worklist, WorklistQuery,
};
use perspectief_core::session::{InformationSession, PlanSession, SessionCommand};
use perspectief_core::view::CaseView;
use perspectief_core::{DomainError, MeetingId, ParticipantId, SessionId, SubsidyPeriodId};
use tonic::transport::Channel;

use crate::connect::{ConnectError, ConnectOptions, Target};
use crate::convert::case_commands::{
    CaseCommandRequest, case_command_request, case_command_table, in_core_terms, registration_in_core_terms,
};
use crate::convert::meetings::{MeetingCommandRequest, meeting_command_request, meeting_command_table};
use crate::convert::reports::agenda_request;
use crate::convert::sessions::{SessionCommandRequest, session_command_request, session_command_table};
use crate::convert::{Field, FromProto, ToProto, resource_name};
use crate::pb;
use crate::pb::audit_service_client::AuditServiceClient;
use crate::pb::case_service_client::CaseServiceClient;
use crate::pb::event_service_client::EventServiceClient;
use crate::pb::meeting_service_client::MeetingServiceClient;
use crate::pb::organisation_service_client::OrganisationServiceClient;
use crate::pb::report_service_client::ReportServiceClient;
use crate::pb::session_service_client::SessionServiceClient;
use crate::pb::subsidy_period_service_client::SubsidyPeriodServiceClient;
use crate::status::from_status;

/// A future of a token.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<String, DomainError>> + Send + 'a>>;

/// Where the bearer token for a call comes from.
pub trait Credentials: Send + Sync {
    /// The token to send for `caller`.
    fn token<'a>(&'a self, caller: &'a Caller) -> TokenFuture<'a>;
}

/// One token for every call (from the environment or the config file).
#[derive(Clone)]
pub struct StaticToken(String);

impl StaticToken {
    /// Wrap a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }
}

impl std::fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.write_str("StaticToken(..)")
    }
}

impl Credentials for StaticToken {
    fn token<'a>(&'a self, _caller: &'a Caller) -> TokenFuture<'a> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

/// The Perspectief service of a remote server.
#[derive(Debug, Clone)]
pub struct RemoteService<C> {
    channel: Channel,
    credentials: C,
    max_message_bytes: usize,
}

/// The metadata header that says on whose behalf a call is made.
pub const ON_BEHALF_OF_HEADER: &str = "x-perspectief-on-behalf-of";

impl<C: Credentials> RemoteService<C> {
    /// A client on an open channel (prefer [`RemoteService::connect_with`], which checks the
    /// address and sets TLS up).
    pub fn new(channel: Channel, credentials: C) -> Self {
        Self { channel, credentials, max_message_bytes: 4 * 1024 * 1024 }
    }

    /// Connect to `url` with the default [`ConnectOptions`]: `https://` trusting the system's
    /// roots, or `http://` to this machine (loopback) only. For a CA, a client certificate or
    /// plain text over a network, use [`RemoteService::connect_with`].
    pub async fn connect(url: &str, credentials: C) -> Result<Self, DomainError> {
        Ok(Self::connect_with(url, credentials, &ConnectOptions::default()).await?)
    }

    /// Connect to `url` (`https://host:port`, or `http://` as `options` allow): the address is
    /// checked before anything is sent, and the connection is proven with one health check
    /// (see [`crate::connect`]). The error names the cause.
    pub async fn connect_with(url: &str, credentials: C, options: &ConnectOptions) -> Result<Self, ConnectError> {
        Self::connect_to(&options.target(url)?, credentials).await
    }

    /// Connect to a target checked with [`ConnectOptions::target`] (so that the caller can warn
    /// about plain text before connecting).
    pub async fn connect_to(target: &Target, credentials: C) -> Result<Self, ConnectError> {
        Ok(Self::new(target.connect().await?, credentials))
    }

    async fn request<T>(&self, caller: &Caller, message: T) -> Result<tonic::Request<T>, DomainError> {
        let token = self.credentials.token(caller).await?;
        let mut request = tonic::Request::new(message);
        let meta = request.metadata_mut();
        let bearer = format!("Bearer {token}").parse().map_err(|_| {
            DomainError::field("token", ViolationCode::InvalidCharacters, "the token holds characters a header cannot")
        })?;
        meta.insert("authorization", bearer);
        if let Ok(purpose) = caller.purpose.as_str().parse() {
            meta.insert(crate::auth::PURPOSE_HEADER, purpose);
        }
        if let Some(user) = caller.on_behalf_of
            && let Ok(value) = user.to_string().parse()
        {
            meta.insert(ON_BEHALF_OF_HEADER, value);
        }
        Ok(request)
    }

    fn cases(&self) -> CaseServiceClient<Channel> {
        CaseServiceClient::new(self.channel.clone())
            .max_decoding_message_size(self.max_message_bytes)
            .max_encoding_message_size(self.max_message_bytes)
    }

    fn sessions(&self) -> SessionServiceClient<Channel> {
        SessionServiceClient::new(self.channel.clone())
            .max_decoding_message_size(self.max_message_bytes)
            .max_encoding_message_size(self.max_message_bytes)
    }

    fn meetings(&self) -> MeetingServiceClient<Channel> {
        MeetingServiceClient::new(self.channel.clone())
            .max_decoding_message_size(self.max_message_bytes)
            .max_encoding_message_size(self.max_message_bytes)
    }
}

/// A server answer that is not a valid core value: the server is not one this client knows.
fn answer<P, T: FromProto<P>>(proto: P) -> Result<T, DomainError> {
    T::from_proto(proto, &Field::root()).map_err(|e| DomainError::Internal {
        reference: format!("the server's answer could not be read ({e}); is it a Perspectief v1 server?"),
    })
}

fn answers<P, T: FromProto<P>>(protos: Vec<P>) -> Result<Vec<T>, DomainError> {
    protos.into_iter().map(answer).collect()
}

fn reply<T>(result: Result<tonic::Response<T>, tonic::Status>) -> Result<T, DomainError> {
    result.map(tonic::Response::into_inner).map_err(|s| from_status(&s))
}

fn wire_size(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The call of a command's rpc on client `$c` for `$request`, one arm per row of the command
/// table the macro is given to (`case_command_table!(send, self, caller, c, request => Enum;)`).
macro_rules! send {
    (
        $this:ident, $caller:ident, $c:ident, $request:ident => $enum:ident;
        $($v:ident($req:ident, $rpc:ident) $fields:tt),* $(,)?
    ) => {
        match $request {
            $($enum::$v(r) => $c.$rpc($this.request($caller, r).await?).await,)*
        }
    };
}

impl<C: Credentials> PerspectiefService for RemoteService<C> {
    async fn register_participant(&self, caller: &Caller, cmd: RegisterParticipant) -> Result<Case, DomainError> {
        let request = self.request(caller, cmd.to_proto()).await?;
        answer(reply(self.cases().create_participant(request).await).map_err(registration_in_core_terms)?)
    }

    async fn execute(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        expected_version: Option<u64>,
        cmd: CaseCommand,
    ) -> Result<Executed, DomainError> {
        let mut c = self.cases();
        let request = case_command_request(participant, expected_version, &cmd);
        let result = case_command_table!(send, self, caller, c, request => CaseCommandRequest;);
        // The server names fields as the request does; the caller made a core command.
        let done = reply(result).map_err(|e| in_core_terms(&cmd, e))?;
        Ok(Executed { version: done.version, events: answers(done.events)? })
    }

    async fn get_case(&self, caller: &Caller, participant: ParticipantId) -> Result<Case, DomainError> {
        // The server answers what the caller may see; only a whole file is the case itself.
        let view = self.case_view(caller, participant).await?;
        view.into_case().map_err(DomainError::AccessDenied)
    }

    async fn case_view(&self, caller: &Caller, participant: ParticipantId) -> Result<CaseView, DomainError> {
        let request =
            self.request(caller, pb::GetCaseFileRequest { name: resource_name("participants", &participant) }).await?;
        answer(reply(self.cases().get_case_file(request).await)?)
    }

    async fn case_events(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        after_version: u64,
        limit: u32,
    ) -> Result<Vec<CaseEvent>, DomainError> {
        let message = pb::ListCaseEventsRequest {
            parent: resource_name("participants", &participant),
            after_version,
            page_size: wire_size(limit),
            page_token: String::new(),
        };
        let request = self.request(caller, message).await?;
        answers(reply(self.cases().list_case_events(request).await)?.events)
    }

    async fn watch_events(&self, caller: &Caller, after_position: u64, limit: u32) -> Result<FeedPage, DomainError> {
        let message = pb::ListFeedEventsRequest { after_position, page_size: wire_size(limit) };
        let request = self.request(caller, message).await?;
        let page = reply(EventServiceClient::new(self.channel.clone()).list_feed_events(request).await)?;
        let events = page
            .events
            .into_iter()
            .map(|e| {
                let event = e
                    .event
                    .ok_or_else(|| DomainError::Internal { reference: "a feed event without its event".into() })?;
                Ok(FeedEvent { position: e.position, event: answer(event)? })
            })
            .collect::<Result<_, DomainError>>()?;
        Ok(FeedPage { events, cursor: page.cursor })
    }

    async fn list_participants(
        &self,
        caller: &Caller,
        filter: ParticipantFilter,
        page: PageRequest,
    ) -> Result<Page<ParticipantSummary>, DomainError> {
        let message = pb::ListParticipantsRequest {
            page_size: wire_size(page.page_size),
            page_token: page.page_token.unwrap_or_default(),
            filter: crate::filter::filter_text(&filter),
        };
        let request = self.request(caller, message).await?;
        let page = reply(self.cases().list_participants(request).await)?;
        Ok(Page {
            items: answers(page.participants)?,
            next_page_token: Some(page.next_page_token).filter(|t| !t.is_empty()),
        })
    }

    async fn worklist(&self, caller: &Caller, query: WorklistQuery) -> Result<Worklist, DomainError> {
        let request = self.request(caller, query.to_proto()).await?;
        answer(reply(self.cases().get_worklist(request).await)?)
    }

    async fn plan_session(&self, caller: &Caller, cmd: PlanSession) -> Result<InformationSession, DomainError> {
        let request = self.request(caller, cmd.to_proto()).await?;
        answer(reply(self.sessions().create_session(request).await)?)
    }

    async fn execute_session(
        &self,
        caller: &Caller,
        session: SessionId,
        expected_version: Option<u64>,
        cmd: SessionCommand,
    ) -> Result<InformationSession, DomainError> {
        let mut c = self.sessions();
        let request = session_command_request(session, expected_version, &cmd);
        let result = session_command_table!(send, self, caller, c, request => SessionCommandRequest;);
        answer(reply(result)?)
    }

    async fn get_session(&self, caller: &Caller, session: SessionId) -> Result<InformationSession, DomainError> {
        let request = self.request(caller, pb::GetSessionRequest { name: resource_name("sessions", &session) }).await?;
        answer(reply(self.sessions().get_session(request).await)?)
    }

    async fn list_sessions(
        &self,
        caller: &Caller,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<InformationSession>, DomainError> {
        let message = pb::ListSessionsRequest { start_date: Some(from.to_proto()), end_date: Some(to.to_proto()) };
        let request = self.request(caller, message).await?;
        answers(reply(self.sessions().list_sessions(request).await)?.sessions)
    }

    async fn schedule_meeting(
        &self,
        caller: &Caller,
        meeting: MeetingId,
        date: NaiveDate,
    ) -> Result<ChainMeeting, DomainError> {
        let message = pb::CreateMeetingRequest { meeting_id: meeting.to_string(), date: Some(date.to_proto()) };
        let request = self.request(caller, message).await?;
        answer(reply(self.meetings().create_meeting(request).await)?)
    }

    async fn execute_meeting(
        &self,
        caller: &Caller,
        meeting: MeetingId,
        expected_version: Option<u64>,
        cmd: MeetingCommand,
    ) -> Result<ChainMeeting, DomainError> {
        let mut c = self.meetings();
        let request = meeting_command_request(meeting, expected_version, &cmd);
        let result = meeting_command_table!(send, self, caller, c, request => MeetingCommandRequest;);
        answer(reply(result)?)
    }

    async fn list_meetings(
        &self,
        caller: &Caller,
        days: perspectief_core::time::DateRange,
        page: PageRequest,
    ) -> Result<Page<ChainMeeting>, DomainError> {
        let message = pb::ListMeetingsRequest {
            start_date: Some(days.from().to_proto()),
            end_date: Some(days.to().to_proto()),
            page_size: wire_size(page.page_size),
            page_token: page.page_token.unwrap_or_default(),
        };
        let request = self.request(caller, message).await?;
        let page = reply(self.meetings().list_meetings(request).await)?;
        Ok(Page {
            items: answers(page.meetings)?,
            next_page_token: Some(page.next_page_token).filter(|t| !t.is_empty()),
        })
    }

    async fn adopt_agenda(
        &self,
        caller: &Caller,
        meeting: MeetingId,
        expected_version: Option<u64>,
    ) -> Result<ChainMeeting, DomainError> {
        let message = pb::AdoptAgendaRequest {
            name: resource_name("meetings", &meeting),
            etag: expected_version.map(crate::convert::etag).unwrap_or_default(),
        };
        let request = self.request(caller, message).await?;
        answer(reply(self.meetings().adopt_agenda(request).await)?)
    }

    async fn get_meeting(&self, caller: &Caller, meeting: MeetingId) -> Result<ChainMeeting, DomainError> {
        let request = self.request(caller, pb::GetMeetingRequest { name: resource_name("meetings", &meeting) }).await?;
        answer(reply(self.meetings().get_meeting(request).await)?)
    }

    async fn define_subsidy_period(&self, caller: &Caller, period: SubsidyPeriod) -> Result<(), DomainError> {
        let message = pb::CreateSubsidyPeriodRequest { subsidy_period: Some(period.to_proto()) };
        let request = self.request(caller, message).await?;
        reply(SubsidyPeriodServiceClient::new(self.channel.clone()).create_subsidy_period(request).await).map(drop)
    }

    async fn subsidy_periods(&self, caller: &Caller) -> Result<Vec<SubsidyPeriod>, DomainError> {
        let request = self.request(caller, pb::ListSubsidyPeriodsRequest {}).await?;
        let list = reply(SubsidyPeriodServiceClient::new(self.channel.clone()).list_subsidy_periods(request).await)?;
        answers(list.subsidy_periods)
    }

    async fn audit_log(
        &self,
        caller: &Caller,
        participant: Option<ParticipantId>,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, DomainError> {
        let message = pb::ListAuditRecordsRequest {
            participant: participant.map(|p| resource_name("participants", &p)).unwrap_or_default(),
            after_seq,
            page_size: wire_size(limit),
            page_token: String::new(),
        };
        let request = self.request(caller, message).await?;
        answers(reply(AuditServiceClient::new(self.channel.clone()).list_audit_records(request).await)?.audit_records)
    }

    async fn verify_audit_log(&self, caller: &Caller) -> Result<ChainVerification, DomainError> {
        let request = self.request(caller, pb::VerifyAuditLogRequest {}).await?;
        answer(reply(AuditServiceClient::new(self.channel.clone()).verify_audit_log(request).await)?)
    }
}

impl<C: Credentials> RemoteService<C> {
    fn reports(&self) -> ReportServiceClient<Channel> {
        ReportServiceClient::new(self.channel.clone())
            .max_decoding_message_size(self.max_message_bytes)
            .max_encoding_message_size(self.max_message_bytes)
    }
}

/// Reports over gRPC: the server computes them for the caller, the client rebuilds the core's
/// types (the renderings in the answer are left aside: the core renders the same).
impl<C: Credentials> ReportingService for RemoteService<C> {
    async fn subsidy_report(
        &self,
        caller: &Caller,
        period: SubsidyPeriodId,
        as_of: NaiveDate,
    ) -> Result<SubsidyReport, DomainError> {
        let message = pb::GetSubsidyReportRequest {
            subsidy_period: resource_name(crate::convert::subsidy::COLLECTION, &period),
            as_of: Some(as_of.to_proto()),
        };
        let request = self.request(caller, message).await?;
        answer(reply(self.reports().get_subsidy_report(request).await)?)
    }

    async fn late_entries(
        &self,
        caller: &Caller,
        query: perspectief_core::late::LateEntryQuery,
    ) -> Result<Page<perspectief_core::late::LateEntry>, DomainError> {
        let request = self.request(caller, query.to_proto()).await?;
        let page = reply(self.reports().list_late_entries(request).await)?;
        Ok(Page {
            items: answers(page.late_entries)?,
            next_page_token: Some(page.next_page_token).filter(|t| !t.is_empty()),
        })
    }

    async fn late_entry_policy(&self, caller: &Caller) -> Result<perspectief_core::late::LateEntryPolicy, DomainError> {
        let request = self.request(caller, pb::GetLateEntryPolicyRequest {}).await?;
        answer(reply(self.reports().get_late_entry_policy(request).await)?)
    }

    async fn zrm_cohort(&self, caller: &Caller, period: SubsidyPeriodId) -> Result<ZrmCohort, DomainError> {
        let message =
            pb::GetZrmCohortRequest { subsidy_period: resource_name(crate::convert::subsidy::COLLECTION, &period) };
        let request = self.request(caller, message).await?;
        answer(reply(self.reports().get_zrm_cohort(request).await)?)
    }

    async fn subsidy_drilldown(
        &self,
        caller: &Caller,
        period: SubsidyPeriodId,
        as_of: NaiveDate,
        query: FigureQuery,
    ) -> Result<Drilldown, DomainError> {
        let (figure, slice) = query.to_proto();
        let message = pb::DrillDownSubsidyFigureRequest {
            subsidy_period: resource_name(crate::convert::subsidy::COLLECTION, &period),
            as_of: Some(as_of.to_proto()),
            figure: Some(figure),
            slice: Some(slice),
        };
        let request = self.request(caller, message).await?;
        answer(reply(self.reports().drill_down_subsidy_figure(request).await)?)
    }

    async fn progress_report(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ProgressReport, DomainError> {
        let message = pb::GetProgressReportRequest {
            participant: resource_name("participants", &participant),
            period_from: Some(from.to_proto()),
            period_to: Some(to.to_proto()),
        };
        let request = self.request(caller, message).await?;
        answer(reply(self.reports().get_progress_report(request).await)?)
    }

    async fn meeting_agenda(&self, caller: &Caller, query: AgendaQuery) -> Result<MeetingAgenda, DomainError> {
        let request = self.request(caller, agenda_request(&query)).await?;
        answer(reply(self.reports().get_meeting_agenda(request).await)?)
    }
}

impl<C: Credentials> RemoteService<C> {
    fn organisations(&self) -> OrganisationServiceClient<Channel> {
        OrganisationServiceClient::new(self.channel.clone())
            .max_decoding_message_size(self.max_message_bytes)
            .max_encoding_message_size(self.max_message_bytes)
    }
}

/// The organisations directory over gRPC (`OrganisationService`).
impl<C: Credentials> DirectoryService for RemoteService<C> {
    async fn list_organisations(
        &self,
        caller: &Caller,
        filter: OrganisationFilter,
        page: PageRequest,
    ) -> Result<Page<Organisation>, DomainError> {
        let message = pb::ListOrganisationsRequest {
            page_size: wire_size(page.page_size),
            page_token: page.page_token.unwrap_or_default(),
            filter: crate::convert::organisations::organisation_filter_text(&filter),
        };
        let request = self.request(caller, message).await?;
        let response = reply(self.organisations().list_organisations(request).await)?;
        Ok(Page {
            items: answers(response.organisations)?,
            next_page_token: Some(response.next_page_token).filter(|t| !t.is_empty()),
        })
    }

    async fn get_organisation(
        &self,
        caller: &Caller,
        organisation: OrganisationRef,
    ) -> Result<Organisation, DomainError> {
        let message =
            pb::GetOrganisationRequest { name: crate::convert::organisations::organisation_name(&organisation) };
        let request = self.request(caller, message).await?;
        answer(reply(self.organisations().get_organisation(request).await)?)
    }

    async fn list_staff(&self, caller: &Caller, page: PageRequest) -> Result<Page<StaffMember>, DomainError> {
        let message = pb::ListStaffMembersRequest {
            page_size: wire_size(page.page_size),
            page_token: page.page_token.unwrap_or_default(),
        };
        let request = self.request(caller, message).await?;
        let response = reply(self.organisations().list_staff_members(request).await)?;
        Ok(Page {
            items: answers(response.staff_members)?,
            next_page_token: Some(response.next_page_token).filter(|t| !t.is_empty()),
        })
    }
}
