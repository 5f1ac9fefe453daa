"""Case pages: the list of cases in scope and a case's page with its 25 steps."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from dangjian.core.permissions import get_scoped
from dangjian.core.scope import VIEW
from dangjian.core.views.generic import ScopedListView
from dangjian.recruitment.models import Case
from dangjian.recruitment.steps import STEPS


class CaseListView(ScopedListView):
    model = Case
    template_name = "recruitment/case_list.html"
    page_title = _("发展党员")
    page_related = ("person", "organization")


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case: Any = get_scoped(request, Case, VIEW, pk=pk)
    return render(request, "recruitment/case_detail.html", {"case": case, "steps": STEPS})
