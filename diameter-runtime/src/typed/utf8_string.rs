//! The `UTF8String` data type as a typed field.

use super::text::{text_type, Text};

/// A `UTF8String` payload: text that decodes only when valid UTF-8.
///
/// A decoded value shares the received message's buffer instead of copying the text; it
/// converts from and to `&str` and `String`, derefs to `str` and compares with both.
///
/// ```
/// use diameter_runtime::typed::Utf8String;
/// let session: Utf8String = "smsgw.gy;1;2;3".into();
/// assert_eq!(session, "smsgw.gy;1;2;3");
/// assert!(session.starts_with("smsgw"));
/// let owned: String = session.into();
/// assert_eq!(owned, "smsgw.gy;1;2;3");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Utf8String(pub(crate) Text);

impl Utf8String {
    /// An empty string.
    pub const fn new() -> Utf8String {
        Utf8String(Text::new())
    }

    /// The text in `bytes` (shared, no copy), when they are valid UTF-8.
    #[inline]
    pub fn from_utf8(bytes: ::bytes::Bytes) -> Result<Utf8String, std::str::Utf8Error> {
        Text::from_utf8(bytes).map(Utf8String)
    }
}

text_type!(Utf8String);
