//! Callback functions with flexible signatures.
//!
//! Any `Fn(T1, …, Tn) -> R` is a callback when every `Ti` derives
//! `Deserialize` and `R` is one of:
//! - a value that derives `Serialize` (a `String`, a tuple, a struct, a
//!   component, [`NoUpdate`], [`Update<T>`], a [`crate::Patch`], …);
//! - `Result<T, E>` where `E` converts into [`CallbackError`] (any
//!   `std::error::Error`, [`PreventUpdate`], or [`CallbackError`] itself);
//! - a future (an `async` block or `async fn`) resolving to either.
//!
//! With one parameter, the whole argument group is deserialized into it;
//! with `n > 1` parameters, the top-level group must be an `n`-tuple and
//! its entries are deserialized one per parameter.

use std::any::TypeId;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

const NO_UPDATE_KEY: &str = "_dash_no_update";

/// Leaves an output as it is (Dash's `no_update`).
///
/// ```
/// use dash_core::NoUpdate;
/// // A callback returning `(String, NoUpdate)` updates only its first output.
/// let result: (String, NoUpdate) = ("x".into(), NoUpdate);
/// # let _ = result;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NoUpdate;

impl Serialize for NoUpdate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(NO_UPDATE_KEY, NO_UPDATE_KEY)?;
        m.end()
    }
}

/// A value or no update, for outputs that change only sometimes.
///
/// ```
/// use dash_core::Update;
/// fn label(n: u32) -> Update<String> {
///     if n == 0 { Update::NoUpdate } else { Update::Set(format!("{n} clicks")) }
/// }
/// # let _ = label(1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Update<T> {
    /// Set the output to this value.
    Set(T),
    /// Leave the output as it is.
    NoUpdate,
}

impl<T: Serialize> Serialize for Update<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Update::Set(v) => v.serialize(s),
            Update::NoUpdate => NoUpdate.serialize(s),
        }
    }
}

impl<T> From<T> for Update<T> {
    fn from(v: T) -> Self {
        Update::Set(v)
    }
}

pub(crate) fn is_no_update(v: &Value) -> bool {
    matches!(v, Value::Object(m) if m.len() == 1 && m.get(NO_UPDATE_KEY).and_then(Value::as_str) == Some(NO_UPDATE_KEY))
}

/// Stops the callback without updating anything (Dash's `PreventUpdate`):
/// the server answers `204 No Content`.
///
/// ```
/// use dash_core::{CallbackError, PreventUpdate};
/// fn on_click(n: Option<u32>) -> Result<String, CallbackError> {
///     let n = n.ok_or(PreventUpdate)?;
///     Ok(format!("{n}"))
/// }
/// # let _ = on_click(None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PreventUpdate;

impl fmt::Display for PreventUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("update prevented")
    }
}
impl std::error::Error for PreventUpdate {}

/// Why a callback produced no result.
#[derive(Debug)]
pub struct CallbackError {
    kind: ErrorKind,
}

#[derive(Debug)]
pub(crate) enum ErrorKind {
    Prevent,
    Failed(String),
    BadArguments(String),
}

impl CallbackError {
    /// A failure with a message for the person using the app.
    pub fn msg(message: impl fmt::Display) -> Self {
        CallbackError {
            kind: ErrorKind::Failed(message.to_string()),
        }
    }

    /// Stop without updating anything (same as [`PreventUpdate`]).
    pub fn prevent_update() -> Self {
        CallbackError {
            kind: ErrorKind::Prevent,
        }
    }

    /// The request's values do not fit (a forged reference, a malformed
    /// prop): the client gets a 400 with the message, not a 500 — the
    /// server did nothing wrong.
    ///
    /// ```
    /// use dash_core::CallbackError;
    /// let e = CallbackError::bad_input("the table's data source is invalid");
    /// assert!(e.to_string().contains("invalid"));
    /// ```
    pub fn bad_input(message: impl fmt::Display) -> Self {
        Self::bad_arguments(message.to_string())
    }

    pub(crate) fn bad_arguments(message: String) -> Self {
        CallbackError {
            kind: ErrorKind::BadArguments(message),
        }
    }

    pub(crate) fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Whether this is a [`PreventUpdate`].
    pub fn is_prevent_update(&self) -> bool {
        matches!(self.kind, ErrorKind::Prevent)
    }
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Prevent => f.write_str("update prevented"),
            ErrorKind::Failed(m) | ErrorKind::BadArguments(m) => f.write_str(m),
        }
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for CallbackError {
    fn from(e: E) -> Self {
        if TypeId::of::<E>() == TypeId::of::<PreventUpdate>() {
            CallbackError::prevent_update()
        } else {
            CallbackError::msg(e)
        }
    }
}

/// Marker: a callback returned a plain serializable value.
#[doc(hidden)]
pub struct Plain;
/// Marker: a callback returned a `Result`.
#[doc(hidden)]
pub struct Fallible;
/// Marker: a callback returned a future.
#[doc(hidden)]
pub struct Async<M>(PhantomData<M>);

/// What a callback function may return. `M` is a marker chosen by type
/// inference; users never name it.
pub trait IntoCallbackOutput<M>: Send + 'static {
    /// Resolves the result to JSON.
    fn into_output(self) -> BoxFuture<Result<Value, CallbackError>>;
}

fn to_json<T: Serialize>(v: T) -> Result<Value, CallbackError> {
    serde_json::to_value(v)
        .map_err(|e| CallbackError::msg(format!("the callback's result is not valid JSON: {e}")))
}

impl<T: Serialize + Send + 'static> IntoCallbackOutput<Plain> for T {
    fn into_output(self) -> BoxFuture<Result<Value, CallbackError>> {
        let r = to_json(self);
        Box::pin(std::future::ready(r))
    }
}

impl<T, E> IntoCallbackOutput<Fallible> for Result<T, E>
where
    T: Serialize + Send + 'static,
    E: Into<CallbackError> + Send + 'static,
{
    fn into_output(self) -> BoxFuture<Result<Value, CallbackError>> {
        let r = self.map_err(Into::into).and_then(to_json);
        Box::pin(std::future::ready(r))
    }
}

impl<F, M> IntoCallbackOutput<Async<M>> for F
where
    F: Future + Send + 'static,
    F::Output: IntoCallbackOutput<M>,
    M: 'static,
{
    fn into_output(self) -> BoxFuture<Result<Value, CallbackError>> {
        Box::pin(async move { self.await.into_output().await })
    }
}

/// A callback function: a closure or `fn` taking deserializable
/// arguments. `Args` and `M` are inferred; users never name them.
pub trait Handler<Args, M>: Send + Sync + 'static {
    /// How many parameters the function takes.
    const ARITY: usize;
    /// Calls the function with the grouped argument value.
    fn call(&self, args: Value) -> BoxFuture<Result<Value, CallbackError>>;
}

fn arg<T: DeserializeOwned>(v: Value, n: usize) -> Result<T, CallbackError> {
    serde_json::from_value(v)
        .map_err(|e| CallbackError::bad_arguments(format!("argument {n} could not be read: {e}")))
}

fn failed(e: CallbackError) -> BoxFuture<Result<Value, CallbackError>> {
    Box::pin(std::future::ready(Err(e)))
}

impl<F, R, M> Handler<(), M> for F
where
    F: Fn() -> R + Send + Sync + 'static,
    R: IntoCallbackOutput<M>,
{
    const ARITY: usize = 0;
    fn call(&self, _args: Value) -> BoxFuture<Result<Value, CallbackError>> {
        self().into_output()
    }
}

impl<F, R, M, T1> Handler<(T1,), M> for F
where
    F: Fn(T1) -> R + Send + Sync + 'static,
    R: IntoCallbackOutput<M>,
    T1: DeserializeOwned,
{
    const ARITY: usize = 1;
    fn call(&self, args: Value) -> BoxFuture<Result<Value, CallbackError>> {
        match arg::<T1>(args, 1) {
            Ok(a) => self(a).into_output(),
            Err(e) => failed(e),
        }
    }
}

macro_rules! spread_handler {
    ($n:literal; $($t:ident $i:literal),+) => {
        impl<F, R, M, $($t),+> Handler<($($t,)+), M> for F
        where
            F: Fn($($t),+) -> R + Send + Sync + 'static,
            R: IntoCallbackOutput<M>,
            $($t: DeserializeOwned),+
        {
            const ARITY: usize = $n;
            #[allow(non_snake_case)]
            fn call(&self, args: Value) -> BoxFuture<Result<Value, CallbackError>> {
                let Value::Array(items) = args else {
                    return failed(CallbackError::bad_arguments(format!(
                        "expected {} grouped arguments", $n
                    )));
                };
                if items.len() != $n {
                    return failed(CallbackError::bad_arguments(format!(
                        "expected {} arguments, got {}", $n, items.len()
                    )));
                }
                let mut it = items.into_iter();
                $(
                    let $t = match arg::<$t>(it.next().unwrap_or(Value::Null), $i) {
                        Ok(v) => v,
                        Err(e) => return failed(e),
                    };
                )+
                self($($t),+).into_output()
            }
        }
    };
}
spread_handler!(2; A 1, B 2);
spread_handler!(3; A 1, B 2, C 3);
spread_handler!(4; A 1, B 2, C 3, D 4);
spread_handler!(5; A 1, B 2, C 3, D 4, E 5);
spread_handler!(6; A 1, B 2, C 3, D 4, E 5, G 6);
spread_handler!(7; A 1, B 2, C 3, D 4, E 5, G 6, H 7);
spread_handler!(8; A 1, B 2, C 3, D 4, E 5, G 6, H 7, I 8);
spread_handler!(9; A 1, B 2, C 3, D 4, E 5, G 6, H 7, I 8, J 9);
spread_handler!(10; A 1, B 2, C 3, D 4, E 5, G 6, H 7, I 8, J 9, K 10);
spread_handler!(11; A 1, B 2, C 3, D 4, E 5, G 6, H 7, I 8, J 9, K 10, L 11);
spread_handler!(12; A 1, B 2, C 3, D 4, E 5, G 6, H 7, I 8, J 9, K 10, L 11, N 12);

/// A type-erased callback function.
pub(crate) trait ErasedHandler: Send + Sync + 'static {
    fn call(&self, args: Value) -> BoxFuture<Result<Value, CallbackError>>;
}

pub(crate) struct Erased<H, Args, M> {
    pub(crate) handler: H,
    pub(crate) _marker: PhantomData<fn() -> (Args, M)>,
}

impl<H, Args, M> ErasedHandler for Erased<H, Args, M>
where
    H: Handler<Args, M>,
    Args: 'static,
    M: 'static,
{
    fn call(&self, args: Value) -> BoxFuture<Result<Value, CallbackError>> {
        self.handler.call(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<Args, M>(h: impl Handler<Args, M>, args: Value) -> Result<Value, CallbackError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(h.call(args))
    }

    #[test]
    fn signatures() {
        assert_eq!(
            run(|s: String| format!("hi {s}"), "x".into()).unwrap(),
            Value::from("hi x")
        );
        assert_eq!(
            run(|a: i32, b: i32| a + b, serde_json::json!([1, 2])).unwrap(),
            Value::from(3)
        );
        assert_eq!(
            run(
                |a: i32| async move { Ok::<_, CallbackError>(a * 2) },
                Value::from(4)
            )
            .unwrap(),
            Value::from(8)
        );
        let e = run(
            |_: i32| -> Result<i32, CallbackError> { Err(PreventUpdate.into()) },
            Value::from(1),
        )
        .unwrap_err();
        assert!(e.is_prevent_update());
        let e = run(|a: i32| a, Value::from("x")).unwrap_err();
        assert!(e.to_string().contains("argument 1"), "{e}");
    }

    #[test]
    fn no_update_sentinel() {
        let v = serde_json::to_value((Update::Set(1), Update::<i32>::NoUpdate)).unwrap();
        assert!(is_no_update(&v[1]));
        assert!(!is_no_update(&v[0]));
    }
}
