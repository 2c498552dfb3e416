//! `src/gen/callbacks.rs`: the `CallbackEvent` enum, one variant per event of the spec's
//! `callbacks:` section plus `Unknown`, decoding a request body by the events' conditions,
//! and one accessor per common field.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value as Json;

use super::{docs, ident, rust_type};
use crate::ir::{CallbacksIr, RustType};

pub fn emit(callbacks: &CallbacksIr) -> TokenStream {
    let doc = docs(&callbacks.docs);
    let variants = callbacks.events.iter().map(|e| {
        let (variant, doc) = (ident(&e.variant), docs(&e.docs));
        let body = rust_type(&RustType::Model(e.body.clone()));
        quote! { #doc #variant(#body), }
    });
    let decoders = callbacks.events.iter().map(|e| {
        let variant = ident(&e.variant);
        let body = rust_type(&RustType::Model(e.body.clone()));
        let conditions = e.when.iter().map(|(path, values)| {
            let values = values.iter().map(|v| match v {
                Json::String(s) => quote!(v.as_str() == ::std::option::Option::Some(#s)),
                Json::Bool(b) => quote!(v.as_bool() == ::std::option::Option::Some(#b)),
                other => {
                    let n = Literal::i64_unsuffixed(other.as_i64().unwrap_or_default());
                    quote!(v.as_i64() == ::std::option::Option::Some(#n))
                }
            });
            quote!(field(&value, &[#(#path),*]).is_some_and(|v| #(#values)||*))
        });
        quote! {
            if #(#conditions)&&* {
                if let ::std::result::Result::Ok(event) = <#body as ::serde::Deserialize>::deserialize(&value) {
                    return Self::#variant(event);
                }
            }
        }
    });
    let names = callbacks.events.iter().map(|e| {
        let (variant, name) = (ident(&e.variant), &e.name);
        quote!(Self::#variant(_) => ::std::option::Option::Some(#name),)
    });
    let accessors = callbacks.accessors.iter().map(|a| {
        let (method, wire, doc) = (ident(&a.method), &a.wire, docs(&a.docs));
        let string = a.ty == RustType::String;
        let ret = if string { quote!(::std::option::Option<&str>) } else { quote!(::std::option::Option<i64>) };
        let arms = callbacks.events.iter().zip(&a.fields).map(|(e, field)| {
            let variant = ident(&e.variant);
            match field {
                None => quote!(Self::#variant(_) => ::std::option::Option::None,),
                Some((name, required)) => {
                    let name = ident(name);
                    match (string, required) {
                        (true, true) => quote!(Self::#variant(e) => ::std::option::Option::Some(e.#name.as_str()),),
                        (true, false) => quote!(Self::#variant(e) => e.#name.as_deref(),),
                        (false, true) => quote!(Self::#variant(e) => ::std::option::Option::Some(e.#name),),
                        (false, false) => quote!(Self::#variant(e) => e.#name,),
                    }
                }
            }
        });
        let read = if string { quote!(::serde_json::Value::as_str) } else { quote!(::serde_json::Value::as_i64) };
        quote! {
            #doc
            pub fn #method(&self) -> #ret {
                match self {
                    #(#arms)*
                    Self::Unknown(value) => value.get(#wire).and_then(#read),
                }
            }
        }
    });
    quote! {
        //! The callback requests the API sends to the app's server, as one enum. A body is
        //! matched against the events' conditions (the most specific first) and decoded into
        //! the first event whose conditions and model it fits; anything else is kept as
        //! `Unknown`, so an event added to the API later is delivered rather than refused.

        #doc
        ///
        /// Decode a body with [`CallbackEvent::from_slice`] or [`CallbackEvent::from_value`],
        /// after checking its signature (`webhook::decode` does both).
        // Variants are matched on far more than they are moved; boxing them would only
        // make the patterns clumsier.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum CallbackEvent {
            #(#variants)*
            /// A body no event of this version describes, or one that has an event's
            /// distinguishing values but does not fit its model: the JSON as received.
            Unknown(::serde_json::Value),
        }

        /// The value at a path of object keys.
        fn field<'a>(value: &'a ::serde_json::Value, path: &[&str]) -> ::std::option::Option<&'a ::serde_json::Value> {
            path.iter().try_fold(value, |value, key| value.get(key))
        }

        impl CallbackEvent {
            /// Decodes a JSON body; fails only when it is not JSON.
            pub fn from_slice(body: &[u8]) -> ::std::result::Result<Self, ::serde_json::Error> {
                ::serde_json::from_slice(body).map(Self::from_value)
            }

            /// Decodes a JSON value; never fails: what no event fits is `Unknown`.
            pub fn from_value(value: ::serde_json::Value) -> Self {
                #(#decoders)*
                Self::Unknown(value)
            }

            /// The spec's name of the event (`muc_create`), or None for `Unknown`.
            pub fn name(&self) -> ::std::option::Option<&'static str> {
                match self {
                    #(#names)*
                    Self::Unknown(_) => ::std::option::Option::None,
                }
            }

            #(#accessors)*
        }

        impl<'de> ::serde::Deserialize<'de> for CallbackEvent {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer).map(Self::from_value)
            }
        }
    }
}
