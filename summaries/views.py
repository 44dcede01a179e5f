from django.http import HttpResponse


def home(request):
    return HttpResponse("")


def healthz(request):
    return HttpResponse("")


def summary_list(request):
    return HttpResponse("")


def summary_detail(request, slug):
    return HttpResponse("")


def scale_detail(request, dimension):
    return HttpResponse("")
