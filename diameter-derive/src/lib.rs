//! Derive macros that encode and decode Diameter commands and grouped AVPs (see the typed-message work).
