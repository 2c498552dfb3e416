//! The generated client against the in-process mock, one realistic sequence per resource.
#![cfg(feature = "mock")]

mod mock_support;

use easemob_im::mock::MockConfig;
use easemob_im::models::*;
use mock_support::*;

#[tokio::test]
async fn users() {
    let (mock, client) = start().await;
    users_flow(&mock, &client).await;
    delete_users_flow(&mock, &client).await;
}

#[tokio::test]
async fn contacts() {
    let (mock, client) = start().await;
    contacts_flow(&mock, &client).await;
}

#[tokio::test]
async fn metadata_form_bodies() {
    let (mock, client) = start().await;
    metadata_flow(&mock, &client).await;
}

#[tokio::test]
async fn groups() {
    let (mock, client) = start().await;
    groups_flow(&mock, &client).await;
}

#[tokio::test]
async fn chatrooms() {
    let (mock, client) = start().await;
    chatrooms_flow(&mock, &client).await;
}

#[tokio::test]
async fn threads() {
    let (mock, client) = start().await;
    threads_flow(&mock, &client).await;
}

#[tokio::test]
async fn presence() {
    let (mock, client) = start().await;
    presence_flow(&mock, &client).await;
}

#[tokio::test]
async fn messages_and_recall() {
    let (mock, client) = start().await;
    messages_flow(&mock, &client).await;
}

#[tokio::test]
async fn unmodelled_operations_answer_the_spec_examples() {
    let (mock, client) = start().await;
    example_flow(&mock, &client).await;
    let style = client.push().get_push_language("anyone").await.unwrap();
    assert_eq!(
        style.data.unwrap().language.as_deref(),
        Some("EU"),
        "the spec's example"
    );
}

/// The quickstart's story: register, befriend, create a group, add members, talk, list, delete.
#[tokio::test]
async fn register_befriend_group_talk_list_delete() {
    let (mock, client) = start().await;
    register(&client, &["ann", "ben", "cat"]).await;
    client.contacts().add_contact("ann", "ben").await.unwrap();
    let group = client
        .groups()
        .create_group(CreateGroupRequest::new(GroupVisibility::Public, "ann").with_group_name("friends"))
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_owned();
    client
        .groups()
        .add_group_members(
            &group,
            AddGroupMembersRequest::new(vec!["ben".to_string(), "cat".to_string()]),
        )
        .await
        .unwrap();
    let sent = client
        .messages()
        .send_group_text_message(
            SendGroupTextMessageRequest::new([group.clone()], MessageTextBody::new("hi all"))
                .with_from("ann"),
        )
        .await
        .unwrap();
    let msg_id = &sent.message_ids().unwrap()[&group];
    let kept = mock.server().sent_messages(ORG, APP);
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (&kept[0].msg_id, kept[0].to.as_str(), kept[0].from.as_str()),
        (msg_id, group.as_str(), "ann")
    );
    let members = client
        .groups()
        .list_group_members(&group)
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(members.len(), 3);
    client.users().delete_user("ann").await.unwrap();
    assert_eq!(
        failure(client.groups().get_groups([group]).await).0,
        404,
        "groups go with their owner"
    );
    assert_eq!(mock.server().usernames(ORG, APP), ["ben", "cat"]);
    assert!(mock.server().contacts(ORG, APP, "ben").is_empty());
}

/// The docs say the server does not check message recipients; `strict_messages` does.
#[tokio::test]
async fn recipients_are_checked_only_in_strict_mode() {
    let to_ghost =
        || SendUserTextMessageRequest::new(vec!["ghost".to_string()], MessageTextBody::new("hi"));
    let (_lenient, client) = start().await;
    let sent = client
        .messages()
        .send_user_text_message(to_ghost())
        .await
        .unwrap();
    assert!(sent.data.unwrap().contains_key("ghost"));

    let (mock, client) = start_with(MockConfig::default().with_strict_messages(true)).await;
    assert_eq!(
        failure(client.messages().send_user_text_message(to_ghost()).await),
        (404, ErrorCode::ServiceResourceNotFound)
    );
    register(&client, &["ann", "ben"]).await;
    let group = client
        .groups()
        .create_group(CreateGroupRequest::new(GroupVisibility::Public, "ann"))
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_owned();
    let from_ben = SendGroupTextMessageRequest::new([group.clone()], MessageTextBody::new("hi"))
        .with_from("ben");
    assert_eq!(
        failure(
            client
                .messages()
                .send_group_text_message(from_ben.clone())
                .await
        ),
        (403, ErrorCode::ForbiddenOp),
        "not a member"
    );
    let to_nowhere =
        SendChatroomTextMessageRequest::new(vec!["123".to_string()], MessageTextBody::new("hi"));
    assert_eq!(
        failure(
            client
                .messages()
                .send_chatroom_text_message(to_nowhere)
                .await
        )
        .0,
        404
    );
    client
        .groups()
        .add_group_member(&group, "ben")
        .await
        .unwrap();
    client
        .groups()
        .mute_all_group_members(&group)
        .await
        .unwrap();
    assert_eq!(
        failure(
            client
                .messages()
                .send_group_text_message(from_ben.clone())
                .await
        )
        .0,
        403,
        "everyone muted"
    );
    client
        .groups()
        .add_group_whitelist_user(&group, "ben")
        .await
        .unwrap();
    client
        .messages()
        .send_group_text_message(from_ben)
        .await
        .expect("white-listed members speak while everyone is muted");
    let directed = SendGroupDirectedTextMessageRequest::new(
        [group],
        vec!["cat".to_string()],
        MessageTextBody::new("psst"),
    );
    assert_eq!(
        failure(
            client
                .messages()
                .send_group_directed_text_message(directed)
                .await
        )
        .0,
        403,
        "cat is not a member"
    );
    assert_eq!(mock.server().sent_messages(ORG, APP).len(), 1);
}

/// The `version=v3` member listing the vendor's Java SDK uses: ids a cursor page at a time,
/// on the same route as the documented numbered pages. The mock sends numeric cursors for
/// groups and text ones for chat rooms; `into_stream` follows both.
#[tokio::test]
async fn member_ids_page_by_cursor_whether_the_cursor_is_a_number_or_text() {
    use easemob_im::TryStreamExt;
    let (_mock, client) = start().await;
    let names = ["v3-own", "v3-a", "v3-b", "v3-c", "v3-d"];
    register(&client, &names).await;
    let group = client
        .groups()
        .create_group(CreateGroupRequest::new(GroupVisibility::Public, "v3-own").with_members(strings(&names[1..])).with_max_users(10))
        .await
        .unwrap()
        .data
        .unwrap()
        .group_id
        .unwrap();
    let room = client
        .chatrooms()
        .create_chatroom(CreateChatroomRequest::new("v3", "ids", "v3-own").with_members(strings(&names[1..])))
        .await
        .unwrap()
        .data
        .unwrap()
        .id
        .unwrap();

    let first = client.groups().list_group_member_ids(&group).limit(2).await.unwrap();
    assert_eq!(first.data.unwrap(), strings(&names[..2]));
    assert_eq!(first.cursor, Some(serde_json::json!(2)));
    let first = client.chatrooms().list_chatroom_member_ids(&room).limit(2).await.unwrap();
    assert_eq!(first.cursor, Some(serde_json::json!("2")));

    let ids: Vec<String> = client.groups().list_group_member_ids(&group).limit(2).into_stream().try_collect().await.unwrap();
    assert_eq!(ids, strings(&names));
    let ids: Vec<String> = client.chatrooms().list_chatroom_member_ids(&room).limit(2).into_stream().try_collect().await.unwrap();
    assert_eq!(ids, strings(&names));

    // Without `version=v3` the same route is the documented listing, roles and all.
    let page = client.groups().list_group_members(&group).await.unwrap();
    assert_eq!(page.data.unwrap()[0].owner.as_deref(), Some("v3-own"));
}
