"""Appraisals and secret ballots (民主评议、述职评议、测评、民主推荐; domain.md §5)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalsConfig(AppConfig):
    name = "dangjian.appraisals"
    label = "appraisals"
    verbose_name = _("评议测评")

    def ready(self) -> None:
        from dangjian.appraisals import figures, rules  # noqa: F401
