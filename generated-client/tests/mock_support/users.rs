//! Users, tokens, contacts and user attributes.

use std::collections::BTreeMap;

use easemob_im::mock::MockHandle;
use easemob_im::models::*;
use easemob_im::Client;
use futures_util::TryStreamExt;

use super::*;

/// Registration, details, paging, password, tokens, ban, status, global mutes, deletion.
pub async fn users_flow(mock: &MockHandle, client: &Client) {
    let users = client.users();
    let one = users
        .register_user(UserRegistration::new("U-Alice", "pw").with_nickname("Alice"))
        .await
        .unwrap();
    assert_eq!(
        one.entities.unwrap()[0].username.as_deref(),
        Some("u-alice"),
        "ids are answered in lower case"
    );
    assert_eq!(
        failure(
            users
                .register_user(UserRegistration::new("u-alice", "pw"))
                .await
        ),
        (400, ErrorCode::DuplicateUniquePropertyExists)
    );

    let batch = users
        .register_users(vec![
            UserRegistration::new("u-bob", "pw"),
            UserRegistration::new("u-alice", "pw"),
            UserRegistration::new("u-carol", "pw"),
        ])
        .await
        .unwrap();
    let created: Vec<String> = batch
        .entities
        .unwrap()
        .into_iter()
        .filter_map(|u| u.username)
        .collect();
    assert_eq!(created, ["u-bob", "u-carol"]);
    let failed = batch.data.unwrap();
    assert_eq!(
        (failed.len(), failed[0].username.as_deref()),
        (1, Some("u-alice"))
    );

    let alice = users
        .get_user("u-alice")
        .await
        .unwrap()
        .entities
        .unwrap()
        .remove(0);
    assert_eq!(
        (alice.nickname.as_deref(), alice.activated),
        (Some("Alice"), Some(true))
    );
    assert_eq!(
        failure(users.get_user("u-nobody").await),
        (404, ErrorCode::ServiceResourceNotFound)
    );

    // A page at a time, then everything through the stream.
    let page = users.list_users().limit(2).await.unwrap();
    assert_eq!(page.entities.unwrap().len(), 2);
    let next = users
        .list_users()
        .limit(2)
        .cursor(page.cursor.expect("more pages"))
        .await
        .unwrap();
    assert!(!next.entities.unwrap().is_empty());
    let all: Vec<String> = users
        .list_users()
        .limit(1)
        .into_stream()
        .map_ok(|u| u.username.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    for name in ["u-alice", "u-bob", "u-carol"] {
        assert!(all.contains(&name.to_string()), "{name} in {all:?}");
    }

    users
        .set_user_password("u-bob", SetUserPasswordRequest::new("new-pw"))
        .await
        .unwrap();
    let tokens = client.tokens();
    let token = tokens
        .get_user_token_with_password(TokenPasswordRequest::new(
            TokenGrantType::Password,
            "u-bob",
            "new-pw",
        ))
        .await
        .unwrap();
    assert!(token.access_token.is_some());
    assert_eq!(token.user.unwrap().username.as_deref(), Some("u-bob"));
    assert_eq!(
        failure(
            tokens
                .get_user_token_with_password(TokenPasswordRequest::new(
                    TokenGrantType::Password,
                    "u-bob",
                    "pw"
                ))
                .await
        ),
        (400, ErrorCode::InvalidGrant)
    );
    let inherited = tokens
        .get_user_token(TokenInheritRequest::new(
            TokenGrantType::Inherit,
            "u-dave",
            MissingUser::Register,
        ))
        .await
        .unwrap();
    assert_eq!(
        inherited.user.unwrap().username.as_deref(),
        Some("u-dave"),
        "created on the fly"
    );
    assert_eq!(
        failure(
            tokens
                .get_user_token(TokenInheritRequest::new(
                    TokenGrantType::Inherit,
                    "u-erin",
                    MissingUser::Refuse
                ))
                .await
        )
        .0,
        404
    );

    let banned = users.deactivate_user("u-bob").await.unwrap();
    assert_eq!(banned.entities.unwrap()[0].activated, Some(false));
    assert_eq!(
        failure(
            tokens
                .get_user_token_with_password(TokenPasswordRequest::new(
                    TokenGrantType::Password,
                    "u-bob",
                    "new-pw"
                ))
                .await
        )
        .0,
        401
    );
    users.activate_user("u-bob").await.unwrap();
    assert_eq!(
        users.get_user("u-bob").await.unwrap().entities.unwrap()[0].activated,
        Some(true)
    );

    // Online means a device with a status other than 0 (see presence).
    client
        .presence()
        .set_presence_status(
            "u-carol",
            "android_1",
            "1",
            SetPresenceStatusRequest::new("here"),
        )
        .await
        .unwrap();
    let status = users
        .get_user_status("u-carol")
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(status["u-carol"], UserOnlineStatus::Online);
    let statuses = users
        .get_users_status(GetUsersStatusRequest::new(strings(&["u-carol", "u-ghost"])))
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        (
            statuses[0]["u-carol"].clone(),
            statuses[1]["u-ghost"].clone()
        ),
        (UserOnlineStatus::Online, UserOnlineStatus::Offline)
    );
    let devices = users
        .list_user_online_devices("u-carol")
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(devices[0].res.as_deref(), Some("android_1"));
    assert_eq!(
        users
            .disconnect_user("u-carol")
            .await
            .unwrap()
            .data
            .unwrap()
            .result,
        Some(true)
    );
    assert!(users
        .list_user_online_devices("u-carol")
        .await
        .unwrap()
        .data
        .unwrap()
        .is_empty());
    assert_eq!(
        users
            .get_user_offline_message_count("u-carol")
            .await
            .unwrap()
            .data
            .unwrap()["u-carol"],
        0
    );

    users
        .set_user_global_mute(
            UserGlobalMuteSettings::new("u-carol")
                .with_chat(100)
                .with_groupchat(-1),
        )
        .await
        .unwrap();
    let mute = users
        .get_user_global_mute("u-carol")
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        (mute.chat, mute.groupchat, mute.chatroom),
        (Some(100), Some(-1), Some(0))
    );
    let muted = users
        .list_globally_muted_users()
        .page_num(1)
        .page_size(10)
        .await
        .unwrap()
        .data
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        muted
            .iter()
            .filter(|e| e.username.as_deref() == Some("u-carol"))
            .count(),
        2
    );
    let hello = SendUserTextMessageRequest::new(strings(&["u-alice"]), MessageTextBody::new("hi"))
        .with_from("u-carol");
    assert_eq!(
        failure(
            client
                .messages()
                .send_user_text_message(hello.clone())
                .await
        ),
        (403, ErrorCode::ForbiddenOp),
        "globally muted"
    );
    mock.server()
        .advance_clock(std::time::Duration::from_secs(101));
    client
        .messages()
        .send_user_text_message(hello)
        .await
        .expect("the one-to-one mute has expired");

    let renamed = client
        .push()
        .set_push_nickname(
            "u-carol",
            SetPushNicknameRequest::new().with_nickname("Carol"),
        )
        .await
        .unwrap();
    assert_eq!(
        renamed.entities.unwrap()[0].nickname.as_deref(),
        Some("Carol")
    );

    users.delete_user("u-dave").await.unwrap();
    assert_eq!(failure(users.delete_user("u-dave").await).0, 404);
    assert!(!mock
        .server()
        .usernames(ORG, APP)
        .contains(&"u-dave".to_string()));
}

/// Deleting users in bulk; empties the app, so run it last.
pub async fn delete_users_flow(mock: &MockHandle, client: &Client) {
    let before = mock.server().usernames(ORG, APP).len();
    let deleted = client.users().delete_users().limit(2).await.unwrap();
    assert_eq!(deleted.entities.unwrap().len(), 2.min(before));
    assert_eq!(
        mock.server().usernames(ORG, APP).len(),
        before - 2.min(before)
    );
}

/// Friends, remarks, paging and the block list.
pub async fn contacts_flow(mock: &MockHandle, client: &Client) {
    register(client, &["c-ann", "c-ben", "c-cid", "c-dan"]).await;
    let contacts = client.contacts();
    for friend in ["c-ben", "c-cid", "c-dan"] {
        let added = contacts.add_contact("c-ann", friend).await.unwrap();
        assert_eq!(added.entities.unwrap()[0].username.as_deref(), Some(friend));
    }
    assert_eq!(
        failure(contacts.add_contact("c-ann", "c-ghost").await).0,
        404
    );
    assert_eq!(
        contacts
            .list_all_contacts("c-ann")
            .await
            .unwrap()
            .data
            .unwrap(),
        strings(&["c-ben", "c-cid", "c-dan"])
    );
    assert_eq!(
        mock.server().contacts(ORG, APP, "c-ben"),
        ["c-ann"],
        "friendship goes both ways"
    );

    contacts
        .set_contact_remark("c-ann", "c-cid", SetContactRemarkRequest::new("college"))
        .await
        .unwrap();
    assert_eq!(
        failure(
            contacts
                .set_contact_remark("c-ben", "c-cid", SetContactRemarkRequest::new("x"))
                .await
        )
        .0,
        404
    );
    let page = contacts
        .list_contacts("c-ann")
        .limit(2)
        .need_return_remark(true)
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(page.contacts.as_ref().unwrap().len(), 2);
    assert!(page.cursor.is_some());
    let all: Vec<ContactEntry> = contacts
        .list_contacts("c-ann")
        .limit(1)
        .need_return_remark(true)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[1].remark.as_deref(), Some("college"));

    contacts
        .block_users(
            "c-ann",
            BlockUsersRequest::new(strings(&["c-ben", "c-dan"])),
        )
        .await
        .unwrap();
    assert_eq!(
        contacts
            .list_blocked_users("c-ann")
            .await
            .unwrap()
            .data
            .unwrap(),
        strings(&["c-dan", "c-ben"]),
        "newest first"
    );
    let blocked: Vec<String> = contacts
        .list_blocked_users("c-ann")
        .page_size(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(blocked, strings(&["c-dan", "c-ben"]));
    contacts.unblock_user("c-ann", "c-dan").await.unwrap();
    assert_eq!(
        failure(contacts.unblock_user("c-ann", "c-dan").await).0,
        404
    );

    contacts.remove_contact("c-ann", "c-ben").await.unwrap();
    assert_eq!(
        contacts.list_all_contacts("c-ann").await.unwrap().count,
        Some(2)
    );
}

/// User attributes, set with a form body.
pub async fn metadata_flow(_mock: &MockHandle, client: &Client) {
    register(client, &["m-amy", "m-bo"]).await;
    let metadata = client.metadata();
    let values = BTreeMap::from([
        ("nickname".to_string(), "Amy & co".to_string()),
        ("avatarurl".to_string(), "https://x/a.png?s=1".to_string()),
    ]);
    let set = metadata
        .set_user_metadata("m-amy", values.clone())
        .await
        .unwrap();
    assert_eq!(
        set.data.unwrap(),
        values,
        "the form body round-trips, & and ? included"
    );
    metadata
        .set_user_metadata(
            "m-amy",
            BTreeMap::from([("ext".to_string(), "1".to_string())]),
        )
        .await
        .unwrap();
    assert_eq!(
        metadata
            .get_user_metadata("m-amy")
            .await
            .unwrap()
            .data
            .unwrap()
            .len(),
        3,
        "attributes merge"
    );
    let batch = metadata
        .batch_get_user_metadata(BatchGetUserMetadataRequest::new(
            strings(&["m-amy", "m-bo"]),
            strings(&["ext"]),
        ))
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(batch["m-amy"]["ext"], "1");
    assert!(!batch.contains_key("m-bo"));
    assert!(
        metadata
            .get_metadata_capacity()
            .await
            .unwrap()
            .data
            .unwrap()
            > 0
    );
    assert_eq!(
        metadata.delete_user_metadata("m-amy").await.unwrap().data,
        Some(true)
    );
    assert!(metadata
        .get_user_metadata("m-amy")
        .await
        .unwrap()
        .data
        .unwrap()
        .is_empty());
    assert_eq!(
        failure(metadata.set_user_metadata("m-ghost", values).await).0,
        404
    );
}
