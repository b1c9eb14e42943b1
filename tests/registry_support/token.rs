//! A token service for a registry started with `--token`: it checks HTTP Basic credentials and answers with a JWT
//! (ES256, the signing certificate in its `x5c` header) granting what the `scope` asked for, as the distribution
//! registry's token authentication expects.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};

use super::http::{self, Req, Resp};
use ocicheck::source::registry::credentials::base64_encode;

pub const SERVICE: &str = "ocicheck-registry";
pub const ISSUER: &str = "ocicheck-token";

pub struct TokenServer {
    pub port: u16,
    key: Arc<Vec<u8>>,
    cert_der: Arc<Vec<u8>>,
    /// The requests it got (to see what a client sent).
    pub asked: Arc<Mutex<Vec<Req>>>,
}

fn b64url(bytes: &[u8]) -> String {
    base64_encode(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// The DER of the first certificate of a PEM file.
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    ocicheck::formats::base64_decode(&body).unwrap_or_else(|| panic!("certificate PEM"))
}

/// A JWT for `subject` with access `actions` to repository `repo`.
fn mint(key: &[u8], cert_der: &[u8], subject: &str, repo: &str, actions: &[String]) -> String {
    let rng = SystemRandom::new();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, key, &rng)
        .unwrap_or_else(|e| panic!("token key: {e}"));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header =
        serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [base64_encode(cert_der)]});
    let access: Vec<serde_json::Value> = if repo.is_empty() {
        Vec::new()
    } else {
        vec![serde_json::json!({"type": "repository", "name": repo, "actions": actions})]
    };
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": subject, "aud": SERVICE,
        "exp": now + 600, "nbf": now - 60, "iat": now,
        "jti": format!("{now}-{}", rand_u64()), "access": access,
    });
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let sig = pair
        .sign(&rng, input.as_bytes())
        .unwrap_or_else(|e| panic!("sign: {e}"));
    format!("{input}.{}", b64url(sig.as_ref()))
}

fn rand_u64() -> u64 {
    let mut b = [0u8; 8];
    let _ = ring::rand::SecureRandom::fill(&SystemRandom::new(), &mut b);
    u64::from_le_bytes(b)
}

impl TokenServer {
    /// Serve tokens to `user`:`password` only, signed with `dir/token.key` (made by `registry.sh token-cert`).
    pub fn start(dir: &Path, user: &str, password: &str) -> TokenServer {
        let key = Arc::new(std::fs::read(dir.join("token.key")).unwrap_or_else(|e| panic!("{e}")));
        let pem = std::fs::read_to_string(dir.join("token.crt")).unwrap_or_else(|e| panic!("{e}"));
        let cert_der = Arc::new(pem_der(&pem));
        let asked: Arc<Mutex<Vec<Req>>> = Arc::default();
        let expected = format!(
            "Basic {}",
            base64_encode(format!("{user}:{password}").as_bytes())
        );
        let (k, c, a, user) = (
            key.clone(),
            cert_der.clone(),
            asked.clone(),
            user.to_string(),
        );
        let port = http::serve(Arc::new(move |req: Req, stream| {
            a.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(req.clone());
            if req.header("authorization") != Some(expected.as_str()) {
                let _ = http::write_response(
                    stream,
                    &Resp::new(
                        401,
                        r#"{"errors":[{"code":"UNAUTHORIZED","message":"credentials required"}]}"#,
                    )
                    .with("Content-Type", "application/json"),
                    false,
                );
                return;
            }
            // scope=repository:<name>:<actions>
            let scope = req.query("scope").unwrap_or_default();
            let mut parts = scope.splitn(3, ':');
            let (kind, name, actions) = (parts.next(), parts.next(), parts.next());
            let (repo, actions) = match (kind, name, actions) {
                (Some("repository"), Some(n), Some(acts)) => {
                    (n.to_string(), acts.split(',').map(str::to_string).collect())
                }
                _ => (String::new(), Vec::new()),
            };
            let token = mint(&k, &c, &user, &repo, &actions);
            let body = serde_json::json!({"token": token, "expires_in": 600}).to_string();
            let _ = http::write_response(
                stream,
                &Resp::new(200, body).with("Content-Type", "application/json"),
                false,
            );
        }));
        TokenServer {
            port,
            key,
            cert_der,
            asked,
        }
    }

    pub fn realm(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    /// A token to push with (as the client that pushed would have got one).
    pub fn mint(&self, repo: &str) -> String {
        mint(
            &self.key,
            &self.cert_der,
            "pusher",
            repo,
            &["pull".to_string(), "push".to_string()],
        )
    }
}
