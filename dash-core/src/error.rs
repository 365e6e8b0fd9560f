//! The crate's error type.

/// Everything that can go wrong in dash-core, with a message that says
/// what was wrong and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A component ID breaks the renderer's rules or is malformed.
    #[error("invalid component ID: {0}")]
    InvalidId(String),
    /// A callback was declared in a way Dash cannot run.
    #[error("invalid callback: {0}")]
    InvalidCallback(String),
    /// Two callbacks write the same output without `allow_duplicate`.
    #[error(
        "duplicate callback output {0}: every output may belong to one callback only; use `Output::allow_duplicate()` to share it"
    )]
    DuplicateOutput(String),
    /// The app is configured in a way that cannot be served.
    #[error("configuration error: {0}")]
    Config(String),
    /// A request to the server could not be understood.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The server could not bind or serve.
    #[error("server error: {0}")]
    Server(#[from] std::io::Error),
    /// A value could not be converted to or from JSON.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
}
