"""Reading and editing a VBA project (`vbaProject.bin`) without Excel.

Three layers, each after its Microsoft specification:

- MS-OVBA §2.4.1 run-length compression (`compress`, `decompress`);
- MS-OVBA §2.3.4 the `dir` stream, the `PROJECT` and `PROJECTwm` streams and module streams
  (`VbaProject.load`, `VbaProject.to_bytes`);
- MS-CFB compound files: read with olefile, written by `write_compound_file` (olefile cannot
  resize streams, so an edited project is written as a new compound file).

Edited projects are source-only: every module stream holds just its compressed source
(MODULEOFFSET 0, no p-code cache) and `_VBA_PROJECT` carries version 0xFFFF, so Excel compiles the
modules from source when it opens the workbook — as it does for the projects xlwings ships.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass, field

import olefile

from ..errors import OvbaError

__all__ = [
    "OvbaError",
    "Module",
    "VbaProject",
    "compress",
    "decompress",
    "write_compound_file",
    "DOCUMENT_HEADER_WORKSHEET",
    "DOCUMENT_HEADER_WORKBOOK",
]


# --------------------------------------------------------------------------------------------
# MS-OVBA §2.4.1 compression

_CHUNK = 4096


def _copy_token_params(difference: int) -> tuple[int, int]:
    """(bit_count, maximum_length) for a copy token at `difference` bytes into the chunk."""
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    out = bytearray()
    positions: dict[bytes, list[int]] = {}
    cur = start
    while cur < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if cur >= end:
                break
            difference = cur - start
            best_len = 0
            best_off = 0
            if difference > 0 and end - cur >= 3:
                bit_count, max_len = _copy_token_params(difference)
                limit = min(max_len, end - cur)
                for cand in reversed(positions.get(data[cur:cur + 3], ())[-64:]):
                    length = 0
                    while length < limit and data[cand + length] == data[cur + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, cur - cand
                        if length == limit:
                            break
            step = best_len if best_len >= 3 else 1
            if best_len >= 3:
                bit_count, _ = _copy_token_params(difference)
                token = ((best_off - 1) << (16 - bit_count)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
            else:
                out.append(data[cur])
            for p in range(cur, min(cur + step, end - 2)):
                positions.setdefault(data[p:p + 3], []).append(p)
            cur += step
        out[flag_index] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer (MS-OVBA §2.4.1.3.6) holding `data`."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        end = min(start + _CHUNK, len(data))
        body = _compress_chunk(data, start, end)
        if len(body) <= _CHUNK:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3))
            out += body
        else:  # §2.4.1.3.10: a raw chunk is always 4096 bytes
            out += struct.pack("<H", 0x3000 | (_CHUNK + 2 - 3))
            out += data[start:end].ljust(_CHUNK, b"\x00")
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """The bytes held in a CompressedContainer (MS-OVBA §2.4.1.3.1)."""
    if not data or data[0] != 0x01:
        raise OvbaError("compressed container does not start with 0x01")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise OvbaError("truncated chunk header")
        header = struct.unpack_from("<H", data, pos)[0]
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise OvbaError(f"bad chunk signature at byte {pos}")
        chunk_end = min(pos + size, len(data))
        pos += 2
        chunk_start = len(out)
        if not header & 0x8000:
            out += data[pos:pos + _CHUNK]
            pos += _CHUNK
            continue
        while pos < chunk_end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if flags & (1 << bit):
                    token = struct.unpack_from("<H", data, pos)[0]
                    pos += 2
                    bit_count, _ = _copy_token_params(len(out) - chunk_start)
                    length = (token & (0xFFFF >> bit_count)) + 3
                    offset = (token >> (16 - bit_count)) + 1
                    src = len(out) - offset
                    if src < chunk_start:
                        raise OvbaError("copy token points before its chunk")
                    for i in range(length):
                        out.append(out[src + i])
                else:
                    out.append(data[pos])
                    pos += 1
    return bytes(out)


# --------------------------------------------------------------------------------------------
# MS-CFB compound file writer

_FREESECT, _ENDOFCHAIN, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR, _MINI, _CUTOFF = 512, 64, 4096


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    index: int = 0
    start: int = _ENDOFCHAIN
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM


def _sort_key(name: str) -> tuple[int, str]:
    return (len(name.encode("utf-16-le")), name.upper())


def write_compound_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file holding `streams` ({"VBA/dir": b"…"}); storages are implied."""
    root = _Entry("Root Entry", 5)
    for path, data in streams.items():
        node = root
        parts = path.split("/")
        for part in parts[:-1]:
            found = next((c for c in node.children if c.name == part and c.kind == 1), None)
            if found is None:
                found = _Entry(part, 1)
                node.children.append(found)
            node = found
        node.children.append(_Entry(parts[-1], 2, data))

    entries: list[_Entry] = []

    def number(entry: _Entry) -> None:
        entry.index = len(entries)
        entries.append(entry)
        for c in sorted(entry.children, key=lambda e: _sort_key(e.name)):
            number(c)

    number(root)

    def tree(siblings: list[_Entry]) -> int:
        if not siblings:
            return _NOSTREAM
        mid = len(siblings) // 2
        node = siblings[mid]
        node.left = tree(siblings[:mid])
        node.right = tree(siblings[mid + 1:])
        return node.index

    for e in entries:
        if e.kind in (1, 5):
            e.child = tree(sorted(e.children, key=lambda c: _sort_key(c.name)))

    # mini stream and regular streams
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in entries:
        if e.kind != 2:
            continue
        if len(e.data) < _CUTOFF:
            if not e.data:
                e.start = _ENDOFCHAIN
                continue
            first = len(minifat)
            n = -(-len(e.data) // _MINI)
            minifat.extend(range(first + 1, first + n))
            minifat.append(_ENDOFCHAIN)
            e.start = first
            mini += e.data.ljust(n * _MINI, b"\x00")
        else:
            big.append(e)

    fat: list[int] = []
    body = bytearray()

    def place(data: bytes) -> int:
        if not data:
            return _ENDOFCHAIN
        first = len(fat)
        n = -(-len(data) // _SECTOR)
        fat.extend(range(first + 1, first + n))
        fat.append(_ENDOFCHAIN)
        body.extend(data.ljust(n * _SECTOR, b"\x00"))
        return first

    for e in big:
        e.start = place(e.data)
    root.start = place(bytes(mini))
    root.data = bytes(mini)

    dir_bytes = bytearray()
    for e in entries:
        name = e.name.encode("utf-16-le") + b"\x00\x00"
        size = len(e.data) if e.kind != 1 else 0
        start = e.start if e.kind != 1 else 0
        dir_bytes += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name, len(name), e.kind, 1, e.left, e.right, e.child, b"\x00" * 16, 0, 0, 0, start, size,
        )
    while len(dir_bytes) % _SECTOR:
        dir_bytes += struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM,
                                 b"\x00" * 16, 0, 0, 0, 0, 0)
    first_dir = place(bytes(dir_bytes))
    minifat_bytes = b"".join(struct.pack("<I", v) for v in minifat)
    first_minifat = place(minifat_bytes)
    n_minifat = -(-len(minifat_bytes) // _SECTOR)

    # FAT sectors describe themselves too
    n_fat = 1
    while (len(fat) + n_fat) > n_fat * (_SECTOR // 4):
        n_fat += 1
    if n_fat > 109:
        raise OvbaError("VBA project too large for a header-only DIFAT")
    fat_first = len(fat)
    fat.extend([_FATSECT] * n_fat)
    fat.extend([_FREESECT] * (n_fat * (_SECTOR // 4) - len(fat)))
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)

    difat = [fat_first + i for i in range(n_fat)] + [_FREESECT] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"), b"\x00" * 16, 0x003E, 0x0003, 0xFFFE, 9, 6, b"\x00" * 6,
        0, n_fat, first_dir, 0, _CUTOFF,
        first_minifat if minifat else _ENDOFCHAIN, n_minifat, _ENDOFCHAIN, 0,
    ) + b"".join(struct.pack("<I", v) for v in difat)
    assert len(header) == _SECTOR
    return header + bytes(body) + fat_bytes


# --------------------------------------------------------------------------------------------
# MS-OVBA project structure

DOCUMENT_HEADER_WORKBOOK = '0{00020819-0000-0000-C000-000000000046}'
DOCUMENT_HEADER_WORKSHEET = '0{00020820-0000-0000-C000-000000000046}'

_DOC_ATTRS = (
    'Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n'
    'Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = True\r\n'
    'Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = True\r\n'
)


def document_source(name: str, base: str = DOCUMENT_HEADER_WORKSHEET) -> str:
    """The source of an empty document module (a worksheet's or the workbook's)."""
    return f'Attribute VB_Name = "{name}"\r\nAttribute VB_Base = "{base}"\r\n' + _DOC_ATTRS


@dataclass
class Module:
    """One VBA module: `kind` is "module" (standard), "class" or "document"."""

    name: str
    kind: str
    source: str
    stream_name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("module", "class", "document"):
            raise ValueError(f"unknown module kind {self.kind!r}")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", self.name):
            raise ValueError(f"module name {self.name!r} is not a VBA identifier")
        self.stream_name = self.stream_name or self.name


_PROJECTVERSION = 0x09
_PROJECTMODULES = 0x0F
_PROJECTCOOKIE = 0x13
_MODULE_TERMINATOR = 0x2B
_MODULENAME = 0x19
_MODULESTREAMNAME = 0x1A
_MODULEOFFSET = 0x31
_MODULETYPE_PROCEDURAL = 0x21
_MODULETYPE_DOCUMENT = 0x22
_PROJECTCODEPAGE = 0x03


def _kind_from_project(text: str, name: str) -> str | None:
    """"document", "module" or "class" as the PROJECT stream declares the module."""
    kinds = {"document": "document", "module": "module", "class": "class", "baseclass": "class"}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip().lower() in kinds and value.split("/")[0].strip().lower() == name.lower():
            return kinds[key.strip().lower()]
    return None


def _records(data: bytes) -> list[tuple[int, bytes]]:
    out = []
    pos = 0
    while pos < len(data):
        if pos + 6 > len(data):
            raise OvbaError("truncated record in dir stream")
        rid, size = struct.unpack_from("<HI", data, pos)
        pos += 6
        if rid == _PROJECTVERSION:
            size = 6  # the Reserved field says 4, the record holds 6 bytes
        out.append((rid, data[pos:pos + size]))
        pos += size
    return out


def _pack(records: list[tuple[int, bytes]]) -> bytes:
    out = bytearray()
    for rid, data in records:
        size = 4 if rid == _PROJECTVERSION else len(data)
        out += struct.pack("<HI", rid, size) + data
    return bytes(out)


@dataclass
class VbaProject:
    """A VBA project: the `dir` records around the modules, the PROJECT text and the modules."""

    head: list[tuple[int, bytes]]  # dir records up to and including PROJECTCOOKIE
    tail: list[tuple[int, bytes]]  # dir records after the last module (the terminator)
    project_text: str
    modules: list[Module]
    codepage: str = "cp1252"

    # -- reading -------------------------------------------------------------------------
    @classmethod
    def load(cls, data: bytes) -> VbaProject:
        """Parse `vbaProject.bin` bytes."""
        try:
            ole = olefile.OleFileIO(io.BytesIO(data))
        except OSError as exc:
            raise OvbaError(f"not a compound file: {exc}") from exc
        with ole:
            try:
                dir_data = decompress(ole.openstream("VBA/dir").read())
                project_text = ole.openstream("PROJECT").read()
            except OSError as exc:
                raise OvbaError(f"VBA project stream missing: {exc}") from exc
            records = _records(dir_data)
            codepage = "cp1252"
            for rid, rdata in records:
                if rid == _PROJECTCODEPAGE:
                    codepage = f"cp{struct.unpack('<H', rdata)[0]}"
                    break
            ids = [r for r, _ in records]
            try:
                i_cookie = ids.index(_PROJECTCOOKIE, ids.index(_PROJECTMODULES))
            except ValueError as exc:
                raise OvbaError("dir stream has no PROJECTMODULES record") from exc
            head = records[: i_cookie + 1]
            modules: list[Module] = []
            i = i_cookie + 1
            current: dict[int, bytes] = {}
            while i < len(records) and records[i][0] != 0x10:
                rid, rdata = records[i]
                current.setdefault(rid, rdata)
                if rid == _MODULE_TERMINATOR:
                    name = current[_MODULENAME].decode(codepage)
                    stream = current[_MODULESTREAMNAME].decode(codepage)
                    offset = struct.unpack("<I", current[_MODULEOFFSET])[0]
                    raw = ole.openstream(f"VBA/{stream}").read()
                    source = decompress(raw[offset:]).decode(codepage)
                    kind = _kind_from_project(project_text.decode(codepage), name)
                    if kind is None:
                        kind = "module" if _MODULETYPE_PROCEDURAL in current else "class"
                    modules.append(Module(name, kind, source, stream))
                    current = {}
                i += 1
            tail = records[i:]
        return cls(head, tail, project_text.decode(codepage), modules, codepage)

    def module(self, name: str) -> Module | None:
        return next((m for m in self.modules if m.name.lower() == name.lower()), None)

    # -- editing -------------------------------------------------------------------------
    def set_module(self, module: Module) -> None:
        """Replace the module of the same name, or add it at the end."""
        for i, m in enumerate(self.modules):
            if m.name.lower() == module.name.lower():
                self.modules[i] = module
                return
        self.modules.append(module)

    def remove_module(self, name: str) -> None:
        self.modules = [m for m in self.modules if m.name.lower() != name.lower()]

    # -- writing -------------------------------------------------------------------------
    def _dir_bytes(self) -> bytes:
        records = []
        for rid, data in self.head:
            if rid == _PROJECTMODULES:
                data = struct.pack("<H", len(self.modules))
            records.append((rid, data))
        for m in self.modules:
            name = m.name.encode(self.codepage)
            uname = m.name.encode("utf-16-le")
            stream = m.stream_name.encode(self.codepage)
            records += [
                (_MODULENAME, name),
                (0x47, uname),
                (_MODULESTREAMNAME, stream),
                (0x32, m.stream_name.encode("utf-16-le")),
                (0x1C, b""),
                (0x48, b""),
                (_MODULEOFFSET, struct.pack("<I", 0)),
                (0x1E, struct.pack("<I", 0)),
                (0x2C, struct.pack("<H", 0xFFFF)),
                (_MODULETYPE_PROCEDURAL if m.kind == "module" else _MODULETYPE_DOCUMENT, b""),
                (_MODULE_TERMINATOR, b""),
            ]
        records += self.tail or [(0x10, b"")]
        return _pack(records)

    def _project_stream(self) -> bytes:
        lines = self.project_text.replace("\r\n", "\n").split("\n")
        module_line = re.compile(r"^(Document|Module|Class|BaseClass|Package)=", re.I)
        out: list[str] = []
        inserted = False
        section = ""
        for line in lines:
            if line.startswith("["):
                section = line
            if section == "" and module_line.match(line):
                if not inserted:
                    out += [self._project_line(m) for m in self.modules]
                    inserted = True
                continue
            if section == "[Workspace]" and "=" in line:
                continue
            out.append(line)
            if line == "[Workspace]":
                out += [f"{m.name}=0, 0, 0, 0, C" for m in self.modules]
        if not inserted:  # no module lines at all: put them after ID=
            at = next((i + 1 for i, line in enumerate(out) if line.startswith("ID=")), 0)
            out[at:at] = [self._project_line(m) for m in self.modules]
        return "\r\n".join(out).encode(self.codepage)

    @staticmethod
    def _project_line(m: Module) -> str:
        if m.kind == "document":
            return f"Document={m.name}/&H00000000"
        return f"{'Module' if m.kind == 'module' else 'Class'}={m.name}"

    def _projectwm(self) -> bytes:
        out = bytearray()
        for m in self.modules:
            out += m.name.encode(self.codepage) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00"
        return bytes(out + b"\x00\x00")

    def to_bytes(self) -> bytes:
        """A source-only `vbaProject.bin` (p-code caches dropped, version 0xFFFF)."""
        for m in self.modules:
            try:
                m.source.encode("ascii")
            except UnicodeEncodeError as exc:
                raise OvbaError(f"VBA module {m.name} is not ASCII: {exc}") from exc
        streams = {
            "PROJECT": self._project_stream(),
            "PROJECTwm": self._projectwm(),
            "VBA/_VBA_PROJECT": bytes.fromhex("cc61ffff000100"),
            "VBA/dir": compress(self._dir_bytes()),
        }
        for m in self.modules:
            streams[f"VBA/{m.stream_name}"] = compress(m.source.encode(self.codepage))
        return write_compound_file(streams)


def xlwings_version(project: VbaProject) -> str | None:
    """The xlwings version a project's `xlwings` module was written for, if it has one."""
    m = project.module("xlwings")
    if m is None:
        return None
    found = re.search(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', m.source)
    return found.group(1) if found else None
