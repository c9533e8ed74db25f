// The page's one way to call the API. URLs are relative: fetch resolves them against the
// document's <base href>, so the same calls work at / and under a stage prefix (/Prod/).

// The API's JSON error ({"error": {"code", "message"}}) as a thrown Error: the message is the
// API's own, for the page to show; status and code say what failed.
export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

export function getJSON(url) {
  return fetch(url, { headers: { Accept: "application/json" } }).then((res) =>
    res.json().then(
      (body) => {
        if (!res.ok) {
          const error = body && body.error;
          throw new ApiError((error && error.message) || res.statusText, res.status, error && error.code);
        }
        return body;
      },
      () => {
        throw new ApiError(url + ": " + res.status + " " + res.statusText, res.status, undefined);
      }
    )
  );
}
