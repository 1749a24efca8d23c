"""Download one model file on the user's request: resumable, cancellable, disk-checked, checksum-verified.

This is the only code in Cairn that reaches the network, and it runs only
when the user asks for a model (Settings → Model, ``cairn model get``).

The file grows as ``<name>.part`` next to its target; an interrupted or
cancelled download keeps the part and the next call resumes it with an HTTP
``Range`` request (a server that ignores ranges makes it start over).  The
expected sha256 is the catalogue's, else the one the host publishes for the
file (Hugging Face puts the LFS object's sha256 in ``X-Linked-Etag`` on the
redirect, other hosts a 64-hex ``ETag``); with neither, nothing is
downloaded.  Only a file whose sha256 matches and that starts like a GGUF is
renamed into place, with a ``.verified`` marker.

Threads: any one worker thread per target; ``should_stop`` and ``progress``
are called on it.  Errors: ``DownloadError`` subclasses, each with a message
saying what happened and what to do; the part file is kept whenever resuming
can help.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException, HTTPResponse
from pathlib import Path

from core.errors import CairnError
from core.llm.catalogue.entries import write_marker

GGUF_MAGIC = b"GGUF"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
# Kept free beyond the file itself, so a download never fills the disk the vault lives on.
DISK_MARGIN = 256 * 1024 * 1024
USER_AGENT = "Cairn model download"

Progress = Callable[[int, int | None], None]


class DownloadError(CairnError):
    """The download did not produce a verified model file."""


class DownloadCancelled(DownloadError):
    """The user cancelled; the part is kept for resuming."""


class DownloadInterrupted(DownloadError):
    """The connection broke or ended early; the part is kept for resuming."""


class ChecksumMismatch(DownloadError):
    """The file is not the one the checksum names; the part was deleted."""


class NotEnoughDisk(DownloadError):
    """Too little free space for the rest of the file."""


@dataclass(frozen=True, slots=True)
class Remote:
    """What the host says about the file before we fetch it."""

    size: int | None
    sha256: str | None


def probe(url: str, timeout: float = 30.0) -> Remote:
    """HEAD the URL hop by hop, collecting the size and any published sha256 along the redirects."""
    size: int | None = None
    sha: str | None = None
    current = url
    for _ in range(8):
        request = urllib.request.Request(current, method="HEAD", headers={"User-Agent": USER_AGENT})
        try:
            response = _no_redirect_opener().open(request, timeout=timeout)
            headers, status, location = response.headers, response.status, None
            response.close()
        except urllib.error.HTTPError as exc:
            if exc.code not in (301, 302, 303, 307, 308):
                raise DownloadError(f"the model host answered {exc.code} {exc.reason} for {url}") from exc
            headers, status, location = exc.headers, exc.code, exc.headers.get("Location")
        except (urllib.error.URLError, OSError, HTTPException) as exc:
            raise DownloadInterrupted(f"cannot reach the model host for {url}: {_reason(exc)}") from exc
        sha = sha or published_sha256(headers)
        linked = headers.get("X-Linked-Size")
        if linked and linked.isdigit():
            size = int(linked)
        if location is None:
            length = headers.get("Content-Length")
            if size is None and length and length.isdigit() and status == 200:
                size = int(length)
            return Remote(size, sha)
        current = urllib.parse.urljoin(current, location)
    raise DownloadError(f"too many redirects for {url}")


def published_sha256(headers: object) -> str | None:
    """The sha256 a host states for the file: ``X-Linked-Etag`` (Hugging Face LFS) or a 64-hex ``ETag``."""
    get = getattr(headers, "get", None)
    if get is None:
        return None
    for name in ("X-Linked-Etag", "ETag"):
        value = get(name)
        if value:
            value = value.strip().removeprefix("W/").strip('"').lower()
            if _HEX64.match(value):
                return value
    return None


def download(
    url: str,
    target: Path,
    *,
    sha256: str | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    timeout: float = 30.0,
    chunk_size: int = 1 << 20,
    free_bytes: Callable[[Path], int] | None = None,
) -> Path:
    """Fetch ``url`` into ``target`` (see the module doc); returns ``target``.

    ``progress(done, total)`` after each chunk; ``should_stop()`` before each
    (True cancels); ``free_bytes(folder)`` defaults to the disk's free space.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remote = probe(url, timeout)
    expected = (sha256 or "").lower() or None
    if expected and remote.sha256 and expected != remote.sha256:
        raise ChecksumMismatch(f"the catalogue's checksum for {target.name} ({expected[:12]}…) differs from "
                               f"the host's ({remote.sha256[:12]}…); not downloading")
    expected = expected or remote.sha256
    if expected is None:
        raise DownloadError(f"the host publishes no checksum for {url}, so the file could not be verified; "
                            "add its sha256 to the catalogue")
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    if remote.size is not None and have > remote.size:
        part.unlink()
        have = 0
    if remote.size is not None:
        needed = remote.size - have + DISK_MARGIN
        free = (free_bytes or _free_bytes)(target.parent)
        if free < needed:
            raise NotEnoughDisk(f"{target.name} needs {_mb(remote.size - have)} more and {_mb(DISK_MARGIN)} to "
                                f"spare, but {target.parent} has {_mb(free)} free; free some space and try again")
    digest = hashlib.sha256()
    if have and (remote.size is None or have < remote.size):
        have = _fetch(url, part, have, digest, remote.size, progress, should_stop, timeout, chunk_size)
    elif have == 0:
        have = _fetch(url, part, 0, digest, remote.size, progress, should_stop, timeout, chunk_size)
    else:  # the part is already whole (a crash between download and rename)
        _hash_file(part, digest)
    if remote.size is not None and have < remote.size:
        raise DownloadInterrupted(f"{target.name}: the connection ended at {_mb(have)} of {_mb(remote.size)}; "
                                  "try again to resume")
    actual = digest.hexdigest()
    if actual != expected:
        part.unlink(missing_ok=True)
        raise ChecksumMismatch(f"{target.name} failed verification (sha256 {actual[:12]}…, expected "
                               f"{expected[:12]}…); the download was deleted, try again")
    with part.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            part.unlink(missing_ok=True)
            raise DownloadError(f"{target.name} is not a GGUF model file; the download was deleted")
    _fsync(part)
    os.replace(part, target)
    write_marker(target, actual, url)
    return target


def _fetch(
    url: str, part: Path, have: int, digest: hashlib._Hash, size: int | None, progress: Progress | None,
    should_stop: Callable[[], bool] | None, timeout: float, chunk_size: int,
) -> int:
    """Append the rest of the file to ``part`` (hashing what is already there first); returns its size."""
    headers = {"User-Agent": USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        response: HTTPResponse = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing left to send: the part is whole
            _hash_file(part, digest)
            return have
        raise DownloadError(f"the model host answered {exc.code} {exc.reason} for {url}") from exc
    except (urllib.error.URLError, OSError, HTTPException) as exc:
        raise DownloadInterrupted(f"cannot reach the model host for {url}: {_reason(exc)}; try again") from exc
    with response:
        if have and response.status == 206:
            _hash_file(part, digest)
            mode = "ab"
        else:  # no range support: start over
            have, mode = 0, "wb"
        done = have
        with part.open(mode) as fh:
            while True:
                if should_stop is not None and should_stop():
                    fh.flush()
                    raise DownloadCancelled(f"download of {part.name.removesuffix('.part')} cancelled at "
                                            f"{_mb(done)}; it resumes from there next time")
                try:
                    block = response.read(chunk_size)
                except (OSError, HTTPException) as exc:
                    fh.flush()
                    raise DownloadInterrupted(f"the connection broke at {_mb(done)} ({_reason(exc)}); "
                                              "try again to resume") from exc
                if not block:
                    break
                fh.write(block)
                digest.update(block)
                done += len(block)
                if progress is not None:
                    progress(done, size)
            fh.flush()
            os.fsync(fh.fileno())
    return done


def _hash_file(path: Path, digest: hashlib._Hash) -> None:
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def _free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "reason", None) or exc) or type(exc).__name__


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _no_redirect_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirect)
