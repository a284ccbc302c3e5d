"""Seeds and changes of the responsibility list: the annex's 15 tasks and their parties (owner: tasks).

The tasks are written exactly as the annex of 郴政发〔2021〕9号 writes them (``data/tasks.csv``); their
parties are resolved from the departments and schools that exist now, and the rest on a later read
(``services.tasks.ensure_parties``): departments are loaded after the migrations."""

from django.db import migrations


def seed(apps, schema_editor):
    """Idempotent: tests call it again after a flush."""
    from xiaoqitong.governance.services.tasks import tasks_seed

    tasks_seed(apps)


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_seed_targets")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
