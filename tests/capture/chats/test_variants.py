"""Every export variant in tests/data/chats/variants.py imports fully with plain auto-detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.data.chats.variants import Variant, import_variant, variants


@pytest.mark.parametrize("variant", variants(), ids=lambda v: v.name)
def test_variant_imports_with_auto_detection(variant: Variant, tmp_path: Path) -> None:
    assert import_variant(variant, tmp_path) is None
