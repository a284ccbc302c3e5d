"""Progress of long work that other processes can read while the work's transaction is still open.

An import writes its rows inside one transaction (all or nothing), so a progress counter updated in the
database inside it is invisible to the page until the end. The counter therefore goes through the shared
cache when Redis is configured (web and workers on any machine see it), else through a small file under
``var/progress/`` (without Redis, web and worker share one machine and its folder)."""

import contextlib
import os
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

TTL = 24 * 3600


def _path(key: str) -> Path:
    folder = Path(settings.VAR_DIR) / "progress"
    folder.mkdir(exist_ok=True)
    return folder / key


def report(key: str, value: int) -> None:
    if settings.REDIS_URL:
        cache.set(f"progress:{key}", int(value), TTL)
        return
    path = _path(key)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(str(int(value)))
    tmp.replace(path)  # atomic: a reader sees the old or the new number, never half of one


def read(key: str) -> int | None:
    if settings.REDIS_URL:
        return cache.get(f"progress:{key}")
    with contextlib.suppress(OSError, ValueError):
        return int(_path(key).read_text())
    return None


def clear(key: str) -> None:
    if settings.REDIS_URL:
        cache.delete(f"progress:{key}")
        return
    with contextlib.suppress(OSError):
        _path(key).unlink()
