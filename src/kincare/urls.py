from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from kincare.api import api, api_docs
from kincare.core import views as core_views

handler400 = "kincare.core.http_errors.bad_request"
handler403 = "kincare.core.http_errors.permission_denied"
handler404 = "kincare.core.http_errors.page_not_found"
handler500 = "kincare.core.http_errors.server_error"

admin.site.site_header = "kincare 运营后台"
admin.site.site_title = "kincare"
admin.site.index_title = "运营控制台"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("kincare.accounts.urls")),
    path("family/plan/", include("kincare.planning.urls")),
    path("family/", include("kincare.families.urls")),
    path("catalog/", include("kincare.catalog.urls")),
    path("policies/", include("kincare.policies.urls")),
    path("claims/", include("kincare.claims.urls")),
    path("c/", include("kincare.crowdfunding.urls")),
    path("pay/", include("kincare.core.payments.urls")),
    path("notifications/", core_views.notifications, name="notifications"),
    path("api/docs", api_docs, name="api_docs"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:  # pragma: no cover - media are served by the web server in production
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
