from django.db import connection
from django.db.utils import Error
from django.http import JsonResponse


def healthz(request):
    """Liveness with a database round trip: 200 when the database answers, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error:  # OperationalError when unreachable, InterfaceError when the connection broke
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
    return JsonResponse({"status": "ok", "database": "ok"})
