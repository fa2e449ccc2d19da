from django.urls import path

from runs import api

urlpatterns = [
    path("pipelines/<int:pk>/runs/", api.PipelineRunsView.as_view(), name="pipeline-runs"),
    path("runs/", api.RunListView.as_view(), name="run-list"),
    path("runs/<int:pk>/", api.RunDetailView.as_view(), name="run-detail"),
    path("runs/<int:pk>/abort/", api.RunAbortView.as_view(), name="run-abort"),
    path("runs/<int:pk>/retry/", api.RunRetryView.as_view(), name="run-retry"),
    path("runs/<int:pk>/steps/<str:node>/logs/", api.StepLogsView.as_view(), name="step-logs"),
    path("artifacts/<int:pk>/", api.ArtifactDetailView.as_view(), name="artifact-detail"),
    path("artifacts/<int:pk>/preview/", api.ArtifactPreviewView.as_view(), name="artifact-preview"),
    path("artifacts/<int:pk>/download/", api.ArtifactDownloadView.as_view(), name="artifact-download"),
]
