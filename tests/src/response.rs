use std::fmt;

/// An HTTP answer read in full, so tests can look at it more than once.
pub struct Response {
    /// What was asked, e.g. `PUT http://127.0.0.1:1234/...`: named in every failure message.
    pub request: String,
    /// HTTP status code.
    pub status: u16,
    /// Response headers, names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body bytes, unmodified.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as UTF-8 (lossy: a test comparing text does not care about invalid bytes).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{self}\nbody is not JSON: {e}"))
    }

    /// Panics unless the status is `status`.
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "unexpected status\n{self}");
        self
    }

    /// Panics unless the answer is a 200 `text/xml` document.
    #[track_caller]
    pub fn assert_xml_ok(&self) -> &Self {
        self.assert_status(200);
        let content_type = self.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("text/xml"),
            "expected Content-Type text/xml, got {content_type:?}\n{self}"
        );
        self
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX_BODY: usize = 4000;
        let text = self.text();
        let shown: String = text.chars().take(MAX_BODY).collect();
        writeln!(f, "{} -> {}", self.request, self.status)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        write!(f, "\n{shown}")?;
        if shown.len() < text.len() {
            write!(f, "\n... ({} bytes in all)", self.body.len())?;
        }
        Ok(())
    }
}

/// Panics unless `response` is an `application/problem+json` error with `status` and `code`.
/// A `code` ending in `.*` matches any code with that prefix (e.g. `id.*`).
#[track_caller]
pub fn assert_problem(response: &Response, status: u16, code: &str) {
    response.assert_status(status);
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/problem+json"),
        "expected Content-Type application/problem+json, got {content_type:?}\n{response}"
    );
    let body = response.json();
    let got = body
        .get("code")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    let matches = match code.strip_suffix('*') {
        Some(prefix) => got.starts_with(prefix),
        None => got == code,
    };
    assert!(
        matches,
        "expected problem code {code}, got {got:?}\n{response}"
    );
    assert_eq!(
        body.get("status").and_then(serde_json::Value::as_u64),
        Some(u64::from(status)),
        "problem body `status` differs from the HTTP status\n{response}"
    );
}
