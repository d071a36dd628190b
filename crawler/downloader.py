"""Scrapy's downloader with its per-domain concurrency limit kept during bursts."""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING

from scrapy.core.downloader import Downloader
from scrapy.utils.defer import _schedule_coro  # how Scrapy itself starts a download

if TYPE_CHECKING:
    from scrapy.core.downloader import Slot


class PoliteDownloader(Downloader):
    """Never more downloads at once per slot than its concurrency.

    Scrapy 2.19 starts each download as a scheduled coroutine and counts it as transferring
    only once that coroutine runs, so a pass over a slot's queue with no download delay
    started every queued request at once (up to CONCURRENT_REQUESTS). Here a request counts
    from the moment it leaves the queue; Scrapy's `_download` frees it when it is done.
    With a delay Scrapy already starts one request per pass: that case is left to it.
    """

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall or slot.download_delay():
            super()._process_queue(slot)
            return
        now = monotonic()
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # _download adds it again, then removes it
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
