"""The screen capture daemon: a capture thread, an OCR worker thread, a supervisor.

Capture thread (every ``interval_s``): pause switch -> lock/idle -> list the visible
windows -> privacy veto per monitor (``veto``) -> grab -> list windows again and
re-check (a private window may have opened during the grab) -> after a window switch,
grab until the screen has finished repainting (``settle``) -> exact change detection
-> enqueue.  A vetoed monitor's pixels go no further; this thread writes nothing.
Each tick's outcome (captured, or why not) goes to the minute ledger (``watch``).

OCR worker: takes frames from a bounded ``CoalescingQueue`` (when it falls behind,
a newer frame of the same window replaces the queued one, counted ``coalesced``),
runs ``FrameProcessor`` (OCR with a per-frame timeout, redaction, encoding) and
hands the ``FinishedFrame`` to the ``FrameSink``.

Supervisor: restarts a thread that died, or a capture thread silent for
``capture_stall_s`` (a visible alarm and an error gap in the ledger), flags an OCR
worker busy for longer than ``stall_after_s`` and starts a replacement, hands closed
ledger minutes to the ``LedgerSink`` and writes the status file `cairn status` reads.

Platform objects (mss, the X connection) are created on the capture thread that uses
them (``capture_context``).  ``capture_once()`` and ``process_pending()`` run one step
synchronously on the calling thread (tests, callers that drive the loop themselves).

Threads: ``start``/``stop``/``pause``/``resume``/``health`` may be called from
any thread.  Errors: capture and OCR errors are counted and reported in the
health snapshot, never raised to the caller.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from core.capture.screen import change as ch
from core.capture.screen.accessible import AccessibleTextSource, NoAccessibleText, on_monitor
from core.capture.screen.accessible_atspi import open_accessible
from core.capture.screen.capture_context import CaptureContext, Texts, VisibleWindow
from core.capture.screen.daemon_config import DaemonConfig
from core.capture.screen.frame_queue import CoalescingQueue
from core.capture.screen.frames import CapturedFrame, Compared, FrameSink
from core.capture.screen.grab import CaptureUnavailable, Frame, Grabber, ScreenGrabber
from core.capture.screen.health import Health, HealthSnapshot, status_path, write_status
from core.capture.screen.idle import IdleSource, open_idle_source
from core.capture.screen.ledger import LedgerSink
from core.capture.screen.own_windows import OwnProcesses
from core.capture.screen.privacy import PauseControl, PauseState, PrivacyPolicy
from core.capture.screen.processor import FrameProcessor
from core.capture.screen.settle import settle, switched
from core.capture.screen.veto import VETO_LABELS, Clearance, clear
from core.capture.screen.watch import CaptureWatch
from core.capture.screen.window import DisplayLost, WindowInfo, WindowInfoError, window_for_monitor
from core.capture.screen.window_backends import open_window_info
from core.normalize.ocr import OcrFailed, OcrTimeout, OcrUnavailable, TesseractOcr
from core.redact.redactor import Redactor
from core.settings import Settings


class ScreenDaemon:
    def __init__(
        self,
        sink: FrameSink,
        config: DaemonConfig | None = None,
        policy: PrivacyPolicy | None = None,
        *,
        pause_control: PauseControl | None = None,
        ocr: TesseractOcr | None = None,
        redactor: Redactor | None = None,
        grabber_factory: Callable[[], Grabber] | None = None,
        window_info_factory: Callable[[], WindowInfo] | None = None,
        idle_factory: Callable[[], IdleSource] | None = None,
        accessible_factory: Callable[[], AccessibleTextSource] | None = None,
        clock: Callable[[], float] = time.monotonic,
        ledger_sink: LedgerSink | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config = config or DaemonConfig()
        self._clock = clock  # the capture decisions' time (tests drive it; the stall watchdog keeps real time)
        self.sink = sink
        self._policy = policy or PrivacyPolicy.from_settings(Settings())
        self._pause = pause_control or PauseControl(self.config.runtime_dir)
        self._own = OwnProcesses(self.config.runtime_dir)
        self._ocr = ocr or TesseractOcr(timeout_s=self.config.ocr_timeout_s, invert_dark=self.config.invert_dark_ocr)
        self._redactor = redactor or Redactor.from_default_rules()
        display = self.config.display
        self._grabber_factory = grabber_factory or (lambda: ScreenGrabber(self.config.monitors, display))
        self._window_info_factory = window_info_factory or (lambda: open_window_info(display))
        self._idle_factory = idle_factory or (lambda: open_idle_source(display))
        self._accessible_factory = accessible_factory or open_accessible
        self.health = Health()
        self.watch = CaptureWatch(self.health, ledger_sink, wall)  # heartbeat and minute ledger
        self._capture_generation = 0
        self._queue = CoalescingQueue(self.config.queue_size)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}
        self._thread_errors: dict[str, str] = {}
        self._worker_generation = 0
        self._busy_since: float | None = None
        self._seq = 0
        self._sync_context: CaptureContext | None = None
        self._sync_processor: FrameProcessor | None = None

    # -- control --------------------------------------------------------------

    def start(self) -> None:
        """Start the threads (idempotent)."""
        with self._lock:
            if self._threads:
                return
            self._stop.clear()
            self._start_capture()
            self._start_worker()
            self._start_thread("supervisor", self._supervise_main)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the threads and write a final status; queued frames not yet OCR'd are dropped."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            threads = list(self._threads.values())
            self._threads.clear()
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        self.health.skip("stopped_in_queue", self._queue.clear())
        self.health.set_state("stopped")
        self.watch.flush(final=True)
        self._write_status()

    def pause(self, duration: timedelta | None = None) -> PauseState:
        state = self._pause.pause(duration)
        self._wake.set()
        return state

    def resume(self) -> PauseState:
        state = self._pause.resume()
        self._wake.set()
        return state

    def set_policy(self, policy: PrivacyPolicy) -> None:
        """New excluded apps / private patterns (settings changed); applies from the next tick."""
        self._policy = policy

    def snapshot(self) -> HealthSnapshot:
        return self.health.snapshot()

    # -- synchronous steps (tests, callers with their own loop) -----------------

    def capture_once(self) -> int:
        """One capture tick on the calling thread; returns frames enqueued."""
        if self._sync_context is None:
            self._sync_context = self._open_context()
            if self._sync_context is None:
                return 0
        return self._capture_tick(self._sync_context)

    def process_pending(self, max_frames: int | None = None) -> int:
        """OCR and store queued frames on the calling thread; returns frames handled."""
        if self._sync_processor is None:
            self._sync_processor = self._new_processor()
        handled = 0
        while max_frames is None or handled < max_frames:
            item = self._queue.get(timeout=0)
            if item is None:
                break
            self._handle(self._sync_processor, item)
            handled += 1
        self.health.backlog(len(self._queue))
        return handled

    def close_sync(self) -> None:
        if self._sync_context is not None:
            self._sync_context.close()
            self._sync_context = None

    # -- threads ----------------------------------------------------------------

    def _start_thread(self, name: str, target: Callable[[], None]) -> None:
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # report and let the supervisor restart us
                self._thread_errors[name] = f"{type(exc).__name__}: {exc}"
                self.health.error(f"{name} thread died: {type(exc).__name__}: {exc}")
                logging.getLogger(__name__).exception("screen capture %s thread died", name)

        thread = threading.Thread(target=run, name=f"cairn-screen-{name}", daemon=True)
        self._threads[name] = thread
        thread.start()

    def _start_worker(self) -> None:
        self._worker_generation += 1
        generation = self._worker_generation
        self._busy_since = None
        self._start_thread("ocr", lambda: self._ocr_main(generation))

    def _supervise_main(self) -> None:
        last_status = 0.0
        while not self._stop.wait(1.0):
            with self._lock:
                for name in ("capture", "ocr"):
                    thread = self._threads.get(name)
                    if thread is not None and not thread.is_alive() and not self._stop.is_set():
                        self.health.thread_restarted(name, error := self._thread_errors.pop(name, None))
                        if name == "capture":
                            self.watch.failed(f"the capture thread died ({error or 'no error given'}); restarted")
                            self._start_capture()
                        else:
                            self._start_worker()
                busy = self._busy_since
                if busy is not None and time.monotonic() - busy > self.config.stall_after_s:
                    # A Python thread cannot be killed: abandon it (it exits when it wakes) and start another.
                    self.health.set_stalled(True)
                    self.health.thread_restarted("ocr", "OCR worker stalled")
                    self._start_worker()
                silent = self.watch.silent_s()
                if silent > max(self.config.capture_stall_s, 3 * self.config.interval_s) and not self._stop.is_set():
                    # No frame and no reason for this long: it hangs (an X call); abandon it, start a new one.
                    self.health.thread_restarted("capture", "capture stalled")
                    self.watch.failed(f"capture stalled: no frame and no reason for {silent:.0f} s; restarted", True)
                    self._start_capture()
            now = time.monotonic()
            if now - last_status >= self.config.status_every_s:
                self.watch.flush()
                self._write_status()
                last_status = now

    def _start_capture(self) -> None:
        self._capture_generation += 1
        generation = self._capture_generation
        self.watch.reset()
        self._start_thread("capture", lambda: self._capture_main(generation))

    def _capture_main(self, generation: int) -> None:
        context: CaptureContext | None = None
        try:
            while not self._stop.is_set() and generation == self._capture_generation:
                started = time.monotonic()
                self.watch.beat()
                if context is None:
                    context = self._open_context()
                    if context is None:
                        self._sleep(self.config.reopen_after_s)  # no display yet: try again later
                        continue
                try:
                    self._capture_tick(context)
                except CaptureUnavailable as exc:
                    self._unavailable(str(exc))
                    context.close()
                    context = None
                self.watch.beat()
                elapsed = time.monotonic() - started
                self._sleep(max(0.05, self.config.interval_s - elapsed))
        finally:
            if context is not None:
                context.close()

    def _unavailable(self, message: str) -> None:
        self.health.set_state("unavailable", message)
        self.watch.note("unavailable", message)

    def _ocr_main(self, generation: int) -> None:
        if sys.platform.startswith("linux"):
            # OCR is background work: on Linux a thread has its own nice value (in-process tesseract runs here).
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        processor = self._new_processor()
        while not self._stop.is_set() and generation == self._worker_generation:
            item = self._queue.get(timeout=0.5)
            if item is None:
                self.health.backlog(0)
                continue
            self.health.backlog(len(self._queue) + 1)
            self._busy_since = time.monotonic()
            try:
                self._handle(processor, item)
            finally:
                if generation == self._worker_generation:
                    self._busy_since = None
                    self.health.set_stalled(False)
            self.health.backlog(len(self._queue))

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    # -- capture ----------------------------------------------------------------

    def _open_context(self) -> CaptureContext | None:
        try:
            grabber = self._grabber_factory()
        except CaptureUnavailable as exc:
            self._unavailable(str(exc))
            return None
        windows = self._window_info_factory()
        idle = self._idle_factory()
        accessible = self._accessible_factory() if self.config.accessible_text else NoAccessibleText()
        self.health.set_backends(windows.name, idle.name)
        return CaptureContext(grabber, windows, idle, self._clock(), self.config.idle_after_s, accessible)

    def _capture_tick(self, ctx: CaptureContext) -> int:
        ctx.tick += 1
        monitors = len(ctx.grabber.monitors)
        pause = self._pause.state()
        if pause.paused:
            self.health.set_state("paused", "paused by user", pause.until)
            self.health.skip("paused", monitors)
            self.watch.note("paused")
            return 0
        now = self._clock()
        locked = ctx.idle.screen_locked()
        activity = ctx.tracker.update(now, ctx.idle.input_idle_seconds(), locked)
        if activity.state == "locked":
            self.health.set_state("locked", activity.reason)
            self.health.skip("locked", monitors)
            self.watch.note("locked")
            return 0
        if activity.state == "idle" and ctx.tick % max(1, self.config.idle_poll_every) != 0:
            self.health.set_state("idle", activity.reason)
            self.health.skip("idle", monitors)
            self.watch.note("idle")
            return 0

        before = self._clearance(ctx)
        if before is None:
            return 0
        frames = ctx.grabber.grab()
        # Re-check after the grab: a private window that appeared meanwhile is in the pixels.
        after = self._clearance(ctx)
        if after is None:
            return 0
        if switched(ctx.last_window, frames, after.windows):  # then the veto runs again on the frames kept
            settled = settle(ctx.grabber.grab, frames, self.config.switch_settle_tries, self.config.switch_settle_s,
                             self._stop, lambda: self.health.skip("repainting"))
            if settled is None or (after := self._clearance(ctx)) is None:
                return 0
            frames = settled
        clearance = before.merged(after)
        frames = [f for f in frames if f.monitor.index not in clearance.vetoed]  # vetoed pixels go no further
        if not frames:
            self._blocked(next(iter(clearance.vetoed.values())), monitors)
            return 0
        for reason in clearance.vetoed.values():
            self.health.skip(reason)
        partly = "; ".join(f"monitor {i}: {VETO_LABELS[r]}" for i, r in sorted(clearance.vetoed.items()))
        self.health.seen(len(frames))
        self.watch.note("idle" if activity.state == "idle" else "captured", partly)
        self.health.set_state("idle" if activity.state == "idle" else "capturing", partly or activity.reason)

        enqueued = 0
        for frame in frames:
            change = ch.diff(earlier := ctx.last_taken.get(frame.monitor.index), frame.pixels)  # type: ignore[arg-type]
            if change.kind in ("unchanged", "minor"):
                self.health.skip("unchanged" if change.kind == "unchanged" else "minor_change")
                continue
            ctx.tracker.note_screen_change(now)
            index = frame.monitor.index
            window = window_for_monitor(clearance.windows, frame.monitor)
            same_window = ctx.same_window(index, window)
            if same_window and now - ctx.last_taken_at.get(index, 0.0) < self.config.busy_window_gap_s:
                self.health.skip("deferred")  # taken at a later tick, with everything changed meanwhile
                ctx.defer(index, frame, window)
                continue
            if (held := ctx.left_front(index, same_window)) is not None:
                enqueued += self._enqueue(index, *held)  # its text is not read: the window has changed since
            ctx.took(index, frame, window, now)
            # Read only now: the window passed the privacy veto, and the frame is taken.
            enqueued += self._enqueue(index, frame, window, on_monitor(ctx.accessible.texts_for(window), frame)
                                      if window else (), None if earlier is None else (earlier, change))
        self.health.backlog(len(self._queue))
        return enqueued

    def _enqueue(self, index: int, frame: Frame, window: VisibleWindow | None, texts: Texts = (), compared: Compared = None) -> int:
        self._seq += 1
        dropped = self._queue.put((index, window.window_id if window else None),
                                  CapturedFrame(frame, window, self._seq, tuple(texts), compared))
        self.health.enqueued()
        self.health.skip("coalesced", dropped)
        return 1

    def _clearance(self, ctx: CaptureContext) -> Clearance | None:
        """The visible windows and the monitors they veto; ``None`` (counted) when no monitor may be captured."""
        monitors = ctx.grabber.monitors
        try:
            windows = ctx.windows.visible_windows()
        except DisplayLost as exc:  # the capture loop closes this context and opens the display again
            raise CaptureUnavailable(str(exc)) from exc
        except WindowInfoError as exc:
            if self.config.require_window_info:
                self._blocked("no_window_info", len(monitors), f"window list unavailable: {exc}")
                return None
            windows = []
        clearance = clear(windows, monitors, self._own.pids(), self._policy)
        if len(clearance.vetoed) >= len(monitors):
            self._blocked(next(iter(clearance.vetoed.values())), len(monitors))
            return None
        return clearance

    def _blocked(self, reason: str, monitors: int, message: str | None = None) -> None:
        message = message or VETO_LABELS.get(reason, reason)
        self.health.set_state("blocked", message)
        self.health.skip(reason, monitors)
        self.watch.note("error" if reason == "no_window_info" else "excluded", message.replace("visible", "in front"))

    # -- OCR and storage ----------------------------------------------------------

    def _new_processor(self) -> FrameProcessor:
        return FrameProcessor.from_config(self._ocr, self._redactor, self.config)

    def _handle(self, processor: FrameProcessor, item: CapturedFrame) -> None:
        try:
            outcome = processor.process(item)
        except OcrTimeout as exc:
            self.health.skip("ocr_timeout")
            self.health.error(str(exc))
            return
        except (OcrFailed, OcrUnavailable) as exc:
            self.health.skip("ocr_error")
            self.health.error(str(exc))
            return
        if outcome.ran_ocr:
            self.health.ocr_done(outcome.ocr_seconds, outcome.ocr_fraction)
        if outcome.frame is None:
            self.health.skip(outcome.skip_reason or "skipped")
            return
        try:
            degraded = self.sink.store(outcome.frame)
        except Exception as exc:  # the sink's failure must not stop capture; it is reported
            self.health.skip("store_error")
            self.watch.lost(f"storing a frame failed: {type(exc).__name__}: {exc}")
            processor.encoder.forget(outcome.frame.frame_id)  # later frames must not composite on it
            return
        if degraded:  # stored as text only (disk nearly full): no later frame may composite on its pixels
            processor.encoder.forget(outcome.frame.frame_id)
        self.health.stored(outcome.frame.redactions, degraded)

    def _write_status(self) -> None:
        if self.config.runtime_dir is None:
            return
        try:
            write_status(status_path(self.config.runtime_dir), self.health.snapshot())
        except OSError as exc:
            self.health.error(f"cannot write the status file: {exc}")
