"""Text normalisation, word shingles and numpy MinHash signatures for near-dup detection."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xxhash

_WORD = re.compile(r"[^\s!-/:-@\[-`{-~]+")  # runs of anything but space and ASCII punctuation
_PUNCT = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2014", " "),
          ("\u2013", " "), ("\u2026", " "), ("\u00a0", " "))  # fmt: skip
_U32 = np.uint32
_U64 = np.uint64
_FMIX = np.uint64(0xFF51AFD7ED558CCD)
_TOKEN_CACHE_MAX = 1 << 19
_LOW56 = (1 << 56) - 1
_LEN_MASK = np.array([(1 << (8 * n)) - 1 for n in range(8)], dtype=_U64)  # low n bytes
_NEWLINE = np.uint8(10)
_SPACE_BYTES = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "  # str.isspace() ASCII characters
_ODD_SPACES = "\x85\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # other isspace()
_ODD_SPACE = re.compile(f"[{_ODD_SPACES}]")
_ODD_SPACES_UTF8 = tuple(
    chr(c).encode() for c in range(0x80, 0x3001) if chr(c).isspace() and chr(c) != "\xa0"
)
_NON_SPACE_BYTE = np.ones(256, dtype=bool)
_NON_SPACE_BYTE[list(_SPACE_BYTES)] = False
_WORD_BYTE = _NON_SPACE_BYTE.copy()  # bytes the _WORD regex keeps (UTF-8 sequences: all)
_WORD_BYTE[[c for c in range(0x21, 0x7F) if not chr(c).isalnum()]] = False


@dataclass(frozen=True)
class NearDupConfig:
    """Near-duplicate detection settings; defaults chosen by bench/dedup.py (see bench/DEDUP.md)."""

    threshold: float = 0.6  # containment of the smaller doc's content shingles in the larger
    jaccard: float = 0.5  # Jaccard of content shingles, alone enough to call a duplicate
    num_perm: int = 64  # MinHash permutations per signature (>= lsh_bands * lsh_rows)
    shingle: int = 5  # word n-gram size
    min_line_words: int = 10  # content = lines with at least this many words (drops nav/bylines)
    min_shingles: int = 40  # containment needs this many content shingles on the smaller side
    lsh_bands: int = 32  # LSH bands of lsh_rows rows: candidate generator tuned for low Jaccard
    lsh_rows: int = 2
    lead_words: int = 100  # the lead signature covers the first N content words
    common_docs: int = 3  # a shingle seen in this many stored docs is furniture, not content
    common_window: int = 20_000  # furniture statistics cover the most recent N stored docs
    max_candidates: int = 100  # verify at most this many LSH candidates (most band hits first)
    seed: int = 1

    def __post_init__(self) -> None:
        """Reject settings that cannot work."""
        if not 0.0 < self.threshold <= 1.0 or not 0.0 < self.jaccard <= 1.0:
            raise ValueError("threshold and jaccard must be in (0, 1]")
        if self.lsh_bands * self.lsh_rows > self.num_perm:
            raise ValueError("lsh_bands * lsh_rows must not exceed num_perm")
        if min(self.shingle, self.num_perm, self.lsh_bands, self.lsh_rows, self.lead_words) < 1:
            raise ValueError("shingle, num_perm, lsh_bands, lsh_rows, lead_words must be >= 1")


@dataclass(frozen=True, eq=False)
class Signature:
    """Picklable signature: sorted unique uint32 shingle hashes + whole-text and lead MinHash."""

    shingles: np.ndarray  # uint32, sorted, unique: exact verification
    minhash: np.ndarray  # uint32[num_perm] over all content shingles
    lead: np.ndarray  # uint32[num_perm] over the first lead_words content words

    def __len__(self) -> int:
        """Number of distinct shingles."""
        return len(self.shingles)


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Affine 32-bit permutations a*x+b (a odd) for MinHash."""
    rng = np.random.default_rng(seed)
    a = (rng.integers(0, 2**31, size=num_perm, dtype=_U32) << _U32(1)) | _U32(1)
    b = rng.integers(0, 2**32, size=num_perm, dtype=_U32)
    return a, b


@lru_cache(maxsize=8)
def _gram_multipliers(k: int, seed: int) -> np.ndarray:
    """Random odd 64-bit multipliers, one per n-gram position."""
    rng = np.random.default_rng(seed + 7919)
    return (rng.integers(0, 2**63, size=k, dtype=_U64) << _U64(1)) | _U64(1)


class _TokenIds(dict[int | bytes | str, int]):
    """xxh3 64-bit hash of a token's UTF-8 bytes, computed on first use (stable across runs).

    Keys are the token itself (str or bytes) or, for tokens of at most 7 bytes, the int
    packing its bytes (little-endian) with its length in the top byte: ints never equal
    str/bytes keys, so one dict serves all three.
    """

    def __missing__(self, key: int | bytes | str) -> int:
        if isinstance(key, int):
            raw = (key & _LOW56).to_bytes(7, "little")[: key >> 56]
        else:
            raw = key.encode("utf-8", "surrogatepass") if isinstance(key, str) else key
        value = self[key] = xxhash.xxh3_64_intdigest(raw)
        return value


_token_cache = _TokenIds()


def _cached_ids(keys: list[int | bytes | str]) -> np.ndarray:
    """Token hashes of keys as uint64 (the cache is bounded: cleared when it grows too big)."""
    ids = np.fromiter(map(_token_cache.__getitem__, keys), dtype=_U64, count=len(keys))
    if len(_token_cache) > _TOKEN_CACHE_MAX:
        _token_cache.clear()
    return ids


def _normalise(text: str) -> bytes:
    """Lower-cased UTF-8 text with typographic punctuation and non-ASCII spaces made ASCII."""
    text = text.lower()
    for old, new in _PUNCT:
        text = text.replace(old, new)
    data = text.encode("utf-8", "surrogatepass")
    if not data.isascii() and any(space in data for space in _ODD_SPACES_UTF8):
        data = _ODD_SPACE.sub(" ", text).encode("utf-8", "surrogatepass")
    return data


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) offsets of the runs of True in a bool array."""
    edges = np.flatnonzero(np.diff(mask.view(np.int8), prepend=np.int8(0), append=np.int8(0)))
    return edges[::2], edges[1::2]


def _content_spans(data: bytes, min_line_words: int) -> tuple[np.ndarray, np.ndarray]:
    """Byte spans of the word tokens of prose lines (see content_tokens), in text order.

    Tokens are runs of bytes that are neither whitespace nor ASCII punctuation (exactly the
    _WORD regex on the decoded text, once _normalise made every space ASCII); a line is
    prose when it has >= min_line_words tokens and >= min_line_words whitespace-split words.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    starts, ends = _runs(_WORD_BYTE[raw])
    breaks = np.flatnonzero(raw == _NEWLINE)
    lines = len(breaks) + 1
    word_line = np.searchsorted(breaks, starts)
    split_line = np.searchsorted(breaks, _runs(_NON_SPACE_BYTE[raw])[0])
    prose = np.bincount(word_line, minlength=lines) >= min_line_words
    prose &= np.bincount(split_line, minlength=lines) >= min_line_words
    kept = prose[word_line]
    if np.count_nonzero(kept) >= 4 * min_line_words:
        return starts[kept], ends[kept]
    return starts, ends


def _span_ids(data: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """xxh3 hash of each token data[start:end] (short tokens keyed by their packed bytes)."""
    lengths = ends - starts
    padded = data + bytes(8)
    words = np.ndarray((len(data),), dtype="<u8", buffer=padded, strides=(1,))  # any offset
    packed = words[starts] & _LEN_MASK[np.minimum(lengths, 7)]
    packed |= lengths.astype(_U64) << _U64(56)
    keys: list[int | bytes | str] = packed.tolist()
    long = np.flatnonzero(lengths > 7)
    for i, start, end in zip(long.tolist(), starts[long].tolist(), ends[long].tolist()):
        keys[i] = data[start:end]
    return _cached_ids(keys)


def content_tokens(text: str, min_line_words: int) -> list[str]:
    """Lower-cased word tokens of the lines long enough to be prose; all tokens if too few."""
    data = _normalise(text)
    starts, ends = _content_spans(data, min_line_words)
    return [
        data[start:end].decode("utf-8", "surrogatepass")
        for start, end in zip(starts.tolist(), ends.tolist())
    ]


def shingle_hashes(tokens: list[str], k: int, seed: int = 1) -> np.ndarray:
    """32-bit hashes of every word k-gram, in text order (one hash if fewer than k words)."""
    return _gram_hashes(_cached_ids(list(tokens)), k, seed)


def _gram_hashes(ids: np.ndarray, k: int, seed: int) -> np.ndarray:
    """32-bit hashes of every k-gram of 64-bit token ids (one hash if fewer than k ids)."""
    if len(ids) < k:
        ids = np.concatenate([ids, np.zeros(k - len(ids), dtype=_U64)])
    mult = _gram_multipliers(k, seed)
    n = len(ids) - k + 1
    h = ids[:n] * mult[0]
    for j in range(1, k):
        h += ids[j : j + n] * mult[j]
    h ^= h >> _U64(33)
    h *= _FMIX
    h ^= h >> _U64(33)
    out: np.ndarray = (h >> _U64(32)).astype(_U32)
    return out


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (faster than np.unique for small arrays)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def minhash(hashes: np.ndarray, num_perm: int, seed: int = 1) -> np.ndarray:
    """MinHash of a set of uint32 shingle hashes: min over a*x+b (mod 2^32) per permutation."""
    a, b = _permutations(num_perm, seed)
    if len(hashes) == 0:
        return np.full(num_perm, np.iinfo(_U32).max, dtype=_U32)
    m = hashes[:, None] * a[None, :]
    m += b[None, :]
    out: np.ndarray = m.min(axis=0)
    return out


def text_signature(text: str, config: NearDupConfig) -> Signature:
    """Signature of one article text (top level and picklable: runs in worker processes)."""
    data = _normalise(text)
    ids = _span_ids(data, *_content_spans(data, config.min_line_words))
    ordered = _gram_hashes(ids, config.shingle, config.seed)
    lead_count = max(1, config.lead_words - config.shingle + 1)
    shingles = _sorted_unique(ordered)
    return Signature(
        shingles=shingles,
        minhash=minhash(shingles, config.num_perm, config.seed),
        lead=minhash(_sorted_unique(ordered[:lead_count]), config.num_perm, config.seed),
    )


def band_keys(values: np.ndarray, bands: int, rows: int, salt: int) -> list[int]:
    """One signed 64-bit LSH key per band of `rows` MinHash values (salt separates signatures)."""
    mult = _gram_multipliers(rows, 104729)
    block = values[: bands * rows].astype(_U64).reshape(bands, rows)
    key = (block * mult[None, :]).sum(axis=1, dtype=_U64)
    key += (np.arange(bands, dtype=_U64) + _U64(salt * bands)) * _U64(0x9E3779B97F4A7C15)
    key ^= key >> _U64(31)
    key *= _FMIX
    key ^= key >> _U64(29)
    keys: list[int] = key.view(np.int64).tolist()
    return keys
