//! Derive macros that encode and decode Diameter commands, grouped AVPs and enumerated AVPs.
//!
//! The generated code implements the traits of `diameter::typed` (the runtime's `typed`
//! module) and calls its helpers; `diameter-codegen` emits structs that use these derives,
//! and hand-written structs use them the same way.
//!
//! ```ignore
//! use diameter::typed::{Command, Enumerated, FlagOverrides, Grouped, Identity};
//! use diameter::message::Avp;
//! use diameter::wire::Header;
//!
//! #[derive(Debug, Clone, PartialEq, Enumerated)]
//! pub enum SubscriptionIdType {
//!     #[avp(value = 0)]
//!     EndUserE164,
//!     #[avp(value = 1)]
//!     EndUserImsi,
//!     #[avp(unknown)]
//!     Unknown(i32),
//! }
//!
//! #[derive(Debug, Clone, PartialEq, Grouped)]
//! #[diameter(code = 443, mandatory, name = "Subscription-Id")]
//! pub struct SubscriptionId {
//!     #[avp(code = 450, mandatory, name = "Subscription-Id-Type")]
//!     pub subscription_id_type: SubscriptionIdType,
//!     #[avp(code = 444, mandatory, name = "Subscription-Id-Data")]
//!     pub subscription_id_data: String,
//!     #[avp(extra)]
//!     pub avps: Vec<Avp>,
//!     #[avp(flags)]
//!     pub flag_overrides: FlagOverrides,
//! }
//!
//! #[derive(Debug, Clone, PartialEq, Command)]
//! #[diameter(code = 272, application = 4, request, proxiable, name = "Credit-Control-Request")]
//! pub struct CreditControlRequest {
//!     #[avp(header)]
//!     pub header: Header,
//!     #[avp(code = 263, mandatory, name = "Session-Id")]
//!     pub session_id: String,
//!     #[avp(code = 264, mandatory, name = "Origin-Host")]
//!     pub origin_host: Identity,
//!     #[avp(code = 443, mandatory, name = "Subscription-Id")]
//!     pub subscription_id: Vec<SubscriptionId>,
//!     #[avp(extra, wildcard)]
//!     pub avps: Vec<Avp>,
//!     #[avp(flags)]
//!     pub flag_overrides: FlagOverrides,
//! }
//! ```
//!
//! # Attributes
//!
//! On the type, `#[diameter(...)]`:
//! - `#[derive(Grouped)]`: `code = N` (required), `vendor = N`, `mandatory`, `name = "..."`.
//! - `#[derive(Command)]`: `code = N` and `application = N` (required), `request` (else an
//!   answer), `proxiable`, `name = "..."`, `no_default` (do not implement `Default`).
//! - `Grouped` and `Command`: `not_allowed(code = N, vendor = N, name = "...")`, repeatable,
//!   for an AVP the grammar forbids (`0*0 [ AVP ]`): decoding a message that carries it
//!   fails with 5008 DIAMETER_AVP_NOT_ALLOWED and the AVP in Failed-AVP.
//! - all three: `crate = "path"`, the path of the `diameter` crate (default `::diameter`).
//!
//! On fields, `#[avp(...)]`, one of:
//! - `code = N` with `vendor = N`, `mandatory`, `name = "..."`, and for `Vec` fields `min = N`,
//!   `max = N`: one AVP of the grammar. The multiplicity comes from the type: `T` exactly one,
//!   `Option<T>` at most one, `Vec<T>` any number (bounded by `min`/`max`). Fields are encoded
//!   in declaration order.
//! - `extra`, with `wildcard` when the grammar has `*[ AVP ]`: a `Vec<Avp>` that keeps the
//!   AVPs no field is for, in order, encoded after the fields. Without `wildcard` an unknown
//!   AVP with the M bit is refused (5001).
//! - `flags`: a `FlagOverrides` that keeps received flags differing from the defaults.
//! - `header` (commands): the `Header` kept with the message.
//!
//! On enum variants, `#[avp(value = N)]` for a named value and `#[avp(unknown)]` on the one
//! tuple variant `Unknown(i32)` that keeps other values.
//!
//! Errors in attributes are reported together, each at the place it is about.

mod attr;
mod avp_set;
mod enumerated;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Implements `AvpSet`, `AvpData` and `Grouped` for a struct holding a grouped AVP's members;
/// adds `new(required members...)` and `add_<member>(value)` for repeated members.
#[proc_macro_derive(Grouped, attributes(diameter, avp))]
pub fn derive_grouped(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    avp_set::expand(&input, avp_set::Kind::Grouped)
        .unwrap_or_else(to_compile_errors)
        .into()
}

/// Implements `AvpSet` and `Command` for a struct holding a command's AVPs, plus `Default`
/// (unless `no_default`), `From<T> for Message` and `TryFrom<Message>`; adds
/// `add_<avp>(value)` for repeated AVPs.
#[proc_macro_derive(Command, attributes(diameter, avp))]
pub fn derive_command(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    avp_set::expand(&input, avp_set::Kind::Command)
        .unwrap_or_else(to_compile_errors)
        .into()
}

/// Implements `Enumerated` and `AvpData` for an enum of named values with an
/// `Unknown(i32)` variant, plus `From<i32>` and `From<Enum> for i32`.
#[proc_macro_derive(Enumerated, attributes(diameter, avp))]
pub fn derive_enumerated(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    enumerated::expand(&input)
        .unwrap_or_else(to_compile_errors)
        .into()
}

fn to_compile_errors(errors: Vec<syn::Error>) -> proc_macro2::TokenStream {
    let errors = errors.iter().map(syn::Error::to_compile_error);
    quote::quote!(#(#errors)*)
}
