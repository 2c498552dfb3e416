//! Streams of items over paged list operations, made from a request builder and a function
//! that fetches one page with it.
//!
//! Generated list operations offer `into_stream()` built on these; they work the same for
//! any hand-written fetch function. Pages are fetched lazily, one at a time, when the items
//! already fetched run out. An error is yielded once, and then the stream ends.
//!
//! [`ItemStreamExt`] (also at the crate root) collects such a stream without importing
//! anything from `futures`: [`collect_all`](ItemStreamExt::collect_all) for every item,
//! [`collect_at_most`](ItemStreamExt::collect_at_most) to bound what a large list costs.
//! For anything else, the crate re-exports `futures`' [`StreamExt`] and
//! [`TryStreamExt`].
//!
//! ```
//! # async fn demo() {
//! use easemob_im::paging::{cursor_stream, ItemStreamExt};
//!
//! // A fake API with three pages, standing in for a generated list operation.
//! let pages = || cursor_stream((), |(), cursor: Option<String>| async move {
//!     Ok(match cursor.as_deref() {
//!         None => (vec![1, 2], Some("b".to_owned())),
//!         Some("b") => (vec![3, 4], Some("c".to_owned())),
//!         _ => (vec![5], None),
//!     })
//! });
//! assert_eq!(pages().collect_all().await.unwrap(), [1, 2, 3, 4, 5]);
//! // Two pages fetched, not three.
//! assert_eq!(pages().collect_at_most(3).await.unwrap(), [1, 2, 3]);
//! # }
//! ```

use std::future::Future;

use futures_core::Stream;
use futures_util::stream::{Take, TryCollect};
use futures_util::{StreamExt, TryStreamExt};

use crate::Error;

/// Collecting the items of a paging stream (what a list operation's `into_stream()`
/// returns, or any stream of `Result<T, Error>`), fetching pages as needed and stopping at
/// the first error. Implemented for every such stream; in scope with
/// `use easemob_im::ItemStreamExt`.
pub trait ItemStreamExt<T>: Stream<Item = Result<T, Error>> + Sized {
    /// Every item of every page, in order, or the first error.
    ///
    /// Unbounded: it keeps every item in memory and fetches pages until the list ends, so
    /// an app's whole user list, or a chat room's whole member list, is as many requests
    /// and as much memory as the list is long. Use
    /// [`collect_at_most`](Self::collect_at_most) where the length is not yours to choose.
    fn collect_all(self) -> TryCollect<Self, Vec<T>> {
        TryStreamExt::try_collect(self)
    }

    /// The first `max` items (fewer if the list is shorter), or the first error; no page
    /// beyond the one holding the `max`-th item is fetched. Whether more items follow is
    /// not known: ask for `max + 1` to find out.
    fn collect_at_most(self, max: usize) -> TryCollect<Take<Self>, Vec<T>> {
        TryStreamExt::try_collect(StreamExt::take(self, max))
    }
}

impl<T, S: Stream<Item = Result<T, Error>>> ItemStreamExt<T> for S {}

/// The items of every page of a cursor-paged list.
///
/// `fetch(builder, cursor)` sends one request and returns the page's items and the cursor
/// of the next page. It is called first with `None` (meaning: the builder's own cursor, if
/// it has one), then with each cursor returned. The stream ends after a page without a
/// next cursor (absent or empty), a page without items, or a page that returns the cursor
/// it was asked with (which would otherwise loop forever).
pub fn cursor_stream<B, T, F, Fut>(builder: B, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    B: Clone,
    F: FnMut(B, Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), Error>>,
{
    struct State<B, T, F> {
        builder: B,
        fetch: F,
        items: std::vec::IntoIter<T>,
        /// `None` once the last page has been fetched.
        next: Option<Option<String>>,
    }
    let state = State {
        builder,
        fetch,
        items: Vec::new().into_iter(),
        next: Some(None),
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.items.next() {
                return Some((Ok(item), state));
            }
            let cursor = state.next.take()?;
            match (state.fetch)(state.builder.clone(), cursor.clone()).await {
                Ok((items, next)) => {
                    let next = next.filter(|n| !n.is_empty());
                    let repeated = next.is_some() && next == cursor;
                    if repeated {
                        tracing::warn!("the server returned the same cursor again; stopping");
                    }
                    if !items.is_empty() && !repeated {
                        state.next = next.map(Some);
                    }
                    state.items = items.into_iter();
                }
                Err(error) => return Some((Err(error), state)),
            }
        }
    })
}

/// A cursor the server sends as free-form JSON, as the text the next request carries: a
/// string as it is, a number in decimal; anything else (`null`) ends the list.
pub fn cursor_text(cursor: &serde_json::Value) -> Option<String> {
    match cursor {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The items of every page of a numbered-page list.
///
/// `fetch(builder, page)` sends one request for page number `page` (starting at
/// `first_page`, then counting up) and returns the page's items and the page size it
/// asked for, if known. The stream ends after an empty page, or a page with fewer items
/// than the size asked for.
pub fn page_stream<B, T, F, Fut>(
    builder: B,
    first_page: u64,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>>
where
    B: Clone,
    F: FnMut(B, u64) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<u64>), Error>>,
{
    struct State<B, T, F> {
        builder: B,
        fetch: F,
        items: std::vec::IntoIter<T>,
        /// `None` once the last page has been fetched.
        next: Option<u64>,
    }
    let state = State {
        builder,
        fetch,
        items: Vec::new().into_iter(),
        next: Some(first_page),
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.items.next() {
                return Some((Ok(item), state));
            }
            let page = state.next.take()?;
            match (state.fetch)(state.builder.clone(), page).await {
                Ok((items, size)) => {
                    let full =
                        !items.is_empty() && size.is_none_or(|size| items.len() as u64 >= size);
                    if full {
                        state.next = page.checked_add(1);
                    }
                    state.items = items.into_iter();
                }
                Err(error) => return Some((Err(error), state)),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_cursor_is_text_a_number_or_nothing() {
        use serde_json::json;
        assert_eq!(cursor_text(&json!("abc")), Some("abc".to_owned()));
        assert_eq!(cursor_text(&json!(42)), Some("42".to_owned()));
        assert_eq!(cursor_text(&json!(null)), None);
        assert_eq!(cursor_text(&json!({"next": 1})), None);
    }
    use std::sync::{Arc, Mutex};

    async fn drain<S: Stream<Item = Result<u32, Error>>>(s: S) -> Vec<Result<u32, String>> {
        s.map(|r| r.map_err(|e| e.to_string())).collect().await
    }

    #[tokio::test]
    async fn cursor_stops_on_missing_empty_or_repeated_cursor_and_empty_pages() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let c = calls.clone();
        let s = cursor_stream("b", move |builder, cursor| {
            c.lock().unwrap().push((builder, cursor.clone()));
            async move {
                Ok(match cursor.as_deref() {
                    None => (vec![1, 2], Some("x".to_owned())),
                    Some("x") => (vec![3], Some(String::new())),
                    _ => unreachable!(),
                })
            }
        });
        assert_eq!(drain(s).await, vec![Ok(1), Ok(2), Ok(3)]);
        assert_eq!(
            *calls.lock().unwrap(),
            vec![("b", None), ("b", Some("x".to_owned()))]
        );

        let s = cursor_stream((), |(), _| async { Ok((vec![1], Some("same".to_owned()))) });
        // First call has cursor None, returns "same"; second asks with "same", gets "same": stop.
        assert_eq!(drain(s).await, vec![Ok(1), Ok(1)]);

        let s = cursor_stream((), |(), _| async {
            Ok((Vec::<u32>::new(), Some("more".to_owned())))
        });
        assert_eq!(drain(s).await, vec![]);
    }

    #[tokio::test]
    async fn cursor_error_is_yielded_once() {
        let s = cursor_stream((), |(), cursor: Option<String>| async move {
            match cursor {
                None => Ok((vec![1], Some("n".to_owned()))),
                Some(_) => Err(Error::Config("boom".into())),
            }
        });
        let out = drain(s).await;
        assert_eq!(out.len(), 2);
        assert_eq!(out[0], Ok(1));
        assert!(out[1].as_ref().unwrap_err().contains("boom"));
    }

    #[tokio::test]
    async fn fetches_lazily() {
        let calls = Arc::new(Mutex::new(0));
        let c = calls.clone();
        let s = page_stream((), 1, move |(), page| {
            *c.lock().unwrap() += 1;
            async move { Ok((vec![page as u32 * 10, page as u32 * 10 + 1], Some(2))) }
        });
        let first_three: Vec<_> = s.take(3).collect().await;
        assert_eq!(first_three.len(), 3);
        assert_eq!(*calls.lock().unwrap(), 2);
    }

    #[tokio::test]
    async fn pages_stop_on_short_or_empty_page() {
        let s = page_stream((), 1, |(), page| async move {
            Ok(match page {
                1 | 2 => (vec![page as u32; 2], Some(2)),
                3 => (vec![3], Some(2)),
                _ => unreachable!(),
            })
        });
        assert_eq!(drain(s).await, vec![Ok(1), Ok(1), Ok(2), Ok(2), Ok(3)]);

        // Unknown size: continue until an empty page.
        let s = page_stream((), 0, |(), page| async move {
            Ok((if page < 2 { vec![page as u32] } else { vec![] }, None))
        });
        assert_eq!(drain(s).await, vec![Ok(0), Ok(1)]);

        let s = page_stream((), u64::MAX, |(), _| async { Ok((vec![7], None)) });
        assert_eq!(
            drain(s).await,
            vec![Ok(7)],
            "no overflow at the last page number"
        );
    }

    #[tokio::test]
    async fn page_error_ends_the_stream() {
        let s = page_stream((), 1, |(), page| async move {
            if page == 2 {
                Err(Error::Config("bad page".into()))
            } else {
                Ok((vec![1], Some(1)))
            }
        });
        let out = drain(s).await;
        assert_eq!(out.len(), 2);
        assert!(out[1].is_err());
    }

    #[tokio::test]
    async fn collect_all_and_at_most() {
        let calls = Arc::new(Mutex::new(0));
        let pages = |calls: Arc<Mutex<u32>>| {
            page_stream((), 1, move |(), page| {
                *calls.lock().unwrap() += 1;
                async move {
                    match page {
                        1..=3 => Ok((vec![page as u32; 2], Some(2))),
                        _ => Ok((vec![], Some(2))),
                    }
                }
            })
        };
        assert_eq!(
            pages(calls.clone()).collect_all().await.unwrap(),
            [1, 1, 2, 2, 3, 3]
        );
        assert_eq!(*calls.lock().unwrap(), 4);
        *calls.lock().unwrap() = 0;
        assert_eq!(
            pages(calls.clone()).collect_at_most(3).await.unwrap(),
            [1, 1, 2]
        );
        assert_eq!(*calls.lock().unwrap(), 2, "no page fetched beyond the third item");
        assert!(pages(calls.clone()).collect_at_most(0).await.unwrap().is_empty());

        let failing = page_stream((), 1, |(), page| async move {
            match page {
                1 => Ok((vec![1u32], Some(1))),
                _ => Err(Error::Config("bad page".into())),
            }
        });
        assert!(matches!(failing.collect_all().await, Err(Error::Config(_))));
    }
}
