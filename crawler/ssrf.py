"""No server-side request forgery: links from feeds and pages may not reach private networks.

A request is allowed when its host resolves only to public addresses, or when it is the
host of a source the user named. Checked on every request, so every redirect hop too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class PrivateAddressRefused(IgnoreRequest):
    """The request's host is (or resolves to) a non-public address."""


def is_public(address: str) -> bool:
    """True for a global unicast address (not loopback, private, link-local, multicast...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class SsrfGuardMiddleware:
    """Downloader middleware: refuse requests to non-public addresses, counted by reason."""

    def __init__(self, stats: StatsCollector, allowed_hosts: frozenset[str]) -> None:
        self.stats = stats
        self.allowed_hosts = allowed_hosts
        self._verdicts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Allowed hosts: those of the sources named by the user."""
        settings = crawler.settings
        if settings.getbool("NEWSDEDUP_ALLOW_PRIVATE"):
            raise NotConfigured("private addresses allowed")
        named = settings.getlist("NEWSDEDUP_SOURCES") + settings.getlist("NEWSDEDUP_ARTICLE_URLS")
        hosts = frozenset(h for h in (urlsplit(u).hostname for u in named) if h)
        return cls(crawler.stats, hosts)

    async def process_request(self, request: Request) -> None:
        """Raise PrivateAddressRefused unless the host is named or public."""
        host = (urlsplit(request.url).hostname or "").lower()
        if host in self.allowed_hosts:
            return
        if host not in self._verdicts:
            self._verdicts[host] = await _refusal(host)
        if refusal := self._verdicts[host]:
            self.stats.inc_value("newsdedup/refused/private_address")
            logger.warning("refused %s: %s", request.url, refusal)
            raise PrivateAddressRefused(f"private address refused: {refusal}")


async def _refusal(host: str) -> str | None:
    """Why HOST may not be fetched, or None when all its addresses are public."""
    try:
        addresses = [ipaddress.ip_address(host).compressed]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None)
        except (socket.gaierror, UnicodeError):
            return None  # unresolvable: let the download fail with a DNS error
        addresses = sorted({str(info[4][0]) for info in infos})
    for address in addresses:
        if not is_public(address):
            return f"{host} resolves to non-public address {address}"
    return None
