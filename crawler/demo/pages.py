"""All HTML pages of one publication: articles, homepage, archives and static pages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from crawler.demo.content import HTML, Article, Pages, slugify
from crawler.demo.templates import SiteView, render_article, render_listing, render_static

HOME_LIMIT = 50
STATIC_PAGES = {
    "About Us": "We are a small independent newsroom. Tips and corrections are always welcome.",
    "Contact": "Write to the newsroom at the address below or call us during office hours.",
    "Advertise": "Reach thousands of local readers every day. Ask for our media pack.",
    "Privacy Policy": "We use cookies and collect the minimum data needed to run this website.",
}


def related_articles(articles: Sequence[Article], count: int = 3) -> dict[str, list[Article]]:
    """Up to `count` related articles per slug: same-section neighbours, then newest others."""
    by_section: defaultdict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_section[article.section].append(article)
    related: dict[str, list[Article]] = {}
    for group in by_section.values():
        for i, article in enumerate(group):
            near = (i + 1, i - 1, i + 2, i - 2, i + 3, i - 3)
            related[article.slug] = [group[j] for j in near if 0 <= j < len(group)][:count]
    for article in articles:
        picks = related[article.slug]
        for other in articles:
            if len(picks) >= count:
                break
            if other is not article and other not in picks:
                picks.append(other)
    return related


def article_pages(view: SiteView) -> Pages:
    """One page per article, with related posts and prev (older) / next (newer) links."""
    articles = view.articles
    related = related_articles(articles)
    prefix = view.pub.prefix
    pages: Pages = {}
    for i, article in enumerate(articles):
        older = articles[i + 1] if i + 1 < len(articles) else None
        newer = articles[i - 1] if i > 0 else None
        body = render_article(view, article, related[article.slug], older, newer)
        pages[f"{prefix}{article.path_tail}"] = (HTML, body)
    return pages


def archive_pages(view: SiteView) -> Pages:
    """Homepage plus category, tag and author archive pages."""
    terms: defaultdict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in view.articles:
        terms["category", article.section].append(article)
        if article.subsection:
            terms["category", article.subsection].append(article)
        terms["author", article.author].append(article)
        for tag in article.tags:
            terms["tag", tag].append(article)
    home = view.home_url
    pages: Pages = {
        view.pub.prefix: (
            HTML,
            render_listing(view, "Latest News", view.articles[:HOME_LIMIT], home, is_home=True),
        )
    }
    for (kind, name), members in terms.items():
        url = view.term_url(kind, name)
        heading = f"Author: {name}" if kind == "author" else name
        pages[url.removeprefix(view.base_url)] = (HTML, render_listing(view, heading, members, url))
    return pages


def static_pages(view: SiteView) -> Pages:
    """About / Contact / Advertise / Privacy Policy pages linked from the theme chrome."""
    pages: Pages = {}
    for heading, text in STATIC_PAGES.items():
        slug = "about" if heading == "About Us" else slugify(heading)
        url = f"{view.home_url}{slug}/"
        pages[f"{view.pub.prefix}{slug}/"] = (HTML, render_static(view, heading, text, url))
    return pages


def publication_pages(view: SiteView) -> Pages:
    """Every HTML page of one publication."""
    return {**article_pages(view), **archive_pages(view), **static_pages(view)}
