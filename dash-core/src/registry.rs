//! Step 2 of a callback request: the app's callbacks, compiled and
//! checked once when it starts serving, looked up by their `output` key.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;

use crate::callback::{Callback, ClientsideFunction, Compiled, Kind};
use crate::error::Error;
use crate::handler::ErasedHandler;
use crate::request::BadRequest;

/// The callbacks of an app: by `output` key, and `_dash-dependencies`.
pub(crate) struct Registry {
    by_output: HashMap<String, Arc<Compiled>>,
    /// The `_dash-dependencies` body.
    pub(crate) dependencies: Bytes,
    /// Sources of inline clientside callbacks, for the index page.
    pub(crate) inline_clientside: Vec<String>,
}

impl Registry {
    /// The handlers of the background callbacks, by `output` key.
    pub(crate) fn background_handlers(&self) -> HashMap<String, Arc<dyn ErasedHandler>> {
        self.by_output
            .iter()
            .filter(|(_, c)| c.background.is_some())
            .filter_map(|(k, c)| match &c.kind {
                Kind::Server { handler, .. } => Some((k.clone(), Arc::clone(handler))),
                Kind::Clientside(_) => None,
            })
            .collect()
    }

    /// Compiles `callbacks` in order. The very same declaration twice (a
    /// link-time callback also added to the app) is kept once; two
    /// callbacks writing one output without `allow_duplicate` are an error.
    pub(crate) fn build(
        callbacks: impl IntoIterator<Item = Callback>,
        default_prevent: bool,
    ) -> Result<Self, Error> {
        let mut by_output: HashMap<String, Arc<Compiled>> = HashMap::new();
        let mut order: Vec<Arc<Compiled>> = Vec::new();
        let mut owners: HashMap<String, String> = HashMap::new();
        let mut inline_clientside = Vec::new();
        for cb in callbacks {
            let compiled = Compiled::compile(cb, default_prevent)?;
            if let Some(existing) = by_output.get(&compiled.output_key) {
                if existing.dependency_json() == compiled.dependency_json() {
                    continue;
                }
                let first = compiled
                    .outputs
                    .first()
                    .map_or_else(|| compiled.output_key.clone(), |o| o.prop_id());
                return Err(Error::DuplicateOutput(first));
            }
            for o in compiled.outputs.iter().filter(|o| !o.allow_duplicate) {
                if let Some(prev) = owners.insert(o.prop_id(), compiled.output_key.clone())
                    && prev != compiled.output_key
                {
                    return Err(Error::DuplicateOutput(o.prop_id()));
                }
            }
            if let Kind::Clientside(ClientsideFunction::Inline(src)) = &compiled.kind {
                inline_clientside.push(src.clone());
            }
            let compiled = Arc::new(compiled);
            by_output.insert(compiled.output_key.clone(), compiled.clone());
            order.push(compiled);
        }
        let deps: Vec<Value> = order.iter().map(|c| c.dependency_json()).collect();
        Ok(Registry {
            by_output,
            dependencies: Bytes::from(serde_json::to_vec(&deps)?),
            inline_clientside,
        })
    }

    /// The server-side callback registered for `output`.
    pub(crate) fn find(&self, output: &str) -> Result<&Arc<Compiled>, BadRequest> {
        let Some(cb) = self.by_output.get(output) else {
            return Err(BadRequest(
                404,
                format!(
                    "no callback is registered for output {output:?}; the page may be out of date (reload it)"
                ),
            ));
        };
        if matches!(cb.kind, Kind::Clientside(_)) {
            return Err(BadRequest(
                400,
                format!("{output:?} is a clientside callback; the browser runs it"),
            ));
        }
        Ok(cb)
    }
}
