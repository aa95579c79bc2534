"""Where a value sits in a JSON text, the way System.Text.Json reports it in
"Path: $.x | LineNumber: L | BytePositionInLine: B": L counts lines from 0 and B
is the byte offset in that line just after the token that failed (for an object
or array, just after its opening bracket)."""
import re

_WS = re.compile(rb"[ \t\r\n]*")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(rb"-?[0-9][0-9.eE+-]*|true|false|null")


def locate(raw, wanted):
    """(line, byte position) for the JSON path `wanted`, or (0, 0) if not found."""
    found = {}
    try:
        _value(raw, _skip(raw, 0), "$", wanted, found)
    except (IndexError, ValueError, _Found):
        pass
    end = found.get("end")
    if end is None:
        return 0, 0
    line_start = raw.rfind(b"\n", 0, end) + 1
    return raw.count(b"\n", 0, end), end - line_start


class _Found(Exception):
    pass


def _skip(raw, i):
    return _WS.match(raw, i).end()


def _value(raw, i, path, wanted, found):
    ch = raw[i:i + 1]
    if ch == b"{":
        if path == wanted:
            found["end"] = i + 1
            raise _Found
        i = _skip(raw, i + 1)
        while raw[i:i + 1] != b"}":
            m = _STRING.match(raw, i)
            key = m.group(0)[1:-1].decode("utf-8", "replace")
            i = _skip(raw, m.end())
            i = _skip(raw, i + 1)  # the colon
            i = _skip(raw, _value(raw, i, "%s.%s" % (path, key), wanted, found))
            if raw[i:i + 1] == b",":
                i = _skip(raw, i + 1)
        return i + 1
    if ch == b"[":
        if path == wanted:
            found["end"] = i + 1
            raise _Found
        i = _skip(raw, i + 1)
        n = 0
        while raw[i:i + 1] != b"]":
            i = _skip(raw, _value(raw, i, "%s[%d]" % (path, n), wanted, found))
            n += 1
            if raw[i:i + 1] == b",":
                i = _skip(raw, i + 1)
        return i + 1
    m = _STRING.match(raw, i) if ch == b'"' else _SCALAR.match(raw, i)
    if m is None:
        raise ValueError("bad JSON at %d" % i)
    if path == wanted:
        found["end"] = m.end()
        raise _Found
    return m.end()
