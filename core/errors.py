"""Errors Cairn raises on purpose.  Each carries a message fit to show a user."""

from __future__ import annotations


class CairnError(Exception):
    """Base class: anything the CLI or UI may show as a clear message."""


class VaultNotFound(CairnError):
    """No vault exists at the data directory (run ``cairn init``)."""


class VaultExists(CairnError):
    """``init`` refused because a vault is already there."""


class VaultLocked(CairnError):
    """The operation needs an unlocked vault."""


class WrongPassphrase(CairnError):
    """The passphrase (or keyring secret) does not unwrap the data key."""


class VaultDamaged(CairnError):
    """The vault's database is corrupt (the key is right: the key file's wrap already proved it)."""


class KeyFileDamaged(CairnError):
    """``keys.json`` cannot be parsed (a flipped byte, a truncated write): restore it from a backup."""


class KeyringUnavailable(CairnError):
    """No acceptable OS keyring backend (plaintext and null backends are refused)."""


class ImportFailed(CairnError):
    """An input cannot be read at all (unknown format, unreadable file)."""


class UnknownFormat(ImportFailed):
    """Format detection found no reader for a file."""


class ModelUnavailable(CairnError):
    """A model file is missing or cannot be loaded."""


class DiskFull(CairnError):
    """The disk filled up while storing: says how much was stored (it stays) and how to continue."""

    def __init__(self, stored: int, total: int | None = None, unit: str = "records", where: str = "",
                 verb: str = "stored") -> None:
        self.stored, self.total, self.unit, self.where, self.verb = stored, total, unit, where, verb
        of = f" of {total:,}" if total is not None else ""
        source = f" from {where}" if where else ""
        super().__init__(
            f"disk full after {stored:,}{of} {unit}{source} were {verb}; nothing stored is lost. Free some space"
            " and run the same command again to continue (what is stored already is skipped)")

    def named(self, unit: str, where: str) -> DiskFull:
        """The same failure told in the caller's words (``messages`` from a file)."""
        return DiskFull(self.stored, self.total, unit, where, self.verb)
