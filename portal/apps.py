from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal and accounts"

    def ready(self) -> None:
        # Register the portal's tasks in every process, not only in workers (Celery discovers
        # them there): the web hands the account emails to `portal.account_email` by name, and
        # a signature resolves to the task only when it is registered here.
        from portal import tasks  # noqa: F401
