"""One-time sign-in links for students who lost their password, sent through the outbox."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from notifications.services import Recipient, notification_queue
from school.selectors import student_accounts_for_address
from school.services import sign_in_link_create


def _within_limit(key: str, limit: int) -> bool:
    """Count one more request under ``key`` for the window (shared by every process through
    the cache); False once the count passes ``limit``."""
    window = settings.SIGN_IN_LINK_WINDOW_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def _address_key(address: str) -> str:
    # Hashed: the cache is no place for people's phone numbers.
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]


def sign_in_links_send(*, address: str, client_ip: str, base_url: str) -> bool:
    """Send a one-time sign-in link to each student account with this phone or e-mail.

    1. Count the request against the address and the IP address, whether or not an account
       matches (so the limit says nothing about who has an account); False when over either.
    2. For each matching account, a new token (only its hash is stored) and a message in the
       student's language by their usual channel (SMS or e-mail), queued in the outbox.
    3. The student is waiting for it: an SMS is not held back for the quiet hours.
    """
    by_ip = _within_limit(f"sign-in-link:ip:{client_ip}", settings.SIGN_IN_LINK_PER_IP)
    by_address = _within_limit(
        f"sign-in-link:address:{_address_key(address)}", settings.SIGN_IN_LINK_PER_ADDRESS
    )
    if not (by_ip and by_address):
        return False
    for user in student_accounts_for_address(address=address, region=settings.PHONE_DEFAULT_REGION):
        student = user.student
        with transaction.atomic():
            token = sign_in_link_create(user=user)
            dedup_key = f"sign-in-link:{hashlib.sha256(token.encode()).hexdigest()[:24]}"
            notification_queue(
                school=student.school,
                kind="sign_in_link",
                recipients=[Recipient(student=student)],
                context={
                    "link": base_url + reverse("sign-in-link-use", args=[token]),
                    "minutes": settings.SIGN_IN_LINK_MINUTES,
                },
                dedup_key=dedup_key,
                requested=True,
            )
    return True
