"""The DUO pages: who may open them, what they show, the PDF and the CSV for the portal."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.urls import reverse

from aanwezig.audit.models import AuditEvent
from aanwezig.protocol import dossiers
from aanwezig.protocol.models import DuoDossier, DuoKind, DuoStatus
from aanwezig.protocol.tests.test_duo_reports_command import hand_worked_case
from aanwezig.schools.models import Role
from aanwezig.testing import factories as f

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")

D = dt.date
BSN = "111222333"


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    """Pages follow the language switch's cookie; read them in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def dossier(world):
    hand_worked_case(world)
    world.child_a.bsn = BSN
    world.child_a.save()
    return dossiers.prepare_dossier(world.child_a, kind="first", start_date=D(2026, 11, 2),
                                    today=D(2026, 11, 18), actor=world.officer_a)


def complete(dossier, world):
    return dossiers.update_dossier(
        dossier, actor=world.officer_a, probable_reason="Spijbelt vaak op maandag.",
        school_actions="Ouders twee keer gebeld.", school_asks="Graag een gesprek met leerplicht.",
        contact_name="Vera Verzuim", contact_role="verzuimcoördinator",
        contact_phone="010 123 4567", contact_email="verzuim@testcollege.example")


def urls(world, dossier):
    school = world.school_a.pk
    return [
        reverse("duo_overview", args=[school]),
        reverse("duo_export", args=[school]),
        reverse("duo_dossier", args=[school, dossier.pk]),
        reverse("duo_dossier_pdf", args=[school, dossier.pk]),
        reverse("duo_dossier_copy", args=[school, dossier.pk]),
    ]


# --- access ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["teacher_a", "mentor_a", "teacher_b"])
def test_other_roles_get_404(persona, world, dossier, client):
    client.force_login(getattr(world, persona))
    for url in urls(world, dossier):
        assert client.get(url).status_code == 404, url
    posts = [reverse("duo_dossier_send", args=[world.school_a.pk, dossier.pk]),
             reverse("duo_dossier_status", args=[world.school_a.pk, dossier.pk]),
             reverse("duo_prepare", args=[world.school_a.pk, world.child_a.pk])]
    for url in posts:
        assert client.post(url, {"status": "withdrawn", "reason": "x"}).status_code == 404, url
    assert DuoDossier.objects.get(pk=dossier.pk).status == DuoStatus.PROPOSED


@pytest.mark.parametrize("role", [Role.ATTENDANCE_OFFICER, Role.CARE_COORDINATOR,
                                  Role.SCHOOL_LEADER, Role.ADMINISTRATOR])
def test_school_wide_roles_open_every_page(role, world, dossier, client):
    client.force_login(f.make_staff(world.school_a, role))
    for url in urls(world, dossier):
        assert client.get(url).status_code == 200, url


def test_a_dossier_of_another_school_is_404(world, dossier, client):
    other = f.make_staff(world.school_b, Role.ATTENDANCE_OFFICER)
    client.force_login(other)
    assert client.get(reverse("duo_dossier", args=[world.school_b.pk, dossier.pk])).status_code == 404


def test_reading_a_dossier_is_audited_the_overview_is_not(world, dossier, client):
    client.force_login(world.officer_a)
    reads = AuditEvent.objects.filter(action="read", student=world.child_a)
    client.get(reverse("duo_overview", args=[world.school_a.pk]))
    assert not reads.exists()
    client.get(reverse("duo_dossier", args=[world.school_a.pk, dossier.pk]))
    client.get(reverse("duo_dossier_pdf", args=[world.school_a.pk, dossier.pk]))
    client.get(reverse("duo_dossier_copy", args=[world.school_a.pk, dossier.pk]))
    client.get(reverse("duo_export", args=[world.school_a.pk]))
    assert sorted(reads.values_list("object_type", flat=True)) == [
        "duo_dossier", "duo_dossier_copy", "duo_dossier_pdf", "duo_export"]
    assert set(reads.values_list("actor", flat=True)) == {world.officer_a.pk}


# --- pages -----------------------------------------------------------------------------------------

def test_the_overview_lists_an_overdue_report_with_a_word_not_only_a_colour(world, client):
    hand_worked_case(world)
    client.force_login(world.officer_a)
    body = client.get(reverse("duo_overview", args=[world.school_a.pk])).content.decode()
    assert "Sam Jansen" in body
    assert "overdue" in body and "⚠" in body
    assert "Prepare the report" in body
    assert 'name="start_date" value="2026-11-02"' in body


def test_preparing_from_the_overview_opens_the_dossier(world, client):
    hand_worked_case(world)
    client.force_login(world.officer_a)
    response = client.post(reverse("duo_prepare", args=[world.school_a.pk, world.child_a.pk]),
                           {"kind": "first", "start_date": "2026-11-02"})
    dossier = DuoDossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("duo_dossier", args=[world.school_a.pk, dossier.pk])
    # Twice is harmless.
    client.post(reverse("duo_prepare", args=[world.school_a.pk, world.child_a.pk]),
                {"kind": "first", "start_date": "2026-11-02"})
    assert DuoDossier.objects.count() == 1


def test_the_bsn_is_shown_only_to_those_who_may_see_identifiers(world, dossier, client):
    url = reverse("duo_dossier", args=[world.school_a.pk, dossier.pk])
    client.force_login(world.officer_a)
    assert BSN in client.get(url).content.decode()
    client.force_login(f.make_staff(world.school_a, Role.SCHOOL_LEADER))
    body = client.get(url).content.decode()
    assert BSN not in body
    assert "shown only to the attendance officer" in body


def test_the_dossier_page_shows_what_duo_asks(world, dossier, client):
    client.force_login(world.officer_a)
    body = client.get(reverse("duo_dossier", args=[world.school_a.pk, dossier.pk])).content.decode()
    for text in ("Sam Jansen", "17 May 2012", "11AA00", "Year, level and group", "leerjaar 1, 1A",
                 "16 lesuren", "Monday 2 November 2026", "10:30–11:20",
                 "Overdue: this report had to be with DUO by Monday 16 November"):
        assert text in body, text


def test_saving_the_form_with_a_long_reason_shows_the_error_and_saves_nothing(world, dossier,
                                                                                client):
    client.force_login(world.officer_a)
    url = reverse("duo_dossier", args=[world.school_a.pk, dossier.pk])
    response = client.post(url, {"probable_reason": "x" * 201, "contact_name": "Vera"})
    assert response.status_code == 400
    assert "200 characters or fewer (it has 201)" in response.content.decode()
    assert DuoDossier.objects.get(pk=dossier.pk).contact_name == ""


def test_the_whole_flow_through_the_pages(world, dossier, client):
    client.force_login(world.officer_a)
    school = world.school_a.pk
    response = client.post(reverse("duo_dossier", args=[school, dossier.pk]), {
        "probable_reason": "Spijbelt.", "school_actions": "Gebeld.", "school_asks": "Gesprek.",
        "contact_name": "Vera Verzuim", "contact_role": "verzuimcoördinator",
        "contact_phone": "010 123 4567", "contact_email": "verzuim@testcollege.example"})
    assert response.status_code == 302
    response = client.post(reverse("duo_dossier_send", args=[school, dossier.pk]),
                           {"duo_reference": "VM-1"})
    assert response.status_code == 302
    response = client.post(reverse("duo_dossier_status", args=[school, dossier.pk]),
                           {"status": "in_progress"})
    stored = DuoDossier.objects.get(pk=dossier.pk)
    assert (stored.status, stored.duo_reference) == (DuoStatus.IN_PROGRESS, "VM-1")
    body = client.get(reverse("duo_dossier", args=[school, dossier.pk])).content.decode()
    assert "in progress" in body and "VM-1" in body and "Sent to DUO on" in body


def test_sending_an_incomplete_dossier_from_the_page_is_refused(world, dossier, client):
    client.force_login(world.officer_a)
    response = client.post(reverse("duo_dossier_send", args=[world.school_a.pk, dossier.pk]),
                           {}, follow=True)
    assert "before you mark the report as sent" in response.content.decode()
    assert DuoDossier.objects.get(pk=dossier.pk).status == DuoStatus.PROPOSED


def test_the_student_page_lists_the_dossiers_for_school_wide_roles(world, dossier, client):
    url = reverse("student", args=[world.school_a.pk, world.child_a.pk])
    link = reverse("duo_dossier", args=[world.school_a.pk, dossier.pk])
    client.force_login(world.officer_a)
    assert link in client.get(url).content.decode()
    client.force_login(world.teacher_a)
    assert link not in client.get(url).content.decode()


def test_the_school_page_links_to_the_overview_for_school_wide_roles(world, client):
    link = reverse("duo_overview", args=[world.school_a.pk])
    client.force_login(world.officer_a)
    assert link in client.get(reverse("school", args=[world.school_a.pk])).content.decode()
    client.force_login(world.teacher_a)
    assert link not in client.get(reverse("school", args=[world.school_a.pk])).content.decode()


def test_the_copy_view_has_every_portal_field_with_a_copy_button(world, dossier, client):
    complete(dossier, world)
    client.force_login(world.officer_a)
    body = client.get(reverse("duo_dossier_copy", args=[world.school_a.pk, dossier.pk])
                      ).content.decode()
    for key, label, _multi in dossiers.PORTAL_COLUMNS:
        assert f'id="veld-{key}"' in body and label in body
        assert f'data-copy="veld-{key}"' in body
    assert BSN in body and "Spijbelt vaak op maandag." in body


# --- the CSV -------------------------------------------------------------------------------------

def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_has_the_portal_columns_in_order(world, dossier, client):
    complete(dossier, world)
    client.force_login(world.officer_a)
    response = client.get(reverse("duo_export", args=[world.school_a.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, row = read_csv(response.content)
    assert header == [
        "BRIN en vestiging", "School", "Soort nummer", "BSN of onderwijsnummer", "Achternaam",
        "Voornamen", "Geboortedatum", "Leerlingnummer", "Onderwijssoort",
        "Leerjaar, niveau en klas", "Soort melding", "Startdatum verzuim", "Einddatum verzuim",
        "Aantal uren ongeoorloofd verzuim", "Dagen en lessen afwezig", "Vermoedelijke reden",
        "Wat heeft de school al gedaan", "Wat vraagt de school", "Contactpersoon",
        "Functie contactpersoon", "Telefoon contactpersoon", "E-mail contactpersoon",
        "Status", "Uiterlijk melden op", "Gemeld op", "Kenmerk DUO",
    ]
    values = dict(zip(header, row, strict=True))
    assert values["BRIN en vestiging"] == "11AA00"
    assert values["Soort nummer"] == "BSN" and values["BSN of onderwijsnummer"] == BSN
    assert values["Achternaam"] == "Jansen" and values["Geboortedatum"] == "17-05-2012"
    assert values["Soort melding"] == "Ongeoorloofd verzuim 16 uur (eerste melding)"
    assert (values["Startdatum verzuim"], values["Einddatum verzuim"]) == ("02-11-2026",
                                                                         "09-11-2026")
    assert values["Aantal uren ongeoorloofd verzuim"] == "16 lesuren"
    assert values["Dagen en lessen afwezig"].startswith("maandag 2 november 2026: 08:30–09:20")
    assert "3 november" not in values["Dagen en lessen afwezig"]  # the sick day
    assert values["Telefoon contactpersoon"] == "010 123 4567"
    assert values["Status"] == "te melden" and values["Uiterlijk melden op"] == "16-11-2026"


def test_the_csv_masks_the_bsn_for_those_who_may_not_see_it(world, dossier):
    data = dossiers.export_csv([dossier], show_identifiers=False)
    header, row = read_csv(data)
    values = dict(zip(header, row, strict=True))
    assert values["BSN of onderwijsnummer"] == "••••••333"
    assert BSN not in data.decode("utf-8-sig")


def test_withdrawn_dossiers_are_not_exported(world, dossier):
    dossiers.set_dossier_status(dossier, status=DuoStatus.WITHDRAWN, reason="Fout.",
                                actor=world.officer_a)
    assert dossiers.export_dossiers(world.school_a, D(2026, 11, 18)) == []


# --- the PDF -------------------------------------------------------------------------------------

def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "dossier.pdf"
    path.write_bytes(data)
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              check=True, text=True).stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_the_pdf_holds_every_field(world, dossier, client, tmp_path):
    complete(dossier, world)
    client.force_login(world.officer_a)
    response = client.get(reverse("duo_dossier_pdf", args=[world.school_a.pk, dossier.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    for value in ("Jansen", "17-05-2012", BSN, "11AA00", "leerjaar 1, 1A",
                  "Ongeoorloofd verzuim 16 uur (eerste melding)", "02-11-2026", "09-11-2026",
                  "16 lesuren", "10:30–11:20", "Spijbelt vaak op maandag.",
                  "Ouders twee keer gebeld.", "Graag een gesprek met leerplicht.", "Vera Verzuim",
                  "verzuimcoördinator", "010 123 4567", "verzuim@testcollege.example"):
        assert value in text, value
    assert "03-11-2026" not in text  # the sick day is not in the report


def test_the_pdf_prints_the_bsn_in_full_only_for_those_allowed(world, dossier, tmp_path):
    text = pdf_text(dossiers.render_pdf(dossier, show_identifiers=False,
                                        printed_on=D(2026, 11, 18)), tmp_path)
    assert BSN not in text and "333" in text


def test_a_luxury_dossier_renders_without_lessons(world, tmp_path):
    luxury = dossiers.propose_dossier(world.other_a, kind=DuoKind.LUXURY,
                                      start_date=D(2026, 11, 16), end_date=D(2026, 11, 17),
                                      hours=0, due_on=D(2026, 11, 24))
    text = pdf_text(dossiers.render_pdf(luxury, show_identifiers=True,
                                        printed_on=D(2026, 11, 18)), tmp_path)
    assert "Luxeverzuim (vermoeden)" in text and "Visser" in text
