"""crystal-db import-alembic: what Alembic really runs on SQLite, revision by revision.

Run by crystal-db with the Python that runs the app's Alembic:

    PYTHON import_alembic.py CONFIG WORK

It reads the revisions of CONFIG's script_location, base to head, and runs each one's upgrade()
through Alembic's own API (not the project's env.py, which may need the app) on a scratch SQLite
database, recording every statement SQLAlchemy executes, bound parameters written as literals.
After each step it copies the database (WORK/NNNN-up.db: what `alembic upgrade` gives there), and
runs downgrade() on another copy (WORK/NNNN-down.db: what `alembic downgrade -1` gives). What it
found goes to WORK/manifest, one record a line: a kind, then tab-separated base64 UTF-8 fields.
Exit status: 0 done (or a refusal recorded in the manifest), 10 no alembic module.
"""
import base64
import datetime
import decimal
import math
import os
import re
import sqlite3
import sys
import traceback

try:
    import sqlalchemy as sa
    from alembic import __version__ as alembic_version
    from alembic.config import Config
    from alembic.operations import Operations
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
except ImportError as missing:
    sys.stderr.write("%s\n" % missing)
    sys.exit(10)


class Manifest:
    def __init__(self, path):
        self.file = open(path, "w", encoding="utf-8")

    def write(self, kind, *fields):
        encoded = [base64.b64encode(str(field).encode("utf-8")).decode("ascii") for field in fields]
        self.file.write("\t".join([kind] + encoded) + "\n")
        self.file.flush()


def literal(value):
    """A bound parameter as an SQLite literal, the value SQLite would have stored for it."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NULL"  # SQLite stores NaN as NULL
        if math.isinf(value):
            return "9e999" if value > 0 else "-9e999"
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "X'%s'" % bytes(value).hex().upper()
    if isinstance(value, datetime.datetime):
        text = value.isoformat(" ")
    elif isinstance(value, (datetime.date, datetime.time)):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text.replace("'", "''") + "'"


NAMED = re.compile(r"[:@$]([A-Za-z_][A-Za-z0-9_]*)")
NUMBERED = re.compile(r"\?([0-9]+)")


def render(sql, parameters):
    """The statement with its parameters as literals, tidied outside literals: tabs to spaces, no trailing blanks."""
    out = []
    positional = iter(parameters) if isinstance(parameters, (list, tuple)) else iter(())
    i = 0
    n = len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"`[":
            closing = "]" if c == "[" else c
            j = i + 1
            while j < n:
                if sql[j] == closing:
                    if closing != "]" and j + 1 < n and sql[j + 1] == closing:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i:j + 1])
            i = j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(sql[i:j].rstrip())
            i = j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(sql[i:j])
            i = j
        elif c == "?":
            number = NUMBERED.match(sql, i)
            if number and isinstance(parameters, (list, tuple)):
                out.append(literal(parameters[int(number.group(1)) - 1]))
                i = number.end()
            else:
                out.append(literal(next(positional)))
                i += 1
        elif c in ":@$" and isinstance(parameters, dict) and NAMED.match(sql, i) and NAMED.match(sql, i).group(1) in parameters:
            name = NAMED.match(sql, i)
            out.append(literal(parameters[name.group(1)]))
            i = name.end()
        elif c == "\t":
            out.append("    ")
            i += 1
        elif c == "\n":
            while out and out[-1] in (" ", "    "):
                out.pop()
            out.append("\n")
            i += 1
        else:
            out.append(c)
            i += 1
    text = "".join(out).strip()
    last_line = text.rsplit("\n", 1)[-1]
    if "--" in strip_literals(last_line):
        text += "\n"  # crystal-db ends each statement with ';', which must not land in a comment
    return text


def strip_literals(line):
    return re.sub(r"'(?:[^']|'')*'|\"[^\"]*\"", "", line)


def first_word(sql):
    words = re.findall(r"[A-Za-z_]+", re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S))
    return (words[0].upper() if words else ""), [w.upper() for w in words]


def classify(sql):
    """'skip' for SQLAlchemy's and Alembic's own reads of the schema, 'read' for a read of data, 'write' otherwise."""
    word, words = first_word(sql)
    if word == "PRAGMA":
        return "write" if "=" in strip_literals(sql) else "skip"
    if word in ("SELECT", "WITH") and not {"INSERT", "UPDATE", "DELETE", "REPLACE"} & set(words):
        if re.search(r"\bsqlite_(master|temp_master|schema|temp_schema)\b", sql, re.I):
            return "skip"
        return "read"
    return "write"


class Recorder:
    """Every statement an engine executes, with its parameters written in."""

    def __init__(self, engine):
        self.statements = []
        self.reads = []
        sa.event.listen(engine, "before_cursor_execute", self.record)

    def record(self, connection, cursor, statement, parameters, context, executemany):
        rows = parameters if executemany else [parameters]
        for row in rows:
            sql = render(statement, row if row is not None else ())
            kind = classify(sql)
            if kind == "write":
                self.statements.append(sql)
            elif kind == "read":
                self.reads.append(sql)


def stable_order(items):
    """A table's constraints and indexes, which SQLAlchemy keeps in sets, in the order they were made."""
    return sorted(items, key=lambda item: (getattr(item, "_creation_order", 0), str(getattr(item, "name", "") or "")))


def make_batch_tables_deterministic():
    """Alembic's batch mode copies a table's constraints by iterating a set of objects hashed by address,
    so the recreated table's constraints came out in a different order from run to run (and with them the
    file's checksum); it reads them here in the order they were made instead."""
    try:
        from alembic.operations.batch import ApplyBatchImpl
    except ImportError:
        return
    grab = getattr(ApplyBatchImpl, "_grab_table_elements", None)
    if grab is None:
        return

    def grab_in_stable_order(self):
        table = self.table
        constraints, indexes = table.constraints, table.indexes
        table.constraints, table.indexes = stable_order(constraints), stable_order(indexes)
        try:
            grab(self)
        finally:
            table.constraints, table.indexes = constraints, indexes

    ApplyBatchImpl._grab_table_elements = grab_in_stable_order


def run_step(config, script, database, function):
    """Runs one upgrade() or downgrade() on database through Alembic's Operations; the statements it executed."""
    engine = sa.create_engine("sqlite:///" + database)
    recorder = Recorder(engine)
    try:
        with engine.connect() as connection:
            with EnvironmentContext(config, script) as environment:
                environment.configure(connection=connection, target_metadata=None)
                with Operations.context(environment.get_context()):
                    with connection.begin():
                        function()
    finally:
        engine.dispose()
    return recorder


def copy_database(source, target):
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def describe(error):
    lines = [line for line in traceback.format_exception_only(type(error), error)[-1].strip().splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def main(config_path, work):
    make_batch_tables_deterministic()
    manifest = Manifest(os.path.join(work, "manifest"))
    manifest.write("versions", alembic_version, sa.__version__, "%d.%d.%d" % sys.version_info[:3], sqlite3.sqlite_version)
    try:
        config = Config(config_path)
        script = ScriptDirectory.from_config(config)
        heads = script.get_heads()
    except Exception as error:  # a broken alembic.ini, script_location or revision file
        manifest.write("refused", "config", describe(error))
        return
    if len(heads) > 1:
        manifest.write("refused", "heads", ", ".join(sorted(heads)))
        return
    if not heads:
        manifest.write("refused", "empty", script.dir)
        return
    manifest.write("project", script.dir, heads[0])
    revisions = list(reversed(list(script.walk_revisions("base", "heads"))))
    scratch = os.path.join(work, "scratch.db")
    with sqlite3.connect(scratch) as empty:  # a header on disk, so even a base with no tables is an SQLite file
        empty.execute("CREATE TABLE crystal_db_import (x)")
        empty.execute("DROP TABLE crystal_db_import")
    empty.close()
    for index, revision in enumerate(revisions, start=1):
        down = revision.down_revision
        downs = [] if down is None else [down] if isinstance(down, str) else list(down)
        manifest.write("revision", revision.revision, ",".join(downs), (revision.doc or "").strip(), revision.path)
        upgrade = getattr(revision.module, "upgrade", None)
        if upgrade is None:
            manifest.write("refused", "failed", revision.revision, revision.path, "it has no upgrade() function")
            return
        try:
            recorder = run_step(config, script, scratch, upgrade)
        except Exception as error:
            manifest.write("refused", "failed", revision.revision, revision.path, describe(error))
            return
        for sql in recorder.statements:
            manifest.write("up", sql)
        for sql in recorder.reads:
            manifest.write("up-read", sql)
        up_copy = os.path.join(work, "%04d-up.db" % index)
        copy_database(scratch, up_copy)
        downgrade = getattr(revision.module, "downgrade", None)
        if downgrade is None:
            manifest.write("down-missing")
            continue
        down_copy = os.path.join(work, "%04d-down.db" % index)
        copy_database(up_copy, down_copy)
        try:
            recorder = run_step(config, script, down_copy, downgrade)
        except Exception as error:
            os.remove(down_copy)
            manifest.write("down-failed", describe(error))
            continue
        for sql in recorder.statements:
            manifest.write("down", sql)
        for sql in recorder.reads:
            manifest.write("down-read", sql)
    manifest.write("done")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
