//! ReferenceDataService: the code lists partners code against. Not personal data, so any
//! authenticated caller may read them and they are not in the access log.

use perspectief_core::activity::ActivityCode;
use tonic::{Request, Response, Status};

use crate::convert::ToProto;
use crate::pb;
use crate::pb::reference_data_service_server::ReferenceDataService;

/// The service.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReferenceData;

/// Offset-based page tokens: the list is small and fixed, so an offset is stable.
fn offset(token: &str) -> Result<usize, Status> {
    if token.is_empty() {
        return Ok(0);
    }
    token
        .strip_prefix("o")
        .and_then(|n| n.parse::<usize>().ok())
        .ok_or_else(|| crate::status::invalid_field("page_token", "the page token is not one this service issued"))
}

#[tonic::async_trait]
impl ReferenceDataService for ReferenceData {
    async fn list_activity_codes(
        &self,
        request: Request<pb::ListActivityCodesRequest>,
    ) -> Result<Response<pb::ListActivityCodesResponse>, Status> {
        crate::auth::caller(&request)?;
        let req = request.into_inner();
        if req.page_size < 0 {
            return Err(crate::status::invalid_field("page_size", "the page size cannot be negative"));
        }
        let filter = match pb::Theme::try_from(req.filter_theme) {
            Ok(pb::Theme::Unspecified) => None,
            Ok(t) => Some(t),
            Err(_) => return Err(crate::status::invalid_field("filter_theme", "unknown theme")),
        };
        let all: Vec<pb::ActivityCode> = ActivityCode::ALL
            .iter()
            .filter(|c| filter.is_none_or(|f| c.theme().to_proto() == f as i32))
            .map(|c| pb::ActivityCode {
                code: c.code().to_owned(),
                name_nl: c.dutch_name().to_owned(),
                name_en: c.english_name().to_owned(),
                theme: c.theme().to_proto(),
            })
            .collect();
        let start = offset(&req.page_token)?.min(all.len());
        let size = if req.page_size == 0 { all.len() } else { usize::try_from(req.page_size).unwrap_or(all.len()) };
        let end = (start + size).min(all.len());
        let next_page_token = if end < all.len() { format!("o{end}") } else { String::new() };
        Ok(Response::new(pb::ListActivityCodesResponse { activity_codes: all[start..end].to_vec(), next_page_token }))
    }
}
