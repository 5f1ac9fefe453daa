"""SCAFFOLD: to be written (see urls.py)."""

from django.http import HttpResponse
from django.views import View

class CadreListView(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)
