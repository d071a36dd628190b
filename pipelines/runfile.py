"""Write OUTPUT/run-<stamp>.json: totals, state size and per-source health (docs/RUNFILE.md)."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.runner import CrawlResult
    from pipelines.runtime import Runtime

logger = logging.getLogger(__name__)


def previous_run(output_dir: Path, before_stamp: str) -> dict[str, Any] | None:
    """The latest readable run file older than BEFORE_STAMP, or None."""
    for path in sorted(output_dir.glob("run-*.json"), reverse=True):
        if path.stem.removeprefix("run-") >= before_stamp:
            continue
        try:
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return loaded
        except (OSError, ValueError) as exc:
            logger.warning("ignoring unreadable run file %s: %s", path, exc)
    return None


def write_run_file(runtime: Runtime, result: CrawlResult) -> Path:
    """Build and atomically write the run file of this run."""
    output_dir, stamp = runtime.config.output_dir, runtime.config.run_stamp
    finished = datetime.now(UTC)
    record = {
        "run": stamp,
        "started_at": (finished - timedelta(seconds=result.elapsed)).isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "elapsed_s": round(result.elapsed, 2),
        "exit_code": result.exit_code,
        "finish_reason": result.stats.get("finish_reason"),
        "files": [p.name for p in runtime.output.published],
        "totals": result.totals(),
        "state": {"sizes": result.grouped("state"), "evicted": runtime.evicted},
        "sources": runtime.health.report(previous_run(output_dir, stamp)),
    }
    path = output_dir / f"run-{stamp}.json"
    output_dir.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temp, path)
    return path
