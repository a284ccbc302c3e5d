import xiaoqitong.core.search
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
    ]

    operations = [
        xiaoqitong.core.search.AddSearchIndex("student", "schools_student_search"),
    ]
