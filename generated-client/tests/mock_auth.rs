//! App tokens, tenants, validation and unimplemented operations, through the client.
#![cfg(feature = "mock")]

mod mock_support;

use std::sync::Arc;
use std::time::Duration;

use easemob_im::mock::{self, MockConfig, TenantConfig};
use easemob_im::models::*;
use easemob_im::request::{Body, OperationRequest};
use easemob_im::reqwest::{Method, StatusCode};
use easemob_im::server::{inputs::GetUserInput, EasemobApi, RequestContext, ServerError};
use easemob_im::{Client, Credentials, Error};
use mock_support::*;

fn tenants() -> MockConfig {
    MockConfig::new()
        .with_tenant(TenantConfig::new("acme", "chat", "id-chat", "secret-chat"))
        .with_tenant(TenantConfig::new(
            "acme",
            "support",
            "id-support",
            "secret-support",
        ))
        .with_tenant(TenantConfig::new(
            "other",
            "chat",
            "id-other",
            "secret-other",
        ))
}

fn fixed_client(base_url: &str, org: &str, app: &str, token: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .org_name(org)
        .app_name(app)
        .credentials(Credentials::token(token.to_string()))
        .build()
        .unwrap()
}

/// The error behind a failed token fetch.
fn token_failure(error: Error) -> (u16, ErrorCode) {
    match error {
        Error::Token(inner) => (
            inner.status().expect("an API error").as_u16(),
            inner.code().cloned().expect("an Easemob error body"),
        ),
        other => panic!("expected a token error, got {other}"),
    }
}

#[tokio::test]
async fn tenants_are_isolated() {
    let mock = mock::start(tenants()).await.unwrap();
    let config = mock.server().config().clone();
    let clients: Vec<Client> = config
        .tenants
        .iter()
        .map(|t| mock.client_for(t).unwrap())
        .collect();
    for client in &clients {
        // The same user id in every tenant: no duplicate.
        client
            .users()
            .register_user(UserRegistration::new("alice", "pw"))
            .await
            .unwrap();
    }
    clients[0]
        .users()
        .register_user(UserRegistration::new("bob", "pw"))
        .await
        .unwrap();
    clients[0].users().delete_user("alice").await.unwrap();
    assert_eq!(
        failure(clients[1].users().get_user("bob").await).0,
        404,
        "bob lives in acme/chat only"
    );
    assert!(
        clients[1].users().get_user("alice").await.is_ok(),
        "deleting acme/chat's alice leaves acme/support's"
    );
    assert!(clients[2].users().get_user("alice").await.is_ok());
    assert_eq!(mock.server().usernames("acme", "chat"), ["bob"]);
    assert_eq!(mock.server().usernames("acme", "support"), ["alice"]);
    assert_eq!(mock.server().usernames("other", "chat"), ["alice"]);
}

#[tokio::test]
async fn a_token_works_only_for_its_own_tenant() {
    let mock = mock::start(tenants()).await.unwrap();
    let acme_chat = mock.client_for(&mock.server().config().tenants[0]).unwrap();
    let token = acme_chat
        .tokens()
        .get_app_token(TokenAppRequest::new(
            TokenGrantType::ClientCredentials,
            "id-chat",
            "secret-chat",
        ))
        .await
        .unwrap();
    let token = token.access_token.unwrap();
    let url = mock.base_url();
    fixed_client(&url, "acme", "chat", &token)
        .users()
        .list_users()
        .await
        .unwrap();
    for (org, app) in [("acme", "support"), ("other", "chat")] {
        let refused = fixed_client(&url, org, app, &token)
            .users()
            .list_users()
            .await;
        assert_eq!(
            failure(refused),
            (401, ErrorCode::AuthBadAccessToken),
            "{org}/{app}"
        );
    }
    let unknown = fixed_client(&url, "acme", "chat", "YWMtnot-issued-here")
        .users()
        .list_users()
        .await;
    assert_eq!(failure(unknown), (401, ErrorCode::AuthBadAccessToken));
    let no_app = fixed_client(&url, "acme", "nope", &token)
        .users()
        .list_users()
        .await;
    assert_eq!(
        failure(no_app),
        (404, ErrorCode::OrganizationApplicationNotFound)
    );
}

#[tokio::test]
async fn requests_without_a_token_are_refused() {
    let (mock, _client) = start().await;
    let response = easemob_im::reqwest::get(format!("{}/demo/demo/users", mock.base_url()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: ErrorResponse = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body.error, ErrorCode::Unauthorized);
    assert!(body.error_description.is_some() && body.timestamp.is_some());
}

#[tokio::test]
async fn wrong_credentials_are_an_invalid_grant() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let wrong = mock
        .client_for(&TenantConfig::new(
            "demo",
            "demo",
            "demo-client-id",
            "not-the-secret",
        ))
        .unwrap();
    assert_eq!(
        token_failure(wrong.users().list_users().await.unwrap_err()),
        (400, ErrorCode::InvalidGrant)
    );
    let wrong_id = mock
        .client_for(&TenantConfig::new(
            "demo",
            "demo",
            "someone-else",
            "demo-client-secret",
        ))
        .unwrap();
    assert_eq!(
        token_failure(wrong_id.users().list_users().await.unwrap_err()),
        (400, ErrorCode::InvalidGrant)
    );
    let no_tenant = mock
        .client_for(&TenantConfig::new(
            "demo",
            "elsewhere",
            "demo-client-id",
            "demo-client-secret",
        ))
        .unwrap();
    assert_eq!(
        token_failure(no_tenant.users().list_users().await.unwrap_err()),
        (404, ErrorCode::OrganizationApplicationNotFound)
    );
    assert_eq!(mock.server().issued_app_tokens("demo", "demo"), 0);
}

#[tokio::test]
async fn app_token_comes_from_the_configured_credentials() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let client = mock.client().unwrap();
    // However many ask at once, and with a request needing it too, one token is fetched.
    let (a, b, listed) = tokio::join!(
        client.app_token(),
        client.app_token(),
        client.users().list_users()
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    listed.unwrap();
    assert!(!a.expose().is_empty());
    assert_eq!(a.expose(), b.expose());
    assert_eq!(format!("{a:?}"), "***", "Debug never shows it");
    assert_eq!(mock.server().issued_app_tokens("demo", "demo"), 1);
    // Cached: the same token again, nothing fetched.
    assert_eq!(client.app_token().await.unwrap().expose(), a.expose());
    assert_eq!(mock.server().issued_app_tokens("demo", "demo"), 1);

    // It works for calls made without the crate's builders.
    let answer = easemob_im::reqwest::Client::new()
        .get(format!("{}/demo/demo/users", mock.base_url()))
        .bearer_auth(a.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);

    // A client with a fixed token hands out that token.
    let fixed = fixed_client(&mock.base_url(), "demo", "demo", a.expose());
    assert_eq!(fixed.app_token().await.unwrap().expose(), a.expose());

    // Wrong credentials: a token error whose code is the token endpoint's.
    let wrong = mock
        .client_for(&TenantConfig::new(
            "demo",
            "demo",
            "demo-client-id",
            "not-the-secret",
        ))
        .unwrap();
    let err = wrong.app_token().await.unwrap_err();
    assert!(matches!(err, Error::Token(_)), "{err:?}");
    assert_eq!(err.code(), Some(&ErrorCode::InvalidGrant));
    assert_eq!(mock.server().issued_app_tokens("demo", "demo"), 1);
}

#[tokio::test]
async fn tokens_expire_and_the_client_renews_them() {
    let (mock, client) = start_with(MockConfig::default().with_token_ttl(60)).await;
    let issued = client
        .tokens()
        .get_app_token(TokenAppRequest::new(
            TokenGrantType::ClientCredentials,
            "demo-client-id",
            "demo-client-secret",
        ))
        .await
        .unwrap();
    assert_eq!(issued.expires_in, Some(60), "the configured lifetime");
    let short = client
        .tokens()
        .get_app_token(
            TokenAppRequest::new(
                TokenGrantType::ClientCredentials,
                "demo-client-id",
                "demo-client-secret",
            )
            .with_ttl(5),
        )
        .await
        .unwrap();
    assert_eq!(short.expires_in, Some(5), "the requested lifetime");
    assert_ne!(issued.access_token, short.access_token, "tokens are unique");
    let forever = client
        .tokens()
        .get_app_token(
            TokenAppRequest::new(
                TokenGrantType::ClientCredentials,
                "demo-client-id",
                "demo-client-secret",
            )
            .with_ttl(0),
        )
        .await
        .unwrap();

    let fixed = fixed_client(
        &mock.base_url(),
        ORG,
        APP,
        issued.access_token.as_deref().unwrap(),
    );
    fixed.users().list_users().await.unwrap();
    client.users().list_users().await.unwrap();
    let before = mock.server().issued_app_tokens(ORG, APP);

    mock.server().advance_clock(Duration::from_secs(61));
    assert_eq!(
        failure(fixed.users().list_users().await),
        (401, ErrorCode::Unauthorized),
        "expired"
    );
    fixed_client(
        &mock.base_url(),
        ORG,
        APP,
        forever.access_token.as_deref().unwrap(),
    )
    .users()
    .list_users()
    .await
    .expect("ttl 0 never expires");
    // The fetching client sees the 401, fetches a new token and repeats the call.
    client.users().list_users().await.expect("renewed");
    assert_eq!(mock.server().issued_app_tokens(ORG, APP), before + 1);
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let (_mock, client) = start().await;
    let missing_password =
        OperationRequest::new("register_users", Method::POST, "/users", "/users")
            .body(Body::json(&serde_json::json!([{"username": "alice"}])).unwrap());
    let error = client
        .execute_json::<serde_json::Value>(missing_password)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    let description = error.as_api().unwrap().description().unwrap().to_owned();
    assert!(description.contains("password"), "{description}");

    let too_many =
        OperationRequest::new("list_users", Method::GET, "/users", "/users").query("limit", "1000");
    let error = client
        .execute_json::<serde_json::Value>(too_many)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::IllegalArgument));
    assert!(error
        .as_api()
        .unwrap()
        .description()
        .unwrap()
        .contains("limit"));

    let not_json =
        OperationRequest::new("create_group", Method::POST, "/chatgroups", "/chatgroups")
            .body(Body::Json(b"{\"owner\": ".to_vec().into()));
    let error = client
        .execute_json::<serde_json::Value>(not_json)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::JsonParse));

    // The typed client sends what it is given; the mock's own rules still apply.
    assert_eq!(
        failure(
            client
                .users()
                .register_user(UserRegistration::new("no spaces allowed", "pw"))
                .await
        ),
        (400, ErrorCode::IllegalArgument)
    );
    let unknown_path = OperationRequest::new("nothing", Method::GET, "/nothing", "/nothing/here");
    assert_eq!(
        client
            .execute_json::<serde_json::Value>(unknown_path)
            .await
            .unwrap_err()
            .status(),
        Some(StatusCode::NOT_FOUND)
    );
}

/// An implementation with a single method: everything else answers 501.
struct OnlyGetUser;

impl EasemobApi for OnlyGetUser {
    async fn get_user(
        &self,
        _ctx: RequestContext,
        input: GetUserInput,
    ) -> Result<UserEntitiesResponse, ServerError> {
        Ok(UserEntitiesResponse::new()
            .with_entities(vec![User::new().with_username(input.username)]))
    }
}

#[tokio::test]
async fn operations_left_out_answer_501() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, easemob_im::server::router(Arc::new(OnlyGetUser)))
            .await
            .unwrap()
    });
    let client = fixed_client(&format!("http://{addr}"), "any", "app", "any-token");
    let user = client.users().get_user("zoe").await.unwrap();
    assert_eq!(user.entities.unwrap()[0].username.as_deref(), Some("zoe"));
    let error = client.users().list_users().await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::NOT_IMPLEMENTED));
    assert_eq!(error.code(), Some(&ErrorCode::UnsupportedServiceOperation));
}

#[tokio::test]
async fn the_binary_serves_until_stopped_and_hides_secrets() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_easemob-mock"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--tenant",
            "acme/chat/bin-id/bin-secret",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base_url = first.rsplit(' ').next().unwrap().to_owned();
    let tenant_line = lines.next().unwrap().unwrap();
    assert!(
        tenant_line.contains("acme/chat")
            && tenant_line.contains("bin-id")
            && !tenant_line.contains("bin-secret"),
        "{tenant_line}"
    );
    let client = Client::builder()
        .base_url(&base_url)
        .org_name("acme")
        .app_name("chat")
        .credentials(Credentials::client_credentials("bin-id", "bin-secret"))
        .build()
        .unwrap();
    let result = client
        .users()
        .register_user(UserRegistration::new("alice", "pw"))
        .await;
    child.kill().unwrap();
    child.wait().unwrap();
    result.unwrap();
}
