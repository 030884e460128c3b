"""CRM timeline routes (namespace crm): the panel's htmx endpoints, follow-ups and My day.

`target_type` is company, contact, deal or lead (anything else is a 404).
"""

from django.urls import path

from mizan.crm.views import timeline

urlpatterns = [
    path("my-day/", timeline.my_day_view, name="my_day"),
    path("timeline/<str:target_type>/<int:pk>/", timeline.timeline_entries, name="timeline_entries"),
    path("timeline/<str:target_type>/<int:pk>/activities/", timeline.activity_create, name="activity_create"),
    path("timeline/<str:target_type>/<int:pk>/follow-ups/", timeline.follow_up_create_view, name="follow_up_create"),
    path("follow-ups/<int:pk>/done/", timeline.follow_up_complete_view, name="follow_up_complete"),
    path("follow-ups/<int:pk>/reopen/", timeline.follow_up_reopen_view, name="follow_up_reopen"),
]
