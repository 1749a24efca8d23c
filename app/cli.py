"""The ``cairn`` command line.  Exit codes: 0 ok, 1 error, 2 usage, 3 partial (some records failed).

``cairn --version`` answers before typer, rich and the commands are imported:
it is the command people time.  The commands live in ``app.commands``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

HOME_HELP = "Data directory (default: $CAIRN_HOME or the platform's user data folder)."


def build_app() -> typer.Typer:
    from app.commands.root import build_app as build

    return build()


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from core.version import version

        print(f"cairn {version()}")
        return
    from core.process_env import disable_telemetry

    disable_telemetry()  # before any dependency is imported: nothing leaves the machine
    import logging

    from core import env as env_switch

    logging.basicConfig(level=(env_switch.LOG.get() or "WARNING").upper(), format="%(name)s %(levelname)s %(message)s")
    from app.fast_cli import fast_command

    run = fast_command(sys.argv[1:]) or build_app()  # `cairn search …` without typer's parsing when it is plain
    try:
        run()
    except Exception as exc:  # every failure: one line for the user, the trace in the debug log
        from app.failure import report_failure

        raise SystemExit(report_failure(exc)) from None


if __name__ == "__main__":
    main()
