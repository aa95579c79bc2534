"""Model binding as System.Text.Json does it with the apps' options (§3.1-3.3, 3.6).

A property spec maps a camelCase name to a type:
  "int" "bool" "string" "any" "intset" "intlist" "strlist" "fields" "message"
  ("enum", "CLR.Type.Name", [names...])  ("object", "CLR.Type.Name", {spec})
  ("list", "CLR.List.Type", itemtype)
Property names are matched case-insensitively; unknown properties are ignored;
the first conversion failure ends binding with a 400 ProblemDetails.
"""
import json
import re

from .wire import problem

INT32 = (-2**31, 2**31 - 1)


class BindError(Exception):
    def __init__(self, path, clr):
        super().__init__(path)
        self.path = path
        self.clr = clr


CLR = {"int": "System.Int32", "bool": "System.Boolean", "string": "System.String",
       "intset": "System.Collections.Generic.HashSet`1[System.Int32]",
       "intlist": "System.Collections.Generic.List`1[System.Int32]",
       "strlist": "System.Collections.Generic.List`1[System.String]"}

PRIVACY = ("enum", "NzbDrone.Core.Annotations.PrivacyLevel",
           ["normal", "password", "apiKey", "userName"])


def field_spec(ns):
    option = ("object", "NzbDrone.Core.Annotations.SelectOption",
              {"value": "int", "name": "string", "order": "int", "hint": "string",
               "parentValue": "int?"})
    return {"order": "int", "name": "string", "label": "string", "unit": "string",
            "helpText": "string", "helpTextWarning": "string", "helpLink": "string",
            "value": "any", "type": "string", "advanced": "bool",
            "selectOptions": ("list", "System.Collections.Generic.List`1[%s]" % option[1],
                              option),
            "selectOptionsProviderAction": "string", "section": "string", "hidden": "string",
            "privacy": PRIVACY, "placeholder": "string", "isFloat": "bool"}


class Binder:
    def __init__(self, runtime, ns, bool_numbers):
        self.runtime = runtime          # "net6" | "net8" (ProblemDetails links)
        self.ns = ns                    # "Sonarr" | "Radarr" | "Prowlarr" (CLR names)
        self.bool_numbers = bool_numbers  # Prowlarr's BooleanConverter accepts 1/0

    # -- entry points -----------------------------------------------------
    def parse(self, raw):
        """Body text -> JSON value, or a 400 ProblemDetails."""
        if raw is None or not raw.strip():
            raise problem(self.runtime, 400, {"": ["A non-empty request body is required."]})
        try:
            text = raw.decode("utf-8")
            return json.loads(_strip_trailing_commas(text), parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as e:
            line, col = _position(raw, e)
            msg = ("'%s' is an invalid JSON literal. Path: $ | LineNumber: %d | "
                   "BytePositionInLine: %d." % (_snippet(raw, e), line, col))
            raise problem(self.runtime, 400, {"$": [msg]})

    def bind(self, value, spec, clr_root):
        try:
            if not isinstance(value, dict):
                raise BindError("$", clr_root)
            return self._object(value, spec, "$")
        except BindError as e:
            msg = ("The JSON value could not be converted to %s. Path: %s | LineNumber: 0 | "
                   "BytePositionInLine: 0." % (e.clr, e.path))
            raise problem(self.runtime, 400, {e.path: [msg]})

    # -- conversions ------------------------------------------------------
    def _object(self, obj, spec, path):
        lower = {k.lower(): k for k in spec}
        out = {}
        for key, val in obj.items():
            name = lower.get(key.lower())
            if name is None:
                continue
            out[name] = self.convert(val, spec[name], "%s.%s" % (path, key))
        return out

    def convert(self, v, t, path):
        if t == "any":
            return v
        if isinstance(t, tuple):
            kind = t[0]
            if kind == "enum":
                return self._enum(v, t, path)
            if kind == "object":
                if v is None:
                    return None
                if not isinstance(v, dict):
                    raise BindError(path, t[1])
                return self._object(v, t[2], path)
            if kind == "list":
                if v is None:
                    return None
                if not isinstance(v, list):
                    raise BindError(path, t[1])
                return [self.convert(x, t[2], "%s[%d]" % (path, i)) for i, x in enumerate(v)]
        nullable = t.endswith("?")
        base = t.rstrip("?")
        if base == "int":
            if v is None and nullable:
                return None
            return self._int(v, path, CLR["int"] if not nullable else "System.Nullable`1[System.Int32]")
        if base == "bool":
            if v is None and nullable:
                return None
            if isinstance(v, bool):
                return v
            if self.bool_numbers and type(v) is int and v in (0, 1):
                return bool(v)
            raise BindError(path, CLR["bool"])
        if base == "string":
            if v is None or isinstance(v, str):
                return v
            raise BindError(path, CLR["string"])
        if base in ("intset", "intlist"):
            if v is None:
                return None
            if not isinstance(v, list):
                raise BindError(path, CLR[base])
            return [self._int(x, "%s[%d]" % (path, i), CLR["int"]) for i, x in enumerate(v)]
        if base == "strlist":
            if v is None:
                return None
            if not isinstance(v, list):
                raise BindError(path, CLR[base])
            out = []
            for i, x in enumerate(v):
                if x is not None and not isinstance(x, str):
                    raise BindError("%s[%d]" % (path, i), CLR["string"])
                out.append(x)
            return out
        if base == "fields":
            if v is None:
                return None
            clr = "System.Collections.Generic.List`1[%s.Http.ClientSchema.Field]" % self.ns
            if not isinstance(v, list):
                raise BindError(path, clr)
            fs = field_spec(self.ns)
            out = []
            for i, x in enumerate(v):
                p = "%s[%d]" % (path, i)
                if x is None:
                    out.append(None)
                    continue
                if not isinstance(x, dict):
                    raise BindError(p, "%s.Http.ClientSchema.Field" % self.ns)
                out.append(self._object(x, fs, p))
            return out
        if base == "message":
            return self.convert(v, ("object", "%s.Http.ClientSchema.ProviderMessage" % self.ns,
                                    {"message": "string", "type": (
                                        "enum", "NzbDrone.Core.ThingiProvider.ProviderMessageType",
                                        ["info", "warning", "error"])}), path)
        raise AssertionError("unknown type " + t)

    def _int(self, v, path, clr):
        # Web defaults: numbers, and numbers written as strings, are read;
        # a fraction (25.0, 25.5), a bool or null is a conversion failure.
        if type(v) is int and INT32[0] <= v <= INT32[1]:
            return v
        if isinstance(v, str) and re.fullmatch(r"-?[0-9]+", v):
            n = int(v)
            if INT32[0] <= n <= INT32[1]:
                return n
        raise BindError(path, clr)

    def _enum(self, v, t, path):
        names = t[2]
        if type(v) is int:
            return v  # integers are allowed, even outside the defined members
        if isinstance(v, str):
            for i, n in enumerate(names):
                if n.lower() == v.strip().lower():
                    return i
            if re.fullmatch(r"-?[0-9]+", v.strip()):
                return int(v)
        raise BindError(path, t[1])


def enum_name(names, value):
    """Output: camelCase name, or the number when it is not a defined member."""
    if isinstance(value, int) and 0 <= value < len(names):
        return names[value]
    return value


def _reject_constant(name):
    raise ValueError("invalid literal " + name)


def _strip_trailing_commas(text):
    """AllowTrailingCommas: drop a comma that is followed only by whitespace and ] or }."""
    out = []
    i, n, in_str = 0, len(text), False
    while i < n:
        ch = text[i]
        if in_str:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
            out.append(ch)
        elif ch == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "]}":
                i += 1
                continue
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _position(raw, e):
    pos = getattr(e, "pos", 0) or 0
    before = raw[:pos]
    line = before.count(b"\n")
    col = pos - (before.rfind(b"\n") + 1)
    return line, col


def _snippet(raw, e):
    pos = getattr(e, "pos", 0) or 0
    return raw[pos:pos + 1].decode("utf-8", "replace") or "end"
