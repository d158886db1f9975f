"""The back office's queue page: an administrator sees what is queued and failed, with the failure's class but
never a task's arguments or traceback (an e-mail task's arguments hold an address and a text)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from selfcare.access.tests import factories as people

pytestmark = pytest.mark.django_db


def test_an_administrator_sees_a_failed_tasks_class_but_not_its_arguments_or_traceback() -> None:
    DBTaskResult.objects.create(
        args_kwargs={"args": ["Subject", "Secret text", ["anna@example.lv"]], "kwargs": {}},
        task_path="selfcare.background.mail.send_email",
        backend_name="default",
        run_after=timezone.now(),
        status=TaskResultStatus.FAILED,
        exception_class_path="smtplib.SMTPServerDisconnected",
        traceback="Traceback … anna@example.lv",
    )
    client = people.staff_client(Client(), "administrator", code="32000000001")
    listing = client.get(reverse("backoffice:django_tasks_database_dbtaskresult_changelist"))
    page = client.get(
        reverse("backoffice:django_tasks_database_dbtaskresult_change", args=[DBTaskResult.objects.get().pk])
    )
    for response in (listing, page):
        text = response.content.decode()
        assert response.status_code == 200
        assert "selfcare.background.mail.send_email" in text
        assert "smtplib.SMTPServerDisconnected" in text
        assert "anna@example.lv" not in text
        assert "Secret text" not in text
