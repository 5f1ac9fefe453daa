"""URL root: web pages, the REST API under /api/v1/, language switching."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import URLPattern, URLResolver, include, path

from dangjian.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("dangjian.core.urls")),
    path("accounts/", include("dangjian.accounts.urls")),
    path("audit/", include("dangjian.core.audit_urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("members/", include("dangjian.members.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    path("orglife/", include("dangjian.orglife.urls")),
    path("appraisals/", include("dangjian.appraisals.urls")),
    path("tasks/", include("dangjian.tasks.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
