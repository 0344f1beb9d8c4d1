package dev.crystaldb.it;

import dev.crystaldb.support.Safety;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;

/**
 * The app's system user of a server (User= of its unit), made for root-run tests: crystal-db run as
 * root and as this user in turn, in directories this user owns. Needs root and useradd (CI runs as root; under CI=true a machine without them fails the test).
 */
record AppUser(UserPrincipal principal, int uid) {
    static final String NAME = "crystal-app";

    static AppUser create() throws Exception {
        Safety.assume((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0, "needs root (CI runs as root)");
        Process useradd = new ProcessBuilder("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NAME)
                .redirectErrorStream(true).start();
        String output = new String(useradd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = useradd.waitFor();
        Safety.assume(exit == 0 || exit == 9, "cannot create the user " + NAME + ": " + output); // 9: exists already
        UserPrincipal principal = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(NAME);
        Process id = new ProcessBuilder("id", "-u", NAME).start();
        int uid = Integer.parseInt(new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
        return new AppUser(principal, uid);
    }
}
