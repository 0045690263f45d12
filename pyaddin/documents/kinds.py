"""The documents beian writes (安全承诺书, 营销活动方案) and where their Word templates ship: what
`--kind` may name and which template each kind renders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import TemplateProblem

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class Kind:
    option: str
    """What `--kind` calls it."""
    title: str
    """The document's name, used in output file names and messages."""
    template: str


KINDS: dict[str, Kind] = {
    "承诺书": Kind("承诺书", "安全承诺书", "安全承诺书.docx"),
    "方案": Kind("方案", "营销活动方案", "营销活动方案.docx"),
}


def kinds_for(kind: str) -> list[Kind]:
    if kind in ("all", "全部"):
        return list(KINDS.values())
    for k in KINDS.values():
        if kind in (k.option, k.title, k.template):
            return [k]
    raise TemplateProblem(f"未知的文书类型“{kind}”，请用 承诺书、方案 或 all。 / Unknown document kind {kind}.")
