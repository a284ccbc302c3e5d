"""Password rules (settings.AUTH_PASSWORD_VALIDATORS): a weak new password is refused on the change-password
page, in Chinese, and nothing changes; a strong one passes."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from xiaoqitong.core.models import AuditLog

from .factories import UserFactory

pytestmark = pytest.mark.django_db

OLD = "a-Long-pass-2026"


@pytest.mark.parametrize(
    ("weak", "message"),
    [
        ("Ab3-xyz", "密码太短，至少需要 10 个字符。"),
        ("1234567890", "密码只包含数字。"),
        ("password123", "这个密码太常见了。"),
        ("qwertyuiop", "这个密码太常见了。"),
        ("wangxiaoming1", "密码跟 用户名 太相似了。"),
    ],
)
def test_a_weak_password_is_refused_on_the_page_in_chinese(client, weak, message):
    user = UserFactory(username="wangxiaoming")
    client.force_login(user)
    response = client.post(
        "/accounts/password/", {"old_password": OLD, "new_password1": weak, "new_password2": weak}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD)
    assert not AuditLog.objects.filter(verb="user_password_change").exists()


def test_a_strong_password_passes_every_rule():
    validate_password("Zhou-xin-2026!", UserFactory(username="zhouxin"))


def test_the_rules_are_the_configured_ones(settings):
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    with pytest.raises(ValidationError) as error:
        validate_password("123456789")  # nine digits: short, common and numeric at once
    assert len(error.value.messages) == 3


def test_the_page_states_the_rules(client):
    client.force_login(UserFactory())
    page = client.get("/accounts/password/").content.decode()
    assert "至少 10 个字符，不能全是数字，不能太常见" in page
