//! Messages (sent, directed, broadcast, imported, recalled) and chat files. The request
//! bodies of one family differ only in the type of `body`, so each is read through its JSON
//! form.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::models as m;
use crate::server::inputs as i;
use crate::server::{Binary, RequestContext};

use super::super::callbacks::{Event, PreSendOutcome};
use super::super::config::PreSendFailure;
use super::super::store::{
    user_key, Outgoing, Res, Tenant, RECALLED, RECALL_NOT_FOUND, RECALL_TOO_LATE,
};
use super::super::{MessageOrigin, MockServer};
use super::{reply, Ctx};

fn json_of<T: Serialize>(body: &T) -> Value {
    serde_json::to_value(body).expect("request models serialize")
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    value[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn msg_type(value: &Value) -> m::MessageType {
    serde_json::from_value(value["type"].clone()).unwrap_or(m::MessageType::Unknown(String::new()))
}

/// Sends a message. With pre-send rules for its kind, each recipient's copy is first put
/// to them (with the message id it will have) and the answers honoured: a rejected copy is
/// neither stored nor reported to post-send rules, a rewritten one is stored as the text
/// given. The docs say pre-send callbacks apply to messages sent by clients, not through
/// the REST API, so they say nothing of what a REST caller sees when one is rejected: the
/// mock answers as for any message sent (the id included), delivers nothing and records the
/// rejection in [`MockServer::callback_deliveries`].
async fn send<T: Serialize>(
    s: &MockServer,
    ctx: &RequestContext,
    body: &T,
    chat_type: m::MessageChatType,
    origin: MessageOrigin,
    path: &str,
) -> Res<m::MessageSendResponse> {
    let value = json_of(body);
    let mut message = Outgoing {
        chat_type,
        origin,
        from: value["from"].as_str().map(str::to_owned),
        to: strings(&value, "to"),
        users: strings(&value, "users"),
        msg_type: msg_type(&value),
        body: value["body"].clone(),
        ext: value.get("ext").filter(|e| !e.is_null()).cloned(),
        ids: Vec::new(),
    };
    let strict = s.store.config.strict_messages;
    if !s.callbacks.has_pre_send(&message.chat_type) {
        let Ctx(mut t, now) = s.ctx(ctx)?;
        let data = t.send_message(message.clone(), strict, now)?;
        emit_sent(s, &t, now, &message, &data);
        return Ok(reply!(MessageSendResponse, t, now, "post", path, data: data));
    }
    // A message the mock would refuse is refused before any rule is asked.
    let (appkey, from, now) = {
        let Ctx(mut t, now) = s.ctx(ctx)?;
        let from = t.check_send(&message, strict, now)?;
        message.ids = message.to.iter().map(|_| t.next_message_id()).collect();
        (format!("{}#{}", t.org, t.app), from, now)
    };
    let mut copies = Vec::new();
    let mut rejected = BTreeMap::new();
    for (to, id) in message.to.iter().zip(&message.ids) {
        let event = Event::Message {
            chat_type: &message.chat_type,
            from: &from,
            to,
            msg_id: id,
            msg_type: &message.msg_type,
            body: &message.body,
            ext: message.ext.as_ref(),
        };
        let mut copy = Outgoing {
            to: vec![to.clone()],
            ids: vec![id.clone()],
            ..message.clone()
        };
        match s.callbacks.pre_send(&appkey, now, event).await {
            Some(PreSendOutcome::Rejected { .. })
            | Some(PreSendOutcome::Failed {
                policy: PreSendFailure::Reject,
            }) => {
                rejected.insert(to.clone(), id.clone());
                continue;
            }
            Some(PreSendOutcome::Rewritten { text }) => {
                copy.msg_type = m::MessageType::Txt;
                copy.body = serde_json::json!({"msg": text});
            }
            _ => {}
        }
        copies.push(copy);
    }
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let mut data = rejected;
    for copy in copies {
        let ids = t.send_message(copy.clone(), strict, now)?;
        emit_sent(s, &t, now, &copy, &ids);
        data.extend(ids);
    }
    Ok(reply!(MessageSendResponse, t, now, "post", path, data: data))
}

/// Reports each recipient's copy of a message sent to the post-send rules.
fn emit_sent(
    s: &MockServer,
    t: &Tenant,
    now: i64,
    message: &Outgoing,
    ids: &BTreeMap<String, String>,
) {
    let from = message
        .from
        .as_deref()
        .map_or_else(|| "admin".to_owned(), user_key);
    for (to, msg_id) in ids {
        let to = match message.chat_type {
            m::MessageChatType::Chat => user_key(to),
            _ => to.clone(),
        };
        s.emit(
            t,
            now,
            Event::Message {
                chat_type: &message.chat_type,
                from: &from,
                to: &to,
                msg_id,
                msg_type: &message.msg_type,
                body: &message.body,
                ext: message.ext.as_ref(),
            },
        );
    }
}

fn broadcast<T: Serialize>(
    s: &MockServer,
    ctx: &RequestContext,
    body: &T,
) -> Res<m::MessageBroadcastResponse> {
    let value = json_of(body);
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let mut content = value["msg"].clone();
    let kind = msg_type(&content);
    if let Some(content) = content.as_object_mut() {
        content.remove("type");
    }
    let ext = value.get("ext").filter(|e| !e.is_null()).cloned();
    let id = t.broadcast(value["from"].as_str(), kind, content, ext, now)?;
    Ok(
        reply!(MessageBroadcastResponse, t, now, "post", "/messages/chatrooms/broadcast", data: m::MessageBroadcastResult { id: Some(id) }),
    )
}

fn import<T: Serialize>(
    s: &MockServer,
    ctx: &RequestContext,
    body: &T,
    chat_type: m::MessageChatType,
    path: &str,
) -> Res<m::MessageImportResponse> {
    let value = json_of(body);
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let message = Outgoing {
        chat_type,
        origin: MessageOrigin::Imported,
        from: value["from"].as_str().map(str::to_owned),
        to: value["target"]
            .as_str()
            .map(str::to_owned)
            .into_iter()
            .collect(),
        users: Vec::new(),
        msg_type: msg_type(&value),
        body: value["body"].clone(),
        ext: None,
        ids: Vec::new(),
    };
    let msg_id = t.import_message(message, value["msg_timestamp"].as_i64(), now)?;
    Ok(
        reply!(MessageImportResponse, t, now, "post", path, entities: Vec::new(), data: m::MessageImportResult { msg_id: Some(msg_id) }),
    )
}

macro_rules! send_ops {
    ($($op:ident($input:ident): $chat:ident, $origin:ident, $path:literal;)*) => {$(
        pub(super) async fn $op(s: &MockServer, ctx: &RequestContext, input: i::$input) -> Res<m::MessageSendResponse> {
            send(s, ctx, &input.body, m::MessageChatType::$chat, MessageOrigin::$origin, $path).await
        }
    )*};
}

macro_rules! broadcast_ops {
    ($($op:ident($input:ident);)*) => {$(
        pub(super) fn $op(s: &MockServer, ctx: &RequestContext, input: i::$input) -> Res<m::MessageBroadcastResponse> {
            broadcast(s, ctx, &input.body)
        }
    )*};
}

macro_rules! import_ops {
    ($($op:ident($input:ident): $chat:ident, $path:literal;)*) => {$(
        pub(super) fn $op(s: &MockServer, ctx: &RequestContext, input: i::$input) -> Res<m::MessageImportResponse> {
            import(s, ctx, &input.body, m::MessageChatType::$chat, $path)
        }
    )*};
}

send_ops! {
    send_user_text_message(SendUserTextMessageInput): Chat, Sent, "/messages/users";
    send_user_image_message(SendUserImageMessageInput): Chat, Sent, "/messages/users";
    send_user_voice_message(SendUserVoiceMessageInput): Chat, Sent, "/messages/users";
    send_user_video_message(SendUserVideoMessageInput): Chat, Sent, "/messages/users";
    send_user_file_message(SendUserFileMessageInput): Chat, Sent, "/messages/users";
    send_user_location_message(SendUserLocationMessageInput): Chat, Sent, "/messages/users";
    send_user_command_message(SendUserCommandMessageInput): Chat, Sent, "/messages/users";
    send_user_custom_message(SendUserCustomMessageInput): Chat, Sent, "/messages/users";
    send_group_text_message(SendGroupTextMessageInput): Groupchat, Sent, "/messages/chatgroups";
    send_group_image_message(SendGroupImageMessageInput): Groupchat, Sent, "/messages/chatgroups";
    send_group_voice_message(SendGroupVoiceMessageInput): Groupchat, Sent, "/messages/chatgroups";
    send_group_video_message(SendGroupVideoMessageInput): Groupchat, Sent, "/messages/chatgroups";
    send_group_file_message(SendGroupFileMessageInput): Groupchat, Sent, "/messages/chatgroups";
    send_group_location_message(SendGroupLocationMessageInput): Groupchat, Sent, "/messages/chatgroups";
    send_group_command_message(SendGroupCommandMessageInput): Groupchat, Sent, "/messages/chatgroups";
    send_group_custom_message(SendGroupCustomMessageInput): Groupchat, Sent, "/messages/chatgroups";
    send_chatroom_text_message(SendChatroomTextMessageInput): Chatroom, Sent, "/messages/chatrooms";
    send_chatroom_image_message(SendChatroomImageMessageInput): Chatroom, Sent, "/messages/chatrooms";
    send_chatroom_voice_message(SendChatroomVoiceMessageInput): Chatroom, Sent, "/messages/chatrooms";
    send_chatroom_video_message(SendChatroomVideoMessageInput): Chatroom, Sent, "/messages/chatrooms";
    send_chatroom_file_message(SendChatroomFileMessageInput): Chatroom, Sent, "/messages/chatrooms";
    send_chatroom_location_message(SendChatroomLocationMessageInput): Chatroom, Sent, "/messages/chatrooms";
    send_chatroom_command_message(SendChatroomCommandMessageInput): Chatroom, Sent, "/messages/chatrooms";
    send_chatroom_custom_message(SendChatroomCustomMessageInput): Chatroom, Sent, "/messages/chatrooms";
    send_group_directed_text_message(SendGroupDirectedTextMessageInput): Groupchat, Directed, "/messages/chatgroups/users";
    send_group_directed_image_message(SendGroupDirectedImageMessageInput): Groupchat, Directed, "/messages/chatgroups/users";
    send_group_directed_voice_message(SendGroupDirectedVoiceMessageInput): Groupchat, Directed, "/messages/chatgroups/users";
    send_group_directed_video_message(SendGroupDirectedVideoMessageInput): Groupchat, Directed, "/messages/chatgroups/users";
    send_group_directed_file_message(SendGroupDirectedFileMessageInput): Groupchat, Directed, "/messages/chatgroups/users";
    send_group_directed_location_message(SendGroupDirectedLocationMessageInput): Groupchat, Directed, "/messages/chatgroups/users";
    send_group_directed_command_message(SendGroupDirectedCommandMessageInput): Groupchat, Directed, "/messages/chatgroups/users";
    send_group_directed_custom_message(SendGroupDirectedCustomMessageInput): Groupchat, Directed, "/messages/chatgroups/users";
    send_chatroom_directed_text_message(SendChatroomDirectedTextMessageInput): Chatroom, Directed, "/messages/chatrooms/users";
    send_chatroom_directed_image_message(SendChatroomDirectedImageMessageInput): Chatroom, Directed, "/messages/chatrooms/users";
    send_chatroom_directed_voice_message(SendChatroomDirectedVoiceMessageInput): Chatroom, Directed, "/messages/chatrooms/users";
    send_chatroom_directed_video_message(SendChatroomDirectedVideoMessageInput): Chatroom, Directed, "/messages/chatrooms/users";
    send_chatroom_directed_file_message(SendChatroomDirectedFileMessageInput): Chatroom, Directed, "/messages/chatrooms/users";
    send_chatroom_directed_location_message(SendChatroomDirectedLocationMessageInput): Chatroom, Directed, "/messages/chatrooms/users";
    send_chatroom_directed_command_message(SendChatroomDirectedCommandMessageInput): Chatroom, Directed, "/messages/chatrooms/users";
    send_chatroom_directed_custom_message(SendChatroomDirectedCustomMessageInput): Chatroom, Directed, "/messages/chatrooms/users";
}

broadcast_ops! {
    broadcast_chatroom_text_message(BroadcastChatroomTextMessageInput);
    broadcast_chatroom_image_message(BroadcastChatroomImageMessageInput);
    broadcast_chatroom_voice_message(BroadcastChatroomVoiceMessageInput);
    broadcast_chatroom_video_message(BroadcastChatroomVideoMessageInput);
    broadcast_chatroom_file_message(BroadcastChatroomFileMessageInput);
    broadcast_chatroom_location_message(BroadcastChatroomLocationMessageInput);
    broadcast_chatroom_command_message(BroadcastChatroomCommandMessageInput);
    broadcast_chatroom_custom_message(BroadcastChatroomCustomMessageInput);
}

import_ops! {
    import_user_text_message(ImportUserTextMessageInput): Chat, "/messages/users/import";
    import_user_image_message(ImportUserImageMessageInput): Chat, "/messages/users/import";
    import_user_voice_message(ImportUserVoiceMessageInput): Chat, "/messages/users/import";
    import_user_video_message(ImportUserVideoMessageInput): Chat, "/messages/users/import";
    import_user_file_message(ImportUserFileMessageInput): Chat, "/messages/users/import";
    import_user_location_message(ImportUserLocationMessageInput): Chat, "/messages/users/import";
    import_user_command_message(ImportUserCommandMessageInput): Chat, "/messages/users/import";
    import_user_custom_message(ImportUserCustomMessageInput): Chat, "/messages/users/import";
    import_group_text_message(ImportGroupTextMessageInput): Groupchat, "/messages/chatgroups/import";
    import_group_image_message(ImportGroupImageMessageInput): Groupchat, "/messages/chatgroups/import";
    import_group_voice_message(ImportGroupVoiceMessageInput): Groupchat, "/messages/chatgroups/import";
    import_group_video_message(ImportGroupVideoMessageInput): Groupchat, "/messages/chatgroups/import";
    import_group_file_message(ImportGroupFileMessageInput): Groupchat, "/messages/chatgroups/import";
    import_group_location_message(ImportGroupLocationMessageInput): Groupchat, "/messages/chatgroups/import";
    import_group_command_message(ImportGroupCommandMessageInput): Groupchat, "/messages/chatgroups/import";
    import_group_custom_message(ImportGroupCustomMessageInput): Groupchat, "/messages/chatgroups/import";
}

pub(super) fn recall_message(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RecallMessageInput,
) -> Res<m::RecallMessageResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let b = input.body;
    let window_ms = (s.store.config.recall_window as i64).saturating_mul(1000);
    let outcome = t.recall(&b.msg_id, &b.to, &b.chat_type, window_ms, now);
    let status = match outcome {
        RECALLED => m::MessageRecallStatus::Yes,
        RECALL_TOO_LATE => m::MessageRecallStatus::ExceedRecallTimeLimit,
        RECALL_NOT_FOUND => m::MessageRecallStatus::NotFoundMsg,
        other => m::MessageRecallStatus::Unknown(other.to_owned()),
    };
    if outcome == RECALLED {
        let from = b
            .from
            .as_deref()
            .map_or_else(|| "admin".to_owned(), user_key);
        s.emit(
            &t,
            now,
            Event::Recall {
                from: &from,
                to: &b.to,
                recalled_id: &b.msg_id,
            },
        );
        let data = m::MessageRecallResult {
            recalled: Some(status),
            chat_type: Some(b.chat_type),
            from: Some(b.from.unwrap_or_else(|| "admin".into())),
            to: Some(b.to),
            msg_id: Some(b.msg_id),
        };
        Ok(reply!(RecallMessageResponse, t, now, "post", "/messages/msg_recall", data: data))
    } else {
        // Not recalled: the docs' second example answers only `msgs`.
        Ok(m::RecallMessageResponse {
            msgs: Some(vec![m::MessageRecallFailure {
                msg_id: Some(b.msg_id),
                recalled: Some(status),
            }]),
            ..Default::default()
        })
    }
}

pub(super) fn delete_user_conversation(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DeleteUserConversationInput,
) -> Res<m::DeleteUserConversationResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.delete_conversation(&input.username)?;
    Ok(
        reply!(DeleteUserConversationResponse, t, now, "delete", "/users/user_channel", entities: Vec::new(), data: m::MessageDeleteConversationResult { result: Some("ok".into()) }),
    )
}

pub(super) fn upload_chat_file(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UploadChatFileInput,
) -> Res<m::FileUploadResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let file = input.body.file;
    let data = file.as_bytes().cloned().unwrap_or_default();
    let (uuid, secret) = t.store_file(
        data,
        file.content_type(),
        input.restrict_access.unwrap_or(false),
    );
    let entity = m::FileUploadEntity {
        uuid: Some(uuid),
        file_type: Some(m::FileEntityType::Chatfile),
        share_secret: Some(secret),
    };
    Ok(reply!(FileUploadResponse, t, now, "post", "/chatfiles", entities: vec![entity]))
}

pub(super) fn download_chat_file(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DownloadChatFileInput,
) -> Res<Binary> {
    let Ctx(t, _) = s.ctx(ctx)?;
    let file = t.file(&input.file_uuid, input.share_secret.as_deref())?;
    Ok(Binary {
        content_type: file.content_type.clone(),
        data: file.data.clone(),
    })
}

pub(super) fn download_chat_file_thumbnail(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DownloadChatFileThumbnailInput,
) -> Res<Binary> {
    // The mock keeps no thumbnails: it answers the file itself.
    let Ctx(t, _) = s.ctx(ctx)?;
    let file = t.file(&input.file_uuid, input.share_secret.as_deref())?;
    Ok(Binary {
        content_type: file.content_type.clone(),
        data: file.data.clone(),
    })
}
