//! `#[derive(Enumerated)]`: an enum of named values that keeps unknown ones.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

use crate::attr::{variant_role, Container, Errors, VariantRole};

pub fn expand(input: &DeriveInput) -> Result<TokenStream, Vec<syn::Error>> {
    let mut errors = Errors::default();
    let container = Container::parse(&input.attrs, &["crate"], &mut errors);
    let name = &input.ident;
    let Data::Enum(data) = &input.data else {
        errors.push(name.span(), "#[derive(Enumerated)] works on enums");
        return Err(errors.finish().unwrap_err());
    };
    let mut values: Vec<(&syn::Ident, i32)> = Vec::new();
    let mut unknown = None;
    for variant in &data.variants {
        match variant_role(variant, &mut errors) {
            None => {}
            Some(VariantRole::Value(value)) => {
                if !matches!(variant.fields, Fields::Unit) {
                    errors.push(
                        variant.ident.span(),
                        format!(
                            "variant `{}` with a value must have no fields",
                            variant.ident
                        ),
                    );
                }
                if let Some((first, _)) = values.iter().find(|(_, v)| *v == value) {
                    errors.push(
                        variant.ident.span(),
                        format!("value {value} is already the variant `{first}`"),
                    );
                }
                values.push((&variant.ident, value));
            }
            Some(VariantRole::Unknown) => {
                let one_i32 = matches!(&variant.fields, Fields::Unnamed(f) if f.unnamed.len() == 1);
                if !one_i32 {
                    errors.push(
                        variant.ident.span(),
                        format!(
                            "the #[avp(unknown)] variant keeps the value: write `{}(i32)`",
                            variant.ident
                        ),
                    );
                }
                if unknown.is_some() {
                    errors.push(
                        variant.ident.span(),
                        "only one variant can be #[avp(unknown)]",
                    );
                }
                unknown = Some(&variant.ident);
            }
        }
    }
    let Some(unknown) = unknown else {
        errors.push(
            name.span(),
            "#[derive(Enumerated)] needs a variant `#[avp(unknown)] Unknown(i32)` that keeps unknown values",
        );
        return Err(errors.finish().unwrap_err());
    };
    errors.finish()?;

    let krate = container.krate();
    let (idents, codes): (Vec<_>, Vec<_>) = values.into_iter().unzip();
    Ok(quote! {
        #[doc(hidden)]
        #[allow(unused_qualifications, clippy::all)]
        const _: () = {
            use #krate::typed::codec as __c;

            impl __c::Enumerated for #name {
                #[inline]
                fn from_value(value: i32) -> Self {
                    match value {
                        #(#codes => #name::#idents,)*
                        other => #name::#unknown(other),
                    }
                }

                #[inline]
                fn value(self) -> i32 {
                    match self {
                        #(#name::#idents => #codes,)*
                        #name::#unknown(other) => other,
                    }
                }
            }

            impl __c::AvpData for #name {
                const FIXED_LEN: ::std::option::Option<usize> = ::std::option::Option::Some(4);
                #[inline]
                fn data_len(&self) -> usize {
                    4
                }
                #[inline]
                fn fixed_data(&self) -> [u8; 8] {
                    <i32 as __c::AvpData>::fixed_data(&__c::Enumerated::value(*self))
                }
                #[inline]
                fn encode_data(&self, __out: &mut __c::BytesMut) {
                    __c::put_enum(__c::Enumerated::value(*self), __out)
                }
                #[inline]
                fn decode_data(
                    __avp: &__c::AvpRef<'_>,
                    __ctx: &mut __c::DecodeContext,
                ) -> ::std::result::Result<Self, __c::DecodeError> {
                    <i32 as __c::AvpData>::decode_data(__avp, __ctx)
                        .map(<Self as __c::Enumerated>::from_value)
                }
            }

            impl ::std::convert::From<i32> for #name {
                fn from(value: i32) -> Self {
                    <Self as __c::Enumerated>::from_value(value)
                }
            }

            impl ::std::convert::From<#name> for i32 {
                fn from(value: #name) -> i32 {
                    __c::Enumerated::value(value)
                }
            }
        };
    })
}
