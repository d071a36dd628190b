"""Spiders: `news` (auto-detects each source) and `feed`, `sitemap`, `site`, `urls` (forced)."""
