//! Every operation of the spec, driven through the client against one mock: fails naming
//! any operation no call reached.
#![cfg(feature = "mock")]

mod mock_support;

use std::collections::BTreeSet;

use easemob_im::models::{RetryStoredCallbacksRequest, TokenAppRequest, TokenGrantType};
use mock_support::*;

#[tokio::test]
async fn every_operation_is_exercised() {
    let (mock, client) = start().await;
    client
        .tokens()
        .get_app_token(TokenAppRequest::new(
            TokenGrantType::ClientCredentials,
            "demo-client-id",
            "demo-client-secret",
        ))
        .await
        .unwrap();
    users_flow(&mock, &client).await;
    contacts_flow(&mock, &client).await;
    metadata_flow(&mock, &client).await;
    groups_flow(&mock, &client).await;
    chatrooms_flow(&mock, &client).await;
    threads_flow(&mock, &client).await;
    presence_flow(&mock, &client).await;
    messages_flow(&mock, &client).await;
    example_flow(&mock, &client).await;
    let stored = client.callbacks().get_callback_storage_info().await.unwrap();
    assert_eq!(stored.data, Some(Vec::new()));
    let retried = client
        .callbacks()
        .retry_stored_callbacks(RetryStoredCallbacksRequest::new("202108272230"))
        .await
        .unwrap();
    assert_eq!(retried.data.as_deref(), Some("success"));
    delete_users_flow(&mock, &client).await;

    let served = mock.server().served_operations();
    let all: BTreeSet<&str> = easemob_im::OPERATIONS
        .iter()
        .map(|(_, id, _, _)| *id)
        .collect();
    let missing: Vec<&str> = all.difference(&served).copied().collect();
    assert!(
        missing.is_empty(),
        "{} of {} operations were never exercised: {missing:?}",
        missing.len(),
        all.len()
    );
    let unknown: Vec<&str> = served.difference(&all).copied().collect();
    assert!(
        unknown.is_empty(),
        "served operations the spec does not list: {unknown:?}"
    );
}
