"""What an extraction worker returns for one page: the article and every hash of its text,
so the crawl process neither parses HTML nor hashes or signs text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipelines.boilerplate import TextLines
from pipelines.extraction import ExtractedArticle, extract_article
from pipelines.minhash import NearDupConfig, Signature, signature_and_prose_lines
from pipelines.texthash import content_hash


@dataclass(frozen=True)
class PageAnalysis:
    """An extracted article with its line hashes, content hash and near-dup signature."""

    article: ExtractedArticle
    lines: TextLines  # for the site boilerplate learner
    content_hash: str
    signature: Signature
    prose_lines: tuple[int, ...] | None  # the lines the signature depends on (None: all)

    def signature_without(self, dropped: list[int]) -> Signature | None:
        """The signature of the text without the lines at DROPPED when it is the same as the
        whole text's (no prose line dropped); None when it must be recomputed."""
        if not dropped:
            return self.signature
        if self.prose_lines is None or not set(dropped).isdisjoint(self.prose_lines):
            return None
        return self.signature


def analyse_page(
    body: bytes, url: str, fallbacks: Mapping[str, Any], config: NearDupConfig
) -> PageAnalysis:
    """Extract one page and hash its text (top level and picklable: runs in the workers)."""
    article = extract_article(body, url, fallbacks)
    signature, prose_lines = signature_and_prose_lines(article.text, config)
    return PageAnalysis(
        article, TextLines.of(article.text), content_hash(article.text), signature, prose_lines
    )
