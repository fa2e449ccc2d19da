from django.urls import path

from catalog import api

urlpatterns = [
    path("components/", api.ComponentListView.as_view(), name="component-list"),
    # Before <int:pk>/ only for readability: "import" never matches an int anyway.
    path("components/import/", api.ComponentImportView.as_view(), name="component-import"),
    path("components/<int:pk>/", api.ComponentDetailView.as_view(), name="component-detail"),
    path("component-versions/<int:pk>/", api.ComponentVersionDetailView.as_view(), name="component-version-detail"),
]
