"""The guardians CSV: parents and carers and their relation to students.

EDEXML has no guardians, so a school exports them from its administration as a simple CSV
(described with an example in docs/import-roster.md): UTF-8 (with or without BOM), ``;`` or
``,`` as separator (detected from the header), a header row, one row per guardian–student
link. A guardian with two children has two rows with the same guardian key.

Columns (Dutch or English header, any case; * required):

======================  ================  =========================================
Dutch header            English header    meaning
======================  ================  =========================================
ouder_sleutel *         guardian_key      the guardian's stable key in the source
voornaam                given_name        first name
voorvoegsel             prefix            "van", "de" ...
achternaam *            last_name         last name
email                   email             e-mail address
telefoon                phone             phone number (06 12345678, +31 ...)
taal                    language          nl, en, tr, ar, pl or uk (empty: nl)
leerlingnummer *        student_number    the student's number at the school
relatie                 relation          moeder, vader, ouder, verzorger, pleegouder,
                                          voogd, anders (or mother, father, parent,
                                          carer, foster, guardian, other); empty: ouder
gezag                   authority         ja/nee (yes/no, 1/0); empty: ja
======================  ================  =========================================

The result has ``complete=False``: the file adds and updates guardians and links, it does not
end links missing from it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from aanwezig.lib.phone import to_e164
from aanwezig.roster.importing.model import (
    GuardianLink,
    Problem,
    RosterFileError,
    RosterGuardian,
    RosterSet,
)

#: canonical column → accepted headers (lower case)
COLUMNS: dict[str, tuple[str, ...]] = {
    "key": ("ouder_sleutel", "guardian_key"),
    "given_name": ("voornaam", "given_name"),
    "prefix": ("voorvoegsel", "prefix"),
    "last_name": ("achternaam", "last_name"),
    "email": ("email", "e-mail"),
    "phone": ("telefoon", "phone"),
    "language": ("taal", "language"),
    "student": ("leerlingnummer", "student_number"),
    "relation": ("relatie", "relation"),
    "authority": ("gezag", "authority"),
}
REQUIRED = ("key", "last_name", "student")
RELATIONS = {
    "moeder": "mother", "vader": "father", "ouder": "parent", "verzorger": "carer",
    "pleegouder": "foster", "voogd": "guardian", "anders": "other",
    "mother": "mother", "father": "father", "parent": "parent", "carer": "carer",
    "foster": "foster", "guardian": "guardian", "other": "other",
}
YES = {"ja", "j", "yes", "y", "1", "true", "waar"}
NO = {"nee", "n", "no", "0", "false", "onwaar"}
LANGUAGES = {"nl", "en", "tr", "ar", "pl", "uk"}


def parse(path: Path) -> RosterSet:
    """Read a guardians CSV; raise ``RosterFileError`` with every problem found."""
    path = Path(path)
    name = path.name
    problems: list[Problem] = []

    def problem(line: int | None, column: str, message: str) -> None:
        where = _("line %(line)s") % {"line": line} if line else ""
        problems.append(Problem(name, where, column, message))

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError:
        problem(None, "", _("The file cannot be read."))
        raise RosterFileError(problems) from None
    except UnicodeDecodeError:
        problem(None, "", _("The file is not UTF-8 encoded."))
        raise RosterFileError(problems) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        problem(None, "", _("The file is empty."))
        raise RosterFileError(problems)

    index: dict[str, int] = {}
    headers = [h.strip().lower() for h in header]
    for column, names in COLUMNS.items():
        for position, title in enumerate(headers):
            if title in names:
                index[column] = position
                break
    for column in REQUIRED:
        if column not in index:
            problem(1, COLUMNS[column][0], _("This column is missing."))
    if problems:
        raise RosterFileError(problems)

    guardians: dict[str, RosterGuardian] = {}
    first_seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue

        def cell(column: str, row: list[str] = row) -> str:
            position = index.get(column)
            return row[position].strip() if position is not None and position < len(row) else ""

        def label(column: str) -> str:
            return headers[index[column]] if column in index else COLUMNS[column][0]

        for column in REQUIRED:
            if not cell(column):
                problem(line, label(column), _("This field is empty."))
        email = cell("email").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problem(line, label("email"),
                        _("“%(value)s” is not an e-mail address.") % {"value": email})
        phone = cell("phone")
        if phone:
            try:
                to_e164(phone)
            except ValidationError as exc:
                problem(line, label("phone"), exc.messages[0])
        language = cell("language").lower()
        if language and language not in LANGUAGES:
            problem(line, label("language"),
                    _("“%(value)s” is not a language; use nl, en, tr, ar, pl or uk.")
                    % {"value": language})
        relation_text = cell("relation").lower()
        relation = RELATIONS.get(relation_text or "ouder")
        if relation is None:
            problem(line, label("relation"),
                    _("“%(value)s” is not a relation; use moeder, vader, ouder, verzorger, "
                      "pleegouder, voogd or anders.") % {"value": relation_text})
        authority_text = cell("authority").lower()
        if authority_text and authority_text not in YES | NO:
            problem(line, label("authority"),
                    _("“%(value)s” is not yes or no; use ja or nee.") % {"value": authority_text})
        key, student = cell("key"), cell("student")
        if not key or not cell("last_name") or not student:
            continue
        guardian = guardians.get(key)
        if guardian is None:
            guardian = guardians[key] = RosterGuardian(
                key=key, last_name=cell("last_name"), given_name=cell("given_name"),
                prefix=cell("prefix"), email=email, phone=phone, language=language)
            first_seen[key] = line
        elif (guardian.last_name, guardian.given_name, guardian.prefix, guardian.email,
              guardian.phone, guardian.language) != (
                cell("last_name"), cell("given_name"), cell("prefix"), email, phone, language):
            problem(line, label("key"),
                    _("Guardian “%(key)s” has other details here than on line %(line)s.")
                    % {"key": key, "line": first_seen[key]})
        if any(link.student_key == student for link in guardian.links):
            problem(line, label("student"),
                    _("Guardian “%(key)s” and student “%(student)s” are linked twice.")
                    % {"key": key, "student": student})
            continue
        guardian.links.append(GuardianLink(
            student_key=student, relation=relation or "parent",
            has_authority=authority_text not in NO))
    if problems:
        raise RosterFileError(problems)
    return RosterSet(source="csv", guardians=list(guardians.values()), complete=False)
