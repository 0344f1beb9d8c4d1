/*
 * crystal-db: the process's locale for the image (com.oracle.svm.core.c.locale.LocaleCHelper), what
 * the JDK derives user.language, user.country and friends from.
 *
 * Read from the environment as the C library would resolve it (LC_ALL, then the category, then
 * LANG), without setlocale(): that would load the system's locale archive on every start for
 * values crystal-db does not use (its output is English and its formats fixed). "C", "POSIX"
 * and an unset locale mean en, as in the JDK.
 */
#include <stdlib.h>
#include <string.h>

#include "svm_locale.h"

static svm_locale_props_t props;

static const char *locale_of(const char *category) {
    const char *names[] = {"LC_ALL", category, "LANG"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *value = getenv(names[i]);
        if (value != NULL && *value != '\0') {
            return value;
        }
    }
    return NULL;
}

/* language[_COUNTRY][.codeset][@modifier]; only language and country are used. */
static int parse(const char *value, char **language, char **script, char **country, char **variant) {
    if (value == NULL || strcmp(value, "C") == 0 || strcmp(value, "POSIX") == 0 || strncmp(value, "C.", 2) == 0) {
        value = "en";
    }
    size_t language_length = strcspn(value, "_.@");
    if (language_length == 0 || language_length > 8) {
        value = "en";
        language_length = 2;
    }
    *language = strndup(value, language_length);
    *script = NULL;
    *variant = NULL;
    *country = NULL;
    if (value[language_length] == '_') {
        const char *start = value + language_length + 1;
        size_t country_length = strcspn(start, ".@");
        if (country_length > 0) {
            *country = strndup(start, country_length);
            if (*country == NULL) {
                return 0;
            }
        }
    }
    return *language != NULL;
}

int svm_initialize_locale(void) {
    if (!parse(locale_of("LC_CTYPE"), &props.format_language, &props.format_script, &props.format_country,
               &props.format_variant)
        || !parse(locale_of("LC_MESSAGES"), &props.display_language, &props.display_script, &props.display_country,
                  &props.display_variant)) {
        return SVM_LOCALE_INITIALIZATION_OUT_OF_MEMORY;
    }
    return SVM_LOCALE_INITIALIZATION_SUCCEEDED;
}

svm_locale_props_t *svm_get_locale(void) {
    return &props;
}
