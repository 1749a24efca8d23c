"""Real servers on 127.0.0.1 for the sync tests: WsgiDAV (WebDAV) and moto's S3 server, plus a keyring kept in
the test's temporary folder.

Each server serves a temporary folder or memory of its own, listens on a free
port of the loopback interface only, and stops when the test ends.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from keyring.backend import KeyringBackend

WEBDAV_USER, WEBDAV_PASSWORD = "ana", "webdav-secret-pw"
S3_KEY, S3_SECRET = "AKIACAIRNTEST", "s3-secret-key-for-tests"


class FolderKeyring(KeyringBackend):
    """A keyring backend whose store is one JSON file in a test's temporary folder (never the user's keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def _load(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x1f{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\x1f{username}"] = password
        self.path.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}\x1f{username}", None)
        self.path.write_text(json.dumps(data))


@contextmanager
def webdav_server(root: Path, port: int = 0) -> Iterator[str]:
    """WsgiDAV over cheroot serving ``root`` with basic auth (on ``port``, or a free one); yields its base URL."""
    from cheroot import wsgi
    from wsgidav.wsgidav_app import WsgiDAVApp

    root.mkdir(parents=True, exist_ok=True)
    config = {
        "host": "127.0.0.1", "port": 0, "provider_mapping": {"/": str(root)}, "verbose": 0,
        "logging": {"enable": False, "enable_loggers": []},
        "http_authenticator": {"domain_controller": None, "accept_basic": True, "accept_digest": False,
                               "default_to_digest": False},
        "simple_dc": {"user_mapping": {"*": {WEBDAV_USER: {"password": WEBDAV_PASSWORD}}}},
        "property_manager": True, "lock_storage": True,
    }
    server = wsgi.Server(("127.0.0.1", port), WsgiDAVApp(config))
    server.prepare()
    port = server.bind_addr[1]
    thread = threading.Thread(target=server.serve, name="webdav-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/cairn"
    finally:
        server.stop()
        thread.join(10)


@contextmanager
def s3_server(bucket: str = "cairn-sync") -> Iterator[str]:
    """moto's S3-compatible HTTP server on a free loopback port with one bucket; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        import s3fs

        fs = s3fs.S3FileSystem(key=S3_KEY, secret=S3_SECRET, endpoint_url=endpoint, skip_instance_cache=True)
        fs.mkdir(bucket)
        yield endpoint
    finally:
        server.stop()
