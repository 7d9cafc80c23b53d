//! The project's own dictionary files, embedded at build time ([`Dictionary::shipped`]).
//!
//! [`Dictionary::shipped`]: crate::Dictionary::shipped

/// (source name used in locations, file contents), in loading order: base first.
pub(crate) const SHIPPED: &[(&str, &str)] = &[
    (
        "dictionaries/base.xml",
        include_str!("../../dictionaries/base.xml"),
    ),
    (
        "dictionaries/credit_control.xml",
        include_str!("../../dictionaries/credit_control.xml"),
    ),
    (
        "dictionaries/tgpp_ro_rf.xml",
        include_str!("../../dictionaries/tgpp_ro_rf.xml"),
    ),
];
