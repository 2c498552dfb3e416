//! Chat rooms and super admins.

use std::collections::BTreeMap;

use crate::models as m;
use crate::server::inputs as i;
use crate::server::RequestContext;

use super::super::callbacks::Event;
use super::super::store::{forbidden, numbered_page, offset_page, Res, RoomSettings, Roster, UserOutcome};
use super::super::MockServer;
use super::{reply, Ctx};

fn user_result(
    room_id: &str,
    action: &str,
    (user, outcome): UserOutcome,
) -> m::ChatroomUserListResult {
    m::ChatroomUserListResult {
        result: Some(outcome.is_ok()),
        action: Some(action.to_owned()),
        reason: outcome.err(),
        user: Some(user),
        chatroom_id: Some(room_id.to_owned()),
    }
}

fn user_results(
    room_id: &str,
    action: &str,
    outcomes: Vec<UserOutcome>,
) -> Vec<m::ChatroomUserListResult> {
    outcomes
        .into_iter()
        .map(|o| user_result(room_id, action, o))
        .collect()
}

fn member_result(
    room_id: &str,
    action: &str,
    (user, outcome): UserOutcome,
) -> m::ChatroomMemberResult {
    m::ChatroomMemberResult {
        result: Some(outcome.is_ok()),
        action: Some(action.to_owned()),
        reason: outcome.err(),
        id: Some(room_id.to_owned()),
        user: Some(user),
    }
}

fn affiliations(roster: &Roster) -> Vec<m::ChatroomAffiliation> {
    roster
        .affiliations()
        .into_iter()
        .map(|(owner, user)| {
            if owner {
                m::ChatroomAffiliation {
                    owner: Some(user),
                    member: None,
                }
            } else {
                m::ChatroomAffiliation {
                    owner: None,
                    member: Some(user),
                }
            }
        })
        .collect()
}

fn page_params(page_num: Option<i64>, page_size: Option<i64>) -> m::ChatroomPageParams {
    m::ChatroomPageParams {
        page_size: page_size.map(|n| vec![n.to_string()]),
        page_num: page_num.map(|n| vec![n.to_string()]),
    }
}

pub(super) fn add_chatroom_super_admin(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddChatroomSuperAdminInput,
) -> Res<m::AddChatroomSuperAdminResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.add_super_admin(&input.body.superadmin)?;
    let data = m::ChatroomSuperAdminAddResult {
        result: Some("success".into()),
        resource: Some(String::new()),
        properties: None,
    };
    Ok(
        reply!(AddChatroomSuperAdminResponse, t, now, "post", "/chatrooms/super_admin", entities: Vec::new(), data: data),
    )
}

pub(super) fn list_chatroom_super_admins(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListChatroomSuperAdminsInput,
) -> Res<m::ListChatroomSuperAdminsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let page = numbered_page(&t.super_admins, input.page_num, input.page_size, 10);
    let params = page_params(input.page_num, input.page_size);
    Ok(
        reply!(ListChatroomSuperAdminsResponse, t, now, "get", "/chatrooms/super_admin", entities: Vec::new(), count: page.len() as i64, data: page, params: params),
    )
}

pub(super) fn remove_chatroom_super_admin(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveChatroomSuperAdminInput,
) -> Res<m::RemoveChatroomSuperAdminResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.remove_super_admin(&input.super_admin)?;
    let data = m::ChatroomSuperAdminRemoveResult {
        new_super_admin: Some(user),
        resource: Some(String::new()),
    };
    Ok(
        reply!(RemoveChatroomSuperAdminResponse, t, now, "delete", "/chatrooms/super_admin", entities: Vec::new(), data: data, properties: serde_json::json!({})),
    )
}

pub(super) fn list_chatrooms(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListChatroomsInput,
) -> Res<m::ListChatroomsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let limit = input.limit.unwrap_or(10).clamp(1, 100) as usize;
    let (page, cursor) = t.list_rooms(limit, input.cursor.as_deref())?;
    let data: Vec<m::ChatroomSummary> = page
        .into_iter()
        .map(|r| m::ChatroomSummary {
            affiliations_count: Some(r.roster.member_count() as i64),
            id: Some(r.id),
            name: Some(r.name),
            owner: Some(r.roster.owner),
        })
        .collect();
    let mut response = reply!(ListChatroomsResponse, t, now, "get", "/chatrooms", entities: Vec::new(), count: data.len() as i64, data: data);
    response.cursor = cursor;
    Ok(response)
}

pub(super) fn list_user_joined_chatrooms(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListUserJoinedChatroomsInput,
) -> Res<m::ListUserJoinedChatroomsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let rooms = t.user_rooms(&input.username)?;
    // Without paging, the 500 most recent (chatroom.md).
    let page = if input.page_num.is_none() && input.page_size.is_none() {
        rooms.into_iter().take(500).collect()
    } else {
        numbered_page(&rooms, input.page_num, input.page_size, 1000)
    };
    let data: Vec<m::ChatroomJoined> = page
        .into_iter()
        .map(|r| m::ChatroomJoined {
            id: Some(r.id),
            name: Some(r.name),
            disabled: Some("false".into()),
        })
        .collect();
    let params = page_params(input.page_num, input.page_size);
    Ok(
        reply!(ListUserJoinedChatroomsResponse, t, now, "get", "/users/joined_chatrooms", entities: Vec::new(), count: data.len() as i64, data: data, params: params, properties: serde_json::json!({})),
    )
}

pub(super) fn get_chatrooms(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetChatroomsInput,
) -> Res<m::GetChatroomsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    if input.chatroom_ids.len() > 100 {
        return Err(super::super::store::illegal(
            "at most 100 chat room ids per request",
        ));
    }
    let mut data = Vec::new();
    for id in &input.chatroom_ids {
        let r = t.room(id)?;
        data.push(m::ChatroomDetail {
            id: Some(r.id.clone()),
            name: Some(r.name.clone()),
            description: Some(r.description.clone()),
            members_only: Some(false),
            allow_invites: Some(false),
            max_users: Some(r.roster.max_members),
            owner: Some(r.roster.owner.clone()),
            created: Some(r.created),
            custom: Some(r.custom.clone()),
            affiliations_count: Some(r.roster.member_count() as i64),
            affiliations: Some(affiliations(&r.roster)),
            public: Some(true),
        });
    }
    Ok(
        reply!(GetChatroomsResponse, t, now, "get", "/chatrooms", entities: Vec::new(), count: data.len() as i64, data: data),
    )
}

pub(super) fn create_chatroom(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::CreateChatroomInput,
) -> Res<m::CreateChatroomResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let b = input.body;
    let settings = RoomSettings {
        name: b.name,
        description: b.description,
        max_users: b.max_users,
        custom: b.custom,
    };
    let id = t.create_room(settings, &b.owner, &b.members.unwrap_or_default(), now)?;
    Ok(
        reply!(CreateChatroomResponse, t, now, "post", "/chatrooms", entities: Vec::new(), data: m::ChatroomId { id: Some(id) }),
    )
}

pub(super) fn update_chatroom(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UpdateChatroomInput,
) -> Res<m::UpdateChatroomResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let b = input.body;
    t.update_room(&input.chatroom_id, &b.name, &b.description, b.max_users)?;
    let data = m::ChatroomUpdateResult {
        group_name: Some(true),
        description: Some(true),
        max_users: Some(true),
    };
    Ok(
        reply!(UpdateChatroomResponse, t, now, "put", "/chatrooms", entities: Vec::new(), data: data),
    )
}

pub(super) fn delete_chatroom(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DeleteChatroomInput,
) -> Res<m::DeleteChatroomResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let room = t.delete_room(&input.chatroom_id)?;
    s.emit(
        &t,
        now,
        Event::Muc {
            name: "muc_destroy",
            is_chatroom: true,
            id: &room.id,
            from: "admin",
            to: "admin",
        },
    );
    Ok(
        reply!(DeleteChatroomResponse, t, now, "delete", "/chatrooms", entities: Vec::new(), data: m::ChatroomDeleteResult { success: Some(true), id: Some(room.id) }),
    )
}

pub(super) fn get_chatroom_announcement(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetChatroomAnnouncementInput,
) -> Res<m::GetChatroomAnnouncementResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let text = t.room(&input.chatroom_id)?.announcement.clone();
    Ok(
        reply!(GetChatroomAnnouncementResponse, t, now, "get", "/chatrooms/announcement", entities: Vec::new(), data: m::ChatroomAnnouncement { announcement: Some(text) }),
    )
}

pub(super) fn update_chatroom_announcement(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UpdateChatroomAnnouncementInput,
) -> Res<m::UpdateChatroomAnnouncementResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.set_room_announcement(&input.chatroom_id, &input.body.announcement)?;
    let data = m::ChatroomAnnouncementResult {
        id: Some(input.chatroom_id),
        result: Some(true),
    };
    Ok(
        reply!(UpdateChatroomAnnouncementResponse, t, now, "post", "/chatrooms/announcement", entities: Vec::new(), data: data),
    )
}

fn metadata_result(outcomes: Vec<(String, Result<(), String>)>) -> m::ChatroomMetadataResult {
    let mut success = Vec::new();
    let mut errors = BTreeMap::new();
    for (key, outcome) in outcomes {
        match outcome {
            Ok(()) => success.push(key),
            Err(reason) => {
                errors.insert(key, reason);
            }
        }
    }
    m::ChatroomMetadataResult {
        success_keys: Some(success),
        error_keys: Some(errors),
    }
}

fn set_metadata(
    s: &MockServer,
    ctx: &RequestContext,
    room: &str,
    user: &str,
    body: m::ChatroomMetadataSetRequest,
    force: bool,
) -> Res<m::ChatroomMetadataResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let auto_delete = !matches!(
        body.auto_delete,
        Some(m::ChatroomMetadataAutoDelete::NoDelete)
    );
    let outcomes = t.set_room_metadata(room, user, &body.meta_data, auto_delete, force)?;
    Ok(
        reply!(ChatroomMetadataResponse, t, now, "put", "/metadata/chatroom", entities: Vec::new(), data: metadata_result(outcomes)),
    )
}

fn delete_metadata(
    s: &MockServer,
    ctx: &RequestContext,
    room: &str,
    user: &str,
    body: m::ChatroomMetadataDeleteRequest,
    force: bool,
) -> Res<m::ChatroomMetadataResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let outcomes = t.delete_room_metadata(room, user, &body.keys.unwrap_or_default(), force)?;
    Ok(
        reply!(ChatroomMetadataResponse, t, now, "delete", "/metadata/chatroom", entities: Vec::new(), data: metadata_result(outcomes)),
    )
}

pub(super) fn set_chatroom_metadata(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::SetChatroomMetadataInput,
) -> Res<m::ChatroomMetadataResponse> {
    set_metadata(
        s,
        ctx,
        &input.chatroom_id,
        &input.username,
        input.body,
        false,
    )
}

pub(super) fn force_set_chatroom_metadata(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ForceSetChatroomMetadataInput,
) -> Res<m::ChatroomMetadataResponse> {
    set_metadata(
        s,
        ctx,
        &input.chatroom_id,
        &input.username,
        input.body,
        true,
    )
}

pub(super) fn delete_chatroom_metadata(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DeleteChatroomMetadataInput,
) -> Res<m::ChatroomMetadataResponse> {
    delete_metadata(
        s,
        ctx,
        &input.chatroom_id,
        &input.username,
        input.body,
        false,
    )
}

pub(super) fn force_delete_chatroom_metadata(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ForceDeleteChatroomMetadataInput,
) -> Res<m::ChatroomMetadataResponse> {
    delete_metadata(
        s,
        ctx,
        &input.chatroom_id,
        &input.username,
        input.body,
        true,
    )
}

pub(super) fn get_chatroom_metadata(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetChatroomMetadataInput,
) -> Res<m::GetChatroomMetadataResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let data = t.room_metadata(&input.chatroom_id, &input.body.keys.unwrap_or_default())?;
    Ok(
        reply!(GetChatroomMetadataResponse, t, now, "post", "/metadata/chatroom", entities: Vec::new(), data: data),
    )
}

pub(super) fn list_chatroom_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListChatroomMembersInput,
) -> Res<m::ListChatroomMembersResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let all = affiliations(&t.room(&input.chatroom_id)?.roster);
    let page = numbered_page(&all, input.page_num, input.page_size, 1000);
    let params = page_params(input.page_num, input.page_size);
    Ok(
        reply!(ListChatroomMembersResponse, t, now, "get", "/chatrooms/users", entities: Vec::new(), count: page.len() as i64, data: page, params: params),
    )
}

/// The `version=v3` listing: owner first, then members; the next cursor is text.
pub(super) fn list_chatroom_member_ids(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListChatroomMemberIdsInput,
) -> Res<m::MemberIdsPage> {
    let Ctx(t, _now) = s.ctx(ctx)?;
    let ids: Vec<String> = t.room(&input.chatroom_id)?.roster.affiliations().into_iter().map(|(_, user)| user).collect();
    let (page, next) = offset_page(&ids, input.limit, input.cursor.as_deref())?;
    Ok(m::MemberIdsPage { data: Some(page), cursor: next.map(|n| serde_json::Value::from(n.to_string())) })
}

pub(super) fn add_chatroom_member(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddChatroomMemberInput,
) -> Res<m::AddChatroomMemberResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.add_room_member(&input.chatroom_id, &input.username)?;
    s.emit_joined(
        &t,
        now,
        &input.chatroom_id,
        true,
        std::slice::from_ref(&user),
    );
    let data = member_result(&input.chatroom_id, "add_member", (user, Ok(())));
    Ok(
        reply!(AddChatroomMemberResponse, t, now, "post", "/chatrooms/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn add_chatroom_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddChatroomMembersInput,
) -> Res<m::AddChatroomMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let added = t.add_room_members(&input.chatroom_id, &input.body.usernames)?;
    s.emit_joined(&t, now, &input.chatroom_id, true, &added);
    let data = m::ChatroomMembersAddResult {
        new_members: Some(added),
        action: Some("add_member".into()),
        id: Some(input.chatroom_id),
    };
    Ok(
        reply!(AddChatroomMembersResponse, t, now, "post", "/chatrooms/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn remove_chatroom_member(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveChatroomMemberInput,
) -> Res<m::RemoveChatroomMemberResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.remove_room_member(&input.chatroom_id, &input.username)?;
    s.emit_removed(&t, now, &input.chatroom_id, true, [&user]);
    let data = member_result(&input.chatroom_id, "remove_member", (user, Ok(())));
    Ok(
        reply!(RemoveChatroomMemberResponse, t, now, "delete", "/chatrooms/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn remove_chatroom_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveChatroomMembersInput,
) -> Res<m::RemoveChatroomMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let outcomes = t.remove_room_members(&input.chatroom_id, &input.usernames)?;
    s.emit_removed(
        &t,
        now,
        &input.chatroom_id,
        true,
        outcomes.iter().filter(|(_, o)| o.is_ok()).map(|(u, _)| u),
    );
    let data = outcomes
        .into_iter()
        .map(|o| member_result(&input.chatroom_id, "remove_member", o))
        .collect();
    Ok(
        reply!(RemoveChatroomMembersResponse, t, now, "delete", "/chatrooms/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn list_chatroom_admins(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListChatroomAdminsInput,
) -> Res<m::ListChatroomAdminsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let admins = t.room(&input.chatroom_id)?.roster.admins.clone();
    Ok(
        reply!(ListChatroomAdminsResponse, t, now, "get", "/chatrooms/admin", entities: Vec::new(), count: admins.len() as i64, data: admins),
    )
}

pub(super) fn add_chatroom_admin(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddChatroomAdminInput,
) -> Res<m::AddChatroomAdminResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.room_roster_op(&input.chatroom_id, &input.body.new_admin, |r, u| {
        r.add_admin(u)
    })?;
    let data = m::ChatroomAdminAddResult {
        result: Some("success".into()),
        new_admin: Some(user),
    };
    Ok(
        reply!(AddChatroomAdminResponse, t, now, "post", "/chatrooms/admin", entities: Vec::new(), data: data),
    )
}

pub(super) fn remove_chatroom_admin(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveChatroomAdminInput,
) -> Res<m::RemoveChatroomAdminResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.room_roster_op(&input.chatroom_id, &input.old_admin, |r, u| {
        r.remove_admin(u)
    })?;
    let data = m::ChatroomAdminRemoveResult {
        result: Some("success".into()),
        old_admin: Some(user),
    };
    Ok(
        reply!(RemoveChatroomAdminResponse, t, now, "delete", "/chatrooms/admin", entities: Vec::new(), data: data),
    )
}

pub(super) fn list_chatroom_blocked_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListChatroomBlockedUsersInput,
) -> Res<m::ListChatroomBlockedUsersResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let blocked = t.room(&input.chatroom_id)?.roster.blocked.clone();
    Ok(
        reply!(ListChatroomBlockedUsersResponse, t, now, "get", "/chatrooms/blocks/users", entities: Vec::new(), count: blocked.len() as i64, data: blocked),
    )
}

pub(super) fn block_chatroom_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::BlockChatroomUserInput,
) -> Res<m::BlockChatroomUserResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let mut outcomes =
        t.block_room_users(&input.chatroom_id, std::slice::from_ref(&input.username))?;
    let (user, outcome) = outcomes.remove(0);
    outcome.map_err(forbidden)?;
    let data = user_result(&input.chatroom_id, "add_blocks", (user, Ok(())));
    Ok(
        reply!(BlockChatroomUserResponse, t, now, "post", "/chatrooms/blocks/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn block_chatroom_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::BlockChatroomUsersInput,
) -> Res<m::BlockChatroomUsersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let data = user_results(
        &input.chatroom_id,
        "add_blocks",
        t.block_room_users(&input.chatroom_id, &input.body.usernames)?,
    );
    Ok(
        reply!(BlockChatroomUsersResponse, t, now, "post", "/chatrooms/blocks/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn unblock_chatroom_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UnblockChatroomUserInput,
) -> Res<m::UnblockChatroomUserResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.room_roster_op(&input.chatroom_id, &input.username, |r, u| r.unblock(u))?;
    let data = user_result(&input.chatroom_id, "remove_blocks", (user, Ok(())));
    Ok(
        reply!(UnblockChatroomUserResponse, t, now, "delete", "/chatrooms/blocks/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn unblock_chatroom_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UnblockChatroomUsersInput,
) -> Res<m::UnblockChatroomUsersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let data = user_results(
        &input.chatroom_id,
        "remove_blocks",
        t.room_roster_batch(&input.chatroom_id, &input.usernames, |r, u| r.unblock(u))?,
    );
    Ok(
        reply!(UnblockChatroomUsersResponse, t, now, "delete", "/chatrooms/blocks/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn list_chatroom_allowlist(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListChatroomAllowlistInput,
) -> Res<m::ListChatroomAllowlistResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let allowed = t.room(&input.chatroom_id)?.roster.allowed.clone();
    Ok(
        reply!(ListChatroomAllowlistResponse, t, now, "get", "/chatrooms/white/users", entities: Vec::new(), count: allowed.len() as i64, data: allowed),
    )
}

pub(super) fn add_chatroom_allowlist_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddChatroomAllowlistUserInput,
) -> Res<m::AddChatroomAllowlistUserResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.room_roster_op(&input.chatroom_id, &input.username, |r, u| r.allow(u))?;
    let data = user_result(&input.chatroom_id, "add_user_whitelist", (user, Ok(())));
    Ok(
        reply!(AddChatroomAllowlistUserResponse, t, now, "post", "/chatrooms/white/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn add_chatroom_allowlist_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddChatroomAllowlistUsersInput,
) -> Res<m::AddChatroomAllowlistUsersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let data = user_results(
        &input.chatroom_id,
        "add_user_whitelist",
        t.room_roster_batch(&input.chatroom_id, &input.body.usernames, |r, u| r.allow(u))?,
    );
    Ok(
        reply!(AddChatroomAllowlistUsersResponse, t, now, "post", "/chatrooms/white/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn remove_chatroom_allowlist_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveChatroomAllowlistUsersInput,
) -> Res<m::RemoveChatroomAllowlistUsersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let data = user_results(
        &input.chatroom_id,
        "remove_user_whitelist",
        t.room_roster_batch(&input.chatroom_id, &input.usernames, |r, u| r.disallow(u))?,
    );
    Ok(
        reply!(RemoveChatroomAllowlistUsersResponse, t, now, "delete", "/chatrooms/white/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn list_chatroom_muted_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListChatroomMutedMembersInput,
) -> Res<m::ListChatroomMutedMembersResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let data = t
        .room(&input.chatroom_id)?
        .roster
        .active_mutes(now)
        .into_iter()
        .map(|(user, expire)| m::ChatroomMute {
            result: None,
            expire: Some(expire),
            user: Some(user),
        })
        .collect();
    Ok(
        reply!(ListChatroomMutedMembersResponse, t, now, "get", "/chatrooms/mute", entities: Vec::new(), data: data),
    )
}

pub(super) fn mute_chatroom_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::MuteChatroomMembersInput,
) -> Res<m::MuteChatroomMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let b = input.body;
    let data = t
        .mute_room_members(&input.chatroom_id, &b.usernames, lasting_millis(b.mute_duration), now)?
        .into_iter()
        .map(|(user, outcome)| m::ChatroomMute {
            result: Some(outcome.is_ok()),
            expire: outcome.ok(),
            user: Some(user),
        })
        .collect();
    Ok(
        reply!(MuteChatroomMembersResponse, t, now, "post", "/chatrooms/mute", entities: Vec::new(), data: data),
    )
}

pub(super) fn mute_all_chatroom_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::MuteAllChatroomMembersInput,
) -> Res<m::MuteAllChatroomMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.room_mut(&input.chatroom_id)?.roster.mute_all = true;
    Ok(
        reply!(MuteAllChatroomMembersResponse, t, now, "put", "/chatrooms/ban", entities: Vec::new(), data: m::ChatroomMuteAllState { mute: Some(true) }),
    )
}

pub(super) fn unmute_chatroom_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UnmuteChatroomMembersInput,
) -> Res<m::UnmuteChatroomMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let data = t
        .room_roster_batch(&input.chatroom_id, &input.members, |r, u| r.unmute(u))?
        .into_iter()
        .map(|(user, outcome)| m::ChatroomUnmuteResult {
            result: Some(outcome.is_ok()),
            user: Some(user),
        })
        .collect();
    Ok(
        reply!(UnmuteChatroomMembersResponse, t, now, "delete", "/chatrooms/mute", entities: Vec::new(), data: data),
    )
}

pub(super) fn unmute_all_chatroom_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UnmuteAllChatroomMembersInput,
) -> Res<m::UnmuteAllChatroomMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.room_mut(&input.chatroom_id)?.roster.mute_all = false;
    Ok(
        reply!(UnmuteAllChatroomMembersResponse, t, now, "delete", "/chatrooms/ban", entities: Vec::new(), data: m::ChatroomMuteAllState { mute: Some(false) }),
    )
}

/// The store keeps mute lengths as the wire does: milliseconds, or -1 for good.
fn lasting_millis(lasting: crate::units::Lasting) -> i64 {
    match lasting {
        crate::units::Lasting::For(span) => i64::try_from(span.as_millis()).unwrap_or(i64::MAX),
        crate::units::Lasting::Forever => -1,
    }
}
