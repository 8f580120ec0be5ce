"""THE validation of a person's fields, for forms, API and the roster importer alike.

Pure functions: no database, no clock (the caller passes `today`), fast enough to run a million
times in an import. Every problem is a `FieldError(field, code, message)` whose Chinese message
says how to fix it.

    person = validate_person({"姓名": "张三", "身份证号码": "…"}, today=clock.today())

Keys may be field names (`id_number`) or any header in `PERSON_FIELDS` (`身份证号`, `公民身份号码`…);
`field_for_header()` is the same mapping for the importer's header row.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _

from gonghui.core import cells
from gonghui.core.cells import CellError, is_blank
from gonghui.core.crypto import blind_index, blind_indexes
from gonghui.core.errors import ApplicationError
from gonghui.core.idnumber import IDNumber
from gonghui.members.choices import (
    ETHNICITIES,
    SYNONYMS,
    Education,
    EmploymentForm,
    Gender,
    HouseholdType,
    NewEmploymentGroup,
    PoliticalStatus,
    SkillLevel,
)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str  # the Chinese header of exports and templates
    headers: tuple[str, ...]  # other headers meaning the same column
    kind: str  # text | id | date | choice | phone | money | ethnicity
    required: bool = False
    choices: type[models.TextChoices] | None = None


PERSON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "姓名", ("名字", "会员姓名", "职工姓名"), "text", required=True),
    FieldSpec("id_number", "身份证号码",
              ("身份证号", "身份证", "公民身份号码", "居民身份证号码", "身份证件号码", "证件号码",
               "证件号", "身份证号码（18位）"), "id", required=True),
    FieldSpec("gender", "性别", (), "choice", choices=Gender),
    FieldSpec("birth_date", "出生日期", ("出生年月日", "生日", "出生年月"), "date"),
    FieldSpec("ethnicity", "民族", ("族别",), "ethnicity"),
    FieldSpec("phone", "手机号", ("手机", "手机号码", "联系电话", "电话", "联系方式", "移动电话"),
              "phone"),
    FieldSpec("education", "学历", ("文化程度", "最高学历"), "choice", choices=Education),
    FieldSpec("political_status", "政治面貌", (), "choice", choices=PoliticalStatus),
    FieldSpec("household_type", "户籍类型", ("户口类型", "户籍性质", "户口性质"), "choice",
              choices=HouseholdType),
    FieldSpec("employment_form", "用工形式", ("用工性质", "就业形式", "用工类型"), "choice",
              choices=EmploymentForm),
    FieldSpec("new_employment_group", "新就业形态群体",
              ("新就业形态", "新就业群体", "八大群体", "所属群体"), "choice",
              choices=NewEmploymentGroup),
    FieldSpec("employer_name", "工作单位", ("单位", "单位名称", "用人单位", "所在单位", "工作单位名称"),
              "text"),
    FieldSpec("occupation", "职业/岗位", ("职业", "岗位", "工种", "职务"), "text"),
    FieldSpec("skill_level", "技能等级", ("职业技能等级", "技术等级"), "choice", choices=SkillLevel),
    FieldSpec("monthly_wage", "月工资", ("月工资（元）", "月收入", "工资", "月工资收入"), "money"),
)  # fmt: skip

# Membership columns of a roster (the importer's; forms have their own widgets).
MEMBERSHIP_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("joined_on", "入会日期", ("入会时间", "入会年月", "加入工会时间"), "date"),
    FieldSpec("card_number", "会员证号", ("会员卡号", "会员证编号", "会员编号"), "text"),
)

TEXT_LIMITS = {"name": 64, "employer_name": 200, "occupation": 64, "card_number": 20}
MAX_WAGE = Decimal("1000000.00")
MIN_WORKING_AGE = 16  # 劳动法 §15: employers may not hire under 16


def normalize_header(text: object) -> str:
    """`身份证 号码 ` / `身份证号码（18位）` full-width → one comparable key."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*＊:：]", "", value)


_HEADER_INDEX: dict[str, str] = {}
for _spec in (*PERSON_FIELDS, *MEMBERSHIP_FIELDS):
    for _header in (_spec.name, _spec.label, *_spec.headers):
        _HEADER_INDEX[normalize_header(_header)] = _spec.name
_SPECS = {s.name: s for s in (*PERSON_FIELDS, *MEMBERSHIP_FIELDS)}
_REQUIRED = frozenset(s.name for s in PERSON_FIELDS if s.required)


@functools.lru_cache(maxsize=4096)
def _field_for_header(header: str) -> str | None:
    key = normalize_header(header)
    if key in _HEADER_INDEX:
        return _HEADER_INDEX[key]
    stripped = re.sub(r"\(.*?\)$", "", key)
    return _HEADER_INDEX.get(stripped)


def field_for_header(header: object) -> str | None:
    """The field a roster header means, or None. Parenthesised notes are ignored
    (`月工资(元)`, `身份证号码（18位）`)."""
    if isinstance(header, str):
        return _field_for_header(header)
    key = normalize_header(header)
    if key in _HEADER_INDEX:
        return _HEADER_INDEX[key]
    stripped = re.sub(r"\(.*?\)$", "", key)
    return _HEADER_INDEX.get(stripped)


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_tuple(self) -> tuple[str, str, str]:
        return (self.field, self.code, self.message)


class PersonInvalid(ApplicationError):
    """One or more fields are wrong; `errors` lists each with how to fix it."""

    def __init__(self, errors: list[FieldError]) -> None:
        labels = {s.name: s.label for s in (*PERSON_FIELDS, *MEMBERSHIP_FIELDS)}
        text = "；".join(f"{labels.get(e.field, e.field)}：{e.message}" for e in errors)
        super().__init__(text, code="person_invalid",
                         extra={"errors": [e.as_tuple() for e in errors]})
        self.errors = errors


@dataclass(frozen=True)
class ValidatedPerson:
    name: str
    id_number: str
    id_hash: str
    gender: str
    birth_date: dt.date
    ethnicity: str = ""
    phone: str = ""
    education: str = ""
    political_status: str = ""
    household_type: str = ""
    employment_form: str = ""
    new_employment_group: str = ""
    employer_name: str = ""
    occupation: str = ""
    skill_level: str = ""
    monthly_wage: Decimal | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    def model_fields(self) -> dict[str, object]:
        """Keyword arguments for Person (everything except `extra`)."""
        return {k: getattr(self, k) for k in PERSON_FIELD_NAMES}

    def data(self) -> dict[str, object]:
        """JSON-safe fields without the ID number (an application's `data`)."""
        out: dict[str, object] = {}
        for name in PERSON_FIELD_NAMES:
            if name in ("id_number", "id_hash"):
                continue
            value = getattr(self, name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            out[name] = value
        return out


PERSON_FIELD_NAMES = (
    "name", "id_number", "id_hash", "gender", "birth_date", "ethnicity", "phone", "education",
    "political_status", "household_type", "employment_form", "new_employment_group",
    "employer_name", "occupation", "skill_level", "monthly_wage",
)  # fmt: skip


def _blank(value: object) -> bool:
    return is_blank(value)


def _text(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return re.sub(r"\s+", " ", text)


# --- individual parsers (public: the importer and forms reuse them) -------------------------
# Dates, phones and money are core.cells' rules; these wrappers add only what is the member
# registry's own (its error codes, the wage ceiling).


def parse_date(value: object) -> dt.date:
    """core.cells.parse_date (ISO, dots, 年月日, 20180122, Excel serials of 1900–2099).
    An Excel serial outside that range reports `date_format` like any other unreadable date."""
    try:
        parsed = cells.parse_date(value)
    except CellError as exc:
        if exc.code == "date_serial":
            raise CellError("date_format", exc.message) from None
        raise
    assert parsed is not None  # required=True: blank raised
    return parsed


def parse_phone(value: object) -> str:
    """A mainland mobile number (core.cells.parse_phone)."""
    return cells.parse_phone(value)


def parse_money(value: object) -> Decimal:
    """A monthly wage: core.cells.parse_money (yuan to the fen, never negative), below
    MAX_WAGE — a bigger figure is almost always a unit mistake (fen or 万元)."""
    try:
        amount = cells.parse_money(value, maximum=MAX_WAGE)
    except CellError as exc:
        if exc.code != "money_range":
            raise
        amount = None
    if amount is None:
        raise CellError("money_range", _("月工资 {value} 元超出合理范围，请核对单位是否为元。").format(
            value=value))
    return amount


_CHOICE_INDEX: dict[type[models.TextChoices], dict[str, str]] = {}


def _choice_index(choices: type[models.TextChoices]) -> dict[str, str]:
    index = _CHOICE_INDEX.get(choices)
    if index is None:
        index = {}
        for word, value in SYNONYMS.get(choices, {}).items():
            index[normalize_header(word)] = value
        for value, label in choices.choices:
            index[normalize_header(str(label))] = value
            index[normalize_header(value).lower()] = value
        _CHOICE_INDEX[choices] = index
    return index


def parse_choice(value: object, choices: type[models.TextChoices]) -> str:
    """A code from its code, Chinese label or a synonym (`本科` → bachelor)."""
    if isinstance(value, str):
        return _parse_choice_cached(value, choices)
    return _parse_choice(value, choices)


@functools.lru_cache(maxsize=4096)
def _parse_choice_cached(value: str, choices: type[models.TextChoices]) -> str:
    # roster columns repeat a handful of values a million times: parse each once
    return _parse_choice(value, choices)


def _parse_choice(value: object, choices: type[models.TextChoices]) -> str:
    key = normalize_header(value)
    index = _choice_index(choices)
    if key in index:
        return index[key]
    if key.lower() in index:
        return index[key.lower()]
    labels = "、".join(str(label) for v, label in choices.choices if v)
    raise CellError("choice", _("“{value}”不是可选值，请填写：{labels}。").format(
        value=value, labels=labels))


_ETHNICITY_INDEX = {e: e for e in ETHNICITIES} | {
    e.removesuffix("族"): e for e in ETHNICITIES if e.endswith("族")
}


@functools.lru_cache(maxsize=1024)
def _parse_ethnicity_cached(value: str) -> str:
    return _parse_ethnicity(value)


def parse_ethnicity(value: object) -> str:
    if isinstance(value, str):
        return _parse_ethnicity_cached(value)
    return _parse_ethnicity(value)


def _parse_ethnicity(value: object) -> str:
    key = normalize_header(value)
    if key in _ETHNICITY_INDEX:
        return _ETHNICITY_INDEX[key]
    raise CellError("ethnicity", _("“{value}”不是民族名称，请填写如“汉族”“回族”。").format(value=value))


_NAME = re.compile(r"^[\u3400-\u9fff\U00020000-\U0002ebefA-Za-z·•．. ]{1,64}$")


def parse_name(value: object) -> str:
    name = _text(value).replace("•", "·").replace("．", "·")
    if not name:
        raise CellError("required", _("姓名不能为空。"))
    if len(name) > TEXT_LIMITS["name"] or not _NAME.match(name):
        raise CellError("name", _("姓名“{value}”含有数字或符号，请只填写姓名（少数民族姓名中间用“·”）。").format(
            value=value))
    return name


# --- the one entry point ---------------------------------------------------------------------


def _canonical(fields: Mapping[str, object]) -> dict[str, object]:
    """Accept field names and headers; the first non-blank value of a field wins."""
    out: dict[str, object] = {}
    for key, value in fields.items():
        name = key if key in _SPECS else field_for_header(key)
        if name is None:
            continue
        if name not in out or _blank(out[name]):
            out[name] = value
    return out


def parse_field(spec: FieldSpec, value: object) -> object:
    """One non-blank cell of a field other than the ID number, parsed by its kind's rule;
    raises CellError. The single definition each path uses: `check_person` per row, the
    column-wise check (`validation_columns`) once per distinct value of a column."""
    if spec.kind == "text":
        if spec.name == "name":
            return parse_name(value)
        text = _text(value)
        limit = TEXT_LIMITS[spec.name]
        if len(text) > limit:
            raise CellError("too_long", _("{label}最多 {n} 个字。").format(
                label=spec.label, n=limit))
        return text
    if spec.kind == "date":
        return parse_date(value)
    if spec.kind == "choice":
        assert spec.choices is not None
        return parse_choice(value, spec.choices)
    if spec.kind == "phone":
        return parse_phone(value)
    if spec.kind == "money":
        return parse_money(value)
    if spec.kind == "ethnicity":
        return parse_ethnicity(value)
    raise ValueError(f"no parser for {spec.kind}")


def required_error(spec: FieldSpec) -> FieldError:
    return FieldError(spec.name, "required", _("{label}不能为空。").format(label=spec.label))


def too_young(birth_date: dt.date, today: dt.date) -> bool:
    """Under 16 on `today` (劳动法 §15); born on 29 February: of age on 28 February."""
    return _add_years(birth_date, MIN_WORKING_AGE) > today


def cross_errors(parsed_id: IDNumber, values: dict[str, object], *,
                 today: dt.date) -> list[FieldError]:
    """What the ID number says against the other fields: gender, birth date, age."""
    errors = []
    gender = values.get("gender")
    if gender and gender != parsed_id.gender:
        errors.append(FieldError("gender", "gender_mismatch", _(
            "性别与身份证号码不符（号码第 17 位表示{expected}），请核对性别或号码。"
        ).format(expected=Gender(parsed_id.gender).label)))
    birth = values.get("birth_date")
    if birth and birth != parsed_id.birth_date:
        errors.append(FieldError("birth_date", "birth_mismatch", _(
            "出生日期与身份证号码不符（号码中为 {expected}），请核对出生日期或号码。"
        ).format(expected=parsed_id.birth_date.isoformat())))
    if too_young(parsed_id.birth_date, today):
        errors.append(FieldError("id_number", "too_young", _(
            "按身份证号码，本人未满 {n} 周岁，不能加入工会。"
        ).format(n=MIN_WORKING_AGE)))
    return errors


def check_person(
    fields: Mapping[str, object], *, today: dt.date, required: tuple[str, ...] = ()
) -> tuple[ValidatedPerson | None, list[FieldError]]:
    """Validate without raising: (person, []) or (None, errors)."""
    raw = _canonical(fields)
    errors: list[FieldError] = []
    values: dict[str, object] = {}
    parsed_id: IDNumber | None = None
    needed = _REQUIRED | set(required) if required else _REQUIRED
    for spec in PERSON_FIELDS:
        value = raw.get(spec.name)
        if _blank(value):
            if spec.name in needed:
                errors.append(required_error(spec))
            continue
        try:
            if spec.kind == "id":
                parsed_id = cells.parse_id_number(value, today=today)
                values["id_number"] = parsed_id.number
            else:
                values[spec.name] = parse_field(spec, value)
        except CellError as exc:
            errors.append(FieldError(spec.name, exc.code, exc.message))
    if parsed_id is not None:
        errors += cross_errors(parsed_id, values, today=today)
        values["gender"] = parsed_id.gender
        values["birth_date"] = parsed_id.birth_date
    if errors:
        return None, errors
    values["id_hash"] = id_hash(values["id_number"])  # type: ignore[arg-type]
    extra = {s.name: raw[s.name] for s in MEMBERSHIP_FIELDS if s.name in raw}
    return ValidatedPerson(**values, extra=extra), []  # type: ignore[arg-type]


def validate_person(
    fields: Mapping[str, object], *, today: dt.date, required: tuple[str, ...] = ()
) -> ValidatedPerson:
    """Validate and normalise a person's fields; raises PersonInvalid listing every problem.

    `required` adds fields that must be present here (the portal requires `phone`)."""
    person, errors = check_person(fields, today=today, required=required)
    if errors:
        raise PersonInvalid(errors)
    assert person is not None
    return person


def check_joined_on(value: object, *, birth_date: dt.date, today: dt.date) -> dt.date:
    """A join date: parsed, not in the future, not before the person turned 16.
    Raises PersonInvalid (field `joined_on`)."""
    try:
        joined = parse_date(value)
    except CellError as exc:
        raise PersonInvalid([FieldError("joined_on", exc.code, exc.message)]) from None
    if joined > today:
        raise PersonInvalid([FieldError("joined_on", "future", _("入会日期不能晚于今天。"))])
    if joined_too_early(joined, birth_date):
        raise PersonInvalid([FieldError("joined_on", "too_early", _(
            "入会日期早于本人年满 {n} 周岁的日期，请核对。").format(n=MIN_WORKING_AGE))])
    return joined


def joined_too_early(joined: dt.date, birth_date: dt.date) -> bool:
    return joined < _add_years(birth_date, MIN_WORKING_AGE)


def id_hash(number: str) -> str:
    """The blind index of a *normalised* ID number (the one stored in Person.id_hash)."""
    return blind_index(number, purpose="id")


def id_hashes(numbers: list[str]) -> list[str]:
    """`id_hash` of each number (the roster importer's chunks)."""
    return blind_indexes(numbers, purpose="id")


def id_hash_of(raw: object, *, today: dt.date) -> str | None:
    """Blind index of a typed-in number, or None if it is not a valid number (search boxes)."""
    try:
        return id_hash(cells.parse_id_number(raw, today=today).number)
    except CellError:
        return None


def _add_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def clean_phone(value: object) -> str:
    """One mobile number (registration forms); raises PersonInvalid (field `phone`)."""
    try:
        return parse_phone(value)
    except CellError as exc:
        raise PersonInvalid([FieldError("phone", exc.code, exc.message)]) from None
