"""SCAFFOLD: to be written (see urls.py)."""

from django.http import HttpResponse
from django.views import View

class PersonListView(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)

def create(request, *args, **kwargs):
    return HttpResponse(status=501)

def detail(request, *args, **kwargs):
    return HttpResponse(status=501)

def edit(request, *args, **kwargs):
    return HttpResponse(status=501)

def delete(request, *args, **kwargs):
    return HttpResponse(status=501)

def reveal(request, *args, **kwargs):
    return HttpResponse(status=501)

def photo(request, *args, **kwargs):
    return HttpResponse(status=501)
