from django.apps import AppConfig

from gonghui.core import hooks


class AuditConfig(AppConfig):
    name = "gonghui.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        # services import the models, which exist only once the app registry is ready
        from gonghui.audit import services

        # accounts sits below audit in the layer order: it writes its audit rows through here.
        hooks.register("audit.record", services.audit_record)
