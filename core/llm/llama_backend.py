"""The llama.cpp backend: one model instance on its own thread.

Threads: llama.cpp contexts are not thread-safe, so a single worker thread
("cairn-llm") owns the ``Llama`` object; every request (generation, token
count) is a job on its queue, run in order.  Callers on any thread read
tokens from a per-request queue.  ``cancel()`` stops the running generation
between two tokens (prompt processing itself is not interruptible) and drops
queued ones.

Prompts: chat messages are rendered with the GGUF's ``tokenizer.chat_template``
(Jinja, through llama-cpp-python's formatter), or a named fallback template
when the file carries none (the packaged Gemma 3 270M has none: "gemma").

Errors: ``ModelUnavailable`` when the file cannot be loaded; it reaches the
caller of the request that triggered the load.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ModelUnavailable
from core.llm.backend import GenerationStats, Grammar, Message, Prompt
from core.llm.registry import ModelSpec, check_gguf
from core.settings import Settings

log = logging.getLogger(__name__)

# Gemma's turn format (Gemma 3's published template, system text merged into
# the first user turn because Gemma has no system role).
GEMMA_TEMPLATE = (
    "{{ bos_token }}"
    "{%- if messages[0]['role'] == 'system' -%}"
    "{%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}"
    "{%- set loop_messages = messages[1:] -%}"
    "{%- else -%}{%- set first_user_prefix = '' -%}{%- set loop_messages = messages -%}{%- endif -%}"
    "{%- for message in loop_messages -%}"
    "{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}"
    "{{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else '') "
    "+ message['content'] | trim + '<end_of_turn>\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\n' }}{%- endif -%}"
)
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
FALLBACK_TEMPLATES = {"gemma": GEMMA_TEMPLATE, "chatml": CHATML_TEMPLATE}
# Architectures whose GGUFs may lack a template but whose turn format we know.
_ARCH_FALLBACK = {"gemma": "gemma", "gemma2": "gemma", "gemma3": "gemma", "qwen2": "chatml", "qwen3": "chatml"}


def physical_cores() -> int:
    """Physical CPU cores (llama.cpp gains nothing from hyper-threads)."""
    try:
        import psutil

        count = psutil.cpu_count(logical=False)
    except ImportError:  # pragma: no cover - psutil is a dependency
        count = None
    return max(1, count or os.cpu_count() or 1)


_END = object()


@dataclass(eq=False)
class _Request:
    cancelled: threading.Event = field(default_factory=threading.Event)
    output: queue.Queue[Any] = field(default_factory=queue.Queue)


class LlamaBackend:
    """``LLMBackend`` over llama-cpp-python.  See the module docstring for threads.

    The model loads lazily on the first request, or eagerly with ``load()``
    (the daemon does that at start to keep it warm).
    """

    def __init__(
        self,
        spec: ModelSpec,
        *,
        context_tokens: int = 4096,
        threads: int = 0,
        seed: int = 0,
        flash_attn: bool = True,
    ) -> None:
        self._spec = spec
        self._n_ctx = context_tokens
        self._threads = threads if threads > 0 else physical_cores()
        self._seed = seed
        self._flash_attn = flash_attn
        self._jobs: queue.Queue[tuple[Callable[[], None], _Request] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._live: set[_Request] = set()
        self._llm: Any = None
        self._formatter: Any = None
        self._chat_format: str | None = None
        self._closed = False
        self.load_seconds: float | None = None
        self._thread = threading.Thread(target=self._run, name="cairn-llm", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ info

    @property
    def name(self) -> str:
        return self._spec.name

    @property
    def spec(self) -> ModelSpec:
        return self._spec

    @property
    def context_tokens(self) -> int:
        return self._n_ctx

    @property
    def threads(self) -> int:
        return self._threads

    @property
    def chat_format(self) -> str | None:
        """``"gguf"`` (the file's own template), a fallback name, or ``None`` before loading."""
        return self._chat_format

    # ------------------------------------------------------------------ API

    def load(self) -> float:
        """Load the model now (blocking); returns the load time in seconds."""
        self._call(lambda: None)
        assert self.load_seconds is not None
        return self.load_seconds

    def stream(
        self,
        prompt: Prompt,
        *,
        stop: Sequence[str] | None = None,
        grammar: Grammar | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        stats = stats if stats is not None else GenerationStats()
        request = self._submit(
            lambda req: self._generate(req, prompt, stop, grammar, max_tokens, temperature, stats)
        )
        return self._drain(request, stats)

    def complete(
        self,
        prompt: Prompt,
        *,
        stop: Sequence[str] | None = None,
        grammar: Grammar | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stats: GenerationStats | None = None,
    ) -> str:
        return "".join(
            self.stream(
                prompt, stop=stop, grammar=grammar, max_tokens=max_tokens, temperature=temperature, stats=stats
            )
        )

    def count_tokens(self, prompt: Prompt) -> int:
        return self._call(lambda: len(self._tokenize(*self._render(prompt)[::2])))

    def tokenize(self, text: str) -> list[int]:
        """Plain text → token ids (no template, no BOS)."""
        return self._call(lambda: list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)))

    def metadata(self) -> dict[str, str]:
        """The GGUF's metadata (architecture, template, …)."""
        return self._call(lambda: dict(self._llm.metadata))

    def cancel(self) -> None:
        with self._lock:
            live = list(self._live)
        for request in live:
            request.cancelled.set()

    def close(self) -> None:
        """Stop the worker and free the model.  Idempotent."""
        if self._closed:
            return
        self.cancel()
        self._closed = True
        self._jobs.put(None)
        self._thread.join(timeout=30)

    def __enter__(self) -> LlamaBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing

    def _submit(self, job: Callable[[_Request], None]) -> _Request:
        if self._closed:
            raise ModelUnavailable("The language model has been closed.")
        request = _Request()
        with self._lock:
            self._live.add(request)

        def run() -> None:
            try:
                if request.cancelled.is_set():
                    return  # cancelled while queued
                self._ensure_loaded()
                job(request)
            except BaseException as exc:  # handed to the caller's thread
                request.output.put(exc)
            finally:
                request.output.put(_END)

        self._jobs.put((run, request))
        return request

    def _call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the worker thread (after loading) and return its result."""
        request = self._submit(lambda req: req.output.put(("result", fn())))
        result: Any = None
        for item in self._drain_raw(request):
            result = item[1]
        return result

    def _drain_raw(self, request: _Request) -> Iterator[Any]:
        finished = False
        try:
            while True:
                item = request.output.get()
                if item is _END:
                    finished = True
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            if not finished:
                request.cancelled.set()  # a consumer that stops early cancels the generation
            with self._lock:
                self._live.discard(request)

    def _drain(self, request: _Request, stats: GenerationStats) -> Iterator[str]:
        yield from self._drain_raw(request)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break
            run, _request = job
            run()
        self._llm = None  # frees the model (llama-cpp-python releases it on collection)
        with self._lock:
            pending = list(self._live)
        for request in pending:
            request.output.put(ModelUnavailable("The language model has been closed."))
            request.output.put(_END)

    # ------------------------------------------------------------------ worker-thread only

    def _ensure_loaded(self) -> None:
        if self._llm is not None:
            return
        check_gguf(self._spec.path)
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelUnavailable(
                "llama-cpp-python is not installed, so no language model can run "
                "(answers fall back to quoting your memories)."
            ) from exc
        started = time.perf_counter()
        try:
            llm = Llama(
                model_path=str(self._spec.path),
                n_ctx=self._n_ctx,
                n_threads=self._threads,
                n_threads_batch=self._threads,
                seed=self._seed,
                flash_attn=self._flash_attn,
                # Sliding-window models (Gemma 3) need only a window-sized cache for those layers:
                # less memory (measured ~490 → ~400 MB at n_ctx 8192), same output.
                swa_full=False,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelUnavailable(
                f"The model {self._spec.path} could not be loaded by llama.cpp ({exc}). "
                "Is it a complete GGUF file of an architecture this llama.cpp supports?"
            ) from exc
        self.load_seconds = time.perf_counter() - started
        self._llm = llm
        self._formatter, self._chat_format = self._make_formatter(llm)
        log.info("loaded %s in %.2fs (chat format %s)", self._spec.path.name, self.load_seconds, self._chat_format)

    def _make_formatter(self, llm: Any) -> tuple[Any, str]:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        metadata: dict[str, str] = llm.metadata
        template = None if self._spec.chat_format else metadata.get("tokenizer.chat_template")
        label = "gguf"
        if template is None:
            label = self._spec.chat_format or _ARCH_FALLBACK.get(metadata.get("general.architecture", ""), "chatml")
            if label not in FALLBACK_TEMPLATES:
                raise ModelUnavailable(
                    f"Unknown chat format {label!r}; use one of {', '.join(sorted(FALLBACK_TEMPLATES))}."
                )
            template = FALLBACK_TEMPLATES[label]
        eos_id, bos_id = llm.token_eos(), llm.token_bos()
        eos = llm._model.token_get_text(eos_id) if eos_id != -1 else ""
        bos = llm._model.token_get_text(bos_id) if bos_id != -1 else ""
        return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos), label

    def _render(self, prompt: Prompt) -> tuple[str, list[str], bool]:
        """(prompt text, template stop strings, whether the text already holds BOS)."""
        if isinstance(prompt, str):
            return prompt, [], False
        messages = [{"role": m.role, "content": m.content} for m in prompt]
        try:
            rendered = self._formatter(messages=messages)
        except Exception:  # templates raise for a system role they lack
            rendered = self._formatter(messages=_merge_system(prompt))
        stops = rendered.stop if isinstance(rendered.stop, list) else [rendered.stop] if rendered.stop else []
        return rendered.prompt, [s for s in stops if s], True

    def _tokenize(self, text: str, has_bos: bool = False) -> list[int]:
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=not has_bos, special=True))

    def _generate(
        self,
        request: _Request,
        prompt: Prompt,
        stop: Sequence[str] | None,
        grammar: Grammar | None,
        max_tokens: int,
        temperature: float,
        stats: GenerationStats,
    ) -> None:
        from llama_cpp import LlamaGrammar, StoppingCriteriaList

        started = time.perf_counter()
        text, template_stops, has_bos = self._render(prompt)
        tokens = self._tokenize(text, has_bos)
        stats.prompt_tokens = len(tokens)
        budget = self._n_ctx - len(tokens)
        if budget <= 0:
            raise ModelUnavailable(
                f"The prompt ({len(tokens)} tokens) does not fit the model's context ({self._n_ctx} tokens)."
            )
        llama_grammar = LlamaGrammar.from_string(grammar.gbnf, verbose=False) if grammar else None
        stopping = StoppingCriteriaList([lambda _ids, _logits: request.cancelled.is_set()])
        chunks = self._llm.create_completion(
            tokens,
            max_tokens=min(max_tokens, budget),
            temperature=temperature,
            stop=[*template_stops, *(stop or [])],
            grammar=llama_grammar,
            stopping_criteria=stopping,
            stream=True,
            seed=self._seed,
        )
        for chunk in chunks:
            if request.cancelled.is_set():
                break
            piece = chunk["choices"][0]["text"]
            if not piece:
                continue
            if stats.first_token_s is None:
                stats.first_token_s = time.perf_counter() - started
            stats.completion_tokens += 1
            request.output.put(piece)
        stats.total_s = time.perf_counter() - started
        stats.cancelled = request.cancelled.is_set()


def _merge_system(messages: Sequence[Message]) -> list[dict[str, str]]:
    """Fold system text into the first user turn, for templates without a system role."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    out: list[dict[str, str]] = []
    for message in messages:
        if message.role == "system":
            continue
        content = message.content
        if system and message.role == "user" and not any(o["role"] == "user" for o in out):
            content = f"{system}\n\n{content}"
        out.append({"role": message.role, "content": content})
    return out


def backend_from_settings(settings: Settings, models_dir: Path) -> LlamaBackend:
    """The backend the settings ask for (not loaded yet: call ``load()`` to warm it)."""
    from core.llm.registry import resolve_model

    return LlamaBackend(
        resolve_model(settings, models_dir),
        context_tokens=settings.llm_context_tokens,
        threads=settings.llm_threads,
    )
