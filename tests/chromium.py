"""Find (or, on CI as root, install) headless Chromium; dump a page's DOM or screenshot it.

Run as a script to screenshot a report: `python tests/chromium.py REPORT.html OUT.png`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

NAMES = ("chromium", "chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
]
TIMEOUT = 60


def find_chromium() -> str | None:
    """The path of a Chromium binary on PATH or in /usr/bin, or None."""
    for name in NAMES:
        if found := shutil.which(name):
            return found
        if (path := Path("/usr/bin") / name).is_file():
            return str(path)
    return None


def _may_install() -> bool:
    """Installing is allowed: root, on Debian/Ubuntu, and CI or NEWSDEDUP_INSTALL_CHROMIUM set."""
    wanted = bool(os.environ.get("CI") or os.environ.get("NEWSDEDUP_INSTALL_CHROMIUM"))
    return wanted and os.geteuid() == 0 and shutil.which("apt-get") is not None


def _apt(*args: str) -> bool:
    """Run apt-get ARGS non-interactively; True when it succeeded."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", *args], env=env, capture_output=True, timeout=900)
    return done.returncode == 0


def _install() -> None:
    """apt-get install Debian's chromium (updating the package lists if the first try fails)."""
    if not _apt("install", "-y", "-q", "chromium"):
        _apt("update", "-q")
        _apt("install", "-y", "-q", "chromium")


def require_chromium() -> str:
    """A Chromium binary, installed first if allowed; otherwise skip the calling test."""
    if found := find_chromium():
        return found
    if not _may_install():
        pytest.skip(
            "headless Chromium not found (apt-get install chromium, or run as root with "
            "CI=1 or NEWSDEDUP_INSTALL_CHROMIUM=1 to let the tests install it)"
        )
    _install()
    if found := find_chromium():
        return found
    pytest.skip("installing chromium with apt-get failed")


def _run(binary: str, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on PAGE with a throw-away profile."""
    with tempfile.TemporaryDirectory(prefix="newsdedup-chromium-") as profile:
        command = [binary, *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT, check=True, cwd=profile
        )


def dump_dom(binary: str, page: Path) -> str:
    """The DOM of PAGE after rendering, serialised as HTML."""
    return _run(binary, page, "--dump-dom").stdout


def screenshot(binary: str, page: Path, png: Path, size: tuple[int, int] = (1280, 2000)) -> None:
    """Save a PNG of PAGE at SIZE (width, height)."""
    _run(binary, page, f"--screenshot={png.resolve()}", f"--window-size={size[0]},{size[1]}")


def main(argv: list[str]) -> int:
    """Screenshot argv[0] (HTML) to argv[1] (PNG), optionally at WIDTHxHEIGHT argv[2]."""
    binary = find_chromium()
    if binary is None or len(argv) < 2:
        sys.stderr.write("usage: chromium.py PAGE.html OUT.png [WxH] (needs chromium)\n")
        return 2
    width, height = (int(n) for n in (argv[2] if len(argv) > 2 else "1280x2000").split("x"))
    screenshot(binary, Path(argv[0]), Path(argv[1]), (width, height))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
