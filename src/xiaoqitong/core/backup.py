"""Backup and restore of the whole platform: the database and the uploaded files, in one archive.

An archive (``.tar.gz``) holds ``manifest.json``, the database (``database.sqlite3``, a consistent copy made
with SQLite's online backup API, or ``database.pgdump``, from ``pg_dump --format=custom``) and ``media/``
(``settings.MEDIA_ROOT``). The manifest records the vendor, the migration state and the row count of every
table, which a restore checks against the restored database.
"""

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
SUPPORTED = tuple(DUMP_NAMES)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the user (Chinese)."""


def _connection(alias: str):
    conn = connections[alias]
    if conn.vendor not in SUPPORTED:
        raise BackupError(f"不支持的数据库类型：{conn.vendor}（只支持 SQLite 和 PostgreSQL）")
    return conn


def row_counts(alias: str = "default") -> dict[str, int]:
    """The number of rows of every table of the database, by table name."""
    conn = _connection(alias)
    with conn.cursor() as cursor:
        return _count(cursor, sorted(conn.introspection.table_names(cursor)), conn.ops.quote_name)


def _count(cursor, tables, quote) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608  (a quoted table name)
        counts[table] = cursor.fetchone()[0]
    return counts


def migration_state(alias: str = "default") -> dict[str, str]:
    """The latest applied migration of each app (migration names start with their sequence number)."""
    recorder = MigrationRecorder(_connection(alias))
    latest: dict[str, str] = {}
    if not recorder.has_table():
        return latest
    for app, name in recorder.applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def pending_migrations(alias: str = "default") -> list[str]:
    """The code's migrations the database has not applied (after restoring an older backup)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(_connection(alias))
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def platform_version() -> str:
    try:
        return metadata.version("xiaoqitong")
    except metadata.PackageNotFoundError:
        return "unknown"


def default_output() -> Path:
    return Path(settings.VAR_DIR) / "backups" / f"xqt-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"


def _pg_command(conn, program: str) -> tuple[list[str], dict[str, str]]:
    """The program with the connection's host, port, user and database; the password in PGPASSWORD only."""
    params = conn.settings_dict
    args = [program]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            args.append(f"{option}={params[key]}")
    args.append(f"--dbname={params['NAME']}")
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    if not shutil.which(args[0]):
        raise BackupError(f"找不到 {args[0]}：请安装 PostgreSQL 客户端工具（版本不低于服务器）")
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what}失败（{args[0]} 退出码 {result.returncode}）：{result.stderr.strip()}")


def _dump_database(conn, target: Path) -> dict[str, int]:
    """Write the database's copy to ``target``; returns the row counts of that very copy (the manifest's
    counts never disagree with the copy, however busy the server is meanwhile)."""
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            conn.connection.backup(destination)  # online backup: consistent while others write
            cursor = destination.cursor()
            tables = [
                name
                for (name,) in cursor.execute(
                    "SELECT name FROM sqlite_master"
                    " WHERE type IN ('table', 'view') AND name != 'sqlite_sequence'"
                )
            ]
            return _count(cursor, sorted(tables), conn.ops.quote_name)
        finally:
            destination.close()
    args, env = _pg_command(conn, "pg_dump")
    args = [*args, "--format=custom", f"--file={target}"]
    if conn.in_atomic_block:  # cannot open our own snapshot transaction: count right after the dump
        _run(args, env, "导出数据库")
        return row_counts(conn.alias)
    # pg_dump reads the snapshot this transaction exports, and the counts come from the same snapshot
    conn.ensure_connection()
    with conn.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run([*args, f"--snapshot={snapshot}"], env, "导出数据库")
            return _count(cursor, sorted(conn.introspection.table_names(cursor)), conn.ops.quote_name)
        finally:
            cursor.execute("COMMIT")


def _restore_database(conn, source: Path) -> None:
    if conn.vendor == "sqlite":
        # SQLite's backup API in reverse: the live database's pages are replaced under SQLite's own locks,
        # so a WAL file or another process's open connection cannot see a half-copied or stale file.
        conn.ensure_connection()
        origin = sqlite3.connect(source)
        try:
            origin.backup(conn.connection)
        finally:
            origin.close()
        conn.close()
    else:
        conn.close()  # no lock of ours in the way of the DROPs
        args, env = _pg_command(conn, "pg_restore")
        _run(
            [
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                str(source),
            ],
            env,
            "恢复数据库",
        )


@dataclass
class Manifest:
    data: dict

    @property
    def vendor(self) -> str:
        return self.data["database"]["vendor"]

    @property
    def counts(self) -> dict[str, int]:
        return self.data["row_counts"]

    @property
    def migrations(self) -> dict[str, str]:
        return self.data["migrations"]


@dataclass
class BackupResult:
    path: Path
    manifest: Manifest
    media_files: int
    size: int


def backup(output: Path | None = None, *, alias: str = "default", progress: Callable = print) -> BackupResult:
    """Write the archive (atomically: a partial archive never has the final name)."""
    conn = _connection(alias)
    output = Path(output) if output else default_output()
    output.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="xqt-backup-") as tmp:
        work = Path(tmp)
        dump = work / DUMP_NAMES[conn.vendor]
        progress(f"导出数据库（{conn.vendor}）……")
        counts = _dump_database(conn, dump)
        manifest = Manifest(
            {
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "platform_version": platform_version(),
                "database": {"vendor": conn.vendor, "file": dump.name},
                "migrations": migration_state(alias),
                "row_counts": counts,
                "media_files": 0,
            }
        )
        files = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.is_dir() else []
        manifest.data["media_files"] = len(files)
        (work / MANIFEST).write_text(
            json.dumps(manifest.data, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        progress(f"打包：{len(counts)} 张表 {sum(counts.values())} 行，上传文件 {len(files)} 个……")
        partial = output.with_name(output.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / MANIFEST, arcname=MANIFEST)
            archive.add(dump, arcname=dump.name)
            if media_root.is_dir():
                archive.add(media_root, arcname=MEDIA)
        partial.chmod(0o600)  # personal data (minors'): readable by the platform's account only
        partial.replace(output)
    return BackupResult(output, manifest, len(files), output.stat().st_size)


@dataclass
class Archive:
    """An opened backup archive, extracted into a temporary folder."""

    folder: Path
    manifest: Manifest
    dump: Path
    media: Path
    notes: list[str] = field(default_factory=list)


@contextlib.contextmanager
def open_archive(path: Path) -> Iterator[Archive]:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件：{path}")
    with tempfile.TemporaryDirectory(prefix="xqt-restore-") as tmp:
        folder = Path(tmp)
        try:
            with tarfile.open(path, "r:*") as archive:
                archive.extractall(folder, filter="data")  # no absolute paths, no escaping links
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{path} 不是有效的备份文件（无法作为 tar.gz 归档读取：{exc}）") from exc
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            manifest = Manifest(data)
            dump = folder / data["database"]["file"]
            manifest.vendor, manifest.counts, manifest.migrations  # noqa: B018  (present)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"{path} 不是校企通的备份：缺少或无法读取 {MANIFEST}（{exc}）") from exc
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"备份格式版本 {data.get('format_version')} 不受支持（本程序读取版本 {FORMAT_VERSION}）"
            )
        if not dump.is_file() or dump.parent != folder:
            raise BackupError(f"备份不完整：缺少数据库文件 {data['database']['file']}")
        yield Archive(folder, manifest, dump, folder / MEDIA)


def existing_data(alias: str = "default") -> dict[str, int]:
    """The tables of the target database holding rows (Django's own bookkeeping tables left out)."""
    bookkeeping = {"django_migrations", "django_content_type", "auth_permission", "django_session"}
    return {t: n for t, n in row_counts(alias).items() if n and t not in bookkeeping}


def _replace_media(source: Path) -> int:
    """MEDIA_ROOT becomes exactly the archive's media folder: swapped in whole, the old one removed after."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    stamp = f"{datetime.now():%Y%m%d%H%M%S}-{os.getpid()}"  # a local folder name
    incoming = media_root.with_name(f".{media_root.name}-restore-{stamp}")
    if source.is_dir():
        shutil.copytree(source, incoming)
    else:
        incoming.mkdir()
    old = media_root.with_name(f".{media_root.name}-old-{stamp}")
    if media_root.exists():
        media_root.rename(old)
    incoming.rename(media_root)
    shutil.rmtree(old, ignore_errors=True)
    return sum(1 for p in media_root.rglob("*") if p.is_file())


@dataclass
class RestoreResult:
    manifest: Manifest
    counts: dict[str, int]
    mismatches: dict[str, tuple[int, int | None]]
    media_files: int


def restore(archive: Archive, *, alias: str = "default", progress: Callable = print) -> RestoreResult:
    """Restore the database and the media folder, then compare every table's rows with the manifest."""
    conn = _connection(alias)
    manifest = archive.manifest
    progress(f"恢复数据库（{conn.vendor}）……")
    _restore_database(conn, archive.dump)
    progress("恢复上传文件……")
    media_files = _replace_media(archive.media)
    progress("核对各表行数……")
    counts = row_counts(alias)
    mismatches = {
        table: (expected, counts.get(table))
        for table, expected in manifest.counts.items()
        if counts.get(table) != expected
    }
    return RestoreResult(manifest, counts, mismatches, media_files)
