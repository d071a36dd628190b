"""The worker's page analysis: line hashes, content hash and a signature the crawl reuses."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from pipelines.analysis import PageAnalysis
from pipelines.boilerplate import TextLines, line_hash, remove_lines
from pipelines.extraction import ExtractedArticle
from pipelines.minhash import NearDupConfig, signature_and_prose_lines, text_signature
from pipelines.texthash import content_hash

CONFIG = NearDupConfig()
WORDS = [
    "harbour",
    "council",
    "vote",
    "budget",
    "river",
    "bridge",
    "school",
    "teacher",
    "storm",
    "rain",
    "market",
    "price",
]


def _text(rng: random.Random, lines: int) -> str:
    """Prose lines (12-40 words) mixed with short furniture lines (1-9 words)."""
    out = []
    for _ in range(lines):
        size = rng.randint(12, 40) if rng.random() < 0.6 else rng.randint(1, 9)
        out.append(" ".join(rng.choice(WORDS) + str(rng.randint(0, 50)) for _ in range(size)))
    return "\n".join(out)


def _analysis(text: str) -> PageAnalysis:
    signature, prose = signature_and_prose_lines(text, CONFIG)
    article = ExtractedArticle(text=text)
    return PageAnalysis(article, TextLines.of(text), content_hash(text), signature, prose)


def _same(a: object, b: object) -> bool:
    fields = ("shingles", "minhash", "lead")
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in fields)


@pytest.mark.parametrize("seed", range(20))
def test_reused_signature_equals_the_recomputed_one(seed: int) -> None:
    rng = random.Random(seed)
    text = _text(rng, rng.randint(3, 30))
    analysis = _analysis(text)
    lines = text.split("\n")
    for _ in range(10):
        dropped = sorted(rng.sample(range(len(lines)), rng.randint(0, len(lines) - 1)))
        reused = analysis.signature_without(dropped)
        stripped, _ = remove_lines(text, dropped)
        if reused is not None:
            assert _same(reused, text_signature(stripped, CONFIG))
        else:  # only when a line the signature depends on was dropped
            assert analysis.prose_lines is None or set(dropped) & set(analysis.prose_lines)


def test_dropping_only_short_lines_keeps_the_signature() -> None:
    prose = " ".join(f"word{i}" for i in range(30))
    text = "\n".join(["Home News World", prose, "Share this", prose + " more", "Related"] * 3)
    analysis = _analysis(text)
    assert analysis.prose_lines is not None
    short = [i for i, line in enumerate(text.split("\n")) if len(line.split()) < 10]
    assert analysis.signature_without(short) is analysis.signature
    assert analysis.signature_without([1]) is None


def test_text_lines_hash_each_line_once() -> None:
    text = "Back to top\n\nA longer line of the article body, with words.\nBack to top"
    lines = TextLines.of(text)
    assert lines.hashes == tuple(line_hash(line) for line in text.split("\n"))
    assert lines.hashes[1] is None and lines.hashes[0] == lines.hashes[3]
    assert lines.words == (3, 0, 9, 3)
    assert lines.chars == tuple(len(line) for line in text.split("\n"))
    assert lines.learnable == {lines.hashes[0], lines.hashes[2]}


@pytest.mark.parametrize(
    "text", ["  Hello\u2003 World\u00a0x \x1c y\n\n", "Straße\tGROSS", "", " \n\t "]
)
def test_content_hash_normalises_like_the_regex_definition(text: str) -> None:
    import hashlib

    expected = re.sub(r"\s+", " ", text).strip().casefold()
    assert content_hash(text) == hashlib.sha256(expected.encode()).hexdigest()
    assert content_hash(text.upper()) == content_hash(text.lower())
