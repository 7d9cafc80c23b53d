//! The dictionary model: vendors, applications, commands and AVP definitions.

use std::fmt;
use std::str::FromStr;

/// Where an item of a dictionary was defined: the file (or source name) and the line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file path or source name given to the loader.
    pub source: String,
    /// 1-based line number of the element.
    pub line: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.source, self.line)
    }
}

/// The data type of an AVP, as named in the dictionary (`<data type="...">`).
///
/// `IPv4` and `IPv6` are go-diameter extensions: bare 4- or 16-byte addresses
/// without the RFC 6733 address-family prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// Arbitrary bytes.
    OctetString,
    /// Signed 32-bit integer.
    Integer32,
    /// Signed 64-bit integer.
    Integer64,
    /// Unsigned 32-bit integer.
    Unsigned32,
    /// Unsigned 64-bit integer.
    Unsigned64,
    /// IEEE 754 single-precision float.
    Float32,
    /// IEEE 754 double-precision float.
    Float64,
    /// A sequence of AVPs (members given by the definition's rules).
    Grouped,
    /// An address with its 2-byte address family (RFC 6733 §4.3.1).
    Address,
    /// Seconds since 1900-01-01 UTC, 4 bytes (NTP format).
    Time,
    /// UTF-8 text.
    UTF8String,
    /// An FQDN or realm.
    DiameterIdentity,
    /// An `aaa://` or `aaas://` URI.
    DiameterURI,
    /// Integer32 with named values (the definition's items).
    Enumerated,
    /// An IP filter rule (RFC 6733 §4.3.1).
    IPFilterRule,
    /// A QoS filter rule (RFC 4005).
    QoSFilterRule,
    /// A bare 4-byte IPv4 address (go-diameter extension).
    IPv4,
    /// A bare 16-byte IPv6 address (go-diameter extension).
    IPv6,
}

impl DataType {
    /// Every data type, in declaration order.
    pub const ALL: [DataType; 18] = [
        DataType::OctetString,
        DataType::Integer32,
        DataType::Integer64,
        DataType::Unsigned32,
        DataType::Unsigned64,
        DataType::Float32,
        DataType::Float64,
        DataType::Grouped,
        DataType::Address,
        DataType::Time,
        DataType::UTF8String,
        DataType::DiameterIdentity,
        DataType::DiameterURI,
        DataType::Enumerated,
        DataType::IPFilterRule,
        DataType::QoSFilterRule,
        DataType::IPv4,
        DataType::IPv6,
    ];

    /// The name used in dictionary files.
    pub fn name(self) -> &'static str {
        match self {
            DataType::OctetString => "OctetString",
            DataType::Integer32 => "Integer32",
            DataType::Integer64 => "Integer64",
            DataType::Unsigned32 => "Unsigned32",
            DataType::Unsigned64 => "Unsigned64",
            DataType::Float32 => "Float32",
            DataType::Float64 => "Float64",
            DataType::Grouped => "Grouped",
            DataType::Address => "Address",
            DataType::Time => "Time",
            DataType::UTF8String => "UTF8String",
            DataType::DiameterIdentity => "DiameterIdentity",
            DataType::DiameterURI => "DiameterURI",
            DataType::Enumerated => "Enumerated",
            DataType::IPFilterRule => "IPFilterRule",
            DataType::QoSFilterRule => "QoSFilterRule",
            DataType::IPv4 => "IPv4",
            DataType::IPv6 => "IPv6",
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for a type name that is not a Diameter data type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported data type `{0}`")]
pub struct UnknownDataType(pub String);

impl FromStr for DataType {
    type Err = UnknownDataType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DataType::ALL
            .iter()
            .copied()
            .find(|t| t.name() == s)
            .ok_or_else(|| UnknownDataType(s.to_string()))
    }
}

/// The AVP flag bits a dictionary talks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct FlagSet {
    /// The V (vendor-specific) bit.
    pub v: bool,
    /// The M (mandatory) bit.
    pub m: bool,
    /// The P (protected) bit.
    pub p: bool,
}

/// The flag rules of an AVP definition (`must`, `may`, `must-not`, `may-encrypt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlagRules {
    /// Flags that must be set (`must`).
    pub must: FlagSet,
    /// Flags that may be set (`may`).
    pub may: FlagSet,
    /// Flags that must not be set (`must-not`).
    pub must_not: FlagSet,
    /// `may-encrypt="Y"`.
    pub may_encrypt: bool,
}

/// Application type: authentication/authorization or accounting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppKind {
    /// `type="auth"`.
    Auth,
    /// `type="acct"`.
    Acct,
}

/// One item of an Enumerated AVP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumItem {
    /// The value on the wire.
    pub code: i32,
    /// Its name (free text, not necessarily an identifier).
    pub name: String,
}

/// How many times an AVP may or must appear in a command or grouped AVP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The AVP name; `AVP` is the RFC `*[ AVP ]` extensibility marker.
    pub avp: String,
    /// Project extension `vendor-id` on `<rule>`: which vendor's AVP of that name is meant.
    pub vendor_id: Option<u32>,
    /// `required="true"`: the AVP must be present.
    pub required: bool,
    /// Minimum count (0 when absent from the file).
    pub min: u32,
    /// Maximum count; `None` means unbounded (absent, `0` or `unbounded` in the file);
    /// `Some(0)` for the project extension `allowed="false"` (the RFC's `0*0`: the AVP
    /// must not be there, 5008 DIAMETER_AVP_NOT_ALLOWED).
    pub max: Option<u32>,
    /// Where the rule was defined.
    pub location: Location,
}

impl Rule {
    /// True for the `AVP` wildcard (`*[ AVP ]`).
    pub fn is_wildcard(&self) -> bool {
        self.avp == "AVP"
    }

    /// Whether more than one instance is allowed.
    pub fn is_repeated(&self) -> bool {
        self.max != Some(1) && !self.is_forbidden()
    }

    /// Whether the AVP must not be there (`allowed="false"`, the RFC's `0*0`).
    pub fn is_forbidden(&self) -> bool {
        self.max == Some(0)
    }
}

/// An AVP definition.
#[derive(Debug, Clone, PartialEq)]
pub struct AvpDef {
    /// The AVP name (unique per application and vendor in sane dictionaries).
    pub name: String,
    /// The AVP code.
    pub code: u32,
    /// Vendor-Id; 0 for IETF AVPs.
    pub vendor_id: u32,
    /// The data type (`<data type="...">`).
    pub data_type: DataType,
    /// The flag rules, as written in the file (informational).
    pub flags: FlagRules,
    /// Enumerated values (empty unless `data_type` is `Enumerated`).
    pub items: Vec<EnumItem>,
    /// Grouped members (empty unless `data_type` is `Grouped`).
    pub rules: Vec<Rule>,
    /// The application the AVP was defined under.
    pub app_id: u32,
    /// Project extension `spec="..."`: the specification clause that defines the AVP.
    pub spec: Option<String>,
    /// Where the AVP was defined.
    pub location: Location,
}

impl AvpDef {
    /// The name of an enumerated value, if the dictionary knows it.
    pub fn enum_name(&self, code: i32) -> Option<&str> {
        self.items
            .iter()
            .find(|i| i.code == code)
            .map(|i| i.name.as_str())
    }

    /// The code of an enumerated value by name.
    pub fn enum_code(&self, name: &str) -> Option<i32> {
        self.items.iter().find(|i| i.name == name).map(|i| i.code)
    }

    /// The flags an encoder sets by default: V when vendor-specific, M when `must` has M.
    pub fn default_flags(&self) -> FlagSet {
        FlagSet {
            v: self.vendor_id != 0,
            m: self.flags.must.m,
            p: false,
        }
    }
}

/// A command definition.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandDef {
    /// The command code.
    pub code: u32,
    /// Short name (`CC`): with `R`/`A` gives `CCR`/`CCA`.
    pub short: String,
    /// Full name (`Credit-Control`).
    pub name: String,
    /// The application the command was defined under.
    pub app_id: u32,
    /// Rules of the request (`<request>`).
    pub request: Vec<Rule>,
    /// Rules of the answer (`<answer>`).
    pub answer: Vec<Rule>,
    /// Where the command was defined.
    pub location: Location,
}

/// An application (`<application id type name>`), possibly extended across files.
#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    /// The Application-Id.
    pub id: u32,
    /// `type="auth"` or `type="acct"`; `None` when absent or unknown.
    pub kind: Option<AppKind>,
    /// The application name (may be empty).
    pub name: String,
    /// Where the application was first defined.
    pub location: Location,
}

/// A vendor (`<vendor id name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    /// The Vendor-Id.
    pub id: u32,
    /// The vendor name.
    pub name: String,
}
