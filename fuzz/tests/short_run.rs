//! The short fuzzing run of the test command: every example's callbacks
//! and the filter grammar, a few thousand cases each, no finding allowed.
//! (`scripts/fuzz.sh` runs millions.)

/// The seeds are the requests the renderer sends on page load: each is
/// answered, so the mutations start from requests that work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_seed_is_answered() {
    let bad = fuzz::unanswered_seeds().await.unwrap();
    assert!(bad.is_empty(), "{bad:#?}");
}

/// Callbacks on components an answer adds are seeded too: the todo list's
/// MATCH, ALL and ALLSMALLER callbacks on an item the Add click appended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_on_added_components_are_seeded() {
    let targets = fuzz::targets::all().await.unwrap();
    let todo = targets.iter().find(|t| t.name == "todo").unwrap();
    let outputs: Vec<String> = todo
        .seeds
        .iter()
        .map(|s| s["output"].as_str().unwrap_or("").to_owned())
        .collect();
    for wanted in ["\"label\"}.style", "\"total\"}.children", "count.children"] {
        assert!(
            outputs.iter().any(|o| o.contains(wanted)),
            "no seed for {wanted}: {outputs:#?}"
        );
    }
    // the item's ALLSMALLER list holds only items before it (none)
    let total = todo
        .seeds
        .iter()
        .find(|s| s["output"].as_str().unwrap_or("").contains("\"total\""))
        .unwrap();
    assert_eq!(total["inputs"][1], serde_json::json!([]), "{total}");
}

/// The background job is fuzzed from a start that really starts a job, and
/// from its hidden cancel callback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_job_starts_and_cancels_are_seeded() {
    let targets = fuzz::targets::all().await.unwrap();
    let job = targets.iter().find(|t| t.name == "long_job").unwrap();
    let outputs: Vec<&str> = job
        .seeds
        .iter()
        .map(|s| s["output"].as_str().unwrap_or(""))
        .collect();
    assert!(outputs.contains(&"result.children"), "{outputs:?}");
    assert!(
        outputs.iter().any(|o| o.starts_with("cancel.id@")),
        "{outputs:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_bodies_get_answers_not_faults() {
    let r = fuzz::fuzz_bodies(6_000, 7).await.unwrap();
    println!("{}", r.summary());
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    // The mutations reach both sides: answered and refused requests.
    assert!(r.ok > 100 && r.refused > 1_000, "{}", r.summary());
}

#[test]
fn filter_queries_never_panic() {
    let r = fuzz::fuzz_queries(20_000, 7).unwrap();
    println!("{}", r.summary());
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    assert!(r.ok > 500 && r.refused > 500, "{}", r.summary());
}
