//! `#[derive(Grouped)]` and `#[derive(Command)]`: both read and write a sequence of AVPs
//! with a grammar; they differ in what surrounds it.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Type};

use crate::attr::{field_role, AvpAttr, Container, Errors, Role};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Grouped,
    Command,
}

impl Kind {
    fn derive_name(self) -> &'static str {
        match self {
            Kind::Grouped => "Grouped",
            Kind::Command => "Command",
        }
    }
}

/// How many times a field's AVP occurs, from the field's type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Multiplicity {
    /// `T`: exactly once.
    One,
    /// `Option<T>`: at most once.
    Optional,
    /// `Vec<T>`: any number.
    Repeated,
}

struct AvpField {
    ident: Ident,
    /// The type of one occurrence.
    inner: Type,
    multiplicity: Multiplicity,
    attr: AvpAttr,
}

struct Layout {
    avps: Vec<AvpField>,
    extra: Option<(Ident, bool)>,
    flags: Option<Ident>,
    header: Option<Ident>,
}

pub fn expand(input: &DeriveInput, kind: Kind) -> Result<TokenStream, Vec<syn::Error>> {
    let mut errors = Errors::default();
    let allowed: &[&str] = match kind {
        Kind::Grouped => &[
            "code",
            "vendor",
            "mandatory",
            "name",
            "crate",
            "not_allowed",
        ],
        Kind::Command => &[
            "code",
            "application",
            "request",
            "proxiable",
            "name",
            "no_default",
            "crate",
            "not_allowed",
        ],
    };
    let container = Container::parse(&input.attrs, allowed, &mut errors);
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(&named.named),
            _ => None,
        },
        _ => None,
    };
    let Some(fields) = fields else {
        errors.push(
            input.ident.span(),
            format!(
                "#[derive({})] works on structs with named fields",
                kind.derive_name()
            ),
        );
        return Err(errors.finish().unwrap_err());
    };
    if container.code.is_none() {
        let what = match kind {
            Kind::Grouped => "the grouped AVP's code",
            Kind::Command => "the command code",
        };
        errors.push(
            input.ident.span(),
            format!(
                "#[derive({})] needs #[diameter(code = ...)]: {what}",
                kind.derive_name()
            ),
        );
    }
    if kind == Kind::Command && container.application.is_none() {
        errors.push(
            input.ident.span(),
            "#[derive(Command)] needs #[diameter(application = ...)]: the Application-Id",
        );
    }
    let layout = layout(fields, kind, &mut errors);
    if kind == Kind::Command && layout.header.is_none() {
        errors.push(
            input.ident.span(),
            "#[derive(Command)] needs a `#[avp(header)] header: Header` field",
        );
    }
    errors.finish()?;

    let krate = container.krate();
    let set = avp_set_impl(input, &container, &layout, kind);
    let methods = methods(input, &layout, kind);
    let outer = match kind {
        Kind::Grouped => grouped_impls(input, &container),
        Kind::Command => command_impls(input, &container, &layout),
    };
    Ok(quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            use #krate::typed::codec as __c;
            #set
            #outer
            #methods
        };
    })
}

fn layout(
    fields: &syn::punctuated::Punctuated<syn::Field, syn::Token![,]>,
    kind: Kind,
    errors: &mut Errors,
) -> Layout {
    let mut layout = Layout {
        avps: Vec::new(),
        extra: None,
        flags: None,
        header: None,
    };
    let once = |slot: &mut Option<Ident>, ident: &Ident, what: &str, errors: &mut Errors| {
        if slot.is_some() {
            errors.push(
                ident.span(),
                format!("only one field can be #[avp({what})]"),
            );
        }
        *slot = Some(ident.clone());
    };
    for field in fields {
        let ident = field.ident.clone().expect("named fields");
        match field_role(field, errors) {
            None => {}
            Some(Role::Avp(attr)) => {
                if let Some(f) = avp_field(ident, &field.ty, attr, errors) {
                    if let Some(first) = layout
                        .avps
                        .iter()
                        .find(|a| a.attr.code == f.attr.code && a.attr.vendor == f.attr.vendor)
                    {
                        errors.push(
                            f.ident.span(),
                            format!(
                                "AVP {} (vendor {}) is already the field `{}`",
                                f.attr.code, f.attr.vendor, first.ident
                            ),
                        );
                    }
                    layout.avps.push(f);
                }
            }
            Some(Role::Extra { wildcard }) => {
                if layout.extra.is_some() {
                    errors.push(ident.span(), "only one field can be #[avp(extra)]");
                }
                layout.extra = Some((ident, wildcard));
            }
            Some(Role::Flags) => once(&mut layout.flags, &ident, "flags", errors),
            Some(Role::Header) => {
                if kind != Kind::Command {
                    errors.push(ident.span(), "#[avp(header)] is for commands");
                }
                once(&mut layout.header, &ident, "header", errors)
            }
        }
    }
    layout
}

fn avp_field(ident: Ident, ty: &Type, attr: AvpAttr, errors: &mut Errors) -> Option<AvpField> {
    let (multiplicity, inner) = match wrapped(ty, "Option") {
        Some(inner) => (Multiplicity::Optional, inner),
        None => match wrapped(ty, "Vec") {
            Some(inner) => (Multiplicity::Repeated, inner),
            None => (Multiplicity::One, ty.clone()),
        },
    };
    if multiplicity != Multiplicity::Repeated {
        for (key, bound) in [("min", attr.min), ("max", attr.max)] {
            if let Some((_, span)) = bound {
                errors.push(
                    span,
                    format!(
                        "`{key}` is for `Vec` fields; `T` is exactly one, `Option<T>` at most one"
                    ),
                );
            }
        }
    }
    if let (Some((min, _)), Some((max, span))) = (attr.min, attr.max) {
        if max < min || max == 0 {
            errors.push(
                span,
                format!("`max = {max}` must be at least 1 and at least `min = {min}`"),
            );
        }
    } else if let Some((0, span)) = attr.max {
        errors.push(span, "`max = 0`: leave the field out instead");
    }
    Some(AvpField {
        ident,
        inner,
        multiplicity,
        attr,
    })
}

/// `T` when `ty` is `Wrapper<T>` (by the last path segment: `Option`, `std::vec::Vec`, ...).
fn wrapped(ty: &Type, wrapper: &str) -> Option<Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner.clone()),
        _ => None,
    }
}

fn info_ident(i: usize) -> Ident {
    format_ident!("__F{}", i)
}

/// The AVP name for errors: the attribute's, else the field name.
fn avp_name(f: &AvpField) -> String {
    f.attr
        .name
        .clone()
        .unwrap_or_else(|| f.ident.unraw().to_string())
}

fn avp_set_impl(
    input: &DeriveInput,
    container: &Container,
    layout: &Layout,
    kind: Kind,
) -> TokenStream {
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let infos = layout.avps.iter().enumerate().map(|(i, f)| {
        let id = info_ident(i);
        let avp_name = avp_name(f);
        let (code, vendor, mandatory) = (f.attr.code, f.attr.vendor, f.attr.mandatory);
        let (min, max) = match f.multiplicity {
            Multiplicity::One => (quote!(1), quote!(Some(1))),
            Multiplicity::Optional => (quote!(0), quote!(Some(1))),
            Multiplicity::Repeated => {
                let min = f.attr.min.map_or(0, |m| m.0);
                let max = match f.attr.max {
                    Some((m, _)) => quote!(Some(#m)),
                    None => quote!(None),
                };
                (quote!(#min), max)
            }
        };
        quote! {
            const #id: __c::AvpInfo =
                __c::AvpInfo::new(#avp_name, #code, #vendor, #mandatory).occurs(#min, #max);
        }
    });
    let fo = match &layout.flags {
        Some(ident) => quote!(&self.#ident),
        None => quote!(&__c::FlagOverrides::new()),
    };
    let lens = layout.avps.iter().enumerate().map(|(i, f)| {
        let (ident, id, ix) = (&f.ident, info_ident(i), i as u16);
        match f.multiplicity {
            Multiplicity::One => quote!(__c::one_len(&self.#ident, &#id, __fo, #ix)),
            Multiplicity::Optional => quote!(__c::opt_len(&self.#ident, &#id, __fo, #ix)),
            Multiplicity::Repeated => quote!(__c::vec_len(&self.#ident, &#id, __fo, #ix)),
        }
    });
    let puts = layout.avps.iter().enumerate().map(|(i, f)| {
        let (ident, id, ix) = (&f.ident, info_ident(i), i as u16);
        match f.multiplicity {
            Multiplicity::One => quote!(__c::put_one(&self.#ident, &#id, __fo, #ix, __out);),
            Multiplicity::Optional => quote!(__c::put_opt(&self.#ident, &#id, __fo, #ix, __out);),
            Multiplicity::Repeated => quote!(__c::put_vec(&self.#ident, &#id, __fo, #ix, __out);),
        }
    });
    let (extra_len, extra_put) = match &layout.extra {
        Some((ident, _)) => (
            quote!(+ __c::extra_len(&self.#ident)),
            quote!(__c::put_extra(&self.#ident, __out);),
        ),
        None => (quote!(), quote!()),
    };
    let slots = layout.avps.iter().enumerate().map(|(i, f)| {
        let slot = format_ident!("__v{}", i);
        let inner = &f.inner;
        match f.multiplicity {
            Multiplicity::Repeated => {
                quote!(let mut #slot: ::std::vec::Vec<#inner> = ::std::vec::Vec::new();)
            }
            _ => {
                quote!(let mut #slot: ::std::option::Option<#inner> = ::std::option::Option::None;)
            }
        }
    });
    let arms = layout.avps.iter().enumerate().map(|(i, f)| {
        let (slot, id, ix) = (format_ident!("__v{}", i), info_ident(i), i as u16);
        let (code, vendor) = (f.attr.code, f.attr.vendor);
        let take = match f.multiplicity {
            Multiplicity::Repeated => quote!(__c::take_vec),
            _ => quote!(__c::take_one),
        };
        quote!((#code, #vendor) => #take(&mut #slot, __avp, &#id, &mut __fo, #ix, __ctx),)
    });
    let forbidden = container.not_allowed.iter().map(|n| {
        let (code, vendor) = (n.code, n.vendor);
        let name = n.name.clone().unwrap_or_else(|| format!("AVP {code}"));
        quote!((#code, #vendor) => ::std::result::Result::Err(__c::not_allowed(__avp, #name, __ctx)),)
    });
    let wildcard = layout.extra.as_ref().is_some_and(|(_, w)| *w);
    let mut inits: Vec<TokenStream> = layout
        .avps
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let (ident, slot, id) = (&f.ident, format_ident!("__v{}", i), info_ident(i));
            match f.multiplicity {
                Multiplicity::One => quote!(#ident: __c::required(#slot, &#id, __ctx)?,),
                Multiplicity::Optional => quote!(#ident: #slot,),
                Multiplicity::Repeated => quote!(#ident: __c::counted(#slot, &#id, __ctx)?,),
            }
        })
        .collect();
    if let Some((ident, _)) = &layout.extra {
        inits.push(quote!(#ident: __extra,));
    }
    if let Some(ident) = &layout.flags {
        inits.push(quote!(#ident: __fo,));
    }
    if let (Some(ident), Kind::Command) = (&layout.header, kind) {
        inits.push(quote!(#ident: <Self as __c::Command>::default_header(),));
    }
    quote! {
        #(#infos)*

        impl #impl_generics __c::AvpSet for #name #ty_generics #where_clause {
            fn avps_len(&self) -> usize {
                let __fo: &__c::FlagOverrides = #fo;
                0 #(+ #lens)* #extra_len
            }

            fn encode_avps(&self, __out: &mut __c::BytesMut) {
                let __fo: &__c::FlagOverrides = #fo;
                #(#puts)*
                #extra_put
            }

            #[allow(unused_variables, unused_mut)]
            fn decode_avps_then<__R, __E: ::std::convert::From<__c::DecodeError>>(
                __buf: &__c::Bytes,
                __range: ::std::ops::Range<usize>,
                __ctx: &mut __c::DecodeContext,
                __finish: impl ::std::ops::FnOnce(Self) -> __R,
            ) -> ::std::result::Result<__R, __E> {
                #(#slots)*
                let mut __extra: ::std::vec::Vec<__c::Avp> = ::std::vec::Vec::new();
                let mut __fo = __c::FlagOverrides::new();
                __ctx.walk(__buf, __range, |__avp, __ctx| match (__avp.code, __avp.vendor_id) {
                    #(#arms)*
                    #(#forbidden)*
                    _ => __c::take_extra(&mut __extra, __avp, #wildcard, __ctx),
                })?;
                ::std::result::Result::Ok(__finish(Self { #(#inits)* }))
            }
        }
    }
}

fn grouped_impls(input: &DeriveInput, container: &Container) -> TokenStream {
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let code = container.code.unwrap_or(0);
    let vendor = container.vendor;
    let mandatory = container.mandatory;
    let avp_name = container.name.clone().unwrap_or_else(|| name.to_string());
    quote! {
        impl #impl_generics __c::AvpData for #name #ty_generics #where_clause {
            const GROUPED: bool = true;
            fn data_len(&self) -> usize {
                __c::AvpSet::avps_len(self)
            }
            fn encode_data(&self, __out: &mut __c::BytesMut) {
                __c::AvpSet::encode_avps(self, __out)
            }
            #[inline]
            fn decode_data(
                __avp: &__c::AvpRef<'_>,
                __ctx: &mut __c::DecodeContext,
            ) -> ::std::result::Result<Self, __c::DecodeError> {
                __c::decode_group(__avp, __ctx, |__v| __v)
            }
            #[inline]
            fn decode_boxed(
                __avp: &__c::AvpRef<'_>,
                __ctx: &mut __c::DecodeContext,
            ) -> ::std::result::Result<::std::boxed::Box<Self>, __c::DecodeError> {
                __c::decode_group(__avp, __ctx, ::std::boxed::Box::new)
            }
            #[inline]
            fn decode_push(
                __avp: &__c::AvpRef<'_>,
                __ctx: &mut __c::DecodeContext,
                __values: &mut ::std::vec::Vec<Self>,
            ) -> ::std::result::Result<(), __c::DecodeError> {
                __c::decode_group(__avp, __ctx, |__v| __c::push_in_place(__values, __v))
            }
        }

        impl #impl_generics __c::Grouped for #name #ty_generics #where_clause {
            const AVP: __c::AvpInfo = __c::AvpInfo::new(#avp_name, #code, #vendor, #mandatory);
        }
    }
}

fn command_impls(input: &DeriveInput, container: &Container, layout: &Layout) -> TokenStream {
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let code = container.code.unwrap_or(0);
    let application = container.application.unwrap_or(0);
    let request = container.request;
    let proxiable = container.proxiable;
    let cmd_name = container.name.clone().unwrap_or_else(|| name.to_string());
    let header = layout.header.as_ref().expect("checked");
    let default = (!container.no_default).then(|| {
        let fields = layout
            .avps
            .iter()
            .map(|f| &f.ident)
            .chain(layout.extra.iter().map(|(i, _)| i))
            .chain(layout.flags.iter());
        quote! {
            impl #impl_generics ::std::default::Default for #name #ty_generics #where_clause {
                fn default() -> Self {
                    Self {
                        #header: <Self as __c::Command>::default_header(),
                        #(#fields: ::std::default::Default::default(),)*
                    }
                }
            }
        }
    });
    quote! {
        impl #impl_generics __c::Command for #name #ty_generics #where_clause {
            const CODE: u32 = #code;
            const APPLICATION_ID: u32 = #application;
            const REQUEST: bool = #request;
            const PROXIABLE: bool = #proxiable;
            const NAME: &'static str = #cmd_name;

            fn header(&self) -> &__c::Header {
                &self.#header
            }

            fn header_mut(&mut self) -> &mut __c::Header {
                &mut self.#header
            }
        }

        #default

        impl #impl_generics ::std::convert::From<#name #ty_generics> for __c::Message #where_clause {
            fn from(msg: #name #ty_generics) -> __c::Message {
                __c::Command::to_message(&msg)
            }
        }

        impl #impl_generics ::std::convert::From<&#name #ty_generics> for __c::Message #where_clause {
            fn from(msg: &#name #ty_generics) -> __c::Message {
                __c::Command::to_message(msg)
            }
        }

        impl #impl_generics ::std::convert::TryFrom<__c::Message> for #name #ty_generics #where_clause {
            type Error = __c::MessageError;
            fn try_from(msg: __c::Message) -> ::std::result::Result<Self, __c::MessageError> {
                <Self as __c::Command>::from_message(&msg)
            }
        }

        impl #impl_generics ::std::convert::TryFrom<&__c::Message> for #name #ty_generics #where_clause {
            type Error = __c::MessageError;
            fn try_from(msg: &__c::Message) -> ::std::result::Result<Self, __c::MessageError> {
                <Self as __c::Command>::from_message(msg)
            }
        }
    }
}

/// `new(required...)` for grouped AVPs and `add_<field>` for repeated fields.
fn methods(input: &DeriveInput, layout: &Layout, kind: Kind) -> TokenStream {
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let adders = layout
        .avps
        .iter()
        .filter(|f| f.multiplicity == Multiplicity::Repeated)
        .map(|f| {
            let ident = &f.ident;
            let inner = &f.inner;
            let method = format_ident!("add_{}", ident.unraw(), span = Span::call_site());
            let doc = format!("Append one `{}` (to `{}`).", avp_name(f), ident.unraw());
            quote! {
                #[doc = #doc]
                pub fn #method(&mut self, value: impl ::std::convert::Into<#inner>) -> &mut Self {
                    self.#ident.push(value.into());
                    self
                }
            }
        });
    let new = (kind == Kind::Grouped).then(|| {
        let required: Vec<&AvpField> = layout
            .avps
            .iter()
            .filter(|f| f.multiplicity == Multiplicity::One)
            .collect();
        let params = required.iter().map(|f| {
            let (ident, ty) = (&f.ident, &f.inner);
            quote!(#ident: impl ::std::convert::Into<#ty>)
        });
        let inits = layout.avps.iter().map(|f| {
            let ident = &f.ident;
            match f.multiplicity {
                Multiplicity::One => quote!(#ident: #ident.into(),),
                Multiplicity::Optional => quote!(#ident: ::std::option::Option::None,),
                Multiplicity::Repeated => quote!(#ident: ::std::vec::Vec::new(),),
            }
        });
        let extra = layout
            .extra
            .iter()
            .map(|(i, _)| quote!(#i: ::std::vec::Vec::new(),));
        let flags = layout
            .flags
            .iter()
            .map(|i| quote!(#i: __c::FlagOverrides::new(),));
        let doc = if required.is_empty() {
            "A value with no member set.".to_string()
        } else {
            let names: Vec<String> = required
                .iter()
                .map(|f| format!("`{}`", avp_name(f)))
                .collect();
            format!(
                "A value with the required members ({}) and no other.",
                names.join(", ")
            )
        };
        quote! {
            #[doc = #doc]
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* #(#extra)* #(#flags)* }
            }
        }
    });
    let _ = input.span();
    quote! {
        impl #impl_generics #name #ty_generics #where_clause {
            #new
            #(#adders)*
        }
    }
}
