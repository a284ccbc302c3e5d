"""Test settings: the real settings, with tasks run eagerly and files kept in a throwaway folder."""

import os
import tempfile

os.environ.setdefault("XQT_VAR_DIR", tempfile.mkdtemp(prefix="xqt-test-"))
os.environ.setdefault("XQT_SECRET_KEY", "test-secret-key-not-for-production")

from xiaoqitong.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed: tests create many users
LANGUAGE_CODE = "zh-hans"
# Token requests are throttled per address; the suite makes many from one.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "100000/min"}}  # noqa: F405
