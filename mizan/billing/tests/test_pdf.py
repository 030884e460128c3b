"""Billing PDFs: the text a client reads (extracted back with pypdf), and a renderer that reads no URL."""

from __future__ import annotations

import datetime
import io
import socket
from decimal import Decimal
from unittest import mock

import pypdf
import pytest
from django.utils import translation
from PIL import Image
from pypdf._text_extraction import _text_extractor as pypdf_text_extractor
from pypdf._text_extraction import get_display_str as _get_display_str
from pypdf._utils import is_char_rtl

from mizan.billing.models import BillingSettings, Invoice, InvoiceLine, Quote, QuoteLine, Tax, TaxKind
from mizan.billing.pdf import LocalFileFetcher, ResourceRefused, html_to_pdf, invoice_pdf, quote_pdf, renderer
from mizan.billing.pdf import documents as pdf_documents
from mizan.billing.words import amount_in_words
from mizan.crm.models import Company
from mizan.ledger.models import Account, AccountRole

pytestmark = pytest.mark.django_db

ISSUE = datetime.date(2026, 3, 15)
DUE = datetime.date(2026, 4, 14)


class _Cluster(str):
    """Several characters drawn as one glyph (an Arabic ligature such as يـر), counted as one character."""

    def __len__(self) -> int:
        return 1


def _display_str_with_clusters(text, cm_matrix, tm_matrix, font_resource, font, *args):
    """pypdf's get_display_str, with a right-to-left ligature glyph taken as right-to-left text.

    pypdf takes a glyph that stands for several characters as neutral, so a line of Arabic that
    ends with a ligature (لا غير, الضريبي) comes out with the ligature in front. WeasyPrint writes
    the ligature's characters in logical order; as a one-character right-to-left cluster it lands
    where it belongs.
    """
    mapping = font.character_map
    for key, value in mapping.items():
        if len(value) > 1 and not isinstance(value, _Cluster) and is_char_rtl(value[0]):
            mapping[key] = _Cluster(value)
    return _get_display_str(text, cm_matrix, tm_matrix, font_resource, font, *args)


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    with mock.patch.object(pypdf_text_extractor, "get_display_str", _display_str_with_clusters):
        return "\n".join(page.extract_text() for page in reader.pages)


def squash(value: str) -> str:
    """Without spaces, line breaks and direction marks: wrapped lines read as one string.

    pypdf gives a line that mixes Arabic and Latin script in visual order, so the tests look for
    Arabic text and Latin text (or numbers) separately.
    """
    return "".join(value.replace("\u200f", "").replace("\u200e", "").split())


def contains(pdf_or_text: bytes | str, *needles: str) -> bool:
    text = pdf_text(pdf_or_text) if isinstance(pdf_or_text, bytes) else pdf_or_text
    return all(squash(needle) in squash(text) for needle in needles)


def translated(message: str, language: str) -> str:
    """The catalog's translation (the Arabic labels appear once the lead's translations land)."""
    with translation.override(language):
        return translation.gettext(message)


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def setup_org(org, **fields):
    defaults = {"vat_number": "300000000000003", "name_ar": "مؤسسة البيان للاستشارات", "name_en": "Al Bayan Consulting"}
    for name, value in {**defaults, **fields}.items():
        setattr(org, name, value)
    org.save()
    BillingSettings.objects.filter(organization=org).update(
        address_ar="الرياض، حي العليا، شارع التحلية",
        address_en="Olaya, Tahlia Street, Riyadh",
        commercial_registration="1010101010",
    )
    return org


def make_company(org, **fields):
    defaults = {
        "name_ar": "شركة الأفق للتجارة",
        "name_latin": "Horizon Trading Co",
        "vat_number": "311111111111113",
        "address": "جدة، طريق الملك",
    }
    return Company.objects.create(organization=org, **{**defaults, **fields})


def standard_tax(org) -> Tax:
    return Tax.objects.filter(organization=org, kind=TaxKind.STANDARD, valid_to__isnull=True).order_by("-rate").first()


def add_lines(document, line_model, owner_field: str, lines: list[dict]) -> None:
    revenue = Account.objects.get(organization=document.organization, role=AccountRole.REVENUE)
    for position, values in enumerate(lines):
        line_model.objects.create(**{owner_field: document}, position=position, income_account=revenue, **values)


def consulting_lines(org) -> list[dict]:
    """10 h x 100 (VAT 150) and travel 250 less 10% (VAT 33.75): 1,225.00 + 183.75 = 1,408.75."""
    tax = standard_tax(org)
    return [
        {
            "description": "استشارات إدارية للمشروع",
            "quantity": Decimal("10"),
            "unit": "ساعة",
            "unit_price": Decimal("100"),
            "tax": tax,
            "net_amount": Decimal("1000"),
            "tax_amount": Decimal("150"),
            "gross_amount": Decimal("1150"),
        },
        {
            "description": "Travel to client site",
            "quantity": Decimal("1"),
            "unit_price": Decimal("250"),
            "discount_percent": Decimal("10"),
            "tax": tax,
            "net_amount": Decimal("225"),
            "discount_amount": Decimal("25"),
            "tax_amount": Decimal("33.75"),
            "gross_amount": Decimal("258.75"),
        },
    ]


TOTALS = {
    "net_total": Decimal("1225"),
    "discount_total": Decimal("25"),
    "tax_total": Decimal("183.75"),
    "total": Decimal("1408.75"),
}


def make_invoice(org, *, company=None, lines=None, **fields) -> Invoice:
    values = {
        "organization": org,
        "company": company or make_company(org),
        "currency": org.base_currency,
        "status": Invoice.Status.POSTED,
        "number": 1,
        "issue_date": ISSUE,
        "due_date": DUE,
        "amount_due": TOTALS["total"],
        **TOTALS,
        **fields,
    }
    invoice = Invoice.objects.create(**values)
    add_lines(invoice, InvoiceLine, "invoice", lines if lines is not None else consulting_lines(org))
    return invoice


@pytest.fixture
def saudi(tenant):
    return setup_org(tenant.org, show_hijri_dates=True, use_arabic_indic_digits=False)


def test_bilingual_saudi_tax_invoice(saudi):
    invoice = make_invoice(
        saudi, qr_code="AQVTZWxsZXI=", reference="PO-7788", notes="يرجى التحويل إلى حسابنا\nشكراً لتعاملكم"
    )
    with mock.patch.object(pdf_documents, "qr_data_uri", wraps=pdf_documents.qr_data_uri) as qr:
        pdf = invoice_pdf(invoice)
    text = pdf_text(pdf)
    assert contains(
        text,
        saudi.name_ar,
        saudi.name_en,
        "الرياض، حي العليا، شارع التحلية",
        "Olaya, Tahlia Street, Riyadh",
        "300000000000003",
        "1010101010",
        "شركة الأفق للتجارة",
        "Horizon Trading Co",
        "311111111111113",
        "جدة، طريق الملك",
        "INV-2026-00001",
        "PO-7788",
        "2026-03-15",
        "2026-04-14",
        "رمضان",  # 26 Ramadan 1447, the Hijri date of the issue date
        "1447",
        "استشارات إدارية للمشروع",
        "ساعة",
        "1,150.00",
        "258.75",
        "SAR 1,225.00",
        "SAR 183.75",
        "SAR 1,408.75",
        "يرجى التحويل إلى حسابنا",
        "شكراً لتعاملكم",
    )
    assert contains(text, "فقط ألف وأربعمائة وثمانية ريالات سعودية وخمس وسبعون هللة لا غير")
    assert contains(text, "One Thousand Four Hundred Eight Saudi Riyals and Seventy-Five Halalas Only")
    assert contains(text, translated("Tax invoice", "ar"), "Tax invoice", translated("Amount due", "ar"), "Amount due")
    assert not contains(text, "Simplified tax invoice")
    qr.assert_called_once_with("AQVTZWxsZXI=")
    assert {"Mizan-PDF-Arabic", "Mizan-PDF-Latin", "Mizan-PDF-Arabic-Bold"} <= font_names(pdf)
    assert pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4


def test_simplified_invoice_and_non_saudi_titles(saudi, other_tenant):
    simplified = make_invoice(saudi, saudi_type=Invoice.SaudiType.SIMPLIFIED)
    assert contains(invoice_pdf(simplified), "Simplified tax invoice", translated("Simplified tax invoice", "ar"))

    egyptian = make_invoice(other_tenant.org, currency="EGP", language="en")
    text = pdf_text(invoice_pdf(egyptian))
    assert contains(text, "Invoice", "EGP 1,408.75", "One Thousand Four Hundred Eight Egyptian Pounds")
    assert not contains(text, "Tax invoice")
    assert not contains(text, "فقط")  # English only: no Arabic words


def test_credit_note_names_the_credited_invoice(saudi):
    original = make_invoice(saudi)
    credit_note = make_invoice(
        saudi,
        company=original.company,
        kind=Invoice.Kind.CREDIT_NOTE,
        series="CN",
        original_invoice=original,
        issue_date=datetime.date(2026, 3, 20),
        amount_due=Decimal("0"),
    )
    text = pdf_text(invoice_pdf(credit_note))
    assert contains(text, "Credit note", translated("Credit note", "ar"), "CN-2026-00001", "INV-2026-00001")
    assert contains(text, "SAR 1,408.75", "فقط ألف وأربعمائة وثمانية ريالات سعودية")
    assert not contains(text, "Tax invoice")
    assert not contains(text, "Amount due")


def test_foreign_currency_invoice_shows_rate_and_base_amounts(saudi):
    invoice = make_invoice(saudi, currency="USD", exchange_rate=Decimal("3.75"))
    text = pdf_text(invoice_pdf(invoice))
    # 1,225.00 x 3.75 = 4,593.75; 183.75 x 3.75 = 689.0625 -> 689.06; together 5,282.81.
    assert contains(text, "USD 1,408.75", "1 USD = 3.75 SAR", "SAR 4,593.75", "SAR 689.06", "SAR 5,282.81")
    assert contains(text, "فقط ألف وأربعمائة وثمانية دولارات أمريكية وخمسة وسبعون سنتاً لا غير")


def test_arabic_only_invoice_with_arabic_indic_digits(saudi):
    saudi.use_arabic_indic_digits = True
    saudi.save()
    invoice = make_invoice(saudi, language="ar", amount_paid=Decimal("408.75"), amount_due=Decimal("1000"))
    text = pdf_text(invoice_pdf(invoice))
    assert contains(text, "١٬٤٠٨٫٧٥", "١٬٠٠٠٫٠٠", "شركة الأفق للتجارة", "فقط ألف وأربعمائة وثمانية ريالات سعودية")
    # The Hijri date in Arabic-Indic digits (pypdf reverses digits inside a right-to-left run).
    assert contains(text, "رمضان") and ("١٤٤٧" in text or "٧٤٤١" in text)
    assert not contains(text, "Horizon Trading Co")  # the Arabic name is there, so only it is printed
    assert not contains(text, "Halalas Only")


def test_draft_invoice_is_marked(saudi):
    draft = make_invoice(saudi, status=Invoice.Status.DRAFT, number=None, language="en")
    text = pdf_text(invoice_pdf(draft))
    assert contains(text, f"INV-DRAFT-{draft.pk}", "Draft: not valid as an invoice")
    assert not contains(text, "Amount due")


def test_quote_pdf(saudi):
    quote = Quote.objects.create(
        organization=saudi,
        company=make_company(saudi),
        currency="SAR",
        number=12,
        version=2,
        title="تطوير الموقع الإلكتروني",
        issue_date=ISSUE,
        valid_until=datetime.date(2026, 4, 14),
        deposit_percent=Decimal("30"),
        terms="الدفعة المقدمة غير مستردة",
        **TOTALS,
    )
    add_lines(quote, QuoteLine, "quote", consulting_lines(saudi))
    text = pdf_text(quote_pdf(quote))
    assert contains(text, "Quote", translated("Quote", "ar"), "Q-00012/2", "2026-04-14", "30%")
    assert contains(text, "تطوير الموقع الإلكتروني", "الدفعة المقدمة غير مستردة", "SAR 1,408.75")
    assert contains(text, amount_in_words(Decimal("1408.75"), "SAR", language="ar"))
    assert not contains(text, "Tax invoice")


def test_logo_is_read_from_media_root(saudi, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "logos").mkdir()
    Image.new("RGB", (40, 20), (15, 118, 110)).save(tmp_path / "logos" / "mark.png")
    saudi.logo.name = "logos/mark.png"
    saudi.save()
    assert image_count(invoice_pdf(make_invoice(saudi))) == 1


def test_fonts_are_loaded_once_per_thread_and_queries_are_few(saudi, django_assert_max_num_queries):
    invoice = make_invoice(saudi, lines=consulting_lines(saudi) * 10)
    invoice_pdf(invoice)  # this thread's fonts and stylesheets, if an earlier test did not load them
    invoice = Invoice.objects.select_related("organization", "company").get(pk=invoice.pk)
    # No FontConfiguration per render: building one scans the system fonts and decodes the bundled
    # ones (about 0.25 s); with it reused, these 20 lines take about 0.45 s on an idle 2-CPU machine.
    with mock.patch.object(renderer, "FontConfiguration", wraps=renderer.FontConfiguration) as font_configuration:
        with django_assert_max_num_queries(2):  # billing settings, lines with their taxes
            pdf = invoice_pdf(invoice)
        invoice_pdf(invoice)
    assert font_configuration.call_count == 0
    assert contains(pdf, "INV-2026-00001", "SAR 1,408.75")


# --- the renderer reads nothing from user data -------------------------------------------------


@pytest.fixture
def no_network():
    """Every socket connection attempt is recorded (and fails)."""
    attempts = []

    def connect(self, address):
        attempts.append(address)
        raise OSError("network is off in this test")

    with mock.patch.object(socket.socket, "connect", connect), mock.patch.object(socket, "create_connection") as create:
        create.side_effect = lambda address, *args, **kwargs: connect(None, address)
        yield attempts


@pytest.fixture
def fetched():
    """Every URL the renderer's fetcher is asked for."""
    urls = []
    original = LocalFileFetcher.fetch

    def fetch(self, url, headers=None):
        urls.append(url)
        return original(self, url, headers)

    with mock.patch.object(LocalFileFetcher, "fetch", fetch):
        yield urls


HOSTILE = '<img src="http://127.0.0.1:9/x"><img src="file:///etc/passwd">'


def test_user_text_with_html_is_escaped_and_nothing_is_fetched(saudi, no_network, fetched):
    company = make_company(saudi, name_ar=HOSTILE, name_latin='<link rel="attachment" href="file:///etc/passwd">')
    invoice = make_invoice(
        saudi, company=company, notes=HOSTILE, terms="<style>@import url(http://127.0.0.1:9/c);</style>"
    )
    pdf = invoice_pdf(invoice)
    text = pdf_text(pdf)
    assert contains(text, '<img src="http://127.0.0.1:9/x">', 'href="file:///etc/passwd"', "@import url(")
    assert no_network == []
    assert not [url for url in fetched if "127.0.0.1" in url or "passwd" in url]
    assert image_count(pdf) == 0
    assert pypdf.PdfReader(io.BytesIO(pdf)).attachments == {}


def test_raw_html_urls_are_refused(no_network, fetched):
    html = (
        "<html><head><link rel='stylesheet' href='http://127.0.0.1:9/s.css'>"
        "<style>@import url('https://127.0.0.1:9/i.css'); body { background: url('file:///etc/passwd') }</style>"
        "<link rel='attachment' href='file:///etc/passwd'></head><body><p>Hello</p>"
        "<img src='http://127.0.0.1:9/x'><img src='file:///etc/passwd'><img src='ftp://127.0.0.1:9/y'>"
        "<img src='relative.png'></body></html>"
    )
    pdf = html_to_pdf(html)
    assert contains(pdf, "Hello")
    assert no_network == []
    assert {url for url in fetched if "127.0.0.1" in url or "passwd" in url} == {
        "http://127.0.0.1:9/s.css",
        "https://127.0.0.1:9/i.css",
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "ftp://127.0.0.1:9/y",
    }  # asked for, each refused: no image, no attachment, no "relative.png" (there is no base URL)
    assert not [url for url in fetched if "relative" in url]
    assert image_count(pdf) == 0
    assert pypdf.PdfReader(io.BytesIO(pdf)).attachments == {}


def test_fetcher_allows_only_its_directories_and_data_uris(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "logos").mkdir(parents=True)
    (tmp_path / "media" / "logos" / "a.png").write_bytes(b"png")
    (tmp_path / "media" / "private.txt").write_bytes(b"secret")
    (tmp_path / "media" / "logos" / "link.txt").symlink_to(tmp_path / "media" / "private.txt")
    fetcher = LocalFileFetcher((*renderer.asset_roots(), renderer.logo_dir()))

    logo = (tmp_path / "media" / "logos" / "a.png").as_uri()
    assert fetcher.fetch(logo).read() == b"png"
    assert fetcher.fetch(logo).content_type == "image/png"
    assert fetcher.fetch(renderer.STYLESHEET.as_uri()).read().startswith(b"/*")
    font = renderer.font_dir() / "ibm-plex-sans-arabic-arabic-400-normal.woff2"
    assert fetcher.fetch(font.as_uri()).read()[:4] == b"wOF2"
    data = fetcher.fetch("data:image/svg+xml;base64,PHN2Zy8+")
    assert (data.read(), data.content_type) == (b"<svg/>", "image/svg+xml")

    refused = [
        "http://127.0.0.1:9/x",
        "https://example.com/logo.png",
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        (tmp_path / "media" / "private.txt").as_uri(),
        (tmp_path / "media" / "logos" / "link.txt").as_uri(),  # a symlink out of the directory
        (tmp_path / "media" / "logos" / ".." / "private.txt").as_uri(),
        logo.replace("file://", "file://otherhost"),
        logo + "?x=1",
        (tmp_path / "media" / "logos" / "missing.png").as_uri(),
        "javascript:alert(1)",
    ]
    for url in refused:
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)
    with pytest.raises(ResourceRefused):
        fetcher("http://127.0.0.1:9/x")
