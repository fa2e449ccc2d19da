from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from studio import auth_api, spa
from studio.health import HealthView

api = [
    path("health/", HealthView.as_view(), name="health"),
    path("auth/token/", auth_api.TokenView.as_view(), name="auth-token"),
    path("auth/login/", auth_api.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", auth_api.LogoutView.as_view(), name="auth-logout"),
    path("auth/me/", auth_api.MeView.as_view(), name="auth-me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("catalog.api_urls")),
    path("", include("pipelines.api_urls")),
    path("", include("runs.api_urls")),
    path("", include("datasets.api_urls")),
    path("", include("triggers.api_urls")),
]

urlpatterns = [
    path("api/", include(api)),
    path("admin/", admin.site.urls),
    re_path(r"^(?!api/|admin/|static/).*$", spa.index, name="spa"),
]
