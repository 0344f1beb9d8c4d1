package nativebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The native-image driver's options as the build hands them to the image builder without the driver (native/README.md). */
class DriverOptionsTest {
    @Test
    void translatesTheDriversOptionsIntoTheBuildersAndItsJvms() {
        DriverOptions options = new DriverOptions();
        for (String argument : List.of("-J-Dorg.sqlite.lib.exportPath=/p/lib", "-H:+ReportExceptionStackTraces", "-R:MaxNewSize=8388608",
                "--features=a.B,c.D", "--enable-url-protocols=http", "--enable-monitoring=heapdump", "--enable-native-access=ALL-UNNAMED",
                "--initialize-at-build-time=a.B,,c.D", "--initialize-at-run-time=e.F", "--no-fallback", "--link-at-build-time",
                "-march=compatibility", "--static-nolibc")) {
            assertTrue(options.translate(argument), argument);
        }

        assertEquals(List.of("-H:+ReportExceptionStackTraces", "-R:MaxNewSize=8388608", "-H:Features=a.B,c.D", "-H:EnableURLProtocols=http",
                "-H:EnableMonitoringFeatures=heapdump", "-H:EnableNativeAccess=ALL-UNNAMED", "-H:ClassInitialization=a.B:build_time",
                "-H:ClassInitialization=c.D:build_time", "-H:ClassInitialization=e.F:run_time", "-H:FallbackThreshold=0",
                "-H:LinkAtBuildTime=", "-H:MicroArchitecture=compatibility"), options.hostedOptions);
        assertEquals(List.of("-Dorg.sqlite.lib.exportPath=/p/lib"), options.builderJvmOptions);
    }

    @Test
    void anOptionItDoesNotKnowIsNotTranslated() {
        DriverOptions options = new DriverOptions();

        assertFalse(options.translate("--static"));
        assertFalse(options.translate("--libc=musl"));
        assertFalse(options.translate("-Ob"));
        assertEquals(List.of(), options.hostedOptions);
        assertEquals(List.of(), options.builderJvmOptions);
    }
}
