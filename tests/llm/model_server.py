"""A real HTTP server on 127.0.0.1 that hosts model files the way Hugging Face does.

``/resolve/<name>`` answers 302 to ``/cdn/<name>`` and carries the file's
sha256 in ``X-Linked-Etag`` and its size in ``X-Linked-Size``; ``/cdn/<name>``
serves the bytes with ``Range`` support.  Knobs per file: a wrong published
checksum, a connection that dies after N bytes, ignoring ``Range``.  Every
request is recorded (method, path, Range header).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Hosted:
    data: bytes
    published_sha256: str | None = None  # None: the true sha256; "" publishes none
    cut_after: int | None = None  # close the connection after this many body bytes
    ranges: bool = True


@dataclass
class ModelServer:
    base_url: str
    files: dict[str, Hosted] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"{self.base_url}/resolve/{name}"


def _handler(state: ModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet test output
            pass

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_GET(self) -> None:
            self._serve(body=True)

        def _serve(self, body: bool) -> None:
            state.requests.append((self.command, self.path, self.headers.get("Range")))
            kind, _, name = self.path.lstrip("/").partition("/")
            hosted = state.files.get(name)
            if hosted is None or kind not in ("resolve", "cdn"):
                self.send_error(404)
                return
            if kind == "resolve":
                sha = hashlib.sha256(hosted.data).hexdigest() if hosted.published_sha256 is None \
                    else hosted.published_sha256
                self.send_response(302)
                self.send_header("Location", f"/cdn/{name}")
                if sha:
                    self.send_header("X-Linked-Etag", f'"{sha}"')
                self.send_header("X-Linked-Size", str(len(hosted.data)))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start = 0
            wanted = self.headers.get("Range")
            if wanted and hosted.ranges and wanted.startswith("bytes="):
                start = int(wanted.removeprefix("bytes=").split("-")[0])
                if start >= len(hosted.data):
                    self.send_response(416)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(hosted.data) - 1}/{len(hosted.data)}")
            else:
                self.send_response(200)
            payload = hosted.data[start:]
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Accept-Ranges", "bytes" if hosted.ranges else "none")
            self.end_headers()
            if not body:
                return
            if hosted.cut_after is not None:
                self.wfile.write(payload[: hosted.cut_after])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(payload)

    return Handler


@contextmanager
def model_server() -> Iterator[ModelServer]:
    """Start the server on a free port of 127.0.0.1; stop it afterwards."""
    state = ModelServer(base_url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="model-server", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
