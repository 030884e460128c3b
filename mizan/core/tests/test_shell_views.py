import re

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from conftest import client_for
from mizan.core.formatting import Formatter, active_formatter
from mizan.core.models import Membership, User
from mizan.core.roles import Role
from mizan.core.services.notifications import notification_create
from mizan.core.tests.factories import make_organization, make_user
from mizan.core.views.errors import server_error


def _html(response) -> str:
    return response.content.decode()


def test_shell_shows_admin_links_only_with_their_capabilities(tenant):
    owner_page = _html(client_for(tenant.owner).get(reverse("core:home")))
    for name in ("organization_settings", "audit_log", "system_status", "api_token_list", "member_list"):
        assert f'href="{reverse(f"core:{name}")}"' in owner_page
    assert 'href="/api/docs/"' in owner_page

    employee_page = _html(client_for(tenant.user(Role.EMPLOYEE)).get(reverse("core:home")))
    assert f'href="{reverse("core:member_list")}"' in employee_page
    for name in ("organization_settings", "audit_log", "system_status"):
        assert f'href="{reverse(f"core:{name}")}"' not in employee_page

    accountant_page = _html(client_for(tenant.user(Role.ACCOUNTANT)).get(reverse("core:home")))
    assert f'href="{reverse("core:audit_log")}"' in accountant_page
    assert f'href="{reverse("core:organization_settings")}"' not in accountant_page


def test_active_nav_item_has_aria_current(tenant):
    page = _html(client_for(tenant.owner).get(reverse("core:home")))
    assert re.search(r'class="nav-link active" aria-current="page" href="/"', page)
    assert page.count('aria-current="page"') == 1


def test_top_bar_has_switcher_search_bell_language_and_user_menu(tenant, other_tenant):
    user = tenant.user(Role.SALES)
    second = make_organization(user, country="AE", name_en="Second Org", name_ar="الثانية")
    page = _html(client_for(user).get(reverse("core:home")))
    assert f'action="{reverse("core:organization_switch")}"' in page
    assert f'name="organization_id" value="{tenant.org.pk}"' in page
    assert f'name="organization_id" value="{second.pk}"' in page
    assert f'name="organization_id" value="{other_tenant.org.pk}"' not in page
    assert f'href="{reverse("core:organization_create")}"' in page
    assert f'hx-get="{reverse("core:search")}"' in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert f'href="{reverse("core:notification_list")}"' in page
    assert f'action="{reverse("core:language_switch")}"' in page
    assert 'value="ar" class="btn btn-sm btn-link" lang="ar" dir="rtl"' in page and "العربية" in page
    assert f'href="{reverse("core:profile")}"' in page
    assert f'<form method="post" action="{reverse("core:sign_out")}">' in page


def test_unread_count_badge(tenant):
    owner = tenant.owner
    client = client_for(owner)
    assert "shell-badge" not in _html(client.get(reverse("core:home")))
    for index in range(3):
        notification_create(org=tenant.org, user=owner, message=f"Message {index}")
    assert '3<span class="visually-hidden"> unread notifications</span>' in _html(client.get(reverse("core:home")))


def test_arabic_user_sees_arabic_language_button_and_rtl(tenant):
    tenant.owner.language = "ar"
    tenant.owner.save()
    page = _html(client_for(tenant.owner).get(reverse("core:home")))
    assert '<html lang="ar" dir="rtl">' in page
    assert "bootstrap.rtl.min.css" in page
    assert 'value="en" class="btn btn-sm btn-link" lang="en"' in page and ">English</span>" in page


def test_formatter_does_not_leak_past_the_request(tenant):
    tenant.org.use_arabic_indic_digits = True
    tenant.org.save()
    client_for(tenant.owner).get(reverse("core:home"))
    assert active_formatter() == Formatter()


# --- Language switch ------------------------------------------------------------------------


def test_language_switch_saves_user_language_and_cookie(tenant):
    user = tenant.owner
    assert user.language == "en"
    client = client_for(user)
    response = client.post(reverse("core:language_switch"), {"language": "ar", "next": "/members/"})
    assert response.status_code == 302
    assert response["Location"] == "/members/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    user.refresh_from_db()
    assert user.language == "ar"
    assert '<html lang="ar" dir="rtl">' in _html(client.get(reverse("core:home")))


def test_language_switch_for_anonymous_sets_only_the_cookie(db):
    client = Client()
    response = client.post(reverse("core:language_switch"), {"language": "en", "next": "/sign-in/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("core:sign_in"))
    assert page["Content-Language"] == "en"
    assert '<html lang="en" dir="ltr">' in _html(page)


def test_language_switch_refuses_unsafe_next(tenant):
    client = client_for(tenant.owner)
    response = client.post(reverse("core:language_switch"), {"language": "ar", "next": "https://evil.example/x"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    response = client.post(reverse("core:language_switch"), {"language": "ar", "next": "//evil.example/"})
    assert response["Location"] == reverse("core:home")


def test_unknown_language_is_400_and_changes_nothing(tenant):
    user = tenant.owner
    client = client_for(user)
    response = client.post(reverse("core:language_switch"), {"language": "fr", "next": "/"})
    assert response.status_code == 400
    assert "This language is not available." in _html(response)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    user.refresh_from_db()
    assert user.language == "en"


def test_language_switch_is_post_only(tenant):
    response = client_for(tenant.owner).get(reverse("core:language_switch"), {"language": "ar"})
    assert response.status_code == 405
    assert User.objects.get(pk=tenant.owner.pk).language == "en"


def test_browser_language_is_used_without_user_or_cookie(db):
    page = Client(headers={"accept-language": "en-US,en;q=0.9"}).get(reverse("core:sign_in"))
    assert page["Content-Language"] == "en"
    page = Client().get(reverse("core:sign_in"))
    assert page["Content-Language"] == "ar"
    assert "Accept-Language" in page["Vary"] and "Cookie" in page["Vary"]


# --- Error pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "title"), [("en", "This page does not exist."), ("ar", 'lang="ar" dir="rtl"')])
def test_404_page_in_both_languages(tenant, language, title):
    tenant.owner.language = language
    tenant.owner.save()
    response = client_for(tenant.owner).get("/no-such-page/")
    assert response.status_code == 404
    assert title in _html(response)


def test_403_page(tenant):
    response = client_for(tenant.user(Role.EMPLOYEE)).get(reverse("core:organization_settings"))
    assert response.status_code == 403
    assert "You do not have permission to open this page." in _html(response)


def test_500_page_renders_without_database_or_request_context():
    # No `db` fixture: any query would raise. No session, user or org on the request either.
    request = RequestFactory().get("/")
    for language, direction in (("ar", "rtl"), ("en", "ltr")):
        with translation.override(language):
            response = server_error(request)
        assert response.status_code == 500
        assert f'<html lang="{language}" dir="{direction}">' in response.content.decode()


def test_another_organization_member_does_not_see_the_org_in_the_switcher(tenant, other_tenant):
    page = _html(client_for(other_tenant.owner).get(reverse("core:home")))
    assert tenant.org.name_en not in page
    assert not Membership.objects.filter(organization=tenant.org, user=other_tenant.owner).exists()


def test_signed_out_home_redirects_to_sign_in(db):
    response = Client().get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:sign_in"))


def test_member_without_organization_is_sent_to_create_one(db):
    user = make_user("lonely@example.com")
    response = client_for(user).get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:organization_create")


def test_home_query_count_does_not_grow_with_data(tenant, django_assert_num_queries):
    client = client_for(tenant.owner)
    for index in range(6):
        notification_create(org=tenant.org, user=tenant.owner, message=f"Message {index}")
    make_organization(tenant.owner, country="EG", name_en="Second")  # more audit entries, one more org
    # session, user, membership, role counts, notifications, invitations, audit, names of records the audit
    # entries link to (one query per related model), switcher, unread count
    with django_assert_num_queries(10):
        response = client.get(reverse("core:home"))
    assert response.status_code == 200
