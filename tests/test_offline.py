"""Tests for offline JSONL near-duplicate removal."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from pipelines.minhash import NearDupConfig
from pipelines.offline import dedup_jsonl


def _story_texts() -> Any:
    """The story texts of test_neardup.py (loaded by path: tests/ may or may not be a package)."""
    spec = importlib.util.spec_from_file_location(
        "_stories", Path(__file__).with_name("test_neardup.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_STORIES = _story_texts()
EDITED, LEAD, OTHER_STORY = _STORIES.EDITED, _STORIES.LEAD, _STORIES.OTHER_STORY
SITE_PAGES, WIRE = _STORIES.SITE_PAGES, _STORIES.WIRE


def _write(path: Path, records: list[Any]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "in.jsonl",
        [
            {"id": "wire", "text": WIRE, "url": "https://a.example/1", "tags": ["harbour"]},
            "{not json",
            {"id": "copy", "text": EDITED, "published": "2026-03-02T10:00:00Z"},
            {"id": "other", "text": OTHER_STORY, "title": "Westport"},
            {"id": "empty", "text": "   "},
            {"title": "no text field"},
            [1, 2, 3],
        ],
    )


def test_keeps_fields_and_writes_duplicates(inputs: Path, tmp_path: Path) -> None:
    out, dups = tmp_path / "out.jsonl", tmp_path / "dups.jsonl"
    counts = dedup_jsonl([inputs], out, dups, NearDupConfig())
    kept = {r["id"]: r for r in _read(out)}
    assert set(kept) == {"wire", "other"}
    assert kept["wire"]["url"] == "https://a.example/1" and kept["wire"]["tags"] == ["harbour"]
    assert kept["other"]["title"] == "Westport"
    assert kept["wire"]["cluster_id"] != kept["other"]["cluster_id"]
    [dup] = _read(dups)
    assert dup["id"] == "copy" and dup["duplicate_of"] == "wire"
    assert dup["published"] == "2026-03-02T10:00:00Z"
    assert 0.5 <= dup["similarity"] <= 1.0 and dup["reason"] in {"near", "contained", "lead"}
    assert (counts.kept, counts.duplicates) == (2, 1)


def test_bad_lines_are_counted_not_fatal(inputs: Path, tmp_path: Path) -> None:
    counts = dedup_jsonl([inputs], tmp_path / "out.jsonl", None, NearDupConfig())
    assert counts.skipped == {"bad_json": 1, "no_text": 2, "not_an_object": 1}
    assert counts.read == 7
    assert "bad_json=1" in counts.summary()


def test_keep_longest_and_line_keys(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", [{"text": EDITED}, {"text": WIRE}])
    out, dups = tmp_path / "out.jsonl", tmp_path / "dups.jsonl"
    dedup_jsonl([src], out, dups, NearDupConfig(), keep="longest")
    [kept], [dup] = _read(out), _read(dups)
    assert len(kept["text"]) == max(len(EDITED), len(WIRE))
    assert (
        dup["duplicate_of"]
        == kept["cluster_id"]
        == f"in.jsonl:{2 if len(WIRE) > len(EDITED) else 1}"
    )


def test_keep_earliest_published(tmp_path: Path) -> None:
    records = [
        {"id": "late", "text": WIRE, "published": "2026-03-03T08:00:00+00:00"},
        {"id": "early", "text": EDITED, "published": "2026-03-01"},
    ]
    out = tmp_path / "out.jsonl"
    dedup_jsonl(
        [_write(tmp_path / "in.jsonl", records)],
        out,
        None,
        NearDupConfig(),
        keep="earliest-published",
    )
    assert [r["id"] for r in _read(out)] == ["early"]


def test_lead_found_across_input_files(tmp_path: Path) -> None:
    site = [{"id": f"site{n}", "text": t} for n, t in enumerate(SITE_PAGES)]
    first = _write(tmp_path / "a.jsonl", [*site, {"id": "full", "text": WIRE}])
    second = _write(tmp_path / "b.jsonl", [{"id": "teaser", "text": LEAD}])
    out, dups = tmp_path / "out.jsonl", tmp_path / "dups.jsonl"
    dedup_jsonl([first, second], out, dups, NearDupConfig())
    assert [(d["id"], d["duplicate_of"]) for d in _read(dups)] == [("teaser", "full")]


def test_output_replaced_atomically_and_no_temp_left(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("STALE-CONTENT\n", encoding="utf-8")
    dedup_jsonl([inputs], out, None, NearDupConfig())
    assert "STALE-CONTENT" not in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_unknown_keep_mode_is_rejected(inputs: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="keep must be"):
        dedup_jsonl([inputs], tmp_path / "o.jsonl", None, NearDupConfig(), keep="random")
