"""``xiaoqitong backup`` and ``xiaoqitong restore``: a round trip loses nothing (SQLite and PostgreSQL), and
restore refuses what it must.

The round trips run outside a test transaction (``transactional_db``): a restore replaces the database, which
no open transaction may hold. They run on the configured database (PostgreSQL with pg_dump and pg_restore in
CI). On SQLite the test database is pytest-django's in-memory one: the commands copy it with SQLite's backup
API, the same path as for a file; ``test_sqlite_file_database_end_to_end`` runs the installed command against
a real database file (WAL mode) in a fresh folder, on either suite.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from xiaoqitong.core import backup
from xiaoqitong.core.models import ImportJob
from xiaoqitong.orgs.models import Enterprise, User

from ..concurrency import committed_catalogs
from ..orgs.factories import EnterpriseFactory, UserFactory, county, industry_leaf


@pytest.fixture
def seeded(django_db_blocker):
    """The catalogs and seeded rows, back after this test's flush (asked for before ``transactional_db``)."""
    with committed_catalogs(django_db_blocker):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "users": sorted(User.objects.values_list("username", "role")),
        "enterprises": sorted(Enterprise.objects.values_list("pk", "name", "employees")),
        "jobs": sorted(ImportJob.objects.values_list("pk", "original_name", "file")),
        "counts": backup.row_counts(),
    }


def round_trip(tmp_path, media):
    county()
    industry_leaf()
    admin = UserFactory(username="备份管理员")
    enterprise = EnterpriseFactory(name="郴州智能照明有限公司", employees=120)
    job = ImportJob.objects.create(
        created_by=admin,
        target="orgs.School",
        original_name="学校名单.csv",
        file=SimpleUploadedFile("学校名单.csv", "编号,名称\n1,郴州职院\n".encode()),
    )
    uploaded, job_pk = Path(job.file.path), job.pk
    content = uploaded.read_bytes()
    before = snapshot()

    archive = tmp_path / "backup.tar.gz"
    out = run("backup", "--output", str(archive))
    assert "备份完成" in out and archive.is_file()
    with tarfile.open(archive) as opened:
        manifest = json.loads(opened.extractfile("manifest.json").read())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["row_counts"] == before["counts"]
    assert manifest["migrations"]["orgs"].startswith("00") and manifest["platform_version"]
    assert manifest["media_files"] == 1

    # everything changes after the backup: rows edited, deleted and added, the upload gone, a stray file
    Enterprise.objects.filter(pk=enterprise.pk).update(name="改名企业", employees=1)
    job.file.delete(save=False)
    job.delete()
    UserFactory(username="备份之后的用户")
    (media / "stray.txt").write_text("not in the backup")
    assert snapshot() != before

    with pytest.raises(CommandError, match="已有数据"):
        run("restore", str(archive))
    out = run("restore", str(archive), "--yes")
    assert "恢复完成" in out and "行数与备份一致" in out

    assert snapshot() == before
    assert uploaded.read_bytes() == content
    assert not (media / "stray.txt").exists()
    assert ImportJob.objects.get(pk=job_pk).file.read() == content


def test_round_trip_loses_nothing(seeded, transactional_db, tmp_path, media):
    """On the configured database: SQLite here, PostgreSQL in CI (.ci/run)."""
    round_trip(tmp_path, media)
    # the id counters came back too: a new row does not collide with a restored one
    top = Enterprise.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert EnterpriseFactory().pk > top


@pytest.mark.postgres
def test_postgres_round_trip_passes_the_password_only_in_the_environment(
    seeded, transactional_db, tmp_path, media, monkeypatch
):
    assert connection.vendor == "postgresql"
    calls = []
    real_run = backup.subprocess.run

    def spy(args, **kwargs):
        calls.append((args, kwargs["env"]))
        return real_run(args, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", spy)
    # the test server trusts local connections and ignores the password: only its path matters here
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret-pw")
    round_trip(tmp_path, media)
    assert [args[0] for args, _env in calls] == ["pg_dump", "pg_restore"]
    for args, env in calls:
        assert env["PGPASSWORD"] == "s3cret-pw"
        assert not any("s3cret-pw" in arg for arg in args)
        assert f"--dbname={connection.settings_dict['NAME']}" in args
    assert "--format=custom" in calls[0][0]
    assert any(arg.startswith("--snapshot=") for arg in calls[0][0])  # the counts' own snapshot
    assert {"--clean", "--if-exists", "--no-owner"} <= set(calls[1][0])


def test_a_row_count_mismatch_after_restore_is_an_error(seeded, transactional_db, tmp_path, media):
    UserFactory(username="计数用户")
    archive = tmp_path / "b.tar.gz"
    run("backup", "-o", str(archive))
    with tarfile.open(archive) as opened:
        manifest = json.loads(opened.extractfile("manifest.json").read())
        members = [m for m in opened.getmembers() if m.isfile() and m.name != "manifest.json"]
        files = {m.name: opened.extractfile(m).read() for m in members}
    manifest["row_counts"]["orgs_user"] += 1  # as if a row had been lost on the way
    tampered = fake_archive(tmp_path / "tampered.tar.gz", manifest, files)
    with pytest.raises(CommandError, match="行数与备份不符") as failed:
        run("restore", str(tampered), "--yes")
    assert "orgs_user" in str(failed.value)


def fake_archive(path: Path, manifest: dict | None, files: dict[str, bytes] | None = None) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        entries = dict(files or {})
        if manifest is not None:
            entries["manifest.json"] = json.dumps(manifest).encode()
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def manifest_for(vendor: str) -> dict:
    name = backup.DUMP_NAMES[vendor]
    return {
        "format_version": backup.FORMAT_VERSION,
        "database": {"vendor": vendor, "file": name},
        "migrations": {},
        "row_counts": {},
    }


def test_refuses_another_database_vendor(db, tmp_path, media):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    archive = fake_archive(tmp_path / "other.tar.gz", manifest_for(other), {backup.DUMP_NAMES[other]: b"x"})
    with pytest.raises(CommandError, match="不能跨数据库类型恢复") as refused:
        run("restore", str(archive), "--yes")
    assert {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[other] in str(refused.value)


def test_refuses_to_overwrite_existing_data_without_yes(db, tmp_path, media):
    UserFactory(username="现有用户")
    (media / "keep.txt").parent.mkdir(parents=True, exist_ok=True)
    (media / "keep.txt").write_text("kept")
    vendor = connection.vendor
    archive = fake_archive(tmp_path / "b.tar.gz", manifest_for(vendor), {backup.DUMP_NAMES[vendor]: b"x"})
    with pytest.raises(CommandError, match="--yes") as refused:
        run("restore", str(archive))
    # the message says what would be overwritten: the total and the largest tables (which ones depends on
    # whether the catalogs are loaded in this database)
    assert "目标数据库已有数据" in str(refused.value) and "行）" in str(refused.value)
    assert User.objects.filter(username="现有用户").exists()
    assert (media / "keep.txt").read_text() == "kept"


def test_refuses_a_file_that_is_not_an_archive(db, tmp_path, media):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"this is not a backup")
    with pytest.raises(CommandError, match="不是有效的备份文件"):
        run("restore", str(junk), "--yes")
    no_manifest = fake_archive(tmp_path / "bare.tar.gz", None, {"hello.txt": b"hi"})
    with pytest.raises(CommandError, match=r"manifest\.json"):
        run("restore", str(no_manifest), "--yes")
    with pytest.raises(CommandError, match="找不到备份文件"):
        run("restore", str(tmp_path / "missing.tar.gz"))


def test_sqlite_file_database_end_to_end(tmp_path):
    """The installed command on a real SQLite file (WAL mode, as in production): backup, damage, restore.
    Its own database in a fresh folder, whatever database the suite runs on."""
    env = {
        **os.environ,
        "XQT_VAR_DIR": str(tmp_path / "var"),
        "XQT_SECRET_KEY": "test",
        "DJANGO_SETTINGS_MODULE": "xiaoqitong.settings",
    }
    env.pop("DATABASE_URL", None)

    def xqt(*args, check=True):
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "xiaoqitong", *args], env=env, capture_output=True, text=True, check=False
        )
        assert not check or result.returncode == 0, result.stderr
        return result

    shell = "from xiaoqitong.orgs.models import User; "
    xqt("migrate", "-v0")
    xqt("shell", "-c", shell + "User.objects.create_user('文件库用户', password='a-Long-pass-2026')")
    media = tmp_path / "var" / "media" / "imports"
    media.mkdir(parents=True)
    (media / "名单.csv").write_bytes(b"a,b\n")
    archive = tmp_path / "file.tar.gz"
    assert "备份完成" in xqt("backup", "-o", str(archive)).stdout

    xqt("shell", "-c", shell + "User.objects.all().delete()")
    (media / "名单.csv").unlink()
    refused = xqt("restore", str(archive), check=False)
    assert refused.returncode != 0 and "--yes" in refused.stderr
    assert "行数与备份一致" in xqt("restore", str(archive), "--yes").stdout
    users = xqt("shell", "-c", shell + "print(list(User.objects.values_list('username', flat=True)))").stdout
    assert "文件库用户" in users
    assert (media / "名单.csv").read_bytes() == b"a,b\n"
