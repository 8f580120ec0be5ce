from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "gonghui.funds"
    label = "funds"
    verbose_name = "经费"

    def ready(self) -> None:
        # models and services import only once the app registry is ready
        from gonghui.core import hooks
        from gonghui.core.codes import register_codes
        from gonghui.funds.demo import seed_funds
        from gonghui.funds.services.ledger import org_occupancy
        from gonghui.funds.sources import SOURCES

        hooks.register("org.occupancy", org_occupancy)
        register_codes(dict(SOURCES))
        hooks.register("demo.seed", seed_funds)
