"""One way every bench prints its figures: left-aligned columns sized to their widest cell, a rule under the header."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def print_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Print ``header`` then ``rows`` (strings, one per column); the last column is not padded."""
    table = [tuple(header), *(tuple(row) for row in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in table]
    print(lines[0])
    print("-" * max(len(line) for line in lines))
    for line in lines[1:]:
        print(line)
