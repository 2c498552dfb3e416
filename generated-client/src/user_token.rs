//! User tokens fetched from the server, made from a username and a password (the
//! `password` grant) or a username alone with the app token (the `inherit` grant), and
//! returned as a [`UserToken`] whose token is a [`Secret`].
//!
//! The generated [`Tokens`](crate::operations::tokens::Tokens) operations send the same
//! requests; these helpers take plain arguments, keep the password and the token out of
//! `Debug` and errors, and leave the answer out of decode errors.
//!
//! ```no_run
//! # async fn demo(client: easemob_im::Client) -> Result<(), easemob_im::Error> {
//! // The user's own password (password grant), valid for a day.
//! let token = client.user_token_with_password("alice", "alice-password").ttl(86_400).await?;
//! // Or the app vouches for the user (inherit grant), registering it if needed.
//! let token = client.user_token("bob").auto_create_user(true).await?;
//! println!("give the app {} (expires in {:?} s)", token.access_token.expose(), token.expires_in);
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::models::{
    MissingUser, TokenGrantType, TokenInheritRequest, TokenPasswordRequest, TokenUserResponse, User,
};
use crate::operations::tokens::{GetUserToken, GetUserTokenWithPassword};
use crate::redact::Scrub;
use crate::request::{Body, OperationRequest};
use crate::{Client, DecodeError, Error, Secret};

/// A user token, as the server issued it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserToken {
    /// The token the user's SDK logs in with (`Debug` prints `***`).
    pub access_token: Secret,
    /// How long the token stays valid, in seconds (milliseconds on VIP 5 clusters), if the
    /// server said; 0 means it never expires.
    pub expires_in: Option<i64>,
    /// The user the token belongs to.
    pub user: Option<User>,
}

impl UserToken {
    fn from_response(
        operation_id: &'static str,
        response: TokenUserResponse,
    ) -> Result<UserToken, Error> {
        match response.access_token {
            Some(token) if !token.is_empty() => Ok(UserToken {
                access_token: Secret::new(token),
                expires_in: response.expires_in,
                user: response.user,
            }),
            _ => Err(Error::Decode(DecodeError::new(
                operation_id,
                Some(reqwest::StatusCode::OK),
                "access_token".into(),
                "the answer holds no token".into(),
                b"",
                &Scrub::default(),
            ))),
        }
    }
}

/// The future of a user-token request.
pub type UserTokenFuture = Pin<Box<dyn Future<Output = Result<UserToken, Error>> + Send>>;

/// A user token by username and password (`grant_type: password`); from
/// [`Client::user_token_with_password`]. Set the lifetime, then `.await` it.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Clone)]
pub struct PasswordUserToken {
    client: Client,
    username: String,
    password: Secret,
    ttl: Option<u64>,
}

impl PasswordUserToken {
    /// The token's lifetime in seconds (milliseconds on VIP 5 clusters); 0: it never
    /// expires. Without it, the lifetime set in the console applies.
    pub fn ttl(mut self, seconds: u64) -> Self {
        self.ttl = Some(seconds);
        self
    }
}

impl fmt::Debug for PasswordUserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordUserToken")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl IntoFuture for PasswordUserToken {
    type Output = Result<UserToken, Error>;
    type IntoFuture = UserTokenFuture;

    fn into_future(self) -> UserTokenFuture {
        Box::pin(async move {
            let operation_id = "get_user_token_with_password";
            let mut body = TokenPasswordRequest::new(
                TokenGrantType::Password,
                self.username,
                self.password.expose(),
            );
            body.ttl = self.ttl.map(ttl_value).transpose()?;
            let mut request =
                OperationRequest::new(operation_id, reqwest::Method::POST, "/token", "/token")
                    .body(Body::json(&body)?)
                    .idempotent(false)
                    .rate_limit(GetUserTokenWithPassword::RATE_LIMIT);
            // The password is the credential: the app token is not sent.
            request.auth = false;
            let scrub = Scrub::new([self.password.expose()]);
            let response = self
                .client
                .execute_json_redacted::<TokenUserResponse>(request)
                .await
                .map_err(|error| match error {
                    // A server may echo the request, password included.
                    Error::Api(api) => Error::Api(api.scrubbed(&scrub)),
                    other => other,
                })?;
            UserToken::from_response(operation_id, response)
        })
    }
}

/// A user token for a username alone, vouched for by the app token
/// (`grant_type: inherit`); from [`Client::user_token`]. Set the lifetime and whether to
/// register a missing user, then `.await` it.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct InheritUserToken {
    client: Client,
    username: String,
    auto_create_user: bool,
    ttl: Option<u64>,
}

impl InheritUserToken {
    /// The token's lifetime in seconds (milliseconds on VIP 5 clusters); 0: it never
    /// expires. Without it, 60 days or the lifetime last set in the console.
    pub fn ttl(mut self, seconds: u64) -> Self {
        self.ttl = Some(seconds);
        self
    }

    /// Whether to register the user if it does not exist yet. Default: `false` (a missing
    /// user is an error).
    pub fn auto_create_user(mut self, yes: bool) -> Self {
        self.auto_create_user = yes;
        self
    }
}

impl IntoFuture for InheritUserToken {
    type Output = Result<UserToken, Error>;
    type IntoFuture = UserTokenFuture;

    fn into_future(self) -> UserTokenFuture {
        Box::pin(async move {
            let operation_id = "get_user_token";
            let mut body = TokenInheritRequest::new(
                TokenGrantType::Inherit,
                self.username,
                MissingUser::from_bool(self.auto_create_user),
            );
            body.ttl = self.ttl.map(ttl_value).transpose()?;
            let request =
                OperationRequest::new(operation_id, reqwest::Method::POST, "/token", "/token")
                    .body(Body::json(&body)?)
                    .idempotent(false)
                    .rate_limit(GetUserToken::RATE_LIMIT);
            let response = self
                .client
                .execute_json_redacted::<TokenUserResponse>(request)
                .await?;
            UserToken::from_response(operation_id, response)
        })
    }
}

/// The `ttl` as the body's integer, which is signed.
fn ttl_value(seconds: u64) -> Result<i64, Error> {
    i64::try_from(seconds)
        .map_err(|_| Error::encode(format!("the token lifetime {seconds} s is too large")))
}

impl Client {
    /// A user token from the user's username and password (the password grant: the app
    /// token is not needed, nor sent). `.ttl(seconds)` sets its lifetime; `.await` it.
    ///
    /// The password is held as a [`Secret`] and scrubbed out of any error the server's
    /// answer makes. Not retried after a timeout (the spec does not say that repeating it
    /// is safe).
    pub fn user_token_with_password(
        &self,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> PasswordUserToken {
        PasswordUserToken {
            client: self.clone(),
            username: username.into(),
            password: password.into(),
            ttl: None,
        }
    }

    /// A user token for `username`, vouched for by the app token (the inherit grant).
    /// `.ttl(seconds)` sets its lifetime, `.auto_create_user(true)` registers a user that
    /// does not exist yet; `.await` it.
    pub fn user_token(&self, username: impl Into<String>) -> InheritUserToken {
        InheritUserToken {
            client: self.clone(),
            username: username.into(),
            auto_create_user: false,
            ttl: None,
        }
    }
}
