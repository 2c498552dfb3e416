//! Groups and threads.

use std::collections::BTreeMap;

use crate::models as m;
use crate::server::inputs as i;
use crate::server::{Binary, RequestContext};

use super::super::store::{
    numbered_page, offset_page, GroupChanges, GroupSettings, Res, Roster, Thread, UserOutcome,
};
use super::super::callbacks::Event;
use super::super::store::user_key;
use super::super::MockServer;
use super::{reply, Ctx};

fn user_result(
    group_id: &str,
    action: m::GroupMemberAction,
    (user, outcome): UserOutcome,
) -> m::GroupUserResult {
    m::GroupUserResult {
        result: Some(outcome.is_ok()),
        action: Some(action),
        reason: outcome.err(),
        user: Some(user),
        group_id: Some(group_id.to_owned()),
    }
}

fn user_results(
    group_id: &str,
    action: m::GroupMemberAction,
    outcomes: Vec<UserOutcome>,
) -> Vec<m::GroupUserResult> {
    outcomes
        .into_iter()
        .map(|o| user_result(group_id, action.clone(), o))
        .collect()
}

fn affiliations(roster: &Roster) -> Vec<m::GroupAffiliation> {
    roster
        .affiliations()
        .into_iter()
        .map(|(owner, user)| {
            if owner {
                m::GroupAffiliation {
                    owner: Some(user),
                    member: None,
                }
            } else {
                m::GroupAffiliation {
                    owner: None,
                    member: Some(user),
                }
            }
        })
        .collect()
}

pub(super) fn create_group(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::CreateGroupInput,
) -> Res<m::CreateGroupResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let b = input.body;
    let settings = GroupSettings {
        name: b.group_name,
        description: b.description,
        public: b.public.as_bool(),
        large: b.scale == Some(m::GroupScale::Large),
        max_users: b.max_users,
        allow_invites: b.allow_invites,
        members_only: b.members_only,
        invite_need_confirm: b.invite_need_confirm,
        custom: b.custom,
    };
    let members = b.members.unwrap_or_default();
    let id = t.create_group(settings, &b.owner, &members, now)?;
    let owner = user_key(&b.owner);
    s.emit(&t, now, Event::Muc { name: "muc_create", is_chatroom: false, id: &id, from: &owner, to: &owner });
    s.emit_joined(&t, now, &id, false, &members.iter().map(|m| user_key(m)).collect::<Vec<_>>());
    Ok(
        reply!(CreateGroupResponse, t, now, "post", "/chatgroups", entities: Vec::new(), data: m::GroupCreateResult { group_id: Some(id) }),
    )
}

pub(super) fn disable_group(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DisableGroupInput,
) -> Res<m::DisableGroupResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.set_group_disabled(&input.group_id, true)?;
    Ok(
        reply!(DisableGroupResponse, t, now, "post", "/chatgroups/disable", entities: Vec::new(), properties: BTreeMap::new(), data: m::GroupDisabledState { disabled: Some(true) }),
    )
}

pub(super) fn enable_group(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::EnableGroupInput,
) -> Res<m::EnableGroupResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.set_group_disabled(&input.group_id, false)?;
    Ok(
        reply!(EnableGroupResponse, t, now, "post", "/chatgroups/enable", entities: Vec::new(), properties: BTreeMap::new(), data: m::GroupDisabledState { disabled: Some(false) }),
    )
}

pub(super) fn update_group(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UpdateGroupInput,
) -> Res<m::UpdateGroupResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let b = input.body;
    let changes = GroupChanges {
        name: b.group_name,
        description: b.description,
        max_users: b.max_users,
        members_only: b.members_only,
        allow_invites: b.allow_invites,
        invite_need_confirm: b.invite_need_confirm,
        custom: b.custom,
        public: Some(b.public.as_bool()),
    };
    let set = t.update_group(&input.group_id, changes, now)?;
    let has = |name: &str| set.contains(&name).then_some(true);
    let data = m::GroupUpdateResult {
        description: has("description"),
        max_users: has("maxusers"),
        group_name: has("groupname"),
        members_only: has("membersonly"),
        public: has("public"),
        allow_invites: has("allowinvites"),
        invite_need_confirm: has("invite_need_confirm"),
        custom: has("custom"),
    };
    Ok(
        reply!(UpdateGroupResponse, t, now, "put", "/chatgroups", entities: Vec::new(), properties: BTreeMap::new(), data: data),
    )
}

pub(super) fn list_groups(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListGroupsInput,
) -> Res<m::ListGroupsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let limit = input.limit.unwrap_or(10).clamp(1, 1000) as usize;
    let (page, cursor) = t.list_groups(limit, input.cursor.as_deref())?;
    let data: Vec<m::GroupSummary> = page
        .iter()
        .map(|g| m::GroupSummary {
            owner: Some(format!("{}#{}_{}", t.org, t.app, g.roster.owner)),
            group_id: Some(g.id.clone()),
            affiliations: Some(g.roster.member_count() as i64),
            type_: Some("group".into()),
            last_modified: Some(g.modified.to_string()),
            group_name: Some(g.name.clone()),
        })
        .collect();
    let mut params = BTreeMap::new();
    if let Some(limit) = input.limit {
        params.insert("limit".to_owned(), vec![limit.to_string()]);
    }
    let mut response = reply!(ListGroupsResponse, t, now, "get", "/chatgroups", params: params, entities: Vec::new(), count: data.len() as i64, data: data);
    response.cursor = cursor;
    Ok(response)
}

pub(super) fn list_user_groups(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListUserGroupsInput,
) -> Res<m::ListUserGroupsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let groups = t.user_groups(&input.username)?;
    let total = groups.len() as i64;
    let page = numbered_page(&groups, input.page_num, input.page_size, 5);
    let entities = page
        .into_iter()
        .map(|g| m::GroupJoinedInfo {
            name: Some(g.name),
            owner: Some(g.roster.owner.clone()),
            id: Some(g.id.clone()),
            group_id: Some(g.id),
            description: Some(g.description),
            disabled: Some(g.disabled),
            public: Some(g.public),
            allow_invites: Some(g.allow_invites),
            members_only: Some(g.members_only),
            max_users: Some(g.roster.max_members),
            created: Some(g.created),
        })
        .collect();
    Ok(
        reply!(ListUserGroupsResponse, t, now, "get", "/chatgroups/user", total: total, entities: entities),
    )
}

pub(super) fn check_user_joined_group(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::CheckUserJoinedGroupInput,
) -> Res<m::CheckUserJoinedGroupResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let joined = t
        .group(&input.group_id)?
        .roster
        .is_member(&super::super::store::user_key(&input.username));
    Ok(
        reply!(CheckUserJoinedGroupResponse, t, now, "get", "/chatgroups/user/is_joined", data: joined),
    )
}

pub(super) fn get_groups(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetGroupsInput,
) -> Res<m::GetGroupsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    if input.group_ids.len() > 100 {
        return Err(super::super::store::illegal(
            "at most 100 group ids per request",
        ));
    }
    // The details of the groups that exist; 404 when none does.
    let found: Vec<_> = input
        .group_ids
        .iter()
        .filter_map(|id| t.group(id).ok())
        .collect();
    if found.is_empty() {
        t.group(input.group_ids.first().map_or("", String::as_str))?;
    }
    let data: Vec<m::GroupDetail> = found
        .into_iter()
        .map(|g| m::GroupDetail {
            id: Some(g.id.clone()),
            name: Some(g.name.clone()),
            description: Some(g.description.clone()),
            members_only: Some(g.members_only),
            allow_invites: Some(g.allow_invites),
            max_users: Some(g.roster.max_members),
            affiliations: Some(affiliations(&g.roster)),
            owner: Some(g.roster.owner.clone()),
            created: Some(g.created),
            affiliations_count: Some(g.roster.member_count() as i64),
            disabled: Some(g.disabled),
            mute: Some(g.roster.mute_all),
            public: Some(g.public),
            custom: Some(g.custom.clone()),
        })
        .collect();
    Ok(
        reply!(GetGroupsResponse, t, now, "get", "/chatgroups", count: data.len() as i64, data: data, entities: Vec::new(), properties: BTreeMap::new()),
    )
}

pub(super) fn delete_group(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DeleteGroupInput,
) -> Res<m::DeleteGroupResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let group = t.delete_group(&input.group_id)?;
    s.emit(&t, now, Event::Muc { name: "muc_destroy", is_chatroom: false, id: &group.id, from: "admin", to: "admin" });
    Ok(
        reply!(DeleteGroupResponse, t, now, "delete", "/chatgroups", entities: Vec::new(), data: m::GroupDeleteResult { success: Some(true), group_id: Some(group.id) }),
    )
}

pub(super) fn get_group_announcement(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetGroupAnnouncementInput,
) -> Res<m::GetGroupAnnouncementResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let text = t.group(&input.group_id)?.announcement.clone();
    Ok(
        reply!(GetGroupAnnouncementResponse, t, now, "get", "/chatgroups/announcement", entities: Vec::new(), data: m::GroupAnnouncement { announcement: Some(text) }),
    )
}

pub(super) fn update_group_announcement(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UpdateGroupAnnouncementInput,
) -> Res<m::UpdateGroupAnnouncementResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.set_group_announcement(&input.group_id, &input.body.announcement)?;
    let data = m::GroupAnnouncementUpdateResult {
        id: Some(input.group_id),
        result: Some(true),
    };
    Ok(
        reply!(UpdateGroupAnnouncementResponse, t, now, "post", "/chatgroups/announcement", entities: Vec::new(), data: data),
    )
}

pub(super) fn list_group_share_files(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListGroupShareFilesInput,
) -> Res<m::ListGroupShareFilesResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let files = &t.group(&input.group_id)?.files;
    let data = numbered_page(files, input.page_num, input.page_size, 1000)
        .into_iter()
        .map(|f| m::GroupShareFile {
            file_id: Some(f.id),
            file_name: Some(f.name),
            file_owner: Some(f.owner),
            file_size: Some(f.data.len() as i64),
            created: Some(f.created),
        })
        .collect();
    Ok(
        reply!(ListGroupShareFilesResponse, t, now, "get", "/chatgroups/share_files", entities: Vec::new(), data: data),
    )
}

pub(super) fn upload_group_share_file(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UploadGroupShareFileInput,
) -> Res<m::UploadGroupShareFileResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let file = input.body.file;
    let data = file.as_bytes().cloned().unwrap_or_default();
    let name = file.file_name().unwrap_or("file").to_owned();
    let stored = t.add_group_file(&input.group_id, &name, file.content_type(), data, now)?;
    let data = m::GroupShareFileUploadResult {
        file_url: Some(format!(
            "/{}/{}/chatgroups/{}/share_files/{}",
            t.org, t.app, input.group_id, stored.id
        )),
        group_id: Some(input.group_id),
        file_name: Some(stored.name),
        created: Some(stored.created),
        file_id: Some(stored.id),
        file_size: Some(stored.data.len() as i64),
    };
    Ok(
        reply!(UploadGroupShareFileResponse, t, now, "post", "/chatgroups/share_files", entities: Vec::new(), data: data),
    )
}

pub(super) fn download_group_share_file(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DownloadGroupShareFileInput,
) -> Res<Binary> {
    let Ctx(t, _) = s.ctx(ctx)?;
    let file = t.group_file(&input.group_id, &input.file_id)?;
    Ok(Binary {
        content_type: file.content_type.clone(),
        data: file.data.clone(),
    })
}

pub(super) fn delete_group_share_file(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DeleteGroupShareFileInput,
) -> Res<m::DeleteGroupShareFileResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.delete_group_file(&input.group_id, &input.file_id)?;
    let data = m::GroupShareFileDeleteResult {
        group_id: Some(input.group_id),
        file_id: Some(input.file_id),
        result: Some(true),
    };
    Ok(
        reply!(DeleteGroupShareFileResponse, t, now, "delete", "/chatgroups/share_files", entities: Vec::new(), data: data),
    )
}

fn page_params(page_num: Option<i64>, page_size: Option<i64>) -> BTreeMap<String, Vec<String>> {
    let mut params = BTreeMap::new();
    if let Some(n) = page_num {
        params.insert("pagenum".to_owned(), vec![n.to_string()]);
    }
    if let Some(n) = page_size {
        params.insert("pagesize".to_owned(), vec![n.to_string()]);
    }
    params
}

pub(super) fn list_group_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListGroupMembersInput,
) -> Res<m::ListGroupMembersResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let all = affiliations(&t.group(&input.group_id)?.roster);
    let page = numbered_page(&all, input.page_num, input.page_size, 1000);
    let params = page_params(input.page_num, input.page_size);
    Ok(
        reply!(ListGroupMembersResponse, t, now, "get", "/chatgroups/users", params: params, entities: Vec::new(), count: page.len() as i64, data: page),
    )
}

/// The `version=v3` listing: owner first, then members; the next cursor is a number, as
/// some servers send it (the chat-room listing sends text).
pub(super) fn list_group_member_ids(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListGroupMemberIdsInput,
) -> Res<m::MemberIdsPage> {
    let Ctx(t, _now) = s.ctx(ctx)?;
    let ids: Vec<String> = t.group(&input.group_id)?.roster.affiliations().into_iter().map(|(_, user)| user).collect();
    let (page, next) = offset_page(&ids, input.limit, input.cursor.as_deref())?;
    Ok(m::MemberIdsPage { data: Some(page), cursor: next.map(serde_json::Value::from) })
}

pub(super) fn add_group_member(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddGroupMemberInput,
) -> Res<m::AddGroupMemberResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.add_group_member(&input.group_id, &input.username)?;
    s.emit_joined(&t, now, &input.group_id, false, std::slice::from_ref(&user));
    let data = user_result(
        &input.group_id,
        m::GroupMemberAction::AddMember,
        (user, Ok(())),
    );
    Ok(
        reply!(AddGroupMemberResponse, t, now, "post", "/chatgroups/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn add_group_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddGroupMembersInput,
) -> Res<m::AddGroupMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let added = t.add_group_members(&input.group_id, &input.body.usernames)?;
    s.emit_joined(&t, now, &input.group_id, false, &added);
    let data = m::GroupMembersAddResult {
        new_members: Some(added),
        group_id: Some(input.group_id),
        action: Some(m::GroupMemberAction::AddMember),
    };
    Ok(
        reply!(AddGroupMembersResponse, t, now, "post", "/chatgroups/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn remove_group_member(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveGroupMemberInput,
) -> Res<m::RemoveGroupMemberResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.remove_group_member(&input.group_id, &input.username)?;
    s.emit_removed(&t, now, &input.group_id, false, [&user]);
    let data = user_result(
        &input.group_id,
        m::GroupMemberAction::RemoveMember,
        (user, Ok(())),
    );
    Ok(
        reply!(RemoveGroupMemberResponse, t, now, "delete", "/chatgroups/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn remove_group_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveGroupMembersInput,
) -> Res<m::RemoveGroupMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let outcomes = t.remove_group_members(&input.group_id, &input.members)?;
    s.emit_removed(&t, now, &input.group_id, false, outcomes.iter().filter(|(_, o)| o.is_ok()).map(|(u, _)| u));
    let data = user_results(
        &input.group_id,
        m::GroupMemberAction::RemoveMember,
        outcomes,
    );
    Ok(
        reply!(RemoveGroupMembersResponse, t, now, "delete", "/chatgroups/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn set_group_member_attributes(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::SetGroupMemberAttributesInput,
) -> Res<m::SetGroupMemberAttributesResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let data =
        t.set_group_member_attributes(&input.group_id, &input.username, &input.body.meta_data)?;
    Ok(reply!(SetGroupMemberAttributesResponse, t, now, "put", "/metadata/chatgroup", data: data))
}

pub(super) fn get_group_member_attributes(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::GetGroupMemberAttributesInput,
) -> Res<m::GetGroupMemberAttributesResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let data = t.group_member_attributes(&input.group_id, &input.username)?;
    Ok(reply!(GetGroupMemberAttributesResponse, t, now, "get", "/metadata/chatgroup", data: data))
}

pub(super) fn batch_get_group_member_attributes(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::BatchGetGroupMemberAttributesInput,
) -> Res<m::BatchGetGroupMemberAttributesResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let b = input.body;
    let mut data = BTreeMap::new();
    for target in &b.targets {
        let values: BTreeMap<String, String> = t
            .group_member_attributes(&input.group_id, target)?
            .into_iter()
            .filter(|(k, _)| b.properties.is_empty() || b.properties.contains(k))
            .collect();
        data.insert(target.clone(), values);
    }
    Ok(
        reply!(BatchGetGroupMemberAttributesResponse, t, now, "post", "/metadata/chatgroup/get", data: data),
    )
}

pub(super) fn list_group_admins(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListGroupAdminsInput,
) -> Res<m::ListGroupAdminsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let admins = t.group(&input.group_id)?.roster.admins.clone();
    Ok(
        reply!(ListGroupAdminsResponse, t, now, "get", "/chatgroups/admin", entities: Vec::new(), count: admins.len() as i64, data: admins),
    )
}

pub(super) fn add_group_admin(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddGroupAdminInput,
) -> Res<m::AddGroupAdminResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.group_roster_op(&input.group_id, &input.body.new_admin, |r, u| r.add_admin(u))?;
    let data = m::GroupAdminAddResult {
        result: Some(m::GroupAdminOutcome::Success),
        new_admin: Some(user),
    };
    Ok(
        reply!(AddGroupAdminResponse, t, now, "post", "/chatgroups/admin", entities: Vec::new(), properties: BTreeMap::new(), data: data),
    )
}

pub(super) fn remove_group_admin(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveGroupAdminInput,
) -> Res<m::RemoveGroupAdminResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.group_roster_op(&input.group_id, &input.username, |r, u| r.remove_admin(u))?;
    let data = m::GroupAdminRemoveResult {
        result: Some(m::GroupAdminOutcome::Success),
        old_admin: Some(user),
    };
    Ok(
        reply!(RemoveGroupAdminResponse, t, now, "delete", "/chatgroups/admin", entities: Vec::new(), data: data),
    )
}

pub(super) fn transfer_group_owner(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::TransferGroupOwnerInput,
) -> Res<m::TransferGroupOwnerResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.group_roster_op(&input.group_id, &input.body.new_owner, |r, u| r.transfer(u))?;
    Ok(
        reply!(TransferGroupOwnerResponse, t, now, "put", "/chatgroups", entities: Vec::new(), data: m::GroupOwnerTransferResult { new_owner: Some(true) }),
    )
}

pub(super) fn list_group_blocked_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListGroupBlockedUsersInput,
) -> Res<m::ListGroupBlockedUsersResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let blocked = t.group(&input.group_id)?.roster.blocked.clone();
    Ok(
        reply!(ListGroupBlockedUsersResponse, t, now, "get", "/chatgroups/blocks/users", entities: Vec::new(), count: blocked.len() as i64, data: blocked),
    )
}

pub(super) fn add_group_blocked_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddGroupBlockedUserInput,
) -> Res<m::AddGroupBlockedUserResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let mut outcomes =
        t.block_group_users(&input.group_id, std::slice::from_ref(&input.username))?;
    let (user, outcome) = outcomes.remove(0);
    outcome.map_err(super::super::store::forbidden)?;
    let data = user_result(
        &input.group_id,
        m::GroupMemberAction::AddBlocks,
        (user, Ok(())),
    );
    Ok(
        reply!(AddGroupBlockedUserResponse, t, now, "post", "/chatgroups/blocks/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn add_group_blocked_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddGroupBlockedUsersInput,
) -> Res<m::AddGroupBlockedUsersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let outcomes = t.block_group_users(&input.group_id, &input.body.usernames)?;
    let data = user_results(&input.group_id, m::GroupMemberAction::AddBlocks, outcomes);
    Ok(
        reply!(AddGroupBlockedUsersResponse, t, now, "post", "/chatgroups/blocks/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn remove_group_blocked_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveGroupBlockedUserInput,
) -> Res<m::RemoveGroupBlockedUserResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.group_roster_op(&input.group_id, &input.username, |r, u| r.unblock(u))?;
    let data = user_result(
        &input.group_id,
        m::GroupMemberAction::RemoveBlocks,
        (user, Ok(())),
    );
    Ok(
        reply!(RemoveGroupBlockedUserResponse, t, now, "delete", "/chatgroups/blocks/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn remove_group_blocked_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveGroupBlockedUsersInput,
) -> Res<m::RemoveGroupBlockedUsersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let outcomes = t.group_roster_batch(&input.group_id, &input.usernames, |r, u| r.unblock(u))?;
    let data = user_results(
        &input.group_id,
        m::GroupMemberAction::RemoveBlocks,
        outcomes,
    );
    Ok(
        reply!(RemoveGroupBlockedUsersResponse, t, now, "delete", "/chatgroups/blocks/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn list_group_whitelist(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListGroupWhitelistInput,
) -> Res<m::ListGroupWhitelistResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let allowed = t.group(&input.group_id)?.roster.allowed.clone();
    Ok(
        reply!(ListGroupWhitelistResponse, t, now, "get", "/chatgroups/white/users", entities: Vec::new(), count: allowed.len() as i64, data: allowed),
    )
}

pub(super) fn add_group_whitelist_user(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddGroupWhitelistUserInput,
) -> Res<m::AddGroupWhitelistUserResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let user = t.group_roster_op(&input.group_id, &input.username, |r, u| r.allow(u))?;
    let data = user_result(
        &input.group_id,
        m::GroupMemberAction::AddUserWhitelist,
        (user, Ok(())),
    );
    Ok(
        reply!(AddGroupWhitelistUserResponse, t, now, "post", "/chatgroups/white/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn add_group_whitelist_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddGroupWhitelistUsersInput,
) -> Res<m::AddGroupWhitelistUsersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let outcomes =
        t.group_roster_batch(&input.group_id, &input.body.usernames, |r, u| r.allow(u))?;
    let data = user_results(
        &input.group_id,
        m::GroupMemberAction::AddUserWhitelist,
        outcomes,
    );
    Ok(
        reply!(AddGroupWhitelistUsersResponse, t, now, "post", "/chatgroups/white/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn remove_group_whitelist_users(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveGroupWhitelistUsersInput,
) -> Res<m::RemoveGroupWhitelistUsersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let outcomes = t.group_roster_batch(&input.group_id, &input.usernames, |r, u| r.disallow(u))?;
    let data = user_results(
        &input.group_id,
        m::GroupMemberAction::RemoveUserWhitelist,
        outcomes,
    );
    Ok(
        reply!(RemoveGroupWhitelistUsersResponse, t, now, "delete", "/chatgroups/white/users", entities: Vec::new(), data: data),
    )
}

pub(super) fn list_group_mutes(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListGroupMutesInput,
) -> Res<m::ListGroupMutesResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let data = t
        .group(&input.group_id)?
        .roster
        .active_mutes(now)
        .into_iter()
        .map(|(user, expire)| m::GroupMute {
            expire: Some(expire),
            user: Some(user),
        })
        .collect();
    Ok(
        reply!(ListGroupMutesResponse, t, now, "get", "/chatgroups/mute", entities: Vec::new(), data: data),
    )
}

pub(super) fn mute_group_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::MuteGroupMembersInput,
) -> Res<m::MuteGroupMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let b = input.body;
    let data = t
        .mute_group_members(&input.group_id, &b.usernames, i64::try_from(b.mute_duration.as_millis()).unwrap_or(i64::MAX), now)?
        .into_iter()
        .map(|(user, outcome)| m::GroupMuteResult {
            result: Some(outcome.is_ok()),
            expire: outcome.ok(),
            user: Some(user),
        })
        .collect();
    Ok(
        reply!(MuteGroupMembersResponse, t, now, "post", "/chatgroups/mute", entities: Vec::new(), data: data),
    )
}

pub(super) fn mute_all_group_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::MuteAllGroupMembersInput,
) -> Res<m::MuteAllGroupMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.set_group_mute_all(&input.group_id, true)?;
    Ok(
        reply!(MuteAllGroupMembersResponse, t, now, "post", "/chatgroups/ban", entities: Vec::new(), data: m::GroupMuteAllState { mute: Some(true) }),
    )
}

pub(super) fn unmute_group_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UnmuteGroupMembersInput,
) -> Res<m::UnmuteGroupMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let data = t
        .group_roster_batch(&input.group_id, &input.members, |r, u| r.unmute(u))?
        .into_iter()
        .map(|(user, outcome)| m::GroupUnmuteResult {
            result: Some(outcome.is_ok()),
            user: Some(user),
        })
        .collect();
    Ok(
        reply!(UnmuteGroupMembersResponse, t, now, "delete", "/chatgroups/mute", entities: Vec::new(), data: data),
    )
}

pub(super) fn unmute_all_group_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UnmuteAllGroupMembersInput,
) -> Res<m::UnmuteAllGroupMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.set_group_mute_all(&input.group_id, false)?;
    Ok(
        reply!(UnmuteAllGroupMembersResponse, t, now, "delete", "/chatgroups/ban", entities: Vec::new(), data: m::GroupMuteAllState { mute: Some(false) }),
    )
}

fn thread_info(thread: Thread) -> m::ThreadInfo {
    m::ThreadInfo {
        name: Some(thread.name),
        owner: Some(thread.owner),
        id: Some(thread.id),
        msg_id: Some(thread.msg_id),
        group_id: Some(thread.group_id),
        created: Some(thread.created),
        cursor: None,
    }
}

fn descending(sort: &Option<m::ThreadSort>) -> bool {
    matches!(sort, Some(m::ThreadSort::Desc))
}

fn cursor_properties(cursor: Option<String>) -> m::ThreadPageProperties {
    m::ThreadPageProperties { cursor }
}

pub(super) fn list_threads(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListThreadsInput,
) -> Res<m::ListThreadsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let limit = input.limit.unwrap_or(20).clamp(1, 50) as usize;
    let (page, cursor) = t.list_threads(limit, input.cursor.as_deref(), descending(&input.sort))?;
    let entities = page
        .into_iter()
        .map(|th| m::ThreadRef { id: Some(th.id) })
        .collect();
    Ok(
        reply!(ListThreadsResponse, t, now, "get", "/thread", entities: entities, properties: cursor_properties(cursor)),
    )
}

pub(super) fn list_user_threads(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListUserThreadsInput,
) -> Res<m::ListUserThreadsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let limit = input.limit.unwrap_or(20).clamp(1, 50) as usize;
    let (page, cursor) = t.user_threads(
        &input.username,
        None,
        limit,
        input.cursor.as_deref(),
        descending(&input.sort),
    )?;
    let entities = page.into_iter().map(thread_info).collect();
    Ok(
        reply!(ListUserThreadsResponse, t, now, "get", "/threads/user", entities: entities, properties: cursor_properties(cursor)),
    )
}

pub(super) fn list_user_group_threads(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListUserGroupThreadsInput,
) -> Res<m::ListUserGroupThreadsResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let limit = input.limit.unwrap_or(20).clamp(1, 50) as usize;
    let (page, cursor) = t.user_threads(
        &input.username,
        Some(&input.group_id),
        limit,
        input.cursor.as_deref(),
        descending(&input.sort),
    )?;
    let entities = page.into_iter().map(thread_info).collect();
    Ok(
        reply!(ListUserGroupThreadsResponse, t, now, "get", "/threads/chatgroups/user", entities: entities, properties: cursor_properties(cursor)),
    )
}

pub(super) fn create_thread(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::CreateThreadInput,
) -> Res<m::CreateThreadResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let b = input.body;
    let id = t.create_thread(&b.group_id, &b.name, &b.msg_id, &b.owner, now)?;
    Ok(
        reply!(CreateThreadResponse, t, now, "post", "/thread", data: m::ThreadCreateResult { thread_id: Some(id) }),
    )
}

pub(super) fn update_thread(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::UpdateThreadInput,
) -> Res<m::UpdateThreadResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.rename_thread(&input.thread_id, &input.body.name)?;
    Ok(
        reply!(UpdateThreadResponse, t, now, "put", "/thread", data: m::ThreadUpdateResult { name: Some(input.body.name) }),
    )
}

pub(super) fn delete_thread(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::DeleteThreadInput,
) -> Res<m::DeleteThreadResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.delete_thread(&input.thread_id)?;
    Ok(
        reply!(DeleteThreadResponse, t, now, "delete", "/thread", data: m::ThreadStatusResult { status: Some("ok".into()) }),
    )
}

pub(super) fn list_thread_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::ListThreadMembersInput,
) -> Res<m::ListThreadMembersResponse> {
    let Ctx(t, now) = s.ctx(ctx)?;
    let limit = input.limit.unwrap_or(20).clamp(1, 50) as usize;
    let (members, cursor) = t.thread_members(&input.thread_id, limit, input.cursor.as_deref())?;
    let data = m::ThreadMembersPage {
        affiliations: Some(members),
    };
    Ok(
        reply!(ListThreadMembersResponse, t, now, "get", "/thread/users", data: data, properties: cursor_properties(cursor)),
    )
}

pub(super) fn add_thread_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::AddThreadMembersInput,
) -> Res<m::AddThreadMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    t.add_thread_members(&input.thread_id, &input.body.usernames)?;
    Ok(
        reply!(AddThreadMembersResponse, t, now, "post", "/thread/users", data: m::ThreadStatusResult { status: Some("ok".into()) }),
    )
}

pub(super) fn remove_thread_members(
    s: &MockServer,
    ctx: &RequestContext,
    input: i::RemoveThreadMembersInput,
) -> Res<m::RemoveThreadMembersResponse> {
    let Ctx(mut t, now) = s.ctx(ctx)?;
    let entities = t
        .remove_thread_members(&input.thread_id, &input.body.usernames)?
        .into_iter()
        .map(|(user, removed)| m::ThreadMemberRemoveResult {
            result: Some(removed),
            user: Some(user),
        })
        .collect();
    Ok(reply!(RemoveThreadMembersResponse, t, now, "delete", "/thread/users", entities: entities))
}
