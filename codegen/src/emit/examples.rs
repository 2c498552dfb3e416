//! `src/gen/example_tests.rs`: a test per operation that decodes every JSON example of the
//! spec into the generated types and checks that encoding it again gives equivalent JSON.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{ident, rust_type};
use crate::ir::RustType;
use crate::model::{Encoding, Model, Response, Spec, TypeRef};

pub fn emit(spec: &Spec) -> TokenStream {
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
    }
}

fn has_file(spec: &Spec, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Model(name) => matches!(spec.models.get(name), Some(Model::Object(o)) if o.fields.iter().any(|f| f.ty == TypeRef::File)),
        _ => false,
    }
}
