"""SCAFFOLD: to be written (see urls.py)."""

from django.http import HttpResponse
from django.views import View

class CorrectionListView(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)

def me(request, *args, **kwargs):
    return HttpResponse(status=501)

def correction_request(request, *args, **kwargs):
    return HttpResponse(status=501)

def correction_detail(request, *args, **kwargs):
    return HttpResponse(status=501)
