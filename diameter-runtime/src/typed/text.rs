//! Text kept in a [`Bytes`]: decoding a text AVP shares the received message's buffer
//! instead of copying the text into a new `String`.
//!
//! [`Text`] is the storage of [`Utf8String`](super::Utf8String) and
//! [`Identity`](super::Identity); [`text_type!`] gives both the same conversions and
//! comparisons, the ones of a `String`.

use std::fmt;
use std::hash::{Hash, Hasher};

use bytes::Bytes;

use crate::wire::text_check::{is_identity, is_utf8};

/// UTF-8 text in a [`Bytes`]. The bytes are valid UTF-8 by construction: every constructor
/// takes a `str`/`String` or checks the bytes.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Text(Bytes);

impl Text {
    /// No text.
    pub(crate) const fn new() -> Text {
        Text(Bytes::new())
    }

    /// Text sharing `bytes`, when they are UTF-8.
    #[inline]
    pub(crate) fn from_utf8(bytes: Bytes) -> Result<Text, std::str::Utf8Error> {
        if !is_utf8(&bytes) {
            std::str::from_utf8(&bytes)?;
        }
        Ok(Text(bytes))
    }

    /// Text sharing `bytes`, when they are a DiameterIdentity (non-empty printable ASCII).
    #[inline]
    pub(crate) fn from_identity(bytes: Bytes) -> Option<Text> {
        is_identity(&bytes).then_some(Text(bytes))
    }

    /// A copy of `s`.
    pub(crate) fn copy_from(s: &str) -> Text {
        Text(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        // SAFETY: the bytes are valid UTF-8: they come from a `str` or `String`, or
        // `from_utf8` checked them, and a `Text` never changes them.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }

    #[inline]
    pub(crate) fn as_bytes(&self) -> &Bytes {
        &self.0
    }

    pub(crate) fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl From<String> for Text {
    /// Takes over the `String`'s buffer (no copy).
    fn from(s: String) -> Text {
        Text(Bytes::from(s.into_bytes()))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        match String::from_utf8(Vec::from(t.0)) {
            Ok(s) => s,
            // Unreachable: the bytes are UTF-8.
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }
}

impl Hash for Text {
    /// As the `str` hashes, so that `Borrow<str>` lookups work.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The conversions and comparisons of a text newtype over [`Text`], as a `String` has
/// them: `Deref<Target = str>`, `From<&str>`/`From<String>`, `Into<String>`, equality with
/// `str` and `String`, `Display`, and `Debug` as a string.
macro_rules! text_type {
    ($name:ident) => {
        impl $name {
            /// The text.
            #[inline]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The text as a `String` (a copy unless this value holds the only reference).
            pub fn into_string(self) -> String {
                String::from(self.0)
            }

            /// The text's bytes as [`Bytes`](::bytes::Bytes), sharing the buffer (no copy).
            pub fn to_bytes(&self) -> ::bytes::Bytes {
                self.0.as_bytes().clone()
            }

            /// The text's bytes as [`Bytes`](::bytes::Bytes) (no copy).
            pub fn into_bytes(self) -> ::bytes::Bytes {
                self.0.into_bytes()
            }
        }

        impl ::std::ops::Deref for $name {
            type Target = str;
            #[inline]
            fn deref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl ::std::convert::AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                self.0.as_str().as_bytes()
            }
        }

        impl ::std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                self.0.as_str()
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(self.0.as_str(), f)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.0.as_str())
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(s: &str) -> $name {
                $name($crate::typed::text::Text::copy_from(s))
            }
        }

        impl ::std::convert::From<String> for $name {
            /// Takes over the `String`'s buffer (no copy).
            fn from(s: String) -> $name {
                $name($crate::typed::text::Text::from(s))
            }
        }

        impl ::std::convert::From<&String> for $name {
            fn from(s: &String) -> $name {
                $name($crate::typed::text::Text::copy_from(s))
            }
        }

        impl ::std::convert::From<$name> for String {
            fn from(s: $name) -> String {
                s.into_string()
            }
        }

        impl ::std::cmp::PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl ::std::cmp::PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl ::std::cmp::PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl ::std::cmp::PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }

        impl ::std::cmp::PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }

        impl ::std::cmp::PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self.as_str() == other.as_str()
            }
        }
    };
}

pub(crate) use text_type;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_utf8_and_shares_the_buffer() {
        let buf = Bytes::from_static("aé".as_bytes());
        let text = Text::from_utf8(buf.clone()).unwrap();
        assert_eq!(text.as_str(), "aé");
        assert_eq!(text.as_bytes().as_ptr(), buf.as_ptr());
        assert!(Text::from_utf8(Bytes::from_static(&[b'a', 0xff])).is_err());
        assert!(Text::from_utf8(Bytes::from_static(&[0xc3])).is_err());
        let text = Text::from_identity(buf.slice(..1)).unwrap();
        assert_eq!(text.as_str(), "a");
        assert_eq!(text.as_bytes().as_ptr(), buf.as_ptr());
        assert!(Text::from_identity(buf.clone()).is_none());
        assert!(Text::from_identity(Bytes::from_static(b"a\tb")).is_none());
        assert!(Text::from_identity(Bytes::new()).is_none());
    }

    #[test]
    fn hashes_as_str() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |h: &dyn Fn(&mut DefaultHasher)| {
            let mut s = DefaultHasher::new();
            h(&mut s);
            s.finish()
        };
        let text = Text::from("x.y".to_string());
        assert_eq!(hash(&|s| text.hash(s)), hash(&|s| "x.y".hash(s)));
    }
}
