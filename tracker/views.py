"""Public, read-only pages. Placeholder front until the public site lands."""

from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from tracker.models import Actor, Forum, Recommendation, Theme


def healthz(request):
    """Liveness with a database round trip: 200 when the database answers, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request):
    return render(request, "tracker/home.html", {"forums": Forum.objects.with_process()})


def forum_detail(request, slug):
    return render(request, "tracker/home.html", {"forums": [get_object_or_404(Forum, slug=slug)]})


def recommendation_detail(request, code):
    return render(request, "tracker/home.html", {"recommendation": get_object_or_404(Recommendation, code=code)})


def actor_detail(request, slug):
    return render(request, "tracker/home.html", {"actor": get_object_or_404(Actor, slug=slug)})


def theme_detail(request, slug):
    return render(request, "tracker/home.html", {"theme": get_object_or_404(Theme, slug=slug)})
