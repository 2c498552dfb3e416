//! The generated builders end to end against a loopback server: path building and
//! encoding, query and header parameters, JSON, form and multipart bodies, binary
//! responses, and paging streams of both styles.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery};
use axum::http::HeaderMap;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use easemob_im::files::FileSource;
use easemob_im::models::{
    MessageTextBody, SendUserTextMessageRequest, UploadChatFileRequest,
    UserRegistration,
};
use easemob_im::{Client, Credentials};
use futures_util::TryStreamExt;
use serde_json::{json, Value};

async fn serve(router: Router) -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Client::builder()
        .base_url(format!("http://{addr}"))
        .org_name("org")
        .app_name("app")
        .credentials(Credentials::token("fixed-token"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn get_user_encodes_a_hostile_user_name_into_one_segment() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = serve(Router::new().route(
        "/org/app/users/{username}",
        get(move |Path(name): Path<String>, headers: HeaderMap| {
            log.lock().unwrap().push((
                name.clone(),
                headers["authorization"].to_str().unwrap().to_owned(),
            ));
            async move { Json(json!({"entities": [{"username": name}], "unknown_field": 1})) }
        }),
    ))
    .await;
    for name in ["../x", "a/b", "what?", "#1", "100%", "a b", "ü", ".x"] {
        let user = client.users().get_user(name).await.unwrap();
        assert_eq!(user.entities.unwrap()[0].username.as_deref(), Some(name));
    }
    // A whole segment of `.` or `..` would be resolved away by URL normalisation: refused
    // before anything is sent.
    for name in [".", ".."] {
        let err = client.users().get_user(name).await.unwrap_err();
        assert!(matches!(err, easemob_im::Error::Encode(_)), "{err:?}");
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 8);
    assert!(seen.iter().all(|(_, auth)| auth == "Bearer fixed-token"));
}

#[tokio::test]
async fn register_users_sends_a_json_array() {
    let client = serve(Router::new().route(
        "/org/app/users",
        post(|headers: HeaderMap, Json(body): Json<Value>| async move {
            assert_eq!(headers["content-type"], "application/json");
            assert_eq!(body, json!([{"username": "alice", "password": "pw", "nickname": "A"}, {"username": "bob", "password": "pw2"}]));
            Json(json!({"action": "post", "entities": [{"username": "alice"}, {"username": "bob"}]}))
        }),
    ))
    .await;
    let users = vec![
        UserRegistration::new("alice", "pw").with_nickname("A"),
        UserRegistration::new("bob", "pw2"),
    ];
    let response = client.users().register_users(users).await.unwrap();
    assert_eq!(response.entities.unwrap().len(), 2);
}

#[tokio::test]
async fn send_text_message_returns_the_message_ids() {
    let client = serve(Router::new().route(
        "/org/app/messages/users",
        post(|Json(body): Json<Value>| async move {
            assert_eq!(body["type"], "txt");
            assert_eq!(body["body"]["msg"], "hi");
            assert_eq!(body["to"], json!(["bob"]));
            Json(json!({"data": {"bob": "1029457500870543736"}}))
        }),
    ))
    .await;
    let message = SendUserTextMessageRequest::new(
        vec!["bob".to_owned()],
        MessageTextBody::new("hi"),
    );
    let response = client
        .messages()
        .send_user_text_message(message)
        .await
        .unwrap();
    assert_eq!(response.data.unwrap()["bob"], "1029457500870543736");
}

#[tokio::test]
async fn user_attributes_are_form_encoded() {
    let client = serve(Router::new().route(
        "/org/app/metadata/user/{username}",
        put(|headers: HeaderMap, body: Bytes| async move {
            assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
            assert_eq!(
                &body[..],
                b"avatarurl=http%3A%2F%2Fa.example%2Fx.png&nickname=Al+ice"
            );
            Json(json!({"data": {"nickname": "Al ice"}}))
        }),
    ))
    .await;
    let attributes = [
        ("nickname", "Al ice"),
        ("avatarurl", "http://a.example/x.png"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let response = client
        .metadata()
        .set_user_metadata("alice", attributes)
        .await
        .unwrap();
    assert_eq!(response.data.unwrap()["nickname"], "Al ice");
}

#[tokio::test]
async fn upload_sends_multipart_with_the_restrict_access_header() {
    let client = serve(Router::new().route(
        "/org/app/chatfiles",
        post(|headers: HeaderMap, body: Bytes| async move {
            assert_eq!(headers["restrict-access"], "true");
            assert!(headers["content-type"].to_str().unwrap().starts_with("multipart/form-data; boundary="));
            let text = String::from_utf8_lossy(&body);
            assert!(text.contains("name=\"file\"; filename=\"a.txt\""), "{text}");
            assert!(text.contains("file content"), "{text}");
            Json(json!({"uri": "http://h/org/app/chatfiles", "entities": [{"uuid": "u1", "type": "chatfile", "share-secret": "s"}]}))
        }),
    ))
    .await;
    let request = UploadChatFileRequest::new(FileSource::bytes("a.txt", &b"file content"[..]));
    let response = client
        .files()
        .upload_chat_file(request)
        .restrict_access(true)
        .await
        .unwrap();
    assert_eq!((response.uuid(), response.share_secret()), (Some("u1"), Some("s")));
    let entity = &response.entities.unwrap()[0];
    assert_eq!(entity.uuid.as_deref(), Some("u1"));
    assert_eq!(entity.share_secret.as_deref(), Some("s"));
}

#[test]
fn accessors_reach_through_absent_fields_as_none() {
    use easemob_im::models::{CreateGroupResponse, FileUploadResponse, UserEntitiesResponse};
    let decode = |text: &str| serde_json::from_str::<FileUploadResponse>(text).unwrap();
    assert_eq!(decode(r#"{}"#).uuid(), None);
    assert_eq!(decode(r#"{"entities": []}"#).uuid(), None);
    assert_eq!(decode(r#"{"entities": [{"type": "chatfile"}]}"#).uuid(), None);
    assert_eq!(decode(r#"{"entities": [{"uuid": "u1"}, {"uuid": "u2"}]}"#).uuid(), Some("u1"));
    let group: CreateGroupResponse = serde_json::from_str(r#"{"data": {"groupid": "6XXXX7"}}"#).unwrap();
    assert_eq!(group.group_id(), Some("6XXXX7"));
    let users: UserEntitiesResponse = serde_json::from_str(r#"{"entities": [{"username": "ann"}]}"#).unwrap();
    assert_eq!(users.user().and_then(|u| u.username.as_deref()), Some("ann"));
}

#[tokio::test]
async fn thumbnail_download_sends_its_fixed_header_and_streams_bytes() {
    let client = serve(Router::new().route(
        "/org/app/chatfiles/{uuid}",
        get(|headers: HeaderMap| async move {
            let thumb = headers
                .get("thumbnail")
                .map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(headers["share-secret"], "s3cret");
            format!("bytes thumbnail={thumb:?}")
        }),
    ))
    .await;
    let full = client
        .files()
        .download_chat_file("u1")
        .share_secret("s3cret")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let thumb = client
        .files()
        .download_chat_file_thumbnail("u1")
        .share_secret("s3cret")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(&full[..], b"bytes thumbnail=None");
    assert_eq!(&thumb[..], b"bytes thumbnail=Some(\"true\")");
}

#[tokio::test]
async fn list_users_streams_every_page_by_cursor() {
    let client = serve(Router::new().route(
        "/org/app/users",
        get(
            |Query(q): Query<std::collections::HashMap<String, String>>| async move {
                assert_eq!(q["limit"], "2");
                let (names, cursor) = match q.get("cursor").map(String::as_str) {
                    None => (vec!["a", "b"], Some("c1")),
                    Some("c1") => (vec!["c", "d"], Some("c2")),
                    Some("c2") => (vec!["e"], None),
                    other => panic!("unexpected cursor {other:?}"),
                };
                let entities: Vec<Value> = names.iter().map(|n| json!({"username": n})).collect();
                Json(json!({"entities": entities, "cursor": cursor}))
            },
        ),
    ))
    .await;
    let names: Vec<String> = client
        .users()
        .list_users()
        .limit(2)
        .into_stream()
        .map_ok(|user| user.username.unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn group_members_stream_every_page_by_number() {
    let client = serve(Router::new().route(
        "/org/app/chatgroups/{group}/users",
        get(
            |Path(group): Path<String>, RawQuery(q): RawQuery| async move {
                assert_eq!(group, "g1");
                let q = q.unwrap_or_default();
                let members: Vec<Value> = match q.as_str() {
                    "pagenum=1&pagesize=2" => vec![json!({"member": "a"}), json!({"owner": "b"})],
                    "pagenum=2&pagesize=2" => vec![json!({"member": "c"})],
                    other => panic!("unexpected query {other}"),
                };
                Json(json!({"data": members}))
            },
        ),
    ))
    .await;
    let members: Vec<_> = client
        .groups()
        .list_group_members("g1")
        .page_size(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(members.len(), 3);
}

#[test]
fn every_builder_exposes_its_documented_rate_limit() {
    use easemob_im::operations::{messages::SendUserTextMessage, users::GetUser};
    use std::time::Duration;
    assert_eq!((SendUserTextMessage::RATE_LIMIT.count, SendUserTextMessage::RATE_LIMIT.per), (6000, Duration::from_secs(60)));
    assert_eq!((GetUser::RATE_LIMIT.count, GetUser::RATE_LIMIT.per), (100, Duration::from_secs(1)));
}

#[tokio::test]
async fn a_batch_of_one_is_refused_before_sending() {
    let hits = Arc::new(Mutex::new(0));
    let count = hits.clone();
    let client = serve(Router::new().route(
        "/org/app/chatgroups/{group}/users/{members}",
        axum::routing::delete(move || {
            *count.lock().unwrap() += 1;
            async { Json(json!({"data": []})) }
        }),
    ))
    .await;
    let err = client.groups().remove_group_members("g1", ["a"]).await.unwrap_err();
    assert!(matches!(&err, easemob_im::Error::Encode(e) if e.message().contains("remove_group_member")), "{err:?}");
    assert_eq!(*hits.lock().unwrap(), 0);
    client.groups().remove_group_members("g1", ["a", "b"]).await.unwrap();
    assert_eq!(*hits.lock().unwrap(), 1);
}

#[test]
fn string_lists_take_any_iterable_of_strings() {
    let body = || MessageTextBody::new("hi");
    let from_array = SendUserTextMessageRequest::new(["bob", "carol"], body());
    let from_vec = SendUserTextMessageRequest::new(vec!["bob".to_owned(), "carol".to_owned()], body());
    let names = ["bob", "carol"];
    let from_iterator = SendUserTextMessageRequest::new(names.iter().copied(), body());
    for request in [from_array, from_vec, from_iterator] {
        assert_eq!(serde_json::to_value(&request).unwrap()["to"], json!(["bob", "carol"]));
    }
}

#[test]
fn boolean_enums_name_what_true_and_false_mean() {
    use easemob_im::models::{CreateGroupRequest, GroupVisibility, UpdateGroupRequest};
    let private = serde_json::to_value(CreateGroupRequest::new(GroupVisibility::Private, "ann")).unwrap();
    assert_eq!((&private["public"], &private["owner"]), (&json!(false), &json!("ann")));
    let public = serde_json::to_value(UpdateGroupRequest::new(GroupVisibility::Public)).unwrap();
    assert_eq!(public["public"], json!(true));
    assert_eq!(GroupVisibility::from_bool(false), GroupVisibility::Private);
    assert_eq!(GroupVisibility::Public.to_string(), "true");
}

#[test]
fn durations_are_duration_and_lasting_and_travel_as_milliseconds() {
    use easemob_im::models::{MuteChatroomMembersRequest, MuteGroupMembersRequest};
    use easemob_im::Lasting;
    use std::time::Duration;
    let group = serde_json::to_value(MuteGroupMembersRequest::new(Duration::from_secs(86_400), ["ann"])).unwrap();
    assert_eq!(group["mute_duration"], json!(86_400_000));
    let forever = serde_json::to_value(MuteChatroomMembersRequest::new(Lasting::Forever, ["ann"])).unwrap();
    assert_eq!(forever["mute_duration"], json!(-1));
    let minute = serde_json::to_value(MuteChatroomMembersRequest::new(Duration::from_secs(60), ["ann"])).unwrap();
    assert_eq!(minute["mute_duration"], json!(60_000));
}
