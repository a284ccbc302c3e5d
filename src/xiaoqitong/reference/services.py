"""Writes of the reference app. Plain CRUD of skills, certificates and chains goes through the generic core
services (``xiaoqitong.core.services``); loading the shipped catalogs is :func:`reference_load`."""

from pathlib import Path

from . import loader


def reference_load(*, actor=None, data_dir: Path | None = None) -> list[loader.CatalogResult]:
    """Load (upsert) every catalog from the project's files in ``reference/data/``, all or nothing.

    Idempotent: a second load reports every row unchanged and writes no audit record. Rows that are not in
    the files are kept. Writes one audit record per catalog that changed, naming the system as the actor
    (``actor`` is accepted for symmetry with other services and must be ``None`` or a platform admin: the
    catalogs are system data)."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("只有平台管理员可以加载基础目录。")
    return loader.load_all(data_dir=data_dir)
