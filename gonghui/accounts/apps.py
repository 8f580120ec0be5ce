from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    label = "accounts"
    verbose_name = "账户与角色"

    def ready(self) -> None:
        # signals and receivers: connected once the app registry is ready
        from django.contrib.auth.signals import user_logged_in

        from gonghui.accounts.middleware import mark_signed_in  # after the app registry

        user_logged_in.connect(mark_signed_in, dispatch_uid="accounts.mark_signed_in")
