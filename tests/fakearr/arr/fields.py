"""Provider settings fields: definitions, reading `fields[].value` the way
SchemaBuilder.ReadFromSchema converts it (§3.4), and writing them back (§2.3, §3.5, §5)."""
import json
import re

from .wire import server_error

MASK = "********"
SECRET = ("apiKey", "password")


class F:
    """One settings property. kind: str int int? float float? bool ints strs."""

    def __init__(self, name, label, kind="str", default=None, type="textbox", privacy="normal",
                 advanced=False, options=None, help=None, unit=None, hidden=None,
                 action=None, placeholder=None, section=None, help_link=None):
        self.name = name
        self.label = label
        self.kind = kind
        self.default = default
        self.type = type
        self.privacy = privacy
        self.advanced = advanced
        self.options = options
        self.help = help
        self.unit = unit
        self.hidden = hidden
        self.action = action
        self.placeholder = placeholder
        self.section = section
        self.help_link = help_link

    @property
    def secret(self):
        return self.privacy in SECRET

    def pascal(self):
        """Settings property name as validators report it: seedCriteria.seedRatio ->
        SeedCriteria.SeedRatio."""
        return ".".join(p[:1].upper() + p[1:] for p in self.name.split("."))


def options(*pairs):
    """select options from (value, name) pairs."""
    return [{"value": v, "name": n, "order": i} for i, (v, n) in enumerate(pairs)]


def defaults(defs):
    return {f.name: _copy(f.default) for f in defs}


def _copy(v):
    return list(v) if isinstance(v, list) else v


# --- reading ---------------------------------------------------------------

def read(defs, fields, existing, bool_numbers):
    """Build a fresh settings dict from constructor defaults, then copy in the
    values of fields present in the request (exact, case-sensitive names).
    existing: the stored settings used to resolve masked secrets, or None."""
    settings = defaults(defs)
    by_name = {}
    for f in fields or []:
        if f is not None and f.get("name") is not None:
            by_name[f["name"]] = f
    for d in defs:
        f = by_name.get(d.name)
        if f is None:
            continue
        raw = f.get("value")
        if d.secret and existing is not None and isinstance(raw, str) and raw == MASK:
            settings[d.name] = existing.get(d.name)
            continue
        settings[d.name] = convert(d, raw, bool_numbers)
    return settings


def _clr_fail(clr, raw):
    width = len(json.dumps(raw)) if raw is not None else 4
    return server_error("The JSON value could not be converted to %s. Path: $ | LineNumber: 0 | "
                        "BytePositionInLine: %d." % (clr, width))


def _parse_int(raw):
    if type(raw) is int:
        return raw if -2**31 <= raw < 2**31 else None
    if isinstance(raw, str) and re.fullmatch(r"\s*[-+]?[0-9]+\s*", raw):
        n = int(raw)
        return n if -2**31 <= n < 2**31 else None
    return None


def _parse_float(raw):
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def convert(d, raw, bool_numbers):
    k = d.kind
    if k in ("int", "int?"):
        n = _parse_int(raw)
        if n is None:
            return None if k == "int?" else 0  # silently 0 / null, never an error
        return n
    if k in ("float", "float?"):
        x = _parse_float(raw)
        if x is None:
            return None if k == "float?" else 0.0
        return x
    if k == "bool":
        if raw is None:
            return False
        if isinstance(raw, bool):
            return raw
        if bool_numbers and type(raw) is int and raw in (0, 1):
            return bool(raw)
        raise _clr_fail("System.Boolean", raw)
    if k == "str":
        if raw is None or isinstance(raw, str):
            return raw
        raise _clr_fail("System.String", raw)
    if k == "ints":
        if raw is None:
            return []
        if isinstance(raw, str):
            parts = [p for p in raw.split(",") if p.strip() != ""]
            out = []
            for p in parts:
                if not re.fullmatch(r"\s*[-+]?[0-9]+\s*", p):
                    raise server_error("The input string '%s' was not in a correct format." % p,
                                       "System.FormatException")
                out.append(int(p))
            return out
        if isinstance(raw, list):
            out = []
            for x in raw:
                if type(x) is not int:
                    kind = _json_kind(x)
                    if kind == "Number":
                        raise server_error("Cannot get the value of a token type 'Number' as a "
                                           "number.", "System.FormatException")
                    raise server_error("The requested operation requires an element of type "
                                       "'Number', but the target element has type '%s'." % kind,
                                       "System.InvalidOperationException")
                out.append(x)
            return out
        raise server_error("The requested operation requires an element of type 'Array', but "
                           "the target element has type '%s'." % _json_kind(raw),
                           "System.InvalidOperationException")
    if k == "strs":
        if raw is None:
            return []
        if isinstance(raw, str):
            return [p for p in raw.split(",") if p != ""]
        if isinstance(raw, list):
            for x in raw:
                if not isinstance(x, str):
                    raise server_error("The requested operation requires an element of type "
                                       "'String', but the target element has type '%s'."
                                       % _json_kind(x), "System.InvalidOperationException")
            return list(raw)
        raise _clr_fail("System.Collections.Generic.IEnumerable`1[System.String]", raw)
    raise AssertionError(k)


def _json_kind(x):
    if x is None:
        return "Null"
    if isinstance(x, bool):
        return "True" if x else "False"
    if isinstance(x, (int, float)):
        return "Number"
    if isinstance(x, str):
        return "String"
    if isinstance(x, list):
        return "Array"
    return "Object"


# --- writing ---------------------------------------------------------------

def render(defs, settings, mask=True):
    out = []
    for i, d in enumerate(defs):
        f = {"order": i, "name": d.name, "label": d.label}
        if d.unit:
            f["unit"] = d.unit
        if d.help:
            f["helpText"] = d.help
        if d.help_link:
            f["helpLink"] = d.help_link
        v = settings.get(d.name) if settings is not None else None
        if d.secret and mask and v not in (None, ""):
            v = MASK
        if v is not None:
            f["value"] = _copy(v)
        f["type"] = d.type
        f["advanced"] = d.advanced
        if d.options is not None:
            f["selectOptions"] = d.options
        if d.action:
            f["selectOptionsProviderAction"] = d.action
        if d.section:
            f["section"] = d.section
        if d.hidden:
            f["hidden"] = d.hidden
        f["privacy"] = d.privacy
        if d.placeholder:
            f["placeholder"] = d.placeholder
        f["isFloat"] = d.kind.startswith("float")
        out.append(f)
    return out
