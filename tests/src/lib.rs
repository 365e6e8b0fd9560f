//! Cross-crate test suites live in `tests/tests/`; the browser suite in `tests/e2e/`.
