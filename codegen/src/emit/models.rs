//! `src/gen/models.rs`: one struct per object model and one open enum per value set.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value as Json;

use super::{deprecated, docs, gated, ident, rust_type, type_alias};
use crate::ir::{self, Crate, EnumIr, FieldIr, ModelIr, RustType, StructIr};

pub fn emit(krate: &Crate) -> TokenStream {
    let items = krate.models.iter().map(|m| match m {
        ModelIr::Struct(s) => gated(s.features.as_deref(), emit_struct(s)),
        ModelIr::Enum(e) => gated(e.features.as_deref(), emit_enum(e)),
    });
    quote! {
        //! The request and response bodies of the API. Structs are `#[non_exhaustive]`: build
        //! them with `new` (the required fields) and the `with_*` setters.
        #(#items)*
    }
}

fn emit_struct(s: &StructIr) -> TokenStream {
    let name = ident(&s.name);
    let doc = docs(&s.docs);
    let fields = s.fields.iter().map(|f| {
        let field = ident(&f.ident);
        let ty = field_type(f);
        let doc = docs(&f.docs);
        let wire = &f.wire;
        // serde names a field after its identifier; an absent optional field decodes as
        // `None` without `default`.
        let rename = (f.ident != *wire).then(|| quote!(rename = #wire));
        // A field counting time goes through `crate::units`; an optional one then needs
        // `default`, which serde no longer implies.
        let with = f.time.map(|time| {
            let unit = if time.milliseconds { "milliseconds" } else { "seconds" };
            let lasting = if time.forever { "_lasting" } else { "" };
            let option = if f.required { "" } else { "::option" };
            let module = format!("crate::units::serde_{unit}{lasting}{option}");
            if f.required { quote!(with = #module) } else { quote!(with = #module, default) }
        });
        let parts: Vec<TokenStream> = rename.into_iter().chain(with).collect();
        let serde = match (s.has_file, f.required, parts.is_empty()) {
            (true, _, _) | (false, true, true) => quote!(),
            (false, true, false) => quote!(#[serde(#(#parts),*)]),
            (false, false, _) => {
                let parts = parts.iter().map(|p| quote!(#p,));
                quote!(#[serde(#(#parts)* skip_serializing_if = "::std::option::Option::is_none")])
            }
        };
        let ty = if f.required { ty } else { quote!(::std::option::Option<#ty>) };
        let deprecated = deprecated(f.deprecated.as_ref());
        quote! { #doc #deprecated #serde pub #field: #ty, }
    });
    // The client needs only one serde direction per model; the server side and the
    // crate's own round-trip tests need the other too.
    let server_side = quote!(any(test, feature = "server"));
    let default = s.fields.iter().all(|f| !f.required).then(|| quote!(Default,));
    let dirs = s.directions;
    // A model holding a credential gets a `Debug` of its own that hides it.
    let has_secret = s.fields.iter().any(|f| f.secret);
    let debug = (!has_secret).then(|| quote!(Debug,));
    let derives = if s.has_file {
        quote!(#[derive(#debug)])
    } else {
        let serialize = if dirs.request { quote!(#[derive(::serde::Serialize)]) } else { quote!(#[cfg_attr(#server_side, derive(::serde::Serialize))]) };
        let deserialize = if dirs.response { quote!(#[derive(::serde::Deserialize)]) } else { quote!(#[cfg_attr(#server_side, derive(::serde::Deserialize))]) };
        quote! {
            #[derive(#debug Clone, #default PartialEq)]
            #serialize
            #deserialize
        }
    };
    let secret_debug = has_secret.then(|| secret_debug(s));
    // Callers build requests; only implementations of the server stubs (and tests) build
    // responses, so a response's constructor and setters are theirs.
    let constructors = (!dirs.request).then(|| quote!(#[cfg(#server_side)]));
    let required: Vec<_> = s.fields.iter().filter(|f| f.required && f.fixed.is_none()).collect();
    let args = required.iter().map(|f| {
        let field = ident(&f.ident);
        let ty = argument_type(f);
        quote!(#field: #ty)
    });
    let inits = s.fields.iter().map(|f| {
        let field = ident(&f.ident);
        if let Some(serde_json::Value::String(value)) = &f.fixed {
            let ty = rust_type(&f.ty);
            quote!(#field: <#ty as ::std::convert::From<&str>>::from(#value),)
        } else if f.required {
            let value = argument_value(f, quote!(#field));
            quote!(#field: #value,)
        } else {
            quote!(#field: ::std::option::Option::None,)
        }
    });
    let setters = s.fields.iter().filter(|f| !f.required).map(|f| {
        let field = ident(&f.ident);
        let setter = ident(&ir::setter_name(&f.ident));
        let ty = argument_type(f);
        let value = argument_value(f, quote!(value));
        let doc = format!(" Sets `{}`.", f.wire);
        let deprecated = deprecated(f.deprecated.as_ref());
        quote! {
            #[doc = #doc]
            #deprecated
            pub fn #setter(mut self, value: #ty) -> Self {
                self.#field = ::std::option::Option::Some(#value);
                self
            }
        }
    });
    let multipart = s.has_file.then(|| multipart(s));
    let aliases = s.aliases.iter().map(|old| type_alias(old, &s.name));
    let accessors = (!s.accessors.is_empty()).then(|| {
        let methods = s.accessors.iter().map(accessor);
        quote! {
            impl #name {
                #(#methods)*
            }
        }
    });
    quote! {
        #(#aliases)*

        #doc
        #derives
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #accessors

        #secret_debug

        #constructors
        impl #name {
            /// A value with the required fields set and every optional field empty.
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits)* }
            }
            #(#setters)*
        }

        #multipart
    }
}

/// `Debug` that prints `***` for each secret field (`Some("***")` when an optional one is set).
fn secret_debug(s: &StructIr) -> TokenStream {
    let name = ident(&s.name);
    let label = &s.name;
    let fields = s.fields.iter().map(|f| {
        let field = ident(&f.ident);
        let wire = &f.ident;
        match (f.secret, f.required) {
            (false, _) => quote!(.field(#wire, &self.#field)),
            (true, true) => quote!(.field(#wire, &"***")),
            (true, false) => quote!(.field(#wire, &self.#field.as_ref().map(|_| "***"))),
        }
    });
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label) #(#fields)* .finish()
            }
        }
    }
}

/// `pub fn name(&self) -> Option<..>`: follows the path, `?` past each optional field on
/// the way. Strings come back as `&str`, lists as slices, numbers and flags by value, and
/// anything else by reference.
fn accessor(a: &ir::AccessorIr) -> TokenStream {
    let name = ident(&a.name);
    let doc = docs(&a.docs);
    let (last, way) = a.steps.split_last().expect("a validated accessor has a path");
    let mut reach = quote!(self);
    for step in way {
        reach = follow(reach, step);
    }
    let (ty, body) = if last.first {
        // `first()` gives a reference to the item.
        let item = follow(reach.clone(), last);
        match &a.ty {
            RustType::String => (quote!(&str), quote!(::std::option::Option::Some(#item.as_str()))),
            RustType::I64 | RustType::F64 | RustType::Bool => (rust_type(&a.ty), quote!(::std::option::Option::Some(*#item))),
            other => {
                let ty = rust_type(other);
                let list = follow(reach, &ir::AccessorStep { first: false, ..last.clone() });
                (quote!(&#ty), quote!(#list.first()))
            }
        }
    } else {
        let field = ident(&last.ident);
        let value = quote!(#reach.#field);
        match (&a.ty, last.optional) {
            (RustType::String, true) => (quote!(&str), quote!(#value.as_deref())),
            (RustType::String, false) => (quote!(&str), quote!(::std::option::Option::Some(#value.as_str()))),
            (RustType::Vec(inner), optional) => {
                let inner = rust_type(inner);
                (quote!(&[#inner]), if optional { quote!(#value.as_deref()) } else { quote!(::std::option::Option::Some(#value.as_slice())) })
            }
            (RustType::I64 | RustType::F64 | RustType::Bool, optional) => {
                let ty = rust_type(&a.ty);
                (ty, if optional { value } else { quote!(::std::option::Option::Some(#value)) })
            }
            (other, optional) => {
                let ty = rust_type(other);
                (quote!(&#ty), if optional { quote!(#value.as_ref()) } else { quote!(::std::option::Option::Some(&#value)) })
            }
        }
    };
    quote! {
        #doc
        pub fn #name(&self) -> ::std::option::Option<#ty> {
            #body
        }
    }
}

/// `reach.field`, past `None` (`?`) when the field is optional, and on to the first item
/// (`first()?`) when the step takes one.
fn follow(reach: TokenStream, step: &ir::AccessorStep) -> TokenStream {
    let field = ident(&step.ident);
    let reach = if step.optional { quote!(#reach.#field.as_ref()?) } else { quote!(#reach.#field) };
    if step.first {
        quote!(#reach.first()?)
    } else {
        reach
    }
}

/// The type a struct field holds (without the `Option` of optional fields); `new` and the
/// setters take `impl Into` it, so a boxed field still takes the model itself.
fn field_type(f: &FieldIr) -> TokenStream {
    match f.time {
        Some(time) if time.forever => return quote!(crate::units::Lasting),
        Some(_) => return quote!(::std::time::Duration),
        None => {}
    }
    let ty = rust_type(&f.ty);
    if f.boxed {
        quote!(::std::boxed::Box<#ty>)
    } else {
        ty
    }
}

/// What `new` and the setters take for a field: a list of strings as any iterable of
/// string-likes (`["a", "b"]`, a `Vec<String>`, an iterator), anything else as `impl Into`
/// the field's type.
fn argument_type(f: &FieldIr) -> TokenStream {
    if is_string_list(f) {
        quote!(impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<::std::string::String>>)
    } else {
        let ty = field_type(f);
        quote!(impl ::std::convert::Into<#ty>)
    }
}

/// The field's value from an argument of `argument_type(f)`.
fn argument_value(f: &FieldIr, argument: TokenStream) -> TokenStream {
    if is_string_list(f) {
        quote!(#argument.into_iter().map(::std::convert::Into::into).collect())
    } else {
        quote!(#argument.into())
    }
}

fn is_string_list(f: &FieldIr) -> bool {
    !f.boxed && matches!(&f.ty, RustType::Vec(inner) if **inner == RustType::String)
}

/// Structs with a file part are multipart bodies: each field becomes one part, in order.
fn multipart(s: &StructIr) -> TokenStream {
    let name = ident(&s.name);
    let parts = s.fields.iter().map(|f| {
        let field = ident(&f.ident);
        let wire = &f.wire;
        let add = |value: TokenStream| match &f.ty {
            RustType::File => quote!(parts = parts.file(#wire, #value);),
            RustType::String => quote!(parts = parts.text(#wire, #value);),
            _ => quote!(parts = parts.text(#wire, #value.to_string());),
        };
        if f.required {
            add(quote!(self.#field))
        } else {
            let line = add(quote!(value));
            quote!(if let ::std::option::Option::Some(value) = self.#field { #line })
        }
    });
    quote! {
        impl #name {
            pub(crate) fn into_multipart(self) -> crate::request::Multipart {
                let mut parts = crate::request::Multipart::new();
                #(#parts)*
                parts
            }
        }
    }
}

fn emit_enum(e: &EnumIr) -> TokenStream {
    if e.boolean {
        return emit_boolean_enum(e);
    }
    let name = ident(&e.name);
    let doc = docs(&e.docs);
    let variants = variant_decls(e);
    let (raw, as_raw, serialize, from_impl) = if e.integer {
        let (arms, back) = value_arms(e, |v| {
            let value = v.as_i64().unwrap_or_default();
            quote!(#value)
        });
        (
            quote!(i64),
            quote! {
                /// The value on the wire.
                pub fn as_i64(&self) -> i64 {
                    match self { #(#arms)* Self::Unknown(value) => *value }
                }
            },
            quote!(serializer.serialize_i64(self.as_i64())),
            quote! {
                impl ::std::convert::From<i64> for #name {
                    fn from(value: i64) -> Self {
                        match value { #(#back)* other => Self::Unknown(other) }
                    }
                }
                impl ::std::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        ::std::fmt::Display::fmt(&self.as_i64(), f)
                    }
                }
            },
        )
    } else {
        let (arms, back) = value_arms(e, |v| {
            let value = v.as_str().unwrap_or_default();
            quote!(#value)
        });
        (
            quote!(::std::string::String),
            quote! {
                /// The value on the wire.
                pub fn as_str(&self) -> &str {
                    match self { #(#arms)* Self::Unknown(value) => value }
                }
            },
            quote!(serializer.serialize_str(self.as_str())),
            quote! {
                impl ::std::convert::From<&str> for #name {
                    fn from(value: &str) -> Self {
                        match value { #(#back)* other => Self::Unknown(other.to_owned()) }
                    }
                }
                impl ::std::convert::From<::std::string::String> for #name {
                    fn from(value: ::std::string::String) -> Self {
                        Self::from(value.as_str())
                    }
                }
                impl ::std::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(self.as_str())
                    }
                }
            },
        )
    };
    let aliases = e.aliases.iter().map(|old| type_alias(old, &e.name));
    // As for structs: the client needs only the direction the enum travels in.
    let (serialize_cfg, deserialize_cfg) = serde_cfgs(e);
    quote! {
        #(#aliases)*
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the crate does not know.
            Unknown(#raw),
        }

        impl #name {
            #as_raw
        }

        #from_impl

        #serialize_cfg
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                #serialize
            }
        }

        #deserialize_cfg
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <#raw as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}

/// A boolean on the wire whose two values have names (`GroupVisibility::Public` for `true`),
/// so that a call site says what it sends. Both values are listed, so there is no `Unknown`;
/// there is no `From<bool>` either, which would let `new(true, ..)` back in.
fn emit_boolean_enum(e: &EnumIr) -> TokenStream {
    let name = ident(&e.name);
    let doc = docs(&e.docs);
    let variants = variant_decls(e);
    let (arms, back) = value_arms(e, |v| {
        let value = v.as_bool().unwrap_or_default();
        quote!(#value)
    });
    let aliases = e.aliases.iter().map(|old| type_alias(old, &e.name));
    let (serialize_cfg, deserialize_cfg) = serde_cfgs(e);
    quote! {
        #(#aliases)*
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// The value on the wire.
            pub fn as_bool(&self) -> bool {
                match self { #(#arms)* }
            }

            /// The variant sent as `value`.
            pub fn from_bool(value: bool) -> Self {
                match value { #(#back)* }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.as_bool(), f)
            }
        }

        #serialize_cfg
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_bool(self.as_bool())
            }
        }

        #deserialize_cfg
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <bool as ::serde::Deserialize>::deserialize(deserializer).map(Self::from_bool)
            }
        }
    }
}

/// The variants of an enum with their docs.
fn variant_decls(e: &EnumIr) -> Vec<TokenStream> {
    e.variants
        .iter()
        .map(|v| {
            let variant = ident(&v.ident);
            let doc = docs(&v.docs);
            let deprecated = deprecated(v.deprecated.as_ref());
            quote!(#doc #deprecated #variant,)
        })
        .collect()
}

/// `Self::Variant => value,` and `value => Self::Variant,` for each variant, the value
/// spelled by `literal`.
fn value_arms(e: &EnumIr, literal: impl Fn(&Json) -> TokenStream) -> (Vec<TokenStream>, Vec<TokenStream>) {
    e.variants
        .iter()
        .map(|v| {
            let variant = ident(&v.ident);
            let value = literal(&v.value);
            (quote!(Self::#variant => #value,), quote!(#value => Self::#variant,))
        })
        .unzip()
}

/// The `cfg` each serde impl of an enum needs: the client has only the direction it travels.
fn serde_cfgs(e: &EnumIr) -> (Option<TokenStream>, Option<TokenStream>) {
    let server_side = quote!(#[cfg(any(test, feature = "server"))]);
    ((!e.directions.request).then(|| server_side.clone()), (!e.directions.response).then_some(server_side))
}
