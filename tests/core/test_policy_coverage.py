"""DESIGN rule 3 for every model, now and later: no model of ours may exist without a policy."""

import pytest
from django.apps import apps

from xiaoqitong.core.policy import ALL, Policy, policy_for

from ..orgs.factories import UserFactory


def our_models():
    return [m for m in apps.get_models() if m.__module__.startswith("xiaoqitong.")]


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_every_model_has_a_policy(model):
    assert isinstance(policy_for(model), Policy)


@pytest.mark.django_db
def test_anonymous_and_inactive_users_get_nothing():
    from django.contrib.auth.models import AnonymousUser

    from xiaoqitong.orgs.models import School

    policy = policy_for(School)
    assert policy.rule(AnonymousUser(), "view") is None
    inactive = UserFactory(role="gov_officer", is_active=False)
    assert policy.rule(inactive, "view") is None
    assert policy.rule(UserFactory(is_superuser=True), "delete") == ALL
    with pytest.raises(ValueError):
        policy.rule(inactive, "fly")


@pytest.mark.django_db
def test_import_jobs_are_private_to_their_submitter(client):
    from django.core.files.base import ContentFile

    from xiaoqitong.core.models import ImportJob

    owner = UserFactory(is_superuser=False, role="researcher")
    job = ImportJob(created_by=owner, target="orgs.School", original_name="a.csv")
    job.file.save("a.csv", ContentFile(b"x"), save=True)
    client.force_login(UserFactory(role="researcher"))
    assert client.get(f"/core/imports/{job.pk}/").status_code == 404
    client.force_login(owner)
    assert client.get(f"/core/imports/{job.pk}/").status_code == 200
