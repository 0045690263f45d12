"""The weekly summary's Markdown read back into structure, for the places that do not speak Markdown.

飞书's `post` shows `**`, `##` and `>` as typed, and a person pasting the summary by hand into a
mail or a chat without Markdown sees them too. So the Markdown that `adapters/report_md.py`
writes is parsed here (only the little it uses: headings, bullets, `**bold**`, `> notes`, pipe
tables, `[text](url)` links and backslash escapes) into lines of spans, which the 飞书 renderer
turns into rich elements and `plain_text` into text with no markup left.

Masking stars are not markup: the summary masks 138****5678, a***@… and ID numbers with runs of
3, 4 or 11 stars, and user stars arrive escaped (`\\*`), so only a run of exactly two is bold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"\\(.)|(\*+)|\[((?:\\.|[^\]\\])*)\]\(([^)\s]+)\)|([^\\*\[]+|\[)")
_UNESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    href: str | None = None


@dataclass
class MdLine:
    kind: str
    """heading | bullet | quote | row | para | blank."""
    spans: list[Span] = field(default_factory=list)
    level: int = 0
    """Heading level (1 = the title)."""
    cells: list[list[Span]] = field(default_factory=list)
    """For a table row: its cells."""
    header: bool = False
    """For a table row: the row above the `|---|` separator."""

    @property
    def text(self) -> str:
        if self.kind == "row":
            return " · ".join("".join(s.text for s in cell) for cell in self.cells)
        return "".join(s.text for s in self.spans)


def spans(text: str) -> list[Span]:
    """Inline Markdown → spans: `**bold**` toggles bold, `[text](url)` is a link, `\\x` is x."""
    out: list[Span] = []
    bold = False
    for m in _TOKEN.finditer(text):
        escaped, stars, label, href, plain = m.groups()
        if stars is not None:
            if len(stars) == 2:
                bold = not bold
                continue
            piece = stars
        elif label is not None:
            out.append(Span(_UNESCAPE.sub(r"\1", label), bold, href))
            continue
        else:
            piece = escaped if escaped is not None else plain
        if out and out[-1].bold == bold and out[-1].href is None:
            out[-1] = Span(out[-1].text + piece, bold)
        else:
            out.append(Span(piece, bold))
    return [s for s in out if s.text]


def _cells(line: str) -> list[str]:
    """A pipe-table row's cells; an escaped `\\|` stays inside its cell."""
    body = line.strip()[1:]
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def parse(markdown: str) -> list[MdLine]:
    lines: list[MdLine] = []
    raw = markdown.rstrip("\n").split("\n")
    for i, line in enumerate(raw):
        stripped = line.strip()
        if not stripped:
            lines.append(MdLine("blank"))
        elif re.fullmatch(r"\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?", stripped):
            continue
        elif stripped.startswith("|"):
            following = raw[i + 1].strip() if i + 1 < len(raw) else ""
            header = bool(re.fullmatch(r"\|?\s*:?-{3,}.*", following))
            lines.append(MdLine("row", cells=[spans(c) for c in _cells(stripped)], header=header))
        elif m := re.match(r"(#{1,6})\s+(.*)", stripped):
            lines.append(MdLine("heading", spans(m.group(2)), level=len(m.group(1))))
        elif m := re.match(r"[-*+]\s+(.*)", stripped):
            lines.append(MdLine("bullet", spans(m.group(1))))
        elif m := re.match(r">\s?(.*)", stripped):
            lines.append(MdLine("quote", spans(m.group(1))))
        else:
            lines.append(MdLine("para", spans(stripped)))
    return lines


def plain_line(line: MdLine) -> str:
    """One parsed line as plain text: headings in 【】, bullets with “• ”, notes with “注：”."""
    if line.kind == "heading":
        return line.text if line.level == 1 else f"【{line.text}】"
    if line.kind == "bullet":
        return f"• {line.text}"
    if line.kind == "quote":
        return f"注：{line.text}"
    if line.kind == "row":
        return line.text
    return line.text


def plain_text(markdown: str) -> str:
    """The weekly summary for pasting where Markdown is not rendered: the same words, no markup.
    Links keep their address in brackets, so nothing that was clickable is lost."""
    out = []
    for line in parse(markdown):
        if line.kind == "blank":
            if out and out[-1]:
                out.append("")
            continue
        if line.kind != "row":
            line = MdLine(line.kind, [Span(f"{s.text}（{s.href}）" if s.href else s.text) for s in line.spans],
                          line.level)
        out.append(plain_line(line))
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"
