//! A soak driver for a Dash app: N keep-alive clients replay a mixed plan
//! of requests for a long time and report, by kind and by minute, what came
//! back — and the server's memory every 30 seconds.
//!
//! ```text
//! dash-soak --base http://127.0.0.1:8050 --plan PLAN.jsonl
//!           [--clients 8] [--seconds 600] [--server-pid PID]
//!           [--events FILE] [--rss-every 30]
//! ```
//! Each line of the plan is one request and what a correct server answers:
//! `{"kind": "flip", "method": "POST", "path": "/_dash-update-component",
//! "body": "...", "status": 200, "expect": "page_count"}` (`status` may be
//! `"4xx"`; `expect` is text the body must hold). Clients walk the plan
//! round-robin, each from its own offset.
//!
//! An answer that differs from its line is an *unexpected* error, except
//! inside an outage window: `--events FILE` is read at the end, lines
//! `down UNIX_MS` and `up UNIX_MS` written by whoever stopped and started a
//! service (scripts/soak.sh restarting Redis); errors from `down` to five
//! seconds after `up` are counted apart. Exits 1 if any unexpected error
//! happened, or if no request succeeded after the last outage.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde::Deserialize;

/// A request unanswered this long is an error (and its connection dropped).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// One planned request.
#[derive(Deserialize)]
struct Line {
    kind: String,
    method: String,
    path: String,
    #[serde(default)]
    body: String,
    status: serde_json::Value,
    #[serde(default)]
    expect: Option<String>,
}

struct Planned {
    kind: usize,
    post: bool,
    uri: hyper::Uri,
    body: Bytes,
    status: Expect,
    expect: Option<String>,
}

enum Expect {
    Exact(u16),
    Class(u16),
}

impl Expect {
    fn parse(v: &serde_json::Value) -> Result<Self, String> {
        match v {
            serde_json::Value::Number(n) => n
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .map(Expect::Exact)
                .ok_or(format!("bad status {n}")),
            serde_json::Value::String(s) if s.len() == 3 && s.ends_with("xx") => s[..1]
                .parse()
                .map(Expect::Class)
                .map_err(|_| format!("bad status {s:?}")),
            other => Err(format!("bad status {other}")),
        }
    }

    fn accepts(&self, code: u16) -> bool {
        match *self {
            Expect::Exact(c) => c == code,
            Expect::Class(c) => code / 100 == c,
        }
    }
}

struct Args {
    base: String,
    plan: Vec<Planned>,
    kinds: Vec<String>,
    clients: usize,
    seconds: f64,
    server_pid: Option<u32>,
    events: Option<String>,
    rss_every: f64,
}

fn parse_args() -> Result<Args, String> {
    let (mut base, mut plan_path, mut events) = (None, None, None);
    let (mut clients, mut seconds, mut rss_every, mut server_pid) = (8usize, 600.0, 30.0, None);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--base" => base = Some(val()?.trim_end_matches('/').to_owned()),
            "--plan" => plan_path = Some(val()?),
            "--clients" => clients = val()?.parse().map_err(|e| format!("--clients: {e}"))?,
            "--seconds" => seconds = val()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--rss-every" => rss_every = val()?.parse().map_err(|e| format!("--rss-every: {e}"))?,
            "--server-pid" => {
                server_pid = Some(val()?.parse().map_err(|e| format!("--server-pid: {e}"))?)
            }
            "--events" => events = Some(val()?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let base = base.ok_or("--base is required")?;
    let path = plan_path.ok_or("--plan is required")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let mut kinds: Vec<String> = Vec::new();
    let mut plan = Vec::new();
    for (n, raw) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line: Line = serde_json::from_str(raw).map_err(|e| format!("{path}:{}: {e}", n + 1))?;
        let kind = match kinds.iter().position(|k| *k == line.kind) {
            Some(k) => k,
            None => {
                kinds.push(line.kind.clone());
                kinds.len() - 1
            }
        };
        plan.push(Planned {
            kind,
            post: line.method.eq_ignore_ascii_case("POST"),
            uri: format!("{base}{}", line.path)
                .parse()
                .map_err(|e| format!("{path}:{}: {e}", n + 1))?,
            body: Bytes::from(line.body),
            status: Expect::parse(&line.status).map_err(|e| format!("{path}:{}: {e}", n + 1))?,
            expect: line.expect,
        });
    }
    if plan.is_empty() {
        return Err(format!("{path} holds no requests"));
    }
    Ok(Args {
        base,
        plan,
        kinds,
        clients: clients.max(1),
        seconds,
        server_pid,
        events,
        rss_every,
    })
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// One answered request.
struct Sample {
    kind: usize,
    minute: usize,
    at_ms: u64,
    micros: u32,
    error: Option<String>,
}

async fn connect(
    base: &str,
) -> Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>, String> {
    let uri: hyper::Uri = base.parse().map_err(|e| format!("bad --base: {e}"))?;
    let host = uri.host().ok_or("--base has no host")?.to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connect {host}:{port}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(conn);
    Ok(send)
}

/// What is wrong with an answer, if anything.
async fn check(planned: &Planned, resp: hyper::Response<hyper::body::Incoming>) -> Option<String> {
    let status = resp.status().as_u16();
    let body = match resp.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return Some(format!("body: {e}")),
    };
    let text = String::from_utf8_lossy(&body);
    let excerpt = || text.chars().take(200).collect::<String>();
    if !planned.status.accepts(status) {
        return Some(format!("status {status}: {}", excerpt()));
    }
    match &planned.expect {
        Some(e) if !text.contains(e.as_str()) => Some(format!("no {e:?} in: {}", excerpt())),
        _ => None,
    }
}

async fn client(n: usize, args: Arc<Args>, start: Instant, stop: Instant) -> Vec<Sample> {
    let mut samples = Vec::with_capacity(1 << 16);
    let mut send = None;
    let mut i = n * args.plan.len() / args.clients;
    while Instant::now() < stop {
        let planned = &args.plan[i % args.plan.len()];
        i += 1;
        let t0 = Instant::now();
        let error = async {
            if send.is_none() {
                send = Some(connect(&args.base).await?);
            }
            let sender = send.as_mut().ok_or("no connection")?;
            let req = Request::builder()
                .method(if planned.post { "POST" } else { "GET" })
                .uri(planned.uri.clone())
                .header("host", planned.uri.authority().map_or("", |a| a.as_str()))
                .header("content-type", "application/json")
                .body(Full::new(planned.body.clone()))
                .map_err(|e| e.to_string())?;
            let answer = async {
                let resp = sender
                    .send_request(req)
                    .await
                    .map_err(|e| format!("request: {e}"))?;
                check(planned, resp).await.map_or(Ok(()), Err)
            };
            tokio::time::timeout(REQUEST_TIMEOUT, answer)
                .await
                .map_err(|_| format!("no answer in {} s", REQUEST_TIMEOUT.as_secs()))?
        }
        .await
        .err();
        if error.is_some() {
            // A fresh connection after any failure: the old one may be gone.
            send = None;
        }
        samples.push(Sample {
            kind: planned.kind,
            minute: (t0 - start).as_secs() as usize / 60,
            at_ms: unix_ms(),
            micros: t0.elapsed().as_micros().min(u128::from(u32::MAX)) as u32,
            error,
        });
    }
    samples
}

fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Outage windows `[down, up + 5 s]` from the events file.
fn outages(path: Option<&str>) -> Vec<(u64, u64)> {
    let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else {
        return Vec::new();
    };
    let mut windows = Vec::new();
    let mut down = None;
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        match (
            parts.next(),
            parts.next().and_then(|t| t.parse::<u64>().ok()),
        ) {
            (Some("down"), Some(t)) => down = Some(t),
            (Some("up"), Some(t)) => {
                if let Some(d) = down.take() {
                    windows.push((d, t + 5_000));
                }
            }
            _ => {}
        }
    }
    if let Some(d) = down {
        windows.push((d, u64::MAX));
    }
    windows
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[idx.min(sorted.len() - 1)]) / 1000.0
}

/// Count, p50, p99 and max (ms) of the successful samples.
fn summary(samples: &[&Sample]) -> (usize, f64, f64, f64) {
    let mut ok: Vec<u32> = samples
        .iter()
        .filter(|s| s.error.is_none())
        .map(|s| s.micros)
        .collect();
    ok.sort_unstable();
    (
        ok.len(),
        percentile(&ok, 0.5),
        percentile(&ok, 0.99),
        percentile(&ok, 1.0),
    )
}

fn run(args: Arc<Args>) -> Result<bool, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let rss: Arc<Mutex<Vec<(f64, f64)>>> = Arc::default();
    let samples = rt.block_on(async {
        let start = Instant::now();
        let stop = start + Duration::from_secs_f64(args.seconds);
        if let Some(pid) = args.server_pid {
            let rss = Arc::clone(&rss);
            let every = Duration::from_secs_f64(args.rss_every.max(1.0));
            tokio::spawn(async move {
                loop {
                    let t = start.elapsed().as_secs_f64();
                    if let Some(mb) = rss_mb(pid) {
                        println!("t={t:>5.0}s  server RSS {mb:.1} MB");
                        rss.lock().unwrap_or_else(|e| e.into_inner()).push((t, mb));
                    }
                    tokio::time::sleep(every).await;
                }
            });
        }
        let tasks: Vec<_> = (0..args.clients)
            .map(|n| tokio::spawn(client(n, Arc::clone(&args), start, stop)))
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.map_err(|e| e.to_string())?);
        }
        Ok::<_, String>(all)
    })?;
    let windows = outages(args.events.as_deref());
    let in_outage = |s: &Sample| windows.iter().any(|&(a, b)| s.at_ms >= a && s.at_ms <= b);
    let unexpected: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.error.is_some() && !in_outage(s))
        .collect();
    let during: usize = samples
        .iter()
        .filter(|s| s.error.is_some() && in_outage(s))
        .count();

    println!(
        "\nby kind ({} clients, {:.0} s)",
        args.clients, args.seconds
    );
    println!(
        "  {:<12} {:>9} {:>8} {:>9} {:>9} {:>9}",
        "kind", "requests", "errors", "p50 ms", "p99 ms", "max ms"
    );
    for (k, name) in args.kinds.iter().enumerate() {
        let of: Vec<&Sample> = samples.iter().filter(|s| s.kind == k).collect();
        let errors = of
            .iter()
            .filter(|s| s.error.is_some() && !in_outage(s))
            .count();
        let (_, p50, p99, max) = summary(&of);
        println!(
            "  {name:<12} {:>9} {errors:>8} {p50:>9.2} {p99:>9.2} {max:>9.1}",
            of.len()
        );
    }
    println!("\nby minute (all kinds)");
    let mut minutes: BTreeMap<usize, Vec<&Sample>> = BTreeMap::new();
    for s in &samples {
        minutes.entry(s.minute).or_default().push(s);
    }
    for (m, of) in &minutes {
        let errors = of.iter().filter(|s| s.error.is_some()).count();
        let (ok, p50, p99, _) = summary(of);
        // the last minute may be shorter
        let secs = (args.seconds - *m as f64 * 60.0).clamp(1.0, 60.0);
        println!(
            "  minute {:>2}: {ok:>7} ok ({:>6.0}/s) {errors:>6} errors  p50 {p50:>7.2} ms  p99 {p99:>8.2} ms",
            m + 1,
            ok as f64 / secs
        );
    }
    let rss = rss.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let warm: Vec<f64> = rss
        .iter()
        .filter(|(t, _)| *t >= 60.0)
        .map(|&(_, mb)| mb)
        .collect();
    if let (Some(lo), Some(hi)) = (
        warm.iter().copied().reduce(f64::min),
        warm.iter().copied().reduce(f64::max),
    ) {
        println!(
            "\nRSS after the first minute: {lo:.1}–{hi:.1} MB (spread {:.1} % of the lowest)",
            100.0 * (hi - lo) / lo
        );
        // the band most samples sit in: a single sample taken during a
        // burst of large requests (exports, 10M-row filters) is a peak, not
        // the level
        let mut sorted = warm.clone();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
        let (p10, p90) = (at(0.1), at(0.9));
        println!(
            "RSS p10–p90: {p10:.1}–{p90:.1} MB (band {:.1} % of p10)",
            100.0 * (p90 - p10) / p10
        );
        // growth: the last samples against the first ones after warm-up
        let third = (warm.len() / 3).max(1);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (early, late) = (mean(&warm[..third]), mean(&warm[warm.len() - third..]));
        println!(
            "RSS trend: first third {early:.1} MB, last third {late:.1} MB ({:+.1} %)",
            100.0 * (late - early) / early
        );
    }
    let recovered = match windows.last() {
        None => true,
        Some(&(_, end)) => samples.iter().any(|s| s.error.is_none() && s.at_ms > end),
    };
    println!(
        "\nrequests {}  unexpected errors {}  errors during outages {during} ({} outage(s){})",
        samples.len(),
        unexpected.len(),
        windows.len(),
        if windows.is_empty() {
            ""
        } else if recovered {
            ", answered again after the last"
        } else {
            ", NOT answered again after the last"
        }
    );
    let mut firsts: BTreeMap<&str, &str> = BTreeMap::new();
    for s in &unexpected {
        if let Some(e) = &s.error {
            firsts
                .entry(args.kinds[s.kind].as_str())
                .or_insert(e.as_str());
        }
    }
    for (kind, e) in firsts {
        println!("  first unexpected {kind} error: {e}");
    }
    Ok(unexpected.is_empty() && recovered && !samples.is_empty())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("dash-soak: {e}");
            std::process::exit(2);
        }
    };
    match run(args) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("dash-soak: {e}");
            std::process::exit(1);
        }
    }
}
