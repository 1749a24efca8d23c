"""Prompts as data: one TOML file per task, versioned and reviewed like code.

``load_prompt("answer")`` reads ``answer.toml`` from this package.  A prompt
file has a ``version`` (bump it when the wording changes: benchmark figures
name the version they were measured with), and per model style a
``[completion]`` table (plain few-shot text for small base models) and/or a
``[chat]`` table (system/user turns for instruction-tuned models).
Placeholders are written ``{name}`` and filled by ``fill``; values are
inserted verbatim (no format-string parsing of user text).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class PromptFile:
    name: str
    version: int
    data: dict[str, Any]

    def section(self, style: str) -> dict[str, Any]:
        """The ``[completion]`` or ``[chat]`` table; ``KeyError`` if the file has none."""
        if style not in self.data:
            raise KeyError(f"prompt {self.name!r} has no [{style}] section")
        return self.data[style]


def load_prompt(name: str) -> PromptFile:
    """Parse ``<name>.toml``; raises ``FileNotFoundError`` / ``ValueError`` (bad TOML, no version)."""
    source = resources.files(__package__).joinpath(f"{name}.toml")
    if not source.is_file():
        raise FileNotFoundError(f"no prompt file {name}.toml")
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"prompt file {name}.toml is not valid TOML: {exc}") from exc
    if not isinstance(data.get("version"), int):
        raise ValueError(f"prompt file {name}.toml needs an integer 'version'")
    return PromptFile(name=name, version=data["version"], data=data)


def fill(template: str, **values: str) -> str:
    """Replace each ``{name}`` in ``template`` with its value, verbatim."""
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out
