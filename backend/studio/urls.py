from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from studio import auth_api, spa
from studio.docs import DocsView, SchemaView
from studio.fallback import FALLBACK_URL_NAME, ApiNotFoundView
from studio.health import HealthView

api = [
    path("health/", HealthView.as_view(), name="health"),
    path("auth/token/", auth_api.TokenView.as_view(), name="auth-token"),
    path("auth/login/", auth_api.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", auth_api.LogoutView.as_view(), name="auth-logout"),
    path("auth/me/", auth_api.MeView.as_view(), name="auth-me"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="schema"), name="docs"),
    path("", include("catalog.api_urls")),
    path("", include("pipelines.api_urls")),
    path("", include("runs.api_urls")),
    path("", include("datasets.api_urls")),
    path("", include("triggers.api_urls")),
    # Last: whatever no endpoint above matched is a JSON 404 (studio/fallback.py).
    re_path(r"^.*$", ApiNotFoundView.as_view(), name=FALLBACK_URL_NAME),
]

# The server-rendered sign-in page (Django's, in the admin's look) for the pages Django
# itself serves, /api/docs/ first: it takes ?next= and, unlike the admin's own login,
# lets in users who are not staff. The SPA signs in through /api/auth/login/.
login_view = auth_views.LoginView.as_view(
    template_name="admin/login.html",
    redirect_authenticated_user=True,
    extra_context={"site_header": "Pipeline Studio", "site_title": "Pipeline Studio", "title": "Sign in"},
)

urlpatterns = [
    path("api/", include(api)),
    path("admin/", admin.site.urls),
    path("accounts/login/", login_view, name="login"),
    re_path(r"^(?!api/|admin/|static/).*$", spa.index, name="spa"),
]
