"""A small SMS gateway on localhost that records what it was sent (the tests' stand-in for a
real provider). It can answer 500 for a while, or 400 for some numbers, like real ones do."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Gateway:
    url: str = ""
    received: list[dict] = field(default_factory=list)
    fail_next: int = 0  # answer 500 to this many requests first
    refuse_numbers: set[str] = field(default_factory=set)  # answer 400 for these
    delay: float = 0.0  # seconds before each answer: a slow provider
    headers: list[dict] = field(default_factory=list)
    # Like real providers' client references: a repeat of an accepted reference is acknowledged
    # but not delivered again (a sender that died between sending and recording it).
    delivered: dict[str, dict] = field(default_factory=dict)
    repeats: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def accepted(self) -> list[dict]:
        return [r for r in self.received if r.get("_accepted")]


@contextmanager
def fake_gateway() -> Iterator[Gateway]:
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keeps connections alive, as real providers do
        disable_nagle_algorithm = True  # headers and body go out in two writes

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
            if gateway.delay:
                time.sleep(gateway.delay)
            with gateway.lock:
                gateway.headers.append(dict(self.headers))
                if gateway.fail_next > 0:
                    gateway.fail_next -= 1
                    code = 500
                elif body.get("to") in gateway.refuse_numbers:
                    code = 400
                else:
                    code = 200
                gateway.received.append({**body, "_accepted": code == 200, "_code": code})
                if code == 200:
                    reference = body.get("reference", "")
                    if reference in gateway.delivered:
                        gateway.repeats += 1
                    else:
                        gateway.delivered[reference] = body
            answer = b'{"ok": true}' if code == 200 else b'{"error": "no"}'
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
