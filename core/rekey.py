"""``cairn rekey``: a new data key for everything, so old copies of ``keys.json`` open nothing any more.

``passwd`` only re-wraps the data key: a backup of ``keys.json`` and the old
passphrase still open the vault.  Rekeying draws a new data key, re-encrypts
every media file and the database under it and wraps it anew.  The file
indexer's encrypted path parts (``core.capture.files.path_codec``) are
re-encrypted under the new key in the database before it is rekeyed.

Crash safety: the new key is first saved in ``keys.json`` wrapped by the old
one (``pending``); each media file is replaced atomically (a file the new key
already opens is skipped); SQLCipher's ``PRAGMA rekey`` is one transaction;
``keys.json`` drops the old wraps last.  A run that dies anywhere is finished
by running ``cairn rekey`` again; until then the vault refuses to open and says so.

The caller makes sure no other Cairn process has the vault open (``cairn rekey`` takes the capture lock).
Errors: ``CairnError`` subclasses with a message for the user.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.crypto.envelope import MediaCipher
from core.crypto.keys import PENDING_WRAP as PENDING
from core.crypto.keys import KeyFile, unlock_data_key, unwrap_key, wrap_key
from core.errors import CairnError
from core.paths import VaultPaths


def rekey(paths: VaultPaths, passphrase: str | None, say: Callable[[str], None] = lambda _line: None) -> int:
    """Move the vault to a new data key; returns how many media files were re-encrypted."""
    keyfile = KeyFile.load(paths)
    if "passphrase" in keyfile.wraps and not passphrase:
        raise CairnError("rekey needs your passphrase (it wraps the new key): enter it or set CAIRN_PASSPHRASE")
    old = unlock_data_key(paths, passphrase)
    if PENDING in keyfile.wraps:
        new = unwrap_key(old, keyfile.wraps[PENDING], keyfile.aad(PENDING))
        say("finishing an interrupted rekey")
    else:
        new = secrets.token_bytes(32)
        keyfile.wraps[PENDING] = wrap_key(old, new, keyfile.aad(PENDING))
        keyfile.save(paths)
    moved = _reseal_media(paths.media_dir, MediaCipher(old), MediaCipher(new))
    say(f"re-encrypted {moved} media file(s)")
    _rekey_database(paths.database, old, new)
    say("re-encrypted the database")
    if passphrase:
        keyfile.set_passphrase(new, passphrase)
    if "keyring" in keyfile.wraps:
        keyfile.set_keyring(new)
    del keyfile.wraps[PENDING]
    keyfile.save(paths)
    return moved


def _reseal_media(media_dir: Path, old: MediaCipher, new: MediaCipher) -> int:
    moved = 0
    if not media_dir.exists():
        return 0
    for path in sorted(media_dir.rglob("*.crn")):
        name = path.relative_to(media_dir).as_posix()
        blob = path.read_bytes()
        try:
            plaintext = old.open(blob, name)
        except CairnError:
            new.open(blob, name)  # done by an interrupted run: must open with the new key, else it is damage
            continue
        new.write_file(media_dir, name, plaintext)
        moved += 1
    return moved


def _rekey_database(database: Path, old: bytes, new: bytes) -> None:
    from core.errors import VaultDamaged
    from core.store.database import connect_encrypted

    try:
        conn = connect_encrypted(database, old)
    except VaultDamaged:
        conn = connect_encrypted(database, new)  # rekeyed by an interrupted run
        conn.close()
        return
    try:
        _recode_paths(conn, old, new)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
    finally:
        conn.close()


def _recode_paths(conn: Any, old: bytes, new: bytes) -> None:
    """Path parts sealed under the old key, sealed under the new one (a re-run finds them done: both open)."""
    from functools import partial

    from core.capture.files.path_codec import codec_for
    from core.capture.files.path_recode import recode_path_keys
    from core.crypto.envelope import derive_key

    encoder = codec_for(partial(derive_key, new))
    opener = codec_for(partial(derive_key, new), old_derive=partial(derive_key, old))
    conn.execute("BEGIN IMMEDIATE")
    try:
        recode_path_keys(conn, opener, encoder)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
