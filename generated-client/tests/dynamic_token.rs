//! Dynamic user tokens (`easemob_user_token.md`, 生成动态的用户 Token): the page's steps
//! worked through by hand for one input, then round trips and refusals.
#![cfg(feature = "dynamic-token")]

use easemob_im::dynamic_token::{DynamicTokenError, DynamicTokenKey};
use easemob_im::{Client, Credentials, Error};

const APP_KEY: &str = "easemob-demo#testapp";
const CLIENT_ID: &str = "YXA6i-Ak8Ol4Eei2l11ZjV-EAg";
const CLIENT_SECRET: &str = "YXA6VunqiNxoB7IwXHInk1cGiXOOJfc";
/// The page's example time and lifetime.
const CUR_TIME: u64 = 1_686_207_557;
const TTL: u64 = 600;

// The page's steps for userId `test2333`, each computed separately (Python's hashlib,
// json and base64; the hash also with `sha256sum`):
// c. str = clientId + appkey + userId + curTime + ttl + clientSecret
const SIGNED_TEXT: &str =
    "YXA6i-Ak8Ol4Eei2l11ZjV-EAgeasemob-demo#testapptest23331686207557600YXA6VunqiNxoB7IwXHInk1cGiXOOJfc";
//    signature = hex(sha256(str))
const SIGNATURE: &str = "e92a1247dff460e2f8040d7d2575bee6ca4ebb0f2adaa1a191e82ea1f9c4c4d0";
// d. the JSON object, in the page's field order
const JSON: &str = r#"{"signature":"e92a1247dff460e2f8040d7d2575bee6ca4ebb0f2adaa1a191e82ea1f9c4c4d0","appkey":"easemob-demo#testapp","userId":"test2333","curTime":1686207557,"ttl":600}"#;
// e, f. URL-safe base64 of "dt-" + JSON
const TOKEN: &str = "ZHQteyJzaWduYXR1cmUiOiJlOTJhMTI0N2RmZjQ2MGUyZjgwNDBkN2QyNTc1YmVlNmNhNGViYjBmMmFkYWExYTE5MWU4MmVhMWY5YzRjNGQwIiwiYXBwa2V5IjoiZWFzZW1vYi1kZW1vI3Rlc3RhcHAiLCJ1c2VySWQiOiJ0ZXN0MjMzMyIsImN1clRpbWUiOjE2ODYyMDc1NTcsInR0bCI6NjAwfQ==";

fn key() -> DynamicTokenKey {
    DynamicTokenKey::new(APP_KEY, CLIENT_ID, CLIENT_SECRET)
}

/// URL-safe base64 with `=` padding, written out here so the test does not use the
/// crate's own encoder.
fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn the_worked_example_step_by_step() {
    assert_eq!(
        SIGNED_TEXT,
        format!("{CLIENT_ID}{APP_KEY}test2333{CUR_TIME}{TTL}{CLIENT_SECRET}")
    );
    assert!(JSON.contains(SIGNATURE));
    assert_eq!(b64url(format!("dt-{JSON}").as_bytes()), TOKEN);

    let token = key().sign("test2333", CUR_TIME, TTL);
    assert_eq!(token.expose(), TOKEN);
}

#[test]
fn verify_decodes_the_worked_example() {
    let claims = key().verify(TOKEN, CUR_TIME + 1).unwrap();
    assert_eq!(claims.app_key, APP_KEY);
    assert_eq!(claims.user_id, "test2333");
    assert_eq!(claims.cur_time, CUR_TIME);
    assert_eq!(claims.ttl, TTL);
    assert_eq!(claims.expires_at(), CUR_TIME + TTL);
    // Without its padding too.
    assert!(key().verify(TOKEN.trim_end_matches('='), CUR_TIME).is_ok());
}

#[test]
fn expiry() {
    assert!(key().verify(TOKEN, CUR_TIME + TTL - 1).is_ok());
    assert_eq!(
        key().verify(TOKEN, CUR_TIME + TTL),
        Err(DynamicTokenError::Expired { at: CUR_TIME + TTL })
    );
    // Lifetimes that overflow do not wrap around.
    let forever = key().sign("u", u64::MAX - 5, u64::MAX);
    assert!(key().verify(forever.expose(), u64::MAX - 1).is_ok());
}

#[test]
fn names_that_need_json_escaping_round_trip() {
    for user in ["", "a\"b\\c", "用户", "x\u{0}y", "a/b+c=d"] {
        let token = key().sign(user, CUR_TIME, TTL);
        assert!(!token.expose().contains(['+', '/']), "URL-safe alphabet");
        assert_eq!(
            key().verify(token.expose(), CUR_TIME).unwrap().user_id,
            user
        );
    }
}

#[test]
fn refusals() {
    let other_secret = DynamicTokenKey::new(APP_KEY, CLIENT_ID, "another-secret");
    assert_eq!(
        other_secret.verify(TOKEN, CUR_TIME),
        Err(DynamicTokenError::BadSignature)
    );
    let other_id = DynamicTokenKey::new(APP_KEY, "another-id", CLIENT_SECRET);
    assert_eq!(
        other_id.verify(TOKEN, CUR_TIME),
        Err(DynamicTokenError::BadSignature)
    );
    let other_app = DynamicTokenKey::new("org#other", CLIENT_ID, CLIENT_SECRET);
    assert_eq!(
        other_app.verify(TOKEN, CUR_TIME),
        Err(DynamicTokenError::OtherApp)
    );

    // A longer lifetime, with the old signature.
    let tampered = JSON.replace("\"ttl\":600", "\"ttl\":60000");
    let tampered = b64url(format!("dt-{tampered}").as_bytes());
    assert_eq!(
        key().verify(&tampered, CUR_TIME),
        Err(DynamicTokenError::BadSignature)
    );

    for (bad, why) in [
        ("", "dt-"),
        ("not base64!", "base64"),
        (&*b64url(JSON.as_bytes()), "dt-"),
        (&*b64url(b"dt-{\"signature\":1}"), "JSON"),
        (&*b64url(b"dt-[]"), "JSON"),
        (&*b64url(&[0xff, 0xfe, 0x00]), "dt-"),
        (&*"A".repeat(100_000), "longer"),
    ] {
        match key().verify(bad, CUR_TIME) {
            Err(DynamicTokenError::Malformed(text)) => assert!(text.contains(why), "{text}"),
            other => panic!("{bad:.40}: {other:?}"),
        }
    }
}

#[test]
fn secrets_stay_out_of_debug_and_errors() {
    let shown = format!("{:?}", key());
    assert!(!shown.contains(CLIENT_SECRET), "{shown}");
    let token = key().sign("test2333", CUR_TIME, TTL);
    assert_eq!(format!("{token:?}"), "***");
    let error = DynamicTokenKey::new(APP_KEY, CLIENT_ID, "x")
        .verify(TOKEN, CUR_TIME)
        .unwrap_err();
    assert!(!error.to_string().contains(SIGNATURE));
}

#[test]
fn the_client_signs_with_its_credentials() {
    let client = Client::builder()
        .base_url("https://a1.easemob.com")
        .app_key(APP_KEY)
        .credentials(Credentials::client_credentials(CLIENT_ID, CLIENT_SECRET))
        .build()
        .unwrap();
    let key = client.dynamic_token_key().unwrap();
    assert_eq!(key.app_key(), APP_KEY);
    assert_eq!(key.sign("test2333", CUR_TIME, TTL).expose(), TOKEN);
    let token = client.dynamic_user_token("alice", 60).unwrap();
    let claims = key.verify_now(token.expose()).unwrap();
    assert_eq!((claims.user_id.as_str(), claims.ttl), ("alice", 60));

    let fixed = Client::builder()
        .base_url("https://a1.easemob.com")
        .app_key(APP_KEY)
        .credentials(Credentials::token("app-token"))
        .build()
        .unwrap();
    assert!(fixed.dynamic_token_key().is_none());
    assert!(matches!(
        fixed.dynamic_user_token("alice", 60),
        Err(Error::Config(_))
    ));
}
