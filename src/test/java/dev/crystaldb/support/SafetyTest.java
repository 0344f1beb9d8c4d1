package dev.crystaldb.support;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetyTest {
    @Test
    void aMissingPreconditionSkipsOnADevelopersMachineAndFailsInCi() {
        assertThrows(TestAbortedException.class, () -> Safety.assume(false, "needs root", false));
        AssertionFailedError failed = assertThrows(AssertionFailedError.class, () -> Safety.assume(false, "needs root", true));
        assertTrue(failed.getMessage().contains("needs root"), failed.getMessage());
        assertDoesNotThrow(() -> Safety.assume(true, "needs root", true));
    }
}
