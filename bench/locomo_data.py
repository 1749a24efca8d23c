"""LoCoMo-dev as Cairn sees it: the dataset read, each conversation imported into a fresh vault, the questions.

The dataset is CC BY-NC: it is read from ../shared and never copied into the repo.
Shared by the retrieval (``bench.locomo``), memory (``bench.memory``) and answer
(``bench.llm``) benchmarks.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo-dev" / "locomo_dev.json"
_DIA = re.compile(r"D(\d+):0*(\d+)")


def load(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text("utf-8"))


def export_jsonl(conv: dict[str, Any], out: Path) -> set[str]:
    """Write one conversation as Cairn JSON Lines; returns the dia_ids written."""
    c = conv["conversation"]
    ids: set[str] = set()
    with out.open("w", encoding="utf-8") as fh:
        n = 1
        while f"session_{n}" in c:
            when = datetime.strptime(c[f"session_{n}_date_time"], "%I:%M %p on %d %B, %Y")
            for turn in c[f"session_{n}"]:
                line = {"conversation": conv["sample_id"], "session": n, "timestamp": when.isoformat(),
                        "speaker": turn["speaker"], "text": turn["text"], "id": turn["dia_id"]}
                if turn.get("blip_caption"):
                    line["image_caption"] = turn["blip_caption"]
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
                ids.add(turn["dia_id"])
            n += 1
    return ids


def normalise_evidence(evidence: list[str], known: set[str]) -> list[str]:
    out: list[str] = []
    for entry in evidence:
        for m in _DIA.finditer(entry.replace("D:", "D")):
            dia = f"D{int(m.group(1))}:{int(m.group(2))}"
            if dia in known and dia not in out:
                out.append(dia)
    return out


def questions(data: list[dict[str, Any]], known: dict[str, set[str]], cats: tuple[int, ...] = (1, 2, 3, 4)) -> list[dict[str, Any]]:
    qs = []
    for conv in data:
        for qa in conv["qa"]:
            if qa["category"] not in cats:
                continue
            ev = normalise_evidence(qa.get("evidence", []), known[conv["sample_id"]])
            if ev:
                qs.append({**qa, "conversation": conv["sample_id"], "evidence": ev})
    return qs


def build_vault(data: list[dict[str, Any]], workdir: Path, embed: bool) -> tuple[Any, dict[str, set[str]], dict[str, float]]:
    from core.paths import VaultPaths
    from core.vault import Vault

    vault = Vault.create(VaultPaths(workdir / "vault"), "bench", use_keyring=False, embedder="default" if embed else None)
    known: dict[str, set[str]] = {}
    timings = {"messages": 0.0, "import_s": 0.0}
    for conv in data:
        path = workdir / f"{conv['sample_id']}.jsonl"
        known[conv["sample_id"]] = export_jsonl(conv, path)
        t0 = time.perf_counter()
        report = vault.import_path(path, embed=embed)
        timings["import_s"] += time.perf_counter() - t0
        timings["messages"] += report.imported
    return vault, known, timings

