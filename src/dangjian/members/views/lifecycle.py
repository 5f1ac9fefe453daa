"""SCAFFOLD: to be written (see urls.py)."""

from django.http import HttpResponse
from django.views import View

def transfer_issue(request, *args, **kwargs):
    return HttpResponse(status=501)

def floating_start(request, *args, **kwargs):
    return HttpResponse(status=501)

def floating_end(request, *args, **kwargs):
    return HttpResponse(status=501)

def contact_lost(request, *args, **kwargs):
    return HttpResponse(status=501)

def contact_restored(request, *args, **kwargs):
    return HttpResponse(status=501)

def suspend(request, *args, **kwargs):
    return HttpResponse(status=501)

def restore(request, *args, **kwargs):
    return HttpResponse(status=501)

def leave(request, *args, **kwargs):
    return HttpResponse(status=501)

def death(request, *args, **kwargs):
    return HttpResponse(status=501)

def cadre_edit(request, *args, **kwargs):
    return HttpResponse(status=501)

def cadre_end(request, *args, **kwargs):
    return HttpResponse(status=501)
