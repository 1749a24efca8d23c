"""The last few query vectors, so one search embeds its words once.

A search embeds its query in the retriever, again in the relevance floor and
once more for the nearest match outside its filters: three MiniLM runs of
~10-20 ms each for the same string (cProfile at 1M, bench.store).  Keyed by
the model, so a changed embedder never answers with another model's vector.
Thread-safety: ``get`` may be called from any thread.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

SIZE = 32


class QueryVectors:
    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()

    def get(self, model: str, text: str, embed: Callable[[str], np.ndarray]) -> np.ndarray:
        key = (model, text)
        with self._lock:
            found = self._vectors.get(key)
            if found is not None:
                self._vectors.move_to_end(key)
                return found
        vector = np.asarray(embed(text))
        vector.setflags(write=False)  # shared between searches: nobody may change it in place
        with self._lock:
            self._vectors[key] = vector
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)
        return vector

    def embed_query(self, embedder: Any | None) -> Callable[[str], np.ndarray] | None:
        """``embedder.embed_query`` through this cache (``None`` without an embedder)."""
        if embedder is None:
            return None
        return functools.partial(self.get, embedder.model_id, embed=embedder.embed_query)
