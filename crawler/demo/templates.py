"""Render article, listing and static pages of a WordPress-like news site."""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from html import escape
from pathlib import Path
from string import Template

from crawler.demo.content import Article, Publication, slugify
from crawler.demo.themes import THEMES, Theme

TEMPLATE_DIR = Path(__file__).parent / "templates"
TODAY = "Friday, November 27, 2026"


@dataclass
class SiteView:
    """A publication as seen from one base URL, with its articles newest first."""

    pub: Publication
    base_url: str
    articles: Sequence[Article]
    feed_url: str
    feed_type: str
    about: str
    sections: list[str] = field(default_factory=list)
    _rows: dict[str, dict[str, str]] = field(default_factory=dict, init=False, repr=False)
    _chrome: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.sections:
            self.sections = list(dict.fromkeys(a.section for a in self.articles))

    @property
    def home_url(self) -> str:
        """Absolute homepage URL, ending in '/'."""
        return self.pub.home(self.base_url)

    @property
    def theme(self) -> Theme:
        """The publication's theme snippets."""
        return THEMES[self.pub.theme]

    def url(self, article: Article) -> str:
        """Absolute permalink of an article."""
        return f"{self.home_url}{article.path_tail}"

    def term_url(self, kind: str, name: str) -> str:
        """Absolute URL of a category/tag/author archive page."""
        return f"{self.home_url}{kind}/{slugify(name)}/"


@cache
def _template(name: str) -> Template:
    """A theme template file, loaded once."""
    return Template((TEMPLATE_DIR / f"{name}.html").read_text(encoding="utf-8"))


def _human_date(when: datetime) -> str:
    """'November 20, 2026' style date."""
    return f"{when:%B} {when.day}, {when:%Y}"


def _lines(fmt: str, rows: Iterable[dict[str, str]]) -> str:
    """Format one snippet per row and join them by newlines."""
    return "\n".join(fmt.format(**row) for row in rows)


def _link_row(view: SiteView, article: Article) -> dict[str, str]:
    """Escaped fields of an article for teaser-like snippets (cached per view)."""
    if row := view._rows.get(article.slug):
        return row
    row = view._rows[article.slug] = {
        "url": escape(view.url(article)),
        "title": escape(article.title),
        "date": _human_date(article.published),
        "iso": article.published.isoformat(),
        "author": escape(article.author),
        "excerpt": escape(article.excerpt),
        "img": f"{view.home_url}wp-content/uploads/2026/11/{article.slug}-218x150.jpg",
    }
    return row


def _crumbs(view: SiteView, trail: Sequence[tuple[str, str | None]]) -> str:
    """Breadcrumb HTML from (label, url or None) pairs."""
    theme = view.theme
    parts = [
        theme.crumb.format(label=escape(label), url=escape(url))
        if url
        else theme.crumb_last.format(label=escape(label))
        for label, url in trail
    ]
    return theme.crumb_sep.join(parts)


def _chrome(view: SiteView) -> dict[str, str]:
    """Menu, ticker and sidebar HTML shared by every page of a view (computed once)."""
    if view._chrome:
        return view._chrome
    theme = view.theme
    terms = [(s, view.term_url("category", s)) for s in view.sections]
    counts = Counter(a.section for a in view.articles)
    recent = [_link_row(view, a) for a in view.articles[:5]]
    view._chrome.update(
        menu_items=_lines(theme.menu_item, ({"url": u, "label": s} for s, u in terms)),
        ticker_items=_lines(theme.ticker_item, recent[:3]),
        recent_items=_lines(theme.recent_item, recent),
        category_items=_lines(
            theme.category_item,
            ({"url": u, "label": s, "count": str(counts[s])} for s, u in terms),
        ),
    )
    return view._chrome


def _page(view: SiteView, doc_title: str, head_meta: str, main: str, body_class: str) -> bytes:
    """Wrap main content in the theme's page chrome."""
    html = _template(f"{view.theme.name}_page").substitute(
        _chrome(view),
        lang=view.pub.language,
        doc_title=escape(doc_title),
        head_meta=head_meta,
        feed_type=view.feed_type,
        feed_url=escape(view.feed_url),
        home_url=escape(view.home_url),
        site_name=escape(view.pub.name),
        tagline=escape(view.pub.tagline),
        about=escape(view.about),
        body_class=body_class,
        today=TODAY,
        main=main,
    )
    return html.encode("utf-8")


def _json_ld(view: SiteView, article: Article) -> str:
    """A schema.org NewsArticle script element."""
    url, iso = view.url(article), article.published.isoformat()
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": iso,
        "dateModified": iso,
        "author": {"@type": "Person", "name": article.author},
        "publisher": {"@type": "Organization", "name": view.pub.name},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "articleSection": article.section,
        "keywords": list(article.tags),
        "inLanguage": view.pub.language,
    }
    payload = json.dumps(ld).replace("</", "<\\/")
    return f'<script type="application/ld+json">{payload}</script>'


def _article_meta(view: SiteView, article: Article) -> str:
    """Canonical, Open Graph and article:* meta plus JSON-LD for an article page."""
    url, iso = escape(view.url(article)), article.published.isoformat()
    title, excerpt = escape(article.title), escape(article.excerpt)
    tags = "".join(f'<meta property="article:tag" content="{escape(t)}">\n' for t in article.tags)
    return (
        f'<meta name="description" content="{excerpt}">\n'
        f'<link rel="canonical" href="{url}">\n'
        '<meta property="og:locale" content="en_US">\n<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{title}">\n'
        f'<meta property="og:description" content="{excerpt}">\n'
        f'<meta property="og:url" content="{url}">\n'
        f'<meta property="og:site_name" content="{escape(view.pub.name)}">\n'
        f'<meta property="article:section" content="{escape(article.section)}">\n{tags}'
        f'<meta property="article:published_time" content="{iso}">\n'
        f'<meta property="article:modified_time" content="{iso}">\n'
        f'<meta name="author" content="{escape(article.author)}">\n'
        f"{_json_ld(view, article)}"
    )


def _body(view: SiteView, article: Article) -> str:
    """Article paragraphs with the theme's in-content ad after the second one."""
    paras = [f"<p>{escape(p)}</p>" for p in article.paragraphs]
    if len(paras) > 3:
        paras.insert(2, view.theme.ad)
    return "\n".join(paras)


def _trail(view: SiteView, article: Article) -> list[tuple[str, str | None]]:
    """Breadcrumb trail: Home > section [> subsection] > title."""
    trail: list[tuple[str, str | None]] = [
        ("Home", view.home_url),
        (article.section, view.term_url("category", article.section)),
    ]
    if article.subsection:
        trail.append((article.subsection, view.term_url("category", article.subsection)))
    return [*trail, (article.title, None)]


def _article_fields(view: SiteView, article: Article) -> dict[str, str]:
    """Escaped per-article values for the theme's article template."""
    return {
        "breadcrumbs": _crumbs(view, _trail(view, article)),
        "post_id": str(10000 + zlib.crc32(article.slug.encode()) % 90000),
        "section_slug": slugify(article.section),
        "section_url": escape(view.term_url("category", article.section)),
        "section": escape(article.section),
        "headline": escape(article.title),
        "author": escape(article.author),
        "author_url": escape(view.term_url("author", article.author)),
        "date_iso": article.published.isoformat(),
        "date_human": _human_date(article.published),
        "share_url": escape(view.url(article)),
        "home_url": escape(view.home_url),
        "site_name": escape(view.pub.name),
        "body": _body(view, article),
    }


def render_article(
    view: SiteView,
    article: Article,
    related: Sequence[Article],
    prev: Article | None,
    next_: Article | None,
) -> bytes:
    """Full HTML of one article page with all of the theme's furniture."""
    theme = view.theme
    tags = ({"url": escape(view.term_url("tag", t)), "label": escape(t)} for t in article.tags)
    neighbours = [(theme.prev, prev), (theme.next, next_)]
    main = _template(f"{theme.name}_article").substitute(
        _article_fields(view, article),
        tag_items=_lines(theme.tag_item, tags),
        prev_next="\n".join(fmt.format(**_link_row(view, a)) for fmt, a in neighbours if a),
        related_items=_lines(theme.related_item, (_link_row(view, a) for a in related)),
    )
    title = f"{article.title}{theme.title_sep}{view.pub.name}"
    classes = f"post-template-default single single-post single-format-standard {theme.name}"
    return _page(view, title, _article_meta(view, article), main, classes)


def _simple_meta(url: str, title: str, description: str) -> str:
    """Canonical + Open Graph meta for a non-article page."""
    return (
        f'<meta name="description" content="{escape(description)}">\n'
        f'<link rel="canonical" href="{escape(url)}">\n'
        '<meta property="og:type" content="website">\n'
        f'<meta property="og:title" content="{escape(title)}">\n'
        f'<meta property="og:url" content="{escape(url)}">'
    )


def render_listing(
    view: SiteView, heading: str, articles: Sequence[Article], url: str, is_home: bool = False
) -> bytes:
    """A homepage or archive page listing article teasers."""
    theme = view.theme
    trail: list[tuple[str, str | None]] = [("Home", None if is_home else view.home_url)]
    if not is_home:
        trail.append((heading, None))
    main = theme.listing.format(
        crumbs=_crumbs(view, trail),
        heading=escape(heading),
        teasers=_lines(theme.teaser, (_link_row(view, a) for a in articles)),
    )
    title = view.pub.name if is_home else f"{heading}{theme.title_sep}{view.pub.name}"
    meta = _simple_meta(url, title, view.pub.tagline)
    return _page(view, title, meta, main, "home blog" if is_home else "archive category")


def render_static(view: SiteView, heading: str, text: str, url: str) -> bytes:
    """A plain WordPress page such as 'About Us'."""
    main = (
        f'<div class="entry-crumbs">{_crumbs(view, [("Home", view.home_url), (heading, None)])}'
        f'</div>\n<h1 class="entry-title">{escape(heading)}</h1>\n'
        f'<div class="entry-content"><p>{escape(text)}</p></div>'
    )
    title = f"{heading}{view.theme.title_sep}{view.pub.name}"
    return _page(view, title, _simple_meta(url, title, text), main, "page-template-default page")
