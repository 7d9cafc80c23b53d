//! The `DiameterIdentity` data type as a typed field.

use super::text::{text_type, Text};

/// A `DiameterIdentity` (an FQDN or a realm): text that decodes only when non-empty
/// printable ASCII, as RFC 6733 §4.3.1 asks.
///
/// A decoded identity shares the received message's buffer; it converts from and to
/// `&str` and `String` and derefs to `str`.
///
/// ```
/// use diameter_runtime::typed::Identity;
/// let host: Identity = "smsgw.gy".into();
/// assert_eq!(host, "smsgw.gy");
/// assert_eq!(host.len(), 8);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity(pub(crate) Text);

text_type!(Identity);
