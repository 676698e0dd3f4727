"""Staff login: a form with CSRF, and throttled by django-axes after repeated failures."""

from django.test import Client
from django.urls import reverse


def login(client, password):
    return client.post(reverse("login"), {"username": "editor", "password": password})


def test_staff_log_in_through_the_form(editor):
    client = Client()
    response = login(client, "pw-editor")
    assert response.status_code == 302
    assert client.get(reverse("claims:home")).context["user"] == editor


def test_repeated_failed_logins_are_throttled(editor, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, "wrong")
        assert response.status_code == 200
        assert "komen niet overeen" in response.content.decode()

    locked = login(client, "wrong")
    assert locked.status_code == 429
    assert "Te veel pogingen" in locked.content.decode()
    # Even the right password is refused while the lock holds.
    assert login(client, "pw-editor").status_code == 429
    # The lock is per user name and address: the editor at another address logs in.
    assert login(Client(REMOTE_ADDR="192.0.2.44"), "pw-editor").status_code == 302


def test_failed_logins_keep_only_a_hash_of_the_address(editor):
    from axes.models import AccessAttempt, AccessLog

    login(Client(), "wrong")
    login(Client(), "pw-editor")
    recorded = {a.ip_address for a in AccessAttempt.objects.all()}
    recorded |= {a.ip_address for a in AccessLog.objects.all()}
    assert recorded and "127.0.0.1" not in recorded
    assert len(recorded) == 1  # the same address, the same hash: lockouts still work


def test_login_form_needs_its_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    assert login(client, "pw-editor").status_code == 403
