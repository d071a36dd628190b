"""Synthetic news sites of n distinct, deterministic articles for reliability/throughput tests."""

from __future__ import annotations

import random
import tomllib
from datetime import UTC, datetime, timedelta

from crawler.demo.content import (
    CONTENT_DIR,
    RSS,
    TEXT,
    XML,
    Article,
    Pages,
    Publication,
    slugify,
)
from crawler.demo.feeds import FeedEntry, robots_txt, rss_feed, urlset_sitemap
from crawler.demo.pages import publication_pages
from crawler.demo.templates import SiteView

_WORDS = {
    key: value.split()
    for key, value in tomllib.loads(
        (CONTENT_DIR / "synthetic_words.toml").read_text(encoding="utf-8")
    ).items()
}
_NOUNS, _ADJECTIVES = _WORDS["nouns"], _WORDS["adjectives"]
_VERBS = [tuple(pair.split("/")) for pair in _WORDS["verbs"]]
_FIRST, _LAST = _WORDS["first_names"], _WORDS["surnames"]
_DAYS, _MONTHS = _WORDS["days"], _WORDS["months"]
_SECTIONS, _TAGS = _WORDS["sections"], _WORDS["tags"]
_SENTENCES = [
    "{P} said on {D} that the {A} {N} in {T} had been {V} after a long {N2} dispute.",
    "Officials in {T} {V} a {A} {N} once {K} residents complained about the {N2}.",
    "The {N} will cost roughly {K} thousand and should {B} the {A} {N2} by spring.",
    "According to {P}, the {A} {N} {V} more {N2} visitors than {T} planners predicted.",
    '"We {V} the {N} because its {N2} looked {A}," {P} told reporters in {T}.',
    "Critics in {T} argue the {N} could {B} every {A} {N2} nearby.",
    "A spokesperson for the {T} {N} {V} the decision, calling the {N2} {A}.",
    "Figures released on {D} show {K} {N} projects were {V} across {T} since {M}.",
    "{P}, who has managed the {N} for {Y} years, {V} the {A} {N2} proposal.",
    "Neighbours of the {A} {N} in {T} signed a petition against the {N2} plan.",
    "Supporters believe the {N} might {B} the {N2} within {Y} months.",
    "{P} expects {T} councillors to {B} the {A} {N} before {M}.",
]
_TITLES = [
    "{A} {N} divides opinion in {T}",
    "{T} council backs {A} {N} scheme",
    "{P} warns over future of {T} {N}",
    "New {N} for {T} after {A} {N2} review",
    "{T} residents question {A} {N} costs",
    "{N} in {T} to be {V} next {M}",
]


def _vocabulary(rng: random.Random) -> dict[str, list[str]]:
    """A per-article subset of every word list, so articles differ in vocabulary mix."""
    towns = [
        f"{rng.choice(_WORDS['town_starts'])}{rng.choice(_WORDS['town_ends'])}" for _ in range(3)
    ]
    people = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(3)]
    verbs = rng.sample(_VERBS, 12)
    return {
        "N": [noun.replace("-", " ") for noun in rng.sample(_NOUNS, 24)],
        "A": rng.sample(_ADJECTIVES, 14),
        "V": [past for past, _ in verbs],
        "B": [base for _, base in verbs],
        "P": people,
        "T": towns,
        "D": _DAYS,
        "M": _MONTHS,
        "K": [str(rng.randint(2, 990)) for _ in range(8)],
        "Y": [str(rng.randint(2, 40)) for _ in range(4)],
    }


class _Slots(dict[str, str]):
    """Template slots filled lazily: a random word per slot actually used."""

    def __init__(self, vocab: dict[str, list[str]], rng: random.Random) -> None:
        super().__init__()
        self.vocab, self.rng = vocab, rng

    def __missing__(self, key: str) -> str:
        if key == "N2":
            noun = self["N"]
            word = self.rng.choice([n for n in self.vocab["N"] if n != noun])
        else:
            word = self.rng.choice(self.vocab[key])
        self[key] = word
        return word


def _fill(template: str, vocab: dict[str, list[str]], rng: random.Random) -> str:
    """Fill a sentence/title template from the vocabulary."""
    text = template.format_map(_Slots(vocab, rng))
    return text[0].upper() + text[1:]


def _paragraphs(vocab: dict[str, list[str]], rng: random.Random, min_words: int) -> list[str]:
    """Paragraphs of 2-4 generated sentences until the body has at least min_words words."""
    paragraphs: list[str] = []
    words = 0
    while words < min_words or len(paragraphs) < 4:
        templates = rng.sample(_SENTENCES, rng.randint(2, 4))
        sentences = [_fill(template, vocab, rng) for template in templates]
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    return paragraphs


def synthetic_articles(n_articles: int, seed: int = 0, min_words: int = 170) -> list[Article]:
    """n distinct articles spread over November 2026, newest first."""
    start = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    step = timedelta(minutes=max(1, 29 * 24 * 60 // max(n_articles, 1)))
    articles, slugs = [], set()
    for i in range(n_articles):
        rng = random.Random(f"{seed}:{i}")
        vocab = _vocabulary(rng)
        title = _fill(rng.choice(_TITLES), vocab, rng)
        slug = slugify(title)
        if slug in slugs:
            slug = f"{slug}-{i}"
        slugs.add(slug)
        articles.append(
            Article(
                slug=slug,
                title=title,
                published=start + step * i,
                author=f"{rng.choice(_FIRST)} {rng.choice(_LAST[:12])}",
                section=rng.choice(_SECTIONS),
                subsection="",
                paragraphs=tuple(_paragraphs(vocab, rng, min_words)),
                tags=tuple(rng.sample(_TAGS, 2)),
            )
        )
    return articles[::-1]


def build_synthetic_site(base_url: str, n_articles: int, seed: int = 0) -> Pages:
    """A WordPress-like site of n distinct articles with /feed.xml, /sitemap.xml, robots.txt."""
    base_url = base_url.rstrip("/")
    pub = Publication(
        key="synthetic",
        name=f"The Synthetic Gazette {seed}",
        prefix="/",
        theme="herald",
        tagline="Generated local news for load and reliability tests",
    )
    articles = synthetic_articles(n_articles, seed)
    view = SiteView(
        pub,
        base_url,
        articles,
        f"{base_url}/feed.xml",
        "application/rss+xml",
        "A generated news site: every article is machine-written and distinct.",
        sections=list(_SECTIONS),
    )
    pages = publication_pages(view)
    entries = [
        FeedEntry(view.url(a), view.url(a), a.title, a.published, a.author, a.excerpt, a.tags)
        for a in articles
    ]
    pages["/feed.xml"] = (RSS, rss_feed(view, entries))
    pages["/sitemap.xml"] = (XML, urlset_sitemap((view.url(a), a.published) for a in articles))
    pages["/robots.txt"] = (TEXT, robots_txt(["/wp-admin/"], f"{base_url}/sitemap.xml"))
    return pages
