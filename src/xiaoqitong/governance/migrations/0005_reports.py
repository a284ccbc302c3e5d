"""Seeds and changes of the annual quality report (owner: reports)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("governance", "0004_assessment")]

    operations = []
