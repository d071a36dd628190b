"""A tiny scripted HTTP server for hostile-input tests: any status, headers and body per path."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Page:
    """One scripted answer."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    gzip: bool = False  # gzip the body after {base} is filled in (a .xml.gz resource)
    delay: float = 0.0  # seconds to wait before answering (lets concurrency build up)


@dataclass
class ScriptedSite:
    """Pages by path (query ignored), and a record of every path requested."""

    pages: dict[str, Page]
    host: str = "127.0.0.1"
    port: int = 0
    hits: list[str] = field(default_factory=list)
    client_ports: set[int] = field(default_factory=set)  # one per TCP connection served
    in_flight: int = 0
    max_in_flight: int = 0  # most requests being answered at once

    def url(self, path: str) -> str:
        """Absolute URL of PATH on this server."""
        return f"http://{self.host}:{self.port}{path}"


@contextmanager
def serve(site: ScriptedSite) -> Iterator[ScriptedSite]:
    """Serve SITE on its host (port chosen by the OS) in a daemon thread."""
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            page = site.pages.get(urlsplit(self.path).path, Page(b"not found", 404))
            with lock:
                site.hits.append(self.path)
                site.client_ports.add(int(self.client_address[1]))
                site.in_flight += 1
                site.max_in_flight = max(site.max_in_flight, site.in_flight)
            try:
                time.sleep(page.delay)
                self._answer(page)
            finally:
                with lock:
                    site.in_flight -= 1

        def _answer(self, page: Page) -> None:
            body = page.body.replace(b"{base}", site.url("").encode())
            body = gzip.compress(body, mtime=0) if page.gzip else body
            self.send_response(page.status)
            for name, value in page.headers.items():
                self.send_header(name, value.replace("{base}", site.url("")))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    with ThreadingHTTPServer((site.host, 0), Handler) as httpd:
        httpd.daemon_threads = True
        site.port = int(httpd.server_address[1])
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield site
        finally:
            httpd.shutdown()
            thread.join()
