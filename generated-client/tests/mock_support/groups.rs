//! Groups and threads.

use std::collections::BTreeMap;

use easemob_im::files::FileSource;
use easemob_im::mock::MockHandle;
use easemob_im::models::*;
use easemob_im::Client;
use futures_util::TryStreamExt;

use super::*;

/// Groups from creation to deletion, with a message on the way. Answers nothing; leaves no group.
pub async fn groups_flow(mock: &MockHandle, client: &Client) {
    register(client, &["g-own", "g-m1", "g-m2", "g-m3", "g-m4"]).await;
    let groups = client.groups();
    let created = groups
        .create_group(
            CreateGroupRequest::new(GroupVisibility::Public, "g-own")
                .with_group_name("team")
                .with_members(strings(&["g-m1"]))
                .with_max_users(10),
        )
        .await
        .unwrap();
    let id = created.data.unwrap().group_id.unwrap();
    assert_eq!(
        failure(
            groups
                .create_group(CreateGroupRequest::new(GroupVisibility::Public, "g-ghost"))
                .await
        )
        .0,
        404
    );

    let detail = groups
        .get_groups([id.clone()])
        .await
        .unwrap()
        .data
        .unwrap()
        .remove(0);
    assert_eq!(
        (
            detail.name.as_deref(),
            detail.affiliations_count,
            detail.max_users
        ),
        (Some("team"), Some(2), Some(10))
    );
    assert_eq!(failure(groups.get_groups(["404404"]).await).0, 404);
    let updated = groups
        .update_group(
            &id,
            UpdateGroupRequest::new(GroupVisibility::Private).with_description("the team"),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        (updated.description, updated.public, updated.group_name),
        (Some(true), Some(true), None)
    );
    let listed: Vec<GroupSummary> = groups
        .list_groups()
        .limit(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(listed
        .iter()
        .any(|g| g.group_id.as_deref() == Some(id.as_str())));

    // Members.
    assert_eq!(
        groups
            .add_group_member(&id, "g-m2")
            .await
            .unwrap()
            .data
            .unwrap()
            .result,
        Some(true)
    );
    assert_eq!(
        failure(groups.add_group_member(&id, "g-m2").await),
        (403, ErrorCode::ForbiddenOp),
        "already a member"
    );
    let added = groups
        .add_group_members(
            &id,
            AddGroupMembersRequest::new(strings(&["g-m2", "g-m3", "g-m4"])),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(added.new_members.unwrap(), strings(&["g-m3", "g-m4"]));
    assert_eq!(
        failure(
            groups
                .add_group_members(&id, AddGroupMembersRequest::new(strings(&["g-ghost"])))
                .await
        ),
        (400, ErrorCode::IllegalArgument)
    );
    let members: Vec<GroupAffiliation> = groups
        .list_group_members(&id)
        .page_size(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(members.len(), 5);
    assert_eq!(members[0].owner.as_deref(), Some("g-own"));
    // The vendor SDK's `version=v3` listing of the same members: ids by cursor.
    let ids: Vec<String> = groups.list_group_member_ids(&id).limit(2).into_stream().try_collect().await.unwrap();
    assert_eq!(ids.len(), 5);
    assert_eq!(ids[0], "g-own");
    assert_eq!(
        groups.list_user_groups("g-m3").await.unwrap().total,
        Some(1)
    );
    assert_eq!(
        groups
            .check_user_joined_group(&id, "g-m3")
            .await
            .unwrap()
            .data,
        Some(true)
    );
    assert_eq!(
        groups
            .check_user_joined_group(&id, "g-nobody")
            .await
            .unwrap()
            .data,
        Some(false)
    );

    // A message from a member, recorded for inspection.
    let sent = client
        .messages()
        .send_group_text_message(
            SendGroupTextMessageRequest::new([id.clone()], MessageTextBody::new("hello team"))
                .with_from("g-m1"),
        )
        .await
        .unwrap();
    let msg_id = sent.data.unwrap()[&id].clone();
    let kept = mock
        .server()
        .sent_messages(ORG, APP)
        .into_iter()
        .find(|m| m.msg_id == msg_id)
        .expect("the message is kept");
    assert_eq!(
        (
            kept.chat_type,
            kept.from.as_str(),
            kept.to.as_str(),
            kept.body["msg"].as_str()
        ),
        (
            MessageChatType::Groupchat,
            "g-m1",
            id.as_str(),
            Some("hello team")
        )
    );

    // Roles.
    groups
        .add_group_admin(&id, AddGroupAdminRequest::new("g-m1"))
        .await
        .unwrap();
    assert_eq!(
        failure(
            groups
                .add_group_admin(&id, AddGroupAdminRequest::new("g-own"))
                .await
        )
        .0,
        403,
        "not the owner"
    );
    assert_eq!(
        groups.list_group_admins(&id).await.unwrap().data.unwrap(),
        strings(&["g-m1"])
    );
    groups.remove_group_admin(&id, "g-m1").await.unwrap();
    assert_eq!(
        failure(
            groups
                .transfer_group_owner(&id, TransferGroupOwnerRequest::new("g-own"))
                .await
        )
        .0,
        403,
        "already the owner"
    );
    groups
        .transfer_group_owner(&id, TransferGroupOwnerRequest::new("g-m1"))
        .await
        .unwrap();
    assert_eq!(
        mock.server().group_members(ORG, APP, &id).unwrap()[0],
        "g-m1"
    );

    assert_eq!(
        failure(groups.remove_group_member(&id, "g-m1").await).0,
        403,
        "the owner cannot be removed"
    );
    groups.remove_group_member(&id, "g-m4").await.unwrap();
    let removed = groups
        .remove_group_members(&id, ["g-m3", "g-m4"])
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        (removed[0].result, removed[1].result),
        (Some(true), Some(false))
    );

    // Block list.
    groups
        .add_group_members(&id, AddGroupMembersRequest::new(strings(&["g-m3", "g-m4"])))
        .await
        .unwrap();
    groups.add_group_blocked_user(&id, "g-m3").await.unwrap();
    let blocked = groups
        .add_group_blocked_users(
            &id,
            AddGroupBlockedUsersRequest::new(strings(&["g-m4", "g-m1"])),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        (blocked[0].result, blocked[1].result),
        (Some(true), Some(false)),
        "the owner cannot be blocked"
    );
    assert_eq!(
        groups
            .list_group_blocked_users(&id)
            .await
            .unwrap()
            .data
            .unwrap(),
        strings(&["g-m3", "g-m4"])
    );
    assert_eq!(
        failure(groups.add_group_member(&id, "g-m3").await).0,
        403,
        "blocked users cannot join"
    );
    groups.remove_group_blocked_user(&id, "g-m3").await.unwrap();
    // Two ids: a one-id batch has the single route's path, so the router answers the single form.
    let unblocked = groups
        .remove_group_blocked_users(&id, ["g-m4", "g-m3"])
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        (unblocked[0].result, unblocked[1].result),
        (Some(true), Some(false))
    );
    assert!(groups
        .list_group_blocked_users(&id)
        .await
        .unwrap()
        .data
        .unwrap()
        .is_empty());

    // White list and mutes.
    groups.add_group_whitelist_user(&id, "g-m2").await.unwrap();
    groups
        .add_group_whitelist_users(&id, AddGroupWhitelistUsersRequest::new(strings(&["g-own"])))
        .await
        .unwrap();
    assert_eq!(
        groups
            .list_group_whitelist(&id)
            .await
            .unwrap()
            .data
            .unwrap(),
        strings(&["g-m2", "g-own"])
    );
    groups
        .remove_group_whitelist_users(&id, ["g-own"])
        .await
        .unwrap();
    let muted = groups
        .mute_group_members(
            &id,
            MuteGroupMembersRequest::new(std::time::Duration::from_secs(60), strings(&["g-own"])),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(muted[0].result, Some(true));
    assert_eq!(
        groups.list_group_mutes(&id).await.unwrap().data.unwrap()[0]
            .user
            .as_deref(),
        Some("g-own")
    );
    groups.unmute_group_members(&id, ["g-own"]).await.unwrap();
    assert!(groups
        .list_group_mutes(&id)
        .await
        .unwrap()
        .data
        .unwrap()
        .is_empty());
    assert_eq!(
        groups
            .mute_all_group_members(&id)
            .await
            .unwrap()
            .data
            .unwrap()
            .mute,
        Some(true)
    );
    assert_eq!(
        groups.get_groups([id.clone()]).await.unwrap().data.unwrap()[0].mute,
        Some(true)
    );
    groups.unmute_all_group_members(&id).await.unwrap();

    // Announcement, shared files, member attributes.
    groups
        .update_group_announcement(&id, UpdateGroupAnnouncementRequest::new("welcome"))
        .await
        .unwrap();
    assert_eq!(
        groups
            .get_group_announcement(&id)
            .await
            .unwrap()
            .data
            .unwrap()
            .announcement
            .as_deref(),
        Some("welcome")
    );
    let uploaded = groups
        .upload_group_share_file(
            &id,
            UploadGroupShareFileRequest::new(FileSource::bytes(
                "notes.txt",
                b"shared bytes".to_vec(),
            )),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    let file_id = uploaded.file_id.unwrap();
    assert_eq!(uploaded.file_size, Some(12));
    let files: Vec<GroupShareFile> = groups
        .list_group_share_files(&id)
        .page_size(10)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(files[0].file_name.as_deref(), Some("notes.txt"));
    let bytes = groups
        .download_group_share_file(&id, &file_id)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"shared bytes");
    groups.delete_group_share_file(&id, &file_id).await.unwrap();
    assert_eq!(
        failure(groups.download_group_share_file(&id, &file_id).await).0,
        404
    );
    let attrs = BTreeMap::from([("role".to_string(), "lead".to_string())]);
    groups
        .set_group_member_attributes(
            &id,
            "g-m2",
            SetGroupMemberAttributesRequest::new(attrs.clone()),
        )
        .await
        .unwrap();
    assert_eq!(
        groups
            .get_group_member_attributes(&id, "g-m2")
            .await
            .unwrap()
            .data
            .unwrap(),
        attrs
    );
    let batch = groups
        .batch_get_group_member_attributes(
            &id,
            BatchGetGroupMemberAttributesRequest::new(strings(&["g-m2"]), strings(&["role"])),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(batch["g-m2"], attrs);

    // Disabled groups refuse changes.
    assert_eq!(
        groups
            .disable_group(&id)
            .await
            .unwrap()
            .data
            .unwrap()
            .disabled,
        Some(true)
    );
    assert_eq!(failure(groups.add_group_member(&id, "g-m4").await).0, 403);
    groups.enable_group(&id).await.unwrap();

    assert_eq!(
        groups
            .delete_group(&id)
            .await
            .unwrap()
            .data
            .unwrap()
            .success,
        Some(true)
    );
    assert_eq!(failure(groups.delete_group(&id).await).0, 404);
    assert!(mock.server().group_members(ORG, APP, &id).is_none());
}

/// Threads of a group.
pub async fn threads_flow(_mock: &MockHandle, client: &Client) {
    register(client, &["t-own", "t-m1", "t-m2", "t-out"]).await;
    let group = client
        .groups()
        .create_group(
            CreateGroupRequest::new(GroupVisibility::Private, "t-own").with_members(strings(&["t-m1", "t-m2"])),
        )
        .await
        .unwrap()
        .data
        .unwrap()
        .group_id
        .unwrap();
    let threads = client.threads();
    let id = threads
        .create_thread(CreateThreadRequest::new(&group, "design", "1001", "t-own"))
        .await
        .unwrap()
        .data
        .unwrap()
        .thread_id
        .unwrap();
    assert_eq!(
        failure(
            threads
                .create_thread(CreateThreadRequest::new(&group, "x", "1", "t-out"))
                .await
        )
        .0,
        403,
        "only members start threads"
    );
    assert_eq!(
        threads
            .update_thread(&id, UpdateThreadRequest::new("design v2"))
            .await
            .unwrap()
            .data
            .unwrap()
            .name
            .as_deref(),
        Some("design v2")
    );
    threads
        .add_thread_members(
            &id,
            AddThreadMembersRequest::new(strings(&["t-m1", "t-m2"])),
        )
        .await
        .unwrap();
    let members: Vec<String> = threads
        .list_thread_members(&id)
        .limit(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(members, strings(&["t-own", "t-m1", "t-m2"]));
    let all: Vec<ThreadRef> = threads
        .list_threads()
        .limit(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(all.iter().any(|t| t.id.as_deref() == Some(id.as_str())));
    let mine = threads
        .list_user_threads("t-m1")
        .sort(ThreadSort::Desc)
        .await
        .unwrap()
        .entities
        .unwrap();
    assert_eq!(
        (mine.len(), mine[0].name.as_deref()),
        (1, Some("design v2"))
    );
    assert_eq!(
        threads
            .list_user_group_threads(&group, "t-m2")
            .await
            .unwrap()
            .entities
            .unwrap()
            .len(),
        1
    );
    let removed = threads
        .remove_thread_members(
            &id,
            RemoveThreadMembersRequest::new(strings(&["t-m2", "t-ghost"])),
        )
        .await
        .unwrap()
        .entities
        .unwrap();
    assert_eq!(
        (removed[0].result, removed[1].result),
        (Some(true), Some(false))
    );
    threads.delete_thread(&id).await.unwrap();
    assert_eq!(failure(threads.delete_thread(&id).await).0, 404);
    client.groups().delete_group(&group).await.unwrap();
}
