"""The generator's steps, in the order they run.

To extend the demo (students, positions, applications …), write ``steps/<area>.py`` with functions
``step(ctx: Context) -> None`` that insert through ``ctx.bulk_create`` and append them here with the models
they create (parents first): ``--reset`` deletes in the reverse order of this list. Each step gets its own
random stream (seed + step name), so a new step leaves everything the earlier steps make unchanged.
"""

from xiaoqitong.orgs.models import Enterprise, ResearchInstitution, School, SchoolEnrolment, User

from ..context import Step
from . import orgs

STEPS: list[Step] = [
    Step("departments", orgs.load_departments, (), "政府部门"),
    Step("schools", orgs.make_schools, (School,), "学校"),
    Step("enrolment", orgs.make_enrolment, (SchoolEnrolment,), "在校生规模"),
    Step("institutions", orgs.make_institutions, (ResearchInstitution,), "科研机构"),
    Step("enterprises", orgs.make_enterprises, (Enterprise,), "企业"),
    Step("accounts", orgs.make_accounts, (User,), "演示账号"),
]
