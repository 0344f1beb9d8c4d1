package dev.crystaldb.db;

import dev.crystaldb.errors.Failures;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an SQLite failure means to crystal-db, read from SQLite's result code (sqlite-jdbc reports
 * the extended codes, SQLITE_BUSY_SNAPSHOT or SQLITE_IOERR_WRITE, and each belongs to its primary
 * code's kind), never from the text of a message: the one place that classifies SQLite's errors,
 * and the one that knows how sqlite-jdbc words them.
 */
public enum SqliteFailure {
    /** SQLITE_BUSY and its extended codes: another connection held a lock for longer than the busy timeout. */
    BUSY,
    /** SQLITE_FULL: a write found the disk full (SQLite's answer to ENOSPC). */
    DISK_FULL,
    /** SQLITE_CORRUPT and its extended codes: a bad page or a broken schema. */
    DAMAGED,
    /** SQLITE_NOTADB: the file is no SQLite database (or one SQLite cannot read, encrypted say). */
    NOT_A_DATABASE,
    /** SQLITE_READONLY_ROLLBACK: a read-only open found a hot journal that only a write can roll back. */
    HOT_JOURNAL,
    /** The other SQLITE_READONLY codes: a write on a connection, or a file, that may not be written. */
    READ_ONLY,
    /** SQLITE_CANTOPEN and its extended codes: the file (or its journal) cannot be opened. */
    CANNOT_OPEN,
    /** SQLITE_IOERR and its extended codes: the operating system refused a read, write, fsync or lock. */
    IO_ERROR,
    /** Any other SQLite code: a constraint, a syntax error, a misuse. */
    OTHER,
    /** No SQLite error among the causes. */
    NOT_SQLITE;

    /** sqlite-jdbc's message: "[SQLITE_CODE] SQLite's text for the code (sqlite3_errmsg)". */
    private static final Pattern WRAPPED = Pattern.compile("(?s)\\[SQLITE_\\w+\\][^(]*\\((.*)\\)");

    /** The kind of the first SQLite error in a failure's causes. */
    public static SqliteFailure of(Throwable error) {
        SQLiteErrorCode code = resultCode(error);
        return code == null ? NOT_SQLITE : of(code);
    }

    /** The kind of a result code SQLite returned as a number (sqlite3_backup_step's, say). */
    public static SqliteFailure ofCode(int code) {
        return of(SQLiteErrorCode.getErrorCode(code));
    }

    private static SqliteFailure of(SQLiteErrorCode code) {
        if (code == SQLiteErrorCode.SQLITE_READONLY_ROLLBACK) {
            return HOT_JOURNAL;
        }
        if (code == SQLiteErrorCode.UNKNOWN_ERROR) {
            return OTHER;
        }
        // an extended code is its primary code plus (n << 8)
        return switch (SQLiteErrorCode.getErrorCode(code.code & 0xff)) {
            case SQLITE_BUSY -> BUSY;
            case SQLITE_FULL -> DISK_FULL;
            case SQLITE_CORRUPT -> DAMAGED;
            case SQLITE_NOTADB -> NOT_A_DATABASE;
            case SQLITE_READONLY -> READ_ONLY;
            case SQLITE_CANTOPEN -> CANNOT_OPEN;
            case SQLITE_IOERR -> IO_ERROR;
            default -> OTHER;
        };
    }

    /** SQLite's result code in a failure's causes (the extended one where SQLite gave it), or null. */
    public static SQLiteErrorCode resultCode(Throwable error) {
        return Failures.find(error, SQLiteException.class).map(SQLiteException::getResultCode).orElse(null);
    }

    /** True when SQLite gave up waiting for another connection's lock. */
    public static boolean isBusy(Throwable error) {
        return of(error) == BUSY;
    }

    /** True when SQLite found the file damaged (a bad page, a broken schema, no database) rather than busy or missing. */
    public static boolean isDamaged(Throwable error) {
        SqliteFailure kind = of(error);
        return kind == DAMAGED || kind == NOT_A_DATABASE;
    }

    /**
     * SQLite's own words, without sqlite-jdbc's wrapping: "[SQLITE_CONSTRAINT_CHECK] A CHECK constraint
     * failed (CHECK constraint failed: qty > 5)" gives what is in parentheses.
     */
    public static String sqliteMessage(SQLException e) {
        String message = String.valueOf(e.getMessage()).strip();
        Matcher wrapped = WRAPPED.matcher(message);
        return wrapped.matches() ? wrapped.group(1) : message;
    }
}
