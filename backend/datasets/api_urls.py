from django.urls import path

from datasets import api

urlpatterns = [
    path("datasets/", api.DatasetListView.as_view(), name="dataset-list"),
    path("datasets/<int:pk>/", api.DatasetDetailView.as_view(), name="dataset-detail"),
    path("datasets/<int:pk>/versions/", api.DatasetVersionsView.as_view(), name="dataset-versions"),
    path("datasets/<int:pk>/versions/<int:number>/", api.DatasetVersionDetailView.as_view(), name="dataset-version-detail"),
    path("datasets/<int:pk>/versions/<int:number>/download/", api.DatasetVersionDownloadView.as_view(), name="dataset-version-download"),
    path("datasets/<int:pk>/lineage/", api.DatasetLineageView.as_view(), name="dataset-lineage"),
]
