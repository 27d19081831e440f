"""The settings of ``make bench-load``'s server: the test settings, the bench's URLs (the site
and the minimal roster), media and SMS under the bench's folder."""

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "tests.bench.load_urls"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "/tmp/school-office-bench-load/media"))
