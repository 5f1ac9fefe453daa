from django.urls import path

from dangjian.core.views.imports import import_urls
from dangjian.orgs import views
from dangjian.orgs.importers import OrganizationImport

app_name = "orgs"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="list"),
    path("tree/", views.tree, name="tree"),
    path("tree/<int:pk>/children/", views.tree_children, name="tree_children"),
    path("add/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/terms/add/", views.term_create, name="term_create"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("terms/<int:pk>/members/add/", views.committee_member_add, name="committee_member_add"),
    path(
        "committee-members/<int:pk>/end/", views.committee_member_end, name="committee_member_end"
    ),
]

# Import from Excel/CSV (core/views/imports.py): upload, template, result, marked error file.
urlpatterns += import_urls(OrganizationImport)
