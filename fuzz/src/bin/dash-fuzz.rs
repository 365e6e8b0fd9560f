//! A fuzzing campaign: `dash-fuzz [--cases N] [--seed S]` runs N callback
//! bodies and N filter queries (see the `fuzz` crate) and prints what it
//! found; exits 1 on any finding.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut cases: u64 = 1_000_000;
    let mut seed: u64 = 1;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().ok_or_else(|| format!("{a} needs a value"))?;
        match a.as_str() {
            "--cases" => cases = v.replace('_', "").parse()?,
            "--seed" => seed = v.parse()?,
            other => return Err(format!("unknown option {other} (--cases N, --seed S)").into()),
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let started = std::time::Instant::now();
    let bodies = rt.block_on(fuzz::fuzz_bodies(cases, seed))?;
    println!(
        "callback bodies: {} ({:.0} s)",
        bodies.summary(),
        started.elapsed().as_secs_f64()
    );
    let started = std::time::Instant::now();
    let queries = fuzz::fuzz_queries(cases, seed)?;
    println!(
        "filter queries:  {} ({:.0} s)",
        queries.summary(),
        started.elapsed().as_secs_f64()
    );
    let findings: Vec<&String> = bodies.findings.iter().chain(&queries.findings).collect();
    for f in &findings {
        println!("FINDING {f}");
    }
    if findings.is_empty() {
        Ok(())
    } else {
        std::process::exit(1)
    }
}
