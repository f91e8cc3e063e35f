//! The verification page a device code points to (`/devicelogin`, like
//! microsoft.com/devicelogin). Instead of a real sign-in, the visitor names the account
//! that approves: tests POST to it as the administrator would click through.

use crate::approval::{approve, decline};
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;

/// `GET /devicelogin`: the form.
pub(crate) async fn page() -> Html<String> {
    Html(document(
        "Enter code",
        r#"<form method="post" action="/devicelogin">
<p><label>Code <input name="code" autocomplete="off" autofocus></label></p>
<p><label>Account (user principal name) <input name="user" type="email"></label></p>
<p><button type="submit">Sign in and allow</button>
<button type="submit" name="decline" value="1">Cancel sign-in</button></p>
</form>"#,
    ))
}

/// `POST /devicelogin` (form `code`, `user`, optional `decline=1`).
pub(crate) async fn submit(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| form.get(name).map(|v| v.trim()).unwrap_or_default();
    let (code, user) = (field("code"), field("user"));
    let declining = !field("decline").is_empty() && field("decline") != "0";
    let outcome = if code.is_empty() {
        Err("Enter the code the app shows.".to_string())
    } else if declining {
        decline(&shared, code)
            .map(|()| "You declined the sign-in. You may close this window.".to_string())
    } else if user.is_empty() {
        Err("Enter the account that signs in.".to_string())
    } else {
        approve(&shared, code, user).map(|()| {
            format!("You have signed in to the application as {user}. You may close this window.")
        })
    };
    match outcome {
        Ok(message) => Html(document(
            "Signed in",
            &format!("<p>{}</p>", escape(&message)),
        ))
        .into_response(),
        Err(problem) => (
            StatusCode::BAD_REQUEST,
            Html(document(
                "Sign-in problem",
                &format!("<p role=\"alert\">{}</p>", escape(&problem)),
            )),
        )
            .into_response(),
    }
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} - graph-sim</title></head>\n<body><h1>{title}</h1>\n{body}\n</body></html>\n"
    )
}

/// Codes and account names are typed by the visitor and echoed back.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
