"""CRM deals routes (namespace crm): deals, the board, the forecast, pipelines and lost reasons."""

from django.urls import path

from mizan.crm.views import deals, pipelines

urlpatterns: list = [
    path("deals/", deals.deal_list, name="deal_list"),
    path("deals/new/", deals.deal_create_view, name="deal_create"),
    path("deals/board/", deals.deal_board, name="deal_board"),
    path("deals/board/column/", deals.deal_board_column, name="deal_board_column"),
    path("deals/forecast/", deals.forecast, name="forecast"),
    path("deals/views/", deals.saved_view_create_view, name="deal_saved_view_create"),
    path("deals/views/<int:pk>/delete/", deals.saved_view_delete_view, name="deal_saved_view_delete"),
    path("deals/<int:pk>/", deals.deal_detail_view, name="deal_detail"),
    path("deals/<int:pk>/edit/", deals.deal_edit_view, name="deal_edit"),
    path("deals/<int:pk>/move/", deals.deal_move_view, name="deal_move"),
    path("deals/<int:pk>/won/", deals.deal_won_view, name="deal_won"),
    path("deals/<int:pk>/lost/", deals.deal_lost_view, name="deal_lost"),
    path("deals/<int:pk>/reopen/", deals.deal_reopen_view, name="deal_reopen"),
    path("settings/pipelines/", pipelines.pipeline_list, name="pipeline_list"),
    path("settings/pipelines/new/", pipelines.pipeline_create_view, name="pipeline_create"),
    path("settings/pipelines/<int:pk>/", pipelines.pipeline_edit, name="pipeline_edit"),
    path("settings/pipelines/<int:pk>/delete/", pipelines.pipeline_delete_view, name="pipeline_delete"),
    path("settings/pipelines/<int:pk>/stages/", pipelines.stage_create_view, name="stage_create"),
    path("settings/pipelines/<int:pk>/stages/order/", pipelines.stage_reorder_view, name="stage_reorder"),
    path("settings/stages/<int:pk>/", pipelines.stage_edit, name="stage_edit"),
    path("settings/stages/<int:pk>/delete/", pipelines.stage_delete_view, name="stage_delete"),
    path("settings/lost-reasons/", pipelines.lost_reason_create_view, name="lost_reason_create"),
    path("settings/lost-reasons/<int:pk>/", pipelines.lost_reason_edit, name="lost_reason_edit"),
]
