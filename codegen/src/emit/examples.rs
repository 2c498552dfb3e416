//! `src/gen/example_tests.rs`: a test per operation that decodes every JSON example of the
//! spec into the generated types and checks that encoding it again gives equivalent JSON.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{ident, rust_type};
use crate::ir::{Crate, RustType};
use crate::model::{Encoding, Model, Response, Spec, TypeRef};

pub fn emit(spec: &Spec, krate: &Crate) -> TokenStream {
    let tests = spec.operations.iter().filter_map(|op| {
        let mut checks = Vec::new();
        let serde_body = op.request.as_ref().filter(|r| r.encoding != Encoding::Multipart && !has_file(spec, &r.body));
        for example in &op.examples {
            if let (Some(request), Some(body)) = (serde_body, &example.request) {
                let ty = rust_type(&RustType::from(&request.body));
                let json = Literal::string(&body.to_string());
                checks.push(quote!(round_trip::<#ty>(#json);));
            }
            if let (Response::Json(ty), Some(body)) = (&op.response, &example.response) {
                let ty = rust_type(&RustType::from(ty));
                let json = Literal::string(&body.to_string());
                checks.push(quote!(round_trip::<#ty>(#json);));
            }
        }
        if checks.is_empty() {
            return None;
        }
        let name = ident(&format!("{}_examples", op.id));
        let group = crate::naming::snake(&op.group);
        Some(quote! {
            #[test]
            #[cfg(feature = #group)]
            fn #name() {
                #(#checks)*
            }
        })
    });
    let callback_tests = callback_tests(spec, krate);
    quote! {
        //! Every example of the spec decodes into the generated types and encodes back to
        //! equivalent JSON (absent and `null` optional fields are the same; numbers compare by value).

        use ::serde_json::Value;

        fn round_trip<T: ::serde::Serialize + ::serde::de::DeserializeOwned>(json: &str) {
            let original: Value = ::serde_json::from_str(json).expect("examples are JSON");
            let decoded: T = match ::serde_json::from_value(original.clone()) {
                Ok(decoded) => decoded,
                Err(err) => panic!("{err} while decoding {}: {json}", ::std::any::type_name::<T>()),
            };
            let encoded = ::serde_json::to_value(&decoded).expect("generated types encode");
            assert!(equivalent(&original, &encoded), "{} re-encodes differently:\n  spec:    {original}\n  encoded: {encoded}", ::std::any::type_name::<T>());
        }

        fn equivalent(a: &Value, b: &Value) -> bool {
            match (a, b) {
                (Value::Object(a), Value::Object(b)) => {
                    let keys = a.keys().chain(b.keys());
                    keys.into_iter().all(|k| equivalent(a.get(k).unwrap_or(&Value::Null), b.get(k).unwrap_or(&Value::Null)))
                }
                (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| equivalent(a, b)),
                (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                (a, b) => a == b,
            }
        }

        #(#tests)*
        #(#callback_tests)*
    }
}

/// A test per callback event: each whole example decodes into its own variant, and every
/// example (a fragment too) round-trips through its model.
fn callback_tests(spec: &Spec, krate: &Crate) -> Vec<TokenStream> {
    let (Some(callbacks), Some(ir)) = (&spec.callbacks, &krate.callbacks) else { return Vec::new() };
    let feature = &ir.feature;
    callbacks
        .events
        .iter()
        .zip(&ir.events)
        .filter(|(event, _)| !event.examples.is_empty())
        .map(|(event, event_ir)| {
            let variant = ident(&event_ir.variant);
            let checks = event.examples.iter().map(|example| {
                let ty = rust_type(&RustType::from(&example.ty));
                let json = Literal::string(&example.body.to_string());
                let decodes = example.fragment.is_empty().then(|| {
                    quote! {
                        let event = crate::gen::callbacks::CallbackEvent::from_slice(#json.as_bytes()).expect("examples are JSON");
                        assert!(matches!(event, crate::gen::callbacks::CallbackEvent::#variant(_)), "decoded as {:?}: {}", event.name(), #json);
                    }
                });
                quote! { #decodes round_trip::<#ty>(#json); }
            });
            let name = ident(&format!("callback_{}_examples", event.name));
            quote! {
                #[test]
                #[cfg(feature = #feature)]
                fn #name() {
                    #(#checks)*
                }
            }
        })
        .collect()
}

fn has_file(spec: &Spec, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Model(name) => matches!(spec.models.get(name), Some(Model::Object(o)) if o.fields.iter().any(|f| f.ty == TypeRef::File)),
        _ => false,
    }
}
