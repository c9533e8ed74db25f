"""The jobs' boto3 clients give up within seconds (explicit timeouts, bounded standard retries)
and go where the standard environment points them (moto's server in the tests)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError

from cryptonic.jobs.aws.clients import (
    CONNECT_TIMEOUT_S,
    MAX_ATTEMPTS,
    READ_TIMEOUT_S,
    job_client,
)


@pytest.mark.parametrize("service", ["sqs", "sns"])
def test_a_job_client_has_its_own_timeouts_and_retries(service, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service.upper()}", "http://127.0.0.1:5999")
    client = job_client(service)
    config = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
    assert (CONNECT_TIMEOUT_S, READ_TIMEOUT_S) == (3.0, 10.0)  # botocore's are 60 s and 60 s
    assert config.retries == {"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"}
    assert MAX_ATTEMPTS == 3  # the first call and two retries
    assert client.meta.service_model.service_name == service
    assert client.meta.endpoint_url == "http://127.0.0.1:5999"


class _AlwaysFailing(BaseHTTPRequestHandler):
    """An endpoint that answers every call with a 500, counting the calls."""

    calls = 0

    def do_POST(self) -> None:
        type(self).calls += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"__type": "InternalFailure", "message": "down"}'
        self.send_response(500)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def test_a_failing_endpoint_is_called_three_times_then_the_error_is_raised(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AlwaysFailing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for name, value in {
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL_SQS": f"http://127.0.0.1:{server.server_address[1]}",
        }.items():
            monkeypatch.setenv(name, value)
        with pytest.raises(ClientError, match="InternalFailure"):
            job_client("sqs").list_queues()
        assert _AlwaysFailing.calls == MAX_ATTEMPTS
    finally:
        server.shutdown()
        server.server_close()
