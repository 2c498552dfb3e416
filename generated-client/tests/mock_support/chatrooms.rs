//! Chat rooms, super admins and room attributes.

use std::collections::BTreeMap;

use easemob_im::mock::MockHandle;
use easemob_im::models::*;
use easemob_im::Client;
use futures_util::TryStreamExt;

use super::*;

/// Chat rooms, super admins and room attributes.
pub async fn chatrooms_flow(mock: &MockHandle, client: &Client) {
    register(client, &["r-own", "r-m1", "r-m2", "r-m3"]).await;
    let rooms = client.chatrooms();
    rooms
        .add_chatroom_super_admin(AddChatroomSuperAdminRequest::new("r-own"))
        .await
        .unwrap();
    let admins: Vec<String> = rooms
        .list_chatroom_super_admins()
        .page_size(10)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(admins.contains(&"r-own".to_string()));
    rooms.remove_chatroom_super_admin("r-own").await.unwrap();
    assert_eq!(
        failure(rooms.remove_chatroom_super_admin("r-own").await).0,
        404
    );

    let id = rooms
        .create_chatroom(
            CreateChatroomRequest::new("lobby", "chat", "r-own").with_members(strings(&["r-m1"])),
        )
        .await
        .unwrap()
        .data
        .unwrap()
        .id
        .unwrap();
    rooms
        .update_chatroom(&id, UpdateChatroomRequest::new("hall", "big chat", 100))
        .await
        .unwrap();
    let detail = rooms
        .get_chatrooms([id.clone()])
        .await
        .unwrap()
        .data
        .unwrap()
        .remove(0);
    assert_eq!(
        (
            detail.name.as_deref(),
            detail.max_users,
            detail.affiliations_count
        ),
        (Some("hall"), Some(100), Some(2))
    );
    let listed: Vec<ChatroomSummary> = rooms
        .list_chatrooms()
        .limit(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(listed.iter().any(|r| r.id.as_deref() == Some(id.as_str())));
    assert_eq!(
        rooms
            .list_user_joined_chatrooms("r-m1")
            .await
            .unwrap()
            .data
            .unwrap()[0]
            .id
            .as_deref(),
        Some(id.as_str())
    );
    rooms
        .update_chatroom_announcement(&id, UpdateChatroomAnnouncementRequest::new("quiet please"))
        .await
        .unwrap();
    assert_eq!(
        rooms
            .get_chatroom_announcement(&id)
            .await
            .unwrap()
            .data
            .unwrap()
            .announcement
            .as_deref(),
        Some("quiet please")
    );

    rooms.add_chatroom_member(&id, "r-m2").await.unwrap();
    assert_eq!(failure(rooms.add_chatroom_member(&id, "r-m2").await).0, 403);
    assert_eq!(
        rooms
            .add_chatroom_members(
                &id,
                AddChatroomMembersRequest::new(strings(&["r-m2", "r-m3"]))
            )
            .await
            .unwrap()
            .data
            .unwrap()
            .new_members
            .unwrap(),
        strings(&["r-m3"])
    );
    let members: Vec<ChatroomAffiliation> = rooms
        .list_chatroom_members(&id)
        .page_size(3)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(members.len(), 4);
    let ids: Vec<String> = rooms.list_chatroom_member_ids(&id).limit(3).into_stream().try_collect().await.unwrap();
    assert_eq!(ids.len(), 4);

    // Attributes belong to who set them, unless forced.
    let kv = |k: &str, v: &str| BTreeMap::from([(k.to_string(), v.to_string())]);
    let set = rooms
        .set_chatroom_metadata(
            &id,
            "r-m1",
            ChatroomMetadataSetRequest::new(kv("topic", "rust")),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(set.success_keys.unwrap(), strings(&["topic"]));
    let refused = rooms
        .set_chatroom_metadata(
            &id,
            "r-m2",
            ChatroomMetadataSetRequest::new(kv("topic", "go")),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert!(refused.error_keys.unwrap().contains_key("topic"));
    rooms
        .force_set_chatroom_metadata(
            &id,
            "r-own",
            ChatroomMetadataSetRequest::new(kv("topic", "zig")),
        )
        .await
        .unwrap();
    assert_eq!(
        rooms
            .get_chatroom_metadata(&id, GetChatroomMetadataRequest::new())
            .await
            .unwrap()
            .data
            .unwrap()["topic"],
        "zig"
    );
    let not_mine = rooms
        .delete_chatroom_metadata(
            &id,
            "r-m1",
            ChatroomMetadataDeleteRequest::new().with_keys(strings(&["topic"])),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert!(not_mine.error_keys.unwrap().contains_key("topic"));
    rooms
        .force_delete_chatroom_metadata(
            &id,
            "r-m1",
            ChatroomMetadataDeleteRequest::new().with_keys(strings(&["topic"])),
        )
        .await
        .unwrap();
    assert!(rooms
        .get_chatroom_metadata(
            &id,
            GetChatroomMetadataRequest::new().with_keys(strings(&["topic"]))
        )
        .await
        .unwrap()
        .data
        .unwrap()
        .is_empty());

    // Roles, blocks, allow list, mutes.
    rooms
        .add_chatroom_admin(&id, AddChatroomAdminRequest::new("r-m1"))
        .await
        .unwrap();
    assert_eq!(
        rooms.list_chatroom_admins(&id).await.unwrap().data.unwrap(),
        strings(&["r-m1"])
    );
    rooms.remove_chatroom_admin(&id, "r-m1").await.unwrap();
    rooms.block_chatroom_user(&id, "r-m2").await.unwrap();
    assert_eq!(
        failure(rooms.block_chatroom_user(&id, "r-own").await).0,
        403
    );
    rooms
        .block_chatroom_users(&id, BlockChatroomUsersRequest::new(strings(&["r-m3"])))
        .await
        .unwrap();
    assert_eq!(
        rooms
            .list_chatroom_blocked_users(&id)
            .await
            .unwrap()
            .data
            .unwrap(),
        strings(&["r-m2", "r-m3"])
    );
    rooms.unblock_chatroom_user(&id, "r-m2").await.unwrap();
    let unblocked = rooms
        .unblock_chatroom_users(&id, ["r-m3", "r-m2"])
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        (unblocked[0].result, unblocked[1].result),
        (Some(true), Some(false))
    );
    rooms
        .add_chatroom_members(
            &id,
            AddChatroomMembersRequest::new(strings(&["r-m2", "r-m3"])),
        )
        .await
        .unwrap();
    rooms
        .add_chatroom_allowlist_user(&id, "r-m2")
        .await
        .unwrap();
    rooms
        .add_chatroom_allowlist_users(
            &id,
            AddChatroomAllowlistUsersRequest::new(strings(&["r-m3"])),
        )
        .await
        .unwrap();
    assert_eq!(
        rooms
            .list_chatroom_allowlist(&id)
            .await
            .unwrap()
            .data
            .unwrap(),
        strings(&["r-m2", "r-m3"])
    );
    rooms
        .remove_chatroom_allowlist_users(&id, ["r-m2", "r-m3"])
        .await
        .unwrap();
    rooms
        .mute_chatroom_members(&id, MuteChatroomMembersRequest::new(easemob_im::Lasting::Forever, strings(&["r-m3"])))
        .await
        .unwrap();
    assert_eq!(
        rooms
            .list_chatroom_muted_members(&id)
            .await
            .unwrap()
            .data
            .unwrap()[0]
            .expire,
        Some(-1)
    );
    rooms.unmute_chatroom_members(&id, ["r-m3"]).await.unwrap();
    rooms.mute_all_chatroom_members(&id).await.unwrap();
    rooms.unmute_all_chatroom_members(&id).await.unwrap();

    rooms.remove_chatroom_member(&id, "r-m3").await.unwrap();
    let removed = rooms
        .remove_chatroom_members(&id, ["r-m2", "r-m3"])
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        (removed[0].result, removed[1].result),
        (Some(true), Some(false))
    );
    assert_eq!(
        mock.server().chatroom_members(ORG, APP, &id).unwrap(),
        ["r-own", "r-m1"]
    );
    rooms.delete_chatroom(&id).await.unwrap();
    assert_eq!(failure(rooms.get_chatrooms([id]).await).0, 404);
}
