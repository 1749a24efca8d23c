"""`make package-test`: install the built .deb on this machine and use Cairn as a new user would.

Needs root (apt-get installs into this system) and the artefacts of `make package`
in build/package/ (the current .deb, and old/ with the previous release's .deb
built by `packaging/build.sh old`).  Every user-side step runs with a fresh
$HOME and XDG folders in a temporary directory:

1. install the previous release; `cairn --version`, `cairn init`, `cairn import` of a sample
   WhatsApp export, `cairn search` finding it;
2. upgrade to the current .deb over it: the vault and its settings survive, the next unlock runs the
   new migrations (``PRAGMA user_version`` read before and after), search still finds the chat; a folder
   indexed through the extraction sandbox (worker processes of the frozen program) is found too;
3. start times of the installed `cairn --version` and of `cairn-app` to its window;
4. `cairn-app` under Xvfb reaches its lock screen (screenshot in build/package/test/);
5. `cairn autostart on` writes the XDG entry, `--mode daemon` the systemd unit (systemctl not consulted:
   no user manager runs here), `off` removes them;
6. `apt-get purge`: the vault is untouched, no file of the package remains on the system.

Prints each step, exits non-zero at the first failure.  Run by the repository's .venv Python (it reads the
vault's schema version with Cairn's own key code).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from report import fresh_env, time_version  # noqa: E402
from xsession import time_to_window, xvfb  # noqa: E402

PASSPHRASE = "package test passphrase"
CHAT = """\
14/11/2026, 09:12 - Lukas: Morning! The staging URL for the review is https://staging.example.org/review-42
14/11/2026, 09:13 - Sam: Thanks, opening it now
14/11/2026, 09:20 - Lukas: The password for the reviewer account is in the team vault, not here
15/11/2026, 18:02 - Sam: Climbing on Thursday at the north wall?
"""
SYSTEM_PATHS = ("/opt/cairn", "/usr/bin/cairn", "/usr/bin/cairn-app", "/usr/share/applications/cairn.desktop",
                "/usr/share/metainfo/org.cairn.Cairn.metainfo.xml", "/usr/share/icons/hicolor/256x256/apps/cairn.png",
                "/usr/share/doc/cairn", "/usr/share/man/man1/cairn.1.gz", "/usr/share/lintian/overrides/cairn")


def say(text: str) -> None:
    print(f"\033[1m[package-test]\033[0m {text}", flush=True)


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"FAILED: {what}")
    say(f"ok: {what}")


def apt(*args: str) -> None:
    done = subprocess.run(["apt-get", "-y", "-q", *args], capture_output=True, text=True,
                          env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"apt-get {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def cairn(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["/usr/bin/cairn", *args], env=env, capture_output=True, text=True, timeout=900)


def schema_version(home: Path) -> int:
    from core.crypto.keys import unlock_data_key
    from core.paths import VaultPaths
    from core.store.database import connect_encrypted

    paths = VaultPaths(home)
    conn = connect_encrypted(paths.database, unlock_data_key(paths, PASSPHRASE))
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def installed_version() -> str:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", "cairn"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else "not installed"


def main() -> int:
    out = ROOT / "build" / "package"
    new_deb = Path(os.environ.get("CAIRN_TEST_DEB") or sorted(out.glob("cairn_*.deb"))[-1]).resolve()
    old_deb = sorted((out / "old").glob("cairn_*.deb"))[-1]
    new_version = subprocess.run(["dpkg-deb", "-f", str(new_deb), "Version"], capture_output=True, text=True,
                                 check=True).stdout.strip()
    old_version = subprocess.run(["dpkg-deb", "-f", str(old_deb), "Version"], capture_output=True, text=True,
                                 check=True).stdout.strip()
    shots = out / "test"
    shots.mkdir(parents=True, exist_ok=True)
    if "install ok installed" in installed_version():
        apt("purge", "cairn")
    results: dict[str, object] = {"old": old_version, "new": new_version}
    with tempfile.TemporaryDirectory(prefix="cairn-package-test-") as tmp:
        home = Path(tmp) / "home"
        env = fresh_env(home)
        env["CAIRN_PASSPHRASE"] = PASSPHRASE
        env["CAIRN_SYSTEMCTL"] = "off"  # this machine runs no user manager; the files are what is checked
        vault = home / ".local/share/Cairn"
        chat = Path(tmp) / "WhatsApp Chat with Lukas.txt"
        chat.write_text(CHAT, "utf-8")

        say(f"1. install the previous release {old_deb.name}")
        apt("install", str(old_deb))
        check(cairn(env, "--version").stdout.strip() == f"cairn {old_version}", f"cairn --version says {old_version}")
        done = cairn(env, "init", "--no-keyring")
        check(done.returncode == 0 and (vault / "vault.db").exists(), f"cairn init made a vault in {vault}")
        done = cairn(env, "import", str(chat))
        check(done.returncode == 0, f"cairn import of a WhatsApp export ({done.stdout.strip()[-200:]})")
        done = cairn(env, "search", "staging url review", "--json")
        check("staging.example.org/review-42" in done.stdout, "cairn search finds the imported message")
        done = cairn(env, "settings", "set", "capture_interval_s", "7")
        check(done.returncode == 0, "a setting changed before the upgrade")
        before = schema_version(vault)

        say(f"2. upgrade to {new_deb.name}")
        apt("install", str(new_deb))
        check(new_version in installed_version(), f"dpkg reports {new_version} installed")
        check(cairn(env, "--version").stdout.strip() == f"cairn {new_version}", f"cairn --version says {new_version}")
        done = cairn(env, "search", "staging url review", "--json")
        check("staging.example.org/review-42" in done.stdout, "after the upgrade the vault opens and search finds it")
        after = schema_version(vault)
        check(after >= before, f"the vault's schema went from {before} to {after} migrations on unlock"
              + (" (the upgrade ran migrations)" if after > before else " (no migration between these releases)"))
        settings = json.loads(cairn(env, "settings", "--json").stdout)
        check(settings["capture_interval_s"] == 7.0, "the setting survived the upgrade")
        docs = Path(tmp) / "notes"
        docs.mkdir()
        (docs / "trip.md").write_text("# Trip\n\nThe ferry to Vis leaves Split at 14:30 from pier 7.\n", "utf-8")
        done = cairn(env, "index", str(docs))
        check(done.returncode == 0, f"cairn index ran its extraction sandbox in the bundle ({done.stdout.strip()[-200:]})")
        done = cairn(env, "search", "ferry to Vis", "--json")
        check("pier 7" in done.stdout, "cairn search finds the indexed document")
        results.update(schema_before=before, schema_after=after)

        say("3. start times of the installed commands")
        first, median = time_version("/usr/bin/cairn", env)
        with xvfb() as display:
            app_env = {**env}
            app_env.pop("CAIRN_PASSPHRASE")
            window = time_to_window(["/usr/bin/cairn-app"], app_env, display, screenshot=shots / "lock-screen.png")
        results.update(version_first_s=first, version_median_s=median, app_window_s=window)
        say(f"cairn --version {first:.2f} s first run, {median:.2f} s median; cairn-app window {window:.2f} s")
        check(shots.joinpath("lock-screen.png").stat().st_size > 10_000, f"lock screen saved to {shots}/lock-screen.png")

        say("4. autostart")
        done = cairn(env, "autostart", "on")
        entry = home / ".config/autostart/cairn.desktop"
        check(done.returncode == 0 and "/usr/bin/cairn-app" in entry.read_text("utf-8"),
              "cairn autostart on wrote the XDG entry naming /usr/bin/cairn-app")
        done = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        check(done.returncode == 0 and not done.stdout.strip(), "the entry validates")
        done = cairn(env, "autostart", "on", "--mode", "daemon")
        unit = home / ".config/systemd/user/cairn-daemon.service"
        check(done.returncode == 0 and "ExecStart=/usr/bin/cairn daemon" in unit.read_text("utf-8"),
              "cairn autostart on --mode daemon wrote cairn-daemon.service")
        check(cairn(env, "autostart", "key-available").returncode == 0, "the unit's start condition holds (key at hand)")
        check(json.loads(cairn(env, "autostart", "status", "--json").stdout)["mode"] == "daemon", "status says daemon")
        check(cairn(env, "autostart", "off").returncode == 0 and not unit.exists() and not entry.exists(),
              "cairn autostart off removed both")

        say("5. purge the package")
        vault_files = {p.relative_to(vault): p.stat().st_size for p in vault.rglob("*") if p.is_file()}
        apt("purge", "cairn")
        check("not installed" in installed_version() or "deinstall" in installed_version(), "dpkg: cairn is gone")
        left = [p for p in SYSTEM_PATHS if Path(p).exists()]
        check(left == [], f"no file of the package remains ({left or 'checked ' + str(len(SYSTEM_PATHS))})")
        check(not list(Path("/var/lib/dpkg/info").glob("cairn.*")), "dpkg keeps no maintainer scripts of cairn")
        now = {p.relative_to(vault): p.stat().st_size for p in vault.rglob("*") if p.is_file()}
        check(set(vault_files) <= set(now) and (vault / "vault.db").stat().st_size > 0,
              f"the vault is still there ({len(now)} files)")
    (shots / "results.json").write_text(json.dumps(results, indent=2), "utf-8")
    say(f"all passed; figures in {shots / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
