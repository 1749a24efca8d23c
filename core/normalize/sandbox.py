"""Running extractors in worker processes with a wall-clock timeout and a memory limit.

One hostile file (a PDF that loops, a zip bomb, a parser crash) must not
stall or kill the daemon.  ``ExtractionSandbox`` keeps a small pool of
long-lived worker processes (spawned with ``subprocess``, never forked from
the daemon, so they inherit no threads, locks or key material).  Each worker:

* limits its address space (``RLIMIT_AS``) so a runaway allocation fails
  with ``MemoryError`` inside the worker instead of swapping the machine;
* cannot write files (``RLIMIT_FSIZE`` = 0) and dumps no core
  (``RLIMIT_CORE`` = 0): the plaintext it handles never reaches the disk;
* runs at a lower CPU priority and exits when its parent goes away.

The parent sends the file's bytes over a pipe and gets JSON back (never a
pickle: a compromised worker must not be able to run code in the daemon).
Before the answer, a worker OCR'ing pages sends one ``{"progress": [page, pages]}``
frame per page; the parent hands it to the caller's ``PageProgress`` and gives
that page its own time (``limits.ocr_page_timeout_s`` plus a grace) past the
file's deadline, so a 200-page scan is OCR'd whole, page by capped page.
A worker that runs past the timeout is killed and replaced; so is one that
ran out of memory, crashed, or served ``max_jobs`` files.

Threads: ``extract`` may be called from any number of threads; each call
takes an idle worker (waiting if all are busy).  Errors: ``ExtractionFailed``
subclasses with a reason fit for the ledger ("timed out after 30 s",
"exceeded 1 GiB memory", "corrupt PDF: ...").
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, BinaryIO

from core.normalize.extract.base import (
    EncryptedDocument,
    Extraction,
    ExtractionFailed,
    ExtractionOutOfMemory,
    ExtractionTimeout,
    ExtractLimits,
    PageProgress,
    TooLarge,
    Unsupported,
)
from core.types import Section

_LEN = struct.Struct("!Q")
_ERRORS: dict[str, type[ExtractionFailed]] = {
    cls.__name__: cls
    for cls in (ExtractionFailed, Unsupported, EncryptedDocument, TooLarge, ExtractionTimeout, ExtractionOutOfMemory)
}
_MAX_RESPONSE = 512 * 1024 * 1024
_PAGE_GRACE_S = 30.0  # decoding a page's image before tesseract's own per-page cap starts


def _human_bytes(n: int) -> str:
    if n >= 1 << 30 and n % (1 << 30) == 0:
        return f"{n >> 30} GiB"
    return f"{n / (1 << 20):,.0f} MiB"


# --------------------------------------------------------------------------- wire format


def _write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(_LEN.pack(len(payload)))
    stream.write(payload)


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    chunks = []
    while n:
        chunk = stream.read(n)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _read_frame(stream: BinaryIO, limit: int = _MAX_RESPONSE) -> bytes:
    (size,) = _LEN.unpack(_read_exact(stream, _LEN.size))
    if size > limit:
        raise EOFError(f"frame of {size} bytes is over the limit")
    return _read_exact(stream, size)


def extraction_to_json(extraction: Extraction) -> dict[str, Any]:
    data = asdict(extraction)
    data["sections"] = [[s.text, s.page, s.heading] for s in extraction.sections]
    return data


def extraction_from_json(data: dict[str, Any]) -> Extraction:
    return Extraction(
        sections=tuple(Section(str(t), None if p is None else int(p), None if h is None else str(h))
                       for t, p, h in data["sections"]),
        mime=str(data["mime"]),
        title=None if data.get("title") is None else str(data["title"]),
        notes=tuple(str(n) for n in data.get("notes", ())),
        image_only_pages=tuple(int(p) for p in data.get("image_only_pages", ())),
        pages=None if data.get("pages") is None else int(data["pages"]),
        meta={str(k): str(v) for k, v in dict(data.get("meta") or {}).items()},
        words=tuple((str(w[0]), int(w[1]), int(w[2]), int(w[3]), int(w[4]), float(w[5]), int(w[6]))
                    for w in data.get("words", ())),
    )


# --------------------------------------------------------------------------- the worker side


def _limit_self(memory_bytes: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write to a file fails with EFBIG instead of killing us
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    with contextlib.suppress(OSError):
        os.nice(10)


def _exit_when_orphaned(parent: int) -> None:
    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def worker_main() -> None:
    """Entry point of a worker process: serve requests on stdin until EOF."""
    from core.normalize.extract import extract_bytes

    memory_bytes = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    parent = int(sys.argv[2]) if len(sys.argv) > 2 else os.getppid()
    # Our replies go to a private copy of stdout; fd 1 becomes /dev/null so a
    # library that prints cannot corrupt the protocol.
    reply = os.fdopen(os.dup(1), "wb", buffering=0)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    requests = os.fdopen(0, "rb", buffering=1 << 20)
    _exit_when_orphaned(parent)
    _limit_self(memory_bytes)
    while True:
        try:
            header = json.loads(_read_frame(requests, limit=1 << 20))
            data = _read_frame(requests)
        except EOFError:
            return
        limits = ExtractLimits(**header["limits"])
        fatal = False

        def progress(page: int, pages: int) -> None:
            _write_frame(reply, json.dumps({"progress": [page, pages]}).encode("ascii"))

        try:
            extraction = extract_bytes(data, header["name"], limits, header.get("target"), progress)
            result: dict[str, Any] = {"ok": extraction_to_json(extraction)}
        except ExtractionFailed as exc:
            result = {"error": type(exc).__name__, "reason": exc.reason}
            fatal = isinstance(exc, ExtractionOutOfMemory)
        except MemoryError:
            result = {"error": "ExtractionOutOfMemory", "reason": "ran out of memory"}
            fatal = True
        except BaseException as exc:  # never let one file end the worker silently
            result = {"error": "ExtractionFailed", "reason": f"extractor crashed: {type(exc).__name__}: {exc}"}
        del data
        try:
            _write_frame(reply, json.dumps(result, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        except MemoryError:
            _write_frame(reply, b'{"error": "ExtractionOutOfMemory", "reason": "ran out of memory"}')
            fatal = True
        if fatal:
            return  # a fresh worker gets a clean heap


# --------------------------------------------------------------------------- the parent side


def _project_root() -> str:
    import core

    return str(Path(core.__file__).resolve().parent.parent)


class _Worker:
    """One worker process; used by one thread at a time (the pool guarantees it)."""

    def __init__(self, memory_bytes: int) -> None:
        from core.process_env import child_env

        # An allow-list, not a copy: the worker parses hostile files and must not hold the passphrase.
        env = child_env({"PYTHONDONTWRITEBYTECODE": "1", "MALLOC_ARENA_MAX": "2", "OMP_NUM_THREADS": "1",
                         "OPENBLAS_NUM_THREADS": "1"})
        code = (f"import sys; sys.path.insert(0, {_project_root()!r}); "
                "from core.normalize.sandbox import worker_main; worker_main()")
        self.proc = subprocess.Popen(
            [sys.executable, "-B", "-c", code, str(memory_bytes), str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            close_fds=True,
        )
        self.jobs = 0

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass

    def stop(self) -> None:
        """Ask politely (EOF on stdin), then kill."""
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def request(self, data: bytes, name: str, limits: ExtractLimits, target: str | None,
                progress: PageProgress | None = None) -> dict[str, Any]:
        """Send one job and wait for the answer, relaying page progress; raises ``ExtractionTimeout`` or ``EOFError``."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.jobs += 1
        # ASCII JSON: a file name with undecodable bytes travels as \udcXX escapes.
        header = json.dumps({"name": name, "limits": asdict(limits), "target": target})
        deadline = time.monotonic() + limits.timeout_s
        writer_error: list[BaseException] = []

        def send() -> None:
            try:
                assert self.proc.stdin is not None
                _write_frame(self.proc.stdin, header.encode("ascii"))
                _write_frame(self.proc.stdin, data)
                self.proc.stdin.flush()
            except BaseException as exc:  # a dead worker: reported by the reader as EOF
                writer_error.append(exc)

        # A large file fills the pipe; write from a helper thread so the
        # deadline below still holds if the worker stops reading.
        if len(data) > 1 << 16:
            sender = threading.Thread(target=send, name="sandbox-send", daemon=True)
            sender.start()
        else:
            send()
        stdout = self.proc.stdout
        fd = stdout.fileno()
        started, paged = time.monotonic(), False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                if paged:
                    raise ExtractionTimeout(f"timed out after {time.monotonic() - started:.0f} s "
                                            f"(a page took over {limits.ocr_page_timeout_s:g} s)")
                raise ExtractionTimeout(f"timed out after {limits.timeout_s:g} s")
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                if self.proc.poll() is not None:
                    raise EOFError("worker exited")
                continue
            try:
                payload = _read_frame(stdout)
            except (EOFError, OSError, struct.error) as exc:
                raise EOFError(str(exc)) from exc
            answer: dict[str, Any] = json.loads(payload.decode("utf-8", "surrogatepass"))
            if "progress" not in answer:
                return answer
            page, pages = (int(n) for n in answer["progress"])
            # The page has its own cap (tesseract stops at ocr_page_timeout_s): it may run past the file's deadline.
            deadline, paged = max(deadline, time.monotonic() + limits.ocr_page_timeout_s + _PAGE_GRACE_S), True
            if progress is not None:
                progress(page, pages)


class ExtractionSandbox:
    """A pool of extraction workers with per-file time and memory limits.

    ``limits`` bound each file (``timeout_s``, ``memory_bytes`` and the
    extractor-level caps); ``workers`` is how many files may be extracted at
    once.  Use as a context manager or call ``close()``.
    """

    def __init__(self, limits: ExtractLimits | None = None, workers: int = 1, max_jobs: int = 500) -> None:
        self.limits = limits or ExtractLimits()
        self.max_jobs = max_jobs
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(max(1, workers)):
            self._idle.put(None)  # a slot; the process starts on first use
        self._closed = False
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()

    def __enter__(self) -> ExtractionSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self) -> _Worker:
        worker = _Worker(self.limits.memory_bytes)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker, *, kill: bool) -> None:
        if kill:
            worker.kill()
        else:
            worker.stop()
        with self._lock:
            self._all.discard(worker)

    def extract(self, data: bytes, name: str, limits: ExtractLimits | None = None,
                target: str | None = None, progress: PageProgress | None = None) -> Extraction:
        """Extract ``data`` (a file called ``name``) in a worker; raises ``ExtractionFailed``.

        ``target`` (``"module:function"``) forces an extractor (see ``extract_bytes``).
        ``progress(page, pages)`` hears, on this thread, each page the worker starts to OCR.
        """
        if self._closed:
            raise ExtractionFailed("the extraction sandbox is closed")
        limits = limits or self.limits
        worker = self._idle.get()
        keep: _Worker | None = None
        try:
            if worker is None or not worker.alive:
                if worker is not None:
                    self._retire(worker, kill=True)
                worker = self._spawn()
            try:
                answer = worker.request(data, name, limits, target, progress)
            except ExtractionTimeout:
                self._retire(worker, kill=True)
                raise
            except EOFError as exc:
                reason = self._death_reason(worker, limits)
                self._retire(worker, kill=True)
                raise (ExtractionOutOfMemory if "memory" in reason else ExtractionFailed)(reason) from exc
            except BaseException:  # the caller's progress raised: the worker is mid-answer, not reusable
                self._retire(worker, kill=True)
                raise
            if "ok" in answer:
                keep = worker
                return extraction_from_json(answer["ok"])
            error = _ERRORS.get(str(answer.get("error")), ExtractionFailed)
            reason = str(answer.get("reason") or "extraction failed")
            if error is ExtractionOutOfMemory:
                self._retire(worker, kill=False)
                raise ExtractionOutOfMemory(f"exceeded {_human_bytes(limits.memory_bytes)} memory")
            keep = worker
            raise error(reason)
        finally:
            if keep is not None and keep.jobs >= self.max_jobs:
                self._retire(keep, kill=False)
                keep = None
            self._idle.put(keep)

    @staticmethod
    def _death_reason(worker: _Worker, limits: ExtractLimits) -> str:
        try:
            code = worker.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "extractor stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            if name == "SIGKILL":
                return f"extractor was killed (probably exceeded {_human_bytes(limits.memory_bytes)} memory)"
            if name == "SIGABRT":
                return f"extractor aborted (probably exceeded {_human_bytes(limits.memory_bytes)} memory)"
            return f"extractor crashed ({name})"
        return f"extractor exited unexpectedly (code {code})"

    def close(self) -> None:
        """Stop every worker.  Idempotent; in-flight calls fail with ``ExtractionFailed``."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()


def extract_in_sandbox(path: Path, limits: ExtractLimits | None = None) -> Extraction:
    """One-shot convenience: read ``path`` and extract it in a fresh worker."""
    from core.normalize.extract import read_limited

    limits = limits or ExtractLimits()
    data = read_limited(path, limits.max_file_bytes)
    with ExtractionSandbox(limits, workers=1) as sandbox:
        return sandbox.extract(data, path.name)
