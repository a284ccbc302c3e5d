"""The responsibility list in the demo city (issue 10): milestones for the annex's 15 tasks and progress
reports, as of ``ctx.as_of``.

- Every task has four milestones: a work plan and a first batch of measures (2022, 2023: done, each with
  the lead department's report at 100%), one in progress whose date depends on the task (overdue for some,
  due within two weeks for others, later for the rest, with a report at 30-70%), and the final review at the
  end of 2026. Each milestone belongs to the task's (first) lead department; the demo officers own those of
  their departments (demo-gov 市教育局, demo-hrss 市人社局, demo-ndrc 市发改委).
- 市发改委 leads tasks 8-10: ``demo-ndrc`` owns an overdue milestone (task 8), one due in a few days (task 9)
  and one later (task 10), so that the walk-through shows the warnings and lets demo-ndrc file progress.
- A few reports carry a small PDF attachment (written through the storage).

The tasks and their parties come from migration 0003 (``services.tasks.tasks_seed`` and ``ensure_parties``
are run here first, so a database whose departments were loaded after the migrations has its parties).
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from xiaoqitong.governance.choices import MilestoneStatus, PartyRole
from xiaoqitong.governance.models import Milestone, ProgressAttachment, ProgressReport, Task, TaskParty
from xiaoqitong.governance.services.tasks import ensure_parties, tasks_seed
from xiaoqitong.orgs.models import Department

from ..context import Context
from .certification import _pdf

STAMPED = ("created_at", "updated_at")
DEMO_OFFICERS = {"CZ-JYJ": "demo-gov", "CZ-RSJ": "demo-hrss", "CZ-FGW": "demo-ndrc"}

# The milestone in progress of each task: its title, and when it falls due relative to ``as_of`` (days).
CURRENT = {
    1: ("中职学校办学条件达标情况核查", -20),
    2: ("技师学院纳入高职序列申报材料报送", 40),
    3: ("中高职贯通培养实施方案印发", 75),
    4: ("“校企通”平台全市推广应用", 10),
    5: ("年度“产教对话”活动组织实施", 120),
    6: ("年度人才供需见面会与大湾区推介会", -8),
    7: ("职业院校办学质量考核办法出台", 25),
    8: ("产教融合实习实训基地年度遴选", -12),
    9: ("遴选条件和考核办法征求意见", 6),
    10: ("“金融+财政+土地+信用”激励清单落地", 60),
    11: ("县域共享性实训基地建设推进", 150),
    12: ("职业技能培训任务统筹安排", 12),
    13: ("教师绩效工资改革方案报批", -30),
    14: ("技术技能人才职称评价办法出台", 90),
    15: ("生均拨款标准调整测算", 200),
}
FIRST = ("制定工作方案，明确任务分工", dt.date(2022, 6, 30))
SECOND = ("出台配套措施并组织实施", dt.date(2023, 12, 31))
LAST = ("任务完成情况总结评估", dt.date(2026, 12, 31))


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_tasks(ctx: Context) -> None:
    """Milestones, owners, progress reports and attachments of the 15 tasks (module doc)."""
    rng, as_of = ctx.rng, ctx.as_of
    tasks_seed()
    ensure_parties()
    tasks = {t.number: t for t in Task.objects.all()}
    if not tasks:
        return
    leads: dict[int, object] = {}
    for party in TaskParty.objects.filter(role=PartyRole.LEAD, department__isnull=False).select_related(
        "department"
    ):
        leads.setdefault(party.task_id, party.department)
    users = {u.username: u for u in ctx.accounts}
    milestones: list[Milestone] = []
    owners: list[tuple[int, int]] = []
    plan: list[tuple[Milestone, object, int | None]] = []  # (milestone, department, percent of a report)

    for number in sorted(tasks):
        task = tasks[number]
        department = leads.get(task.pk)
        title, offset = CURRENT.get(number, ("推进落实", 60))
        current = as_of + dt.timedelta(days=offset)
        rows = [
            (FIRST[0], FIRST[1], MilestoneStatus.DONE, 100),
            (SECOND[0], SECOND[1], MilestoneStatus.DONE, 100),
            (title, current, MilestoneStatus.OPEN, rng.choice([30, 40, 50, 60, 70])),
            (LAST[0], max(LAST[1], as_of + dt.timedelta(days=240)), MilestoneStatus.OPEN, 0),
        ]
        for title_, due, status, percent in rows:
            done = status == MilestoneStatus.DONE
            if done and due > as_of:  # a demo seen before 2023: what lies ahead is not done yet
                status, percent, done = MilestoneStatus.OPEN, 0, False
            m = Milestone(
                task=task,
                title=title_,
                description="",
                due_date=due,
                department=department,
                status=status,
                percent=percent if (done or due <= as_of + dt.timedelta(days=400)) else 0,
                done_at=_at(due - dt.timedelta(days=rng.randint(1, 20))) if done else None,
                reminded=[],
            )
            m.created_at = _at(min(dt.date(2022, 1, 10), as_of))
            m.updated_at = m.done_at or m.created_at
            milestones.append(m)
            plan.append((m, department, m.percent if m.percent else None))

    for m, department, _percent in plan:
        owner = users.get(DEMO_OFFICERS.get(getattr(department, "code", ""), ""))
        if owner is not None and m.done_at:
            m.done_by = owner
    ctx.bulk_create(Milestone, milestones, desc="任务节点", keep_timestamps=STAMPED)
    for m, department, _percent in plan:
        owner = users.get(DEMO_OFFICERS.get(getattr(department, "code", ""), ""))
        if owner is not None:
            owners.append((m.pk, owner.pk))
    ctx.insert_rows(Milestone.owners.through, ("milestone_id", "user_id"), owners, desc="节点责任人")

    # --- reports: the lead department's, on the done milestones and on the one in progress ---
    reports: list[ProgressReport] = []
    for m, department, percent in plan:
        if percent is None or department is None:
            continue
        if m.status == MilestoneStatus.DONE:
            period = m.due_date
            text = f"{m.title}：已按期完成，相关文件已印发。"
        elif m.due_date - dt.timedelta(days=400) <= as_of:
            period = as_of - dt.timedelta(days=rng.randint(5, 40))
            text = f"{m.title}：已完成前期调研和方案起草，正在征求相关部门意见。"
        else:
            continue
        username = DEMO_OFFICERS.get(department.code)
        r = ProgressReport(
            task=m.task,
            milestone=m,
            department=department,
            author=users.get(username) if username else None,
            period_end=period,
            text=text,
            percent=percent,
            problems="" if m.status == MilestoneStatus.DONE else "部分县市区资金配套尚未到位。",
            next_steps="" if m.status == MilestoneStatus.DONE else "加强督导调度，按月报送进展。",
        )
        r.created_at = r.updated_at = _at(period + dt.timedelta(days=1) if period < as_of else period)
        reports.append(r)
    # responsible departments report too: 市财政局 and 市人社局 on a few tasks they do not lead
    extra = {
        "CZ-CZJ": (1, 7, 11),
        "CZ-RSJ": (1, 8, 11),
        "CZ-JYJ": (8, 9, 10),
    }
    by_code = {d.code: d for d in Department.objects.filter(code__in=list(extra))}
    for code, numbers in extra.items():
        department = by_code.get(code)
        if department is None:
            continue
        username = DEMO_OFFICERS.get(code)
        for number in numbers:
            task = tasks.get(number)
            if task is None:
                continue
            period = as_of - dt.timedelta(days=rng.randint(10, 60))
            r = ProgressReport(
                task=task,
                department=department,
                author=users.get(username) if username else None,
                period_end=period,
                text=f"{department.short_name}配合推进任务{number}：已完成本部门职责范围内的工作。",
                next_steps="继续配合牵头部门做好相关工作。",
            )
            r.created_at = r.updated_at = _at(period + dt.timedelta(days=1))
            reports.append(r)
    ctx.bulk_create(ProgressReport, reports, desc="进展报告", keep_timestamps=STAMPED)

    # --- a few attachments ---
    attachments = []
    with_files = [r for r in reports if r.milestone_id and r.milestone.status == MilestoneStatus.DONE][:3]
    with_files += [r for r in reports if r.milestone_id is None][:1]
    for i, r in enumerate(with_files, start=1):
        name = f"governance/demo/{ctx.seed}-{i:03d}.pdf"
        data = _pdf("XiaoQiTong demo progress report")
        if default_storage.exists(name):
            default_storage.delete(name)
        a = ProgressAttachment(
            report=r,
            title=f"任务{r.task.number}进展材料",
            file_size=len(data),
            uploaded_by=r.author,
        )
        a.file.name = default_storage.save(name, ContentFile(data))
        a.created_at = a.updated_at = r.created_at
        attachments.append(a)
    ctx.bulk_create(ProgressAttachment, attachments, desc="进展附件", keep_timestamps=STAMPED)
