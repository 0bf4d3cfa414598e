//! Persistence for Perspectief.
