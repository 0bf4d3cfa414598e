//! # perspectief-store
//!
//! Persistence for Perspectief: sea-orm entities, migrations, and the core's ports implemented
//! on SQLite (embedded default) and PostgreSQL. The only crate that knows SQL.
//!
//! Not built yet: this crate is an empty member of the workspace until the persistence issue
//! lands, and exports nothing.
