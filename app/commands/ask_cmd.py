"""Commands of this area are registered here once the area lands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    return None
