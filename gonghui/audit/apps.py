from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gonghui.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from gonghui.audit import services  # models are ready only now
        from gonghui.core import hooks

        # accounts sits below audit in the layer order: it writes its audit rows through here.
        hooks.register("audit.record", services.audit_record)
