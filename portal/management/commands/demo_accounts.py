from django.core.management.base import BaseCommand

from portal.demo import ensure_demo_accounts


class Command(BaseCommand):
    help = "Create the verified demo developer and the demo reviewer (staff) when they are missing."

    def handle(self, *args, **options):
        for account in ensure_demo_accounts():
            role = "reviewer (staff)" if account.is_staff else "developer"
            self.stdout.write(f"  {role:18} {account.email} / {account.password}")
