"""Provider settings fields: definitions, reading `fields[].value` the way
SchemaBuilder.ReadFromSchema converts it (§3.4), and writing them back (§2.3, §3.5, §5)."""
import json
import re

from .wire import server_error

MASK = "********"
SECRET = ("apiKey", "password")


# Key order of a serialised Field (schemas/README.md, "Serialisation rules").
FIELD_KEYS = ["order", "name", "label", "unit", "helpText", "helpTextWarning", "helpLink", "value",
              "type", "advanced", "selectOptions", "selectOptionsProviderAction", "section", "hidden",
              "privacy", "placeholder", "isFloat"]
LIST_OF_STRINGS = ("tag", "textbox", "device", "playlist", "bookshelf")


def kind_of(doc):
    """The C# property type behind a /schema field, as far as the document shows it.

    The JSON kind of `value` follows the property type, not `type` (schemas/README.md):
    8080 -> int, "x" -> string, [5030] -> IEnumerable<int>, ["a"] -> IEnumerable<string>.
    A null value is omitted, so then only `type`/`isFloat` speak: number -> int? or double?,
    checkbox -> bool, tag -> IEnumerable<string>, a select with options -> int?. Where the
    document cannot tell (a select without options or value, an empty list without
    options), the fake takes what it is given ("any scalar"/"list"): no source says more.
    """
    v, t = doc.get("value"), doc.get("type")
    floaty = bool(doc.get("isFloat"))
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "float" if floaty or isinstance(v, float) else "int"
    if isinstance(v, str):
        return "str"
    if isinstance(v, list):
        if v and all(type(x) is int for x in v):
            return "ints"
        if v and all(isinstance(x, str) for x in v):
            return "strs"
        if v:
            return "any"
        if doc.get("selectOptions"):
            return "ints"
        if t in LIST_OF_STRINGS:
            return "strs"
        if t == "keyValueList":
            return "any"
        return "list"
    if t == "checkbox":
        return "bool"
    if t == "number":
        return "float?" if floaty else "int?"
    if t in ("tag", "tagSelect"):
        return "strs"
    if t == "select":
        return "int?" if doc.get("selectOptions") else "scalar"
    return "str"


class F:
    """One settings property, described by its field in the app's /schema document."""

    def __init__(self, doc):
        self.doc = doc
        self.name = doc["name"]
        self.kind = kind_of(doc)
        self.default = doc.get("value")
        self.privacy = doc.get("privacy", "normal")

    @property
    def secret(self):
        # Masked on output, un-masked on input (ARR-API 5). Readarr's Field has no privacy
        # and its SchemaBuilder masks nothing (schemas/README.md): no secrets there.
        return self.privacy in SECRET

    def pascal(self):
        """Settings property name as validators report it: seedCriteria.seedRatio ->
        SeedCriteria.SeedRatio."""
        return ".".join(p[:1].upper() + p[1:] for p in self.name.split("."))


def defaults(defs):
    return {f.name: _copy(f.default) for f in defs}


def _copy(v):
    return json.loads(json.dumps(v)) if isinstance(v, (list, dict)) else v


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
            # Split(',', RemoveEmptyEntries).Select(Trim) (SchemaBuilder.GetValueConverter)
            return [p.strip() for p in raw.split(",") if p != ""]
        if isinstance(raw, list):
            for x in raw:
                if not isinstance(x, str):
                    raise server_error("The requested operation requires an element of type "
                                       "'String', but the target element has type '%s'."
                                       % _json_kind(x), "System.InvalidOperationException")
            return list(raw)
        raise _clr_fail("System.Collections.Generic.IEnumerable`1[System.String]", raw)
    if k == "scalar":
        # A select whose kind the document does not show (options from a provider action).
        if isinstance(raw, (list, dict)):
            raise _clr_fail("System.String", raw)
        return raw
    if k == "list":
        if raw is None:
            return []
        if isinstance(raw, str):
            return [p.strip() for p in raw.split(",") if p != ""]
        if isinstance(raw, list) and all(not isinstance(x, (list, dict)) for x in raw):
            return list(raw)
        raise server_error("The requested operation requires an element of type 'Array', but "
                           "the target element has type '%s'." % _json_kind(raw),
                           "System.InvalidOperationException")
    if k == "any":
        return raw
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
    """Fields as the app serialises them: the document's field with the stored value."""
    out = []
    for i, d in enumerate(defs):
        v = settings.get(d.name) if settings is not None else None
        if d.secret and mask and v not in (None, ""):
            v = MASK
        f = {}
        for key in FIELD_KEYS:
            if key == "order":
                f["order"] = i
            elif key == "value":
                if v is not None:
                    f["value"] = _copy(v)
            elif key in d.doc:
                f[key] = d.doc[key]
        out.append(f)
    return out
