"""Documents printed as an office prints them: a workbook converted to PDF by LibreOffice
headless, its text read back and its first page saved as a picture (poppler's tools).

`.ci/run` installs Debian's packages for it (libreoffice-calc-nogui, poppler-utils and the
Noto and Carlito fonts); a test marked ``render`` fails saying so when they are missing.
"""

import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS

CONVERT_TIMEOUT = 180


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(
            f"{name} is not installed; .ci/run installs it (apt-get install "
            "libreoffice-calc-nogui poppler-utils fonts-noto-core fonts-crosextra-carlito)."
        )
    return path


def to_pdf(document: Path) -> Path:
    """``document`` converted to PDF next to it, with a LibreOffice profile of its own (two
    conversions at once with one profile fail)."""
    soffice = _tool("soffice")
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}/{uuid.uuid4().hex}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(document.parent),
                str(document),
            ],
            check=True,
            capture_output=True,
            timeout=CONVERT_TIMEOUT,
        )
    pdf = document.with_suffix(".pdf")
    assert pdf.exists(), f"LibreOffice made no PDF of {document.name}"
    return pdf


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page, in reading order (pdftotext; pages split at form feeds)."""
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def first_page_png(pdf: Path, name: str) -> Path:
    """The first page as test-artifacts/<name>.png, to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(target)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return target.with_suffix(".png")
