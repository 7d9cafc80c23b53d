//! Turns Diameter XML dictionaries into Rust types at build time (see the typed-message work).
