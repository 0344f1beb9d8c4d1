/*
 * crystal-db: the layout the image builder asks for when it compiles
 * com.oracle.svm.core.c.locale.LocaleCHelper (struct svm_locale_props_t and two result codes).
 * The builder reads the offsets from this header; locale.c fills the struct.
 */
#ifndef CRYSTALDB_SVM_LOCALE_H
#define CRYSTALDB_SVM_LOCALE_H

#define SVM_LOCALE_INITIALIZATION_SUCCEEDED 0
#define SVM_LOCALE_INITIALIZATION_OUT_OF_MEMORY 1

typedef struct {
    char *display_language;
    char *display_script;
    char *display_country;
    char *display_variant;
    char *format_language;
    char *format_script;
    char *format_country;
    char *format_variant;
} svm_locale_props_t;

#endif
