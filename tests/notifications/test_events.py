"""Every event reaches the people the access rules name, once, in the app and through a real
SMTP server, in Indonesian, with a link to the page to act on and without a NIK or a
supporter's name; and nobody else (the other pair's team, the other kelurahan's PPS)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from candidates.models import Supporter
from decisions.models import Decision
from decisions.standing import standing_report
from fieldwork.models import Advice, Stage
from fieldwork.supervision import advice_answer, advice_create
from notifications.events import daily, event_notify
from notifications.models import Kind, Notification
from notifications.services import preference_set
from notifications.tasks import email_task, event_task
from objections.models import Objection, Step
from objections.services import objection_clarify, objection_decide, objection_file
from tests.factories import make_nik
from tests.fieldwork.world import KELURAHAN, entry
from tests.notifications.conftest import address
from verification.models import VerificationRun
from verification.signals import run_finished

# A NIK and a name the free texts carry on purpose: the messages must not.
SECRET_NIK = make_nik(birth=dt.date(1990, 1, 1), region="317101", serial=1)  # A's first supporter

# Who each event of side A reaches: by the access rules of the layers below.
EXPECTED = {
    Kind.RUN_DONE: {"tim_a", "kpu_a", "kpu_prov"},
    Kind.ADVICE_FILED: {"kpu_a", "kpu_prov"},
    Kind.ADVICE_ANSWERED: {"pkd_a"},
    Kind.OBJECTION_FILED: {"tim_a", "kpu_a", "kpu_prov"},
    Kind.OBJECTION_DECIDED: {"tim_a"},
    Kind.DECISION: {"tim_a", "kpu_a", "kpu_prov"},
    Kind.BRING_IN: {"tim_a", "pps_a"},
    Kind.STAGE_CLOSING: {"tim_a", "kpu_a", "kpu_prov", "pps_a"},
}
NEVER = {"tim_b", "pps_b", "kpu_b", "su", "bawaslu_a", "ppk_a"}


def _events(world, *, today: dt.date) -> None:
    """Side A's week: a run finished, an advice filed and answered, an objection filed and
    decided, a supporter not met, the stage two days from closing, the decision."""
    a = world.objects["a"]
    run = VerificationRun.objects.filter(pair=a["pair"]).latest("pk")
    VerificationRun.objects.filter(pk=run.pk).update(counts={"MS": 2, "BMS": 1, "TMS": 0})
    run.refresh_from_db()
    run_finished.send(sender=VerificationRun, run=run)

    advice = advice_create(
        stage=a["stage"],
        target=Advice.Target.SUPPORTER,
        task=a["tasks"][2],
        text=f"Pendukung {a['tasks'][2].supporter.name} NIK {SECRET_NIK} belum ditemui PPS.",
        by=world.users["pkd_a"],
    )
    advice_answer(
        advice=advice, accept=False, answer="Sudah dijadwalkan ulang.", by=world.users["kpu_a"]
    )

    supporter = a["tasks"][0].supporter
    objection = objection_file(
        pair=a["pair"],
        nik=SECRET_NIK,
        name=supporter.name,
        kind=Objection.Kind.NEVER,
        by=world.users["bawaslu_a"],
        source=Objection.Source.BAWASLU,
        note=f"{supporter.name} ({SECRET_NIK}) tidak pernah mendukung.",
    )
    objection = objection_clarify(
        objection=objection,
        by=world.users["kpu_a"],
        method=Step.Method.PHONE,
        happened_at=timezone.now() - dt.timedelta(hours=1),
        note="Pelapor dihubungi.",
    )
    objection_decide(
        objection=objection, by=world.users["kpu_a"], confirmed=False, reason="Tanda tangan sah."
    )

    from fieldwork.records import record_entry

    record_entry(
        task=a["tasks"][1], entry=entry("TIDAK_DITEMUI", days_ago=1), by=world.users["pps_a"]
    )
    Stage.objects.filter(pk=a["stage"].pk).update(closes=today + dt.timedelta(days=2))
    daily(today=today)

    # The decision as decision_record writes it (its blockers, an open stage among them, are
    # decisions' own tests).
    Decision.objects.create(
        pair=a["pair"],
        result=Decision.Result.TIDAK_MEMENUHI,
        ms=2,
        threshold=60_000,
        spread_achieved=1,
        spread_required=3,
        standing=standing_report(pair=a["pair"]),
        decided_by=world.users["kpu_a"],
    )


def _by_kind(rows) -> dict[str, set[str]]:
    got: dict[str, set[str]] = {}
    for kind, username in rows:
        got.setdefault(kind, set()).add(username)
    return got


@pytest.fixture
def happened(field, smtp, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        _events(field, today=today)
    return field


def test_each_event_reaches_the_people_of_its_access_rules_in_the_app(happened):
    rows = Notification.objects.values_list("kind", "user__username")
    assert _by_kind(rows) == EXPECTED
    assert not Notification.objects.filter(user__username__in=NEVER).exists()


def test_each_notification_arrives_once_by_smtp_to_its_user_and_nobody_else(happened, smtp):
    expected = sorted(address(u) for users in EXPECTED.values() for u in users)
    assert sorted(a for m in smtp.messages for a in m.to) == expected
    assert all(len(m.to) == 1 for m in smtp.messages)
    for username in NEVER:
        assert smtp.to(address(username)) == []
    assert len({m.message_id for m in smtp.messages}) == len(smtp.messages)
    assert set(Notification.objects.values_list("email", flat=True)) == {"sent"}


def test_the_same_events_again_send_nothing_more(
    happened, smtp, django_capture_on_commit_callbacks
):
    before = len(smtp.messages)
    count = Notification.objects.count()
    a = happened.objects["a"]
    with django_capture_on_commit_callbacks(execute=True):
        run_finished.send(
            sender=VerificationRun, run=VerificationRun.objects.filter(pair=a["pair"]).latest("pk")
        )
        daily(today=timezone.localdate())
        for advice in Advice.objects.filter(stage=a["stage"], answered_at__isnull=False):
            event_task.delay("advice_filed", advice.pk)
            event_task.delay("advice_answered", advice.pk)
        # A task delivered twice, or retried after its send: the claim stops it.
        for pk in Notification.objects.values_list("pk", flat=True):
            assert email_task.delay(pk).get() == "sent"
    assert (Notification.objects.count(), len(smtp.messages)) == (count, before)


def test_the_messages_are_in_indonesian_with_the_link_to_act_on(happened, smtp, client):
    phrases = {
        Kind.RUN_DONE: "Hasil verifikasi administrasi",
        Kind.ADVICE_FILED: "Saran perbaikan baru",
        Kind.ADVICE_ANSWERED: "sudah dijawab KPU",
        Kind.OBJECTION_FILED: "anggapan masyarakat",
        Kind.OBJECTION_DECIDED: "sudah diputuskan",
        Kind.DECISION: "Keputusan KPU",
        Kind.BRING_IN: "dapat dihadirkan sampai",
        Kind.STAGE_CLOSING: "ditutup 2 hari lagi",
    }
    for n in Notification.objects.select_related("user"):
        assert phrases[n.kind] in n.subject, n.subject
        (mail,) = [m for m in smtp.to(n.user.email) if m.subject == n.subject]
        assert "Buka halamannya: http://" in mail.body and n.link in mail.body
        assert "Berhenti menerima e-mail notifikasi" in mail.body
        assert not re.search(r"\b(the|your|has been|results)\b", n.body + mail.body)
        # The page to act on opens for its recipient.
        client.force_login(n.user)
        assert client.get(n.link).status_code == 200, (n.kind, n.user.username, n.link)


def test_no_message_carries_a_nik_or_a_supporters_name(happened, smtp):
    names = set(Supporter.objects.values_list("name", flat=True))
    niks = {
        make_nik(birth=dt.date(1990, 1, 1), region=kel[:8].replace(".", ""), serial=i)
        for kel in KELURAHAN.values()
        for i in range(1, 7)
    }
    texts = [f"{n.subject}\n{n.body}" for n in Notification.objects.all()]
    texts += [f"{m.subject}\n{m.body}" for m in smtp.messages]
    assert len(texts) == 2 * sum(len(users) for users in EXPECTED.values())
    for text in texts:
        assert not re.search(r"\d{12,}", text), text
        assert not any(nik in text for nik in niks), text
        assert not any(name in text for name in names), text


def test_email_off_keeps_the_notification_in_the_app(
    field, smtp, django_capture_on_commit_callbacks
):
    preference_set(user=field.users["tim_a"], email=False)
    prov = field.users["prov"]
    prov.email = ""  # no address: in the app only, whatever the default
    prov.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        _events(field, today=timezone.localdate())
    for username in ("tim_a", "kpu_prov"):
        rows = Notification.objects.filter(user__username=username)
        assert rows.count() == sum(username in users for users in EXPECTED.values())
        assert set(rows.values_list("email", flat=True)) == {"off"}
    assert smtp.to(address("tim_a")) == [] and smtp.to(address("kpu_prov")) == []
    assert smtp.to(address("kpu_a"))  # the others still get theirs


def test_a_choice_changed_before_the_send_is_honoured(field, smtp):
    a = field.objects["a"]
    run = VerificationRun.objects.filter(pair=a["pair"]).latest("pk")
    event_notify("run_done", run.pk)  # outside a commit: its e-mail is not sent yet
    tim = Notification.objects.get(user=field.users["tim_a"])
    assert tim.email == "pending"
    preference_set(user=field.users["tim_a"], email=False)
    assert email_task.delay(tim.pk).get() == "off"
    assert smtp.to(address("tim_a")) == []
