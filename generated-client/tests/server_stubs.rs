//! The generated server stubs, served by `server::router` on loopback and called with the
//! generated client: routing, variants, decoding, validation, and 501 for what a partial
//! implementation leaves out.
#![cfg(feature = "server")]

use std::sync::{Arc, Mutex};

use easemob_im::models::{
    ErrorCode, User, UserEntitiesResponse, UserRegisterResponse, UserRegistration,
};
use easemob_im::server::inputs::{
    GetUserInput, ListUsersInput, RegisterUserInput, RegisterUsersInput,
};
use easemob_im::server::{EasemobApi, RequestContext, ServerError};
use easemob_im::{Client, Credentials, Error};

/// Provides four user operations and records what it was asked.
#[derive(Default)]
struct Partial {
    calls: Mutex<Vec<String>>,
}

fn users(names: impl IntoIterator<Item = String>) -> UserEntitiesResponse {
    UserEntitiesResponse::new().with_entities(
        names
            .into_iter()
            .map(|n| User::new().with_username(n))
            .collect::<Vec<_>>(),
    )
}

impl EasemobApi for Partial {
    async fn authenticate(&self, ctx: &RequestContext) -> Result<(), ServerError> {
        match ctx.bearer_token.as_deref() {
            Some("good-token") => Ok(()),
            _ => Err(ServerError::unauthorized(
                "Unable to authenticate due to expired access token",
            )),
        }
    }

    async fn get_user(
        &self,
        ctx: RequestContext,
        input: GetUserInput,
    ) -> Result<UserEntitiesResponse, ServerError> {
        self.calls.lock().unwrap().push(format!(
            "get_user {}/{} {}",
            ctx.org_name, ctx.app_name, input.username
        ));
        if input.username == "ghost" {
            return Err(ServerError::not_found("Service resource not found"));
        }
        Ok(users([input.username]))
    }

    async fn list_users(
        &self,
        _: RequestContext,
        input: ListUsersInput,
    ) -> Result<easemob_im::models::UserListResponse, ServerError> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("list_users limit={:?}", input.limit));
        Ok(easemob_im::models::UserListResponse::new())
    }

    async fn register_user(
        &self,
        _: RequestContext,
        input: RegisterUserInput,
    ) -> Result<UserEntitiesResponse, ServerError> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("register_user {}", input.body.username));
        Ok(users([input.body.username]))
    }

    async fn register_users(
        &self,
        _: RequestContext,
        input: RegisterUsersInput,
    ) -> Result<UserRegisterResponse, ServerError> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("register_users {}", input.body.len()));
        Ok(UserRegisterResponse::new().with_entities(
            input
                .body
                .into_iter()
                .map(|u| User::new().with_username(u.username))
                .collect::<Vec<_>>(),
        ))
    }
}

async fn serve(api: Arc<Partial>, token: &str) -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = easemob_im::server::router(api);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Client::builder()
        .base_url(format!("http://{addr}"))
        .org_name("my-org")
        .app_name("my app")
        .credentials(Credentials::token(token))
        .build()
        .unwrap()
}

fn api_error(result: Result<impl std::fmt::Debug, Error>) -> (u16, ErrorCode, String) {
    match result {
        Err(Error::Api(e)) => {
            let body = e.body().expect("an Easemob error body").clone();
            (
                e.status().as_u16(),
                body.error,
                body.error_description.unwrap_or_default(),
            )
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn provided_operations_are_routed_with_decoded_inputs() {
    let api = Arc::new(Partial::default());
    let client = serve(api.clone(), "good-token").await;
    let user = client.users().get_user("a/b ü").await.unwrap();
    assert_eq!(user.entities.unwrap()[0].username.as_deref(), Some("a/b ü"));
    client.users().list_users().limit(5).await.unwrap();
    assert_eq!(
        *api.calls.lock().unwrap(),
        ["get_user my-org/my app a/b ü", "list_users limit=Some(5)"]
    );
}

#[tokio::test]
async fn variants_on_one_route_are_told_apart() {
    let api = Arc::new(Partial::default());
    let client = serve(api.clone(), "good-token").await;
    client
        .users()
        .register_user(UserRegistration::new("solo", "pw"))
        .await
        .unwrap();
    client
        .users()
        .register_users(vec![
            UserRegistration::new("a", "pw"),
            UserRegistration::new("b", "pw"),
        ])
        .await
        .unwrap();
    assert_eq!(
        *api.calls.lock().unwrap(),
        ["register_user solo", "register_users 2"]
    );
}

#[tokio::test]
async fn operations_left_out_answer_501_in_the_easemob_format() {
    let client = serve(Arc::new(Partial::default()), "good-token").await;
    let (status, code, description) = api_error(client.users().delete_user("alice").await);
    assert_eq!(status, 501);
    assert_eq!(code, ErrorCode::UnsupportedServiceOperation);
    assert!(description.contains("delete_user"), "{description}");
}

#[tokio::test]
async fn parameters_are_validated_against_the_spec() {
    let api = Arc::new(Partial::default());
    let client = serve(api.clone(), "good-token").await;
    let (status, code, description) = api_error(client.users().list_users().limit(500).await);
    assert_eq!((status, code), (400, ErrorCode::IllegalArgument));
    assert!(description.contains("`limit`"), "{description}");
    // The user name is limited to 64 characters.
    let long = "x".repeat(65);
    let (status, _, description) = api_error(
        client
            .users()
            .register_user(UserRegistration::new(long, "pw"))
            .await,
    );
    assert_eq!(status, 400);
    assert!(description.contains("username"), "{description}");
    assert!(
        api.calls.lock().unwrap().is_empty(),
        "invalid requests must not reach the implementation"
    );
}

#[tokio::test]
async fn malformed_bodies_name_the_problem() {
    let client = serve(Arc::new(Partial::default()), "good-token").await;
    let request = easemob_im::request::OperationRequest::new(
        "register_user",
        reqwest::Method::POST,
        "/users",
        "/users",
    )
    .body(easemob_im::request::Body::Json(bytes::Bytes::from_static(
        b"{\"username\": 5}",
    )));
    let (status, _, description) = api_error(client.execute_empty(request).await);
    assert_eq!(status, 400);
    assert!(description.contains("username"), "{description}");
    let request = easemob_im::request::OperationRequest::new(
        "register_user",
        reqwest::Method::POST,
        "/users",
        "/users",
    )
    .body(easemob_im::request::Body::Json(bytes::Bytes::from_static(
        b"{\"username\": ",
    )));
    let (status, code, _) = api_error(client.execute_empty(request).await);
    assert_eq!((status, code), (400, ErrorCode::JsonParse));
}

#[tokio::test]
async fn authentication_and_unknown_paths() {
    let client = serve(Arc::new(Partial::default()), "bad-token").await;
    let (status, code, _) = api_error(client.users().get_user("alice").await);
    assert_eq!((status, code), (401, ErrorCode::Unauthorized));
    let request = easemob_im::request::OperationRequest::new(
        "nothing",
        reqwest::Method::GET,
        "/no/such/path",
        "/no/such/path",
    );
    let (status, code, _) = api_error(client.execute_empty(request).await);
    assert_eq!((status, code), (404, ErrorCode::ServiceResourceNotFound));
}

#[tokio::test]
async fn implementations_can_be_called_without_http() {
    let api = Partial::default();
    let ctx = RequestContext { operation_id: "list_users", org_name: "o".into(), app_name: "a".into(), bearer_token: None };
    api.list_users(ctx, ListUsersInput::new().with_limit(7)).await.unwrap();
    assert_eq!(*api.calls.lock().unwrap(), ["list_users limit=Some(7)"]);
}
