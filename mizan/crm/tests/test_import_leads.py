"""Lead import: encodings, delimiters, mapping, preview errors, the background run and its re-run."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from conftest import client_for
from mizan.core.errors import DomainError
from mizan.core.models import TaskRun
from mizan.core.roles import Role
from mizan.crm.models import ImportJob, Lead, LeadSource
from mizan.crm.services import imports
from mizan.crm.services.imports import (
    decode_csv,
    import_job_create,
    import_job_process,
    import_job_set_mapping,
    import_job_start,
    import_preview,
    suggest_mapping,
)
from mizan.crm.tests.clients_helpers import api_client_for

pytestmark = pytest.mark.django_db

ARABIC_CSV = (
    "الاسم,الشركة,البريد الإلكتروني,الجوال,المصدر\n"
    "أحمد علي,شركة الأفق,ahmad@ufuq.sa,0501234567,معرض\n"
    "سارة محمد,,not-an-email,123,\n"
    ",,,,\n"
    ",شركة بلا اسم,info@nameless.sa,,مصدر مجهول\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, whatever the Arabic catalog says."""
    with translation.override("en"):
        yield


def upload(content: bytes, name: str = "leads.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _start(tenant, job, run, **kwargs):
    with run(execute=True):
        return import_job_start(org=tenant.org, actor_membership=tenant.members[Role.SALES], job=job, **kwargs)


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("أحمد,علي\n".encode("utf-8-sig"), "utf-8-sig"),
        ("أحمد,علي\n".encode(), "utf-8-sig"),
        ("أحمد,علي\n".encode("utf-16"), "utf-16"),
        ("أحمد,علي\n".encode("cp1256"), "cp1256"),
    ],
)
def test_encodings_excel_writes_are_detected(raw, encoding):
    assert decode_csv(raw) == ("أحمد,علي\n", encoding)


def test_binary_file_is_refused_with_a_clear_error(tenant):
    with pytest.raises(DomainError) as error:
        import_job_create(
            org=tenant.org, actor_membership=tenant.members[Role.SALES], upload=upload(b"\x89PNG\r\n\x1a\n\x00\x00\x01")
        )
    assert error.value.code == "undecodable_file"
    assert "CSV UTF-8" in error.value.message
    assert ImportJob.objects.count() == 0


def test_mapping_is_suggested_from_arabic_and_english_headers():
    headers = ["الاسم", "اسم الشركة", "E-mail", "رقم الجوال", "Lead Source", "ملاحظات", "Unrelated"]
    assert suggest_mapping(headers) == {
        "person_name": 0,
        "company_name": 1,
        "email": 2,
        "phone": 3,
        "source": 4,
        "message": 5,
    }


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1256"])
def test_arabic_csv_imports_in_the_background_with_row_errors(tenant, encoding, django_capture_on_commit_callbacks):
    sales = tenant.members[Role.SALES]
    job = import_job_create(org=tenant.org, actor_membership=sales, upload=upload(ARABIC_CSV.encode(encoding)))
    assert (job.encoding, job.delimiter, job.total, job.status) == (encoding, ",", 3, ImportJob.Status.UPLOADED)
    assert job.mapping == {"person_name": 0, "company_name": 1, "email": 2, "phone": 3, "source": 4}
    assert job.file.name.startswith(f"crm/imports/{tenant.org.pk}/")
    import_job_set_mapping(org=tenant.org, actor_membership=sales, job=job, mapping=job.mapping)
    preview = import_preview(org=tenant.org, job=job)
    assert [row.number for row in preview] == [2, 3, 5]
    assert preview[0].errors == []
    assert len(preview[1].errors) == 2  # bad e-mail and bad phone, both reported
    assert "not-an-email" in preview[1].errors[0]
    assert preview[2].errors == ["Unknown source “مصدر مجهول”."]
    _start(tenant, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.processed, job.created, job.failed) == (ImportJob.Status.DONE, 3, 1, 2)
    assert [error["row"] for error in job.errors] == [3, 5]
    lead = Lead.objects.get(organization=tenant.org)
    assert (lead.person_name, lead.company_name, lead.email, lead.phone) == (
        "أحمد علي",
        "شركة الأفق",
        "ahmad@ufuq.sa",
        "+966501234567",
    )
    assert lead.source.name_en == "Exhibition"
    assert lead.owner == sales.user
    assert lead.score > 0 and lead.score_reasons  # scored with the organization's rules
    assert TaskRun.objects.get(key=f"crm.import:{job.pk}").status == TaskRun.Status.SUCCEEDED


def test_semicolon_csv_and_default_source(tenant, django_capture_on_commit_callbacks):
    sales = tenant.members[Role.SALES]
    content = (
        "Name;Email;Value;Currency;Country\nOmar;omar@acme.eg;15,000.50;EGP;مصر\nMona;mona@acme.sa;abc;XXX;Narnia\n"
    )
    job = import_job_create(org=tenant.org, actor_membership=sales, upload=upload(content.encode()))
    assert job.delimiter == ";"
    referral = LeadSource.objects.get(organization=tenant.org, name_en="Referral")
    import_job_set_mapping(
        org=tenant.org,
        actor_membership=sales,
        job=job,
        mapping={"person_name": 0, "email": 1, "estimated_value": 2, "currency": 3, "country": 4},
        default_source=referral,
    )
    _start(tenant, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.created, job.failed) == (1, 1)
    assert len(job.errors[0]["messages"]) == 3
    lead = Lead.objects.get(organization=tenant.org)
    assert (str(lead.estimated_value), lead.currency, lead.country, lead.source) == ("15000.500", "EGP", "EG", referral)


def test_xlsx_import(tenant, django_capture_on_commit_callbacks):
    sales = tenant.members[Role.SALES]
    content = xlsx_bytes(
        [["Full name", "Phone", "Company"], ["Khaled", 966501234567, "Acme"], [None, None, None], ["", "x", ""]]
    )
    job = import_job_create(org=tenant.org, actor_membership=sales, upload=upload(content, "leads.xlsx"))
    assert (job.file_format, job.total, job.headers) == ("xlsx", 2, ["Full name", "Phone", "Company"])
    import_job_set_mapping(org=tenant.org, actor_membership=sales, job=job, mapping=job.mapping)
    _start(tenant, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.created, job.failed, job.errors[0]["row"]) == (1, 1, 4)
    assert Lead.objects.get(organization=tenant.org).phone == "+966501234567"


def test_corrupt_xlsx_and_empty_files_are_refused(tenant):
    sales = tenant.members[Role.SALES]
    for content, name, code in [
        (b"not a zip", "x.xlsx", "unreadable_file"),
        (b"name,email\n", "x.csv", "no_rows"),
        (b"", "x.csv", "no_header"),
        (b"a,b\n1,2\n", "x.pdf", "unsupported_file"),
    ]:
        with pytest.raises(DomainError) as error:
            import_job_create(org=tenant.org, actor_membership=sales, upload=upload(content, name))
        assert error.value.code == code
    assert ImportJob.objects.count() == 0


def test_rerun_after_a_lost_worker_continues_without_duplicates(tenant, django_capture_on_commit_callbacks):
    sales = tenant.members[Role.SALES]
    rows = "".join(f"Person {n},person{n}@acme.sa\n" for n in range(250))
    job = import_job_create(org=tenant.org, actor_membership=sales, upload=upload(("name,email\n" + rows).encode()))
    import_job_set_mapping(org=tenant.org, actor_membership=sales, job=job, mapping=job.mapping)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    real_create = imports.lead_create
    calls = {"count": 0}

    def dying_create(**kwargs):
        calls["count"] += 1
        if calls["count"] == 150:
            raise SystemExit("worker killed")
        return real_create(**kwargs)

    with mock.patch.object(imports, "lead_create", dying_create), pytest.raises(SystemExit):
        import_job_process(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed, job.created) == (ImportJob.Status.RUNNING, 100, 100)
    assert Lead.objects.filter(organization=tenant.org).count() == 100  # the broken chunk rolled back
    import_job_process(job_id=job.pk)  # the reaper's re-run
    job.refresh_from_db()
    assert (job.status, job.processed, job.created, job.failed) == (ImportJob.Status.DONE, 250, 250, 0)
    emails = list(Lead.objects.filter(organization=tenant.org).values_list("email", flat=True))
    assert len(emails) == len(set(emails)) == 250
    import_job_process(job_id=job.pk)  # a late duplicate delivery changes nothing
    assert Lead.objects.filter(organization=tenant.org).count() == 250


def test_unexpected_error_stops_the_job_and_resume_continues(tenant, django_capture_on_commit_callbacks):
    sales = tenant.members[Role.SALES]
    rows = "".join(f"Person {n}\n" for n in range(120))
    job = import_job_create(org=tenant.org, actor_membership=sales, upload=upload(("name\n" + rows).encode()))
    import_job_set_mapping(org=tenant.org, actor_membership=sales, job=job, mapping=job.mapping)
    real_create = imports.lead_create
    calls = {"count": 0}

    def failing_create(**kwargs):
        calls["count"] += 1
        if calls["count"] == 110:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    with mock.patch.object(imports, "lead_create", failing_create):
        _start(tenant, job, django_capture_on_commit_callbacks)  # the task fails (recorded, not raised here)
    job.refresh_from_db()
    assert (job.status, job.processed) == (ImportJob.Status.FAILED, 100)
    assert "RuntimeError" in job.last_error
    _start(tenant, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.created) == (ImportJob.Status.DONE, 120)
    assert Lead.objects.filter(organization=tenant.org).count() == 120


def test_mapping_needs_a_name_column_and_valid_columns(tenant):
    sales = tenant.members[Role.SALES]
    job = import_job_create(org=tenant.org, actor_membership=sales, upload=upload(b"email,phone\na@b.sa,1\n"))
    for mapping, code in [
        ({"email": 0}, "name_not_mapped"),
        ({"person_name": 5}, "invalid_column"),
        ({"person_name": 0, "email": 0}, "column_used_twice"),
    ]:
        with pytest.raises(DomainError) as error:
            import_job_set_mapping(org=tenant.org, actor_membership=sales, job=job, mapping=mapping)
        assert error.value.code == code
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


def test_pages_upload_map_preview_start_and_progress(tenant, django_capture_on_commit_callbacks):
    client = client_for(tenant.user(Role.SALES))
    assert client.get("/crm/import/").status_code == 200
    response = client.post("/crm/import/", {"file": upload(ARABIC_CSV.encode("cp1256"))})
    job = ImportJob.objects.get(organization=tenant.org)
    assert response.status_code == 302 and response["Location"] == f"/crm/import/{job.pk}/columns/"
    page = client.get(f"/crm/import/{job.pk}/columns/")
    assert page.status_code == 200 and "البريد الإلكتروني" in page.content.decode()
    response = client.post(
        f"/crm/import/{job.pk}/columns/",
        {
            "column_person_name": "0",
            "column_company_name": "1",
            "column_email": "2",
            "column_phone": "3",
            "column_source": "4",
        },
    )
    assert response["Location"] == f"/crm/import/{job.pk}/preview/"
    preview = client.get(f"/crm/import/{job.pk}/preview/").content.decode()
    assert "Unknown source" in preview and "أحمد علي" in preview
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/crm/import/{job.pk}/preview/")
    assert response["Location"] == f"/crm/import/{job.pk}/"
    progress = client.get(f"/crm/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="import-progress"' in progress and "<html" not in progress
    assert "hx-trigger" not in progress  # finished: no more polling
    assert Lead.objects.filter(organization=tenant.org).count() == 1


def test_preview_writes_emails_and_phones_left_to_right(tenant):
    """Regression: on the Arabic page "+966 55 123 4002" wrapped as "123 55 966+ 4002" (no dir="ltr")."""
    sales = tenant.members[Role.SALES]
    job = import_job_create(
        org=tenant.org,
        actor_membership=sales,
        upload=upload("name,email,phone\nأحمد,a@b.sa,+966 55 123 4002\n".encode()),
    )
    import_job_set_mapping(
        org=tenant.org, actor_membership=sales, job=job, mapping={"person_name": 0, "email": 1, "phone": 2}
    )
    html = client_for(tenant.user(Role.SALES)).get(f"/crm/import/{job.pk}/preview/").content.decode()
    assert '<td dir="ltr" class="text-start">+966 55 123 4002</td>' in html
    assert '<td dir="ltr" class="text-start">a@b.sa</td>' in html
    assert "<td>أحمد</td>" in html


def test_column_page_isolates_the_file_name_from_the_row_count(tenant):
    """Regression: in Arabic, "leads.csv: 5 rows" read "leads.csv: 5" as one Latin run, the count glued to the name."""
    sales = tenant.members[Role.SALES]
    job = import_job_create(org=tenant.org, actor_membership=sales, upload=upload(b"name\nOmar\nMona\n"))
    html = client_for(tenant.user(Role.SALES)).get(f"/crm/import/{job.pk}/columns/").content.decode()
    assert "\u2068leads.csv\u2069: 2 rows" in html


def test_progress_polls_while_queued(tenant):
    sales = tenant.members[Role.SALES]
    job = import_job_create(org=tenant.org, actor_membership=sales, upload=upload(b"name\nOmar\n"))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    html = client_for(sales.user).get(f"/crm/import/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html and "<progress" in html


def test_bad_upload_shows_the_translated_error(tenant):
    client = client_for(tenant.user(Role.SALES))
    response = client.post("/crm/import/", {"file": upload(b"\x00\x01\x02binary")})
    assert response.status_code == 200
    assert "could not be read" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_other_organization_import_is_404_and_unchanged(tenant, other_tenant):
    job = import_job_create(
        org=other_tenant.org, actor_membership=other_tenant.members[Role.SALES], upload=upload(b"name\nOmar\n")
    )
    client = client_for(tenant.owner)
    for url in (f"/crm/import/{job.pk}/", f"/crm/import/{job.pk}/columns/", f"/crm/import/{job.pk}/preview/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/crm/import/{job.pk}/columns/", {"column_person_name": "0"}).status_code == 404
    assert client.post(f"/crm/import/{job.pk}/preview/").status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED
    assert api_client_for(tenant.members[Role.OWNER]).post(f"/api/v1/crm/imports/{job.pk}/start/").status_code == 404


def test_api_upload_preview_start_and_status(tenant, django_capture_on_commit_callbacks):
    api = api_client_for(tenant.members[Role.SALES])
    created = api.post("/api/v1/crm/imports/", {"file": upload(ARABIC_CSV.encode("utf-8-sig"))}, format="multipart")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["mapping"] == {"person_name": 0, "company_name": 1, "email": 2, "phone": 3, "source": 4}
    preview = api.get(f"/api/v1/crm/imports/{body['id']}/preview/")
    assert preview.status_code == 200
    assert [row["row"] for row in preview.json()] == [2, 3, 5]
    assert preview.json()[2]["errors"] == ["Unknown source “مصدر مجهول”."]
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(f"/api/v1/crm/imports/{body['id']}/start/", {"mapping": body["mapping"]}, format="json")
    assert started.status_code == 200, started.json()
    status = api.get(f"/api/v1/crm/imports/{body['id']}/").json()
    assert (status["status"], status["created"], status["failed"]) == ("done", 1, 2)
    assert status["errors"][0]["row"] == 3
    bad = api.post("/api/v1/crm/imports/", {"file": upload(b"\x00binary")}, format="multipart")
    assert bad.status_code == 400 and bad.json()["code"] == "undecodable_file"
