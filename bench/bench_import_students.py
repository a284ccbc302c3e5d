"""Time a 100,000-row student import (xlsx) through the real import machinery, against merely reading it.

    .venv/bin/python bench/bench_import_students.py                  # 100,000 rows, a school administrator
    .venv/bin/python bench/bench_import_students.py --rows 20000 --profile
    .venv/bin/python bench/bench_import_students.py --validate --again

Prepares a fresh SQLite database in a temporary ``XQT_VAR_DIR`` (``migrate``, ``load_reference``,
``demo_data --scale small``), then in a child process: writes the file with openpyxl's write-only mode, reads
every cell with python-calamine (the reader ``read_table`` uses; the baseline), and imports it with
``core.imports.run_import(dry_run=False)`` in one transaction, exactly as the import task commits a job
(``read_table`` + ``run_import`` + one audit record per changed row). The importer is the school's
administrator by default (every row goes through the scope check), ``--actor admin`` a platform
administrator. ``--validate`` also times the validation pass (the job's dry run, rolled back); ``--again``
re-imports the same file (every row unchanged: the idempotency path); ``--profile`` prints the cProfile top 15
of the commit (and of the re-import); ``--openpyxl`` also times reading the file with openpyxl's read-only
mode, the reader before python-calamine. The machine's load average is printed before and after: with other
jobs running, every figure is slower alike, and the ratio to the baseline is the one to compare.
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GRADES = (2022, 2023, 2024, 2025)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "子涵浩然欣怡梓轩雨桐宇航思远佳琪俊杰诗涵嘉怡明轩一诺若汐晨曦文博雅婷志强晓东海涛丽娟建华国平"


def _env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ, XQT_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="xiaoqitong.settings")
    env.pop("DATABASE_URL", None)  # always SQLite here
    return env


def _manage(var_dir: Path, *args: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "xiaoqitong", *args], env=_env(var_dir), check=True, stdout=subprocess.DEVNULL
    )


# --- the child process --------------------------------------------------------------------------------------
def setup_school():
    """The demo's anchor school, its administrator, and 开设专业 for every grade of the file."""
    from xiaoqitong.demo.models import DemoRun
    from xiaoqitong.orgs.choices import Role
    from xiaoqitong.orgs.models import School, User
    from xiaoqitong.reference.models import Major
    from xiaoqitong.schools.models import LEVELS_BY_SCHOOL_TYPE, SchoolMajor

    run = DemoRun.objects.order_by("-id").first()
    school = School.objects.filter(code=run.anchors["school"]).first() if run else None
    school = school or School.objects.order_by("code").first()
    majors = {}
    for sm in SchoolMajor.objects.filter(school=school, year__in=GRADES).select_related("major"):
        majors.setdefault(sm.major.code, set()).add(sm.year)
    codes = [code for code, years in majors.items() if years >= set(GRADES)]
    if len(codes) < 5:  # the demo has no 开设专业 (yet): make some that fit the school
        levels = LEVELS_BY_SCHOOL_TYPE[school.school_type]
        picked = list(Major.objects.filter(education_level__in=levels).order_by("code")[:40:3])
        SchoolMajor.objects.bulk_create(
            [
                SchoolMajor(school=school, major=m, year=y, students_enrolled=9999)
                for m in picked
                for y in GRADES
                if y not in majors.get(m.code, set())
            ]
        )
        codes = sorted({*codes, *(m.code for m in picked)})
    admin = User.objects.create_user(
        "bench-school-admin", password=None, role=Role.SCHOOL_ADMIN, school=school, display_name="基准"
    )
    root = User.objects.create_superuser("bench-root", None, None, role=Role.PLATFORM_ADMIN)
    return school, codes, admin, root


def write_file(path: Path, rows: int, school, major_codes: list[str], seed: int) -> None:
    import openpyxl

    from xiaoqitong.reference.models import IndustryChain, Region, Skill
    from xiaoqitong.schools.resources import StudentResource
    from xiaoqitong.schools.validators import make_id_card

    rnd = random.Random(seed)
    headers = StudentResource().headers()
    skills = list(Skill.objects.order_by("name").values_list("name", flat=True))
    chains = list(IndustryChain.objects.order_by("sort_order").values_list("name", flat=True))
    counties = list(
        Region.objects.filter(parent=school.county.parent, level="county")
        .order_by("code")
        .values_list("name", "code")
    )
    levels = ["了解", "熟练", "精通"]
    types = ["全职", "实习", "学徒", "订单班"]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("学生")
    sheet.append(headers)
    for i in range(rows):
        grade = GRADES[i % len(GRADES)]
        born = dt.date(grade - 16, 1 + i % 12, 1 + i % 28)
        county_name, county_code = counties[i % len(counties)]
        values = {
            "学校代码": school.code,
            "学号": f"B{grade}{i:07d}",  # never one of the demo's numbers
            "姓名": rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN),
            "性别": rnd.choice(["男", "女"]),
            "出生年份": born.year,
            "生源地": county_name,
            "专业代码": major_codes[i % len(major_codes)],
            "年级": grade,
            "入学日期": dt.datetime(grade, 9, 1),
            "预计毕业日期": dt.datetime(grade + 3, 6, 30),
            "手机号": f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}",
            "对企业公开简历": rnd.choice(["不公开", "匿名公开", "完全公开"]),
            "状态": "在读",
            "技能": "、".join(f"{s}:{rnd.choice(levels)}" for s in rnd.sample(skills, rnd.randint(0, 3))),
            "意向产业链": "、".join(rnd.sample(chains, rnd.randint(0, 2))),
            "意向工作地": "、".join(c for c, _code in rnd.sample(counties, rnd.randint(0, 2))),
            "意向岗位类型": "、".join(rnd.sample(types, rnd.randint(0, 2))),
            "期望月薪（元）": rnd.choice([3000, 3500, 4000, 4500, 5000, 6000]),
            "身份证号": make_id_card(county_code, born, i),
        }
        sheet.append([values[h] for h in headers])
    book.save(path)


def read_plain(path: Path) -> int:
    """The baseline: every cell of the file through python-calamine, the reader ``read_table`` uses, and
    nothing else."""
    from python_calamine import CalamineWorkbook

    return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())


def read_openpyxl(path: Path) -> int:
    """For comparison: every cell through openpyxl's read-only mode (the reader before python-calamine)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count


def commit(path: Path, actor, *, dry_run: bool, profile: bool = False) -> dict:
    """``read_table`` + ``run_import`` inside one transaction, as ``core.tasks.import_job_run`` does."""
    import cProfile
    import io
    import pstats

    from django.db import transaction

    from xiaoqitong.core import imports
    from xiaoqitong.schools.models import Student

    started, cpu_started = time.perf_counter(), time.process_time()
    data = imports.read_table(path)
    read_seconds = time.perf_counter() - started
    resource = imports.resource_for(Student)()
    resource.actor = actor
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    with transaction.atomic():
        errors, totals = imports.run_import(resource, data, dry_run=dry_run)
    if profiler:
        profiler.disable()
    import_seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    out = {
        "read_table": read_seconds,
        "import": import_seconds,
        "cpu": cpu,
        "errors": errors[:5],
        "totals": totals,
    }
    if profiler:
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("tottime").print_stats(15)
        stats.sort_stats("cumulative").print_stats(25)
        out["profile"] = stream.getvalue()
    return out


def worker(args) -> None:
    import django

    django.setup()
    from django.db import connection

    from xiaoqitong.core.models import AuditLog
    from xiaoqitong.schools.models import Student

    school, codes, admin, root = setup_school()
    actor = admin if args.actor == "school" else root
    path = Path(os.environ["XQT_VAR_DIR"]) / "students.xlsx"
    started = time.perf_counter()
    write_file(path, args.rows, school, codes, args.seed)
    result = {"write": time.perf_counter() - started, "bytes": path.stat().st_size, "school": school.name}
    started = time.perf_counter()
    result["rows_read"] = read_plain(path) - 1
    result["read_plain"] = time.perf_counter() - started
    if args.openpyxl:
        started = time.perf_counter()
        read_openpyxl(path)
        result["read_openpyxl"] = time.perf_counter() - started
    if args.validate:
        result["validate"] = commit(path, actor, dry_run=True)
    result["commit"] = commit(path, actor, dry_run=False, profile=args.profile)
    result["students"] = Student.objects.filter(school=school).count()
    result["audit"] = AuditLog.objects.filter(verb="student_import").count()
    if args.again:
        result["again"] = commit(path, actor, dry_run=False, profile=args.profile)
    result["sqlite"] = connection.vendor
    print(json.dumps(result, ensure_ascii=False))


# --- the parent -------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--actor", choices=["school", "admin"], default="school")
    parser.add_argument("--validate", action="store_true", help="also time the validation pass (dry run)")
    parser.add_argument("--again", action="store_true", help="also re-import the same file (all unchanged)")
    parser.add_argument("--profile", action="store_true", help="print the cProfile top 15 of the commit")
    parser.add_argument("--openpyxl", action="store_true", help="also time reading the file with openpyxl")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="xqt-bench-import-") as tmp:
        var_dir = Path(tmp)
        started = time.perf_counter()
        _manage(var_dir, "migrate", "--noinput", "-v", "0")
        _manage(var_dir, "load_reference")
        _manage(var_dir, "demo_data", "--scale", "small", "--no-progress", "-v", "0")
        print(f"prepare (migrate + load_reference + demo_data small): {time.perf_counter() - started:.1f} s")
        child = [sys.executable, __file__, "--worker", "--rows", str(args.rows), "--seed", str(args.seed)]
        child += ["--actor", args.actor] + [
            f"--{f}" for f in ("validate", "again", "profile", "openpyxl") if getattr(args, f)
        ]
        out = subprocess.run(child, env=_env(var_dir), check=True, stdout=subprocess.PIPE, text=True).stdout  # noqa: S603
        r = json.loads(out.strip().splitlines()[-1])
        shutil.rmtree(var_dir, ignore_errors=True)
    rows = r["rows_read"]
    # Another job on the machine slows every figure alike: compare runs by their ratio to the baseline.
    load = "load average (1, 5, 15 min) {:.2f} {:.2f} {:.2f}"
    print(f"{load.format(*load_before)} before, {load.format(*os.getloadavg())} after")
    print(
        f"file: {rows} rows, {r['bytes'] / 1e6:.1f} MB, written in {r['write']:.1f} s; school {r['school']}"
    )
    plain, slow = r["read_plain"], r.get("read_openpyxl")
    print(f"baseline, same run: python-calamine, every cell: {plain:.2f} s ({rows / plain:.0f} rows/s)")
    if slow:
        print(f"          openpyxl read-only, every cell: {slow:.2f} s ({rows / slow:.0f} rows/s)")

    def line(name, c):
        total = c["read_table"] + c["import"]
        print(
            f"{name:<9} read_table {c['read_table']:6.2f} s + run_import {c['import']:7.2f} s = "
            f"{total:7.2f} s  {rows / total:7.0f} rows/s  {total / plain:5.1f}x reading  {c['totals']}"
        )
        print(f"          (CPU time of this process: {c['cpu']:.2f} s)")
        if c["errors"]:
            print("   errors:", c["errors"])

    print(f"importer: {'the school administrator' if args.actor == 'school' else 'a platform administrator'}")
    if "validate" in r:
        line("validate", r["validate"])
    line("commit", r["commit"])
    if "again" in r:
        line("again", r["again"])
    print(f"students in the school: {r['students']}, per-row audit records: {r['audit']}")
    total = r["commit"]["read_table"] + r["commit"]["import"]
    print(f"goal: commit under 60 s: {'met' if total < 60 else 'NOT met'} ({total:.1f} s)")
    for name in ("commit", "again"):
        if "profile" in r.get(name, {}):
            print(f"== cProfile of {name}")
            print(r[name]["profile"])


if __name__ == "__main__":
    main()
