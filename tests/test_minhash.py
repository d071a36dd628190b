"""Tests for shingling and MinHash signatures."""

from __future__ import annotations

import pickle
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import xxhash

from pipelines.minhash import (
    _PUNCT,
    _WORD,
    NearDupConfig,
    _content_spans,
    _normalise,
    _token_ids,
    band_keys,
    content_tokens,
    shingle_hashes,
    text_signature,
)

PROSE = (
    "The regional rail operator said on Monday that the night trains between the two lake towns"
    " will run again from September after a break of almost three years caused by repairs."
)
PAGE = "\n".join(
    ["Menu | Home | Travel", PROSE, "Share | Print", PROSE.replace("Monday", "Friday")]
)


def test_content_tokens_keep_prose_lines_only() -> None:
    tokens = content_tokens(PAGE, min_line_words=10)
    assert "menu" not in tokens and "share" not in tokens
    assert tokens[:3] == ["the", "regional", "rail"]
    assert "friday" in tokens


def test_content_tokens_fall_back_to_all_words_for_short_texts() -> None:
    assert content_tokens("Breaking: storm closes | the harbour", min_line_words=10) == [
        "breaking",
        "storm",
        "closes",
        "the",
        "harbour",
    ]


def test_typographic_quotes_tokenise_like_ascii() -> None:
    curly = content_tokens("It\u2019s \u201cfine\u201d \u2014 really", 0)
    assert curly == content_tokens('It\'s "fine" - really', 0)


def test_shingle_hashes_are_order_sensitive_and_stable() -> None:
    words = ["one", "two", "three", "four", "five", "six"]
    first = shingle_hashes(words, 5)
    assert first.dtype == np.uint32 and len(first) == 2
    assert np.array_equal(first, shingle_hashes(list(words), 5))
    assert not np.array_equal(first, shingle_hashes(words[::-1], 5))
    assert len(shingle_hashes(["short"], 5)) == 1


def test_signature_is_deterministic_sorted_and_picklable() -> None:
    config = NearDupConfig()
    sig = text_signature(PAGE, config)
    again = pickle.loads(pickle.dumps(sig))
    assert np.array_equal(sig.shingles, again.shingles)
    assert np.array_equal(sig.minhash, text_signature(PAGE, config).minhash)
    assert sig.minhash.shape == sig.lead.shape == (config.num_perm,)
    assert np.all(np.diff(sig.shingles.astype(np.int64)) > 0)


def test_lead_signature_ignores_text_after_the_lead() -> None:
    config = replace(NearDupConfig(), lead_words=20)
    longer = PAGE + "\n" + PROSE.replace("rail", "bus") * 3
    assert np.array_equal(text_signature(PAGE, config).lead, text_signature(longer, config).lead)
    assert not np.array_equal(
        text_signature(PAGE, config).minhash, text_signature(longer, config).minhash
    )


def test_band_keys_depend_on_salt_and_band() -> None:
    values = np.arange(64, dtype=np.uint32)
    whole, lead = band_keys(values, 21, 3, 0), band_keys(values, 21, 3, 1)
    assert len(whole) == 21 and len(set(whole)) == 21
    assert not set(whole) & set(lead)


@pytest.mark.parametrize(
    "bad",
    [{"threshold": 0.0}, {"jaccard": 1.5}, {"lsh_bands": 40, "lsh_rows": 2}, {"shingle": 0}],
)
def test_config_rejects_impossible_settings(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        replace(NearDupConfig(), **bad)


def _reference_tokens(text: str, min_line_words: int) -> list[str]:
    """The original per-line regex tokeniser that content_tokens must reproduce exactly."""
    text = text.lower()
    for old, new in _PUNCT:
        text = text.replace(old, new)
    kept: list[str] = []
    for line in text.split("\n"):
        if (
            len(line.split()) >= min_line_words
            and len(words := _WORD.findall(line)) >= min_line_words
        ):
            kept.extend(words)
    return kept if len(kept) >= 4 * min_line_words else _WORD.findall(text)


_ALPHABET = (
    list("abcdefghij ABC,.;'-|") * 3
    + ["\n", "\t", "\r", "\x1c", "\x00", "\x7f", "\u2009", "\u3000", "\u2028", "\x85"]
    + ["\u00a0", "\u2019", "\u2014", "\u2026", "\u00e9", "\u00c9", "\u0130", "\u2022", "\u20ac"]
    + ["\u4e2d", "\U0001f600", "\u1680", "\u205f", "\u0391", "\ud800"]
)


@pytest.mark.parametrize("min_line_words", [0, 3, 10])
def test_byte_tokeniser_matches_the_regex_definition(min_line_words: int) -> None:
    rng = np.random.default_rng(min_line_words)
    for _ in range(300):
        size = int(rng.integers(0, 400))
        text = "".join(rng.choice(np.array(_ALPHABET, dtype=object), size=size))
        if rng.random() < 0.5:
            text += "\n" + " ".join(["word"] * int(rng.integers(0, 60)))
        assert content_tokens(text, min_line_words) == _reference_tokens(text, min_line_words)


def test_token_ids_are_xxh3_of_each_token_including_long_and_repeated_ones() -> None:
    words = ["a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "x" * 15, "x" * 16, "y" * 271]
    words += ["\u00e9t\u00e9", "\u4e2d\u6587", "x" * 15, "y" * 256 + "x" * 15, "a"]
    text = " ".join(words * 12)  # prose lines: ids must not depend on what was cached
    for _ in range(2):
        sig = text_signature(text, NearDupConfig())
        expected = shingle_hashes([w.lower() for w in words * 12], 5)
        assert np.array_equal(sig.shingles, np.unique(expected))
    ids = _token_ids.lookup(*_padded_spans(" ".join(words)))
    assert ids.tolist() == [xxhash.xxh3_64_intdigest(w.lower().encode()) for w in words]


def _padded_spans(text: str) -> tuple[bytes, np.ndarray, np.ndarray]:
    data = _normalise(text)
    starts, ends, _ = _content_spans(data, 0)
    return data, starts, ends
