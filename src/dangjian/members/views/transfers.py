"""SCAFFOLD: to be written (see urls.py)."""

from django.http import HttpResponse
from django.views import View

class TransferListView(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)

def inbound(request, *args, **kwargs):
    return HttpResponse(status=501)

def detail(request, *args, **kwargs):
    return HttpResponse(status=501)

def receive(request, *args, **kwargs):
    return HttpResponse(status=501)

def return_letter(request, *args, **kwargs):
    return HttpResponse(status=501)
