//! The services: proto in, core types and a [`PerspectiefService`] call, proto out. No rule
//! lives here: authorisation, validation beyond the wire format, and the access log are the
//! service's. What is refused here is only what cannot be a core value (the conversion names
//! the field) and requests beyond the API's own limits.

use std::sync::Arc;
use std::time::Duration;

use perspectief_core::DomainError;
use perspectief_core::case::RegisterParticipant;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::report::{AgendaQuery, FigureQuery, ReportingService};
use perspectief_core::service::{
    AuthFailure, Authenticator, Caller, PageRequest, ParticipantFilter, PerspectiefService, WorklistQuery, page_limit,
};
use perspectief_core::session::PlanSession;
use perspectief_core::time::{Clock, DateRange};
use perspectief_core::{MeetingId, ParticipantId, SessionId, SubsidyPeriod};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use crate::auth::caller;
use crate::convert::case_commands::{
    CaseCommandTarget, ProfileUpdate, in_request_terms, registration_in_request_terms,
};
use crate::convert::meetings::MeetingCommandTarget;
use crate::convert::sessions::SessionCommandTarget;
use crate::convert::subsidy::COLLECTION as SUBSIDY_PERIODS;
use crate::convert::{Field, FromProto, ToProto, etag, parse_name, resource_name, to_protos};
use crate::filter::participant_filter;
use crate::status::{invalid_field, to_status};
use crate::{paging, pb};

/// How open WatchEvents streams learn of new events, and how many may be open.
#[derive(Debug, Clone)]
pub struct StreamSettings {
    /// Streams one user may hold open at once.
    pub per_caller: usize,
    /// Streams open at once over all callers.
    pub total: usize,
    /// A signal that changes whenever events are committed (the store's
    /// `feed_signal`): open streams sleep until it changes, so an idle stream costs no CPU
    /// and no query. Without it each stream looks every 250 ms (for a service that cannot
    /// signal).
    pub signal: Option<tokio::sync::watch::Receiver<u64>>,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self { per_caller: 8, total: 512, signal: None }
    }
}

/// The open streams, per user and in total.
#[derive(Debug, Default)]
struct OpenStreams {
    per_user: std::sync::Mutex<std::collections::HashMap<perspectief_core::UserId, usize>>,
}

/// A place among the open streams, given back when the stream ends.
#[derive(Debug)]
struct StreamPlace {
    open: Arc<OpenStreams>,
    user: perspectief_core::UserId,
    metrics: Arc<crate::metrics::ServerMetrics>,
}

impl Drop for StreamPlace {
    fn drop(&mut self) {
        let mut map = self.open.per_user.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.user);
            }
        }
        self.metrics.open_streams.dec();
    }
}

/// The API over one service implementation (the store, in `perspectief serve`).
#[derive(Debug)]
pub struct Api<S> {
    svc: Arc<S>,
    /// How often an open WatchEvents stream looks for new events without a signal.
    poll: Duration,
    streams: StreamSettings,
    open: Arc<OpenStreams>,
    metrics: Arc<crate::metrics::ServerMetrics>,
}

impl<S> Clone for Api<S> {
    fn clone(&self) -> Self {
        Self {
            svc: self.svc.clone(),
            poll: self.poll,
            streams: self.streams.clone(),
            open: self.open.clone(),
            metrics: self.metrics.clone(),
        }
    }
}

impl<S> Api<S> {
    /// The API over `svc`, with the default stream settings.
    pub fn new(svc: Arc<S>) -> Self {
        Self::with_streams(svc, StreamSettings::default(), Arc::default())
    }

    /// The API over `svc`, with these stream settings, counting open streams in `metrics`.
    pub fn with_streams(svc: Arc<S>, streams: StreamSettings, metrics: Arc<crate::metrics::ServerMetrics>) -> Self {
        Self { svc, poll: Duration::from_millis(250), streams, open: Arc::default(), metrics }
    }

    /// A place for one more stream of `user`, or RESOURCE_EXHAUSTED beyond the limits.
    fn stream_place(&self, user: perspectief_core::UserId) -> Result<StreamPlace, Status> {
        let mut map = self.open.per_user.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let total: usize = map.values().sum();
        let mine = map.get(&user).copied().unwrap_or(0);
        if mine >= self.streams.per_caller || total >= self.streams.total {
            drop(map);
            self.metrics.streams_refused.inc();
            let whose = if mine >= self.streams.per_caller { "your account" } else { "the server" };
            tracing::warn!(user = %user, open = mine, total, "event stream refused: too many open");
            use tonic_types::StatusExt;
            let mut details = tonic_types::ErrorDetails::new();
            details.set_error_info("TOO_MANY_STREAMS", crate::status::ERROR_DOMAIN, []);
            details.set_retry_info(Some(Duration::from_secs(5)));
            return Err(Status::with_error_details(
                tonic::Code::ResourceExhausted,
                format!("{whose} has as many event streams open as allowed; close one first"),
                details,
            ));
        }
        *map.entry(user).or_insert(0) += 1;
        self.metrics.open_streams.inc();
        Ok(StreamPlace { open: self.open.clone(), user, metrics: self.metrics.clone() })
    }
}

/// A whole case file with its output-only fields for `today` (Amsterdam, by the service's clock).
fn case_file(case: &perspectief_core::case::Case, today: chrono::NaiveDate) -> pb::CaseFile {
    case_view_file(&perspectief_core::view::CaseView::whole(case), today)
}

/// A case file as the caller may see it, with its output-only fields for `today`.
fn case_view_file(view: &perspectief_core::view::CaseView, today: chrono::NaiveDate) -> pb::CaseFile {
    crate::convert::case_model::case_file_on(view, today)
}

fn status(e: DomainError) -> Status {
    to_status(&e)
}

fn convert<P, T: FromProto<P>>(proto: P) -> Result<T, Status> {
    T::from_proto(proto, &Field::root()).map_err(status)
}

/// A page size from the wire: 0 is the default, negative is refused.
fn page_size(size: i32) -> Result<u32, Status> {
    u32::try_from(size).map_err(|_| invalid_field("page_size", "the page size cannot be negative"))
}

fn opt_token(token: String) -> Option<String> {
    if token.is_empty() { None } else { Some(token) }
}

impl<S: PerspectiefService + 'static> Api<S> {
    async fn command<R>(&self, request: Request<R>) -> Result<Response<pb::CaseCommandResponse>, Status>
    where
        CaseCommandTarget: FromProto<R>,
    {
        let caller = caller(&request)?;
        let target: CaseCommandTarget = convert(request.into_inner())?;
        let done = self
            .svc
            .execute(&caller, target.participant, target.expected_version, target.command.clone())
            .await
            .map_err(|e| status(in_request_terms(&target.command, e)))?;
        Ok(Response::new(pb::CaseCommandResponse {
            name: resource_name("participants", &target.participant),
            etag: etag(done.version),
            version: done.version,
            events: to_protos(&done.events),
        }))
    }

    async fn session_command<R>(&self, request: Request<R>) -> Result<Response<pb::InformationSession>, Status>
    where
        SessionCommandTarget: FromProto<R>,
    {
        let caller = caller(&request)?;
        let t: SessionCommandTarget = convert(request.into_inner())?;
        let session =
            self.svc.execute_session(&caller, t.session, t.expected_version, t.command).await.map_err(status)?;
        Ok(Response::new(session.to_proto()))
    }

    async fn meeting_command<R>(&self, request: Request<R>) -> Result<Response<pb::ChainMeeting>, Status>
    where
        MeetingCommandTarget: FromProto<R>,
    {
        let caller = caller(&request)?;
        let t: MeetingCommandTarget = convert(request.into_inner())?;
        let meeting =
            self.svc.execute_meeting(&caller, t.meeting, t.expected_version, t.command).await.map_err(status)?;
        Ok(Response::new(meeting.to_proto()))
    }
}

/// The case service's implementation, with one method per case command.
macro_rules! case_service {
    ($($v:ident($req:ident, $method:ident) $fields:tt),* $(,)?) => {
        #[tonic::async_trait]
        impl<S: PerspectiefService + Clock + 'static> pb::case_service_server::CaseService for Api<S> {
            async fn create_participant(
                &self,
                request: Request<pb::CreateParticipantRequest>,
            ) -> Result<Response<pb::CaseFile>, Status> {
                let caller = caller(&request)?;
                let cmd: RegisterParticipant = convert(request.into_inner())?;
                let case = self
                    .svc
                    .register_participant(&caller, cmd)
                    .await
                    .map_err(|e| status(registration_in_request_terms(e)))?;
                Ok(Response::new(case_file(&case, self.svc.today())))
            }

            async fn get_case_file(
                &self,
                request: Request<pb::GetCaseFileRequest>,
            ) -> Result<Response<pb::CaseFile>, Status> {
                let caller = caller(&request)?;
                let id: ParticipantId =
                    parse_name("participants", &request.get_ref().name, &Field::root().child("name")).map_err(status)?;
                let view = self.svc.case_view(&caller, id).await.map_err(status)?;
                Ok(Response::new(case_view_file(&view, self.svc.today())))
            }

            async fn list_participants(
                &self,
                request: Request<pb::ListParticipantsRequest>,
            ) -> Result<Response<pb::ListParticipantsResponse>, Status> {
                let caller = caller(&request)?;
                let req = request.into_inner();
                let filter: ParticipantFilter = participant_filter(&req.filter).map_err(status)?;
                let page = PageRequest { page_size: page_size(req.page_size)?, page_token: opt_token(req.page_token) };
                let page = self.svc.list_participants(&caller, filter, page).await.map_err(status)?;
                Ok(Response::new(pb::ListParticipantsResponse {
                    participants: to_protos(&page.items),
                    next_page_token: page.next_page_token.unwrap_or_default(),
                }))
            }

            async fn list_case_events(
                &self,
                request: Request<pb::ListCaseEventsRequest>,
            ) -> Result<Response<pb::ListCaseEventsResponse>, Status> {
                let caller = caller(&request)?;
                let req = request.into_inner();
                let id: ParticipantId =
                    parse_name("participants", &req.parent, &Field::root().child("parent")).map_err(status)?;
                let scope = format!("events-{id}");
                let after = paging::resume(&scope, &req.page_token, req.after_version).map_err(status)?;
                let limit = page_limit(page_size(req.page_size)?);
                let events = self.svc.case_events(&caller, id, after, limit).await.map_err(status)?;
                let next_page_token = paging::next(&scope, events.len(), limit, events.last().map(|e| e.version));
                Ok(Response::new(pb::ListCaseEventsResponse { events: to_protos(&events), next_page_token }))
            }

            async fn update_participant(
                &self,
                request: Request<pb::UpdateParticipantRequest>,
            ) -> Result<Response<pb::CaseFile>, Status> {
                let caller = caller(&request)?;
                let update: ProfileUpdate = convert(request.into_inner())?;
                // The mask's fields are merged into the current profile; the write is based on
                // the version read, so a change in between fails as stale instead of being lost.
                let current = self.svc.get_case(&caller, update.participant).await.map_err(status)?;
                let command = update.apply(current.profile()).map_err(status)?;
                let expected = update.expected_version.unwrap_or_else(|| current.version());
                self.svc
                    .execute(&caller, update.participant, Some(expected), command.clone())
                    .await
                    .map_err(|e| status(update.in_request_terms(&command, e)))?;
                let case = self.svc.get_case(&caller, update.participant).await.map_err(status)?;
                Ok(Response::new(case_file(&case, self.svc.today())))
            }

            async fn get_worklist(
                &self,
                request: Request<pb::GetWorklistRequest>,
            ) -> Result<Response<pb::Worklist>, Status> {
                let caller = caller(&request)?;
                let query: WorklistQuery = convert(request.into_inner())?;
                let list = self.svc.worklist(&caller, query).await.map_err(status)?;
                Ok(Response::new(list.to_proto()))
            }

            $(
                async fn $method(
                    &self,
                    request: Request<pb::$req>,
                ) -> Result<Response<pb::CaseCommandResponse>, Status> {
                    self.command(request).await
                }
            )*
        }
    };
}

crate::convert::case_commands::case_command_table!(case_service);

#[tonic::async_trait]
impl<S: PerspectiefService + 'static> pb::session_service_server::SessionService for Api<S> {
    async fn create_session(
        &self,
        request: Request<pb::CreateSessionRequest>,
    ) -> Result<Response<pb::InformationSession>, Status> {
        let caller = caller(&request)?;
        let cmd: PlanSession = convert(request.into_inner())?;
        Ok(Response::new(self.svc.plan_session(&caller, cmd).await.map_err(status)?.to_proto()))
    }

    async fn get_session(
        &self,
        request: Request<pb::GetSessionRequest>,
    ) -> Result<Response<pb::InformationSession>, Status> {
        let caller = caller(&request)?;
        let id: SessionId =
            parse_name("sessions", &request.get_ref().name, &Field::root().child("name")).map_err(status)?;
        Ok(Response::new(self.svc.get_session(&caller, id).await.map_err(status)?.to_proto()))
    }

    async fn list_sessions(
        &self,
        request: Request<pb::ListSessionsRequest>,
    ) -> Result<Response<pb::ListSessionsResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let root = Field::root();
        let from: chrono::NaiveDate =
            crate::convert::required(req.start_date, &root.child("start_date")).map_err(status)?;
        let to: chrono::NaiveDate = crate::convert::required(req.end_date, &root.child("end_date")).map_err(status)?;
        let period = DateRange::new(from, to)
            .and_then(|r| r.at_most(366))
            .map_err(|_| invalid_field("end_date", "the end date lies from the start date to 366 days after it"))?;
        let sessions = self.svc.list_sessions(&caller, period.from(), period.to()).await.map_err(status)?;
        Ok(Response::new(pb::ListSessionsResponse { sessions: to_protos(&sessions) }))
    }

    async fn register_attendance(
        &self,
        request: Request<pb::RegisterAttendanceRequest>,
    ) -> Result<Response<pb::InformationSession>, Status> {
        self.session_command(request).await
    }

    async fn remove_attendance(
        &self,
        request: Request<pb::RemoveAttendanceRequest>,
    ) -> Result<Response<pb::InformationSession>, Status> {
        self.session_command(request).await
    }

    async fn set_unregistered_head_count(
        &self,
        request: Request<pb::SetUnregisteredHeadCountRequest>,
    ) -> Result<Response<pb::InformationSession>, Status> {
        self.session_command(request).await
    }

    async fn reschedule_session(
        &self,
        request: Request<pb::RescheduleSessionRequest>,
    ) -> Result<Response<pb::InformationSession>, Status> {
        self.session_command(request).await
    }

    async fn cancel_session(
        &self,
        request: Request<pb::CancelSessionRequest>,
    ) -> Result<Response<pb::InformationSession>, Status> {
        self.session_command(request).await
    }
}

#[tonic::async_trait]
impl<S: PerspectiefService + 'static> pb::meeting_service_server::MeetingService for Api<S> {
    async fn create_meeting(
        &self,
        request: Request<pb::CreateMeetingRequest>,
    ) -> Result<Response<pb::ChainMeeting>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let root = Field::root();
        let id = crate::convert::given_or_new(req.meeting_id, &root.child("meeting_id"), MeetingId::from_uuid)
            .map_err(status)?;
        let date: chrono::NaiveDate = crate::convert::required(req.date, &root.child("date")).map_err(status)?;
        Ok(Response::new(self.svc.schedule_meeting(&caller, id, date).await.map_err(status)?.to_proto()))
    }

    async fn list_meetings(
        &self,
        request: Request<pb::ListMeetingsRequest>,
    ) -> Result<Response<pb::ListMeetingsResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let root = Field::root();
        let from: chrono::NaiveDate =
            crate::convert::required(req.start_date, &root.child("start_date")).map_err(status)?;
        let to: chrono::NaiveDate = crate::convert::required(req.end_date, &root.child("end_date")).map_err(status)?;
        let days = DateRange::new(from, to)
            .and_then(|r| r.at_most(366))
            .map_err(|_| invalid_field("end_date", "the end date lies from the start date to 366 days after it"))?;
        let page = PageRequest { page_size: page_size(req.page_size)?, page_token: opt_token(req.page_token) };
        let page = self.svc.list_meetings(&caller, days, page).await.map_err(status)?;
        Ok(Response::new(pb::ListMeetingsResponse {
            meetings: to_protos(&page.items),
            next_page_token: page.next_page_token.unwrap_or_default(),
        }))
    }

    async fn adopt_agenda(
        &self,
        request: Request<pb::AdoptAgendaRequest>,
    ) -> Result<Response<pb::ChainMeeting>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let root = Field::root();
        let id: MeetingId = parse_name("meetings", &req.name, &root.child("name")).map_err(status)?;
        let expected = crate::convert::expected_version(&req.etag, &root.child("etag")).map_err(status)?;
        Ok(Response::new(self.svc.adopt_agenda(&caller, id, expected).await.map_err(status)?.to_proto()))
    }

    async fn get_meeting(&self, request: Request<pb::GetMeetingRequest>) -> Result<Response<pb::ChainMeeting>, Status> {
        let caller = caller(&request)?;
        let id: MeetingId =
            parse_name("meetings", &request.get_ref().name, &Field::root().child("name")).map_err(status)?;
        Ok(Response::new(self.svc.get_meeting(&caller, id).await.map_err(status)?.to_proto()))
    }

    async fn add_to_agenda(
        &self,
        request: Request<pb::AddToAgendaRequest>,
    ) -> Result<Response<pb::ChainMeeting>, Status> {
        self.meeting_command(request).await
    }

    async fn record_discussion(
        &self,
        request: Request<pb::RecordDiscussionRequest>,
    ) -> Result<Response<pb::ChainMeeting>, Status> {
        self.meeting_command(request).await
    }

    async fn advise_termination(
        &self,
        request: Request<pb::AdviseTerminationRequest>,
    ) -> Result<Response<pb::ChainMeeting>, Status> {
        self.meeting_command(request).await
    }

    async fn record_chain_decision(
        &self,
        request: Request<pb::RecordChainDecisionRequest>,
    ) -> Result<Response<pb::ChainMeeting>, Status> {
        self.meeting_command(request).await
    }

    async fn record_termination_talk(
        &self,
        request: Request<pb::RecordTerminationTalkRequest>,
    ) -> Result<Response<pb::ChainMeeting>, Status> {
        self.meeting_command(request).await
    }
}

#[tonic::async_trait]
impl<S: PerspectiefService + 'static> pb::subsidy_period_service_server::SubsidyPeriodService for Api<S> {
    async fn create_subsidy_period(
        &self,
        request: Request<pb::CreateSubsidyPeriodRequest>,
    ) -> Result<Response<pb::SubsidyPeriod>, Status> {
        let caller = caller(&request)?;
        let period: SubsidyPeriod =
            crate::convert::required(request.into_inner().subsidy_period, &Field::root().child("subsidy_period"))
                .map_err(status)?;
        self.svc.define_subsidy_period(&caller, period.clone()).await.map_err(status)?;
        Ok(Response::new(period.to_proto()))
    }

    async fn list_subsidy_periods(
        &self,
        request: Request<pb::ListSubsidyPeriodsRequest>,
    ) -> Result<Response<pb::ListSubsidyPeriodsResponse>, Status> {
        let caller = caller(&request)?;
        let periods = self.svc.subsidy_periods(&caller).await.map_err(status)?;
        Ok(Response::new(pb::ListSubsidyPeriodsResponse { subsidy_periods: to_protos(&periods) }))
    }
}

#[tonic::async_trait]
impl<S: PerspectiefService + 'static> pb::audit_service_server::AuditService for Api<S> {
    async fn list_audit_records(
        &self,
        request: Request<pb::ListAuditRecordsRequest>,
    ) -> Result<Response<pb::ListAuditRecordsResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let participant: Option<ParticipantId> = if req.participant.is_empty() {
            None
        } else {
            Some(parse_name("participants", &req.participant, &Field::root().child("participant")).map_err(status)?)
        };
        let scope = participant.map_or_else(|| "audit".to_owned(), |p| format!("audit-{p}"));
        let after = paging::resume(&scope, &req.page_token, req.after_seq).map_err(status)?;
        let limit = page_limit(page_size(req.page_size)?);
        let records = self.svc.audit_log(&caller, participant, after, limit).await.map_err(status)?;
        let next_page_token = paging::next(&scope, records.len(), limit, records.last().map(|r| r.seq));
        Ok(Response::new(pb::ListAuditRecordsResponse { audit_records: to_protos(&records), next_page_token }))
    }

    async fn verify_audit_log(
        &self,
        request: Request<pb::VerifyAuditLogRequest>,
    ) -> Result<Response<pb::ChainVerification>, Status> {
        let caller = caller(&request)?;
        Ok(Response::new(self.svc.verify_audit_log(&caller).await.map_err(status)?.to_proto()))
    }
}

/// The day a report is for: the given one, or `today` (Amsterdam, by the service's clock).
fn as_of(date: Option<pb::Date>, today: chrono::NaiveDate) -> Result<chrono::NaiveDate, Status> {
    match date {
        Some(d) => FromProto::from_proto(d, &Field::root().child("as_of")).map_err(status),
        None => Ok(today),
    }
}

#[tonic::async_trait]
impl<S: PerspectiefService + ReportingService + perspectief_core::organisation::DirectoryService + Clock + 'static>
    pb::report_service_server::ReportService for Api<S>
{
    async fn get_subsidy_report(
        &self,
        request: Request<pb::GetSubsidyReportRequest>,
    ) -> Result<Response<pb::SubsidyReport>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let period =
            parse_name(SUBSIDY_PERIODS, &req.subsidy_period, &Field::root().child("subsidy_period")).map_err(status)?;
        let as_of = as_of(req.as_of, self.svc.today())?;
        let report = self.svc.subsidy_report(&caller, period, as_of).await.map_err(status)?;
        Ok(Response::new(report.to_proto()))
    }

    async fn get_zrm_cohort(
        &self,
        request: Request<pb::GetZrmCohortRequest>,
    ) -> Result<Response<pb::ZrmCohort>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let period =
            parse_name(SUBSIDY_PERIODS, &req.subsidy_period, &Field::root().child("subsidy_period")).map_err(status)?;
        let cohort = self.svc.zrm_cohort(&caller, period).await.map_err(status)?;
        Ok(Response::new(cohort.to_proto()))
    }

    async fn list_late_entries(
        &self,
        request: Request<pb::ListLateEntriesRequest>,
    ) -> Result<Response<pb::ListLateEntriesResponse>, Status> {
        let caller = caller(&request)?;
        let query: perspectief_core::late::LateEntryQuery =
            FromProto::from_proto(request.into_inner(), &Field::root()).map_err(status)?;
        let page = self.svc.late_entries(&caller, query).await.map_err(status)?;
        Ok(Response::new(pb::ListLateEntriesResponse {
            late_entries: to_protos(&page.items),
            next_page_token: page.next_page_token.unwrap_or_default(),
        }))
    }

    async fn get_late_entry_policy(
        &self,
        request: Request<pb::GetLateEntryPolicyRequest>,
    ) -> Result<Response<pb::LateEntryPolicy>, Status> {
        let caller = caller(&request)?;
        Ok(Response::new(self.svc.late_entry_policy(&caller).await.map_err(status)?.to_proto()))
    }

    async fn drill_down_subsidy_figure(
        &self,
        request: Request<pb::DrillDownSubsidyFigureRequest>,
    ) -> Result<Response<pb::Drilldown>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let period =
            parse_name(SUBSIDY_PERIODS, &req.subsidy_period, &Field::root().child("subsidy_period")).map_err(status)?;
        let as_of = as_of(req.as_of, self.svc.today())?;
        let query: FigureQuery = convert((req.figure, req.slice))?;
        let drilldown = self.svc.subsidy_drilldown(&caller, period, as_of, query).await.map_err(status)?;
        Ok(Response::new(drilldown.to_proto()))
    }

    async fn get_progress_report(
        &self,
        request: Request<pb::GetProgressReportRequest>,
    ) -> Result<Response<pb::ProgressReport>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let root = Field::root();
        let participant: ParticipantId =
            parse_name("participants", &req.participant, &root.child("participant")).map_err(status)?;
        let from = crate::convert::required(req.period_from, &root.child("period_from")).map_err(status)?;
        let to = crate::convert::required(req.period_to, &root.child("period_to")).map_err(status)?;
        let report = self.svc.progress_report(&caller, participant, from, to).await.map_err(status)?;
        // The Markdown names organisations as the register does, never by a bare id.
        let mut ids: Vec<perspectief_core::OrganisationId> = report.referrals.iter().map(|r| r.partner).collect();
        ids.extend(report.reports_sent.iter().map(|r| r.sent_to));
        ids.extend(report.judgments.iter().flat_map(|j| j.communications.iter()).filter_map(|c| match c.to {
            perspectief_core::Recipient::Partner(o) => Some(o),
            _ => None,
        }));
        ids.sort();
        ids.dedup();
        let mut names = std::collections::BTreeMap::new();
        for id in ids {
            let found =
                self.svc.get_organisation(&caller, perspectief_core::organisation::OrganisationRef::Id(id)).await;
            if let Ok(organisation) = found {
                names.insert(id, organisation.display());
            }
        }
        let markdown = report.to_markdown_named(&|id| names.get(&id).cloned());
        Ok(Response::new(pb::ProgressReport { markdown, ..report.to_proto() }))
    }

    async fn get_meeting_agenda(
        &self,
        request: Request<pb::GetMeetingAgendaRequest>,
    ) -> Result<Response<pb::MeetingAgenda>, Status> {
        let caller = caller(&request)?;
        let query: AgendaQuery = convert(request.into_inner())?;
        let agenda = self.svc.meeting_agenda(&caller, query).await.map_err(status)?;
        Ok(Response::new(agenda.to_proto()))
    }
}

fn feed_events(page: &perspectief_core::service::FeedPage) -> Vec<pb::FeedEvent> {
    page.events.iter().map(|e| pb::FeedEvent { position: e.position, event: Some(e.event.to_proto()) }).collect()
}

#[tonic::async_trait]
impl<S: PerspectiefService + Authenticator + 'static> pb::event_service_server::EventService for Api<S> {
    async fn list_feed_events(
        &self,
        request: Request<pb::ListFeedEventsRequest>,
    ) -> Result<Response<pb::ListFeedEventsResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let page =
            self.svc.watch_events(&caller, req.after_position, page_size(req.page_size)?).await.map_err(status)?;
        Ok(Response::new(pb::ListFeedEventsResponse { events: feed_events(&page), cursor: page.cursor }))
    }

    type WatchEventsStream = ReceiverStream<Result<pb::WatchEventsResponse, Status>>;

    async fn watch_events(
        &self,
        request: Request<pb::WatchEventsRequest>,
    ) -> Result<Response<Self::WatchEventsStream>, Status> {
        let caller = caller(&request)?;
        let token = request.extensions().get::<crate::auth::Presented>().cloned();
        let start = request.into_inner().after_position;
        let place = self.stream_place(caller.actor.user)?;
        // Check access once up front, so a caller the feed shows nothing to at all still gets an
        // answer now rather than an empty stream.
        let first = self.svc.watch_events(&caller, start, 0).await.map_err(status)?;
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let api = self.clone();
        tokio::spawn(async move {
            api.follow(caller, token, start, first, tx).await;
            drop(place);
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

/// Heartbeats keep idle streams alive through proxies and tell the client its cursor.
const HEARTBEAT: Duration = Duration::from_secs(15);

impl<S: PerspectiefService + Authenticator + 'static> Api<S> {
    /// Feed an open WatchEvents stream until the client goes away. Every read goes through the
    /// service, so access is decided (and logged) per delivery; and every read authenticates
    /// the token again, so a revoked token, a disabled account or a changed grant takes effect
    /// on an open stream too, not only on the next call.
    async fn follow(
        &self,
        mut caller: Caller,
        token: Option<crate::auth::Presented>,
        start: u64,
        mut page: perspectief_core::service::FeedPage,
        tx: tokio::sync::mpsc::Sender<Result<pb::WatchEventsResponse, Status>>,
    ) {
        let mut idle = Duration::ZERO;
        let mut cursor = start;
        let mut signal = self.streams.signal.clone();
        if let Some(s) = signal.as_mut() {
            s.mark_unchanged();
        }
        loop {
            for event in feed_events(&page) {
                let position = event.position;
                if tx.send(Ok(pb::WatchEventsResponse { event: Some(event), cursor: position })).await.is_err() {
                    return;
                }
            }
            let advanced = page.cursor != cursor;
            cursor = page.cursor;
            // While the feed moves, read on at once; when it is quiet, wait, with heartbeats.
            if advanced {
                idle = Duration::ZERO;
            } else {
                if idle >= HEARTBEAT {
                    idle = Duration::ZERO;
                    if tx.send(Ok(pb::WatchEventsResponse { event: None, cursor })).await.is_err() {
                        return;
                    }
                }
                match signal.as_mut() {
                    // Sleep until events are committed (or the heartbeat is due): no query
                    // while the feed is quiet.
                    Some(s) => {
                        let started = tokio::time::Instant::now();
                        tokio::select! {
                            changed = s.changed() => {
                                if changed.is_err() {
                                    return;
                                }
                                idle += started.elapsed();
                            }
                            () = tokio::time::sleep(HEARTBEAT.saturating_sub(idle)) => {
                                if tx.send(Ok(pb::WatchEventsResponse { event: None, cursor })).await.is_err() {
                                    return;
                                }
                                idle = Duration::ZERO;
                                page = perspectief_core::service::FeedPage { events: Vec::new(), cursor };
                                continue;
                            }
                            () = tx.closed() => return,
                        }
                    }
                    None => {
                        tokio::select! {
                            () = tokio::time::sleep(self.poll) => idle += self.poll,
                            () = tx.closed() => return,
                        }
                    }
                }
            }
            if let Some(crate::auth::Presented(token)) = &token {
                match self.svc.authenticate(token).await {
                    Ok(actor) => caller.actor = actor,
                    Err(AuthFailure::Rejected(_)) => {
                        let refused = Status::unauthenticated("the token is no longer valid (expired or revoked)");
                        let _ = tx.send(Err(refused)).await;
                        return;
                    }
                    // Try again at the next read; meanwhile deliver nothing new.
                    Err(AuthFailure::Unavailable) => {
                        page = perspectief_core::service::FeedPage { events: Vec::new(), cursor };
                        continue;
                    }
                }
            }
            page = match self.svc.watch_events(&caller, cursor, 0).await {
                Ok(next) => next,
                Err(e) => {
                    let _ = tx.send(Err(status(e))).await;
                    return;
                }
            };
        }
    }
}

#[tonic::async_trait]
impl<S: DirectoryService + 'static> pb::organisation_service_server::OrganisationService for Api<S> {
    async fn list_organisations(
        &self,
        request: Request<pb::ListOrganisationsRequest>,
    ) -> Result<Response<pb::ListOrganisationsResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let filter = crate::convert::organisations::organisation_filter(&req.filter).map_err(status)?;
        let page = PageRequest { page_size: page_size(req.page_size)?, page_token: opt_token(req.page_token) };
        let page = self.svc.list_organisations(&caller, filter, page).await.map_err(status)?;
        Ok(Response::new(pb::ListOrganisationsResponse {
            organisations: to_protos(&page.items),
            next_page_token: page.next_page_token.unwrap_or_default(),
        }))
    }

    async fn get_organisation(
        &self,
        request: Request<pb::GetOrganisationRequest>,
    ) -> Result<Response<pb::Organisation>, Status> {
        let caller = caller(&request)?;
        let key =
            crate::convert::organisations::organisation_ref(&request.into_inner().name, &Field::root().child("name"))
                .map_err(status)?;
        let organisation = self.svc.get_organisation(&caller, key).await.map_err(status)?;
        Ok(Response::new(organisation.to_proto()))
    }

    async fn list_staff_members(
        &self,
        request: Request<pb::ListStaffMembersRequest>,
    ) -> Result<Response<pb::ListStaffMembersResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let page = PageRequest { page_size: page_size(req.page_size)?, page_token: opt_token(req.page_token) };
        let page = self.svc.list_staff(&caller, page).await.map_err(status)?;
        Ok(Response::new(pb::ListStaffMembersResponse {
            staff_members: to_protos(&page.items),
            next_page_token: page.next_page_token.unwrap_or_default(),
        }))
    }
}
