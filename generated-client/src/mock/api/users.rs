//! Tokens, users, contacts, user attributes and presence.

use std::collections::BTreeMap;

use crate::models as m;
use crate::server::inputs as i;
use crate::server::RequestContext;

use super::super::callbacks::Event;
use super::super::store::user_key;
use super::super::store::{numbered_page, GlobalMuteKind, Res, UserRecord};
use super::super::MockServer;
use super::{reply, user_model, Ctx};

/// Lifetime of user tokens without `ttl` by inherit grant (easemob_user_token.md: 60 days).
const INHERIT_TOKEN_TTL: u64 = 60 * 24 * 3600;

pub(super) fn get_app_token(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetAppTokenInput,
) -> Res<m::TokenAppResponse> {
    let body = input.body;
    let (token, ttl) = s.store.issue_app_token(
        &ctx.org_name,
        &ctx.app_name,
        &body.client_id,
        &body.client_secret,
        body.ttl,
    )?;
    let t = s.store.tenant(&ctx.org_name, &ctx.app_name)?;
    Ok(m::TokenAppResponse {
        access_token: Some(token),
        expires_in: Some(ttl as i64),
        application: Some(t.application.clone()),
    })
}

pub(super) fn get_user_token_with_password(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetUserTokenWithPasswordInput,
) -> Res<m::TokenUserResponse> {
    let body = input.body;
    let user = s
        .store
        .tenant(&ctx.org_name, &ctx.app_name)?
        .check_password(&body.username, &body.password)?;
    let ttl = body
        .ttl
        .map_or(s.store.config.token_ttl, |t| t.max(0) as u64);
    let token = s
        .store
        .issue_user_token(&ctx.org_name, &ctx.app_name, &user.username, ttl);
    Ok(m::TokenUserResponse {
        access_token: Some(token),
        expires_in: Some(ttl as i64),
        user: Some(user_model(&user)),
    })
}

pub(super) fn get_user_token(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetUserTokenInput,
) -> Res<m::TokenUserResponse> {
    let body = input.body;
    let user = {
        let Ctx(mut t, now) = s.ctx(ctx)?;
        match t.user(&body.username) {
            Ok(user) => user.clone(),
            Err(_) if body.auto_create_user == m::MissingUser::Register => {
                let password: String = (0..16).map(|_| fastrand::alphanumeric()).collect();
                t.register_user(&body.username, &password, None, now)?
            }
            Err(error) => return Err(error),
        }
    };
    let ttl = body.ttl.map_or(INHERIT_TOKEN_TTL, |t| t.max(0) as u64);
    let token = s
        .store
        .issue_user_token(&ctx.org_name, &ctx.app_name, &user.username, ttl);
    Ok(m::TokenUserResponse {
        access_token: Some(token),
        expires_in: Some(ttl as i64),
        user: Some(user_model(&user)),
    })
}

fn users_of(list: &[UserRecord]) -> Vec<m::User> {
    list.iter().map(user_model).collect()
}

pub(super) fn register_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RegisterUserInput,
) -> Res<m::UserEntitiesResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let b = input.body;
    let user = t.register_user(&b.username, &b.password, b.nickname.as_deref(), now)?;
    Ok(reply!(UserEntitiesResponse, t, now, "post", "/users", entities: vec![user_model(&user)]))
}

pub(super) fn register_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RegisterUsersInput,
) -> Res<m::UserRegisterResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let users: Vec<(String, String, Option<String>)> = input
        .body
        .into_iter()
        .map(|u| (u.username, u.password, u.nickname))
        .collect();
    let (created, failed) = t.register_users(&users, now)?;
    let failures = failed
        .into_iter()
        .map(|(username, reason)| m::UserRegisterFailure {
            username: Some(username),
            register_user_fail_reason: Some(reason),
        })
        .collect();
    Ok(
        reply!(UserRegisterResponse, t, now, "post", "/users", entities: users_of(&created), data: failures),
    )
}

pub(super) fn get_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetUserInput,
) -> Res<m::UserEntitiesResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let user = t.user(&input.username)?;
    Ok(
        reply!(UserEntitiesResponse, t, now, "get", "/users", entities: vec![user_model(user)], count: 1),
    )
}

fn params(pairs: &[(&str, Option<String>)]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), vec![v])))
        .collect()
}

pub(super) fn list_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListUsersInput,
) -> Res<m::UserListResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let limit = input.limit.unwrap_or(10).clamp(1, 100);
    let (page, cursor) = t.list_users(limit as usize, input.cursor.as_deref())?;
    let params = params(&[
        ("limit", input.limit.map(|l| l.to_string())),
        ("cursor", input.cursor.clone()),
    ]);
    let mut response = reply!(UserListResponse, t, now, "get", "/users", params: params, count: page.len() as i64, entities: users_of(&page));
    response.cursor = cursor;
    Ok(response)
}

pub(super) fn delete_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DeleteUserInput,
) -> Res<m::UserEntitiesResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.delete_user(&input.username)?;
    Ok(reply!(UserEntitiesResponse, t, now, "delete", "/users", entities: vec![user_model(&user)]))
}

pub(super) fn delete_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DeleteUsersInput,
) -> Res<m::UserListResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let limit = input.limit.unwrap_or(10).clamp(1, 100);
    let (deleted, cursor) = t.delete_users(limit as usize, input.cursor.as_deref())?;
    let params = params(&[
        ("limit", input.limit.map(|l| l.to_string())),
        ("cursor", input.cursor.clone()),
    ]);
    let mut response = reply!(UserListResponse, t, now, "delete", "/users", params: params, count: deleted.len() as i64, entities: users_of(&deleted));
    response.cursor = cursor;
    Ok(response)
}

pub(super) fn set_user_password(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::SetUserPasswordInput,
) -> Res<m::ResponseEnvelope> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.set_password(&input.username, &input.body.newpassword, now)?;
    Ok(reply!(
        ResponseEnvelope,
        t,
        now,
        "set user password",
        "/users"
    ))
}

fn status(online: bool) -> m::UserOnlineStatus {
    if online {
        m::UserOnlineStatus::Online
    } else {
        m::UserOnlineStatus::Offline
    }
}

pub(super) fn get_user_status(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetUserStatusInput,
) -> Res<m::GetUserStatusResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let user = t.user(&input.username)?;
    let data = BTreeMap::from([(user.username.clone(), status(t.is_online(&user.username)))]);
    Ok(
        reply!(GetUserStatusResponse, t, now, "get", "/users", entities: Vec::new(), data: data, count: 0),
    )
}

pub(super) fn get_users_status(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetUsersStatusInput,
) -> Res<m::GetUsersStatusResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    // Unknown ids are reported offline (account_system.md).
    let data = input
        .body
        .usernames
        .iter()
        .map(|u| BTreeMap::from([(u.clone(), status(t.is_online(u)))]))
        .collect();
    Ok(
        reply!(GetUsersStatusResponse, t, now, "get batch user status", "/users/batch/status", data: data),
    )
}

pub(super) fn list_user_online_devices(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListUserOnlineDevicesInput,
) -> Res<m::ListUserOnlineDevicesResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let devices = t
        .online_devices(&input.username)?
        .into_iter()
        .map(|res| {
            let device_name = res.split('_').next().unwrap_or_default().to_owned();
            m::UserDevice {
                device_uuid: Some(res.clone()),
                device_name: Some(device_name),
                res: Some(res),
            }
        })
        .collect();
    Ok(
        reply!(ListUserOnlineDevicesResponse, t, now, "get", "/users/resources", entities: Vec::new(), data: devices),
    )
}

pub(super) fn disconnect_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DisconnectUserInput,
) -> Res<m::DisconnectUserResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.disconnect(&input.username, now)?;
    Ok(
        reply!(DisconnectUserResponse, t, now, "get", "/users/disconnect", entities: Vec::new(), data: m::UserDisconnectResult { result: Some(true) }, count: 0),
    )
}

pub(super) fn deactivate_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DeactivateUserInput,
) -> Res<m::UserEntitiesResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.set_activated(&input.username, false, now)?;
    t.disconnect(&input.username, now)?;
    Ok(
        reply!(UserEntitiesResponse, t, now, "Deactivate user", "/users", entities: vec![user_model(&user)]),
    )
}

pub(super) fn activate_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ActivateUserInput,
) -> Res<m::ResponseEnvelope> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.set_activated(&input.username, true, now)?;
    Ok(reply!(ResponseEnvelope, t, now, "activate user", "/users"))
}

pub(super) fn get_user_offline_message_count(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetUserOfflineMessageCountInput,
) -> Res<m::GetUserOfflineMessageCountResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let user = t.user(&input.owner_username)?;
    // Nobody is connected to the mock, so nothing is waiting to be delivered on login.
    let data = BTreeMap::from([(user.username.clone(), 0)]);
    Ok(
        reply!(GetUserOfflineMessageCountResponse, t, now, "get", "/users/offline_msg_count", entities: Vec::new(), data: data, count: 0),
    )
}

pub(super) fn set_push_nickname(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::SetPushNicknameInput,
) -> Res<m::PushUserProfileResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.set_nickname(
        &input.username,
        input.body.nickname.as_deref().unwrap_or_default(),
        now,
    )?;
    let profile = m::PushUserProfile {
        uuid: Some(user.uuid.clone()),
        type_: Some("user".into()),
        created: Some(user.created),
        modified: Some(user.modified),
        username: Some(user.username.clone()),
        activated: Some(user.activated),
        nickname: user.nickname.clone(),
        ..Default::default()
    };
    Ok(reply!(PushUserProfileResponse, t, now, "put", "/users", entities: vec![profile]))
}

fn mute_settings(
    chat: Option<i64>,
    groupchat: Option<i64>,
    chatroom: Option<i64>,
) -> [(GlobalMuteKind, Option<i64>); 3] {
    [
        (GlobalMuteKind::Chat, chat),
        (GlobalMuteKind::GroupChat, groupchat),
        (GlobalMuteKind::ChatRoom, chatroom),
    ]
}

pub(super) fn set_user_global_mute(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::SetUserGlobalMuteInput,
) -> Res<m::SetUserGlobalMuteResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let b = input.body;
    t.set_global_mute(
        &b.username,
        mute_settings(b.chat, b.groupchat, b.chatroom),
        now,
    )?;
    Ok(
        reply!(SetUserGlobalMuteResponse, t, now, "post", "/mutes", data: m::UserMuteResult { result: Some("ok".into()) }),
    )
}

pub(super) fn get_user_global_mute(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetUserGlobalMuteInput,
) -> Res<m::GetUserGlobalMuteResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let [(_, chat), (_, groupchat), (_, chatroom)] = t.global_mute(&input.username, now)?;
    let data = m::UserGlobalMuteStatus {
        userid: Some(format!(
            "{}#{}_{}",
            t.org,
            t.app,
            super::super::store::user_key(&input.username)
        )),
        chat: Some(chat),
        groupchat: Some(groupchat),
        chatroom: Some(chatroom),
        unix_time: Some(now / 1000),
    };
    Ok(reply!(GetUserGlobalMuteResponse, t, now, "get", "/mutes", data: data))
}

pub(super) fn list_globally_muted_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListGloballyMutedUsersInput,
) -> Res<m::ListGloballyMutedUsersResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let entries: Vec<m::UserGlobalMuteEntry> = t
        .global_mutes(now)
        .into_iter()
        .map(|(username, kind, left)| {
            let mut entry = m::UserGlobalMuteEntry {
                username: Some(username),
                ..Default::default()
            };
            match kind {
                GlobalMuteKind::Chat => entry.chat = Some(left),
                GlobalMuteKind::GroupChat => entry.groupchat = Some(left),
                GlobalMuteKind::ChatRoom => entry.chatroom = Some(left),
            }
            entry
        })
        .collect();
    let page = numbered_page(&entries, input.page_num, input.page_size, 10);
    let data = m::UserGlobalMutePage {
        data: Some(page),
        unix_time: Some(now / 1000),
    };
    Ok(reply!(ListGloballyMutedUsersResponse, t, now, "get", "/mutes", data: data))
}

pub(super) fn add_contact(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddContactInput,
) -> Res<m::ContactEntitiesResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let friend = t.add_contact(&input.owner_username, &input.friend_username)?;
    s.emit(
        &t,
        now,
        Event::Roster {
            name: "roster_add",
            from: &user_key(&input.owner_username),
            to: &friend.username,
        },
    );
    Ok(
        reply!(ContactEntitiesResponse, t, now, "post", "/users/contacts", entities: vec![user_model(&friend)]),
    )
}

pub(super) fn remove_contact(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveContactInput,
) -> Res<m::ContactEntitiesResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let friend = t.remove_contact(&input.owner_username, &input.friend_username)?;
    s.emit(
        &t,
        now,
        Event::Roster {
            name: "roster_remove",
            from: &user_key(&input.owner_username),
            to: &friend.username,
        },
    );
    Ok(
        reply!(ContactEntitiesResponse, t, now, "delete", "/users/contacts", entities: vec![user_model(&friend)]),
    )
}

pub(super) fn set_contact_remark(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::SetContactRemarkInput,
) -> Res<m::SetContactRemarkResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.set_contact_remark(
        &input.owner_username,
        &input.friend_username,
        &input.body.remark,
    )?;
    Ok(reply!(SetContactRemarkResponse, t, now, "put", "/user/contacts", status: "ok".to_owned()))
}

pub(super) fn list_contacts(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListContactsInput,
) -> Res<m::ListContactsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let limit = input.limit.unwrap_or(10).clamp(1, 50) as usize;
    let (page, cursor) = t.list_contacts(&input.username, limit, input.cursor.as_deref())?;
    let with_remark = input.need_return_remark.unwrap_or(false);
    let count = page.len() as i64;
    let contacts = page
        .into_iter()
        .map(|c| m::ContactEntry {
            username: Some(c.username),
            remark: if with_remark { c.remark } else { None },
        })
        .collect();
    let data = m::ContactPage {
        contacts: Some(contacts),
        cursor,
    };
    Ok(
        reply!(ListContactsResponse, t, now, "get", "/user/contacts", entities: Vec::new(), count: count, data: data),
    )
}

pub(super) fn list_all_contacts(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListAllContactsInput,
) -> Res<m::ListAllContactsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let friends: Vec<String> = t
        .user(&input.owner_username)?
        .contacts
        .iter()
        .map(|c| c.username.clone())
        .collect();
    Ok(
        reply!(ListAllContactsResponse, t, now, "get", "/users/contacts/users", entities: Vec::new(), count: friends.len() as i64, data: friends),
    )
}

pub(super) fn block_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::BlockUsersInput,
) -> Res<m::BlockUsersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let added = t.block_users(&input.owner_username, &input.body.usernames)?;
    Ok(
        reply!(BlockUsersResponse, t, now, "post", "/users/blocks/users", entities: Vec::new(), data: added),
    )
}

pub(super) fn list_blocked_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListBlockedUsersInput,
) -> Res<m::ListBlockedUsersResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let (blocked, cursor) = t.list_blocked(
        &input.owner_username,
        input.page_size,
        input.cursor.as_deref(),
    )?;
    let mut response = reply!(ListBlockedUsersResponse, t, now, "get", "/users/blocks/users", entities: Vec::new(), count: blocked.len() as i64, data: blocked);
    response.cursor = cursor;
    Ok(response)
}

pub(super) fn unblock_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UnblockUserInput,
) -> Res<m::ContactEntitiesResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.unblock_user(&input.owner_username, &input.blocked_username)?;
    Ok(
        reply!(ContactEntitiesResponse, t, now, "delete", "/users/blocks", entities: vec![user_model(&user)]),
    )
}

pub(super) fn set_user_metadata(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::SetUserMetadataInput,
) -> Res<m::MetadataUserResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let data = t.set_user_metadata(&input.username, &input.body)?;
    Ok(reply!(MetadataUserResponse, t, now, "put", "/metadata/user", data: data))
}

pub(super) fn get_user_metadata(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetUserMetadataInput,
) -> Res<m::MetadataUserResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    t.user(&input.username)?;
    let data = t.user_metadata(&input.username);
    Ok(reply!(MetadataUserResponse, t, now, "get", "/metadata/user", data: data))
}

pub(super) fn batch_get_user_metadata(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::BatchGetUserMetadataInput,
) -> Res<m::MetadataUsersResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let b = input.body;
    if b.targets.len() > 100 {
        return Err(super::super::store::illegal(
            "at most 100 targets per request",
        ));
    }
    // Users without the attributes asked for are left out (userprofile.md: "{}" for none).
    let data = b
        .targets
        .iter()
        .filter_map(|target| {
            let values: BTreeMap<String, String> = t
                .user_metadata(target)
                .into_iter()
                .filter(|(k, _)| b.properties.contains(k))
                .collect();
            (!values.is_empty()).then(|| (target.clone(), values))
        })
        .collect();
    Ok(reply!(MetadataUsersResponse, t, now, "post", "/metadata/user/get", data: data))
}

pub(super) fn get_metadata_capacity(
    s: &MockServer,
    ctx: &RequestContext,
    _input: i::GetMetadataCapacityInput,
) -> Res<m::MetadataCapacityResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    Ok(
        reply!(MetadataCapacityResponse, t, now, "get", "/metadata/user/capacity", data: t.metadata_bytes() as i64),
    )
}

pub(super) fn delete_user_metadata(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DeleteUserMetadataInput,
) -> Res<m::MetadataDeleteResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.delete_user_metadata(&input.username)?;
    Ok(reply!(MetadataDeleteResponse, t, now, "delete", "/metadata/user", data: true))
}

pub(super) fn set_presence_status(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::SetPresenceStatusInput,
) -> Res<m::PresenceResultResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.set_presence(
        &input.username,
        &input.resource,
        &input.status,
        &input.body.ext,
        now,
    )?;
    Ok(m::PresenceResultResponse {
        result: Some("ok".into()),
    })
}

pub(super) fn subscribe_presence(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::SubscribePresenceInput,
) -> Res<m::PresenceSubscribeResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let result = t
        .subscribe_presence(&input.username, &input.body.usernames, input.expiry, now)?
        .into_iter()
        .map(
            |((uid, last_time, ext, status), expiry)| m::PresenceSubscribedUser {
                uid: Some(uid),
                last_time: Some(last_time.to_string()),
                expiry: Some(expiry.to_string()),
                ext: Some(ext),
                status: Some(status),
            },
        )
        .collect();
    Ok(m::PresenceSubscribeResponse {
        result: Some(result),
    })
}

pub(super) fn get_presence_statuses(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetPresenceStatusesInput,
) -> Res<m::PresenceStatusesResponse> {
    let Ctx(t, _) = s.ctx(ctx)?;
    let result = t
        .presence_statuses(&input.username, &input.body.usernames)?
        .into_iter()
        .map(|(uid, last_time, ext, status)| m::PresenceUserStatus {
            uid: Some(uid),
            last_time: Some(last_time.to_string()),
            ext: Some(ext),
            status: Some(status),
        })
        .collect();
    Ok(m::PresenceStatusesResponse {
        result: Some(result),
    })
}

pub(super) fn get_group_online_count(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetGroupOnlineCountInput,
) -> Res<m::PresenceOnlineCountResponse> {
    let Ctx(t, _) = s.ctx(ctx)?;
    Ok(m::PresenceOnlineCountResponse {
        result: Some(t.group_online_count(&input.group_id)? as i64),
    })
}

pub(super) fn unsubscribe_presence(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UnsubscribePresenceInput,
) -> Res<m::PresenceResultResponse> {
    let Ctx(mut t, _) = s.ctx(ctx)?;
    t.unsubscribe_presence(&input.username, &input.body)?;
    Ok(m::PresenceResultResponse {
        result: Some("ok".into()),
    })
}

pub(super) fn list_presence_subscriptions(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListPresenceSubscriptionsInput,
) -> Res<m::PresenceSubscriptionListResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let all = t.presence_subscriptions(&input.username, now)?;
    let page = numbered_page(&all, Some(input.page_num), Some(input.page_size), 100);
    let sublist = page
        .into_iter()
        .map(|(uid, expiry)| m::PresenceSubscription {
            uid: Some(uid),
            expiry: Some(expiry.to_string()),
        })
        .collect();
    Ok(m::PresenceSubscriptionListResponse {
        result: Some(m::PresenceSubscriptionPage {
            total_num: Some(all.len().to_string()),
            sublist: Some(sublist),
        }),
    })
}
