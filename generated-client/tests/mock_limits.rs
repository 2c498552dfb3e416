//! Documented batch limits on array bodies (at most 60 users per batch registration), list
//! parameters and list fields: the client refuses before sending, the generated server
//! answers 400 to anyone else. And the callback store endpoints of callback.md against the
//! mock.
#![cfg(feature = "mock")]

mod mock_support;

use easemob_im::models::*;
use easemob_im::reqwest::StatusCode;
use easemob_im::Error;
use mock_support::*;

fn users(n: usize) -> Vec<UserRegistration> {
    (0..n).map(|i| UserRegistration::new(format!("u{i}"), "secret")).collect()
}

#[tokio::test]
async fn the_client_refuses_a_batch_above_the_limit_without_sending_it() {
    let (mock, client) = start().await;
    let refused = client.users().register_users(users(61)).await;
    match refused {
        Err(Error::Encode(e)) => assert_eq!(e.message(), "the body must hold between 1 and 60 items, not 61"),
        other => panic!("expected an encode error, got {other:?}"),
    }
    let empty = client.users().register_users(Vec::new()).await;
    assert!(matches!(empty, Err(Error::Encode(_))), "{empty:?}");
    assert!(!mock.server().served_operations().contains("register_users"));
    assert!(mock.server().usernames(ORG, APP).is_empty());

    let created = client.users().register_users(users(60)).await.unwrap();
    assert_eq!(created.entities.unwrap().len(), 60);
    assert_eq!(mock.server().usernames(ORG, APP).len(), 60);
}

#[tokio::test]
async fn the_client_refuses_list_parameters_and_fields_above_their_limits_without_sending() {
    let (mock, client) = start().await;
    let ids = |n: usize| (0..n).map(|i| format!("id{i}")).collect::<Vec<_>>();
    let encode_message = |result: Result<_, Error>| match result {
        Err(Error::Encode(e)) => e.message().to_owned(),
        other => panic!("expected an encode error, got {other:?}"),
    };

    // A required list field of the body: at most 600 recipients per message.
    let message = SendUserTextMessageRequest::new(ids(601), MessageTextBody::new("hi"));
    let refused = client.messages().send_user_text_message(message).await.map(drop);
    assert_eq!(encode_message(refused), "`to` must hold at most 600 items, not 601");
    assert!(mock.server().sent_messages(ORG, APP).is_empty());
    // An optional one: at most 10 attribute keys.
    let body = ChatroomMetadataDeleteRequest::new().with_keys(ids(11));
    let refused = client.chatrooms().delete_chatroom_metadata("room", "alice", body).await.map(drop);
    assert_eq!(encode_message(refused), "`keys` must hold at most 10 items, not 11");
    // A list path parameter: at most 100 rooms per lookup.
    let refused = client.chatrooms().get_chatrooms(ids(101)).await.map(drop);
    assert_eq!(encode_message(refused), "`chatroom_id` must hold between 1 and 100 items, not 101");
    // None of them reached the server.
    let served = mock.server().served_operations();
    for id in ["send_user_text_message", "delete_chatroom_metadata", "get_chatrooms"] {
        assert!(!served.contains(id), "{id} was sent");
    }
    // Within the limits they are sent.
    let sent = client.messages().send_user_text_message(SendUserTextMessageRequest::new(ids(600), MessageTextBody::new("hi"))).await;
    assert!(sent.is_ok(), "{sent:?}");
}

#[tokio::test]
async fn the_server_answers_400_to_a_batch_above_the_limit() {
    let (mock, client) = start().await;
    let token = client
        .tokens()
        .get_app_token(TokenAppRequest::new(TokenGrantType::ClientCredentials, "demo-client-id", "demo-client-secret"))
        .await
        .unwrap()
        .access_token
        .unwrap();
    let post = |n: usize| {
        let body: Vec<_> = (0..n).map(|i| serde_json::json!({"username": format!("v{i}"), "password": "p"})).collect();
        easemob_im::reqwest::Client::new()
            .post(format!("{}/{ORG}/{APP}/users", mock.base_url()))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let too_many = post(200).await.unwrap();
    assert_eq!(too_many.status(), StatusCode::BAD_REQUEST);
    let text = too_many.text().await.unwrap();
    assert!(text.contains("`body` must have a count between 1 and 60, not 200"), "{text}");
    assert!(mock.server().usernames(ORG, APP).is_empty());
    assert_eq!(post(60).await.unwrap().status(), StatusCode::OK);
    assert_eq!(mock.server().usernames(ORG, APP).len(), 60);
}

#[tokio::test]
async fn callback_storage_is_empty_and_resends_nothing() {
    let (_mock, client) = start().await;
    let info = client.callbacks().get_callback_storage_info().await.unwrap();
    assert_eq!(info.data, Some(Vec::new()));
    let retried = client
        .callbacks()
        .retry_stored_callbacks(RetryStoredCallbacksRequest::new("202108272230"))
        .await
        .unwrap();
    assert_eq!(retried.data.as_deref(), Some("success"));
    // The spec's 12-character date key is checked by the generated server.
    let short = client.callbacks().retry_stored_callbacks(RetryStoredCallbacksRequest::new("2021")).await;
    assert_eq!(failure(short).0, 400);
    let unaligned = client.callbacks().retry_stored_callbacks(RetryStoredCallbacksRequest::new("202108272235")).await;
    assert_eq!(failure(unaligned).0, 400);
}
