//! Messages, chat files, presence, and the operations answered with examples.

use easemob_im::files::FileSource;
use easemob_im::mock::{MessageOrigin, MockHandle};
use easemob_im::models::*;
use easemob_im::Client;

use super::*;

/// Presence statuses and subscriptions.
pub async fn presence_flow(mock: &MockHandle, client: &Client) {
    register(client, &["p-ivy", "p-jo", "p-kim"]).await;
    let presence = client.presence();
    presence
        .set_presence_status(
            "p-jo",
            "ios_7",
            "1",
            SetPresenceStatusRequest::new("at lunch"),
        )
        .await
        .unwrap();
    let subscribed = presence
        .subscribe_presence(
            "p-ivy",
            3600,
            SubscribePresenceRequest::new(strings(&["p-jo", "p-kim"])),
        )
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(subscribed[0].ext.as_deref(), Some("at lunch"));
    assert_eq!(
        failure(
            presence
                .subscribe_presence(
                    "p-ivy",
                    60,
                    SubscribePresenceRequest::new(strings(&["p-ivy"]))
                )
                .await
        )
        .0,
        400,
        "you can't sub yourself"
    );
    let statuses = presence
        .get_presence_statuses("p-ivy", GetPresenceStatusesRequest::new(strings(&["p-jo"])))
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(statuses[0].status.as_ref().unwrap()["ios_7"], "1");
    let page = presence
        .list_presence_subscriptions("p-ivy", 1, 10)
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(page.total_num.as_deref(), Some("2"));
    presence
        .unsubscribe_presence("p-ivy", strings(&["p-kim"]))
        .await
        .unwrap();
    assert_eq!(
        presence
            .list_presence_subscriptions("p-ivy", 1, 10)
            .await
            .unwrap()
            .result
            .unwrap()
            .sublist
            .unwrap()
            .len(),
        1
    );
    mock.server()
        .advance_clock(std::time::Duration::from_secs(3601));
    assert!(
        presence
            .list_presence_subscriptions("p-ivy", 1, 10)
            .await
            .unwrap()
            .result
            .unwrap()
            .sublist
            .unwrap()
            .is_empty(),
        "expired"
    );

    let group = client
        .groups()
        .create_group(
            CreateGroupRequest::new(GroupVisibility::Public, "p-ivy").with_members(strings(&["p-jo", "p-kim"])),
        )
        .await
        .unwrap()
        .data
        .unwrap()
        .group_id
        .unwrap();
    assert_eq!(
        presence
            .get_group_online_count(&group, PresenceQueryType::GroupMembers)
            .await
            .unwrap()
            .result,
        Some(1)
    );
    client.groups().delete_group(&group).await.unwrap();
}

/// Every message type to users, groups and rooms, directed, broadcast and imported; recall;
/// chat files.
pub async fn messages_flow(mock: &MockHandle, client: &Client) {
    register(client, &["x-amy", "x-bob", "x-cat"]).await;
    let group = client
        .groups()
        .create_group(
            CreateGroupRequest::new(GroupVisibility::Public, "x-amy").with_members(strings(&["x-bob", "x-cat"])),
        )
        .await
        .unwrap()
        .data
        .unwrap()
        .group_id
        .unwrap();
    let room = client
        .chatrooms()
        .create_chatroom(
            CreateChatroomRequest::new("x-room", "d", "x-amy")
                .with_members(strings(&["x-bob", "x-cat"])),
        )
        .await
        .unwrap()
        .data
        .unwrap()
        .id
        .unwrap();
    let msgs = client.messages();

    // Chat files: upload, then send a message that points at the file.
    let uploaded = client
        .files()
        .upload_chat_file(UploadChatFileRequest::new(FileSource::bytes(
            "a.jpg",
            b"jpeg bytes".to_vec(),
        )))
        .restrict_access(true)
        .await
        .unwrap();
    let entity = uploaded.entities.unwrap().remove(0);
    let (uuid, secret) = (entity.uuid.unwrap(), entity.share_secret.unwrap());
    assert_eq!(
        failure(client.files().download_chat_file(&uuid).await).0,
        401,
        "restricted without the secret"
    );
    let bytes = client
        .files()
        .download_chat_file(&uuid)
        .share_secret(&secret)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"jpeg bytes");
    client
        .files()
        .download_chat_file_thumbnail(&uuid)
        .share_secret(&secret)
        .await
        .unwrap();
    let url = format!("{}/{ORG}/{APP}/chatfiles/{uuid}", mock.base_url());

    let users = strings(&["x-bob", "x-cat"]);
    let (g, r, directed) = (vec![group.clone()], vec![room.clone()], strings(&["x-bob"]));
    let txt = || MessageTextBody::new("hi");
    let img = || MessageImageBody::new(&url).with_secret(&secret);
    let audio = || MessageVoiceBody::new(&url).with_length(3);
    let video = || MessageVideoBody::new(&url).with_length(5);
    let file = || MessageFileBody::new(&url).with_filename("a.jpg");
    let loc = || MessageLocationBody::new("39.9", "116.4", "Beijing");
    let cmd = || MessageCommandBody::new("refresh");
    let custom = || MessageCustomBody::new().with_custom_event("ping");

    let sent = msgs
        .send_user_text_message(
            SendUserTextMessageRequest::new(users.clone(), txt())
                .with_from("x-amy")
                .with_ext(serde_json::json!({"k": 1})),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(sent.len(), 2, "one id per recipient");
    msgs.send_user_image_message(SendUserImageMessageRequest::new(users.clone(), img()))
        .await
        .unwrap();
    msgs.send_user_voice_message(SendUserVoiceMessageRequest::new(users.clone(), audio()))
        .await
        .unwrap();
    msgs.send_user_video_message(SendUserVideoMessageRequest::new(users.clone(), video()))
        .await
        .unwrap();
    msgs.send_user_file_message(SendUserFileMessageRequest::new(users.clone(), file()))
        .await
        .unwrap();
    msgs.send_user_location_message(SendUserLocationMessageRequest::new(users.clone(), loc()))
        .await
        .unwrap();
    msgs.send_user_command_message(SendUserCommandMessageRequest::new(users.clone(), cmd()))
        .await
        .unwrap();
    msgs.send_user_custom_message(SendUserCustomMessageRequest::new(users.clone(), custom()))
        .await
        .unwrap();

    msgs.send_group_text_message(SendGroupTextMessageRequest::new(g.clone(), txt()))
        .await
        .unwrap();
    msgs.send_group_image_message(SendGroupImageMessageRequest::new(g.clone(), img()))
        .await
        .unwrap();
    msgs.send_group_voice_message(SendGroupVoiceMessageRequest::new(g.clone(), audio()))
        .await
        .unwrap();
    msgs.send_group_video_message(SendGroupVideoMessageRequest::new(g.clone(), video()))
        .await
        .unwrap();
    msgs.send_group_file_message(SendGroupFileMessageRequest::new(g.clone(), file()))
        .await
        .unwrap();
    msgs.send_group_location_message(SendGroupLocationMessageRequest::new(g.clone(), loc()))
        .await
        .unwrap();
    msgs.send_group_command_message(SendGroupCommandMessageRequest::new(g.clone(), cmd()))
        .await
        .unwrap();
    msgs.send_group_custom_message(SendGroupCustomMessageRequest::new(g.clone(), custom()))
        .await
        .unwrap();

    msgs.send_chatroom_text_message(SendChatroomTextMessageRequest::new(r.clone(), txt()))
        .await
        .unwrap();
    msgs.send_chatroom_image_message(SendChatroomImageMessageRequest::new(r.clone(), img()))
        .await
        .unwrap();
    msgs.send_chatroom_voice_message(SendChatroomVoiceMessageRequest::new(r.clone(), audio()))
        .await
        .unwrap();
    msgs.send_chatroom_video_message(SendChatroomVideoMessageRequest::new(r.clone(), video()))
        .await
        .unwrap();
    msgs.send_chatroom_file_message(SendChatroomFileMessageRequest::new(r.clone(), file()))
        .await
        .unwrap();
    msgs.send_chatroom_location_message(SendChatroomLocationMessageRequest::new(r.clone(), loc()))
        .await
        .unwrap();
    msgs.send_chatroom_command_message(SendChatroomCommandMessageRequest::new(r.clone(), cmd()))
        .await
        .unwrap();
    msgs.send_chatroom_custom_message(SendChatroomCustomMessageRequest::new(r.clone(), custom()))
        .await
        .unwrap();

    msgs.send_group_directed_text_message(SendGroupDirectedTextMessageRequest::new(
        g.clone(),
        directed.clone(),
        txt(),
    ))
    .await
    .unwrap();
    msgs.send_group_directed_image_message(SendGroupDirectedImageMessageRequest::new(
        g.clone(),
        directed.clone(),
        img(),
    ))
    .await
    .unwrap();
    msgs.send_group_directed_voice_message(SendGroupDirectedVoiceMessageRequest::new(
        g.clone(),
        directed.clone(),
        audio(),
    ))
    .await
    .unwrap();
    msgs.send_group_directed_video_message(SendGroupDirectedVideoMessageRequest::new(
        g.clone(),
        directed.clone(),
        video(),
    ))
    .await
    .unwrap();
    msgs.send_group_directed_file_message(SendGroupDirectedFileMessageRequest::new(
        g.clone(),
        directed.clone(),
        file(),
    ))
    .await
    .unwrap();
    msgs.send_group_directed_location_message(SendGroupDirectedLocationMessageRequest::new(
        g.clone(),
        directed.clone(),
        loc(),
    ))
    .await
    .unwrap();
    msgs.send_group_directed_command_message(SendGroupDirectedCommandMessageRequest::new(
        g.clone(),
        directed.clone(),
        cmd(),
    ))
    .await
    .unwrap();
    msgs.send_group_directed_custom_message(SendGroupDirectedCustomMessageRequest::new(
        g.clone(),
        directed.clone(),
        custom(),
    ))
    .await
    .unwrap();

    msgs.send_chatroom_directed_text_message(SendChatroomDirectedTextMessageRequest::new(
        r.clone(),
        directed.clone(),
        txt(),
    ))
    .await
    .unwrap();
    msgs.send_chatroom_directed_image_message(SendChatroomDirectedImageMessageRequest::new(
        r.clone(),
        directed.clone(),
        img(),
    ))
    .await
    .unwrap();
    msgs.send_chatroom_directed_voice_message(SendChatroomDirectedVoiceMessageRequest::new(
        r.clone(),
        directed.clone(),
        audio(),
    ))
    .await
    .unwrap();
    msgs.send_chatroom_directed_video_message(SendChatroomDirectedVideoMessageRequest::new(
        r.clone(),
        directed.clone(),
        video(),
    ))
    .await
    .unwrap();
    msgs.send_chatroom_directed_file_message(SendChatroomDirectedFileMessageRequest::new(
        r.clone(),
        directed.clone(),
        file(),
    ))
    .await
    .unwrap();
    msgs.send_chatroom_directed_location_message(SendChatroomDirectedLocationMessageRequest::new(
        r.clone(),
        directed.clone(),
        loc(),
    ))
    .await
    .unwrap();
    msgs.send_chatroom_directed_command_message(SendChatroomDirectedCommandMessageRequest::new(
        r.clone(),
        directed.clone(),
        cmd(),
    ))
    .await
    .unwrap();
    msgs.send_chatroom_directed_custom_message(SendChatroomDirectedCustomMessageRequest::new(
        r.clone(),
        directed.clone(),
        custom(),
    ))
    .await
    .unwrap();

    let id = msgs
        .broadcast_chatroom_text_message(BroadcastChatroomTextMessageRequest::new(
            MessageBroadcastTextContent::new("to all", MessageType::Txt),
        ))
        .await
        .unwrap()
        .data
        .unwrap()
        .id;
    assert!(id.is_some());
    msgs.broadcast_chatroom_image_message(BroadcastChatroomImageMessageRequest::new(
        MessageBroadcastImageContent::new(&url, MessageType::Img),
    ))
    .await
    .unwrap();
    msgs.broadcast_chatroom_voice_message(BroadcastChatroomVoiceMessageRequest::new(
        MessageBroadcastVoiceContent::new(&url, MessageType::Audio),
    ))
    .await
    .unwrap();
    msgs.broadcast_chatroom_video_message(BroadcastChatroomVideoMessageRequest::new(
        MessageBroadcastVideoContent::new(&url, MessageType::Video),
    ))
    .await
    .unwrap();
    msgs.broadcast_chatroom_file_message(BroadcastChatroomFileMessageRequest::new(
        MessageBroadcastFileContent::new(&url, MessageType::File),
    ))
    .await
    .unwrap();
    msgs.broadcast_chatroom_location_message(BroadcastChatroomLocationMessageRequest::new(
        MessageBroadcastLocationContent::new("1", "2", "here", MessageType::Loc),
    ))
    .await
    .unwrap();
    msgs.broadcast_chatroom_command_message(BroadcastChatroomCommandMessageRequest::new(
        MessageBroadcastCommandContent::new("sync", MessageType::Cmd),
    ))
    .await
    .unwrap();
    msgs.broadcast_chatroom_custom_message(BroadcastChatroomCustomMessageRequest::new(
        MessageBroadcastCustomContent::new(MessageType::Custom),
    ))
    .await
    .unwrap();

    let (from, to) = ("x-amy", "x-bob");
    msgs.import_user_text_message(
        ImportUserTextMessageRequest::new(from, to, txt())
            .with_msg_timestamp(1_656_906_628_428_i64),
    )
    .await
    .unwrap();
    msgs.import_user_image_message(ImportUserImageMessageRequest::new(from, to, img()))
        .await
        .unwrap();
    msgs.import_user_voice_message(ImportUserVoiceMessageRequest::new(from, to, audio()))
        .await
        .unwrap();
    msgs.import_user_video_message(ImportUserVideoMessageRequest::new(from, to, video()))
        .await
        .unwrap();
    msgs.import_user_file_message(ImportUserFileMessageRequest::new(from, to, file()))
        .await
        .unwrap();
    msgs.import_user_location_message(ImportUserLocationMessageRequest::new(from, to, loc()))
        .await
        .unwrap();
    msgs.import_user_command_message(ImportUserCommandMessageRequest::new(from, to, cmd()))
        .await
        .unwrap();
    msgs.import_user_custom_message(ImportUserCustomMessageRequest::new(from, to, custom()))
        .await
        .unwrap();
    msgs.import_group_text_message(ImportGroupTextMessageRequest::new(from, &group, txt()))
        .await
        .unwrap();
    msgs.import_group_image_message(ImportGroupImageMessageRequest::new(from, &group, img()))
        .await
        .unwrap();
    msgs.import_group_voice_message(ImportGroupVoiceMessageRequest::new(from, &group, audio()))
        .await
        .unwrap();
    msgs.import_group_video_message(ImportGroupVideoMessageRequest::new(from, &group, video()))
        .await
        .unwrap();
    msgs.import_group_file_message(ImportGroupFileMessageRequest::new(from, &group, file()))
        .await
        .unwrap();
    msgs.import_group_location_message(ImportGroupLocationMessageRequest::new(from, &group, loc()))
        .await
        .unwrap();
    msgs.import_group_command_message(ImportGroupCommandMessageRequest::new(from, &group, cmd()))
        .await
        .unwrap();
    msgs.import_group_custom_message(ImportGroupCustomMessageRequest::new(from, &group, custom()))
        .await
        .unwrap();
    assert_eq!(
        failure(
            msgs.import_group_text_message(ImportGroupTextMessageRequest::new(from, "404", txt()))
                .await
        )
        .0,
        404
    );

    let kept = mock.server().sent_messages(ORG, APP);
    let count = |origin: MessageOrigin| {
        kept.iter()
            .filter(|m| m.origin == origin && (m.from.starts_with("x-") || m.from == "admin"))
            .count()
    };
    // 8 types: to 2 users, 1 group and 1 room; directed to 1 group and 1 room.
    assert_eq!(count(MessageOrigin::Sent), 8 * 4);
    assert_eq!(count(MessageOrigin::Directed), 8 * 2);
    assert!(
        count(MessageOrigin::Broadcast) >= 8,
        "at least our room was active"
    );
    assert_eq!(count(MessageOrigin::Imported), 16);
    let first = kept.iter().find(|m| m.msg_id == sent["x-bob"]).unwrap();
    assert_eq!(
        (first.msg_type.clone(), first.ext.clone()),
        (MessageType::Txt, Some(serde_json::json!({"k": 1})))
    );
    let directed_kept = kept
        .iter()
        .find(|m| m.origin == MessageOrigin::Directed)
        .unwrap();
    assert_eq!(directed_kept.users, directed);

    // Recall within the window, not twice, not after it.
    let recall = |to: &str| {
        RecallMessageRequest::new(&sent[to], to, MessageChatType::Chat).with_from("x-amy")
    };
    let done = msgs.recall_message(recall("x-bob")).await.unwrap();
    assert_eq!(done.data.unwrap().recalled, Some(MessageRecallStatus::Yes));
    let again = msgs.recall_message(recall("x-bob")).await.unwrap();
    assert_eq!(
        again.msgs.unwrap()[0].recalled,
        Some(MessageRecallStatus::NotFoundMsg)
    );
    assert!(mock
        .server()
        .sent_messages(ORG, APP)
        .iter()
        .any(|m| m.msg_id == sent["x-bob"] && m.recalled));
    mock.server()
        .advance_clock(std::time::Duration::from_secs(121));
    let late = msgs.recall_message(recall("x-cat")).await.unwrap();
    assert_eq!(
        late.msgs.unwrap()[0].recalled,
        Some(MessageRecallStatus::ExceedRecallTimeLimit)
    );

    msgs.delete_user_conversation(
        "x-amy",
        DeleteUserConversationRequest::new("x-bob", MessageConversationType::Chat, RoamingMessages::Delete),
    )
    .await
    .unwrap();
    client.chatrooms().delete_chatroom(&room).await.unwrap();
    client.groups().delete_group(&group).await.unwrap();
}

/// The operations the mock answers with the spec's example, with valid inputs.
pub async fn example_flow(_mock: &MockHandle, client: &Client) {
    let push = client.push();
    push.bind_push_device(
        "wzy",
        BindPushDeviceRequest::new("8ce08cad-1", "token", "104410638"),
    )
    .await
    .unwrap();
    assert!(!push
        .list_push_bindings("wzy")
        .await
        .unwrap()
        .entities
        .unwrap()
        .is_empty());
    push.set_push_display_style(
        "user1",
        SetPushDisplayStyleRequest::new(PushDisplayStyle::Detail),
    )
    .await
    .unwrap();
    push.set_notification_settings(
        "user1",
        NotificationChatType::User,
        "hxtest",
        SetNotificationSettingsRequest::new().with_ignore_interval("21:30-08:00"),
    )
    .await
    .unwrap();
    push.get_notification_settings("user1", NotificationChatType::Chatgroup, "12312312321")
        .await
        .unwrap();
    push.set_push_language("user1", SetPushLanguageRequest::new("EU"))
        .await
        .unwrap();
    push.get_push_language("user1").await.unwrap();
    push.create_push_template(CreatePushTemplateRequest::new(
        "test7",
        "hello,{0}",
        "test,{0}",
    ))
    .await
    .unwrap();
    push.get_push_template("test7").await.unwrap();
    push.set_user_push_template("user1", SetUserPushTemplateRequest::new("test7"))
        .await
        .unwrap();
    push.delete_push_template("test7").await.unwrap();
    let reactions = client.reactions();
    reactions
        .add_reaction(
            "e1",
            AddReactionRequest::new("997625372793113144", "emoji_40"),
        )
        .await
        .unwrap();
    reactions
        .list_message_reactions("e1", ["997625372793113144"], ReactionChatType::Chat)
        .await
        .unwrap();
    reactions
        .get_reaction_detail("e1", "997625372793113144", "emoji_40")
        .limit(50)
        .await
        .unwrap();
    reactions
        .delete_reaction("e1", "997625372793113144", "emoji_40")
        .await
        .unwrap();
    client
        .users()
        .get_offline_message_status("user1", "123")
        .await
        .unwrap();
    client
        .messages()
        .get_message_history_file("2018112717")
        .await
        .unwrap();
}
