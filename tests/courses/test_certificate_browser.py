"""A student on a phone asks for a certificate of attendance on /me/, downloads the PDF, and
the QR code printed on it (read back from the page's picture) opens the verification page."""

import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from courses.models import Certificate
from school.demo import PASSWORDS
from school.models import User
from tests.browser import PHONE, phone_page, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.render,
    pytest.mark.usefixtures("media"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo():
    call_command("seed_demo", "--today", "2026-11-22", verbosity=0)


def qr_codes(pdf: Path) -> list[str]:
    import zxingcpp

    picture = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(picture)],
        check=True,
    )  # fmt: skip
    return [code.text for code in zxingcpp.read_barcodes(Image.open(f"{picture}.png"))]


def test_student_downloads_a_certificate_and_its_qr_code_opens_the_check(
    live_server, demo, tmp_path
):
    User.objects.filter(username="student").update(language="ar")
    student = User.objects.get(username="student").student
    with phone_page() as page:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "student")
        page.fill("#id_password", PASSWORDS["student"])
        page.click("button[type=submit]")
        page.wait_for_url("**/me/")

        section = page.locator("#certificates")
        with page.expect_navigation():
            section.locator("button[type=submit]").first.click()
        assert page.locator("ul.messages li.success").is_visible()
        link = page.locator("#certificates a[download]").first
        assert link.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "student-certificates-ar")
        with page.expect_download() as download:
            link.click()
        pdf = tmp_path / "certificate.pdf"
        download.value.save_as(pdf)

    certificate = Certificate.objects.get(enrollment__student=student)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert certificate.code in text
    for word in student.full_name.split():
        assert word in text
    address = f"{live_server.url}/verify/{certificate.code}"
    assert qr_codes(pdf) == [address]

    with phone_page() as page:
        response = page.goto(address)
        assert response.status == 200
        assert page.locator("[data-verdict=valid]").is_visible()
        body = page.locator("main").inner_text()
        assert certificate.enrollment.cycle.level.code in body
        assert student.last_name not in body
        screenshot(page, "certificate-verify")
