//! A chat webhook on loopback: a real HTTP server that takes each POST, keeps its path and
//! JSON body, and answers with the status the test sets (202, as Teams Workflows do, unless
//! told otherwise). One request per connection (it answers `Connection: close`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

/// One POST received.
#[derive(Debug, Clone)]
pub struct Post {
    pub path: String,
    pub body: serde_json::Value,
}

pub struct WebhookServer {
    pub port: u16,
    posts: Arc<Mutex<Vec<Post>>>,
    status: Arc<AtomicU16>,
}

impl WebhookServer {
    pub fn start() -> WebhookServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let posts = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(202));
        let (kept, answer) = (posts.clone(), status.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(post) = read_post(&mut stream) else {
                    continue;
                };
                let code = answer.load(Ordering::SeqCst);
                if (200..300).contains(&code) {
                    kept.lock().unwrap().push(post);
                }
                let reply = format!(
                    "HTTP/1.1 {code} Answer\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                );
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        WebhookServer {
            port,
            posts,
            status,
        }
    }

    /// The address to give UniAsset; `secret` stands for the part of a real webhook's
    /// address that lets anyone post.
    pub fn url(&self, secret: &str) -> String {
        format!("http://127.0.0.1:{}/hooks/{secret}", self.port)
    }

    /// The posts accepted so far, oldest first.
    pub fn posts(&self) -> Vec<Post> {
        self.posts.lock().unwrap().clone()
    }

    /// From now on, answer every post with `status` (and keep only the 2xx ones).
    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }
}

fn read_post(stream: &mut std::net::TcpStream) -> Option<Post> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let path = request_line.split_whitespace().nth(1)?.to_owned();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Post {
        path,
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    })
}
