//! Reading `#[diameter(...)]` and `#[avp(...)]` attributes; every error is collected, so
//! that one compilation reports all of them (serde_derive's way).

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, LitInt, LitStr};

/// Errors found so far.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    pub fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.0.push(syn::Error::new(span, message));
    }

    pub fn add(&mut self, error: syn::Error) {
        self.0.push(error);
    }

    /// `Err` with every error when there is one.
    pub fn finish(self) -> Result<(), Vec<syn::Error>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// `#[diameter(...)]` on the type.
#[derive(Default)]
pub struct Container {
    pub code: Option<u32>,
    pub vendor: u32,
    pub application: Option<u32>,
    pub mandatory: bool,
    pub request: bool,
    pub proxiable: bool,
    pub no_default: bool,
    pub name: Option<String>,
    pub krate: Option<syn::Path>,
    /// `not_allowed(code = .., vendor = .., name = "..")`, repeatable: AVPs the grammar
    /// forbids (the RFC's `0*0`), refused with 5008.
    pub not_allowed: Vec<NotAllowed>,
}

/// An AVP a `0*0` rule forbids.
pub struct NotAllowed {
    pub code: u32,
    pub vendor: u32,
    pub name: Option<String>,
}

impl Container {
    pub fn parse(attrs: &[Attribute], allowed: &[&str], errors: &mut Errors) -> Container {
        let mut c = Container::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("diameter")) {
            let result = attr.parse_nested_meta(|meta| {
                let key = key_of(&meta);
                if !allowed.contains(&key.as_str()) {
                    return Err(meta.error(format!(
                        "unknown diameter attribute `{key}`; expected one of: {}",
                        allowed.join(", ")
                    )));
                }
                match key.as_str() {
                    "code" => c.code = Some(int(&meta)?),
                    "vendor" => c.vendor = int(&meta)?,
                    "application" => c.application = Some(int(&meta)?),
                    "mandatory" => c.mandatory = true,
                    "request" => c.request = true,
                    "proxiable" => c.proxiable = true,
                    "no_default" => c.no_default = true,
                    "name" => c.name = Some(string(&meta)?.value()),
                    "crate" => c.krate = Some(string(&meta)?.parse()?),
                    "not_allowed" => c.not_allowed.push(not_allowed(&meta)?),
                    _ => unreachable!("keys are checked against `allowed`"),
                }
                Ok(())
            });
            if let Err(e) = result {
                errors.add(e);
            }
        }
        c
    }

    /// The path of the `diameter` crate in generated code.
    pub fn krate(&self) -> syn::Path {
        self.krate
            .clone()
            .unwrap_or_else(|| syn::parse_quote!(::diameter))
    }
}

/// What a field of a grouped or command struct is for.
pub enum Role {
    /// One AVP of the grammar.
    Avp(AvpAttr),
    /// The AVPs no field is for.
    Extra { wildcard: bool },
    /// The kept flags.
    Flags,
    /// The message header.
    Header,
}

/// `#[avp(code = ..., ...)]` on a field.
pub struct AvpAttr {
    pub code: u32,
    pub vendor: u32,
    pub mandatory: bool,
    pub name: Option<String>,
    pub min: Option<(u32, Span)>,
    pub max: Option<(u32, Span)>,
}

const FIELD_KEYS: &str = "code, vendor, mandatory, name, min, max, extra, wildcard, flags, header";

/// The role of a field, from its `#[avp(...)]` attribute; `None` (with an error) when it has
/// none or a bad one.
pub fn field_role(field: &syn::Field, errors: &mut Errors) -> Option<Role> {
    let attrs: Vec<&Attribute> = field
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("avp"))
        .collect();
    let Some(attr) = attrs.first() else {
        let name = field
            .ident
            .as_ref()
            .map(|i| i.to_string())
            .unwrap_or_default();
        errors.push(
            field.span(),
            format!(
                "field `{name}` needs #[avp(code = ...)], #[avp(extra)], #[avp(flags)] or #[avp(header)]"
            ),
        );
        return None;
    };
    if let Some(second) = attrs.get(1) {
        errors.push(second.span(), "only one #[avp(...)] attribute per field");
    }
    let mut code = None;
    let mut avp = AvpAttr {
        code: 0,
        vendor: 0,
        mandatory: false,
        name: None,
        min: None,
        max: None,
    };
    let (mut extra, mut wildcard, mut flags, mut header) = (false, false, false, false);
    let result = attr.parse_nested_meta(|meta| {
        match key_of(&meta).as_str() {
            "code" => code = Some(int(&meta)?),
            "vendor" => avp.vendor = int(&meta)?,
            "mandatory" => avp.mandatory = true,
            "name" => avp.name = Some(string(&meta)?.value()),
            "min" => avp.min = Some((int(&meta)?, meta.path.span())),
            "max" => avp.max = Some((int(&meta)?, meta.path.span())),
            "extra" => extra = true,
            "wildcard" => wildcard = true,
            "flags" => flags = true,
            "header" => header = true,
            key => {
                return Err(meta.error(format!(
                    "unknown avp attribute `{key}`; expected one of: {FIELD_KEYS}"
                )))
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        errors.add(e);
        return None;
    }
    let roles = [code.is_some(), extra, flags, header];
    if roles.iter().filter(|r| **r).count() != 1 {
        errors.push(
            attr.span(),
            "#[avp(...)] needs exactly one of `code = ...`, `extra`, `flags` or `header`",
        );
        return None;
    }
    if wildcard && !extra {
        errors.push(attr.span(), "`wildcard` goes with `extra`");
    }
    Some(match code {
        Some(code) => {
            avp.code = code;
            Role::Avp(avp)
        }
        None if extra => Role::Extra { wildcard },
        None if flags => Role::Flags,
        None => Role::Header,
    })
}

/// `#[avp(value = N)]` or `#[avp(unknown)]` on an enum variant.
pub enum VariantRole {
    Value(i32),
    Unknown,
}

pub fn variant_role(variant: &syn::Variant, errors: &mut Errors) -> Option<VariantRole> {
    let Some(attr) = variant.attrs.iter().find(|a| a.path().is_ident("avp")) else {
        errors.push(
            variant.span(),
            format!(
                "variant `{}` needs #[avp(value = ...)] or #[avp(unknown)]",
                variant.ident
            ),
        );
        return None;
    };
    let mut role = None;
    let result = attr.parse_nested_meta(|meta| {
        match key_of(&meta).as_str() {
            "value" => {
                let lit: syn::Expr = meta.value()?.parse()?;
                role = Some(VariantRole::Value(enum_value(&lit)?));
            }
            "unknown" => role = Some(VariantRole::Unknown),
            key => {
                return Err(meta.error(format!(
                    "unknown avp attribute `{key}`; expected `value = ...` or `unknown`"
                )))
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        errors.add(e);
        return None;
    }
    if role.is_none() {
        errors.push(attr.span(), "#[avp(...)] needs `value = ...` or `unknown`");
    }
    role
}

/// An `i32` literal, possibly negated.
fn enum_value(expr: &syn::Expr) -> syn::Result<i32> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(lit),
            ..
        }) => lit.base10_parse(),
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => enum_value(expr).map(|v| -v),
        other => Err(syn::Error::new(other.span(), "expected an i32 literal")),
    }
}

/// `not_allowed(code = N[, vendor = V][, name = "..."])`.
fn not_allowed(meta: &ParseNestedMeta) -> syn::Result<NotAllowed> {
    let mut avp = NotAllowed {
        code: 0,
        vendor: 0,
        name: None,
    };
    let mut code = false;
    meta.parse_nested_meta(|inner| {
        match key_of(&inner).as_str() {
            "code" => (avp.code, code) = (int(&inner)?, true),
            "vendor" => avp.vendor = int(&inner)?,
            "name" => avp.name = Some(string(&inner)?.value()),
            key => {
                return Err(inner.error(format!(
                    "unknown not_allowed attribute `{key}`; expected one of: code, vendor, name"
                )))
            }
        }
        Ok(())
    })?;
    if !code {
        return Err(meta.error("`not_allowed(...)` needs `code = ...`"));
    }
    Ok(avp)
}

fn key_of(meta: &ParseNestedMeta) -> String {
    let path = &meta.path;
    path.get_ident()
        .map(|i| i.to_string())
        .unwrap_or_else(|| quote::quote!(#path).to_string().replace(' ', ""))
}

fn int(meta: &ParseNestedMeta) -> syn::Result<u32> {
    let lit: LitInt = meta.value()?.parse()?;
    lit.base10_parse()
}

fn string(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    meta.value()?.parse()
}
