"""The Ask page's operations: stream an answer's events, and free the model.

``stream_answer`` returns a ``ui.operations.StreamOp`` over ``AskEngine.events``; the
page adds what to do with each event and runs it (the returned handle stops
it).  ``release_model`` frees the engine's model on a worker; it runs also
when the vault is already locked (that is when the model must go).

Threads: build on the GUI thread; the work runs on a worker.
"""

from __future__ import annotations

from ui.ask.engine import AskEngine, AskEvent
from ui.operations import StreamOp
from ui.session import Session


def stream_answer(session: Session, engine: AskEngine, question: str) -> StreamOp[AskEvent]:
    """Retrieval, then the model's draft tokens, then the validated answer with its citations."""
    return StreamOp(session, lambda _vault: engine.events(question), label="ask")


def release_model(session: Session, engine: AskEngine) -> None:
    """Close the engine's model (blocks its worker until the model's thread stops)."""
    session.tasks.run(engine.close, label="close model")
