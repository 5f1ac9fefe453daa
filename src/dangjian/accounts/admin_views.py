from django.http import HttpResponse


def users(request):  # placeholder, replaced by the user-management module
    return HttpResponse("")
