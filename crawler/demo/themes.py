"""Per-theme HTML snippets (format strings) for the two WordPress-like themes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    """Snippet formats of one theme; every value passed in is already HTML-escaped."""

    name: str
    title_sep: str
    crumb_sep: str
    crumb: str
    crumb_last: str
    ad: str
    menu_item: str
    ticker_item: str
    recent_item: str
    category_item: str
    tag_item: str
    related_item: str
    prev: str
    next: str
    teaser: str
    listing: str


HERALD = Theme(
    name="herald",
    title_sep=" \u2013 ",
    crumb_sep=' <i class="td-bread-sep">\u203a</i> ',
    crumb='<span><a title="{label}" class="entry-crumb" href="{url}">{label}</a></span>',
    crumb_last='<span class="td-bred-no-url-last">{label}</span>',
    ad=(
        '<div class="td-a-rec td-a-rec-id-content_inline">'
        '<span class="td-adspot-title">- Advertisement -</span>'
        '<div class="ad-slot" data-slot="inline-728x90"></div></div>'
    ),
    menu_item='<li class="menu-item menu-item-type-taxonomy"><a href="{url}">{label}</a></li>',
    ticker_item='      <div class="td-trending-now-post"><a href="{url}">{title}</a></div>',
    recent_item='<li><a href="{url}">{title}</a> <span class="post-date">{date}</span></li>',
    category_item='            <li class="cat-item"><a href="{url}">{label}</a> ({count})</li>',
    tag_item='      <li><a href="{url}" rel="tag">{label}</a></li>',
    related_item=(
        '    <div class="td_module_related_posts td-animation-stack td_mod_related_posts">'
        '<div class="td-module-image"><a href="{url}" rel="bookmark" title="{title}">'
        '<img width="218" height="150" src="{img}" alt=""></a></div>'
        '<h3 class="entry-title td-module-title"><a href="{url}" rel="bookmark">{title}</a></h3>'
        "</div>"
    ),
    prev=(
        '<div class="td-block-span6 td-post-prev-post"><div class="td-post-next-prev-content">'
        '<span>Previous article</span><a href="{url}">{title}</a></div></div>'
    ),
    next=(
        '<div class="td-block-span6 td-post-next-post"><div class="td-post-next-prev-content">'
        '<span>Next article</span><a href="{url}">{title}</a></div></div>'
    ),
    teaser=(
        '<div class="td_module_10 td_module_wrap"><div class="item-details">'
        '<h3 class="entry-title td-module-title"><a href="{url}" rel="bookmark">{title}</a></h3>'
        '<div class="td-module-meta-info"><span class="td-post-author-name">{author}</span> - '
        '<time datetime="{iso}">{date}</time></div>'
        '<div class="td-excerpt">{excerpt}</div></div></div>'
    ),
    listing=(
        '<div class="td-crumb-container"><div class="entry-crumbs">{crumbs}</div></div>\n'
        '<div class="td-category-header"><h1 class="entry-title td-page-title">{heading}</h1>'
        "</div>\n{teasers}\n"
        '<div class="page-nav td-pb-padding-side"><span class="pages">Page 1 of 1</span></div>'
    ),
)

TRIBUNE = Theme(
    name="tribune",
    title_sep=" | ",
    crumb_sep=' <i class="fa fa-angle-right">\u00bb</i> ',
    crumb='<span><a href="{url}">{label}</a></span>',
    crumb_last='<span class="breadcrumb_last_link">{label}</span>',
    ad=(
        '<div class="jeg_ad jeg_ad_article jnews_content_inline_ads">'
        '<div class="ads-wrapper align-center"><span class="ads-text">ADVERTISEMENT</span>'
        "</div></div>"
    ),
    menu_item='        <li class="menu-item"><a href="{url}">{label}</a></li>',
    ticker_item='      <div class="jeg_news_ticker_item"><a href="{url}">{title}</a></div>',
    recent_item=(
        '            <li class="jeg_post"><h3 class="jeg_post_title"><a href="{url}">{title}</a>'
        '</h3><div class="jeg_meta_date">{date}</div></li>'
    ),
    category_item='            <li><a href="{url}">{label}</a> <span>{count}</span></li>',
    tag_item='    <a href="{url}" rel="tag">{label}</a>',
    related_item=(
        '    <article class="jeg_post jeg_pl_md_5"><div class="jeg_thumb"><a href="{url}">'
        '<img src="{img}" alt="{title}"></a></div><div class="jeg_postblock_content">'
        '<h3 class="jeg_post_title"><a href="{url}">{title}</a></h3></div></article>'
    ),
    prev=(
        '  <div class="jeg_prevnext_post_prev"><a href="{url}" class="post prev-post">'
        '<span class="caption">Previous Post</span><h3 class="post-title">{title}</h3></a></div>'
    ),
    next=(
        '  <div class="jeg_prevnext_post_next"><a href="{url}" class="post next-post">'
        '<span class="caption">Next Post</span><h3 class="post-title">{title}</h3></a></div>'
    ),
    teaser=(
        '<article class="jeg_post jeg_pl_lg_2"><div class="jeg_postblock_content">'
        '<h3 class="jeg_post_title"><a href="{url}">{title}</a></h3>'
        '<div class="jeg_post_meta"><span class="jeg_meta_author">by {author}</span> '
        '<span class="jeg_meta_date"><time datetime="{iso}">{date}</time></span></div>'
        '<div class="jeg_post_excerpt"><p>{excerpt}</p></div></div></article>'
    ),
    listing=(
        '<div class="jeg_breadcrumbs"><div id="breadcrumbs">{crumbs}</div></div>\n'
        '<div class="jeg_cat_header"><h1 class="jeg_cat_title">{heading}</h1></div>\n'
        '<div class="jeg_posts jeg_block_container">\n{teasers}\n</div>'
    ),
)

THEMES = {theme.name: theme for theme in (HERALD, TRIBUNE)}
