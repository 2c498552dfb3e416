//! Streams of items over paged list operations, made from a request builder and a function
//! that fetches one page with it.
//!
//! Generated list operations offer `into_stream()` built on these; they work the same for
//! any hand-written fetch function. Pages are fetched lazily, one at a time, when the items
//! already fetched run out. An error is yielded once, and then the stream ends.
//!
//! ```
//! # async fn demo() {
//! use futures_util::TryStreamExt;
//! use easemob_im::paging::cursor_stream;
//!
//! // A fake API with three pages, standing in for a generated list operation.
//! let pages = cursor_stream((), |(), cursor: Option<String>| async move {
//!     Ok(match cursor.as_deref() {
//!         None => (vec![1, 2], Some("b".to_owned())),
//!         Some("b") => (vec![3, 4], Some("c".to_owned())),
//!         _ => (vec![5], None),
//!     })
//! });
//! let all: Vec<i32> = pages.try_collect().await.unwrap();
//! assert_eq!(all, [1, 2, 3, 4, 5]);
//! # }
//! ```

use std::future::Future;

use futures_core::Stream;

use crate::Error;

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
    use futures_util::StreamExt;
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
}
