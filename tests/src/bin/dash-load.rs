//! A load generator for Dash callback endpoints: N keep-alive HTTP/1.1
//! clients POST callback requests for a fixed time and report throughput,
//! latency percentiles and errors.
//!
//! ```text
//! dash-load --url http://127.0.0.1:8050/_dash-update-component \
//!           --body '{"output":"greeting.children",...}' \
//!           [--bodies FILE] [--clients 8] [--seconds 10] [--warmup 2]
//!           [--expect TEXT] [--reject TEXT] [--server-pid PID]
//! ```
//! `--bodies FILE` takes one JSON body per line, used round-robin (to
//! make every request different, e.g. uncached filters). A successful
//! status whose body lacks the `--expect` text or holds the `--reject`
//! text counts as an error (a callback that answered with a message
//! instead of data did not do the work being measured).
//!
//! `--server-pid PID` (Linux) also reports the server's CPU time per
//! request over the measured seconds (from `/proc/PID/stat`, whose clock
//! ticks are 1/100 s): a figure that depends less than throughput on what
//! else the machine is doing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;

struct Args {
    url: String,
    bodies: Vec<Bytes>,
    clients: usize,
    seconds: f64,
    warmup: f64,
    expect: Option<String>,
    reject: Option<String>,
    server_pid: Option<u32>,
}

fn parse_args() -> Result<Args, String> {
    let mut url = None;
    let mut bodies = Vec::new();
    let (mut clients, mut seconds, mut warmup) = (8usize, 10.0f64, 2.0f64);
    let (mut expect, mut reject, mut server_pid) = (None, None, None);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--url" => url = Some(val()?),
            "--body" => bodies.push(Bytes::from(val()?)),
            "--bodies" => {
                let path = val()?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
                bodies.extend(
                    text.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(|l| Bytes::from(l.to_owned())),
                );
            }
            "--clients" => clients = val()?.parse().map_err(|e| format!("--clients: {e}"))?,
            "--seconds" => seconds = val()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--warmup" => warmup = val()?.parse().map_err(|e| format!("--warmup: {e}"))?,
            "--expect" => expect = Some(val()?),
            "--reject" => reject = Some(val()?),
            "--server-pid" => {
                server_pid = Some(val()?.parse().map_err(|e| format!("--server-pid: {e}"))?);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let url = url.ok_or("--url is required")?;
    if bodies.is_empty() {
        return Err("give --body or --bodies".into());
    }
    Ok(Args {
        url,
        bodies,
        clients: clients.max(1),
        seconds,
        warmup,
        expect,
        reject,
        server_pid,
    })
}

/// User plus system CPU time of process `pid` so far, in clock ticks
/// (1/100 s), from `/proc/PID/stat`.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces;
    // fields 3 onwards follow the last `)`. utime and stime are 14 and 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

struct ClientResult {
    latencies_us: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
}

async fn client(
    n: usize,
    args: Arc<Args>,
    start_measuring: Instant,
    stop: Instant,
) -> Result<ClientResult, String> {
    let uri: hyper::Uri = args.url.parse().map_err(|e| format!("bad --url: {e}"))?;
    let host = uri.host().ok_or("--url has no host")?.to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connect {host}:{port}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(conn);
    let mut res = ClientResult {
        latencies_us: Vec::with_capacity(1 << 16),
        errors: 0,
        first_error: None,
    };
    let mut i = n;
    loop {
        let now = Instant::now();
        if now >= stop {
            break;
        }
        let body = args.bodies[i % args.bodies.len()].clone();
        i += args.clients;
        let req = Request::post(uri.clone())
            .header("host", format!("{host}:{port}"))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        let t0 = Instant::now();
        let outcome = match send.send_request(req).await {
            Ok(resp) => {
                let status = resp.status();
                match resp.into_body().collect().await {
                    Ok(b) if status.is_success() => check_body(&args, &b.to_bytes()),
                    Ok(b) => Err(format!(
                        "status {status}: {}",
                        String::from_utf8_lossy(&b.to_bytes())
                            .chars()
                            .take(200)
                            .collect::<String>()
                    )),
                    Err(e) => Err(format!("body: {e}")),
                }
            }
            Err(e) => Err(format!("request: {e}")),
        };
        let us = t0.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        if t0 < start_measuring {
            if let Err(e) = outcome {
                return Err(e);
            }
            continue;
        }
        match outcome {
            Ok(_) => res.latencies_us.push(us),
            Err(e) => {
                res.errors += 1;
                res.first_error.get_or_insert(e);
                send.ready()
                    .await
                    .map_err(|e| format!("connection lost: {e}"))?;
            }
        }
    }
    Ok(res)
}

/// Applies `--expect` and `--reject` to a successful answer.
fn check_body(args: &Args, body: &[u8]) -> Result<usize, String> {
    let text = String::from_utf8_lossy(body);
    let excerpt = || text.chars().take(300).collect::<String>();
    if let Some(e) = &args.expect
        && !text.contains(e.as_str())
    {
        return Err(format!("answer without {e:?}: {}", excerpt()));
    }
    if let Some(r) = &args.reject
        && text.contains(r.as_str())
    {
        return Err(format!("answer with {r:?}: {}", excerpt()));
    }
    Ok(body.len())
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[idx.min(sorted.len() - 1)]) / 1000.0
}

fn main() {
    let args = match parse_args() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("dash-load: {e}");
            std::process::exit(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dash-load: {e}");
            std::process::exit(1);
        }
    };
    let results = rt.block_on(async {
        let t0 = Instant::now();
        let start = t0 + Duration::from_secs_f64(args.warmup);
        let stop = start + Duration::from_secs_f64(args.seconds);
        let tasks: Vec<_> = (0..args.clients)
            .map(|n| tokio::spawn(client(n, args.clone(), start, stop)))
            .collect();
        // The server's CPU time at the start and end of the measured time.
        let cpu = args.server_pid.map(|pid| {
            tokio::spawn(async move {
                tokio::time::sleep_until(start.into()).await;
                let before = cpu_ticks(pid);
                tokio::time::sleep_until(stop.into()).await;
                before.zip(cpu_ticks(pid)).map(|(b, a)| a.saturating_sub(b))
            })
        });
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.map_err(|e| e.to_string()).and_then(|r| r));
        }
        let cpu = match cpu {
            Some(t) => t.await.ok().flatten(),
            None => None,
        };
        (out, cpu)
    });
    let (results, server_ticks) = results;
    let mut all = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for r in results {
        match r {
            Ok(r) => {
                all.extend(r.latencies_us);
                errors += r.errors;
                if first_error.is_none() {
                    first_error = r.first_error;
                }
            }
            Err(e) => {
                eprintln!("dash-load: a client failed: {e}");
                std::process::exit(1);
            }
        }
    }
    all.sort_unstable();
    let n = all.len();
    println!(
        "requests {n}  errors {errors}  clients {}  seconds {:.1}",
        args.clients, args.seconds
    );
    println!(
        "throughput {:.0} req/s  p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
        n as f64 / args.seconds,
        percentile(&all, 0.50),
        percentile(&all, 0.99),
        percentile(&all, 1.0)
    );
    match (args.server_pid, server_ticks) {
        (Some(_), Some(ticks)) if n > 0 => {
            let secs = ticks as f64 / 100.0;
            println!(
                "server CPU {:.1} us per request  ({:.2} cores busy)",
                secs * 1e6 / n as f64,
                secs / args.seconds
            );
        }
        (Some(pid), _) => {
            println!("server CPU: not measured (no /proc/{pid}/stat, or no requests)")
        }
        _ => {}
    }
    if let Some(e) = first_error {
        println!("first error: {e}");
    }
}
