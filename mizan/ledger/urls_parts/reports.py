"""Financial report pages and the drill-down line list (namespace ledger)."""

from django.urls import path

from mizan.ledger.views import reports

urlpatterns = [
    path("reports/", reports.report_index, name="reports"),
    path("reports/trial-balance/", reports.trial_balance_report, name="report_trial_balance"),
    path("reports/general-ledger/", reports.general_ledger_report, name="report_general_ledger"),
    path("reports/profit-and-loss/", reports.profit_and_loss_report, name="report_profit_and_loss"),
    path("reports/balance-sheet/", reports.balance_sheet_report, name="report_balance_sheet"),
    path("reports/aging/<slug:kind>/", reports.aging_report, name="report_aging"),
    path("reports/profit-and-loss/by/<slug:dimension>/", reports.analytic_report, name="report_analytic"),
    path("lines/", reports.line_list_view, name="line_list"),
]
