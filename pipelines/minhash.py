"""Text normalisation, word shingles and numpy MinHash signatures for near-dup detection."""

from __future__ import annotations

import re
import threading
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
_CACHE_BITS = 18  # token id cache: 2^18 slots, 6 MB (dev sets have ~19k distinct tokens)
_CACHE_SLOTS = 1 << _CACHE_BITS
_MIX = np.uint64(0x9E3779B97F4A7C15)
_LOW_MASK = np.array([(1 << (8 * min(n, 8))) - 1 for n in range(16)], dtype=_U64)  # n bytes:
_HIGH_MASK = np.array([(1 << (8 * max(n - 8, 0))) - 1 for n in range(16)], dtype=_U64)  # 0-7, 8+
_NEWLINE = np.uint8(10)
_PAD = b" " * 16  # after the text: a word ends before it, 8-byte reads stay in bounds
_ODD_SPACES_UTF8 = frozenset(  # str.isspace() characters beyond ASCII (U+00A0 is in _PUNCT)
    chr(c).encode() for c in range(0x80, 0x3001) if chr(c).isspace() and c != 0xA0
)
_ODD_SPACE_LEAD = np.zeros(1 << 16, dtype=bool)  # their first two UTF-8 bytes, little-endian
_ODD_SPACE_LEAD[[int.from_bytes(seq[:2], "little") for seq in _ODD_SPACES_UTF8]] = True
_SPACE_BYTE = np.zeros(256, dtype=bool)  # str.isspace() ASCII characters
_SPACE_BYTE[list(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ")] = True
_WORD_BYTE = ~_SPACE_BYTE  # bytes the _WORD regex keeps: not space, not ASCII punctuation
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


def _xxh3(token: bytes) -> int:
    """64-bit xxh3 of one token's UTF-8 bytes (the token id; stable across processes)."""
    return xxhash.xxh3_64_intdigest(token)


class _TokenIdCache:
    """Direct-mapped cache of token ids for tokens of <= 15 bytes, keyed by their exact bytes.

    A token is packed into two uint64 (bytes 0-7; bytes 8-14 plus its length in the top byte),
    so a hit is an exact match; a miss (new token or slot taken by another) recomputes xxh3.
    """

    def __init__(self) -> None:
        self.slots = np.zeros((_CACHE_SLOTS, 3), dtype=_U64)  # low, high key words, id
        self.lock = threading.Lock()  # slot writes are not atomic

    def lookup(self, data: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """xxh3 id of each token data[start:end] (data padded with >= 16 bytes at the end)."""
        lengths = ends - starts
        words = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
        size = np.minimum(lengths, 15)
        low = words[starts] & _LOW_MASK[size]  # bytes 0-7
        high = words[starts + 8] & _HIGH_MASK[size]  # bytes 8-14 | length << 56 (0: empty)
        high |= lengths.astype(_U64) << _U64(56)
        slot = ((low ^ high * _MIX) * _FMIX) >> _U64(64 - _CACHE_BITS)
        with self.lock:
            cached = self.slots[slot]  # one cache line per token
            ids: np.ndarray = cached[:, 2]
            miss = (cached[:, 0] != low) | (cached[:, 1] != high) | (lengths > 15)
            if miss.any():
                miss = np.flatnonzero(miss)
                found = [
                    _xxh3(data[start:end])
                    for start, end in zip(starts[miss].tolist(), ends[miss].tolist(), strict=True)
                ]
                ids[miss] = found
                short = miss[lengths[miss] <= 15]  # longer keys are inexact: never stored
                self.slots[slot[short]] = np.stack([low[short], high[short], ids[short]], axis=1)
        return ids


_token_ids = _TokenIdCache()


def _normalise(text: str) -> bytes:
    """Lower-cased UTF-8 text, typographic punctuation made ASCII, one space before, 8 after."""
    text = text.lower()
    for old, new in _PUNCT:
        text = text.replace(old, new)
    return b" " + text.encode("utf-8", "surrogatepass") + _PAD


def _byte_classes(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word-byte mask, whitespace-byte mask and newline offsets of normalised text.

    Word bytes are what the _WORD regex keeps: all but whitespace and ASCII punctuation, so
    every byte of a non-ASCII character except the str.isspace() ones (e.g. U+2009).
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    word, space = _WORD_BYTE[raw], _SPACE_BYTE[raw]
    pairs = np.ndarray((len(data) - 1,), dtype="<u2", buffer=data, strides=(1,))
    for pos in np.flatnonzero(_ODD_SPACE_LEAD[pairs]).tolist():  # rare: few per text
        size = 2 if data[pos] == 0xC2 else 3
        if data[pos : pos + size] in _ODD_SPACES_UTF8:
            word[pos : pos + size] = False
            space[pos : pos + size] = True
    return word, space, np.flatnonzero(raw == _NEWLINE)


def _edges(mask: np.ndarray) -> np.ndarray:
    """Offsets where a run of True starts or ends (mask must start and end False)."""
    out: np.ndarray = np.flatnonzero(mask[1:] != mask[:-1]) + 1
    return out


def _content_spans(
    data: bytes, min_line_words: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Byte spans of the word tokens of prose lines (see content_tokens), in text order, and
    the indexes of the prose lines (None when there were too few and every token counts).

    Tokens are runs of word bytes (exactly the _WORD regex on the decoded text); a line is
    prose when it has >= min_line_words tokens and >= min_line_words whitespace-split words.
    """
    word, space, breaks = _byte_classes(data)
    edges = _edges(word)
    starts, ends = edges[::2], edges[1::2]
    lines = len(breaks) + 1
    word_line = np.searchsorted(breaks, starts)
    split_line = np.searchsorted(breaks, _edges(~space)[::2])
    prose = np.bincount(word_line, minlength=lines) >= min_line_words
    prose &= np.bincount(split_line, minlength=lines) >= min_line_words
    kept = prose[word_line]
    if np.count_nonzero(kept) >= 4 * min_line_words:
        return starts[kept], ends[kept], np.flatnonzero(prose)
    return starts, ends, None


def content_tokens(text: str, min_line_words: int) -> list[str]:
    """Lower-cased word tokens of the lines long enough to be prose; all tokens if too few."""
    data = _normalise(text)
    starts, ends, _ = _content_spans(data, min_line_words)
    return [
        data[start:end].decode("utf-8", "surrogatepass")
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
    ]


def shingle_hashes(tokens: list[str], k: int, seed: int = 1) -> np.ndarray:
    """32-bit hashes of every word k-gram, in text order (one hash if fewer than k words)."""
    raw = [token.encode("utf-8", "surrogatepass") for token in tokens]
    return _gram_hashes(np.fromiter(map(_xxh3, raw), dtype=_U64, count=len(raw)), k, seed)


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
    m = a[:, None] * hashes[None, :]  # (num_perm, n): the min runs along contiguous rows
    m += b[:, None]
    out: np.ndarray = m.min(axis=1)
    return out


def text_signature(text: str, config: NearDupConfig) -> Signature:
    """Signature of one article text (top level and picklable: runs in worker processes)."""
    return signature_and_prose_lines(text, config)[0]


def signature_and_prose_lines(
    text: str, config: NearDupConfig
) -> tuple[Signature, tuple[int, ...] | None]:
    """Signature of TEXT and the indexes of its prose lines, the only lines it depends on
    (None: too little prose, every line counts). Removing other lines keeps the signature."""
    data = _normalise(text)
    starts, ends, prose = _content_spans(data, config.min_line_words)
    ordered = _gram_hashes(_token_ids.lookup(data, starts, ends), config.shingle, config.seed)
    lead_count = max(1, config.lead_words - config.shingle + 1)
    shingles = _sorted_unique(ordered)
    signature = Signature(
        shingles=shingles,
        minhash=minhash(shingles, config.num_perm, config.seed),
        lead=minhash(_sorted_unique(ordered[:lead_count]), config.num_perm, config.seed),
    )
    return signature, None if prose is None else tuple(prose.tolist())


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
