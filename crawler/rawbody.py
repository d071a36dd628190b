"""Make fetched bytes safe to parse: capped gunzip, UTF-16 to UTF-8, DOCTYPE removal."""

from __future__ import annotations

import codecs
import re
import zlib

MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024
_MAX_GZIP_LAYERS = 2
_MAX_ENTITIES = 64
_MAX_ENTITY_VALUE = 256
_PROLOG_ITEM = re.compile(
    rb"\xef\xbb\xbf|\s+|<\?.*?\?>|<!--.*?-->|<!doctype", re.IGNORECASE | re.DOTALL
)
_DTD_TOKEN = re.compile(rb'"[^"]*"|\'[^\']*\'|[\[\]>]')
_LITERAL_ENTITY = re.compile(
    rb"<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:\"(&#\w+;|[^\"&<%]*)\"|'(&#\w+;|[^'&<%]*)')\s*>"
)


class GzipError(ValueError):
    """Raised when gzip data is corrupt or decompresses beyond the size cap."""


def gunzip_if_needed(body: bytes, limit: int | None = None) -> bytes:
    """Decompress gzip bytes (possibly multi-member or doubly gzipped), capped at `limit`."""
    limit = MAX_DECOMPRESSED_BYTES if limit is None else limit
    for _ in range(_MAX_GZIP_LAYERS):
        if not body.startswith(b"\x1f\x8b"):
            return body
        body = _gunzip(body, limit)
    return body


def _gunzip(data: bytes, limit: int) -> bytes:
    """Decompress all gzip members of `data`, raising GzipError past `limit` bytes."""
    out: list[bytes] = []
    size = 0
    while data.startswith(b"\x1f\x8b"):
        decomp = zlib.decompressobj(wbits=31)
        try:
            chunk = decomp.decompress(data, limit - size + 1)
        except zlib.error as exc:
            raise GzipError(f"corrupted gzip data: {exc}") from exc
        size += len(chunk)
        if size > limit or decomp.unconsumed_tail:
            raise GzipError(f"gzip data decompresses to more than {limit} bytes")
        if not decomp.eof:
            raise GzipError("truncated gzip data")
        out.append(chunk)
        data = decomp.unused_data
    return b"".join(out)


def to_utf8_if_utf16(data: bytes) -> bytes:
    """Re-encode UTF-16/32 documents (by BOM or "<?") to UTF-8 so byte sniffing works."""
    for bom, codec in (
        (b"<\x00?\x00", "utf-16-le"),
        (b"\x00<\x00?", "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            text = re.sub(r"^(<\?xml[^>]*?encoding=)([\"'])[^\"']*\2", r"\1\2utf-8\2", text)
            return text.encode("utf-8")
    return data


def strip_leading_space(data: bytes) -> bytes:
    """Drop whitespace before an XML declaration, which must open the document."""
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    body = data[len(bom) :]
    stripped = body.lstrip()
    if len(stripped) == len(body) or not stripped.startswith(b"<?xml"):
        return data
    return bom + stripped


def strip_doctype(data: bytes) -> tuple[bytes, bool]:
    """Remove DOCTYPEs from the prolog (no DTD, no XXE); inline simple literal entities."""
    kept: list[bytes] = []
    entities: dict[bytes, bytes] = {}
    pos = start = 0
    while (match := _PROLOG_ITEM.match(data, pos)) is not None:
        if match.group(0)[:2] == b"<!" and match.group(0)[2:3] != b"-":
            kept.append(data[start : match.start()])
            pos = start = _doctype_end(data, match.end())
            entities.update(_literal_entities(data[match.end() : pos]))
        else:
            pos = match.end()
    if not kept:
        return data, False
    kept.append(data[start:])
    return _inline_entities(b"".join(kept), entities), True


def _literal_entities(doctype: bytes) -> dict[bytes, bytes]:
    """Internal entities whose value is plain text or one character reference."""
    found: dict[bytes, bytes] = {}
    for match in _LITERAL_ENTITY.finditer(doctype):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if len(found) < _MAX_ENTITIES and len(value) <= _MAX_ENTITY_VALUE:
            found[match.group(1)] = value
    return found


def _inline_entities(data: bytes, entities: dict[bytes, bytes]) -> bytes:
    """Replace &name; by literal values, unless that would more than double the document."""
    growth = sum(data.count(b"&" + name + b";") * len(value) for name, value in entities.items())
    if not entities or growth > max(len(data), 1 << 20):
        return data
    pattern = re.compile(b"&(" + b"|".join(re.escape(name) for name in entities) + b");")
    escaped = {name: value.replace(b'"', b"&quot;") for name, value in entities.items()}
    return pattern.sub(lambda m: escaped[m.group(1)], data)


def _doctype_end(data: bytes, pos: int) -> int:
    """Index just past the DOCTYPE whose body starts at `pos`, honouring quotes and [ ]."""
    depth = 0
    for match in _DTD_TOKEN.finditer(data, pos):
        token = match.group(0)
        if token == b"[":
            depth += 1
        elif token == b"]":
            depth = max(depth - 1, 0)
        elif token == b">" and depth == 0:
            return match.end()
    return len(data)
