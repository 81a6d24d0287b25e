//! The least HTTP/1.1 client the Ray Jobs API needs: one request per
//! connection (`Connection: close`), a JSON body out, the status and body
//! back (`Content-Length`, chunked, or up to the close). Plain `http://`
//! only: Ray's dashboard speaks plain HTTP; reach a remote one through an
//! SSH tunnel or port-forward. No dependency, so the `tune` feature stays
//! as small as it was.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Longest response body read (Ray's logs of one job included).
const MAX_BODY: usize = 256 << 20;

/// A base address: `http://host:port` with an optional path prefix.
#[derive(Clone, Debug, PartialEq)]
pub struct Base {
    host: String,
    port: u16,
    prefix: String,
}

impl Base {
    /// Parses `http://host[:port][/prefix]` (port 80 by default).
    pub fn parse(url: &str) -> Result<Base, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!(
                "{url:?}: give the Ray dashboard as http://HOST:PORT \
                 (https is not supported: use an SSH tunnel or port-forward)"
            )
        })?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("{url:?}: bad port {p:?}"))?,
            ),
            _ => (authority, 80),
        };
        if host.is_empty() {
            return Err(format!("{url:?}: no host"));
        }
        Ok(Base {
            host: host.trim_start_matches('[').trim_end_matches(']').into(),
            port,
            prefix: path.to_string(),
        })
    }
}

/// Sends `method path` with an optional JSON body; returns the status code
/// and the body. Errors are one line (connection refused, timed out, a
/// response that is not HTTP).
pub fn request(
    base: &Base,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
    timeout: Duration,
) -> Result<(u16, Vec<u8>), String> {
    let addr = (base.host.as_str(), base.port)
        .to_socket_addrs()
        .map_err(|e| format!("{}:{}: {e}", base.host, base.port))?
        .next()
        .ok_or_else(|| format!("{}: no address", base.host))?;
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{addr}: {e}"))?;
    s.set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let payload = match body {
        Some(v) => serde_json::to_vec(v).map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    let host = if base.host.contains(':') {
        format!("[{}]:{}", base.host, base.port)
    } else {
        format!("{}:{}", base.host, base.port)
    };
    let mut head = format!(
        "{method} {}{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Accept: application/json\r\nUser-Agent: hp-report\r\n",
        base.prefix
    );
    if body.is_some() {
        head += &format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            payload.len()
        );
    }
    head += "\r\n";
    s.write_all(head.as_bytes())
        .and_then(|()| s.write_all(&payload))
        .map_err(|e| format!("{addr}: {e}"))?;
    read_response(BufReader::new(s)).map_err(|e| format!("{addr}: {e}"))
}

/// Reads a status line, headers and body.
fn read_response(mut r: impl BufRead) -> Result<(u16, Vec<u8>), String> {
    let mut line = String::new();
    r.read_line(&mut line).map_err(|e| e.to_string())?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|_| line.starts_with("HTTP/"))
        .ok_or_else(|| format!("not an HTTP response: {:?}", line.trim()))?;
    let (mut length, mut chunked) = (None, false);
    loop {
        line.clear();
        if r.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            break;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            if k == "content-length" {
                length = v.parse::<usize>().ok();
            } else if k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked") {
                chunked = true;
            }
        }
    }
    let body = if chunked {
        read_chunked(&mut r)?
    } else if let Some(n) = length {
        if n > MAX_BODY {
            return Err(format!("response of {n} bytes is too large"));
        }
        let mut b = vec![0; n];
        r.read_exact(&mut b).map_err(|e| e.to_string())?;
        b
    } else {
        let mut b = Vec::new();
        r.take(MAX_BODY as u64)
            .read_to_end(&mut b)
            .map_err(|e| e.to_string())?;
        b
    };
    Ok((status, body))
}

fn read_chunked(r: &mut impl BufRead) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        r.read_line(&mut line).map_err(|e| e.to_string())?;
        let size = line.trim().split(';').next().unwrap_or("");
        let n = usize::from_str_radix(size, 16)
            .map_err(|_| format!("bad chunk size {:?}", line.trim()))?;
        if n == 0 {
            return Ok(body);
        }
        if body.len() + n > MAX_BODY {
            return Err("response too large".into());
        }
        let start = body.len();
        body.resize(start + n, 0);
        r.read_exact(&mut body[start..])
            .map_err(|e| e.to_string())?;
        line.clear();
        r.read_line(&mut line).map_err(|e| e.to_string())?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases() {
        let b = Base::parse("http://127.0.0.1:8265").unwrap();
        assert_eq!(
            (b.host.as_str(), b.port, b.prefix.as_str()),
            ("127.0.0.1", 8265, "")
        );
        let b = Base::parse("http://ray.lab/dash/").unwrap();
        assert_eq!(
            (b.host.as_str(), b.port, b.prefix.as_str()),
            ("ray.lab", 80, "/dash")
        );
        assert!(Base::parse("https://x:1").is_err());
        assert!(Base::parse("http://x:port").is_err());
    }

    #[test]
    fn responses() {
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}extra";
        assert_eq!(read_response(&r[..]).unwrap(), (200, b"{}".to_vec()));
        let r = b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x\r\nde\r\n0\r\n\r\n";
        assert_eq!(read_response(&r[..]).unwrap(), (404, b"abcde".to_vec()));
        let r = b"HTTP/1.0 500 X\r\n\r\nto the end";
        assert_eq!(
            read_response(&r[..]).unwrap(),
            (500, b"to the end".to_vec())
        );
        assert!(read_response(&b"SSH-2.0\r\n"[..]).is_err());
    }
}
