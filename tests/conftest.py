"""Shared fixtures: the demo site on loopback, a CLI runner, JSONL readers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 120, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `newsdedup ARGS` in a subprocess (fast settings for loopback tests)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd or REPO,
        env=env,
        input=stdin,
    )


def read_jsonl(folder: Path, pattern: str = "articles-*.jsonl") -> list[dict[str, Any]]:
    """Every record of every published file matching PATTERN in FOLDER."""
    records = []
    for path in sorted(folder.glob(pattern)):
        with path.open(encoding="utf-8") as handle:
            records += [json.loads(line) for line in handle]
    return records


@pytest.fixture(scope="session")
def demo_server() -> Iterator[Any]:
    """The bundled demo site, served on 127.0.0.1 for the whole session."""
    from crawler.demo.server import serve_site
    from crawler.demo.site import build_demo_site

    with serve_site(build_demo_site) as server:
        yield server


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when that folder is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared evaluation data), absent on this machine")
    return path


FAST = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0")
