from django.core.management.base import BaseCommand

from xiaoqitong.orgs.services import departments_load


class Command(BaseCommand):
    help = "载入政策列明的政府部门（可重复执行，按编号更新）。需先运行 load_reference。"

    def handle(self, *args, **options):
        counts = departments_load()
        self.stdout.write(
            f"政府部门：新增 {counts['created']}，更新 {counts['updated']}，未变 {counts['unchanged']}"
        )
