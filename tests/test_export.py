"""JSONL writer: nothing visible under the final name until the file is complete."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.export import JsonlWriter


def test_file_appears_only_when_published(tmp_path: Path) -> None:
    writer = JsonlWriter(tmp_path / "articles-x.jsonl")
    writer.write({"id": "1", "text": "héllo"})
    assert not (tmp_path / "articles-x.jsonl").exists()
    assert list(tmp_path.glob("articles-*.jsonl")) == []
    assert writer.publish()
    lines = (tmp_path / "articles-x.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [{"id": "1", "text": "héllo"}]
    assert not writer.temp_path.exists()


def test_empty_writer_publishes_nothing(tmp_path: Path) -> None:
    writer = JsonlWriter(tmp_path / "articles-y.jsonl")
    assert not writer.publish()
    assert list(tmp_path.iterdir()) == []


def test_discard_removes_the_temp_file(tmp_path: Path) -> None:
    writer = JsonlWriter(tmp_path / "articles-z.jsonl")
    writer.write({"id": "1"})
    writer.discard()
    assert list(tmp_path.iterdir()) == []


def test_gzip_output_is_a_complete_gzip_file(tmp_path: Path) -> None:
    import gzip

    writer = JsonlWriter(tmp_path / "articles-g.jsonl", gzip=True)
    writer.write({"id": "1"})
    writer.write({"id": "2"})
    assert writer.publish()
    assert writer.final_path.name == "articles-g.jsonl.gz"
    with gzip.open(writer.final_path, "rt", encoding="utf-8") as handle:
        assert [json.loads(line)["id"] for line in handle] == ["1", "2"]


def test_publish_never_replaces_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "articles-s.jsonl").write_text('{"id": "old"}\n', encoding="utf-8")
    writer = JsonlWriter(tmp_path / "articles-s.jsonl")
    writer.write({"id": "new"})
    assert writer.publish()
    assert writer.final_path.name == "articles-s-2.jsonl"
    assert (tmp_path / "articles-s.jsonl").read_text(encoding="utf-8") == '{"id": "old"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles-s-2.jsonl", "articles-s.jsonl"]
