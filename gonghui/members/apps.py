from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "gonghui.members"
    label = "members"
    verbose_name = "会员"

    def ready(self) -> None:
        # the app registry is ready only now: modules that import models load here
        from gonghui.core import hooks
        from gonghui.members.demo import seed_members
        from gonghui.members.services import org_hooks

        hooks.register("org.occupancy", org_hooks.org_occupancy)
        hooks.register("org.merge", org_hooks.org_merge)
        hooks.register("org.path_changed", org_hooks.org_path_changed)
        hooks.register("demo.seed", seed_members)
