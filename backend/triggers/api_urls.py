from django.urls import path

from triggers import api

urlpatterns = [
    path("schedules/", api.ScheduleListView.as_view(), name="schedule-list"),
    path("schedules/preview/", api.SchedulePreviewView.as_view(), name="schedule-preview"),
    path("schedules/<int:pk>/", api.ScheduleDetailView.as_view(), name="schedule-detail"),
    path("schedules/<int:pk>/firings/", api.ScheduleFiringsView.as_view(), name="schedule-firings"),
    path("dataset-triggers/", api.DatasetTriggerListView.as_view(), name="dataset-trigger-list"),
    path("dataset-triggers/<int:pk>/", api.DatasetTriggerDetailView.as_view(), name="dataset-trigger-detail"),
    path("dataset-triggers/<int:pk>/firings/", api.DatasetTriggerFiringsView.as_view(), name="dataset-trigger-firings"),
    path("metric-triggers/", api.MetricTriggerListView.as_view(), name="metric-trigger-list"),
    path("metric-triggers/<int:pk>/", api.MetricTriggerDetailView.as_view(), name="metric-trigger-detail"),
    path("metric-triggers/<int:pk>/firings/", api.MetricTriggerFiringsView.as_view(), name="metric-trigger-firings"),
]
