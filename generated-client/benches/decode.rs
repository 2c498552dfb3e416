//! How fast large answers decode into the generated models compared with
//! `serde_json::Value`: 10,000 message-history records (the records of a
//! `get_message_history_file` download, `MessageHistoryRecord`) and a 1,000-member page of
//! `list_group_members` (`ListGroupMembersResponse`). The bodies are built in code, shaped
//! like the spec's models and examples, with a realistic mix of message types.
//!
//! Run with `cargo bench -p easemob-im --bench decode`; prints the median throughput in
//! MB/s (10^6 bytes) and the range over the runs. Dropping the decoded value is not timed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use easemob_im::models::{ListGroupMembersResponse, MessageHistoryRecord};

const RUNS: usize = 15;
const HISTORY_RECORDS: usize = 10_000;
const GROUP_MEMBERS: usize = 1_000;

/// One history record; `i` picks the message type (mostly text, as in real traffic) and
/// the conversation.
fn history_record(i: usize) -> Value {
    let from = format!("user{}", i % 97);
    let (chat_type, to) = match i % 10 {
        0..=5 => ("chat", format!("user{}", (i * 7) % 101)),
        6..=8 => ("groupchat", format!("2147{:09}", i % 53)),
        _ => ("chatroom", format!("1886{:09}", i % 11)),
    };
    let file = |kind: &str, ext: &str| {
        json!({
            "filename": format!("{kind}_{i}.{ext}"),
            "secret": format!("VfXXXXNb_{i:06}"),
            "url": format!("https://a1.easemob.com/easemob-demo/testapp/chatfiles/55f12940-{:04x}-11ec-8a5b-ff2336f03252", i % 65536),
            "file_length": 10_000 + i * 13,
        })
    };
    let body = match i % 20 {
        0..=12 => {
            json!({"type": "txt", "msg": format!("Message number {i}: see you at the meeting tomorrow, 明天见 👋")})
        }
        13 | 14 => {
            let mut b = file("image", "jpg");
            b["type"] = json!("img");
            b["size"] = json!({"width": 480, "height": 720});
            b
        }
        15 => {
            let mut b = file("audio", "amr");
            b["type"] = json!("audio");
            b["length"] = json!(3 + i % 50);
            b
        }
        16 => {
            let mut b = file("video", "mp4");
            b["type"] = json!("video");
            b["length"] = json!(10 + i % 90);
            b["thumb"] = json!(format!("https://a1.easemob.com/easemob-demo/testapp/chatfiles/67279b20-{:04x}-11ec-8e23-c7a5c1a6b8d0", i % 65536));
            b["thumb_secret"] = json!(format!("ZyebKn9pEeSSfY03ROk7ND24zUf74s7HpPN1oMV-{i:06}"));
            b["size"] = json!({"width": 1080, "height": 1920});
            b
        }
        17 => {
            json!({"type": "loc", "addr": "西城区西便门桥", "lat": 39.9053 + (i % 100) as f64 * 1e-4, "lng": 116.36302 - (i % 100) as f64 * 1e-4})
        }
        18 => json!({"type": "cmd", "action": "typing_begin"}),
        _ => {
            json!({"type": "custom", "customEvent": "gift_event", "customExts": {"gift_id": format!("{}", i % 40), "count": "1", "sender_level": "12"}})
        }
    };
    let ext = if i.is_multiple_of(3) {
        json!({"em_apns_ext": {"em_push_title": "New message", "em_push_content": "You have a new message"}, "conversation_tag": "work"})
    } else {
        json!({})
    };
    json!({
        "msg_id": format!("{}", 1_029_457_500_870_543_736_u64 + i as u64),
        "timestamp": 1_657_254_052_191_i64 + (i as i64) * 1_337,
        "direction": "outgoing",
        "to": to,
        "from": from,
        "chat_type": chat_type,
        "payload": {"bodies": [body], "ext": ext, "from": from, "to": to},
    })
}

fn history_body() -> Vec<u8> {
    let records: Vec<Value> = (0..HISTORY_RECORDS).map(history_record).collect();
    serde_json::to_vec(&records).unwrap()
}

fn members_body() -> Vec<u8> {
    let mut data = vec![json!({"owner": "group_owner_0"})];
    data.extend((1..GROUP_MEMBERS).map(|i| json!({"member": format!("member_{i:05}")})));
    serde_json::to_vec(&json!({
        "action": "get",
        "application": "52XXXXf0-XXXX-XXXX-b697-5d598d5f8402",
        "params": {"pagesize": [GROUP_MEMBERS.to_string()], "pagenum": ["1"]},
        "uri": "https://a1.easemob.com/easemob-demo/testapp/chatgroups/10XXXX85/users",
        "entities": [],
        "data": data,
        "timestamp": 1_489_074_511_416_i64,
        "duration": 0,
        "organization": "easemob-demo",
        "applicationName": "testapp",
        "count": GROUP_MEMBERS,
    }))
    .unwrap()
}

fn measure<T: DeserializeOwned>(name: &str, body: &[u8]) -> f64 {
    black_box(serde_json::from_slice::<T>(body).unwrap()); // warm-up
                                                           // A small body is decoded several times a run, so that each run decodes about 4 MB.
    let reps = (4_000_000 / body.len()).max(1);
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..reps {
                let start = Instant::now();
                let value: T = serde_json::from_slice(black_box(body)).unwrap();
                elapsed += start.elapsed();
                drop(black_box(value));
            }
            elapsed / reps as u32
        })
        .collect();
    times.sort();
    let mb_per_s = |t: Duration| body.len() as f64 / t.as_secs_f64() / 1e6;
    let median = mb_per_s(times[RUNS / 2]);
    println!(
        "{name:<44} median {median:>7.1} MB/s   {:>7.2} ms   (min {:.1}, max {:.1} MB/s, {RUNS} runs)",
        times[RUNS / 2].as_secs_f64() * 1e3,
        mb_per_s(times[RUNS - 1]),
        mb_per_s(times[0]),
    );
    median
}

fn compare<T: DeserializeOwned>(what: &str, model: &str, body: &[u8]) {
    println!("{what}: {:.2} MB", body.len() as f64 / 1e6);
    let typed = measure::<T>(&format!("  into {model}"), body);
    let value = measure::<Value>("  into serde_json::Value", body);
    println!("  generated models / Value: {:.2}x", typed / value);
}

fn main() {
    let history = history_body();
    let records: Vec<MessageHistoryRecord> = serde_json::from_slice(&history).unwrap();
    assert_eq!(records.len(), HISTORY_RECORDS);
    assert!(records.iter().all(|r| r
        .payload
        .as_ref()
        .is_some_and(|p| p.bodies.as_ref().is_some_and(|b| b.len() == 1))));
    drop(records);
    let members = members_body();
    let page: ListGroupMembersResponse = serde_json::from_slice(&members).unwrap();
    assert_eq!(page.data.map(|d| d.len()), Some(GROUP_MEMBERS));

    compare::<Vec<MessageHistoryRecord>>(
        &format!("{HISTORY_RECORDS} message-history records"),
        "Vec<MessageHistoryRecord>",
        &history,
    );
    compare::<ListGroupMembersResponse>(
        &format!("list_group_members, {GROUP_MEMBERS} members"),
        "ListGroupMembersResponse",
        &members,
    );
}
