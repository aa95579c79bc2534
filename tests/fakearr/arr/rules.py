"""Validation rules of the apps' settings controllers, written once: FluentValidation's
built-in validators with their English messages and error codes (the plain failure shape,
ARR-API.md section 4.1) and the apps' own path/port helpers; plus the loader of the reference
resources (tests/fakearr/reference/resources, a copy of the project's API reference)."""
import json
import os

from .wire import error_model, plain_failure, split_words

REF = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference",
                   "resources")


def load(app, name):
    """reference/resources/<app>/<name>.json"""
    with open(os.path.join(REF, app, name + ".json"), encoding="utf-8") as f:
        return json.load(f)


def gte(prop, value, n, label=None):
    """GreaterThanOrEqualTo(n)"""
    if value is not None and value < n:
        return [plain_failure(prop, "'%s' must be greater than or equal to '%d'." % (
            label or split_words(prop), n), "GreaterThanOrEqualValidator", value,
            {"comparisonValue": n})]
    return []


def between(prop, value, lo, hi):
    """InclusiveBetween(lo, hi)"""
    if value is None or not lo <= value <= hi:
        return [plain_failure(prop, "'%s' must be between %d and %d. You entered %s." % (
            split_words(prop), lo, hi, value), "InclusiveBetweenValidator", value,
            {"from": lo, "to": hi})]
    return []


def required(prop, value):
    """NotEmpty()"""
    if value is None or (isinstance(value, (str, list)) and not (
            value.strip() if isinstance(value, str) else value)):
        return [plain_failure(prop, "'%s' must not be empty." % split_words(prop),
                              "NotEmptyValidator", value)]
    return []


def valid_port(prop, value):
    """RuleBuilderExtensions.ValidPort: 1-65535, and above 1024 unless 80 or 443."""
    fails = between(prop, value, 1, 65535)
    if not fails and value <= 1024 and value not in (80, 443):
        fails.append(plain_failure(prop, "The specified condition was not met for '%s'."
                                   % split_words(prop), "PredicateValidator", value))
    return fails


def valid_path(prop, value):
    """PathValidator (IsValidPath): a rooted path on Linux."""
    if not (isinstance(value, str) and value.startswith("/") and "\0" not in value):
        return [plain_failure(prop, "Invalid Path: '%s'" % (value or ""), "PathValidator",
                              value)]
    return []


def location(app, route, rid):
    return {"Location": "%s/api/%s/%s/%d" % (app.url_base, app.api_version, route, rid)}


def missing(what, rid):
    # ModelNotFoundException -> 404 ErrorModel (the apps' error pipeline)
    msg = "%s with ID %d does not exist" % (what, rid)
    return error_model(404, msg, "NzbDrone.Core.Datastore.ModelNotFoundException: " + msg)
