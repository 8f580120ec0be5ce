from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = "工会组织"

    def ready(self) -> None:
        # Cache invalidation, not business flow: any saved or deleted org or employer makes
        # this process recount the cached subtree figures (orgs.selectors._cached_figure).
        from django.db.models.signals import post_delete, post_save

        # models and selectors: only once the app registry is ready
        from gonghui.orgs.models import Employer, Org
        from gonghui.orgs.selectors import figures_changed  # after the registry, as above

        def changed(**_kwargs: object) -> None:
            figures_changed()

        for model in (Org, Employer):
            post_save.connect(changed, sender=model, weak=False,
                              dispatch_uid=f"orgs.figures.{model.__name__}.save")
            post_delete.connect(changed, sender=model, weak=False,
                                dispatch_uid=f"orgs.figures.{model.__name__}.delete")
