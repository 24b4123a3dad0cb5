"""``kincare demo`` — idempotent demo data: one staff user per role and demo families."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = "Create (or refresh) the demo staff and families. Safe to run any number of times."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--families",
            type=int,
            default=0,
            help="also generate N synthetic families (census-like demographics) for the batch and benchmarks",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["families"] < 0:
            raise CommandError("--families must be 0 or more")
        from kincare.accounts.demo import demo_staff_ensure
        from kincare.accounts.services import staff_roles_ensure
        from kincare.catalog.demo import demo_catalog_ensure
        from kincare.crowdfunding.demo import demo_campaigns_ensure
        from kincare.families.demo import demo_families_ensure
        from kincare.policies.demo import demo_policies_ensure
        from kincare.underwriting.demo import demo_underwriting_ensure

        with transaction.atomic():
            staff_roles_ensure()
            staff = demo_staff_ensure()
            families = demo_families_ensure()
            catalog = demo_catalog_ensure()
            rules = demo_underwriting_ensure()
            policies = demo_policies_ensure()
            campaigns = demo_campaigns_ensure()
        self.stdout.write(
            "kincare 演示数据已就绪 (demo data ready). 登录 / log in at http://127.0.0.1:8000/accounts/login/"
        )
        self.stdout.write("运营人员 (staff, console at /admin/):")
        for role, phone, password in staff:
            self.stdout.write(f"  {role:<18} 手机 {phone}  密码 {password}")
        self.stdout.write(f"保险产品 (catalog): {catalog}  → http://127.0.0.1:8000/catalog/")
        self.stdout.write(f"核保规则 (underwriting): {rules}  → http://127.0.0.1:8000/admin/underwriting/")
        self.stdout.write("家庭 (families):")
        for line in families:
            self.stdout.write(f"  {line}")
        self.stdout.write("保单 (policies, http://127.0.0.1:8000/policies/):")
        for line in policies:
            self.stdout.write(f"  {line}")
        self.stdout.write("保障规划 (family protection plan): http://127.0.0.1:8000/family/plan/")
        self.stdout.write("大病筹款 (crowdfunding, http://127.0.0.1:8000/c/):")
        for line in campaigns:
            self.stdout.write(f"  {line}")
        if options["families"]:
            from kincare.planning.synthetic import synthetic_families_create

            made = synthetic_families_create(options["families"])
            self.stdout.write(f"合成家庭 (synthetic families): {made} 个已生成；`kincare replan-all` 为它们规划保障")
