"""Tests for shingling and MinHash signatures."""

from __future__ import annotations

import pickle
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from pipelines.minhash import (
    NearDupConfig,
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
