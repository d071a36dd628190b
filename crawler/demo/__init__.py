"""Bundled demo news site and synthetic-site generator, served on loopback for demos and tests."""

from crawler.demo.server import DemoServer, serve_site
from crawler.demo.site import build_demo_site
from crawler.demo.synthetic import build_synthetic_site

__all__ = ["DemoServer", "build_demo_site", "build_synthetic_site", "serve_site"]
