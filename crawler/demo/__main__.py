"""Run the demo news site in the foreground: python -m crawler.demo [--port N]."""

from __future__ import annotations

import argparse
import time

from crawler.demo.server import serve_site
from crawler.demo.site import HERALD_FEED, TRIBUNE_FEED, build_demo_site


def main(argv: list[str] | None = None) -> None:
    """Serve the demo site until interrupted, printing its URLs."""
    parser = argparse.ArgumentParser(prog="python -m crawler.demo", description=__doc__)
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8642, help="port, 0 = any free (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        with serve_site(build_demo_site, host=args.host, port=args.port) as server:
            print(f"Demo news site at {server.base_url}/")
            print(f"  RSS feed:  {server.url(HERALD_FEED)}")
            print(f"  Atom feed: {server.url(TRIBUNE_FEED)}")
            print(f"  Sitemap:   {server.url('/sitemap.xml')}")
            print("Press Ctrl+C to stop.", flush=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        print("Stopped.")
    except OSError as exc:
        raise SystemExit(f"cannot serve on {args.host}:{args.port}: {exc}") from exc


if __name__ == "__main__":
    main()
