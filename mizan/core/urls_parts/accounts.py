"""Routes of the accounts area (included by mizan.core.urls, namespace core)."""

from django.urls import path

from mizan.core.views import accounts, two_factor

urlpatterns = [
    path("sign-in/", accounts.sign_in, name="sign_in"),
    path("sign-in/code/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("sign-out/", accounts.sign_out, name="sign_out"),
    path("sign-up/", accounts.sign_up, name="sign_up"),
    path("password/reset/", accounts.password_reset, name="password_reset"),
    path("password/reset/sent/", accounts.password_reset_sent, name="password_reset_sent"),
    path(
        "password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
    path("account/", accounts.profile, name="profile"),
    path("account/two-factor/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/disable/", two_factor.two_factor_disable_view, name="two_factor_disable"),
    path("account/two-factor/recovery-codes/", two_factor.recovery_codes, name="recovery_codes"),
]
