"""Forms of the resource library: a resource (the generic add/edit pages, with its file upload), the rating
form and the reason of an officer's unpublishing on a resource's page."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core import uploads
from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.reference.forms import major_codes_field, skill_names_field

from ..models import TeachingResource
from ..services.resources import allowed_text


class HttpsURLField(forms.URLField):
    """A link typed without a scheme is read as https:// (the model's field is Django's plain URLField)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class TeachingResourceForm(BaseModelForm):
    major_codes = major_codes_field(
        label=gettext_lazy("适用专业（代码）"),
        help_text=gettext_lazy("专业目录代码，多个用顿号或分号分隔，如 660103、660301；发布前至少填写一个"),
    )
    skill_names = skill_names_field(
        label=gettext_lazy("相关技能"),
        help_text=gettext_lazy("技能目录中的名称，多个用顿号分隔，如 PLC编程、机械制图"),
    )

    class Meta:
        model = TeachingResource
        fields = ["title", "kind", "summary", "file", "link"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"link": HttpsURLField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "可上传 %(types)s；文档和图片不超过 %(doc)s，MP4 视频不超过 %(video)s。"
            "不接受可执行程序和含宏的 Office 文件。"
        ) % {
            "types": allowed_text(),
            "doc": uploads.size_text(uploads.max_bytes(uploads.ATTACHMENT, ".pdf")),
            "video": uploads.size_text(uploads.max_bytes(uploads.ATTACHMENT, ".mp4")),
        }
        self.fields["file"].widget.attrs["accept"] = uploads.accept(uploads.ATTACHMENT)

    def _post_clean(self):
        # The file is checked and stored by the service (resource_create/update), not by the model form.
        pass


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=gettext_lazy("评分"),
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("评语"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("撤回原因"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
