//! What the generated client costs per call compared with a hand-written `reqwest` +
//! `serde_json` call of the same endpoint: three calls (get a user, send a text message,
//! list users one page at a time and through `into_stream`), both sides against the same
//! in-process axum server on loopback that answers fixed bodies shaped like the spec's
//! examples, so both parse identical bytes into the same generated model types.
//!
//! Run with `cargo bench -p easemob-im --bench client_overhead`. Prints, for each call,
//! the median throughput of each side over several rounds (the two sides alternate within
//! a round, so a noisy neighbour hits both), the ratio generated / hand-written, and the
//! allocations per call made on the calling thread (the server runs on its own thread and
//! is not counted). `BENCH_CALLS` and `BENCH_RUNS` change the calls per round and the
//! number of rounds; `BENCH_ONLY=get_user` runs only the calls whose name contains it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::extract::RawQuery;
use axum::http::header::CONTENT_TYPE;
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use futures_util::TryStreamExt;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use serde::de::DeserializeOwned;
use serde_json::json;

use easemob_im::models::{
    MessageSendResponse, MessageTextBody, SendUserTextMessageRequest, User, UserEntitiesResponse,
    UserListResponse,
};
use easemob_im::{Client, Credentials};

// ---------------------------------------------------------------- allocation counting

/// Counts the allocations (and reallocations) of the current thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: every method forwards to `System` unchanged; counting touches only a
// const-initialised thread-local `Cell<u64>`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

// ---------------------------------------------------------------- the canned server

const ORG: &str = "demo";
const APP: &str = "demo";
const CLIENT_ID: &str = "YXA6i-Ak8Ol4Eei2l11ZjV-EAg";
const CLIENT_SECRET: &str = "YXA6VunqiNxoB7IwXHInk1cGiXOOJfc";
const TOKEN: &str = "YWMtWY_pCnc9EeyE4pZQDhDTDQAAAAAAAAAAAAAAAAAAAAFZwNWTXgEAAAGAzsuaLQBPGgD4XQr_S0cIfaLr1l2KX9UEBTAcCWtu5M_g";
/// Users per page of `list_users`, and pages of the whole listing.
const PAGE_SIZE: usize = 10;
const PAGES: usize = 3;

fn envelope(action: &str, path: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut value = json!({
        "action": action,
        "application": "8be024f0-XXXX-XXXX-b697-5d598d5f8402",
        "path": path,
        "uri": format!("https://a1.easemob.com/{ORG}/{APP}{path}"),
        "timestamp": 1542798985011_i64,
        "duration": 6,
        "organization": ORG,
        "applicationName": APP,
    });
    value
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    value
}

fn user(i: usize) -> serde_json::Value {
    json!({
        "uuid": format!("0ffe2d80-{i:04x}-11e8-8d66-279e3e1c214b"),
        "type": "user",
        "created": 1542795196504_i64 + i as i64,
        "modified": 1542795196504_i64 + i as i64,
        "username": format!("user{i}"),
        "activated": true,
        "nickname": format!("Test user {i}"),
    })
}

/// Page `page` (0-based) of the user listing; all but the last carry a cursor.
fn users_page(page: usize) -> serde_json::Value {
    let entities: Vec<_> = (0..PAGE_SIZE).map(|i| user(page * PAGE_SIZE + i)).collect();
    let mut extra = json!({"entities": entities, "count": PAGE_SIZE, "params": {"limit": [PAGE_SIZE.to_string()]}});
    if page + 1 < PAGES {
        extra["cursor"] = json!(cursor(page + 1));
    }
    envelope("get", "/users", extra)
}

fn cursor(page: usize) -> String {
    format!("LTgzNDAxMjM0NTY3OD{page}kRDNTZ2tB")
}

struct Bodies {
    token: Bytes,
    user: Bytes,
    sent: Bytes,
    pages: Vec<Bytes>,
}

fn bodies() -> Bodies {
    let bytes = |value: serde_json::Value| Bytes::from(serde_json::to_vec(&value).unwrap());
    Bodies {
        token: bytes(
            json!({"access_token": TOKEN, "expires_in": 5_184_000, "application": "8be024f0-XXXX-XXXX-b697-5d598d5f8402"}),
        ),
        user: bytes(envelope(
            "get",
            "/users",
            json!({"entities": [user(1)], "count": 1}),
        )),
        sent: bytes(envelope(
            "post",
            "/messages/users",
            json!({"data": {"user2": "1029457500870543736"}}),
        )),
        pages: (0..PAGES).map(|page| bytes(users_page(page))).collect(),
    }
}

fn json_response(body: &Bytes) -> impl axum::response::IntoResponse {
    ([(CONTENT_TYPE, "application/json")], body.clone())
}

/// Serves the canned answers on a thread of its own; returns the base URL.
fn start_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let b = std::sync::Arc::new(bodies());
            let (token, user, sent, pages) = (b.clone(), b.clone(), b.clone(), b);
            let router = Router::new()
                .route(
                    &format!("/{ORG}/{APP}/token"),
                    post(move |_body: Bytes| async move { json_response(&token.token) }),
                )
                .route(
                    &format!("/{ORG}/{APP}/users/{{username}}"),
                    get(move || async move { json_response(&user.user) }),
                )
                .route(
                    &format!("/{ORG}/{APP}/messages/users"),
                    post(move |_body: Bytes| async move { json_response(&sent.sent) }),
                )
                .route(
                    &format!("/{ORG}/{APP}/users"),
                    get(move |RawQuery(query): RawQuery| async move {
                        let query = query.unwrap_or_default();
                        let page = (1..PAGES)
                            .find(|&p| query.contains(&format!("cursor={}", cursor(p))))
                            .unwrap_or(0);
                        json_response(&pages.pages[page])
                    }),
                );
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    format!("http://{addr}")
}

// ---------------------------------------------------------------- the two clients

fn generated_client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .org_name(ORG)
        .app_name(APP)
        .credentials(Credentials::client_credentials(CLIENT_ID, CLIENT_SECRET))
        .build()
        .unwrap()
}

/// What a careful hand-written client holds: a reqwest client configured like the
/// generated one (no redirects, 60 s timeout, 10 s connect timeout), the URL prefix and
/// the app token, fetched once.
struct Hand {
    http: reqwest::Client,
    prefix: String,
    auth: HeaderValue,
}

impl Hand {
    async fn new(base: &str) -> Hand {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("hand-written/0.1")
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let prefix = format!("{base}/{ORG}/{APP}");
        let token: serde_json::Value = http
            .post(format!("{prefix}/token"))
            .json(&json!({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        let auth = format!("Bearer {}", token["access_token"].as_str().unwrap());
        Hand {
            http,
            prefix,
            auth: HeaderValue::from_str(&auth).unwrap(),
        }
    }

    async fn json<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> T {
        request
            .header(AUTHORIZATION, self.auth.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn get_user(&self, username: &str) -> UserEntitiesResponse {
        self.json(self.http.get(format!("{}/users/{username}", self.prefix)))
            .await
    }

    async fn send_text(&self, body: &SendUserTextMessageRequest) -> MessageSendResponse {
        self.json(
            self.http
                .post(format!("{}/messages/users", self.prefix))
                .json(body),
        )
        .await
    }

    async fn list_users(&self, limit: usize, cursor: Option<&str>) -> UserListResponse {
        let mut request = self
            .http
            .get(format!("{}/users", self.prefix))
            .query(&[("limit", limit.to_string())]);
        if let Some(cursor) = cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        self.json(request).await
    }

    async fn all_users(&self, limit: usize) -> Vec<User> {
        let mut users = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self.list_users(limit, cursor.as_deref()).await;
            let items = page.entities.unwrap_or_default();
            let done = items.is_empty();
            users.extend(items);
            cursor = page.cursor.filter(|c| !c.is_empty());
            if done || cursor.is_none() {
                return users;
            }
        }
    }
}

fn text_message() -> SendUserTextMessageRequest {
    SendUserTextMessageRequest::new(
        vec!["user2".to_owned()],
        MessageTextBody::new("Hello from the benchmark: 你好"),
    )
    .with_from("user1")
    .with_ext(json!({"em_ignore_notification": true}))
}

// ---------------------------------------------------------------- measuring

struct Settings {
    calls: usize,
    runs: usize,
    /// Only the calls whose name contains this (`BENCH_ONLY`), for profiling one.
    only: Option<String>,
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Calls per second of `calls` calls of `f`, run one after another.
fn rate<F, Fut>(runtime: &tokio::runtime::Runtime, calls: usize, f: &F) -> f64
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    runtime.block_on(async {
        let start = Instant::now();
        for _ in 0..calls {
            f().await;
        }
        calls as f64 / start.elapsed().as_secs_f64()
    })
}

/// Allocations per call on this thread, over `calls` calls.
fn allocations_per_call<F, Fut>(runtime: &tokio::runtime::Runtime, calls: usize, f: &F) -> f64
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    runtime.block_on(async {
        let before = allocations();
        for _ in 0..calls {
            f().await;
        }
        (allocations() - before) as f64 / calls as f64
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Runs both sides round after round, alternating which goes first, and prints one line.
fn compare<G, GF, H, HF>(
    name: &str,
    runtime: &tokio::runtime::Runtime,
    settings: &Settings,
    calls_per_item: usize,
    generated: G,
    hand: H,
) where
    G: Fn() -> GF,
    GF: Future<Output = ()>,
    H: Fn() -> HF,
    HF: Future<Output = ()>,
{
    // `calls_per_item` HTTP calls make one item (a whole listing for `into_stream`); the
    // figures printed are per HTTP call.
    if settings
        .only
        .as_deref()
        .is_some_and(|only| !name.contains(only))
    {
        return;
    }
    let calls = (settings.calls / calls_per_item).max(1);
    let per_call = calls_per_item as f64;
    // Warm-up: connections open, caches filled, code paged in.
    rate(runtime, calls / 4 + 1, &generated);
    rate(runtime, calls / 4 + 1, &hand);
    let (mut g, mut h) = (Vec::new(), Vec::new());
    for run in 0..settings.runs {
        if run.is_multiple_of(2) {
            g.push(rate(runtime, calls, &generated));
            h.push(rate(runtime, calls, &hand));
        } else {
            h.push(rate(runtime, calls, &hand));
            g.push(rate(runtime, calls, &generated));
        }
    }
    let (gen_min, gen_max) = (
        per_call * g.iter().copied().fold(f64::INFINITY, f64::min),
        per_call * g.iter().copied().fold(0.0, f64::max),
    );
    let (gen_rate, hand_rate) = (per_call * median(g), per_call * median(h));
    let gen_allocs = allocations_per_call(runtime, 200, &generated) / per_call;
    let hand_allocs = allocations_per_call(runtime, 200, &hand) / per_call;
    println!(
        "{name:<26} generated {gen_rate:>8.0}/s   hand-written {hand_rate:>8.0}/s   ratio {:>5.1}%   allocations/call {gen_allocs:>6.1} vs {hand_allocs:>6.1}   (generated min {gen_min:.0}, max {gen_max:.0})",
        100.0 * gen_rate / hand_rate,
    );
}

fn main() {
    let settings = Settings {
        calls: env_or("BENCH_CALLS", 2000),
        runs: env_or("BENCH_RUNS", 11),
        only: std::env::var("BENCH_ONLY").ok(),
    };
    let base = start_server();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = generated_client(&base);
    let hand = runtime.block_on(Hand::new(&base));

    // Both sides decode the same bytes into the same values.
    runtime.block_on(async {
        let got = client.users().get_user("user1").await.unwrap();
        assert_eq!(got, hand.get_user("user1").await);
        assert_eq!(got.entities.unwrap()[0].username.as_deref(), Some("user1"));
        let sent = client
            .messages()
            .send_user_text_message(text_message())
            .await
            .unwrap();
        assert_eq!(sent, hand.send_text(&text_message()).await);
        let page = client
            .users()
            .list_users()
            .limit(PAGE_SIZE as i64)
            .await
            .unwrap();
        assert_eq!(page, hand.list_users(PAGE_SIZE, None).await);
        let all: Vec<User> = client
            .users()
            .list_users()
            .limit(PAGE_SIZE as i64)
            .into_stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), PAGE_SIZE * PAGES);
        assert_eq!(all, hand.all_users(PAGE_SIZE).await);
    });

    println!(
        "{} HTTP calls a round ({} listings of {PAGES} pages for into_stream), median of {} rounds; \
         HTTP calls per second and allocations per HTTP call on the calling thread",
        settings.calls,
        settings.calls / PAGES,
        settings.runs
    );
    compare(
        "get_user",
        &runtime,
        &settings,
        1,
        || async {
            black_box(client.users().get_user("user1").await.unwrap());
        },
        || async {
            black_box(hand.get_user("user1").await);
        },
    );
    compare(
        "send_user_text_message",
        &runtime,
        &settings,
        1,
        || async {
            let body = text_message();
            black_box(
                client
                    .messages()
                    .send_user_text_message(body)
                    .await
                    .unwrap(),
            );
        },
        || async {
            let body = text_message();
            black_box(hand.send_text(&body).await);
        },
    );
    compare(
        "list_users (one page)",
        &runtime,
        &settings,
        1,
        || async {
            black_box(
                client
                    .users()
                    .list_users()
                    .limit(PAGE_SIZE as i64)
                    .await
                    .unwrap(),
            );
        },
        || async {
            black_box(hand.list_users(PAGE_SIZE, None).await);
        },
    );
    compare(
        "list_users into_stream",
        &runtime,
        &settings,
        PAGES,
        || async {
            let all: Vec<User> = client
                .users()
                .list_users()
                .limit(PAGE_SIZE as i64)
                .into_stream()
                .try_collect()
                .await
                .unwrap();
            black_box(all);
        },
        || async {
            black_box(hand.all_users(PAGE_SIZE).await);
        },
    );
}
