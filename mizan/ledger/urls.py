"""Ledger web routes (namespace ledger), mounted at /ledger/."""

from django.urls import path
from django.views.generic import RedirectView

from mizan.ledger.urls_parts import analytics, reports
from mizan.ledger.views import accounts, entries, periods, rates

app_name = "ledger"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="ledger:entry_list"), name="home"),
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/new/", accounts.account_create_view, name="account_create"),
    path("accounts/<int:pk>/edit/", accounts.account_edit, name="account_edit"),
    path("accounts/<int:pk>/active/", accounts.account_set_active_view, name="account_set_active"),
    path("accounts/<int:pk>/delete/", accounts.account_delete_view, name="account_delete"),
    path("journals/", accounts.journal_list_view, name="journal_list"),
    path("journals/new/", accounts.journal_create_view, name="journal_create"),
    path("journals/<int:pk>/edit/", accounts.journal_edit, name="journal_edit"),
    path("entries/", entries.entry_list, name="entry_list"),
    path("entries/new/", entries.entry_create, name="entry_create"),
    path("entries/<int:pk>/", entries.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/edit/", entries.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/post/", entries.entry_post, name="entry_post"),
    path("entries/<int:pk>/reverse/", entries.entry_reverse, name="entry_reverse"),
    path("entries/<int:pk>/delete/", entries.entry_delete, name="entry_delete"),
    path("periods/", periods.period_list, name="period_list"),
    path("periods/<int:pk>/close/", periods.period_close_view, name="period_close"),
    path("periods/<int:pk>/reopen/", periods.period_reopen_view, name="period_reopen"),
    path("fiscal-years/new/", periods.fiscal_year_create_view, name="fiscal_year_create"),
    path("fiscal-years/<int:pk>/close/", periods.fiscal_year_close_view, name="fiscal_year_close"),
    path("exchange-rates/", rates.exchange_rate_list_view, name="exchange_rate_list"),
    path("exchange-rates/import/", rates.exchange_rate_import_view, name="exchange_rate_import"),
    path("exchange-rates/<int:pk>/delete/", rates.exchange_rate_delete_view, name="exchange_rate_delete"),
    path("opening-balances/", rates.opening_balance_import, name="opening_balance_import"),
    *reports.urlpatterns,
    *analytics.urlpatterns,
]
