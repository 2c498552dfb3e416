//! Dynamic user tokens (生成动态的用户 Token, `easemob_user_token.md`), built locally from
//! the app key, client id and client secret, a user id, a time and a lifetime, without
//! asking the server; and their inverse, which decodes one and checks its signature and
//! expiry. Behind feature `dynamic-token`.
//!
//! The steps are the page's, in its order:
//!
//! 1. `signature` = lowercase hex of SHA-256 over `clientId + appkey + userId + curTime +
//!    ttl + clientSecret` (the two numbers in decimal);
//! 2. the JSON object `{"signature":…,"appkey":…,"userId":…,"curTime":…,"ttl":…}`, in that
//!    field order, compact;
//! 3. `"dt-"` put before the JSON text;
//! 4. the whole encoded as URL-safe base64 (with `=` padding).
//!
//! The secret never leaves your server: build tokens there and hand them to the app.
//!
//! ```
//! use easemob_im::dynamic_token::DynamicTokenKey;
//!
//! let key = DynamicTokenKey::new("easemob-demo#testapp", "client-id", "client-secret");
//! let now = 1_686_207_557; // Unix seconds
//! let token = key.sign("alice", now, 600);
//! let claims = key.verify(token.expose(), now + 10).unwrap();
//! assert_eq!(claims.user_id, "alice");
//! assert!(key.verify(token.expose(), now + 600).is_err()); // expired
//! ```

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::{
    GeneralPurpose, GeneralPurposeConfig, URL_SAFE as URL_SAFE_PADDED,
};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Client, Credentials, Error, Secret};

/// The type prefix the page puts before the JSON text.
const PREFIX: &str = "dt-";

/// The longest token [`DynamicTokenKey::verify`] reads; real ones are a few hundred bytes.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Decoding accepts the token with or without its `=` padding.
const URL_SAFE_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What signs and checks dynamic tokens: the app key and the app's client id and secret.
/// Its `Debug` hides the secret.
#[derive(Clone)]
pub struct DynamicTokenKey {
    app_key: String,
    client_id: String,
    client_secret: Secret,
}

/// What a valid dynamic token says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DynamicTokenClaims {
    /// The app key, `org_name#app_name`.
    pub app_key: String,
    /// The user the token is for (the `username` it was registered with).
    pub user_id: String,
    /// When the token was made, in Unix seconds.
    pub cur_time: u64,
    /// Its lifetime in seconds.
    pub ttl: u64,
}

impl DynamicTokenClaims {
    /// When the token stops being valid, in Unix seconds (`cur_time + ttl`).
    pub fn expires_at(&self) -> u64 {
        self.cur_time.saturating_add(self.ttl)
    }
}

/// Why [`DynamicTokenKey::verify`] refused a token. Says nothing of the token's content.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DynamicTokenError {
    /// Not a dynamic token: too long, not URL-safe base64, no `dt-` prefix, or not the
    /// JSON object of the page; the text says which.
    Malformed(&'static str),
    /// A token of another app key.
    OtherApp,
    /// The signature does not match: the token was altered, or signed with another client
    /// id or secret.
    BadSignature,
    /// The token has expired.
    Expired {
        /// When it expired, in Unix seconds.
        at: u64,
    },
}

impl fmt::Display for DynamicTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DynamicTokenError::Malformed(why) => write!(f, "not a dynamic token: {why}"),
            DynamicTokenError::OtherApp => f.write_str("the dynamic token is for another app"),
            DynamicTokenError::BadSignature => {
                f.write_str("the dynamic token's signature does not match")
            }
            DynamicTokenError::Expired { at } => {
                write!(f, "the dynamic token expired at {at} (Unix seconds)")
            }
        }
    }
}

impl std::error::Error for DynamicTokenError {}

/// The JSON object, fields in the page's order.
#[derive(Serialize)]
struct WireOut<'a> {
    signature: &'a str,
    appkey: &'a str,
    #[serde(rename = "userId")]
    user_id: &'a str,
    #[serde(rename = "curTime")]
    cur_time: u64,
    ttl: u64,
}

#[derive(Deserialize)]
struct WireIn {
    signature: String,
    appkey: String,
    #[serde(rename = "userId")]
    user_id: String,
    #[serde(rename = "curTime")]
    cur_time: u64,
    ttl: u64,
}

impl DynamicTokenKey {
    /// A key from the app key (`org_name#app_name`), client id and client secret.
    pub fn new(
        app_key: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> DynamicTokenKey {
        DynamicTokenKey {
            app_key: app_key.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }

    /// The app key the key signs for.
    pub fn app_key(&self) -> &str {
        &self.app_key
    }

    /// The token for `user_id`, made at `cur_time` (Unix seconds), valid for `ttl`
    /// seconds. A pure function: the same inputs give the same token.
    pub fn sign(&self, user_id: &str, cur_time: u64, ttl: u64) -> Secret {
        let signature = self.signature(user_id, cur_time, ttl);
        let json = serde_json::to_string(&WireOut {
            signature: &signature,
            appkey: &self.app_key,
            user_id,
            cur_time,
            ttl,
        })
        // Strings and integers always serialize.
        .unwrap_or_default();
        Secret::new(URL_SAFE_PADDED.encode(format!("{PREFIX}{json}")))
    }

    /// Like [`sign`](Self::sign), made now.
    pub fn sign_now(&self, user_id: &str, ttl: u64) -> Secret {
        self.sign(user_id, unix_now(), ttl)
    }

    /// Decodes `token` and checks it: made by this key (same app key, client id and
    /// secret, nothing altered) and not expired at `now` (Unix seconds): valid while
    /// `now < cur_time + ttl`.
    pub fn verify(&self, token: &str, now: u64) -> Result<DynamicTokenClaims, DynamicTokenError> {
        use DynamicTokenError::Malformed;
        if token.len() > MAX_TOKEN_LEN {
            return Err(Malformed("longer than any dynamic token"));
        }
        let bytes = URL_SAFE_ANY_PADDING
            .decode(token.trim())
            .map_err(|_| Malformed("not URL-safe base64"))?;
        let json = bytes
            .strip_prefix(PREFIX.as_bytes())
            .ok_or(Malformed("no `dt-` prefix"))?;
        let wire: WireIn = serde_json::from_slice(json)
            .map_err(|_| Malformed("not the JSON object of a dynamic token"))?;
        if wire.appkey != self.app_key {
            return Err(DynamicTokenError::OtherApp);
        }
        let expected = self.signature(&wire.user_id, wire.cur_time, wire.ttl);
        if !same_bytes(expected.as_bytes(), wire.signature.as_bytes()) {
            return Err(DynamicTokenError::BadSignature);
        }
        let claims = DynamicTokenClaims {
            app_key: wire.appkey,
            user_id: wire.user_id,
            cur_time: wire.cur_time,
            ttl: wire.ttl,
        };
        if now >= claims.expires_at() {
            return Err(DynamicTokenError::Expired {
                at: claims.expires_at(),
            });
        }
        Ok(claims)
    }

    /// Like [`verify`](Self::verify), at the current time.
    pub fn verify_now(&self, token: &str) -> Result<DynamicTokenClaims, DynamicTokenError> {
        self.verify(token, unix_now())
    }

    /// Lowercase hex of SHA-256 over `clientId + appkey + userId + curTime + ttl +
    /// clientSecret`.
    fn signature(&self, user_id: &str, cur_time: u64, ttl: u64) -> String {
        let mut hash = Sha256::new();
        hash.update(self.client_id.as_bytes());
        hash.update(self.app_key.as_bytes());
        hash.update(user_id.as_bytes());
        hash.update(cur_time.to_string().as_bytes());
        hash.update(ttl.to_string().as_bytes());
        hash.update(self.client_secret.expose().as_bytes());
        hex(&hash.finalize())
    }
}

impl fmt::Debug for DynamicTokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicTokenKey")
            .field("app_key", &self.app_key)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish()
    }
}

impl Client {
    /// The key that signs dynamic user tokens for this client's app, from its client
    /// credentials; `None` when the client was given a fixed app token
    /// ([`Credentials::Token`]) and so knows no secret.
    pub fn dynamic_token_key(&self) -> Option<DynamicTokenKey> {
        match self.credentials() {
            Credentials::ClientCredentials {
                client_id,
                client_secret,
            } => Some(DynamicTokenKey::new(
                format!("{}#{}", self.org_name(), self.app_name()),
                client_id.clone(),
                client_secret.clone(),
            )),
            Credentials::Token(_) => None,
        }
    }

    /// A dynamic user token for `user_id`, made now and valid for `ttl` seconds, signed
    /// with this client's credentials. Fails with [`Error::Config`] when the client has a
    /// fixed app token instead of client credentials.
    pub fn dynamic_user_token(&self, user_id: &str, ttl: u64) -> Result<Secret, Error> {
        let key = self.dynamic_token_key().ok_or_else(|| {
            Error::Config(
                "dynamic user tokens need client credentials (client id and secret), not a fixed app token"
                    .into(),
            )
        })?;
        Ok(key.sign_now(user_id, ttl))
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Equality that takes as long wherever the first difference is, so that timing does not
/// tell how much of a forged signature was right.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_two_digits_per_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[test]
    fn same_bytes_compares_whole_slices() {
        assert!(same_bytes(b"abc", b"abc"));
        assert!(!same_bytes(b"abc", b"abd"));
        assert!(!same_bytes(b"abc", b"ab"));
    }
}
