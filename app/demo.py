"""``make run``: open Cairn on its demo memory.

With a display, the desktop app starts on a demo vault; without one (a server,
CI, SSH) an interactive search prompt runs in the terminal, or a one-shot
search when stdin is not a terminal.  The demo vault lives apart from the
user's real vault (``<data dir>-demo``) and its passphrase is ``demo``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core import env as env_switch

if TYPE_CHECKING:
    from core.vault import Vault

DEMO_PASSPHRASE = "demo"


def demo_home() -> Path:
    from core.paths import default_home

    base = default_home()
    return base.with_name(base.name + "-demo")


def ensure_demo_vault(home: Path) -> object:
    from core.demo import DEMO_SELF_NAMES, load_demo_memory
    from core.paths import VaultPaths
    from core.vault import Vault

    paths = VaultPaths(home)
    if paths.keyfile.exists():
        vault = Vault.open(paths, DEMO_PASSPHRASE)
    else:
        print(f"Creating the demo vault at {home} (passphrase: {DEMO_PASSPHRASE}) …", flush=True)
        vault = Vault.create(paths, DEMO_PASSPHRASE, use_keyring=False)
        # The demo never records the real screen unless the user turns capture on (it says so).
        # The demo's user is Sam Keller: their own vault may say so (the user's vault never gets these names).
        vault.update_settings(screen_enabled=False, self_names=DEMO_SELF_NAMES)
    if not vault.stats().items:  # type: ignore[attr-defined]
        report = load_demo_memory(vault)
        print(f"Loaded the demo memory: {report}.", flush=True)
    return vault


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in ("darwin", "win32")


def terminal_demo(vault: Vault) -> None:
    from app.commands.search_cmd import _print_human
    from core.retrieve.types import SearchRequest

    queries = ["staging URL Lukas sent", "when is grandpa's birthday", "Priya new job"]
    if not sys.stdin.isatty():
        for q in queries:
            print(f"\n> {q}")
            _print_human(vault.search(SearchRequest(query=q, k=3)))  # type: ignore[attr-defined]
        print("\n(Run `make run` in a terminal for interactive search, or with a display for the app.)")
        return
    print("Search your demo memory (empty line or Ctrl-D to quit). Try:", "; ".join(queries))
    while True:
        try:
            q = input("\nsearch> ").strip()
        except EOFError:
            break
        if not q:
            break
        _print_human(vault.search(SearchRequest(query=q, k=5)))  # type: ignore[attr-defined]


def main() -> None:
    from core.process_env import disable_telemetry

    disable_telemetry()  # before any dependency is imported: nothing leaves the machine
    home = demo_home()
    if has_display() and env_switch.DEMO_TERMINAL.get() != "1":
        vault = ensure_demo_vault(home)
        vault.close()  # type: ignore[attr-defined]
        from app.main import main as app_main

        sys.argv = [sys.argv[0], "--home", str(home), "--passphrase-env", "--demo"]
        os.environ.setdefault(env_switch.PASSPHRASE.name, DEMO_PASSPHRASE)
        app_main()
        return
    vault = ensure_demo_vault(home)
    try:
        terminal_demo(vault)
    finally:
        vault.close()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
