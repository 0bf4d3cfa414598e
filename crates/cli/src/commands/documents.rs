//! `perspectief participant document` (the participant's plan or the information sheet, in the
//! participant's language, as printable HTML; with `--hand-over` the handover is recorded as a
//! contact moment under 5.2.c) and `perspectief report zrm` (the self-reliance cohort view).
//! The documents and the cohort come from the core; this writes the file and asks the service.

use std::collections::BTreeSet;
use std::path::PathBuf;

use perspectief_core::access::DataCategory;
use perspectief_core::activity::ActivityCode;
use perspectief_core::case::{CaseCommand, NewContact};
use perspectief_core::contact::{ContactKind, ContactLocation};
use perspectief_core::document::{
    DocumentContact, DocumentKind, DocumentLanguage, DocumentNames, HandedDocument, InformationSheet, PlanDocument,
};
use perspectief_core::ids::ContactId;
use perspectief_core::organisation::DirectoryService;
use perspectief_core::plan::Responsible;
use perspectief_core::report::ReportingService;
use perspectief_core::service::PerspectiefService;
use perspectief_core::view::CaseView;
use serde_json::json;

use crate::args::{now, today};
use crate::context::{Ctx, participant};
use crate::exit::{Failure, Result, USAGE, VALIDATION};
use crate::output::{self, col, obj, term_col};
use crate::t;

/// What `participant document` was asked.
#[derive(Debug)]
pub struct DocumentRequest {
    pub participant: String,
    pub kind: DocumentKind,
    pub language: Option<DocumentLanguage>,
    pub html: PathBuf,
    pub hand_over: bool,
    pub expect_version: Option<u64>,
}

/// The foundation's contact details and the project worker's name, for the page.
fn contact(
    view: &CaseView,
    directory: &crate::directory::Directory,
    staff: &crate::directory::Staff,
    ctx: &Ctx,
) -> DocumentContact {
    let foundation = directory.get(ctx.caller.actor.organisation);
    DocumentContact {
        organisation: foundation.map(|o| o.name.to_string()),
        project_worker: view.profile.as_ref().map(|p| staff.name(p.project_worker)),
        phone: foundation.and_then(|o| o.contact.phone.as_ref().map(|p| p.as_str().to_owned())),
        email: foundation.and_then(|o| o.contact.email.as_ref().map(|e| e.as_str().to_owned())),
        address: foundation.and_then(|o| o.contact.address.as_ref().map(ToString::to_string)),
    }
}

pub async fn document<S: PerspectiefService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    req: DocumentRequest,
) -> Result<()> {
    let language = req.language.ok_or_else(|| Failure::new(USAGE, t!("document-lang-required")))?;
    let id = participant(svc, ctx, &req.participant).await?;
    // What this reader may see of the case: the page never shows more than the case file.
    let view = svc.case_view(&ctx.caller, id).await?;
    let directory = ctx.directory(svc).await?;
    let staff = ctx.staff(svc).await?;
    let contact = contact(&view, directory, staff, ctx);
    let day = today();
    let (html, version) = match req.kind {
        DocumentKind::PerspectivePlan => {
            let doc = PlanDocument::from_view(&view, day, contact);
            let mut names = DocumentNames::default();
            let people = doc.goals.iter().map(|g| g.who).chain(doc.agreements.iter().map(|a| a.who));
            for who in people {
                match who {
                    Responsible::Staff(u) => {
                        names.staff.insert(u, staff.name(u));
                    }
                    Responsible::Partner(o) => {
                        if let Some(org) = directory.get(o) {
                            names.organisations.insert(o, org.name.to_string());
                        }
                    }
                    Responsible::Participant => {}
                }
            }
            (doc.to_html(language, &names), doc.version())
        }
        DocumentKind::InformationSheet => {
            (InformationSheet { contact }.to_html(language, day), Some(InformationSheet::version()))
        }
    };
    crate::commands::report::write_report(&req.html, &html)?;
    if !language.is_reviewed() {
        output::note(&t!(
            "document-unreviewed",
            language = language.code().to_owned(),
            status = language.review_status().to_owned()
        ));
    }
    if !req.hand_over {
        return output::done(
            ctx.format,
            &t!("document-written", file = req.html.display().to_string()),
            json!({ "participant": id.to_string(), "kind": req.kind.as_str(), "language": language.code(),
                    "version": version.as_ref().map(ToString::to_string), "handed_over": false }),
        );
    }
    let version = version.ok_or_else(|| Failure::new(VALIDATION, t!("document-no-plan")))?;
    let document = HandedDocument { kind: req.kind, language, version };
    let summary =
        crate::commands::text("--hand-over", &t!("document-handover-summary", document = document.describe()))?;
    let contact_id = ContactId::from_uuid(uuid::Uuid::new_v4());
    let cmd = CaseCommand::LogContact(NewContact {
        id: contact_id,
        at: now(),
        kind: ContactKind::IndividualTalk,
        location: ContactLocation::Office,
        staff: BTreeSet::new(),
        activities: BTreeSet::from([ActivityCode::Communication]),
        summary,
        category: DataCategory::Guidance,
        partner: None,
        duration_minutes: None,
        agreements: vec![],
        documents: vec![document.clone()],
    });
    let done = svc.execute(&ctx.caller, id, Some(req.expect_version.unwrap_or(view.version)), cmd).await?;
    output::done(
        ctx.format,
        &format!(
            "{} ({})",
            t!("document-handed-over", document = document.describe()),
            t!("version-now", version = done.version)
        ),
        json!({ "participant": id.to_string(), "version": done.version, "changed": true,
                "contact": contact_id.to_string(), "kind": req.kind.as_str(), "language": language.code(),
                "document_version": document.version.to_string(), "handed_over": true }),
    )
}

pub async fn zrm_report<S: PerspectiefService + ReportingService + DirectoryService>(
    svc: &S,
    ctx: &Ctx,
    period: &str,
    html: Option<PathBuf>,
) -> Result<()> {
    let period = crate::commands::report::period(svc, ctx, period).await?;
    let cohort = svc.zrm_cohort(&ctx.caller, period).await?;
    if let Some(path) = &html {
        crate::commands::report::write_report(path, &cohort.to_html())?;
    }
    if ctx.format == crate::cli::OutputFormat::Json {
        let value = serde_json::to_value(&cohort).map_err(|e| Failure::new(crate::exit::INTERNAL, e.to_string()))?;
        return output::print(&format!("{value:#}\n"));
    }
    let rows: Vec<_> = cohort
        .domains
        .iter()
        .map(|d| {
            obj(json!({
                "domain": d.domain.as_str(),
                "participants": d.participants.map_or_else(|| "—".to_owned(), |n| n.to_string()),
                "average_change": d.average_change.map_or_else(|| "—".to_owned(), |a| format!("{a:+.2}")),
            }))
        })
        .collect();
    output::note(&t!(
        "zrm-cohort-intro",
        from = cohort.from.to_string(),
        to = cohort.to.to_string(),
        participants = cohort.participants.map_or_else(|| "—".to_owned(), |n| n.to_string())
    ));
    output::list(
        ctx.format,
        &[
            term_col("domain", "col-zrm-domain", "zrm"),
            col("participants", "col-participants"),
            col("average_change", "col-average-change"),
        ],
        &rows,
    )
}
