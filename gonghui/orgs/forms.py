from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Org


class OrgForm(forms.ModelForm):
    class Meta:
        model = Org
        fields = [
            "code", "name", "short_name", "level", "org_type", "uscc", "industry", "region",
            "address", "founded_on", "employees_count", "contact_name", "contact_phone",
        ]  # fmt: skip
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"code": _("留空则自动生成。")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        if self.instance.pk:
            self.fields["code"].disabled = True
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def _post_clean(self) -> None:
        # Model validation runs in the service (one path for pages, API and CLI).
        pass


class OrgPickForm(forms.Form):
    target = forms.CharField(label=_("目标组织"), max_length=200)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
