from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kincare.core.notifications import notification_list, notifications_mark_read


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("families:home")
    return render(request, "core/home.html")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's inbox; POST marks one (``id``) or all notifications read."""
    if request.method == "POST":
        raw = request.POST.get("id", "")
        ids = [int(raw)] if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
        if raw and ids is None:
            return redirect("notifications")
        notifications_mark_read(user=request.user, ids=ids)
        return redirect("notifications")
    items = list(notification_list(user=request.user)[:100])
    return render(
        request,
        "core/notifications.html",
        {"notifications": items, "unread": sum(1 for n in items if n.read_at is None)},
    )


def posted_pk(value: object) -> int:
    """A row id from a form field: a positive ASCII integer, else 404 (never a 500 on junk)."""
    text = value if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 18 or int(text) <= 0:
        raise Http404
    return int(text)
