"""Where synced objects live: a folder, a WebDAV server or an S3 bucket, behind one small interface.

Every target is an fsspec filesystem (``LocalFileSystem``, ``webdav4``'s
``WebdavFileSystem``, ``s3fs``) rooted at a path; Cairn only ever puts whole
objects, reads them, lists a folder and deletes.  A put is atomic on every
kind: a WebDAV PUT and an S3 PUT replace the object whole, and in a folder
(which Syncthing, Dropbox or Nextcloud may be reading at that moment) the
bytes go to a hidden temporary name first and are renamed into place.

Threads: one ``Target`` per thread.  Errors: ``TargetUnreachable`` when the
network or server is down (sync pauses and retries), ``CairnError`` for a
bad address; a missing object is ``FileNotFoundError``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from core.errors import CairnError


class TargetUnreachable(CairnError):
    """The target cannot be reached now (offline, server down): sync pauses and retries later."""


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """What the user chose: ``kind`` is 'folder', 'webdav' or 's3'; ``url`` has no credentials in it."""

    kind: str
    url: str

    @property
    def needs_credentials(self) -> bool:
        return self.kind in ("webdav", "s3")


def parse_target(kind: str, where: str) -> TargetSpec:
    """Check and normalise what `cairn sync setup KIND WHERE` was given."""
    if kind == "folder":
        return TargetSpec("folder", str(Path(where).expanduser().resolve()))
    parts = urlsplit(where)
    if parts.username or parts.password:
        raise CairnError("put no user name or password in the address: Cairn asks for them and keeps them "
                         "in the OS keyring")
    if kind == "webdav":
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CairnError(f"a WebDAV address looks like https://host/remote.php/dav/files/me/cairn, not {where!r}")
        return TargetSpec("webdav", urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", "")))
    if kind == "s3":
        if parts.scheme != "s3" or not parts.netloc:
            raise CairnError(f"an S3 address looks like s3://bucket/prefix (endpoint with --endpoint), not {where!r}")
        return TargetSpec("s3", f"s3://{parts.netloc}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else ""))
    raise CairnError(f"unknown sync target kind {kind!r}: folder, webdav or s3")


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user name / access key and its secret, from the OS keyring; never logged."""

    user: str
    secret: str

    def __repr__(self) -> str:  # never print a secret by accident
        return f"Credentials(user={self.user!r}, secret=***)"


def s3_endpoint(spec: TargetSpec) -> str | None:
    query = urlsplit(spec.url).query
    for pair in query.split("&"):
        if pair.startswith("endpoint="):
            return pair.removeprefix("endpoint=")
    return None


class Target:
    """Objects under one root of an fsspec filesystem."""

    def __init__(self, fs: Any, root: str, *, local: bool = False, retry: Callable[[Exception], bool] | None = None):
        self.fs = fs
        self.root = root.rstrip("/")
        self._local = local
        self._is_outage = retry or _is_outage

    def _path(self, name: str) -> str:
        return f"{self.root}/{name}"

    def _guard(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except FileNotFoundError:
            raise
        except Exception as exc:
            if self._is_outage(exc):
                raise TargetUnreachable(f"the sync target is unreachable: {type(exc).__name__}: {exc}") from exc
            raise

    def put(self, name: str, data: bytes) -> None:
        if self._local:
            self._put_local(name, data)
            return
        parent = self._path(name).rsplit("/", 1)[0]
        self._guard(lambda: self._makedirs(parent))
        self._guard(lambda: self.fs.pipe_file(self._path(name), data))

    def _makedirs(self, path: str) -> None:
        if not self.fs.exists(path):
            self.fs.makedirs(path, exist_ok=True)

    def _put_local(self, name: str, data: bytes) -> None:
        final = Path(self._path(name))
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.name}.{secrets.token_hex(4)}.part")
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, final)

    def get(self, name: str) -> bytes:
        return bytes(self._guard(lambda: self.fs.cat_file(self._path(name))))

    def exists(self, name: str) -> bool:
        return bool(self._guard(lambda: self.fs.exists(self._path(name))))

    def list(self, folder: str) -> Iterator[str]:
        """Names (``folder/file``) of the objects in ``folder``; temporaries of other writers are left out."""
        path = self._path(folder)
        try:
            entries = self._guard(lambda: self.fs.ls(path, detail=False))
        except FileNotFoundError:
            return
        for entry in sorted(entries):
            base = str(entry).rstrip("/").rsplit("/", 1)[-1]
            if base and not base.startswith(".") and not base.endswith(".part"):
                yield f"{folder}/{base}"

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._guard(lambda: self.fs.rm_file(self._path(name)))

    def invalidate(self) -> None:
        """Forget cached listings (another device may have written meanwhile)."""
        clear = getattr(self.fs, "invalidate_cache", None)
        if clear is not None:
            clear()


def _is_outage(exc: Exception) -> bool:
    """Network trouble (pause and retry) rather than a bug or a refusal."""
    import socket

    names = {cls.__name__ for cls in type(exc).__mro__}
    return isinstance(exc, (ConnectionError, TimeoutError, socket.gaierror)) or bool(
        names & {"ConnectError", "ConnectTimeout", "ReadTimeout", "RemoteProtocolError", "NetworkError",
                 "EndpointConnectionError", "ConnectionClosedError", "ClientConnectorError", "ServerDisconnectedError"}
    )


def open_target(spec: TargetSpec, credentials: Credentials | None = None) -> Target:
    """The fsspec filesystem for ``spec`` (libraries imported here, late)."""
    if spec.kind == "folder":
        from fsspec.implementations.local import LocalFileSystem

        root = Path(spec.url)
        if not root.is_dir():
            raise CairnError(f"sync folder {root} does not exist")
        return Target(LocalFileSystem(), str(root), local=True)
    if spec.needs_credentials and credentials is None:
        raise CairnError(f"no credentials for {spec.url} in the OS keyring: run `cairn sync setup {spec.kind} …` again")
    if spec.kind == "webdav":
        from webdav4.fsspec import WebdavFileSystem

        auth = (credentials.user, credentials.secret) if credentials else None
        return Target(WebdavFileSystem(spec.url, auth=auth, timeout=30), "")
    if spec.kind == "s3":
        import s3fs

        parts = urlsplit(spec.url)
        endpoint = s3_endpoint(spec)
        fs = s3fs.S3FileSystem(
            key=credentials.user if credentials else None, secret=credentials.secret if credentials else None,
            endpoint_url=endpoint, use_listings_cache=False, skip_instance_cache=True,
            config_kwargs={"connect_timeout": 10, "read_timeout": 30, "retries": {"max_attempts": 2}},
        )
        return Target(fs, f"{parts.netloc}{parts.path}")
    raise CairnError(f"unknown sync target kind {spec.kind!r}")
