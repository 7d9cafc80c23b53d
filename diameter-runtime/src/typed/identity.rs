//! The `DiameterIdentity` data type as a typed field.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

/// A `DiameterIdentity` (an FQDN or a realm): text that decodes only when non-empty
/// printable ASCII, as RFC 6733 §4.3.1 asks.
///
/// ```
/// use diameter_runtime::typed::Identity;
/// let host: Identity = "smsgw.gy".into();
/// assert_eq!(host, "smsgw.gy");
/// assert_eq!(host.len(), 8);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity(String);

impl Identity {
    /// The identity as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identity as a `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl Deref for Identity {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Identity {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Identity {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Identity {
    fn from(s: &str) -> Identity {
        Identity(s.to_string())
    }
}

impl From<String> for Identity {
    fn from(s: String) -> Identity {
        Identity(s)
    }
}

impl From<&String> for Identity {
    fn from(s: &String) -> Identity {
        Identity(s.clone())
    }
}

impl From<Identity> for String {
    fn from(id: Identity) -> String {
        id.0
    }
}

impl PartialEq<str> for Identity {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Identity {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
