//! The organisations register and the staff directory as the command line uses them: staff
//! type a short code (`IOM`, any case) or an id wherever an organisation is asked, and every
//! table, JSON document and CSV file shows an organisation's name and code, a staff member's
//! name, never a bare id. Both come from the service (the database, or the server with
//! `--server`), read once per command and only when a command needs them.

use std::collections::BTreeMap;

use perspectief_core::ids::{OrganisationId, UserId};
use perspectief_core::organisation::{
    DirectoryService, Organisation, OrganisationFilter, OrganisationRef, StaffMember,
};
use perspectief_core::service::Caller;
use serde_json::Value;

use crate::context::all_pages;
use crate::exit::{Failure, Result};
use crate::t;

/// Every registered organisation (inactive ones too: older case data names them).
#[derive(Debug, Default)]
pub struct Directory {
    organisations: Vec<Organisation>,
}

/// No organisations: for listings that name none (nothing is read, nothing logged).
pub static NO_ORGANISATIONS: Directory = Directory { organisations: Vec::new() };
/// No staff names: for listings that name no staff member.
pub static NO_STAFF: Staff = Staff { names: BTreeMap::new() };

impl Directory {
    /// Read the whole register, page by page.
    pub async fn load<S: DirectoryService>(svc: &S, caller: &Caller) -> Result<Self> {
        let filter = OrganisationFilter { include_inactive: true, ..Default::default() };
        let organisations = all_pages(|page| svc.list_organisations(caller, filter.clone(), page)).await?;
        Ok(Self { organisations })
    }

    /// A directory of these organisations.
    #[cfg(test)]
    pub fn of(organisations: Vec<Organisation>) -> Self {
        Self { organisations }
    }

    /// The organisation staff typed: a code (any case) or an id. An unknown one is refused
    /// with the codes that are known.
    pub fn resolve(&self, flag: &str, value: &str) -> Result<OrganisationId> {
        let found = OrganisationRef::parse(value)
            .ok()
            .and_then(|key| self.organisations.iter().find(|o| key.matches(o)))
            .map(|o| o.id);
        found.ok_or_else(|| {
            let known: Vec<&str> = self.organisations.iter().filter(|o| o.active).map(|o| o.code.as_str()).collect();
            let known = if known.is_empty() { t!("organisation-none-registered") } else { known.join(", ") };
            Failure::field(flag, t!("violation-unknown-organisation", value = value.trim(), known = known))
        })
    }

    /// The registered organisation of an id.
    pub fn get(&self, id: OrganisationId) -> Option<&Organisation> {
        self.organisations.iter().find(|o| o.id == id)
    }

    /// How an organisation reads in a table, a JSON document or a report: `Name (CODE)`; an id
    /// the register does not hold (named only inside older case files) says so.
    pub fn name(&self, id: OrganisationId) -> String {
        match self.get(id) {
            Some(o) => o.display(),
            None => t!("organisation-unregistered", id = id.to_string()),
        }
    }

    /// The code of an organisation, when registered.
    pub fn code(&self, id: OrganisationId) -> Option<&str> {
        self.get(id).map(|o| o.code.as_str())
    }

    /// Replace, everywhere in a JSON document, a string that is a registered organisation's id
    /// by how the organisation reads (`Name (CODE)`): for documents the core's types make whole
    /// (a case file), where organisations sit at many places.
    pub fn name_ids(&self, value: &mut Value) {
        match value {
            Value::String(s) => {
                if let Ok(id) = OrganisationId::parse(s)
                    && let Some(o) = self.get(id)
                {
                    *s = o.display();
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.name_ids(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.name_ids(v)),
            _ => {}
        }
    }

    /// Replace every registered organisation's id in an HTML document by its name and code,
    /// escaped.
    pub fn name_ids_in_html(&self, html: &str) -> String {
        let mut out = html.to_owned();
        for o in &self.organisations {
            let id = o.id.to_string();
            if out.contains(&id) {
                let escaped = o
                    .display()
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('"', "&quot;")
                    .replace('\'', "&#39;");
                out = out.replace(&id, &escaped);
            }
        }
        out
    }

    /// Replace every registered organisation's id in a message by its name and code.
    pub fn name_ids_in_text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for o in &self.organisations {
            let id = o.id.to_string();
            if out.contains(&id) {
                out = out.replace(&id, &o.display());
            }
        }
        out
    }
}

/// The foundation's staff by account id.
#[derive(Debug, Default)]
pub struct Staff {
    names: BTreeMap<UserId, String>,
}

impl Staff {
    /// Read the staff directory, page by page.
    pub async fn load<S: DirectoryService>(svc: &S, caller: &Caller) -> Result<Self> {
        let members = all_pages(|page| svc.list_staff(caller, page)).await?;
        Ok(Self { names: members.into_iter().map(|m: StaffMember| (m.id, m.name.to_string())).collect() })
    }

    /// A staff member's name, if the directory holds the account.
    pub fn known(&self, id: UserId) -> Option<&str> {
        self.names.get(&id).map(String::as_str)
    }

    /// A staff member's name; an account the directory does not hold (not of the foundation)
    /// says so.
    pub fn name(&self, id: UserId) -> String {
        self.names.get(&id).cloned().unwrap_or_else(|| t!("staff-unknown", id = id.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use perspectief_core::organisation::OrganisationInput;

    use super::*;

    fn directory() -> Directory {
        let foundation = OrganisationId::from_u128(1);
        let iom = OrganisationInput {
            code: "IOM".into(),
            name: "IOM Nederland".into(),
            kind: "international_organisation".into(),
            ..Default::default()
        }
        .into_organisation(OrganisationId::from_u128(7), foundation)
        .unwrap();
        Directory::of(vec![iom])
    }

    #[test]
    fn codes_and_ids_resolve_and_unknown_ones_list_the_known_codes() {
        let d = directory();
        let iom = OrganisationId::from_u128(7);
        assert_eq!(d.resolve("--partner", "iom").unwrap(), iom);
        assert_eq!(d.resolve("--partner", &iom.to_string()).unwrap(), iom);
        let err = d.resolve("--partner", "ASKV").unwrap_err();
        assert!(err.message.contains("ASKV") && err.message.contains("IOM"), "{}", err.message);
        assert!(d.resolve("--partner", &OrganisationId::from_u128(8).to_string()).is_err());
    }

    #[test]
    fn ids_in_documents_and_messages_become_names() {
        let d = directory();
        let iom = OrganisationId::from_u128(7).to_string();
        let mut v = serde_json::json!({"consents": [{"organisation": iom}], "other": "x", "n": 1});
        d.name_ids(&mut v);
        assert_eq!(v["consents"][0]["organisation"], "IOM Nederland (IOM)");
        assert_eq!(v["other"], "x");
        assert_eq!(
            d.name_ids_in_text(&format!("organisatie {iom} ontbreekt")),
            "organisatie IOM Nederland (IOM) ontbreekt"
        );
        let tricky = Directory::of(vec![Organisation {
            name: perspectief_core::Label::parse("<b>A&B</b>").unwrap(),
            ..d.get(OrganisationId::from_u128(7)).unwrap().clone()
        }]);
        assert_eq!(tricky.name_ids_in_html(&format!("<td>{iom}</td>")), "<td>&lt;b&gt;A&amp;B&lt;/b&gt; (IOM)</td>");
    }
}
