"""Factories of the resource-library tests: resources (a school's published link resource tagged with a
major by default), ratings, uses, uploads of every kind the upload check knows (a real PDF head, zip-based
Office files with or without a macro part, an MP4 ``ftyp`` box, a Windows executable), and the temporary
MEDIA_ROOT every test of the area runs with (nothing is written into the repository)."""

import io
import zipfile

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from xiaoqitong.quality.choices import ResourceKind, ResourceUseKind
from xiaoqitong.quality.models import ResourceRating, ResourceUse, TeachingResource
from xiaoqitong.reference.models import Major, Skill

from ..orgs.factories import SchoolFactory, UserFactory

MAJOR = "660103"  # 数控技术应用
OTHER_MAJOR = "510201"  # 计算机应用技术
SKILL = "PLC编程"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary directory, removed with the test's tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def major(code: str = MAJOR) -> Major:
    return Major.objects.get(code=code)


def skill(name: str = SKILL) -> Skill:
    return Skill.objects.get(name=name)


class TeachingResourceFactory(DjangoModelFactory):
    class Meta:
        model = TeachingResource
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"数控车床编程实训课程{n}")
    kind = ResourceKind.COURSE
    summary = "面向中职数控专业的实训课程"
    owner_school = factory.SubFactory(SchoolFactory)
    author = factory.SubFactory(UserFactory, role="teacher", school=factory.SelfAttribute("..owner_school"))
    link = factory.Sequence(lambda n: f"https://res.example.invalid/course/{n}")
    published = True

    @factory.post_generation
    def majors(self, create, extracted, **kwargs):
        if create:
            self.majors.set(extracted if extracted is not None else [major()])

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class ResourceRatingFactory(DjangoModelFactory):
    class Meta:
        model = ResourceRating

    resource = factory.SubFactory(TeachingResourceFactory)
    user = factory.SubFactory(UserFactory, role="teacher", school=factory.SubFactory(SchoolFactory))
    school = factory.LazyAttribute(lambda o: o.user.school)
    stars = 4


class ResourceUseFactory(DjangoModelFactory):
    class Meta:
        model = ResourceUse

    resource = factory.SubFactory(TeachingResourceFactory)
    user = factory.SubFactory(UserFactory, role="teacher", school=factory.SubFactory(SchoolFactory))
    school = factory.LazyAttribute(lambda o: o.user.school)
    kind = ResourceUseKind.DOWNLOAD


# --- uploads --------------------------------------------------------------------------------------
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode"
)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def office_bytes(kind: str = "docx", macro: bool = False) -> bytes:
    """A minimal zip-based Office file; ``macro`` adds the VBA part and the macro-enabled content type."""
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}[kind]
    content_type = "application/vnd.ms-word.document.macroEnabled.main+xml" if macro else "application/xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types><Override PartName="/{main}" '
            f'ContentType="{content_type}"/></Types>',
        )
        archive.writestr(main, "<document/>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return buffer.getvalue()


def upload(name: str = "教案.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
