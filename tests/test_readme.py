"""Every CLI command and option is documented in the README (as sqlite-utils checks)."""

from __future__ import annotations

import click
import pytest
from conftest import REPO

from crawler.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def _options(command: click.Command) -> list[str]:
    """The long (or only) spelling of every option of COMMAND, --help excluded."""
    names = []
    for param in command.params:
        if isinstance(param, click.Option) and "--help" not in param.opts:
            longs = [o for o in param.opts if o.startswith("--")]
            names.append(longs[0] if longs else param.opts[0])
    return names


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_and_its_options_are_in_the_readme(name: str) -> None:
    assert f"newsdedup {name}" in README
    missing = [opt for opt in _options(cli.commands[name]) if opt not in README]
    assert missing == [], f"newsdedup {name}: undocumented {missing}"


def test_global_options_are_in_the_readme() -> None:
    assert [opt for opt in _options(cli) if opt not in README] == []
