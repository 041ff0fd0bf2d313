"""Source adapters: one per agency format; each detects its file, validates and normalizes rows.

Public calls:
- `SOURCES`: the registered adapters by source id (built-ins from `sources/adapters/`, loaded through the
  same `register()` a plug-in adapter uses).
- `ingest_paths(wh, paths, source=None, progress=None, log=print) -> list[BatchReport]`
- `watch_folder(wh, folder, interval=5.0, source=None, log=print, max_scans=None, stop=None)`
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .base import Adapter
from .ingest import BatchReport, expand_paths, finish_ingest, ingest_file
from .readers import is_data_file
from .registry import load_builtin, load_errors

SOURCES: dict[str, Adapter] = load_builtin()

__all__ = ["SOURCES", "BatchReport", "ingest_paths", "watch_folder", "load_errors"]


def _adapters(source: str | None) -> dict[str, Adapter]:
    from ..errors import UsageError

    if source is not None and source not in SOURCES:
        raise UsageError(f"unknown source {source!r}: known sources are {', '.join(sorted(SOURCES))}")
    if not SOURCES:
        raise UsageError("no source adapters are registered")
    return SOURCES


def ingest_paths(wh, paths: Iterable[str | Path], source: str | None = None, progress: Callable | None = None,
                 log: Callable = print) -> list[BatchReport]:
    """Ingest files and folders (recursively; `truth/` skipped). One `BatchReport` per file, in order.

    A refused or failing file gets a report with `error` and does not stop the others."""
    adapters = _adapters(source)
    for name, err in load_errors.items():
        log(f"adapter module {name} could not be loaded: {err}")
    files = expand_paths(paths, log=log)
    _quiet(wh)
    if progress:
        progress(0, total=len(files))
    job_id = _job_start(wh, f"ingest {len(files)} file(s)")
    reports = []
    for i, f in enumerate(files, 1):
        if progress:
            progress(0, description=f"ingesting {f.name}")
        reports.append(ingest_file(wh, f, adapters, source=source, log=log))
        if progress:
            progress(1)
        _job_progress(wh, job_id, i / max(len(files), 1), f.name)
    finish_ingest(wh, log=log)
    _job_end(wh, job_id, "failed" if any(r.error for r in reports) else "done")
    return reports


def _quiet(wh) -> None:
    """DuckDB's own progress bar would print into the command's output (and break `--format json`)."""
    try:
        wh.execute("SET enable_progress_bar = false")
    except Exception:
        pass


def _job_start(wh, message: str) -> int | None:
    try:
        job_id = wh.next_id("job", "job_id")
        wh.execute("INSERT INTO job (job_id, kind, message) VALUES (?, 'ingest', ?)", [job_id, message])
        return job_id
    except Exception:
        return None


def _job_progress(wh, job_id, frac: float, message: str) -> None:
    if job_id is not None:
        wh.execute("UPDATE job SET progress = ?, message = ? WHERE job_id = ?", [frac, message, job_id])


def _job_end(wh, job_id, status: str) -> None:
    if job_id is not None:
        wh.execute("UPDATE job SET status = ?, progress = 1, finished_at = current_timestamp WHERE job_id = ?",
                   [status, job_id])


def _scan(folder: Path) -> dict[Path, tuple[int, float]]:
    out = {}
    for p in expand_paths([folder], log=lambda *_: None):
        try:
            st = p.stat()
        except OSError:
            continue  # vanished between listing and stat
        out[p] = (st.st_size, st.st_mtime)
    return out


def watch_folder(wh, folder: str | Path, interval: float = 5.0, source: str | None = None,
                 log: Callable = print, max_scans: int | None = None,
                 stop: threading.Event | None = None) -> list[BatchReport]:
    """Keep ingesting files dropped in `folder` (recursively) until interrupted.

    A file is read only once its size and modification time are the same in two consecutive scans (so a
    half-written file waits), and names ending in `.part`/`.tmp`/`.partial` are ignored until renamed.
    Each file version (path, size, mtime) is tried once; the warehouse skips a file already loaded by its
    sha256, so restarting the watcher never loads anything twice. A failing file is reported and the others
    go on. `max_scans` / `stop` end the loop (for tests and services). Returns the reports of this run."""
    folder = Path(folder)
    adapters = _adapters(source)
    _quiet(wh)
    seen: dict[Path, tuple[int, float]] = {}
    done: dict[Path, tuple[int, float]] = {}
    reports: list[BatchReport] = []
    scans = 0
    log(f"watching {folder} every {interval:g} s (Ctrl-C to stop)")
    try:
        while True:
            now = _scan(folder)
            ready = [p for p, sig in sorted(now.items())
                     if seen.get(p) == sig and done.get(p) != sig and is_data_file(p)]
            for p in ready:
                try:
                    rep = ingest_file(wh, p, adapters, source=source, log=log)
                except Exception as e:  # never let one file stop the watcher
                    rep = BatchReport(file=str(p), error=f"{type(e).__name__}: {e}")
                    log(f"{p.name}: failed: {rep.error}")
                reports.append(rep)
                done[p] = now[p]
            if ready:
                finish_ingest(wh, log=log)
            seen = now
            scans += 1
            if (max_scans is not None and scans >= max_scans) or (stop is not None and stop.is_set()):
                break
            if stop is not None:
                if stop.wait(interval):
                    break
            else:
                time.sleep(interval)
    except KeyboardInterrupt:
        log("stopped watching")
    return reports
