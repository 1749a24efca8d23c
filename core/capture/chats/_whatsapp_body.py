"""WhatsApp message bodies: deleted, waiting, omitted-media, attached-file and edited markers in many locales."""

from __future__ import annotations

import re

from core.types import RecordSkip

from ._common import SKIP_DELETED, SKIP_EMPTY, SKIP_SYSTEM, SKIP_UNAVAILABLE, strip_invisible

_DELETED = frozenset(
    s.casefold()
    for s in (
        "This message was deleted",
        "You deleted this message",
        "Diese Nachricht wurde gelöscht",
        "Du hast diese Nachricht gelöscht",
        "Se eliminó este mensaje",
        "Eliminaste este mensaje",
        "Esta mensagem foi apagada",
        "Você apagou esta mensagem",
        "Ce message a été supprimé",
        "Vous avez supprimé ce message",
        "Dit bericht is verwijderd",
        "Je hebt dit bericht verwijderd",
        "Questo messaggio è stato eliminato",
        "Hai eliminato questo messaggio",
    )
)
_WAITING = re.compile(r"^(waiting for this message|warten auf diese nachricht|esperando este mensaje)", re.I)
_OMITTED = frozenset(
    s.casefold()
    for s in (
        "<Media omitted>",
        "<Medien ausgeschlossen>",
        "<Multimedia omitido>",
        "<Mídia oculta>",
        "<Médias omis>",
        "<Media weggelaten>",
        "<Media omessi>",
        "<الوسائط غير مضمنة>",
        "<Медиафайлы не включены>",
        "<Medya dahil edilmedi>",
    )
)
_IOS_OMITTED = re.compile(
    r"^(image|video|audio|sticker|gif|document|contact card|photo|bild|audio|sticker) "
    r"(omitted|weggelassen|omitido|omis|weggelaten|omesso)$",
    re.I,
)
_IOS_ATTACHED = re.compile(r"<(?:attached|anhang|adjunto|anexado|pièce jointe|bijlage|allegato): ([^>]+)>", re.I)
_ANDROID_ATTACHED = re.compile(
    r"^(?P<name>\S.*?\.\w{1,5}) \((?:file attached|datei angehängt|archivo adjunto|arquivo anexado|"
    r"fichier joint|bestand bijgevoegd|file allegato)\)\s*$",
    re.I,
)
_EDITED = re.compile(
    "[ \u200e]*<(?:This message was edited|Diese Nachricht wurde bearbeitet|Se editó este mensaje\\.?|"
    "Mensagem editada|Ce message a été modifié|Dit bericht is bewerkt|Questo messaggio è stato modificato)>\\s*$",
    re.I,
)

_MARKER_MAX = 80  # longest deleted/omitted/waiting marker, with room for invisible marks


def interpret_text(raw: str) -> tuple[str, dict[str, object]] | RecordSkip:
    """Turn a message body into (text, meta) or a skip (system / deleted)."""
    meta: dict[str, object] = {}
    system_mark = raw.startswith("\u200e")
    text = raw.lstrip("\u200e")
    # Cheap guards first: every marker below is short or ends/contains a bracket.
    if text.endswith(">"):
        edited = _EDITED.search(text)
        if edited:
            meta["edited"] = True
            text = text[: edited.start()].rstrip()
    if len(text) <= _MARKER_MAX:
        clean = strip_invisible(text).strip()
        folded = clean.casefold()
        if folded.rstrip(".") in _DELETED:
            return RecordSkip(where="", reason=SKIP_DELETED)
        if _WAITING.match(clean):
            return RecordSkip(where="", reason=SKIP_UNAVAILABLE)
        if folded in _OMITTED or _IOS_OMITTED.match(clean):
            meta["media_omitted"] = True
            return (f"[{folded}]" if clean[:1] != "<" else "[media omitted]"), meta
    else:
        clean = text
    if "<" in text:
        attached = [strip_invisible(n).strip() for n in _IOS_ATTACHED.findall(text)]
        if attached:
            meta["attachments"] = attached
            caption = strip_invisible(_IOS_ATTACHED.sub("", text)).strip()
            # iOS writes document lines as "‎name.pdf • ‎3 pages ‎<attached: …>": keep it readable.
            return (caption or f"[attachment: {', '.join(attached)}]"), meta
    first, _, more = text.partition("\n")
    android = _ANDROID_ATTACHED.match(strip_invisible(first).strip()) if first.rstrip().endswith(")") else None
    if android:
        name = android.group("name")
        meta["attachments"] = [name]
        caption = more.strip()
        return (caption or f"[attachment: {name}]"), meta
    if system_mark:
        return RecordSkip(where="", reason=SKIP_SYSTEM)
    if not clean.strip():
        return RecordSkip(where="", reason=SKIP_EMPTY)
    return text, meta
