//! Integers on the wire that count time (the spec's `unit:`), held as [`Duration`] in Rust,
//! and [`Lasting`] where one wire value (`-1`) means "for good".
//!
//! The `serde_*` modules are what generated fields name in `#[serde(with = "...")]`.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer};

/// How long something lasts: a span of time, or for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lasting {
    /// For this long.
    For(Duration),
    /// `-1` on the wire.
    Forever,
}

impl From<Duration> for Lasting {
    fn from(span: Duration) -> Self {
        Lasting::For(span)
    }
}

/// The wire value of `span` in milliseconds or seconds, saturating at `i64::MAX`.
fn to_wire(span: Duration, milliseconds: bool) -> i64 {
    let count = if milliseconds { span.as_millis() } else { u128::from(span.as_secs()) };
    i64::try_from(count).unwrap_or(i64::MAX)
}

fn from_wire<E: serde::de::Error>(value: i64, milliseconds: bool) -> Result<Duration, E> {
    let count = u64::try_from(value).map_err(|_| E::custom(format!("a negative duration: {value}")))?;
    Ok(if milliseconds { Duration::from_millis(count) } else { Duration::from_secs(count) })
}

fn lasting_to_wire(lasting: Lasting, milliseconds: bool) -> i64 {
    match lasting {
        Lasting::For(span) => to_wire(span, milliseconds),
        Lasting::Forever => -1,
    }
}

fn lasting_from_wire<E: serde::de::Error>(value: i64, milliseconds: bool) -> Result<Lasting, E> {
    if value == -1 {
        Ok(Lasting::Forever)
    } else {
        from_wire(value, milliseconds).map(Lasting::For)
    }
}

macro_rules! time_module {
    ($name:ident, $milliseconds:expr, $ty:ty, $to:ident, $from:ident) => {
        #[doc(hidden)]
        pub mod $name {
            use super::*;

            pub fn serialize<S: Serializer>(value: &$ty, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64($to(*value, $milliseconds))
            }

            pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<$ty, D::Error> {
                $from(i64::deserialize(deserializer)?, $milliseconds)
            }

            /// The same for an optional field.
            pub mod option {
                use super::*;

                pub fn serialize<S: Serializer>(value: &Option<$ty>, serializer: S) -> Result<S::Ok, S::Error> {
                    match value {
                        Some(value) => serializer.serialize_i64($to(*value, $milliseconds)),
                        None => serializer.serialize_none(),
                    }
                }

                pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<$ty>, D::Error> {
                    Option::<i64>::deserialize(deserializer)?.map(|value| $from(value, $milliseconds)).transpose()
                }
            }
        }
    };
}

time_module!(serde_milliseconds, true, Duration, to_wire, from_wire);
time_module!(serde_seconds, false, Duration, to_wire, from_wire);
time_module!(serde_milliseconds_lasting, true, Lasting, lasting_to_wire, lasting_from_wire);
time_module!(serde_seconds_lasting, false, Lasting, lasting_to_wire, lasting_from_wire);

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Mute {
        #[serde(with = "serde_milliseconds")]
        group: Duration,
        #[serde(with = "serde_milliseconds_lasting")]
        room: Lasting,
        #[serde(with = "serde_seconds::option", default, skip_serializing_if = "Option::is_none")]
        ttl: Option<Duration>,
    }

    #[test]
    fn durations_travel_as_integers_of_their_unit() {
        let mute = Mute { group: Duration::from_secs(86_400), room: Lasting::Forever, ttl: Some(Duration::from_secs(60)) };
        let json = serde_json::to_value(&mute).unwrap();
        assert_eq!(json, serde_json::json!({"group": 86_400_000, "room": -1, "ttl": 60}));
        assert_eq!(serde_json::from_value::<Mute>(json).unwrap(), mute);
        let absent: Mute = serde_json::from_str(r#"{"group": 5, "room": 7}"#).unwrap();
        assert_eq!((absent.group, absent.room, absent.ttl), (Duration::from_millis(5), Lasting::For(Duration::from_millis(7)), None));
    }

    #[test]
    fn negative_spans_other_than_forever_are_refused() {
        let err = serde_json::from_str::<Mute>(r#"{"group": -5, "room": 1}"#).unwrap_err();
        assert!(err.to_string().contains("negative duration"), "{err}");
        assert!(serde_json::from_str::<Mute>(r#"{"group": 1, "room": -2}"#).is_err());
    }
}
