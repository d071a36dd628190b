"""One BLAS thread per process: parallelism comes from extraction processes, not BLAS."""

from __future__ import annotations

import os

_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def single_blas_thread() -> None:
    """Ask numpy's BLAS for one thread unless the user chose otherwise (set before numpy loads;
    spawned workers inherit it). Its thread pools only spin here: a third more CPU per page."""
    for name in _BLAS_THREADS:
        os.environ.setdefault(name, "1")
