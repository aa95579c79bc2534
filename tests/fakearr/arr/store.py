"""The fake's database: tables of JSON records behind one lock, with the real
schema's UNIQUE indexes (exact, case-sensitive like SQLite's BINARY collation),
and an optional state file so a restarted fake keeps its data."""
import copy
import json
import os
import threading

from .wire import error_model


class Store:
    def __init__(self, path=None):
        self.lock = threading.RLock()
        self.path = path
        self.tables = {}
        self.next_ids = {}
        self.meta = {}
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            self.tables = {t: {int(k): v for k, v in rows.items()}
                           for t, rows in data.get("tables", {}).items()}
            self.next_ids = data.get("next_ids", {})
            self.meta = data.get("meta", {})

    @property
    def loaded(self):
        return bool(self.tables)

    def all(self, table):
        with self.lock:
            return [copy.deepcopy(r) for _, r in sorted(self.tables.get(table, {}).items())]

    def get(self, table, rid):
        with self.lock:
            r = self.tables.get(table, {}).get(rid)
            return copy.deepcopy(r) if r is not None else None

    def _check_unique(self, table, rec, unique, rid):
        for col in unique:
            for other_id, other in self.tables.get(table, {}).items():
                if other_id != rid and other.get(col) is not None and \
                        other.get(col) == rec.get(col):
                    msg = "constraint failed\r\nUNIQUE constraint failed: %s.%s" % (
                        table, col[:1].upper() + col[1:])
                    raise error_model(409, msg, "code = Constraint (19), message = "
                                      "System.Data.SQLite.SQLiteException (0x800027AF): " + msg)

    def insert(self, table, rec, unique=("name",)):
        with self.lock:
            self._check_unique(table, rec, unique, None)
            rid = self.next_ids.get(table, 1)
            self.next_ids[table] = rid + 1
            rec = copy.deepcopy(rec)
            rec["id"] = rid
            self.tables.setdefault(table, {})[rid] = rec
            self.save()
            return copy.deepcopy(rec)

    def update(self, table, rec, unique=("name",)):
        with self.lock:
            rid = rec["id"]
            if rid not in self.tables.get(table, {}):
                return None
            self._check_unique(table, rec, unique, rid)
            self.tables[table][rid] = copy.deepcopy(rec)
            self.save()
            return copy.deepcopy(rec)

    def delete(self, table, rid):
        with self.lock:
            gone = self.tables.get(table, {}).pop(rid, None)
            if gone is not None:
                self.save()
            return gone

    def save(self):
        if not self.path:
            return
        with self.lock:
            data = {"tables": self.tables, "next_ids": self.next_ids, "meta": self.meta}
            tmp = self.path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(data, f)
            os.replace(tmp, self.path)
