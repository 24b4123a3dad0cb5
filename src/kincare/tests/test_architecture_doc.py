"""docs/architecture.md names one real example file per room of an app: they must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_example_file_the_architecture_guide_names_exists() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    examples = re.findall(r"`(src/kincare/[^`<]+)`", text)
    assert len(examples) >= 15
    missing = [path for path in examples if not (ROOT / path).exists()]
    assert missing == []
