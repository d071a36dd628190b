"""Sources files: validated before the crawl, errors name file, line and field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from crawler.config import ConfigError, load_sources, since_cutoff


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_is_valid_and_defaults_apply() -> None:
    resolved = load_sources(REPO / "sources.example.toml").resolved()
    sitemap = resolved["https://tribune.example.org/news-sitemap.xml"]
    assert sitemap["kind"] == "sitemap" and sitemap["since"] == "1d"
    assert sitemap["languages"] == ["en"] and sitemap["max_pages"] == 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[sources]]\nurl = "https://a.example/"\n\n[[sources]]\nurl = "https://b.example/"\n'
            'kind = "nope"\n',
            ":6: sources[1].kind",
        ),
        ('[[sources]]\nurl = "ftp://a.example/"\n', ":2: sources[0].url"),
        ('[[sources]]\nurl = "https://a.example/"\ncolour = "red"\n', ":3: sources[0].colour"),
        (
            '[defaults]\nsince = "yesterday"\n[[sources]]\nurl = "https://a.example/"\n',
            ":2: defaults.since",
        ),
        ('[[sources]]\nurl = "https://a.example/"\ndeny = ["(unclosed"]\n', ":3: sources[0].deny"),
        ("[defaults]\n", "sources"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    assert str(error.value).startswith(str(path)) and expected in str(error.value)


def test_cli_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[sources]]\nurl = "https://a.example/"\nkind = "nope"\n')
    result = run_cli("crawl", "--config", str(path), "-o", str(tmp_path))
    assert result.returncode == 2
    assert f"{path}:3: sources[0].kind" in result.stderr and "Traceback" not in result.stderr


def test_since_accepts_durations_and_dates() -> None:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    assert since_cutoff("2d", now) == datetime(2026, 11, 25, tzinfo=UTC)
    assert since_cutoff("12h", now) == datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert since_cutoff("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        since_cutoff("soon", now)
