//! Rules of the store, without HTTP.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::mock::config::{MockConfig, TenantConfig};
use crate::models::{ErrorCode, MessageChatType, MessageType};

use super::messages::{Outgoing, RECALLED, RECALL_NOT_FOUND, RECALL_TOO_LATE};
use super::*;

const NOW: i64 = 1_700_000_000_000;

fn code(error: &ServerError) -> (u16, ErrorCode) {
    (error.status, error.body.error.clone())
}

fn tenant_with(users: &[&str]) -> Tenant {
    let mut t = Tenant::new("org", "app");
    for u in users {
        t.register_user(u, "pw", None, NOW).unwrap();
    }
    t
}

fn room(name: &str) -> RoomSettings {
    RoomSettings {
        name: name.into(),
        description: "d".into(),
        ..Default::default()
    }
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn registration_rules() {
    let mut t = tenant_with(&["alice"]);
    let dup = t.register_user("ALICE", "x", None, NOW).unwrap_err();
    assert_eq!(code(&dup), (400, ErrorCode::DuplicateUniquePropertyExists));
    assert_eq!(
        code(&t.register_user("bad name", "x", None, NOW).unwrap_err()),
        (400, ErrorCode::IllegalArgument)
    );
    assert_eq!(
        code(&t.register_user("bob", "", None, NOW).unwrap_err()),
        (400, ErrorCode::IllegalArgument)
    );
    let batch = vec![
        ("Bob".to_string(), "pw".to_string(), None),
        ("alice".to_string(), "pw".to_string(), None),
    ];
    let (created, failed) = t.register_users(&batch, NOW).unwrap();
    assert_eq!(
        created
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["bob"]
    );
    assert_eq!(
        failed,
        vec![("alice".to_string(), "the alice already exists".to_string())]
    );
    assert_eq!(t.user("BOB").unwrap().username, "bob");
}

#[test]
fn users_page_in_registration_order_and_survive_deletion() {
    let mut t = tenant_with(&["u1", "u2", "u3", "u4", "u5"]);
    let (page, cursor) = t.list_users(2, None).unwrap();
    assert_eq!(
        page.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(),
        ["u1", "u2"]
    );
    let cursor = cursor.unwrap();
    t.delete_user("u3").unwrap();
    let (page, cursor) = t.list_users(2, Some(&cursor)).unwrap();
    assert_eq!(
        page.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(),
        ["u4", "u5"]
    );
    assert_eq!(cursor, None);
    assert_eq!(code(&t.list_users(2, Some("not hex")).unwrap_err()).0, 400);
    let (deleted, next) = t.delete_users(3, None).unwrap();
    assert_eq!(deleted.len(), 3);
    assert!(next.is_some());
    assert_eq!(t.users.len(), 1);
}

#[test]
fn deleting_a_user_deletes_what_it_owns_and_its_memberships() {
    let mut t = tenant_with(&["owner", "member", "friend"]);
    let owned = t
        .create_group(Default::default(), "owner", &names(&["member"]), NOW)
        .unwrap();
    let other = t
        .create_group(
            Default::default(),
            "member",
            &names(&["owner", "friend"]),
            NOW,
        )
        .unwrap();
    t.add_contact("owner", "friend").unwrap();
    t.delete_user("owner").unwrap();
    assert!(t.group(&owned).is_err());
    assert!(!t.group(&other).unwrap().roster.is_member("owner"));
    assert!(t.user("friend").unwrap().contacts.is_empty());
    assert_eq!(
        code(&t.delete_user("owner").unwrap_err()),
        (404, ErrorCode::ServiceResourceNotFound)
    );
}

#[test]
fn contacts_are_mutual_and_remarks_need_a_friendship() {
    let mut t = tenant_with(&["a", "b", "c"]);
    t.add_contact("a", "b").unwrap();
    assert_eq!(t.user("b").unwrap().contacts[0].username, "a");
    assert_eq!(
        code(&t.set_contact_remark("a", "c", "x").unwrap_err()).0,
        404
    );
    t.set_contact_remark("a", "b", "best").unwrap();
    let (page, _) = t.list_contacts("a", 10, None).unwrap();
    assert_eq!(page[0].remark.as_deref(), Some("best"));
    assert_eq!(code(&t.add_contact("a", "nobody").unwrap_err()).0, 404);
    t.remove_contact("b", "a").unwrap();
    assert!(t.user("a").unwrap().contacts.is_empty());
}

#[test]
fn block_list_is_newest_first_and_pages() {
    let mut t = tenant_with(&["a", "b", "c", "d"]);
    t.block_users("a", &names(&["b", "c"])).unwrap();
    t.block_users("a", &names(&["d"])).unwrap();
    assert_eq!(
        t.list_blocked("a", None, None).unwrap(),
        (names(&["d", "c", "b"]), None)
    );
    let (page, cursor) = t.list_blocked("a", Some(2), None).unwrap();
    assert_eq!(page, names(&["d", "c"]));
    let (page, cursor) = t.list_blocked("a", Some(2), cursor.as_deref()).unwrap();
    assert_eq!((page, cursor), (names(&["b"]), None));
    t.unblock_user("a", "c").unwrap();
    assert_eq!(code(&t.unblock_user("a", "c").unwrap_err()).0, 404);
}

#[test]
fn global_mutes_expire() {
    let mut t = tenant_with(&["a"]);
    t.set_global_mute(
        "a",
        [
            (GlobalMuteKind::Chat, Some(100)),
            (GlobalMuteKind::GroupChat, Some(-1)),
            (GlobalMuteKind::ChatRoom, None),
        ],
        NOW,
    )
    .unwrap();
    assert_eq!(
        t.global_mute("a", NOW).unwrap().map(|(_, s)| s),
        [100, -1, 0]
    );
    assert_eq!(
        t.global_mute("a", NOW + 101_000).unwrap().map(|(_, s)| s),
        [0, -1, 0]
    );
    assert_eq!(t.global_mutes(NOW).len(), 2);
    assert!(t.is_globally_muted("a", GlobalMuteKind::Chat, NOW));
    t.set_global_mute(
        "a",
        [
            (GlobalMuteKind::Chat, Some(0)),
            (GlobalMuteKind::GroupChat, None),
            (GlobalMuteKind::ChatRoom, None),
        ],
        NOW,
    )
    .unwrap();
    assert!(!t.is_globally_muted("a", GlobalMuteKind::Chat, NOW));
}

#[test]
fn user_metadata_merges_and_is_limited() {
    let mut t = tenant_with(&["a"]);
    let mut values = BTreeMap::from([("nickname".to_string(), "A".to_string())]);
    t.set_user_metadata("a", &values).unwrap();
    values = BTreeMap::from([("avatar".to_string(), "x".to_string())]);
    assert_eq!(t.set_user_metadata("a", &values).unwrap().len(), 2);
    assert_eq!(
        t.metadata_bytes(),
        "nickname".len() + 1 + "avatar".len() + 1
    );
    let big = BTreeMap::from([("k".to_string(), "v".repeat(3000))]);
    assert_eq!(code(&t.set_user_metadata("a", &big).unwrap_err()).0, 400);
    assert!(t.user_metadata("nobody").is_empty());
    assert!(t.delete_user_metadata("a").unwrap());
    assert!(!t.delete_user_metadata("a").unwrap());
}

#[test]
fn group_membership_rules() {
    let mut t = tenant_with(&["owner", "a", "b", "c"]);
    let g = t
        .create_group(
            GroupSettings {
                max_users: Some(3),
                ..Default::default()
            },
            "owner",
            &names(&["a"]),
            NOW,
        )
        .unwrap();
    assert_eq!(
        code(&t.add_group_member(&g, "a").unwrap_err()),
        (403, ErrorCode::ForbiddenOp)
    );
    assert_eq!(code(&t.add_group_member(&g, "nobody").unwrap_err()).0, 404);
    assert_eq!(
        code(
            &t.add_group_members(&g, &names(&["b", "nobody"]))
                .unwrap_err()
        ),
        (400, ErrorCode::IllegalArgument)
    );
    assert_eq!(
        t.add_group_members(&g, &names(&["a", "b"])).unwrap(),
        names(&["b"])
    );
    // Full: owner, a and b.
    assert!(t
        .add_group_member(&g, "c")
        .unwrap_err()
        .body
        .error_description
        .unwrap()
        .contains("full"));
    assert_eq!(
        code(&t.remove_group_member(&g, "owner").unwrap_err()).0,
        403
    );
    let outcomes = t.remove_group_members(&g, &names(&["b", "c"])).unwrap();
    assert!(outcomes[0].1.is_ok() && outcomes[1].1.is_err());
    assert_eq!(
        code(
            &t.create_group(Default::default(), "owner", &names(&["ghost"]), NOW)
                .unwrap_err()
        )
        .0,
        400
    );
}

#[test]
fn group_roles_blocks_and_mutes() {
    let mut t = tenant_with(&["owner", "a", "b"]);
    let g = t
        .create_group(Default::default(), "owner", &names(&["a", "b"]), NOW)
        .unwrap();
    t.group_roster_op(&g, "a", |r, u| r.add_admin(u)).unwrap();
    assert_eq!(
        code(
            &t.group_roster_op(&g, "owner", |r, u| r.add_admin(u))
                .unwrap_err()
        )
        .0,
        403
    );
    assert_eq!(t.group(&g).unwrap().roster.admins, names(&["a"]));
    assert!(t
        .group_roster_op(&g, "owner", |r, u| r.transfer(u))
        .is_err());
    t.group_roster_op(&g, "a", |r, u| r.transfer(u)).unwrap();
    let roster = &t.group(&g).unwrap().roster;
    assert_eq!((roster.owner.as_str(), roster.admins.len()), ("a", 0));
    assert!(roster.members.contains(&"owner".to_string()));
    let outcomes = t.block_group_users(&g, &names(&["b", "a"])).unwrap();
    assert!(outcomes[0].1.is_ok());
    assert_eq!(
        outcomes[1].1.clone().unwrap_err(),
        "forbidden operation on group owner!"
    );
    assert_eq!(code(&t.add_group_member(&g, "b").unwrap_err()).0, 403);
    let muted = t
        .mute_group_members(&g, &names(&["owner"]), 1000, NOW)
        .unwrap();
    assert_eq!(muted[0].1, Ok(NOW + 1000));
    assert_eq!(t.group(&g).unwrap().roster.active_mutes(NOW).len(), 1);
    assert!(t
        .group(&g)
        .unwrap()
        .roster
        .active_mutes(NOW + 1000)
        .is_empty());
    assert!(t
        .mute_group_members(&g, &names(&["owner"]), 0, NOW)
        .is_err());
}

#[test]
fn disabled_groups_refuse_changes() {
    let mut t = tenant_with(&["owner", "a"]);
    let g = t
        .create_group(Default::default(), "owner", &[], NOW)
        .unwrap();
    t.set_group_disabled(&g, true).unwrap();
    assert_eq!(code(&t.add_group_member(&g, "a").unwrap_err()).0, 403);
    t.set_group_disabled(&g, false).unwrap();
    t.add_group_member(&g, "a").unwrap();
    let set = t
        .update_group(
            &g,
            GroupChanges {
                name: Some("n".into()),
                public: Some(true),
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert_eq!(set, ["groupname", "public"]);
    assert!(t
        .update_group(
            &g,
            GroupChanges {
                max_users: Some(1),
                ..Default::default()
            },
            NOW
        )
        .is_err());
}

#[test]
fn groups_list_newest_first() {
    let mut t = tenant_with(&["o"]);
    let ids: Vec<String> = (0..3)
        .map(|_| t.create_group(Default::default(), "o", &[], NOW).unwrap())
        .collect();
    let (page, cursor) = t.list_groups(2, None).unwrap();
    assert_eq!(
        page.iter().map(|g| g.id.clone()).collect::<Vec<_>>(),
        [ids[2].clone(), ids[1].clone()]
    );
    let (page, cursor) = t.list_groups(2, cursor.as_deref()).unwrap();
    assert_eq!((page[0].id.clone(), cursor), (ids[0].clone(), None));
}

#[test]
fn room_metadata_belongs_to_who_set_it() {
    let mut t = tenant_with(&["owner", "a"]);
    let r = t
        .create_room(room("r"), "owner", &names(&["a"]), NOW)
        .unwrap();
    let values = BTreeMap::from([("k".to_string(), "1".to_string())]);
    assert!(
        t.set_room_metadata(&r, "a", &values, true, false).unwrap()[0]
            .1
            .is_ok()
    );
    assert!(t
        .set_room_metadata(&r, "owner", &values, true, false)
        .unwrap()[0]
        .1
        .is_err());
    assert!(t
        .delete_room_metadata(&r, "owner", &names(&["k"]), false)
        .unwrap()[0]
        .1
        .is_err());
    let forced = BTreeMap::from([("k".to_string(), "2".to_string())]);
    assert!(t
        .set_room_metadata(&r, "owner", &forced, false, true)
        .unwrap()[0]
        .1
        .is_ok());
    assert_eq!(t.room_metadata(&r, &[]).unwrap()["k"], "2");
    let mine = BTreeMap::from([("mine".to_string(), "x".to_string())]);
    t.set_room_metadata(&r, "a", &mine, true, false).unwrap();
    t.remove_room_member(&r, "a").unwrap();
    // Auto-deleted when its owner leaves.
    assert_eq!(
        t.room_metadata(&r, &[]).unwrap().keys().collect::<Vec<_>>(),
        ["k"]
    );
}

#[test]
fn threads_follow_their_group() {
    let mut t = tenant_with(&["owner", "a", "b"]);
    let g = t
        .create_group(Default::default(), "owner", &names(&["a"]), NOW)
        .unwrap();
    assert_eq!(
        code(&t.create_thread(&g, "t", "1", "b", NOW).unwrap_err()).0,
        403
    );
    let th = t.create_thread(&g, "t", "1", "owner", NOW).unwrap();
    t.add_thread_members(&th, &names(&["a"])).unwrap();
    assert!(t.add_thread_members(&th, &names(&["b"])).is_err());
    assert_eq!(
        t.user_threads("a", Some(&g), 10, None, false)
            .unwrap()
            .0
            .len(),
        1
    );
    t.remove_group_member(&g, "a").unwrap();
    assert_eq!(t.thread(&th).unwrap().members, names(&["owner"]));
    t.delete_group(&g).unwrap();
    assert!(t.thread(&th).is_err());
}

#[test]
fn presence_makes_users_online() {
    let mut t = tenant_with(&["a", "b"]);
    t.set_presence("a", "android_1", "1", "busy", NOW).unwrap();
    assert!(t.is_online("a"));
    assert_eq!(t.online_devices("a").unwrap(), names(&["android_1"]));
    assert_eq!(
        code(
            &t.subscribe_presence("b", &names(&["B"]), 10, NOW)
                .unwrap_err()
        )
        .0,
        400
    );
    let subscribed = t.subscribe_presence("b", &names(&["a"]), 10, NOW).unwrap();
    assert_eq!(subscribed[0].0 .2, "busy");
    assert_eq!(t.presence_subscriptions("b", NOW).unwrap().len(), 1);
    assert!(t
        .presence_subscriptions("b", NOW + 11_000)
        .unwrap()
        .is_empty());
    assert!(t.disconnect("a", NOW).unwrap());
    assert!(!t.is_online("a"));
}

fn text(chat_type: MessageChatType, from: Option<&str>, to: &[&str]) -> Outgoing {
    Outgoing {
        chat_type,
        origin: MessageOrigin::Sent,
        from: from.map(str::to_owned),
        to: names(to),
        users: Vec::new(),
        msg_type: MessageType::Txt,
        body: serde_json::json!({"msg": "hi"}),
        ext: None,
        ids: Vec::new(),
    }
}

#[test]
fn messages_are_recorded_per_recipient_and_checked_only_when_strict() {
    let mut t = tenant_with(&["a", "b"]);
    let ids = t
        .send_message(
            text(MessageChatType::Chat, None, &["B", "ghost"]),
            false,
            NOW,
        )
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(t.messages[0].from, "admin");
    assert_eq!(t.messages[0].to, "b");
    assert_eq!(
        code(
            &t.send_message(
                text(MessageChatType::Chat, Some("a"), &["ghost"]),
                true,
                NOW
            )
            .unwrap_err()
        )
        .0,
        404
    );
    assert_eq!(
        code(
            &t.send_message(text(MessageChatType::Chat, Some(""), &["b"]), false, NOW)
                .unwrap_err()
        )
        .0,
        400
    );
    let g = t.create_group(Default::default(), "a", &[], NOW).unwrap();
    assert_eq!(
        code(
            &t.send_message(
                text(MessageChatType::Groupchat, Some("b"), &[&g]),
                true,
                NOW
            )
            .unwrap_err()
        )
        .0,
        403
    );
    t.send_message(
        text(MessageChatType::Groupchat, Some("a"), &[&g]),
        true,
        NOW,
    )
    .unwrap();
    t.set_global_mute(
        "a",
        [
            (GlobalMuteKind::Chat, Some(-1)),
            (GlobalMuteKind::GroupChat, None),
            (GlobalMuteKind::ChatRoom, None),
        ],
        NOW,
    )
    .unwrap();
    assert_eq!(
        code(
            &t.send_message(text(MessageChatType::Chat, Some("a"), &["b"]), false, NOW)
                .unwrap_err()
        )
        .0,
        403
    );
}

#[test]
fn recall_within_the_window() {
    let mut t = tenant_with(&["a", "b"]);
    let ids = t
        .send_message(text(MessageChatType::Chat, Some("a"), &["b"]), false, NOW)
        .unwrap();
    let id = ids["b"].clone();
    assert_eq!(
        t.recall(&id, "b", &MessageChatType::Chat, 120_000, NOW + 121_000),
        RECALL_TOO_LATE
    );
    assert_eq!(
        t.recall(&id, "a", &MessageChatType::Chat, 120_000, NOW),
        RECALL_NOT_FOUND
    );
    assert_eq!(
        t.recall(&id, "B", &MessageChatType::Chat, 120_000, NOW + 1000),
        RECALLED
    );
    assert!(t.messages[0].recalled);
    assert_eq!(
        t.recall(&id, "b", &MessageChatType::Chat, 120_000, NOW + 1000),
        RECALL_NOT_FOUND
    );
}

#[test]
fn broadcasts_reach_active_rooms() {
    let mut t = tenant_with(&["a"]);
    let quiet = t.create_room(room("q"), "a", &[], NOW).unwrap();
    let busy = t.create_room(room("b"), "a", &[], NOW).unwrap();
    t.send_message(
        text(MessageChatType::Chatroom, Some("a"), &[&busy]),
        false,
        NOW,
    )
    .unwrap();
    t.broadcast(
        None,
        MessageType::Txt,
        serde_json::json!({"msg": "all"}),
        None,
        NOW,
    )
    .unwrap();
    let broadcast: Vec<&SentMessage> = t
        .messages
        .iter()
        .filter(|m| m.origin == MessageOrigin::Broadcast)
        .collect();
    assert_eq!(broadcast.len(), 1);
    assert_eq!(broadcast[0].to, busy);
    assert_ne!(broadcast[0].to, quiet);
}

#[test]
fn tokens_are_per_tenant_and_expire() {
    let config = MockConfig::new()
        .with_tenant(TenantConfig::new("o", "a1", "id1", "s1"))
        .with_tenant(TenantConfig::new("o", "a2", "id2", "s2"))
        .with_token_ttl(60);
    let store = Store::new(config);
    assert_eq!(
        code(
            &store
                .issue_app_token("o", "a1", "id1", "wrong", None)
                .unwrap_err()
        ),
        (400, ErrorCode::InvalidGrant)
    );
    assert_eq!(
        code(
            &store
                .issue_app_token("o", "a1", "id2", "s2", None)
                .unwrap_err()
        ),
        (400, ErrorCode::InvalidGrant)
    );
    assert_eq!(
        code(
            &store
                .issue_app_token("o", "nope", "id1", "s1", None)
                .unwrap_err()
        ),
        (404, ErrorCode::OrganizationApplicationNotFound)
    );
    let (token, ttl) = store.issue_app_token("o", "a1", "id1", "s1", None).unwrap();
    assert_eq!(ttl, 60);
    let (other, _) = store
        .issue_app_token("o", "a1", "id1", "s1", Some(0))
        .unwrap();
    assert_ne!(token, other);
    store.check_app_token("o", "a1", Some(&token)).unwrap();
    assert_eq!(
        code(&store.check_app_token("o", "a2", Some(&token)).unwrap_err()),
        (401, ErrorCode::AuthBadAccessToken)
    );
    assert_eq!(
        code(&store.check_app_token("o", "a1", None).unwrap_err()),
        (401, ErrorCode::Unauthorized)
    );
    let user_token = store.issue_user_token("o", "a1", "alice", 60);
    assert_eq!(
        store
            .check_app_token("o", "a1", Some(&user_token))
            .unwrap_err()
            .status,
        401
    );
    store.advance(Duration::from_secs(61));
    assert_eq!(
        code(&store.check_app_token("o", "a1", Some(&token)).unwrap_err()),
        (401, ErrorCode::Unauthorized)
    );
    // ttl 0: never expires.
    store.check_app_token("o", "a1", Some(&other)).unwrap();
    assert_eq!(store.issued_tokens("o", "a1"), (2, 1));
}

#[test]
fn cursor_pages_in_both_directions() {
    let items = || (1..=5u64).map(|i| (i, i));
    let (page, cursor) = cursor_page(items(), 2, None, false).unwrap();
    assert_eq!(page, [1, 2]);
    let (page, _) = cursor_page(items(), 2, cursor.as_deref(), false).unwrap();
    assert_eq!(page, [3, 4]);
    let (page, cursor) = cursor_page(items().rev(), 4, None, true).unwrap();
    assert_eq!(page, [5, 4, 3, 2]);
    assert_eq!(
        cursor_page(items().rev(), 4, cursor.as_deref(), true).unwrap(),
        (vec![1], None)
    );
    assert_eq!(
        numbered_page(&[1, 2, 3, 4, 5], Some(2), Some(2), 10),
        [3, 4]
    );
    assert!(numbered_page(&[1, 2], Some(3), Some(2), 10).is_empty());
}
