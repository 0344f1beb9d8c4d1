package nativebuild;

import java.util.ArrayList;
import java.util.List;

/**
 * What GraalVM's native-image driver makes of its options (from native-image.args and the libraries'
 * native-image.properties), for the builder run without the driver: options of the image builder
 * (-H:..., -R:...) and of the builder's JVM (-J...). Pure, so that every translation is unit-tested.
 */
public final class DriverOptions {
    public final List<String> hostedOptions = new ArrayList<>();
    public final List<String> builderJvmOptions = new ArrayList<>();

    /** Translates one driver option into builder options; false for an option this build does not know. */
    public boolean translate(String argument) {
        if (argument.startsWith("-J")) {
            builderJvmOptions.add(argument.substring(2));
        } else if (argument.startsWith("-H:") || argument.startsWith("-R:")) {
            hostedOptions.add(argument);
        } else if (argument.startsWith("--features=")) {
            hostedOptions.add("-H:Features=" + value(argument));
        } else if (argument.startsWith("--enable-url-protocols=")) {
            hostedOptions.add("-H:EnableURLProtocols=" + value(argument));
        } else if (argument.startsWith("--enable-monitoring=")) {
            hostedOptions.add("-H:EnableMonitoringFeatures=" + value(argument));
        } else if (argument.startsWith("--enable-native-access=")) {
            hostedOptions.add("-H:EnableNativeAccess=" + value(argument));
        } else if (argument.startsWith("--initialize-at-build-time=")) {
            classInitialization(value(argument), "build_time");
        } else if (argument.startsWith("--initialize-at-run-time=")) {
            classInitialization(value(argument), "run_time");
        } else if (argument.equals("--no-fallback")) {
            hostedOptions.add("-H:FallbackThreshold=0");
        } else if (argument.equals("--link-at-build-time")) {
            hostedOptions.add("-H:LinkAtBuildTime=");
        } else if (argument.startsWith("-march=")) {
            hostedOptions.add("-H:MicroArchitecture=" + value(argument));
        } else if (argument.equals("--static-nolibc")) {
            // needs the JDK's static libraries, which only a GraalVM distribution has: the JDK's shared
            // libraries are embedded instead (native/README.md)
            System.err.println("native: --static-nolibc: embedding the JDK's shared libraries instead");
        } else {
            return false;
        }
        return true;
    }

    private void classInitialization(String classes, String when) {
        for (String name : classes.split(",")) {
            if (!name.isBlank()) {
                hostedOptions.add("-H:ClassInitialization=" + name + ":" + when);
            }
        }
    }

    private static String value(String option) {
        return option.substring(option.indexOf('=') + 1);
    }
}
