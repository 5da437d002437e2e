"""Local fakes of the SMS gateways, speaking their real HTTP: Africa's Talking's bulk SMS API (what its Python SDK
sends and the answers the service gives, errors and rate limits included) and the company's HTTP gateway.

Each runs a threaded HTTP server on 127.0.0.1 (an ephemeral port unless given) and records every request."""

import json
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class _Server:
    def __init__(self, port=0):
        self.requests = []
        self.lock = threading.Lock()
        self.script = deque()  # answers to give to the next requests, before the normal behaviour
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self):
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def next_answers(self, *answers):
        """Queue answers for the next requests: an int HTTP status (the gateway's error page), "hang" (no answer
        before the client's timeout), or a callable(form) -> (status, headers, body)."""
        self.script.extend(answers)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                record = {"path": self.path, "headers": dict(self.headers), "form": form, "body": body, "at": time.monotonic()}
                with server.lock:
                    server.requests.append(record)
                    scripted = server.script.popleft() if server.script else None
                status, headers, payload = server.answer(self.path, self.headers, form, scripted)
                if status is None:  # "hang": never answer in time
                    time.sleep(3)
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                data = payload.encode("utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def answer(self, path, headers, form, scripted):
        raise NotImplementedError


TEXT = {"Content-Type": "text/plain"}


class FakeAfricasTalking(_Server):
    """POST /version1/messaging (form fields username, to, message, bulkSMSMode, from; header apiKey) answered
    as Africa's Talking does: 201 application/json {"SMSMessageData": {"Message": …, "Recipients": [{statusCode,
    number, status, cost, messageId}]}}; 401 "The supplied authentication is invalid" for a wrong key; per
    recipient 403 InvalidPhoneNumber for numbers in ``invalid``, 406 UserInBlacklist for ``blacklisted``;
    429 "Too Many Requests" beyond ``rate_per_second``; scripted 5xx answers."""

    def __init__(self, *, username="cc-portal", api_key="at-test-key", rate_per_second=None, port=0):
        super().__init__(port)
        self.username, self.api_key = username, api_key
        self.rate_per_second = rate_per_second
        self.invalid, self.blacklisted = set(), set()
        self.accepted = []  # (number, message, messageId)
        self.next_ids = deque()  # messageIds to hand out first (a test that knows the id before the send does)
        self.on_accept = None  # called with each messageId before the answer leaves (a delivery report that races it)
        self._window = deque()

    def answer(self, path, headers, form, scripted):
        if scripted == "hang":
            return None, {}, ""
        if isinstance(scripted, int):
            return (
                scripted,
                TEXT,
                {429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}.get(scripted, "Error"),
            )
        if callable(scripted):
            return scripted(form)
        if urlsplit(path).path != "/version1/messaging":
            return 404, TEXT, "Not Found"
        if headers.get("apiKey") != self.api_key:
            return 401, TEXT, "The supplied authentication is invalid"
        if form.get("username") != self.username:
            return 401, TEXT, "The supplied authentication is invalid"
        if not form.get("to") or not form.get("message"):
            return 400, TEXT, "Request is missing required form field 'to'"
        if self.rate_per_second:
            now = time.monotonic()
            with self.lock:
                while self._window and now - self._window[0] >= 1.0:
                    self._window.popleft()
                if len(self._window) >= self.rate_per_second:
                    return 429, TEXT, "Too Many Requests"
                self._window.append(now)
        recipients = []
        for number in form["to"].split(","):
            if number in self.invalid:
                recipients.append(
                    {"statusCode": 403, "number": number, "status": "InvalidPhoneNumber", "cost": "0", "messageId": "None"}
                )
            elif number in self.blacklisted:
                recipients.append(
                    {"statusCode": 406, "number": number, "status": "UserInBlacklist", "cost": "0", "messageId": "None"}
                )
            else:
                with self.lock:
                    message_id = self.next_ids.popleft() if self.next_ids else f"ATXid_{uuid.uuid4().hex}"
                    self.accepted.append((number, form["message"], message_id))
                if self.on_accept:
                    self.on_accept(message_id)
                recipients.append(
                    {"statusCode": 101, "number": number, "status": "Success", "cost": "LSL 0.3000", "messageId": message_id}
                )
        sent = sum(1 for r in recipients if r["statusCode"] == 101)
        summary = f"Sent to {sent}/{len(recipients)} Total Cost: LSL {0.3 * sent:.4f}"
        body = json.dumps({"SMSMessageData": {"Message": summary, "Recipients": recipients}})
        return 201, {"Content-Type": "application/json"}, body


class FakeCompanyGateway(_Server):
    """The company's gateway: POST /send with form fields number, message, type (header Authorization: Bearer
    token when configured); 200 {"id": …}; scripted errors."""

    def __init__(self, *, token="", port=0):
        super().__init__(port)
        self.token = token
        self.accepted = []

    def answer(self, path, headers, form, scripted):
        if scripted == "hang":
            return None, {}, ""
        if isinstance(scripted, int):
            return scripted, TEXT, "error"
        if self.token and headers.get("Authorization") != f"Bearer {self.token}":
            return 401, TEXT, "unauthorised"
        if not form.get("number") or not form.get("message"):
            return 400, TEXT, "number and message are required"
        message_id = f"cg-{uuid.uuid4().hex[:12]}"
        with self.lock:
            self.accepted.append((form["number"], form["message"], message_id))
        return 200, {"Content-Type": "application/json"}, json.dumps({"id": message_id, "status": "queued"})
