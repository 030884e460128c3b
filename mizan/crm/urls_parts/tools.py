"""CRM tools routes (namespace crm): export, import, duplicates, web forms, lead scoring."""

from django.urls import path

from mizan.crm.views import duplicates, exports, imports, scoring, web_forms

urlpatterns: list = [
    path("export/<str:list_name>/", exports.export_list_view, name="export_list"),
    path("import/", imports.import_list_view, name="import_list"),
    path("import/<int:pk>/", imports.import_detail_view, name="import_detail"),
    path("import/<int:pk>/columns/", imports.import_map_view, name="import_map"),
    path("import/<int:pk>/preview/", imports.import_preview_view, name="import_preview"),
    path("duplicates/", duplicates.duplicate_list_view, name="duplicates"),
    path("duplicates/merge/", duplicates.duplicate_merge_view, name="duplicate_merge"),
    path("settings/web-forms/", web_forms.web_form_list_view, name="web_form_list"),
    path("settings/web-forms/new/", web_forms.web_form_create_view, name="web_form_create"),
    path("settings/web-forms/<int:pk>/", web_forms.web_form_detail_view, name="web_form_detail"),
    path("settings/scoring/", scoring.scoring_rule_list_view, name="scoring_rule_list"),
    path("settings/scoring/<int:pk>/", scoring.scoring_rule_edit_view, name="scoring_rule_edit"),
    path("settings/scoring/<int:pk>/delete/", scoring.scoring_rule_delete_view, name="scoring_rule_delete"),
    path("f/<str:key>/", web_forms.web_form_public_view, name="web_form_public"),
]
