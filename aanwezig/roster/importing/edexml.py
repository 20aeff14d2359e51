"""EDEXML 2.1: the roster export of Dutch school administration systems.

``parse(path)`` checks the file against the official EDEXML 2.1 schema (the XSDs in
``edexml-2.1/`` beside this module, with their licence and provenance), then reads groups,
combined groups (samengestelde groepen), teachers and students into a ``RosterSet``. A file
that is not well-formed, breaks the schema or contradicts itself is refused whole with
``RosterFileError``: every problem located by line and element and explained in the user's
language (the schema library's English message is appended for support staff).

EDEXML has no guardians; those come from the guardians CSV.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from .model import (
    Problem,
    RosterFileError,
    RosterGroup,
    RosterSet,
    RosterStaff,
    RosterStudent,
)

SCHEMA_DIR = Path(__file__).resolve().parent / "edexml-2.1"
SCHEMA_FILE = SCHEMA_DIR / "EDEXML.structuur.xsd"
EXAMPLE_FILE = SCHEMA_DIR / "EDEXML.Voorbeeld.2.1.xml"

#: EDEXML role of a teacher at a group that makes them its group teacher (groepsleraar):
#: the person parents go to first, which aanwezig calls the mentor.
MENTOR_ROLE = "LRK"


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), _safe_parser()))


def _safe_parser() -> etree.XMLParser:
    # No entities, no DTDs, no network: a roster file is data, never instructions.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )


def parse(path: Path) -> RosterSet:
    """Read an EDEXML 2.1 file; raise ``RosterFileError`` with every problem found."""
    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterFileError(
            [Problem(name, "", "", _("The file cannot be read: %(error)s") % {"error": exc})]
        ) from exc
    try:
        root = etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise RosterFileError(
            [
                Problem(
                    name,
                    _("line %(line)s") % {"line": line},
                    "",
                    _("The file is not well-formed XML, so it cannot be read at all.")
                    + f" [{exc.msg}]",
                )
            ]
        ) from exc

    if root.getroottree().docinfo.doctype:
        # EDEXML needs no DTD; a DOCTYPE could only smuggle in entities.
        raise RosterFileError(
            [
                Problem(
                    name,
                    _("line %(line)s") % {"line": 1},
                    "",
                    _("The file contains a DOCTYPE declaration; EDEXML files may not have one."),
                )
            ]
        )

    schema = _schema()
    try:
        valid = schema.validate(root)
    except etree.XMLSchemaValidateError as exc:
        raise RosterFileError(
            [Problem(name, "", "", _("This part does not follow the EDEXML 2.1 schema.") + f" [{exc}]")]
        ) from exc
    if not valid:
        errors = sorted(
            # "Not all fields ... evaluate to a node" repeats a missing key attribute.
            (
                err
                for err in schema.error_log
                if "evaluate to a node" not in err.message and not _later_school_year(err)
            ),
            key=lambda err: err.line,
        )
        if errors:
            raise RosterFileError([_schema_problem(name, root, err) for err in errors])

    roster = _read(root)
    problems = _check(name, root, roster)
    if problems:
        raise RosterFileError(problems)
    return roster


_SCHOOL_YEAR = re.compile(r"The value '(\d{4})-(\d{4})' is not an element of the set")


def _later_school_year(err: etree._LogEntry) -> bool:
    """The 2.1 schema lists school years only up to 2024-2025; a later, well-formed
    school year (2026-2027) is accepted rather than refusing every current export."""
    if err.path != "/EDEX/school/schooljaar":
        return False
    match = _SCHOOL_YEAR.search(err.message)
    return match is not None and int(match.group(2)) == int(match.group(1)) + 1


# --- schema errors in the user's language -------------------------------------------------


def _schema_problem(file: str, root: etree._Element, err: etree._LogEntry) -> Problem:
    element = _element_for(root, err)
    where = _("line %(line)s") % {"line": err.line}
    label = _label(element) if element is not None else ""
    if label:
        where = f"{where}, {label}"
    message, field = _explain(err)
    return Problem(file, where, field, f"{message} [{err.message}]")


def _element_for(root: etree._Element, err: etree._LogEntry) -> etree._Element | None:
    if err.path:
        try:
            found = root.getroottree().xpath(err.path)
        except etree.XPathError:
            found = []
        if isinstance(found, list) and found and isinstance(found[0], etree._Element):
            return found[0]
    for el in root.iter(etree.Element):
        if el.sourceline == err.line:
            return el
    return None


def _label(element: etree._Element) -> str:
    """``leerling[key=00001]/geboortedatum``: from the record the element belongs to."""
    parts: list[str] = []
    el: etree._Element | None = element
    while el is not None:
        tag = str(el.tag)
        key = el.get("key")
        parts.append(f"{tag}[key={key}]" if key is not None else tag)
        parent = el.getparent()
        if key is not None and parent is not None and str(parent.tag) in _RECORD_LISTS:
            break
        el = parent
    return "/".join(reversed(parts))


_RECORD_LISTS = frozenset({"leerlingen", "leerkrachten", "groepen", "vestigingen"})


_QUOTED = re.compile(r"'([^']*)'")
_VALUE = re.compile(r"The value '([^']*)'")
_EXPECTED = re.compile(r"Expected is (?:one of )?\( ?([^)]*?) ?\)")


def _explain(err: etree._LogEntry) -> tuple[str, str]:
    """A translated explanation and the field it is about."""
    text = err.message
    quoted = _QUOTED.findall(text)
    value_match = _VALUE.search(text)
    value = value_match.group(1) if value_match else (quoted[1] if len(quoted) > 1 else "")
    field = quoted[0] if quoted and text.startswith("Element") else ""
    kind = err.type_name
    expected = _EXPECTED.search(text)
    wanted = expected.group(1).replace(" ", "") if expected else ""

    if kind == "SCHEMAV_CVC_ELT_1":
        return _("This is not an EDEXML file: the outermost element must be EDEX."), field
    if kind == "SCHEMAV_ELEMENT_CONTENT":
        if "Missing child element" in text:
            return (
                _("A required part is missing here: %(expected)s.") % {"expected": wanted},
                field,
            )
        if wanted:
            return (
                _("'%(found)s' is not expected here; expected is: %(expected)s.")
                % {"found": field, "expected": wanted},
                field,
            )
        return _("'%(found)s' does not belong here.") % {"found": field}, field
    if kind == "SCHEMAV_CVC_COMPLEX_TYPE_4":
        attribute = quoted[1] if len(quoted) > 1 else ""
        return (
            _("The attribute '%(attribute)s' is required but missing.") % {"attribute": attribute},
            attribute or field,
        )
    if kind in {"SCHEMAV_CVC_COMPLEX_TYPE_3_2_1", "SCHEMAV_CVC_COMPLEX_TYPE_3_2_2"}:
        attribute = quoted[1] if len(quoted) > 1 else ""
        return (
            _("The attribute '%(attribute)s' is not allowed here.") % {"attribute": attribute},
            attribute or field,
        )
    if kind == "SCHEMAV_CVC_ENUMERATION_VALID":
        return _("The value '%(value)s' is not one of the allowed values.") % {"value": value}, field
    if kind == "SCHEMAV_CVC_PATTERN_VALID":
        return _("The value '%(value)s' does not have the required form.") % {"value": value}, field
    if kind in {"SCHEMAV_CVC_MAXLENGTH_VALID", "SCHEMAV_CVC_LENGTH_VALID"}:
        return _("The value is too long."), field
    if kind == "SCHEMAV_CVC_MINLENGTH_VALID":
        return _("The value must not be empty."), field
    if kind.startswith("SCHEMAV_CVC_DATATYPE_VALID"):
        if "xs:date'" in text:
            return _("'%(value)s' is not an existing date (YYYY-MM-DD).") % {"value": value}, field
        if "xs:dateTime" in text:
            return (
                _("'%(value)s' is not an existing date and time (YYYY-MM-DDThh:mm:ss).")
                % {"value": value},
                field,
            )
        return _("The value '%(value)s' is not valid here.") % {"value": value}, field
    if kind == "SCHEMAV_CVC_IDC":
        key = _key_in(text)
        if "Duplicate key-sequence" in text:
            return _("The key '%(key)s' occurs more than once.") % {"key": key}, "key"
        if "No match found" in text:
            return (
                _("The key '%(key)s' refers to %(what)s that is not in the file.")
                % {"key": key, "what": _referred(text)},
                "key",
            )
        return _("A required key is missing."), "key"
    return _("This part does not follow the EDEXML 2.1 schema."), field


def _key_in(text: str) -> str:
    match = re.search(r"key-sequence \['([^']*)'\]", text)
    return match.group(1) if match else ""


def _referred(text: str) -> str:
    if "samengesteldegroeps" in text:
        return _("a combined group")
    if "groeps" in text:
        return _("a group")
    if "vestigings" in text:
        return _("a branch (vestiging)")
    return _("a record")


# --- reading ------------------------------------------------------------------------------


def _text(el: etree._Element | None, tag: str) -> str:
    if el is None:
        return ""
    child = el.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _date(el: etree._Element, tag: str) -> dt.date | None:
    value = _text(el, tag)
    return dt.date.fromisoformat(value[:10]) if value else None


def _year_level(jaargroep: str) -> int | None:
    """po groups 0-8 stay as they are; vo leerjaar 11-16 becomes 1-6; letters have none."""
    if not jaargroep.isdigit():
        return None
    number = int(jaargroep)
    return number - 10 if number > 10 else number


def _read(root: etree._Element) -> RosterSet:
    roster = RosterSet(source="edexml", complete=True)
    roster.school_year = _text(root.find("school"), "schooljaar")
    roster.brin = _text(root.find("school"), "brincode")

    combined: dict[str, RosterGroup] = {}
    for el in root.iterfind("groepen/*"):
        tag = str(el.tag)
        if tag == "groep":
            roster.groups.append(
                RosterGroup(
                    key=el.get("key", ""),
                    name=_text(el, "naam"),
                    kind="class",
                    year_level=_year_level(_text(el, "jaargroep")),
                )
            )
        elif tag == "samengestelde_groep":
            group = RosterGroup(key=el.get("key", ""), name=_text(el, "naam"), kind="course_group")
            combined[group.key] = group
            roster.groups.append(group)

    for el in root.iterfind("leerlingen/leerling"):
        groups: list[str] = []
        own = el.find("groep")
        if own is not None:
            groups.append(own.get("key", ""))
        groups += [sg.get("key", "") for sg in el.iterfind("samengestelde_groepen/samengestelde_groep")]
        # A combined group joins the groups of its members.
        for key in groups[1 if own is not None else 0 :]:
            sg = combined.get(key)
            if sg is not None and own is not None and own.get("key", "") not in sg.part_of:
                sg.part_of.append(own.get("key", ""))
        first_names = _text(el, "voornamen")
        given_name = _text(el, "roepnaam")
        initials = _text(el, "voorletters-1")
        roster.students.append(
            RosterStudent(
                key=el.get("key", ""),
                first_names=first_names or given_name or initials,
                given_name=given_name or (first_names.split()[0] if first_names else initials),
                last_name=_text(el, "achternaam"),
                prefix=_text(el, "voorvoegsel"),
                # EDEXML makes the birth date optional; ``None`` means "not in the file" and
                # the sync decides (keep the stored date, refuse a new student without one).
                birth_date=_date(el, "geboortedatum"),
                eckid=el.get("eckid", ""),
                bsn=_text(el, "bsn") or _text(el, "sofinummer"),
                onderwijsnummer=_text(el, "onderwijsnummer"),
                enrolment_start=_date(el, "instroomdatum"),
                enrolment_end=_date(el, "uitstroomdatum"),
                groups=groups,
                email=_text(el, "emailadres"),
            )
        )

    for el in root.iterfind("leerkrachten/leerkracht"):
        general_roles = [r.text or "" for r in el.iterfind("rol")]
        mentor_of: list[str] = []
        linked = False
        for link in el.iterfind("groepen/*"):
            linked = True
            roles = [r.text or "" for r in link.iterfind("rol")] or general_roles
            if str(link.tag) == "groep" and MENTOR_ROLE in roles:
                mentor_of.append(link.get("key", ""))
        staff_roles: set[str] = set()
        if linked:
            staff_roles.add("teacher")
        if mentor_of:
            staff_roles.add("mentor")
        voornamen = _text(el, "voornamen")
        roster.staff.append(
            RosterStaff(
                key=el.get("key", ""),
                email=_text(el, "emailadres"),
                first_name=_text(el, "roepnaam")
                or (voornamen.split()[0] if voornamen else _text(el, "voorletters-1")),
                last_name=_text(el, "achternaam"),
                prefix=_text(el, "voorvoegsel"),
                roles=staff_roles,
                mentor_of=mentor_of,
            )
        )
    return roster


# --- checks the schema cannot make --------------------------------------------------------


def _check(file: str, root: etree._Element, roster: RosterSet) -> list[Problem]:
    problems: list[Problem] = []

    def add(el: etree._Element, field: str, message: str) -> None:
        where = _("line %(line)s") % {"line": el.sourceline} + f", {_label(el)}"
        problems.append(Problem(file, where, field, message))

    group_keys: set[str] = set()
    for el in root.iterfind("groepen/*"):
        key = el.get("key", "")
        if key in group_keys:
            add(el, "key", _("The key '%(key)s' occurs more than once.") % {"key": key})
        group_keys.add(key)

    for kind in ("leerlingen/leerling", "leerkrachten/leerkracht"):
        seen: set[str] = set()
        for el in root.iterfind(kind):
            key = el.get("key", "")
            if key in seen:
                add(el, "key", _("The key '%(key)s' occurs more than once.") % {"key": key})
            seen.add(key)

    for path in (
        "leerlingen/leerling/groep",
        "leerlingen/leerling/samengestelde_groepen/samengestelde_groep",
        "leerkrachten/leerkracht/groepen/*",
    ):
        for el in root.iterfind(path):
            key = el.get("key", "")
            if key not in group_keys:
                add(
                    el,
                    "key",
                    _("The key '%(key)s' refers to %(what)s that is not in the file.")
                    % {"key": key, "what": _("a group")},
                )

    today = timezone.localdate()
    for el in root.iterfind("leerlingen/leerling"):
        birth = _date(el, "geboortedatum")
        start = _date(el, "instroomdatum")
        end = _date(el, "uitstroomdatum")
        if birth and birth > today:
            add(el, "geboortedatum", _("The date of birth lies in the future."))
        if birth and start and start < birth:
            add(el, "instroomdatum", _("The enrolment date (instroom) lies before the date of birth."))
        if start and end and end < start:
            add(
                el,
                "uitstroomdatum",
                _("The leaving date (uitstroom) lies before the enrolment date (instroom)."),
            )
    return problems
