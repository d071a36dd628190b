"""Serve a generated site (path -> page) on loopback with a quiet threaded http.server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from crawler.demo.content import Pages

PageSource = Callable[[str], Pages] | Pages


class DemoServer:
    """A running site server: its base URL, pages and a thread-safe record of requests."""

    def __init__(self, httpd: ThreadingHTTPServer, host: str, pages: PageSource) -> None:
        self._httpd = httpd
        self._lock = threading.Lock()
        self.host = host
        self.port = int(httpd.server_address[1])
        self.pages: Pages = pages(self.base_url) if callable(pages) else dict(pages)
        self.hits: list[str] = []  # raw GET request paths (with query), in arrival order
        self.requests: list[tuple[str, str, int]] = []  # (method, raw path, status)

    @property
    def base_url(self) -> str:
        """'http://host:port' without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of a site path."""
        return f"{self.base_url}{path}"

    def record(self, method: str, raw_path: str, status: int) -> None:
        """Remember one request (GETs also go to `hits`)."""
        with self._lock:
            self.requests.append((method, raw_path, status))
            if method == "GET":
                self.hits.append(raw_path)

    def hits_for(self, path: str) -> int:
        """How many GETs asked for `path`, ignoring query strings."""
        with self._lock:
            return sum(urlsplit(hit).path == path for hit in self.hits)

    def clear_hits(self) -> None:
        """Forget all recorded requests."""
        with self._lock:
            self.hits.clear()
            self.requests.clear()

    def lookup(self, raw_path: str) -> tuple[int, str, bytes, str | None]:
        """(status, content type, body, redirect location) for a request path."""
        path = urlsplit(raw_path).path or "/"
        if page := self.pages.get(path):
            return 200, page[0], page[1], None
        if not path.endswith("/") and f"{path}/" in self.pages:
            return 301, "text/plain; charset=utf-8", b"Moved Permanently\n", f"{path}/"
        return (
            404,
            "text/html; charset=utf-8",
            b"<html><body><h1>404 Not Found</h1></body></html>",
            None,
        )

    def shutdown(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()


def _handler(server: DemoServer) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one DemoServer."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "nginx"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._respond(send_body=True)

        def do_HEAD(self) -> None:
            self._respond(send_body=False)

        def _respond(self, send_body: bool) -> None:
            status, content_type, body, location = server.lookup(self.path)
            server.record(self.command, self.path, status)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Stay quiet: no request logging to stderr."""

    return Handler


class _QuietServer(ThreadingHTTPServer):
    """Threaded server that ignores client disconnects instead of printing tracebacks."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Drop per-connection errors (e.g. a crawler closing the socket early)."""


@contextmanager
def serve_site(pages: PageSource, host: str = "127.0.0.1", port: int = 0) -> Iterator[DemoServer]:
    """Serve `pages` (a dict, or a builder called with the bound base URL) in a thread."""
    with _QuietServer((host, port), BaseHTTPRequestHandler) as httpd:
        server = DemoServer(httpd, host, pages)
        httpd.RequestHandlerClass = _handler(server)
        thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="demo-site",
            daemon=True,
        )
        thread.start()
        try:
            yield server
        finally:
            httpd.shutdown()
            thread.join()
