# Each pattern matches a whole path, so `pipelines/<id>/runs/` stays free for the runs app.
from django.urls import path

from pipelines import api

urlpatterns = [
    path("pipelines/", api.PipelineListView.as_view(), name="pipeline-list"),
    path("pipelines/validate/", api.PipelineValidateView.as_view(), name="pipeline-validate"),
    path("pipelines/<int:pipeline_id>/", api.PipelineDetailView.as_view(), name="pipeline-detail"),
    path("pipelines/<int:pipeline_id>/versions/", api.PipelineVersionListView.as_view(), name="pipeline-version-list"),
    path(
        "pipelines/<int:pipeline_id>/versions/<int:number>/",
        api.PipelineVersionDetailView.as_view(),
        name="pipeline-version-detail",
    ),
]
