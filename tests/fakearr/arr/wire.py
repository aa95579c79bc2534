"""Response bodies the real apps write: JSON text, ProblemDetails, ErrorModel,
and the two validation-failure shapes (plain FluentValidation, NzbDrone)."""
import json
import os


class ApiError(Exception):
    """An HTTP answer other than success, raised anywhere in request handling."""

    def __init__(self, status, body, content_type="application/json", headers=None):
        super().__init__(status)
        self.status = status
        self.body = body  # a JSON-able value, or str/bytes for raw bodies
        self.content_type = content_type
        self.headers = headers or {}


def dumps(value):
    """STJson writes indented camelCase JSON with nulls omitted by the callers."""
    return json.dumps(_clean_floats(value), indent=2, ensure_ascii=False)


def _clean_floats(v):
    # .NET writes the double 1.0 as 1; Python would write 1.0.
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    if isinstance(v, list):
        return [_clean_floats(x) for x in v]
    if isinstance(v, dict):
        return {k: _clean_floats(x) for k, x in v.items()}
    return v


def trace_id():
    return "00-%s-%s-00" % (os.urandom(16).hex(), os.urandom(8).hex())


# ProblemDetails "type" links: .NET 6 (Sonarr v4, Radarr v5) cite RFC 7231,
# .NET 8 (Prowlarr 2.x) cites RFC 9110.
_TYPES = {
    "net6": {400: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
             404: "https://tools.ietf.org/html/rfc7231#section-6.5.4",
             405: "https://tools.ietf.org/html/rfc7231#section-6.5.5",
             415: "https://tools.ietf.org/html/rfc7231#section-6.5.13"},
    "net8": {400: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
             404: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
             405: "https://tools.ietf.org/html/rfc9110#section-15.5.6",
             415: "https://tools.ietf.org/html/rfc9110#section-15.5.16"},
}
_TITLES = {400: "One or more validation errors occurred.", 404: "Not Found",
           405: "Method Not Allowed", 415: "Unsupported Media Type"}


def problem(runtime, status, errors=None):
    body = {"type": _TYPES[runtime][status], "title": _TITLES[status], "status": status,
            "traceId": trace_id()}
    if errors is not None:
        body["errors"] = errors
    return ApiError(status, body, "application/problem+json; charset=utf-8")


def error_model(status, message, description=None):
    body = {"message": message}
    if description is not None:
        body["description"] = description
    return ApiError(status, body)


def server_error(message, exc_type="System.Text.Json.JsonException"):
    """An unhandled exception: 500 with the ErrorModel (message + exception text)."""
    return error_model(500, message, "%s: %s\n   at NzbDrone (fakearr)" % (exc_type, message))


def bad_request(content):
    """BadRequestException: {"message": "BadRequest: x", "content": "x"}."""
    return ApiError(400, {"message": "BadRequest: " + content, "content": content})


# --- validation failures -------------------------------------------------

def split_words(pascal):
    """FluentValidation's display name: 'ConfigContract' -> 'Config Contract'."""
    out = ""
    for i, ch in enumerate(pascal):
        if i and ch.isupper() and not pascal[i - 1].isupper():
            out += " "
        out += ch
    return out


def plain_failure(prop, message, code, attempted=None, extra=None, has_attempted=True):
    """Resource-phase failure (FluentValidation ValidationFailure, §4.1)."""
    f = {"propertyName": prop, "errorMessage": message}
    if has_attempted and attempted is not None:
        f["attemptedValue"] = attempted
    f["severity"] = "error"
    f["errorCode"] = code
    f["formattedMessageArguments"] = []
    ph = dict(extra or {})
    ph["propertyName"] = split_words(prop)
    ph["propertyValue"] = attempted
    f["formattedMessagePlaceholderValues"] = ph
    return f


def not_empty(prop, value):
    return plain_failure(prop, "'%s' must not be empty." % split_words(prop), "NotEmptyValidator",
                         value)


def drone_failure(prop, message, warning=False, attempted=None, detailed=None, info_link=None,
                  from_validator=False):
    """Settings-validation / test failure (NzbDroneValidationFailure, §4.2).
    from_validator: a rule marked AsWarning() carries customState {isWarning: true}."""
    f = {"isWarning": bool(warning)}
    if detailed:
        f["detailedDescription"] = detailed
    if info_link:
        f["infoLink"] = info_link
    f["propertyName"] = prop
    f["errorMessage"] = message
    if attempted is not None:
        f["attemptedValue"] = attempted
    if warning and from_validator:
        f["customState"] = {"isWarning": True}
    f["severity"] = "error"
    return f


def fail_validation(failures, include_warnings):
    """VerifyValidationResult: drop warnings when forced; errors first, then warnings."""
    if not include_warnings:
        failures = [f for f in failures if not f["isWarning"]]
    if failures:
        errors = [f for f in failures if not f["isWarning"]]
        warnings = [f for f in failures if f["isWarning"]]
        raise ApiError(400, errors + warnings)
