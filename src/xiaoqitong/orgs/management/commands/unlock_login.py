"""Lift a login lockout: ``xiaoqitong unlock_login <username>`` or ``--ip <address>``."""

from django.core.management.base import BaseCommand, CommandError

from xiaoqitong.orgs import lockout


class Command(BaseCommand):
    help = "解除登录锁定：按用户名（该账号在所有地址的失败记录）或按客户端地址。写入审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="", help="要解锁的用户名")
        parser.add_argument("--ip", default="", help="要解锁的客户端地址")

    def handle(self, *args, username: str, ip: str, **options):
        if not username and not ip:
            raise CommandError("请指定要解锁的用户名或 --ip 客户端地址。")
        removed = lockout.login_unlock(actor=None, username=username, ip_address=ip)
        self.stdout.write(f"已解除锁定：{username or ip}（清除 {removed} 条失败记录）。")
