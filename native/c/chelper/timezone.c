/*
 * crystal-db: the system's time zone for the image (com.oracle.svm.core.LibCHelper.SVM_FindJavaTZmd),
 * what TimeZone.getDefault() starts from. The TZ variable, then Debian's /etc/timezone, then the
 * zoneinfo name /etc/localtime links to; NULL lets the JDK fall back to the GMT offset.
 * crystal-db itself writes UTC everywhere (backup names, history times); this only serves libraries.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *zone_in_path(const char *path) {
    const char *zoneinfo = strstr(path, "zoneinfo/");
    return zoneinfo != NULL && zoneinfo[9] != '\0' ? strdup(zoneinfo + 9) : NULL;
}

char *SVM_FindJavaTZmd(const char *java_home, int java_home_length) {
    (void) java_home;
    (void) java_home_length;
    const char *tz = getenv("TZ");
    if (tz != NULL && *tz != '\0') {
        if (*tz == ':') {
            tz++;
        }
        if (*tz == '/') {
            char *zone = zone_in_path(tz);
            if (zone != NULL) {
                return zone;
            }
        } else if (*tz != '\0') {
            return strdup(tz);
        }
    }
    FILE *file = fopen("/etc/timezone", "r");
    if (file != NULL) {
        char line[256];
        char *zone = NULL;
        if (fgets(line, sizeof line, file) != NULL) {
            line[strcspn(line, " \t\r\n")] = '\0';
            if (line[0] != '\0') {
                zone = strdup(line);
            }
        }
        fclose(file);
        if (zone != NULL) {
            return zone;
        }
    }
    char link[PATH_MAX];
    ssize_t length = readlink("/etc/localtime", link, sizeof link - 1);
    if (length > 0) {
        link[length] = '\0';
        return zone_in_path(link);
    }
    return NULL;
}
