"""URLs of the member registry. Views live in `views/` by topic (people, lifecycle, transfers,
self-service and corrections, cadres); imports use the core import pages."""

from django.urls import path

from dangjian.core.views.imports import import_urls
from dangjian.members.importers import CadreImport, MemberImport, PositionImport
from dangjian.members.views import cadres, lifecycle, people, selfservice, transfers

app_name = "members"
urlpatterns = [
    # People (views/people.py)
    path("", people.PersonListView.as_view(), name="list"),
    path("add/", people.create, name="create"),
    path("<int:pk>/", people.detail, name="detail"),
    path("<int:pk>/edit/", people.edit, name="edit"),
    path("<int:pk>/delete/", people.delete, name="delete"),
    path("<int:pk>/reveal/<str:field>/", people.reveal, name="reveal"),
    path("<int:pk>/photo/", people.photo, name="photo"),
    # Lifecycle (views/lifecycle.py): each a form that calls one action
    path("<int:pk>/transfer/", lifecycle.transfer_issue, name="transfer_issue"),
    path("<int:pk>/floating/start/", lifecycle.floating_start, name="floating_start"),
    path("<int:pk>/floating/end/", lifecycle.floating_end, name="floating_end"),
    path("<int:pk>/contact/lost/", lifecycle.contact_lost, name="contact_lost"),
    path("<int:pk>/contact/restored/", lifecycle.contact_restored, name="contact_restored"),
    path("<int:pk>/suspend/", lifecycle.suspend, name="suspend"),
    path("<int:pk>/restore/", lifecycle.restore, name="restore"),
    path("<int:pk>/leave/", lifecycle.leave, name="leave"),
    path("<int:pk>/death/", lifecycle.death, name="death"),
    path("<int:pk>/cadre/", lifecycle.cadre_edit, name="cadre_edit"),
    path("<int:pk>/cadre/end/", lifecycle.cadre_end, name="cadre_end"),
    # Transfers (views/transfers.py)
    path("transfers/", transfers.TransferListView.as_view(), name="transfers"),
    path("transfers/inbound/", transfers.inbound, name="transfer_inbound"),
    path("transfers/<int:pk>/", transfers.detail, name="transfer_detail"),
    path("transfers/<int:pk>/receive/", transfers.receive, name="transfer_receive"),
    path("transfers/<int:pk>/return/", transfers.return_letter, name="transfer_return"),
    # Self-service and corrections (views/selfservice.py)
    path("me/", selfservice.me, name="me"),
    path("me/correction/", selfservice.correction_request, name="correction_request"),
    path("corrections/", selfservice.CorrectionListView.as_view(), name="corrections"),
    path("corrections/<int:pk>/", selfservice.correction_detail, name="correction_detail"),
    # Cadres (views/cadres.py)
    path("cadres/", cadres.CadreListView.as_view(), name="cadres"),
]

# Import from Excel/CSV (core/views/imports.py): upload, template, result, marked error file.
urlpatterns += import_urls(MemberImport)
urlpatterns += import_urls(PositionImport)
urlpatterns += import_urls(CadreImport)
