package dev.crystaldb.errors;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailuresTest {
    @Test
    void theCausesComeOutermostFirstAndALoopEnds() {
        SQLException sql = new SQLException("inner");
        RuntimeException middle = new RuntimeException("middle", sql);
        IllegalStateException outer = new IllegalStateException("outer", middle);
        assertEquals(List.of(outer, middle, sql), Failures.causes(outer).toList());

        IOException a = new IOException("a");
        IOException b = new IOException("b", a);
        a.initCause(b); // a loop Throwable allows
        assertEquals(List.of(a, b), Failures.causes(a).toList());
        assertSame(sql, Failures.find(outer, SQLException.class).orElseThrow());
        assertTrue(Failures.find(a, SQLException.class).isEmpty());
    }

    @Test
    void theFirstLineIsTrimmedAndANamelessFailureGivesItsClass() {
        assertEquals("no such table: t", Failures.firstLine(new SQLException(" no such table: t \nat line 3\r\n")));
        assertEquals("one\rtwo".lines().findFirst().orElseThrow(), Failures.firstLine(new SQLException("one\rtwo")));
        assertEquals("NullPointerException", Failures.firstLine(new NullPointerException()));
        assertEquals("", Failures.firstLine(new SQLException("")));
    }

    @Test
    void aCrystalDbExceptionIsFoundInsideAnotherLibrarysWrapping() {
        CrystalDbException known = CrystalDbException.usage("bad");
        assertSame(known, CrystalDbException.findIn(new RuntimeException("callback failed", new RuntimeException(known))));
        assertEquals(null, CrystalDbException.findIn(new RuntimeException("plain")));
    }
}
