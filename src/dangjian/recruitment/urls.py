"""URLs of the recruitment pipeline (views in `views/` by topic)."""

from django.urls import path

from dangjian.core.views.imports import import_urls
from dangjian.recruitment.importers import CaseImport
from dangjian.recruitment.views import attachments, cases, documents, steps, worklist

app_name = "recruitment"
urlpatterns = [
    # Cases (views/cases.py) and the worklist (views/worklist.py)
    path("", cases.CaseListView.as_view(), name="list"),
    path("worklist/", worklist.worklist, name="worklist"),
    path("<int:pk>/", cases.detail, name="detail"),
    # Forms that change a case (views/steps.py)
    path("open/", steps.open_case, name="open"),
    path("<int:pk>/steps/<int:number>/", steps.record_step, name="record_step"),
    path("records/<int:record_pk>/review/", steps.review, name="review"),
    path("<int:pk>/cancel/", steps.cancel, name="cancel"),
    # Scans (views/attachments.py)
    path("<int:pk>/attachments/add/", attachments.upload, name="attachment_add"),
    path("attachments/<int:pk>/", attachments.download, name="attachment"),
    # Word forms and the dossier (views/documents.py)
    path("<int:pk>/documents/<str:kind>/", documents.document, name="document"),
    path("<int:pk>/dossier/", documents.dossier, name="dossier"),
]
urlpatterns += import_urls(CaseImport)
