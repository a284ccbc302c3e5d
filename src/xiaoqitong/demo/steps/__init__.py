"""The generator's steps, in the order they run.

To extend the demo (students, positions, applications …), write ``steps/<area>.py`` with functions
``step(ctx: Context) -> None`` that insert through ``ctx.bulk_create`` and append them here with the models
they create (parents first): ``--reset`` deletes in the reverse order of this list. Each step gets its own
random stream (seed + step name), so a new step leaves everything the earlier steps make unchanged.
"""

from xiaoqitong.certification.models import Application as CertificationApplication
from xiaoqitong.certification.models import (
    Certification,
    Claim,
    Document,
    Incentive,
    Opinion,
    Plaque,
    Review,
    Setup,
)
from xiaoqitong.cooperation.models import (
    Agreement,
    AgreementMember,
    BaseBooking,
    CheckIn,
    InternshipLog,
    InternshipPlan,
    InternshipSubsidy,
    LeaveRequest,
    Placement,
    PracticeBase,
    SubsidyClaim,
    SubsidyClaimLine,
    SubsidyRate,
)
from xiaoqitong.enterprises.models import (
    Application,
    ApplicationEvent,
    GraduateOutcome,
    Position,
    PositionCertificate,
    PositionSkill,
)
from xiaoqitong.events.models import (
    Commitment,
    CommitmentUpdate,
    Event,
    Intention,
    Registration,
    Slot,
    SurveyResponse,
)
from xiaoqitong.governance.models import Allocation as GovAllocation
from xiaoqitong.governance.models import AllocationLine as GovAllocationLine
from xiaoqitong.governance.models import Assessment as GovAssessment
from xiaoqitong.governance.models import IndicatorScore as GovIndicatorScore
from xiaoqitong.governance.models import Milestone as GovMilestone
from xiaoqitong.governance.models import ProgressAttachment as GovProgressAttachment
from xiaoqitong.governance.models import ProgressReport as GovProgressReport
from xiaoqitong.governance.models import SchoolScore as GovSchoolScore
from xiaoqitong.matching.models import Invitation
from xiaoqitong.orgs.models import Enterprise, ResearchInstitution, School, SchoolEnrolment, User
from xiaoqitong.quality.models import (
    AssessmentPlan,
    CertificateAward,
    Competition,
    CompetitionAward,
    ExamCentre,
    ExamSession,
    Grade,
    GradeRevision,
    ResourceRating,
    ResourceUse,
    SkillTestResult,
    SpecialPostFunding,
    TeacherTrainingBase,
    TeachingResource,
    TechServiceIncome,
    TrainingParticipant,
    TrainingProgramme,
    TrainingSession,
)
from xiaoqitong.schools.models import SchoolMajor, Student, StudentSkill, Teacher, TeacherPractice

from ..context import Step
from . import (
    certification,
    cooperation,
    events,
    gov_assessment,
    gov_tasks,
    matching,
    orgs,
    quality,
    supply_demand,
)

STEPS: list[Step] = [
    Step("departments", orgs.load_departments, (), "政府部门"),
    Step("schools", orgs.make_schools, (School,), "学校"),
    Step("enrolment", orgs.make_enrolment, (SchoolEnrolment,), "在校生规模"),
    Step("institutions", orgs.make_institutions, (ResearchInstitution,), "科研机构"),
    Step("enterprises", orgs.make_enterprises, (Enterprise,), "企业"),
    Step("accounts", orgs.make_accounts, (User,), "演示账号"),
    Step(
        "school_majors",
        supply_demand.make_school_majors,
        (SchoolMajor, SchoolMajor.chains.through),
        "开设专业",
    ),
    Step("teachers", supply_demand.make_teachers, (Teacher, TeacherPractice), "教师"),
    Step(
        "students",
        supply_demand.make_students,
        (Student, StudentSkill, Student.preferred_chains.through, Student.preferred_counties.through),
        "学生",
    ),
    Step(
        "positions",
        supply_demand.make_positions,
        (
            Position,
            Position.majors.through,
            Position.major_classes.through,
            Position.major_categories.through,
            PositionSkill,
            PositionCertificate,
        ),
        "岗位",
    ),
    Step("outcomes", supply_demand.make_outcomes, (GraduateOutcome,), "毕业去向"),
    Step("applications", supply_demand.make_applications, (Application, ApplicationEvent), "求职申请"),
    Step("invitations", matching.make_invitations, (Invitation,), "投递邀请"),
    Step(
        "bases",
        cooperation.make_bases,
        (PracticeBase, PracticeBase.majors.through, BaseBooking),
        "实习实训基地",
    ),
    Step("agreements", cooperation.make_agreements, (Agreement, AgreementMember), "校企合作协议"),
    Step("subsidies", cooperation.make_subsidies, (SubsidyRate, SubsidyClaim, SubsidyClaimLine), "学徒补贴"),
    Step(
        "internships",
        cooperation.make_internships,
        (InternshipPlan, Placement, InternshipLog, CheckIn, LeaveRequest, InternshipSubsidy),
        "实习",
    ),
    Step(
        "assessment",
        quality.make_assessment,
        (
            AssessmentPlan,
            AssessmentPlan.teachers.through,
            AssessmentPlan.mentors.through,
            Grade,
            GradeRevision,
        ),
        "双导师考核",
    ),
    Step(
        "certificates",
        quality.make_certificates,
        (CertificateAward, ExamCentre, ExamCentre.certificates.through, ExamSession),
        "证书与考点",
    ),
    Step("competitions", quality.make_competitions, (Competition, CompetitionAward), "技能竞赛"),
    Step("skill_tests", quality.make_skill_tests, (SkillTestResult,), "技能抽测"),
    Step(
        "resources",
        quality.make_resources,
        (
            TeachingResource,
            TeachingResource.majors.through,
            TeachingResource.skills.through,
            ResourceRating,
            ResourceUse,
        ),
        "教学资源",
    ),
    Step(
        "training",
        quality.make_training,
        (TrainingProgramme, TrainingSession, TrainingParticipant),
        "社会培训",
    ),
    Step(
        "teacher_records",
        quality.make_teacher_records,
        (TeacherTrainingBase, SpecialPostFunding, TechServiceIncome),
        "师资建设",
    ),
    Step(
        "events",
        events.make_events,
        # its applications (signed job intentions) are deleted with the applications step's
        (
            Event,
            Registration,
            Registration.positions.through,
            Registration.majors.through,
            Slot,
            Intention,
            SurveyResponse,
            Commitment,
            CommitmentUpdate,
        ),
        "产教活动",
    ),
    Step(
        "certification",
        certification.make_certification,
        # its base, internship plans, placements and mentor accounts are deleted with those of the bases,
        # internships and accounts steps; part-time teachers' employers go with the teachers
        (
            Setup,
            CertificationApplication,
            Opinion,
            Certification,
            Plaque,
            Review,
            Claim,
            Document,
            Incentive,
        ),
        "产教融合型企业认定",
    ),
    Step(
        "gov_assessment",
        gov_assessment.make_assessment,
        (GovAssessment, GovSchoolScore, GovIndicatorScore, GovAllocation, GovAllocationLine),
        "学校考核与奖补资金",
    ),
    Step(
        "gov_tasks",
        gov_tasks.make_tasks,
        (GovMilestone, GovMilestone.owners.through, GovProgressReport, GovProgressAttachment),
        "责任清单节点与进展",
    ),
]
