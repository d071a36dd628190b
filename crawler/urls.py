"""Canonical article URLs and the stable ids derived from them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

_TRACKING_PARAM = re.compile(
    r"^(utm_\w+|fbclid|gclid|gclsrc|dclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|"
    r"ocid|cmpid|ncid|smid|sr_share|at_medium|at_campaign|rss|ref|ref_src|from|"
    r"output[tT]ype|amp|__twitter_impression|share)$",
)
_AMP_SUFFIX = re.compile(r"/amp/?$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    """Tell whether a query parameter only tracks the visitor (utm_*, fbclid, ...)."""
    return bool(_TRACKING_PARAM.match(name))


@lru_cache(maxsize=16384)
def canonical_url(url: str) -> str:
    """Normalise URL: lower-case host, no fragment/default port/tracking params, sorted query."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    port = parts.port if parts.port and parts.port != _DEFAULT_PORTS.get(scheme) else None
    netloc = f"{host}:{port}" if port else host
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if not is_tracking_param(k)]
    path = _AMP_SUFFIX.sub("/", parts.path) or "/"
    rebuilt = urlunsplit((scheme, netloc, path, urlencode(kept), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def url_key(url: str) -> str:
    """The state key of a URL: canonical form without scheme or trailing slash."""
    parts = urlsplit(canonical_url(url))
    path = parts.path.rstrip("/") or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.netloc}{path}{query}"


def article_id(url: str) -> str:
    """Stable article id: 20 hex digits of the SHA-1 of the canonical URL key."""
    return hashlib.sha1(url_key(url).encode("utf-8")).hexdigest()[:20]


def registered_domain(url: str) -> str:
    """The registered domain of URL (news.example.co.uk -> example.co.uk); host if unknown."""
    return _registered_host(urlsplit(url).hostname or "")


@lru_cache(maxsize=4096)  # a crawl asks about the same few hosts for every link
def _registered_host(host: str) -> str:
    """The registered domain of HOST; HOST itself if it has no known public suffix."""
    return _extractor()(host).top_domain_under_public_suffix or host


def same_site(a: str, b: str) -> bool:
    """Tell whether two URLs belong to the same registered domain."""
    return registered_domain(a) == registered_domain(b)


@cache
def _extractor() -> Callable[[str], Any]:
    """A tldextract instance using its bundled suffix list (never the network)."""
    import tldextract  # lazy: loading the suffix list costs ~50 ms

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
